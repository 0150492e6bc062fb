#!/bin/bash
# tests/stress/guest.sh KO BLOB_A BLOB_B OUTDIR - runs inside the QEMU debug
# guest (through qemu/run-guest.sh, called by tests/stress/run.sh).
#
# Environment: SWAPPER (the swapper binary), CTL (tmnetctl), SWAPS,
# CYCLES, CONC_ITERS, BASE_S (baseline window seconds), MAX_SWAP_S.
# Prints TAP lines (numbered from 1, no plan: run.sh renumbers and plans).
# Saves dmesg and the kmemleak report into OUTDIR for the host to check.
set -u
ko=${1:?usage: guest.sh KO BLOB_A BLOB_B OUTDIR}
ba=${2:?}; bb=${3:?}; out=${4:?}
mkdir -p "$out"
SWAPS=${SWAPS:-10000} CYCLES=${CYCLES:-100} CONC_ITERS=${CONC_ITERS:-300}
BASE_S=${BASE_S:-5} MAX_SWAP_S=${MAX_SWAP_S:-180}
kml=/sys/kernel/debug/kmemleak
dbg=/sys/kernel/debug/tmnet/tmnet0
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$dbg/stats"; }
up() { cut -d' ' -f1 /proc/uptime; }
kv() { sed -n "s/^$1=//p" "$2"; }

# only what happens from here on counts for kmemleak
[ -w "$kml" ] && { echo scan >"$kml"; echo clear >"$kml"; }
echo "# guest $(uname -r), $(nproc) CPUs"

# ---- (a) model swaps while ticking at 2 kHz ------------------------------
insmod "$ko" rate_hz=2000
t $? "insmod tmnet.ko rate_hz=2000"
# the timer on CPU 1, the swapper and the reader on CPU 0: a missed tick on
# CPU 1 then comes from the swap (qlock, RCU), not from sharing the vCPU
echo "cpu 1" >"$dbg/config" && echo start >"$dbg/config"
t $? "start ticking on CPU 1"
taskset -c 0 "$SWAPPER" -s 1 "$ba" "$bb" >/dev/null	# warm-up: first load paths
# calibration: how long do 500 swaps take here?
taskset -c 0 "$SWAPPER" -n 500 "$ba" "$bb" >"$out/calib.txt" 2>/dev/null
cal=$(kv elapsed "$out/calib.txt")
want=$SWAPS
fit=$(awk -v c="$cal" -v m="$MAX_SWAP_S" 'BEGIN { if (c <= 0) c = 0.001; printf "%d", m * 500 / c }')
if [ "$fit" -lt "$want" ]; then
	swaps=$(( fit / 100 * 100 ))
	[ "$swaps" -ge 500 ] || swaps=500
	echo "# 500 swaps took ${cal}s: $want swaps would take $(awk -v c="$cal" -v w="$want" 'BEGIN { printf "%.0f", c * w / 500 }')s, over ${MAX_SWAP_S}s; running $swaps"
else
	swaps=$want
	echo "# 500 swaps took ${cal}s: running all $swaps"
fi

