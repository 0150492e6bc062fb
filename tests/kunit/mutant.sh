#!/bin/bash
# tests/kunit/mutant.sh - proof that the debug kernel catches a broken
# model swap: tmnet_kunit.ko is rebuilt with kmod/tmnet_dev.c's
# kfree_rcu() of the old model replaced by kfree(), booted like
# tests/kunit/run.sh, and the run must FAIL (a KASAN report or a failing
# engine case).  Prints TAP: "ok" means the mutant was caught.
#
#   tests/kunit/mutant.sh [--help]
#
# The repository is not modified: the mutant is a copy in
# $BUILD/kunit-mutant/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
case "${1:-}" in
-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "mutant.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

qemu/debug/build.sh >/dev/null || { echo "not ok 1 - debug kernel build"; exit 1; }
eval "$(qemu/debug/build.sh --env)"
out=$BUILD/kunit-mutant/$KVER
tests/kunit/build.sh --kdir "$KDIR" --out "$out" >/dev/null ||
	{ echo "not ok 1 - tmnet_kunit.ko builds"; exit 1; }

# the mutation: the model swap frees the old model without a grace period
n=$(grep -c 'kfree_rcu(old, rcu);' kmod/tmnet_dev.c)
line=$(awk '/^int tmnet_dev_load_model/ { f = 1 } f && /kfree_rcu\(old, rcu\);/ { print NR; exit }' \
	kmod/tmnet_dev.c)
if [ -z "$line" ]; then
	echo "not ok 1 - mutant: no kfree_rcu(old, rcu) in tmnet_dev_load_model ($n in the file)"
	exit 1
fi
sed "${line}s/kfree_rcu(old, rcu);/kfree(old);/" kmod/tmnet_dev.c >"$out/mutant_tmnet_dev.c"
printf '// SPDX-License-Identifier: GPL-2.0\n#include "%s"\n' "$out/mutant_tmnet_dev.c" \
	>"$out/kmod_tmnet_dev.c"
make -C "$KDIR" M="$out" TMNET_ROOT="$root" modules >"$out/build.log" 2>&1 ||
	{ echo "not ok 1 - mutant builds (log $out/build.log)"; exit 1; }

res=$BUILD/kunit-mutant/results-$KVER
rm -rf "$res"
mkdir -p "$res/out"
qemu/run-guest.sh --kernel "$VMLINUZ" --moddir "$MODDIR" --results "$res" \
	--log "$res/serial.log" --timeout 900 --append "${TMNET_KUNIT_APPEND-acpi=noirq}" -- \
	tests/kunit/guest.sh "$out/tmnet_kunit.ko" "$res/out" >/dev/null
python3 tests/kunit/ktap.py --prefix mutant --splat-log "$res/serial.log" \
	"$res/out/dmesg.txt" >"$res/ktap.txt"
# caught = a splat, or the engine's swap case failed
splat=$(grep -c '^not ok .* no kernel splat' "$res/ktap.txt")
swap=$(grep -c '^not ok .*eng_rcu_swap_while_ticking' "$res/ktap.txt")
grep -E '^#   (BUG|WARNING|.*KASAN)' "$res/ktap.txt" | head -n 5
if [ "$splat" -gt 0 ] || [ "$swap" -gt 0 ]; then
	echo "ok 1 - debug kernel catches kfree() instead of kfree_rcu() in the model swap" \
		"(splat: $splat, swap case failed: $swap)"
else
	echo "not ok 1 - debug kernel missed kfree() instead of kfree_rcu() in the model swap" \
		"(log $res/serial.log)"
	exit 1
fi
