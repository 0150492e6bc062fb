#!/bin/bash
# tools/bench-kernel.sh - `make bench-kernel`: System A vs System B inside the
# kernel, in a QEMU guest, from the debugfs histograms.
#
#   tools/bench-kernel.sh [--kernels "6.1 6.1-rt"] [--seconds S] [--a A.tmn]
#                         [--b B.tmn] [--out FILE.json]
#
#   --kernels TAGS  kernel tags (qemu/kernels.sh: 6.1, 6.1-rt, 6.12, 6.12-rt);
#                   "stock" is the installed /boot/vmlinuz-6.1.* (default:
#                   "6.1 6.1-rt" when qemu/kernels.sh has them cached, else
#                   "stock")
#   --seconds S     streamed seconds per model (default 60, at 2 kHz)
#   --a, --b FILE   models (default models/default-A.tmn, models/default-B.tmn)
#   --collect-only  do not build or boot: summarise the results of the last
#                   run (under $BUILD/bench-kernel/results-<kernel>/) again
#   --out FILE      JSON summary (default benchmarks/kernel.json); the raw
#                   debugfs latency, histogram and stats files of each run
#                   are kept next to it in kernel/<tag>/<A|B>/
#   -h, --help      this text
#
# For each kernel: builds tmnet.ko against its headers, boots it in QEMU
# (qemu/run-guest.sh, TCG), and for each of A and B: loads the model through
# debugfs, resets the stats, streams S seconds of a synthetic trajectory
# through /dev/tmnet0 in replay mode (demo-watch) at the device's 2 kHz
# tick, and keeps debugfs latency/histogram/stats.  It prints per-stage
# P50/P99/P99.9, timer lateness and overruns.
#
# THE TIMES ARE TCG-EMULATED (no KVM here): they say nothing absolute about a
# real host.  Use them comparatively only: A vs B on one kernel, 6.1 vs
# 6.1-rt with the same model.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
die() { echo "bench-kernel: $*" >&2; exit 2; }
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

# ---------------------------------------------------------------------------
# guest side
# ---------------------------------------------------------------------------
guest() {
	local ko=$1 data=$2 secs=$3 res=$4 ma=$5 mb=$6
	local dbg=/sys/kernel/debug/tmnet/tmnet0 rc=0 m path

	echo "bench-kernel: guest $(uname -r), $(nproc) CPUs, QEMU TCG (emulated timing)"
	insmod "$ko" || { echo "bench-kernel: insmod failed"; return 1; }
	for m in A B; do
		[ $m = A ] && path=$ma || path=$mb
		mkdir -p "$res/$m"
		echo stop >"$dbg/config" 2>/dev/null || true
		dd if="$path" of="$dbg/load_model" bs=64k 2>/dev/null ||
			{ echo "bench-kernel: model $m rejected: $(sed -n 's/^last_error //p' "$dbg/model")"; rc=1; continue; }
		# the same start as the userspace core: fresh filter and hidden
		# state, empty queues, zeroed counters and histograms
		echo "source replay" >"$dbg/config"
		echo reset_state >"$dbg/config"
		echo flush >"$dbg/config"
		echo 1 >"$dbg/reset"
		echo "bench-kernel: $m: $(sed -n 's/^name //p' "$dbg/model"), streaming ${secs} s"
		"$BUILD/demo-watch" --data "$data" --model "$path" --seconds "$secs" --out "$res/$m" \
			--start "echo start >$dbg/config" --stop "echo stop >$dbg/config" \
			>"$res/$m/watch.log" 2>&1 ||
			echo "bench-kernel: warning: demo-watch reported a problem for $m (parity or read error, see watch.log)"
		[ -s "$res/$m/latency.txt" ] || { echo "bench-kernel: no latency for $m"; rc=1; }
		tail -n 25 "$res/$m/watch.log"
	done
	rmmod tmnet || rc=1
	dmesg >"$res/dmesg.txt"
	if grep -qE 'BUG:|WARNING:|Oops|Call Trace' "$res/dmesg.txt"; then
		echo "bench-kernel: kernel splat, see $res/dmesg.txt"
		rc=1
	fi
	return $rc
}

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit $?
fi

# ---------------------------------------------------------------------------
# host side
# ---------------------------------------------------------------------------
kernels= secs=60 ma=models/default-A.tmn mb=models/default-B.tmn out=benchmarks/kernel.json collect=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) kernels=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--a) ma=$2; shift 2 ;;
	--b) mb=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--collect-only) collect=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case "$secs" in ''|*[!0-9]*) die "--seconds: '$secs' is not a whole number" ;; esac