snap() { echo "$(stat_of ticks) $(stat_of overruns) $(stat_of model_loads) $(stat_of model_load_errors) $(up)"; }
read -r bt0 bo0 _ _ bu0 <<<"$(snap)"
taskset -c 0 "$SWAPPER" -s "$BASE_S" "$ba" "$bb" >"$out/base.txt" 2>/dev/null
t $? "baseline window (${BASE_S}s, no swaps) ran"
read -r bt1 bo1 _ _ bu1 <<<"$(snap)"
read -r st0 so0 sl0 se0 su0 <<<"$(snap)"
taskset -c 0 "$SWAPPER" -n "$swaps" "$ba" "$bb" >"$out/swap.txt" 2>"$out/swap.err"
src=$?
read -r st1 so1 sl1 se1 su1 <<<"$(snap)"
sed 's/^/# swap: /' "$out/swap.txt"
t "$src" "$swaps model swaps while ticking at 2 kHz completed without error"
[ "$((sl1 - sl0))" -eq "$swaps" ] && [ "$((se1 - se0))" -eq 0 ]
t $? "engine counted $((sl1 - sl0)) model loads, $((se1 - se0)) load errors"
[ "$(kv tick_gaps "$out/swap.txt")" = 0 ] && [ "$(kv tick_gaps "$out/base.txt")" = 0 ]
t $? "records are consecutive ticks (no record lost) in both windows"
gc=$(kv gen_changes "$out/swap.txt")
[ "${gc:-0}" -gt 0 ]
t $? "the tick saw $gc model generation changes during the swaps"
# overruns per expected period, baseline vs swap window (engine counters)
res=$(awk -v bt="$((bt1 - bt0))" -v bo="$((bo1 - bo0))" -v bs="$(awk -v a="$bu0" -v b="$bu1" 'BEGIN{print b-a}')" \
	-v st="$((st1 - st0))" -v so="$((so1 - so0))" -v ss="$(awk -v a="$su0" -v b="$su1" 'BEGIN{print b-a}')" \
	-v rc="$(kv overrun_records "$out/base.txt")" -v rn="$(kv records "$out/base.txt")" \
	-v gc="$gc" -v oc="$(kv overrun_at_change "$out/swap.txt")" 'BEGIN {
	pb = bo / (bt + bo); ps = so / (st + so)
	cb = (bt + bo) / (2000 * bs); cs = (st + so) / (2000 * ss)
	# P(record flagged overrun) in the baseline, and at the first tick
	# after a swap; allowed excess: 4 sigma of a binomial on gc trials + 2 %
	pr = rn ? rc / rn : 0; pc = gc ? oc / gc : 0
	tol = 4 * sqrt(pr * (1 - pr) / (gc ? gc : 1)) + 0.02
	ok = (ps <= 2 * pb + 0.02) && (pc <= pr + tol) && cs > 0.9 && cs < 1.05
	printf "%d base_ticks=%d base_overruns=%d base_ovr_frac=%.4f base_periods_per_expected=%.3f " \
	       "swap_ticks=%d swap_overruns=%d swap_ovr_frac=%.4f swap_periods_per_expected=%.3f " \
	       "p_ovr_record_base=%.4f p_ovr_at_gen_change=%.4f (%d/%d) tol=%.4f\n",
	       ok ? 0 : 1, bt, bo, pb, cb, st, so, ps, cs, pr, pc, oc, gc, tol }')
echo "# ${res#* }"
t "${res%% *}" "no tick missed because of a swap (overrun fraction during swaps <= 2x baseline + 0.02, first-tick-after-swap overrun rate within baseline + 4 sigma + 0.02, ticks+overruns = 2000/s +-5/10 %)"
echo "# swaps: $swaps in $(kv elapsed "$out/swap.txt")s ($(awk -v n="$swaps" -v e="$(kv elapsed "$out/swap.txt")" 'BEGIN { printf "%.0f", n / e }')/s)"
echo stop >"$dbg/config"
rmmod tmnet
t $? "rmmod after the swaps"

# ---- (b) insmod/rmmod cycles, some with a blocked reader ------------------
c0=$(up); cyc_fail=0; busy_ok=0; busy_n=0; done_c=0
for i in $(seq 1 "$CYCLES"); do
	if [ $((i % 10)) -eq 0 ]; then
		# not ticking: a reader blocks in read() and pins the module
		insmod "$ko" || { cyc_fail=$((cyc_fail + 1)); echo "# cycle $i: insmod failed"; continue; }
		cat /dev/tmnet0 >/dev/null &
		rp=$!
		busy_n=$((busy_n + 1))
		# wait until the reader really holds the device open
		for _ in $(seq 1 200); do
			[ "$(awk '$1 == "tmnet" { print $3 }' /proc/modules)" -ge 1 ] 2>/dev/null && break
			sleep 0.01
		done
		msg=$(rmmod tmnet 2>&1)
		rrc=$?
		if [ $rrc -ne 0 ] && lsmod | grep -q '^tmnet ' && echo "$msg" | grep -qi 'in use'; then
			busy_ok=$((busy_ok + 1))
		else
			echo "# cycle $i: rmmod with a blocked reader: status $rrc, '$msg'"
		fi
		kill -INT "$rp"
		wait "$rp" 2>/dev/null
		rmmod tmnet || { cyc_fail=$((cyc_fail + 1)); echo "# cycle $i: rmmod after the reader left failed"; }
	else
		# alternately idle and ticking (autostart) at unload
		insmod "$ko" autostart=$((i % 2)) || { cyc_fail=$((cyc_fail + 1)); echo "# cycle $i: insmod failed"; continue; }
		[ $((i % 3)) -eq 0 ] && cat "$bb" >"$dbg/load_model"
		rmmod tmnet || { cyc_fail=$((cyc_fail + 1)); echo "# cycle $i: rmmod failed"; }
	fi
	done_c=$i
	[ $((i % 25)) -eq 0 ] && echo "# cycles: $i done, $(awk -v a="$c0" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }')s" >&2
