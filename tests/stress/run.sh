#!/bin/bash
# tests/stress/run.sh - stress tmnet.ko on the KASAN + lockdep + kmemleak
# debug kernel (qemu/debug/build.sh) in QEMU, as TAP.
#
#   tests/stress/run.sh [--swaps N] [--cycles N] [--conc N] [--max-swap-s S]
#                       [--max-cycle-s S] [--help]
#
#   --swaps N        model swaps while ticking at 2 kHz (default 10000; if
#                    a 500-swap calibration in the guest says N would take
#                    longer than --max-swap-s, fewer are run and the number
#                    is printed)
#   --max-swap-s S   time budget of the swaps (default 90; the interleaved
#                    control loads add a third to it)
#   --cycles N       insmod/rmmod cycles, every 5th with a reader blocked
#                    in read() (default 100)
#   --max-cycle-s S  time budget of the cycles (default 180): fewer cycles
#                    are run when it is used up, and the number is printed
#   --conc N         debugfs config commands of process A in the concurrent
#                    start/stop/config test; process B (tmnetctl) runs N/3
#                    (default 150)
#
# Then, on the same kernel: a failure injected at every init step of
# tmnet.ko (fail_init_step=N; insmod fails clean, then loads clean), the
# kselftests of tests/selftests (stats resets, CPU hotplug, multi-MiB
# live writes, events listener permissions) and tmnet_kapi_test.ko
# calling tmnet_latest() from hard-IRQ hrtimers on every CPU while the
# statistics are reset in a loop, on a stopped and on a ticking device.
#
# Builds tmnet.ko against the cached debug kernel tree and the guest helper
# tests/stress/swapper.c, boots the debug kernel with qemu/run-guest.sh and
# runs tests/stress/guest.sh there.  Fails on any kernel splat in the serial
# log (KASAN, lockdep, BUG:, WARNING:, ...), on a missed tick attributable
# to a swap, on a refused/unrefused rmmod, and on kmemleak suspects.
# Logs and results: $BUILD/stress/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
swaps=10000 cycles=100 conc=150 maxs=90 maxc=180

while [ $# -gt 0 ]; do
	case "$1" in
	--swaps) swaps=${2:?}; shift 2 ;;
	--cycles) cycles=${2:?}; shift 2 ;;
	--conc) conc=${2:?}; shift 2 ;;
	--max-swap-s) maxs=${2:?}; shift 2 ;;
	--max-cycle-s) maxc=${2:?}; shift 2 ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$swaps" "$cycles" "$conc" "$maxs" "$maxc"; do
	case "$v" in ''|*[!0-9]*) echo "run.sh: '$v' is not a number" >&2; exit 2 ;; esac
done

bail() { echo "not ok 1 - $*"; echo "1..1"; exit 1; }
t0=$(date +%s)
qemu/debug/build.sh >/dev/null || bail "debug kernel build (qemu/debug/build.sh)"
eval "$(qemu/debug/build.sh --env)"
out=$BUILD/stress
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log

# ---- build: module against the debug tree, userspace, guest helper --------
kb=$out/kmod-$KVER
qemu/build-module.sh "$KDIR" "$kb" 2>&1 ||
	bail "building tmnet.ko against the debug kernel $KVER ($kb/kbuild.log)"
if ! { make -s BUILD="$BUILD" "$BUILD/tmnetctl" "$BUILD/libtmcore.a" &&
       make -s -f qemu/guest.mk BUILD="$BUILD" "$BUILD/guest/mkblob" &&
       gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iuapi \
	-o "$out/swapper" tests/stress/swapper.c -lpthread; } >>"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building tmnetctl, mkblob or tests/stress/swapper.c"
fi
"$BUILD/guest/mkblob" --system B --seed 1 -o "$out/model-a.tmn" >/dev/null &&
	"$BUILD/guest/mkblob" --system B --seed 2 -o "$out/model-b.tmn" >/dev/null &&
	"$BUILD/guest/mkblob" --system B --seed 3 --rate 1000 -o "$out/model-1k.tmn" >/dev/null ||
	bail "writing the test model blobs (mkblob)"
# the init-failure loop loads model-a.tmn through the firmware loader
rm -rf "$out/fw" && mkdir -p "$out/fw/tmnet" && cp "$out/model-a.tmn" "$out/fw/tmnet/" ||
	bail "staging the firmware directory"
# the kselftests (tests/selftests) and the in-kernel API test module
ksft=$out/ksft
mkdir -p "$ksft"
if ! make -s -C tests/selftests KSFT="$KDIR/tools/testing/selftests" OUT="$ksft" >>"$log" 2>&1 ||
   ! "$BUILD/guest/mkblob" --system B --seed 1 --out-scale 1000 -o "$ksft/b1.tmn" >/dev/null ||
   ! "$BUILD/guest/mkblob" --system B --seed 1 --rate 1000 -o "$ksft/rate1000.tmn" >/dev/null; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building the kselftests (tests/selftests) or their blobs"