for f in "$ma" "$mb"; do
	[ -r "$f" ] || die "$f: not found (run 'make models' first, or pass --a/--b)"
done
ma=$(cd "$(dirname "$ma")" && pwd)/$(basename "$ma")
mb=$(cd "$(dirname "$mb")" && pwd)/$(basename "$mb")
crc() { od -An -tx4 -j12 -N4 "$1" | tr -d ' '; }	# the blob header's crc32 field
case "$root/" in /tmp/*|/run/*) die "the checkout is under /tmp or /run, which the guest hides" ;; esac
if [ -z "$kernels" ]; then
	if qemu/kernels.sh env 6.1 >/dev/null 2>&1 && qemu/kernels.sh env 6.1-rt >/dev/null 2>&1; then
		kernels="6.1 6.1-rt"
	else
		kernels=stock
	fi
fi

work=$BUILD/bench-kernel
mkdir -p "$work"
data=$work/data.csv
if [ "$collect" = 0 ]; then
	# a snapshot, so that a model rebuilt during the run cannot mix in
	mkdir -p "$work/models"
	ma_src=$ma mb_src=$mb
	cp "$ma" "$work/models/A.tmn"
	cp "$mb" "$work/models/B.tmn"
	ma=$work/models/A.tmn
	mb=$work/models/B.tmn
	make -s BUILD="$BUILD" all "$BUILD/demo-watch" >"$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log" >&2; die "build failed (log $work/build.log)"; }
	need=$((secs + 3))
	"$BUILD/tmnet" data gen -o "$data" -t "$need" -s 4242 >/dev/null 2>&1 || die "tmnet data gen failed"
fi

. qemu/guest-kernel.sh
t0=$(date +%s)
json_runs=()
for tag in $kernels; do
	if [ "$tag" = stock ]; then
		VMLINUZ=$(stock_kernel) || die "no /boot/vmlinuz-6.1.*"
		KVER=$(basename "$VMLINUZ"); KVER=${KVER#vmlinuz-}
		MODDIR=/lib/modules/$KVER
		KDIR=$MODDIR/build
	else
		eval "$(qemu/kernels.sh env "$tag")" ||
			die "kernel $tag is not cached: qemu/kernels.sh fetch $tag"
	fi
	kb=$work/kmod-$KVER
	res=$work/results-$KVER
	if [ "$collect" = 1 ]; then
		[ -d "$res" ] || die "--collect-only: no $res"
	else
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "[bench-kernel $(($(date +%s) - t0))s] $tag ($KVER): building tmnet.ko"
	qemu/build-module.sh "$KDIR" "$kb" || die "tmnet.ko build failed for $KVER (log: $kb/kbuild.log)"
	rm -rf "$res" && mkdir -p "$res"
	echo "[bench-kernel $(($(date +%s) - t0))s] $tag: booting under QEMU TCG, ${secs} s per model"
	qemu/run-guest.sh --kernel "$VMLINUZ" --moddir "$MODDIR" --results "$res" \
		--log "$work/serial-$KVER.log" --timeout $((secs * 2 * 8 + 300)) -- \
		env BUILD="$BUILD" tools/bench-kernel.sh --guest "$kb/tmnet.ko" "$data" "$secs" "$res" \
		"$ma" "$mb" >"$work/run-$KVER.log" 2>&1 || {
		# the guest's own status survives a runner that failed afterwards
		if [ "$(cat "$res/rc" 2>/dev/null)" = 0 ] && [ -s "$res/A/latency.txt" ] && [ -s "$res/B/latency.txt" ]; then
			echo "bench-kernel: warning: qemu/run-guest.sh failed after the guest reported success:" >&2
			tail -n 3 "$work/run-$KVER.log" >&2
		else
			cat "$work/run-$KVER.log" >&2; tail -n 30 "$res/output.txt" >&2 2>/dev/null
			die "guest run failed for $KVER (serial log $work/serial-$KVER.log)"
		fi
	}
	load="$load -> $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$load" >"$res/loadavg"
	fi
	load=$(cat "$res/loadavg" 2>/dev/null || echo unknown)
	rdate=$(date -u -d @"$(stat -c %Y "$res/B/latency.txt" 2>/dev/null || date +%s)" +%Y-%m-%dT%H:%M:%SZ)

	echo
	echo "== $tag ($KVER) - QEMU TCG, emulated: compare A vs B, not absolute =="
	printf '%-3s %-9s %10s %9s %9s %9s %9s\n' sys stage count p50 p99 p99.9 max
	stages_json=()
	for m in A B; do
		lat=$res/$m/latency.txt
		[ -s "$lat" ] || die "$lat missing (see $res/$m/watch.log)"
		awk -v m=$m '$1 ~ /^(lateness|prior|net|gate|publish|total)$/ {
			printf "%-3s %-9s %10s %9s %9s %9s %9s\n", m, $1, $2, $4, $6, $7, $8 }' "$lat"
		ov=$(sed -n 's/^overruns //p' "$res/$m/stats.txt" | head -n 1)
		ticks=$(sed -n 's/^ticks //p' "$res/$m/stats.txt" | head -n 1)
		pass=$(sed -n 's/^gate_pass //p' "$res/$m/stats.txt" | head -n 1)
		fb=$(sed -n 's/^fallbacks //p' "$res/$m/stats.txt" | head -n 1)
		nos=$(sed -n 's/^no_sample //p' "$res/$m/stats.txt" | head -n 1)
		mcrc=$(sed -n 's/^crc32 0x//p' "$res/$m/model.txt" 2>/dev/null | head -n 1)
		par=$(grep -q 'bit-exact: yes' "$res/$m/summary.txt" 2>/dev/null && echo true || echo false)
		echo "$m   ticks $ticks, overruns $ov, gate passes $pass, fallbacks $fb, ticks without a queued sample $nos, records bit-exact with userspace: $par"
		st=$(awk '$1 ~ /^(lateness|prior|net|gate|publish|total)$/ {
			printf "%s\"%s\": {\"count\": %s, \"p50\": %s, \"p99\": %s, \"p999\": %s, \"max\": %s}",
				sep, $1, $2, $4, $6, $7, $8; sep = ", " }' "$lat")
		keep=$(dirname "$out")/kernel/$tag/$m
		mkdir -p "$keep"
		cp "$res/$m/latency.txt" "$res/$m/histogram.txt" "$res/$m/stats.txt" "$res/$m/model.txt" "$keep/"
		[ -f "$res/$m/summary.txt" ] && cp "$res/$m/summary.txt" "$keep/"
		stages_json+=("\"$m\": {$st, \"ticks\": ${ticks:-0}, \"overruns\": ${ov:-0}, \"gate_pass\": ${pass:-0}, \"fallbacks\": ${fb:-0}, \"model_crc32\": \"${mcrc:-unknown}\", \"no_sample\": ${nos:-0}, \"bit_exact\": $par}")
	done
	pa=$(awk '$1 == "total" { print $7 }' "$res/A/latency.txt")
	pb=$(awk '$1 == "total" { print $7 }' "$res/B/latency.txt")
	ratio=$(awk -v a="$pa" -v b="$pb" 'BEGIN { if (a > 0) printf "%.4f", b / a; else print "null" }')
	echo "B/A whole-tick P99.9 ratio: $ratio"
	json_runs+=("{\"tag\": \"$tag\", \"kernel\": \"$KVER\", \"seconds\": $secs, \"run_date\": \"$rdate\", \"load_avg\": \"$load\", $(IFS=,; echo "${stages_json[*]}"), \"b_over_a_total_p999\": $ratio}")
done

mkdir -p "$(dirname "$out")"
{
	echo "{"
	echo "  \"note\": \"QEMU TCG (no KVM): emulated times, comparative only (A vs B, 6.1 vs 6.1-rt)\","
	echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"host_cpus\": $(nproc),"
	echo "  \"models\": {\"A\": \"$(basename "${ma_src:-$ma}")\", \"A_crc32\": \"$(crc "$ma")\", \"B\": \"$(basename "${mb_src:-$mb}")\", \"B_crc32\": \"$(crc "$mb")\"},"
	echo "  \"runs\": ["
	n=${#json_runs[@]}
	for i in "${!json_runs[@]}"; do
		sep=,; [ $((i + 1)) -eq "$n" ] && sep=
		echo "    ${json_runs[$i]}$sep"
	done
	echo "  ]"
	echo "}"
} >"$out"
echo
echo "bench-kernel: wrote $out ($(($(date +%s) - t0)) s); raw debugfs files under $work/results-*/"