done
c1=$(up)
echo "# insmod/rmmod: $done_c cycles ($busy_n with a blocked reader) in $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')s"
[ "$cyc_fail" -eq 0 ] && [ "$done_c" -eq "$CYCLES" ]
t $? "$CYCLES insmod/rmmod cycles (idle, ticking, after a model load)"
[ "$busy_n" -gt 0 ] && [ "$busy_ok" -eq "$busy_n" ]
t $? "rmmod refused (in use) while a reader is blocked in read(), $busy_ok/$busy_n; succeeds after a signal"
! lsmod | grep -q '^tmnet '
t $? "module is gone after the cycles"

# ---- (c) concurrent start/stop/config from two processes ------------------
insmod "$ko" rate_hz=2000
t $? "insmod for the concurrency test"
k0=$(up)
# A: the debugfs config hook
(
	bad=0
	for i in $(seq 1 "$CONC_ITERS"); do
		case $((i % 6)) in
		0) c=start ;; 1) c="rate $(( i % 4 == 1 ? 1000 : 2000 ))" ;; 2) c=stop ;;
		3) c="mode $((i % 3))" ;; 4) c="source $([ $((i % 2)) -eq 0 ] && echo live || echo replay)" ;;
		5) c="cpu $((i % 2))" ;;
		esac
		echo "$c" >"$dbg/config" 2>/dev/null || { bad=$((bad + 1)); echo "# A: '$c' refused"; }
	done
	exit $((bad > 0))
) &
pa=$!
# B: tmnetctl over generic netlink
(
	bad=0
	for i in $(seq 1 "$((CONC_ITERS / 3))"); do
		case $((i % 4)) in
		0) "$CTL" start ;; 1) "$CTL" set rate $(( i % 8 == 1 ? 2000 : 1000 )) mode $((i % 3)) ;;
		2) "$CTL" stop ;; 3) "$CTL" set source live cpu 0 ;;
		esac >/dev/null 2>"$out/ctl.err" || { bad=$((bad + 1)); echo "# B: step $i refused: $(cat "$out/ctl.err")"; }
	done
	exit $((bad > 0))
) &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
k1=$(up)
echo "# concurrency: $CONC_ITERS debugfs commands + $((CONC_ITERS / 3)) tmnetctl commands in $(awk -v a="$k0" -v b="$k1" 'BEGIN { printf "%.1f", b - a }')s"
[ $ra -eq 0 ] && [ $rb -eq 0 ]
t $? "concurrent start/stop/config: every command accepted (debugfs $ra, tmnetctl $rb)"
# the device still works: a known state, then it ticks
echo "rate 2000" >"$dbg/config" && echo "cpu -1" >"$dbg/config" && echo start >"$dbg/config"
a0=$(stat_of ticks); sleep 1; a1=$(stat_of ticks)
[ "$a1" -gt "$a0" ] && grep -q '2000' "$dbg/config"
t $? "device consistent after the race: rate 2000, ticking ($((a1 - a0)) ticks in 1s)"
"$CTL" -j stats >"$out/ctl-stats.json"
t $? "tmnetctl -j stats still answers"
echo stop >"$dbg/config"
rmmod tmnet
t $? "rmmod after the concurrency test"

# ---- (d) kmemleak ---------------------------------------------------------
if [ -w "$kml" ]; then
	# kmemleak ignores objects younger than 5 s (its MSECS_MIN_AGE): the
	# last module's frees/allocations must age before the scan means anything
	sleep 6
	echo scan >"$kml"
	echo scan >"$kml"
	cat "$kml" >"$out/kmemleak.txt"
	leaks=$(grep -c '^unreferenced object' "$out/kmemleak.txt")
	[ "$leaks" -eq 0 ]
	t $? "kmemleak: $leaks suspected leaks after the stress run"
	[ "$leaks" -eq 0 ] || head -n 40 "$out/kmemleak.txt" | sed 's/^/# /'
else
	t 1 "kmemleak present in the debug kernel"
fi
dmesg >"$out/dmesg.txt"
exit 0
