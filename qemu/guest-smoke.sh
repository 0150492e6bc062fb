#!/bin/bash
# qemu/guest-smoke.sh - the tmnet smoke test, run as root INSIDE a guest
# (see qemu/smoke.sh).  Prints TAP lines; exit 0 iff all passed.
#
#   qemu/guest-smoke.sh KO RESULTS [SECONDS]
#
# KO is the tmnet.ko built for the running kernel, RESULTS a writable
# directory holding model-b.tmn (the System B test blob), optionally
# model-h20.tmn (a trained 20 ms-horizon model: replay parity with the
# userspace core) and fw/tmnet/ (a firmware search path), SECONDS the
# length of the replay run.
# Environment: BIN (guest programs, default build/guest), KAPI (path of
# tmnet_kapi_test.ko, the in-kernel API test; skipped when empty).
# With SECONDS >= 10 only the latency run is done (insmod, replay, latency
# table, rmmod, dmesg check).
set -u
KO=$1
R=$2
SECS=${3:-2.5}
BIN=${BIN:-build/guest}
DBG=/sys/kernel/debug/tmnet
n=0
fails=0

t() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

# run tmnet_smoke, keep the TAP numbering going
smoke() {
	local out rc
	out=$(mktemp)
	"$BIN/tmnet_smoke" --tap-start $((n + 1)) "$@" >"$out" 2>&1
	rc=$?
	grep -v '^# tap-next' "$out"
	n=$(($(sed -n 's/^# tap-next //p' "$out" | tail -n 1) - 1))
	[ "$n" -ge 0 ] 2>/dev/null || n=0
	fails=$((fails + $(grep -c '^not ok' "$out")))
	[ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out" && t 1 "tmnet_smoke exited with $rc"
	rm -f "$out"
}

kstat() { sed -n "s/^$2 //p" "$DBG/$1/stats"; }
cfg() { echo "$2" >"$DBG/$1/config"; }

echo "# guest kernel $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
dmesg -C
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak	# forget leaks from before us
fi
lsmod | grep -q '^tmnet ' && rmmod tmnet

# ---- basic load ------------------------------------------------------------
insmod "$KO"
t $? "insmod $(basename "$KO")"
[ -c /dev/tmnet0 ] && [ -d $DBG/tmnet0 ] && [ ! -e /dev/tmnet1 ]
t $? "one instance: /dev/tmnet0 and $DBG/tmnet0"
[ "$(kstat tmnet0 model_gen)" = 0 ] && [ "$(kstat tmnet0 running)" = 0 ] &&
	grep -q '^name builtin-prior' $DBG/tmnet0/model
t $? "starts stopped with the built-in prior (generation 0)"

if [ "${SECS%%.*}" -ge 10 ]; then
	smoke --blob "$R/model-b.tmn" --seconds "$SECS" --latency-only
	rmmod tmnet
	t $? "rmmod"
else
	smoke --blob "$R/model-b.tmn" --seconds "$SECS"

	# ---- a trained 20 ms-horizon model: kernel/userspace parity ---------
	if [ -f "$R/model-h20.tmn" ]; then
		smoke --blob "$R/model-h20.tmn" --seconds "$SECS" --parity-only
	fi

	# ---- start/stop idempotent, rmmod while ticking --------------------
	cfg tmnet0 start && cfg tmnet0 start
	t $? "start is idempotent"
	a=$(kstat tmnet0 ticks); sleep 0.3; b=$(kstat tmnet0 ticks)
	[ "$b" -gt "$a" ]
	t $? "ticking ($a -> $b)"
	rmmod tmnet
	t $? "rmmod while ticking"

	# ---- firmware model, autostart, two instances ------------------------
	# the firmware loader resolves paths in init's root, which is the
	# initramfs when qemu/run-guest.sh chrooted us into /newroot
	fw=$R/fw
	[ -d "/proc/1/root/newroot$R/fw" ] && fw=/newroot$R/fw
	echo -n "$fw" >/sys/module/firmware_class/parameters/path
	insmod "$KO" model=model-b.tmn autostart=1 instances=2
	t $? "insmod model=model-b.tmn autostart=1 instances=2"
	[ -c /dev/tmnet1 ] && grep -q '^generation 1' $DBG/tmnet0/model &&
		grep -q '^generation 1' $DBG/tmnet1/model &&
		grep -q '^system B' $DBG/tmnet1/model
	t $? "both instances loaded the firmware model"
	a0=$(kstat tmnet0 ticks); a1=$(kstat tmnet1 ticks); sleep 0.3
	b0=$(kstat tmnet0 ticks); b1=$(kstat tmnet1 ticks)
	[ "$b0" -gt "$a0" ] && [ "$b1" -gt "$a1" ]
	t $? "both instances tick ($a0 -> $b0, $a1 -> $b1)"

	# ---- the exported in-kernel API (tmnet0 ticks in replay mode) --------
	if [ -n "${KAPI:-}" ]; then
		insmod "$KAPI" hammer_ms=500
		t $? "in-kernel API: tmnet_kapi_test.ko passes (with 0.5 s of tmnet_latest() from hard-IRQ hrtimers)"
		dmesg | grep 'tmnet_kapi_test: ' | sed 's/^/# /'
		rmmod tmnet_kapi_test 2>/dev/null
		cfg tmnet0 flush
	fi

	# ---- blocked reader --------------------------------------------------
	cfg tmnet0 stop
	cfg tmnet0 flush
	cat /dev/tmnet0 >/dev/null &
	reader=$!
	sleep 0.3
	kill -0 $reader 2>/dev/null
	t $? "a reader blocks while the device is stopped"
	rmmod tmnet 2>/dev/null
	[ $? -ne 0 ] && lsmod | grep -q '^tmnet '
	t $? "rmmod is refused while a reader holds /dev/tmnet0 open"
	kill $reader
	wait $reader 2>/dev/null
	kill -0 $reader 2>/dev/null
	t $((!$?)) "the blocked reader is woken by a signal"

	# ---- rmmod during model swaps ----------------------------------------
	cfg tmnet0 start
	(while :; do dd if="$R/model-b.tmn" of=$DBG/tmnet0/load_model bs=64k 2>/dev/null || exit 0; done) &
	swapper=$!
	sleep 0.5
	loads=$(kstat tmnet0 model_loads)
	ok=1
	for i in $(seq 1 100); do
		if rmmod tmnet 2>/dev/null; then ok=0; break; fi
		sleep 0.05
	done
	kill $swapper 2>/dev/null
	wait $swapper 2>/dev/null
	[ "$loads" -ge 3 ]
	t $? "models were swapped while ticking ($loads loads)"
	t $ok "rmmod during model swaps (attempt $i)"

	# ---- another tick rate: models for other rates are refused -----------
	insmod "$KO" rate_hz=1000
	[ "$(kstat tmnet0 rate_hz)" = 1000 ] && grep -q '^rate_hz 1000' $DBG/tmnet0/model
	t $? "rate_hz=1000: device and built-in prior run at 1000 Hz"
	! dd if="$R/model-b.tmn" of=$DBG/tmnet0/load_model bs=64k 2>/dev/null &&
		grep -q '^last_error model rate 2000 Hz differs from the device rate 1000 Hz' \
			$DBG/tmnet0/model
	t $? "a 2000 Hz model is refused by a 1000 Hz device, with the reason"
	cfg tmnet0 start
	# periods elapsed = ticks + missed periods, against the clock; no fork
	# between the clock and the counters (a fork is slow in a TCG guest)
	snap() {
		local k v
		while read -r k v; do
			case $k in ticks) T=$v ;; overruns) O=$v ;; esac
		done <$DBG/tmnet0/stats
		NOW=${EPOCHREALTIME/./}
	}
	snap; a=$T oa=$O t0=$NOW
	sleep 1
	snap; b=$T ob=$O t1=$NOW
	got=$((b - a + ob - oa)) want=$(((t1 - t0) / 1000))
	[ "$got" -gt $((want * 9 / 10 - 20)) ] && [ "$got" -lt $((want * 11 / 10 + 20)) ]
	t $? "1000 Hz: ticks + overruns = $got in $want ms"
	cfg tmnet0 "rate 2000" && [ "$(kstat tmnet0 rate_hz)" = 2000 ] &&
		[ "$(kstat tmnet0 running)" = 1 ] && dd if="$R/model-b.tmn" \
		of=$DBG/tmnet0/load_model bs=64k 2>/dev/null
	t $? "config 'rate 2000' while running, then the 2000 Hz model loads"
	! cfg tmnet0 "rate 1000" 2>/dev/null && [ "$(kstat tmnet0 rate_hz)" = 2000 ]
	t $? "the rate cannot change under a loaded model"
	rmmod tmnet

	# ---- the timer is pinned to the configured CPU -----------------------
	if [ "$(nproc)" -ge 2 ] && [ -r /proc/timer_list ]; then
		timer_cpus() {
			awk '/^cpu: / { cpu = $2 } /tmnet_tick/ { print cpu }' /proc/timer_list |
				sort -u | tr '\n' ' '
		}
		insmod "$KO" cpu=1 autostart=1
		sleep 0.2
		on=$(timer_cpus)
		[ "$on" = "1 " ]
		t $? "cpu=1 pins the tick timer to CPU 1 (found on: $on)"
		cfg tmnet0 "cpu 0"
		sleep 0.2
		on=$(timer_cpus)
		[ "$on" = "0 " ] && [ "$(kstat tmnet0 running)" = 1 ]
		t $? "config 'cpu 0' moves the running timer to CPU 0 (found on: $on)"
		rmmod tmnet
	fi
fi

! lsmod | grep -q '^tmnet '
t $? "module is gone"
# debug kernels: ask kmemleak now (it only scans every 10 minutes)
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	# after rmmod, tmnet's frames show as bare addresses: "] 0xffff..."
	leaks=$(awk '/^unreferenced object/ { n++ } /tmnet|\] 0xffffffff/ { hit[n] = 1 }
		END { c = 0; for (k in hit) c++; print c }' /sys/kernel/debug/kmemleak)
	[ "$leaks" -eq 0 ]
	t $? "kmemleak: no leak from tmnet since the test started ($leaks)"
	[ "$leaks" -eq 0 ] || head -n 40 /sys/kernel/debug/kmemleak | sed 's/^/# /'
fi
dmesg | grep -i tmnet | sed 's/^/# /' | tail -n 20
splat=$(dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|UBSAN|KASAN|kmemleak|INFO: task|self-detected stall|rcu.*stall|possible recursive locking|circular locking|list_(add|del) corruption|refcount_t')
[ -z "$splat" ]
t $? "no splat in dmesg"
[ -n "$splat" ] && echo "$splat" | sed 's/^/# /' | head -n 40
echo "1..$n"
[ "$fails" -eq 0 ]
