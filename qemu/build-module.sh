#!/bin/bash
# qemu/build-module.sh [--werror] KDIR DIR - build tmnet.ko out of tree
# against the kernel build tree KDIR, in DIR (emptied, then given a fresh
# copy of Kbuild, kmod/, core/ and uapi/).  The kbuild output goes to
# DIR/kbuild.log; on failure its last 30 lines are printed to stderr as
# "# " comments and the exit status is 1.  With --werror a build that
# printed a compiler warning fails too (the warnings are printed).
# Used by every guest test driver, the demo and the kernel benchmark.
set -uo pipefail
werror=0
case "${1:-}" in
-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--werror) werror=1; shift ;;
esac
[ $# -eq 2 ] || { echo "usage: qemu/build-module.sh [--werror] KDIR DIR" >&2; exit 2; }
kdir=$1 dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$kdir" ] || { echo "# no kernel build tree $kdir" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
cp -r "$root/Kbuild" "$root/kmod" "$root/core" "$root/uapi" "$dir/" || exit 1
rm -f "$dir"/kmod/*.o "$dir"/core/*.o
log=$dir/kbuild.log
if ! make -C "$kdir" M="$dir" modules >"$log" 2>&1; then
	tail -n 30 "$log" | sed 's/^/# /' >&2
	exit 1
fi
if [ "$werror" = 1 ] && grep -q 'warning:' "$log"; then
	grep 'warning:' "$log" | sed 's/^/# /' >&2
	exit 1
fi
[ -f "$dir/tmnet.ko" ] || { echo "# no $dir/tmnet.ko after the build" >&2; exit 1; }