fi
kk=$kb/kapi
mkdir -p "$kk" && cp tests/guest/kapi/Kbuild tests/guest/kapi/*.c "$kk/"
if ! make -C "$KDIR" M="$kk" TMNET_SRC="$kb" KBUILD_EXTRA_SYMBOLS="$kb/Module.symvers" \
	modules >>"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building tmnet_kapi_test.ko against the debug kernel"
fi
echo "ok 1 - tmnet.ko, tmnetctl, the swapper, the kselftests and tmnet_kapi_test.ko build for the debug kernel $KVER"
t1=$(date +%s)

# any splat anywhere in the serial log fails the run
SPLAT='BUG: |WARNING: |KASAN: |UBSAN: |Oops|general protection fault|kernel BUG at|possible recursive locking|possible circular locking|possible irq lock inversion|inconsistent lock state|Invalid wait context|suspicious RCU usage|rcu_preempt detected stalls|rcu: INFO: |blocked for more than|Kernel panic|scheduling while atomic|sleeping function called from invalid context|ODEBUG: |list_add corruption|list_del corruption|kmemleak: [0-9]+ new suspected'
# the pattern goes to the guest as a file: on its command line it would be
# echoed to the serial log and match itself
printf '%s\n' "$SPLAT" >"$out/splat.re"

# ---- the guest run -----------------------------------------------------------
# acpi=noirq: see tests/kunit/run.sh (ACPI _PRT timeouts under TCG)
res=$out/results
rm -rf "$res" && mkdir -p "$res/out"
qemu/run-guest.sh --kernel "$VMLINUZ" --moddir "$MODDIR" --results "$res" \
	--log "$out/serial.log" --timeout $((900 + maxs * 4 / 3 + maxc)) --append "${TMNET_STRESS_APPEND-acpi=noirq}" -- \
	env SPLATF="$out/splat.re" SWAPPER="$out/swapper" CTL="$BUILD/tmnetctl" SWAPS="$swaps" CYCLES="$cycles" \
	CONC_ITERS="$conc" MAX_SWAP_S="$maxs" MAX_CYC_S="$maxc" \
	FWDIR="$out/fw" KSFT_BIN="$ksft" KSFT_RES="$ksft" KAPI="$kk/tmnet_kapi_test.ko" \
	tests/stress/guest.sh "$kb/tmnet.ko" "$out/model-a.tmn" "$out/model-b.tmn" "$out/model-1k.tmn" "$res/out" >&2
grc=$?
t2=$(date +%s)

# guest TAP renumbered after our "ok 1"
n=1
if [ -s "$res/output.txt" ]; then
	awk '/^(not )?ok [0-9]+/ { if ($1 == "not") $3 = $3 + 1; else $2 = $2 + 1 } { print }' \
		"$res/output.txt" | grep -E '^(ok|not ok|#) ' | grep -v '^# swap: swaps=' 
	n=$((1 + $(grep -cE '^(not )?ok [0-9]+' "$res/output.txt")))
fi
n=$((n + 1))
case $grc in
0) echo "ok $n - guest run finished (debug kernel $KVER)" ;;
124) echo "not ok $n - guest timed out"; tail -n 40 "$out/serial.log" | sed 's/^/# /' ;;
*) echo "not ok $n - guest run failed (status $grc)"; tail -n 40 "$out/serial.log" | sed 's/^/# /' ;;
esac
n=$((n + 1))
if [ -s "$res/out/splat-quiet.txt" ]; then
	echo "not ok $n - no kernel splat (dmesg of the windows kept off the console)"
	head -n 20 "$res/out/splat-quiet.txt" | sed 's/^/#   /'
elif grep -aqE "$SPLAT" "$out/serial.log" "$res/out/dmesg.txt" 2>/dev/null; then
	echo "not ok $n - no kernel splat in the serial log"
	grep -ahE -A5 "$SPLAT" "$out/serial.log" "$res/out/dmesg.txt" | head -n 40 | sed 's/^/#   /'
elif [ ! -s "$out/serial.log" ]; then
	echo "not ok $n - no kernel splat in the serial log (log is empty)"
else
	echo "ok $n - no kernel splat in the serial log (KASAN, lockdep, BUG/WARNING, RCU, kmemleak)"
fi
echo "# debug kernel $KVER: builds $((t1 - t0))s, guest run $((t2 - t1))s, total $((t2 - t0))s"
echo "1..$n"
grep -q '^not ok' <(awk '/^(not )?ok [0-9]+/' "$res/output.txt" 2>/dev/null) && exit 1
[ "$grc" -eq 0 ] || exit 1
grep -aqE "$SPLAT" "$out/serial.log" "$res/out/dmesg.txt" && exit 1
[ -s "$res/out/splat-quiet.txt" ] && exit 1
exit 0
