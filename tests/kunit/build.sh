#!/bin/bash
# tests/kunit/build.sh - build tmnet_kunit.ko against a kernel tree.
#
#   tests/kunit/build.sh [--kdir DIR] [--out DIR] [--help]
#
#   --kdir DIR   kernel build tree with CONFIG_KUNIT and Module.symvers
#                (default: the cached debug kernel, qemu/debug/build.sh)
#   --out DIR    build directory (default $BUILD/kunit/<kernelrelease>)
#
# The sources are copied to the build directory (so several kernels can be
# built side by side and the repository stays clean), together with one
# core_<file>.c wrapper per core/*.c: the core is compiled unchanged.
# Prints the path of the module on its last line.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
kdir= out=

while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) kdir=${2:?--kdir needs a directory}; shift 2 ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

if [ -z "$kdir" ]; then
	kdir=$("$root/qemu/debug/build.sh" --print-kdir) ||
		{ echo "build.sh: no debug kernel built yet: run qemu/debug/build.sh" >&2; exit 1; }
fi
[ -f "$kdir/Module.symvers" ] ||
	{ echo "build.sh: $kdir has no Module.symvers (not a built kernel tree)" >&2; exit 1; }
grep -q '^CONFIG_KUNIT=[ym]' "$kdir/.config" ||
	{ echo "build.sh: $kdir is not configured with CONFIG_KUNIT" >&2; exit 1; }
krel=$(make -s -C "$kdir" kernelrelease 2>/dev/null)
[ -n "$out" ] || out=$BUILD/kunit/$krel
mkdir -p "$out"
out=$(cd "$out" && pwd)

# refresh the copy: sources, Kbuild and the core wrappers
find "$out" -maxdepth 1 \( -name 'kunit_*.c' -o -name 'core_*.c' -o -name 'kmod_*.c' \
	-o -name '*.h' \) -delete
cp "$here"/Kbuild "$here"/kunit_*.c "$here"/*.h "$out"/
for f in "$root"/core/*.c; do
	b=$(basename "$f")
	printf '// SPDX-License-Identifier: GPL-2.0\n#include "%s"\n' "$b" >"$out/core_$b"
done
# the engine: the device and histogram code of kmod/, without the module
# glue (misc device, debugfs, module init), which the engine suite replaces
for b in tmnet_dev.c tmnet_hist.c; do
	printf '// SPDX-License-Identifier: GPL-2.0\n#include "%s"\n' "$b" >"$out/kmod_$b"
done

echo "build.sh: tmnet_kunit.ko for $krel in $out"
make -C "$kdir" M="$out" TMNET_ROOT="$root" W=1 modules >"$out/build.log" 2>&1 || {
	grep -E 'error|warning' "$out/build.log" | head -n 40 >&2
	tail -n 20 "$out/build.log" >&2
	echo "build.sh: build failed (log: $out/build.log)" >&2
	exit 1
}
# Warnings: all are shown; those in the test sources fail the build (the
# core's and kmod's own warnings are their owners' to fix, and their
# builds report them).
if grep -E '(warning|WARNING):' "$out/build.log" >&2; then
	if grep -E '(warning|WARNING):' "$out/build.log" | grep -q 'kunit_'; then
		echo "build.sh: warnings in the KUnit sources (log: $out/build.log)" >&2
		exit 1
	fi
	echo "build.sh: warnings outside tests/kunit (reported, not fatal)" >&2
fi
echo "$out/tmnet_kunit.ko"
