#!/bin/bash
# tests/kunit/run.sh - the KUnit suite on the debug kernel, as TAP.
#
#   tests/kunit/run.sh [--base 6.1|6.12] [--help]
#
# Builds (or reuses) the debug kernel (qemu/debug/build.sh), builds
# tmnet_kunit.ko against it (tests/kunit/build.sh), boots it in QEMU with
# qemu/run-guest.sh, where tests/kunit/guest.sh loads the module, and turns
# the KTAP it printed into one TAP line per test case (tests/kunit/ktap.py).
# It also fails on any splat in the serial log and on kmemleak reports, and
# checks its KTAP counts against the kernel's own parser (kunit.py parse).
# Results and logs: $BUILD/kunit/results-<release>/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
export BUILD
base_args=()

while [ $# -gt 0 ]; do
	case "$1" in
	--base) base_args=(--base "${2:?--base needs 6.1 or 6.12}"); shift 2 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

t0=$(date +%s)
qemu/debug/build.sh "${base_args[@]}" || { echo "not ok 1 - debug kernel build"; exit 1; }
eval "$(qemu/debug/build.sh "${base_args[@]}" --env)"
t1=$(date +%s)
ko=$(tests/kunit/build.sh --kdir "$KDIR" | tail -n 1)
[ -f "$ko" ] || { echo "not ok 1 - tmnet_kunit.ko builds against $KVER"; exit 1; }
t2=$(date +%s)

# acpi=noirq: PCI interrupts are routed from the BIOS's PIR table.  Under
# TCG with KASAN on a loaded host, evaluating the ACPI _PRT method can hit
# ACPICA's 30 s loop timeout (AE_AML_LOOP_TIMEOUT), leaving virtio-pci
# without an interrupt and the 9p root mount hanging.
APPEND=${TMNET_KUNIT_APPEND-acpi=noirq}
res=$BUILD/kunit/results-$KVER
rm -rf "$res"
mkdir -p "$res/out"
qemu/run-guest.sh --kernel "$VMLINUZ" --moddir "$MODDIR" --results "$res" \
	--log "$res/serial.log" --timeout 900 --append "$APPEND" -- \
	tests/kunit/guest.sh "$ko" "$res/out"
grc=$?
t3=$(date +%s)
echo "# debug kernel $KVER: kernel ready in $((t1 - t0))s, module built in $((t2 - t1))s," \
	"guest run (boot + suites + kmemleak + power-off) $((t3 - t2))s"
grep -h '^guest.sh:' "$res/output.txt" 2>/dev/null | sed 's/^/# /'

suites=$(sed -n 's/^[[:space:]]*\.name = "\([a-z0-9_]*\)",$/\1/p' tests/kunit/kunit_*.c | paste -sd, -)
prefix=debug-$KVER
args=(--prefix "$prefix" --expect "$suites" --splat-log "$res/serial.log"
      --kmemleak "$res/out/kmemleak.txt")
if [ "$grc" -eq 0 ]; then
	args+=(--result ok "$prefix: guest loaded and unloaded tmnet_kunit.ko")
else
	args+=(--result fail "$prefix: guest run failed (status $grc; log $res/serial.log)")
	tail -n 20 "$res/serial.log" | sed 's/^/#   /'
fi
# the kernel's own KTAP parser must count the same leaf results
kpy=$KDIR/tools/testing/kunit/kunit.py
if [ -f "$kpy" ] && [ -s "$res/out/dmesg.txt" ]; then
	# from the module's KTAP header on: the built-in KUnit prints an empty
	# "KTAP version 1 / 1..0" at boot, which kunit.py would stop at
	awk '/^\[[ 0-9.]*\] KTAP version/ { n = NR } { l[NR] = $0 }
	     END { for (i = n; i <= NR; i++) print l[i] }' "$res/out/dmesg.txt" >"$res/module.ktap"
	python3 "$kpy" parse "$res/module.ktap" >"$res/kunit-parse.txt" 2>&1
	sed 's/\x1b\[[0-9;]*m//g' "$res/kunit-parse.txt" | tail -n 2 | sed 's/^/# kunit.py: /'
	kp=$(sed 's/\x1b\[[0-9;]*m//g' "$res/kunit-parse.txt" | grep -oE 'Ran [0-9]+ tests' |
		tail -n 1 | grep -oE '[0-9]+')
	args+=(--leaves-from-kunit-py "${kp:--1}")
fi
python3 tests/kunit/ktap.py "${args[@]}" "$res/out/dmesg.txt"
