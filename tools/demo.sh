#!/bin/bash
# tools/demo.sh - `make demo`: watch the kernel predict at 2 kHz.
#
#   tools/demo.sh [--data FILE.csv] [--model FILE.tmn] [--seconds S]
#                 [--source replay|input] [--kernel FILE] [--out DIR] [--no-deps]
#
#   --data FILE     your own trajectory: a canonical CSV (t_ns,x,y,vx,vy,valid,
#                   from tmnet data gen/import) or any CSV of timestamped
#                   positions, which is imported first (tmnet data import)
#                   (default: a fresh synthetic trajectory, tmnet data gen)
#   --model FILE    a .tmn model (default models/default-B.tmn)
#   --seconds S     how much data to stream (default 10)
#   --source input  instead of writing samples to /dev/tmnet0, create a
#                   virtual tablet (/dev/uinput), attach tmnet0 to it
#                   (tmnetctl set source input:/dev/input/eventN) and play a
#                   generated handwriting track through it in real time
#                   (tmnet data gen --kind handwriting --raw: a 195 Hz tablet
#                   in 0.01 mm units); plus a plot of the pen path and the
#                   predicted path (pen.png).  --data is not used.
#   --kernel FILE   guest kernel (default: newest /boot/vmlinuz-6.1.*, the
#                   stock Debian 12 kernel from linux-image-amd64)
#   --out DIR       plots and tables (default out/demo)
#   --no-deps       do not run tools/deps.sh install
#   -h, --help      this text
#
# What it does: installs the Debian packages (tools/deps.sh), builds the
# tools and tmnet.ko for the guest kernel, boots that kernel in QEMU (TCG,
# qemu/run-guest.sh), insmods tmnet.ko, loads the model with tmnetctl (or,
# without tmnetctl, through debugfs), streams the trajectory through
# /dev/tmnet0 in replay mode at the device's 2 kHz tick, prints one line of
# stats per second and a summary, then draws plots with gnuplot into DIR.
# Make passes DATA=, MODEL=, DEMO_SECONDS= and SOURCE= through (make demo
# DATA=my.csv, make demo SOURCE=input).
#
# Inside the guest this script runs itself again with --guest (internal).
set -euo pipefail

orig=$PWD
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac

die() { echo "demo: $*" >&2; exit 2; }
usage() { sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; }

# ============================================================================
# guest side: runs as root in the QEMU guest, host root mounted read-only
# ============================================================================

# both sources: unload tmnet and check the kernel log; the
# summary gets the dmesg line.  Returns 1 on a failed rmmod or a splat.
guest_finish() {
	local res=$1 rm="rmmod ok" rc=0

	rmmod tmnet || { rm="rmmod FAILED"; rc=1; }
	dmesg >"$res/dmesg.txt"
	if grep -qE 'BUG:|WARNING:|Oops|Call Trace|general protection|UBSAN|KASAN' "$res/dmesg.txt"; then
		echo "demo: the kernel log has a splat ($rm):"
		grep -E -A5 'BUG:|WARNING:|Oops|Call Trace' "$res/dmesg.txt" | head -n 30
		rc=1
	else
		echo "dmesg       clean (no BUG/WARNING/Oops), $rm" | tee -a "$res/summary.txt"
	fi
	return $rc
}

guest() {
	local ko=$1 model=$2 data=$3 secs=$4 res=$5
	local dbg=/sys/kernel/debug/tmnet/tmnet0 ctl=$BUILD/tmnetctl start stop loader
	local rc=0

	echo "demo: guest kernel $(uname -r), $(nproc) CPUs (QEMU TCG: timings are emulated, not a real host's)"
	insmod "$ko" || { echo "demo: insmod $ko failed"; return 1; }
	[ -c /dev/tmnet0 ] || { echo "demo: no /dev/tmnet0 after insmod"; return 1; }
	if [ -x "$ctl" ] && "$ctl" model load "$model" >"$res/ctl.log" 2>&1; then
		loader="tmnetctl model load"
		"$ctl" set source replay >>"$res/ctl.log" 2>&1 ||
			{ echo "demo: tmnetctl set source replay failed: $(tail -n 1 "$res/ctl.log")"; return 1; }
		start="$ctl start"
		stop="$ctl stop"
	else
		if [ -x "$ctl" ]; then
			echo "demo: tmnetctl could not load the model: $(tail -n 1 "$res/ctl.log")"
		else
			echo "demo: $ctl is not built yet (tmnetctl has not landed)"
		fi
		echo "demo: loading through debugfs instead ($dbg/load_model)"
		dd if="$model" of="$dbg/load_model" bs=64k 2>/dev/null ||
			{ echo "demo: the kernel rejected the model: $(sed -n 's/^last_error //p' "$dbg/model")"; return 1; }
		echo "source replay" >"$dbg/config"
		loader="debugfs load_model"
		start="echo start >$dbg/config"
		stop="echo stop >$dbg/config"
	fi
	echo "demo: model loaded ($loader): $(sed -n 's/^name //p' "$dbg/model"), system $(sed -n 's/^system //p' "$dbg/model"), generation $(sed -n 's/^generation //p' "$dbg/model")"
	"$BUILD/demo-watch" --data "$data" --model "$model" --seconds "$secs" --out "$res" \
		--start "$start" --stop "$stop" || rc=1
	# the control plane's view of the same run (netlink STATS_GET)
	if [ "$loader" = "tmnetctl model load" ]; then
		"$ctl" -p stats >"$res/tmnetctl-stats.txt" 2>&1 ||
			echo "demo: tmnetctl -p stats failed: $(tail -n 1 "$res/tmnetctl-stats.txt")"
	fi
	guest_finish "$res" || rc=1
	return $rc
}

# guest side of --source input: uinput and evdev, tmnet.ko, the tablet
guest_input() {
	local ko=$1 model=$2 log=$3 secs=$4 res=$5 m f rc=0
	local ctl=$BUILD/tmnetctl tmp

	echo "demo: guest kernel $(uname -r), $(nproc) CPUs (QEMU TCG: timings are emulated, not a real host's)"
	tmp=$(mktemp -d /tmp/tmnet-demo.XXXXXX)
	for m in evdev uinput; do
		[ -e "/sys/module/$m" ] && continue
		f=$(find "/lib/modules/$(uname -r)" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || { echo "demo: the guest kernel has no $m module"; return 1; }
		case "$f" in
		*.xz) xz -dc "$f" >"$tmp/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$tmp/$m.ko" ;;
		*) cp "$f" "$tmp/$m.ko" ;;
		esac
		insmod "$tmp/$m.ko" || { echo "demo: insmod $m failed"; return 1; }
	done
	for i in $(seq 50); do [ -c /dev/uinput ] && break; sleep 0.1; done
	insmod "$ko" || { echo "demo: insmod $ko failed"; return 1; }
	"$BUILD/guest/tmnet_input_test" --demo "$log" --blob "$model" --ctl "$ctl" \
		--seconds "$secs" --out "$res" || rc=1
	"$ctl" -p dev show >"$res/tmnetctl-dev.txt" 2>&1
	"$ctl" -p stats >"$res/tmnetctl-stats.txt" 2>&1
	guest_finish "$res" || rc=1
	rm -rf "$tmp"
	return $rc
}

if [ "${1:-}" = --guest-input ]; then
	shift
	guest_input "$@"
	exit $?
fi

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit $?
fi

# ============================================================================
# host side
# ============================================================================
data=${DATA:-} model=${MODEL:-} data_arg= model_arg= secs=${DEMO_SECONDS:-10} kernel= out=out/demo deps=1
source=${SOURCE:-replay}
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data=$2; shift 2 ;;
	--model) model=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--source) source=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--no-deps) deps=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case "$secs" in ''|*[!0-9.]*) die "--seconds: '$secs' is not a number" ;; esac
case "$source" in
replay|'') source=replay ;;
input) [ -z "$data" ] || die "SOURCE=input plays a generated handwriting track: DATA= is not used" ;;
*) die "SOURCE=$source: not replay or input" ;;
esac
t_start=$(date +%s)
step() { printf '[demo %3ds] %s\n' $(($(date +%s) - t_start)) "$*"; }

# ---- bad input first: one clear line, before any long work -----------------
if [ -n "$data" ]; then
	data_arg=$data
	[ -f "$data" ] || die "DATA=$data: no such file"
	[ -r "$data" ] || die "DATA=$data: not readable"
	[ -s "$data" ] || die "DATA=$data: empty file"
	case "$data" in /*) ;; *) data=$orig/$data ;; esac
fi
if [ -n "$model" ]; then
	model_arg=$model
	[ -f "$model" ] || die "MODEL=$model: no such file"
	[ -r "$model" ] || die "MODEL=$model: not readable"
	case "$model" in /*) ;; *) model=$orig/$model ;; esac
fi

# ---- dependencies and build --------------------------------------------------
if [ "$deps" = 1 ]; then
	step "checking the Debian packages (tools/deps.sh)"
	tools/deps.sh check >/dev/null 2>&1 || tools/deps.sh install
fi
mkdir -p "$BUILD/demo"
# the physical path: the guest mounts the results directory over it
BUILD=$(cd "$BUILD" && pwd -P)
step "building the tools (make)"
make -s BUILD="$BUILD" all "$BUILD/demo-watch" >"$BUILD/demo/build.log" 2>&1 ||
	{ tail -n 20 "$BUILD/demo/build.log" >&2; die "the build failed (log: $BUILD/demo/build.log)"; }
if [ "$source" = input ]; then
	make -s -f qemu/guest.mk BUILD="$BUILD" >>"$BUILD/demo/build.log" 2>&1 ||
		{ tail -n 20 "$BUILD/demo/build.log" >&2; die "building the guest programs failed (log: $BUILD/demo/build.log)"; }
fi

res=$BUILD/demo/guest
rm -rf "$res" && mkdir -p "$res"
# a user's model: one clear line if it is not one
if [ -n "$model" ]; then
	"$BUILD/demo-watch" --check --model "$model" >/dev/null 2>"$res/check.log" ||
		die "MODEL=$model_arg: $(tail -n 1 "$res/check.log" | sed "s|^demo-watch: $model: ||")"
fi
# ---- the data --------------------------------------------------------------------
need=$(awk -v s="$secs" 'BEGIN { printf "%d", s + 2 }')
if [ "$source" = input ]; then
	step "generating a handwriting track (tmnet data gen --kind handwriting --raw -t $need -s 2026)"
	"$BUILD/tmnet" data gen --kind handwriting --raw "$res/pen-log.csv" -o "$res/data.csv" \
		-t "$need" -s 2026 >/dev/null 2>&1 || die "tmnet data gen --kind handwriting failed"
	data_desc="handwriting device log $res/pen-log.csv (tmnet data gen --kind handwriting --raw -t $need -s 2026), played through a uinput tablet"
elif [ -z "$data" ]; then
	step "generating a synthetic trajectory (tmnet data gen -t $need -s 2026)"
	"$BUILD/tmnet" data gen -o "$res/data.csv" -t "$need" -s 2026 >/dev/null 2>&1
	data_desc="synthetic (tmnet data gen -t $need -s 2026)"
else
	head -n 1 "$data" | tr -d '\r' >"$res/head"
	if grep -qE '^# tmnet-data |^t_ns,x,y,vx,vy,valid(,seg)?$|^[0-9]+,[-0-9.eE+]+,[-0-9.eE+]+,[-0-9.eE+]+,[-0-9.eE+]+,[01](,[01])?$' "$res/head"; then
		cp "$data" "$res/data.csv"
		data_desc="$data"
	else
		step "DATA is not a canonical tmnet CSV: importing it (tmnet data import)"
		"$BUILD/tmnet" data import "$data" -o "$res/data.csv" >"$res/import.log" 2>&1 ||
			die "DATA=$data_arg: $(grep -v '^$' "$res/import.log" | tail -n 1 | sed "s|^tmnet data import: ||; s|^$data: ||")"
		data_desc="$data (imported)"
	fi
fi
"$BUILD/demo-watch" --check --data "$res/data.csv" >/dev/null 2>"$res/check.log" ||
	die "DATA=${data_arg:-generated}: $(tail -n 1 "$res/check.log" | sed "s|^demo-watch: $res/data.csv: ||")"

. qemu/guest-kernel.sh
if [ -z "$kernel" ]; then
	kernel=$(stock_kernel) || die "no /boot/vmlinuz-6.1.* (apt-get install linux-image-amd64)"
fi
kver=$(basename "$kernel"); kver=${kver#vmlinuz-}
kdir=/lib/modules/$kver/build
[ -d "$kdir" ] || die "no headers for $kver in $kdir (apt-get install linux-headers-$kver)"
kb=$BUILD/kmod/demo-$kver
stamp=$(cat Kbuild kmod/* core/*.[ch] uapi/linux/*.h 2>/dev/null | md5sum | cut -c1-16)
if [ -f "$kb/tmnet.ko" ] && [ "$(cat "$kb/stamp" 2>/dev/null)" = "$stamp" ]; then
	step "tmnet.ko for $kver is up to date ($kb)"
else
	step "building tmnet.ko for $kver"
	qemu/build-module.sh "$kdir" "$kb" || die "building tmnet.ko failed (log: $kb/kbuild.log)"
	echo "$stamp" >"$kb/stamp"
fi

# ---- the model -----------------------------------------------------------------
if [ -z "$model" ]; then
	model=$root/models/default-B.tmn
	if [ ! -f "$model" ]; then
		# the shipped default model has not landed: make one the documented way
		quick=$BUILD/demo/quick-B.tmn
		if [ ! -f "$quick" ] || [ "$BUILD/tmnet" -nt "$quick" ]; then
			step "models/default-B.tmn is not in the tree yet: training a quick System B model (3 epochs) with tmnet"
			"$BUILD/tmnet" data gen -o "$BUILD/demo/train.csv" -t 300 -s 1 >"$BUILD/demo/train.log" 2>&1
			"$BUILD/tmnet" train -d "$BUILD/demo/train.csv" -S B -e 3 -o "$BUILD/demo/quick-B.ckpt" -q \
				>>"$BUILD/demo/train.log" 2>&1
			"$BUILD/tmnet" quantize -m "$BUILD/demo/quick-B.ckpt" -d "$BUILD/demo/train.csv" \
				-o "$quick" --name demo-quick-B >>"$BUILD/demo/train.log" 2>&1 ||
				{ tail -n 20 "$BUILD/demo/train.log" >&2; die "training the quick model failed"; }
			rm -f "$BUILD/demo/train.csv"
		fi
		model=$quick
		step "using $model (trained by tmnet: data gen -t 300 -s 1; train -S B -e 3; quantize)"
	fi
fi

cp "$model" "$res/model.tmn"
chk=$("$BUILD/demo-watch" --check --data "$res/data.csv" --model "$res/model.tmn" 2>&1) || {
	msg=$(echo "$chk" | tr '\n' ' ')
	msg=${msg//$res\/data.csv/DATA=${data_arg:-generated}}
	msg=${msg//$res\/model.tmn/MODEL=${model_arg:-$model}}
	die "${msg#demo-watch: }"
}
step "data:  $data_desc"
step "model: $model"
# the model's own horizon, for the plot titles (demo-watch --check names it)
hor_ms=$(echo "$chk" | sed -n 's/.* \([0-9]*\) Hz, horizon \([0-9]*\) ticks.*/\2 \1/p' |
	awk '{ printf "%g", 1000 * $1 / $2; exit }')
hor_ms=${hor_ms:-500}

# ---- the guest ---------------------------------------------------------------------
rm -f "$res/output.txt"
if [ "$source" = input ]; then
	step "booting Debian's $kver kernel in QEMU (TCG, no KVM): insmod tmnet.ko, a uinput tablet attached to tmnet0, play ${secs} s of handwriting"
	qemu/run-guest.sh --kernel "$kernel" --results "$res" --log "$BUILD/demo/serial.log" \
		--timeout 300 -- env BUILD="$BUILD" tools/demo.sh --guest-input "$kb/tmnet.ko" \
		"$res/model.tmn" "$res/pen-log.csv" "$secs" "$res" >"$BUILD/demo/run-guest.log" 2>&1 &
else
	step "booting Debian's $kver kernel in QEMU (TCG, no KVM): insmod tmnet.ko, load, stream ${secs} s"
	qemu/run-guest.sh --kernel "$kernel" --results "$res" --log "$BUILD/demo/serial.log" \
		--timeout 300 -- env BUILD="$BUILD" tools/demo.sh --guest "$kb/tmnet.ko" "$res/model.tmn" \
		"$res/data.csv" "$secs" "$res" >"$BUILD/demo/run-guest.log" 2>&1 &
fi
qpid=$!
# the guest's output arrives through the shared results directory
tail -n +1 -F --pid=$qpid "$res/output.txt" 2>/dev/null | grep -v '^tmnet-guest:' || true
grc=0
wait $qpid || grc=$?
if [ "$grc" -ne 0 ]; then
	cat "$BUILD/demo/run-guest.log" >&2
	[ "$grc" -eq 1 ] || tail -n 30 "$BUILD/demo/serial.log" >&2
	die "the guest run failed (status $grc; serial log $BUILD/demo/serial.log)"
fi

# ---- plots ---------------------------------------------------------------------------
mkdir -p "$out"
if [ "$source" = input ]; then
	cp "$res"/summary.txt "$res"/per-second.csv "$res"/pred.csv "$res"/pen.csv \
		"$res"/dmesg.txt "$res"/tmnetctl-stats.txt "$res"/tmnetctl-dev.txt "$out/" 2>/dev/null || true
	step "plotting (gnuplot) into $out/"
	gnuplot <<EOF >"$BUILD/demo/gnuplot.log" 2>&1 || { cat "$BUILD/demo/gnuplot.log" >&2; die "gnuplot failed"; }
set terminal pngcairo size 1200,800 noenhanced
set datafile separator ","
set key outside bottom center horizontal
set grid
set output "$out/pen.png"
set title "A virtual tablet through the kernel's input layer: the pen path and tmnet's path predicted $hor_ms ms ahead"
set xlabel "x (data units)"
set ylabel "y (data units)"
set size ratio -1
plot "$out/pen.csv" every ::1 using 2:3 with lines lw 2 lc rgb "black" title "pen (samples the handler made)", \
     "$out/pred.csv" every ::1 using 5:6 with points pt 7 ps 0.3 lc rgb "#1f77b4" title "tmnet prediction", \
     "" every ::1 using 7:8 with points pt 7 ps 0.3 lc rgb "#ff7f0e" title "Kalman prior alone"
set size noratio
set output "$out/error.png"
set title "Error at the $hor_ms ms horizon (per second: mean)"
set xlabel "second of the run"
set ylabel "error (data units)"
plot "$out/per-second.csv" every ::1 using 1:11 with linespoints lw 2 title "tmnet (published)", \
     "" every ::1 using 1:12 with linespoints lw 2 title "Kalman prior alone"
EOF
	echo
	echo "plots:   $out/pen.png $out/error.png"
	echo "tables:  $out/summary.txt $out/per-second.csv $out/pred.csv $out/pen.csv"
	step "done in $(($(date +%s) - t_start)) s"
	exit 0
fi
cp "$res"/summary.txt "$res"/per-second.csv "$res"/pred.csv "$res"/stats.txt \
	"$res"/latency.txt "$res"/histogram.txt "$res"/model.txt "$res"/dmesg.txt \
	"$res"/tmnetctl-stats.txt "$out/" 2>/dev/null || true
step "plotting (gnuplot) into $out/"
awk '!/^#/ && $1 == "total" { print $3, $5 } !/^#/ && $1 == "lateness" { print $3, $5 > "/dev/stderr" }' \
	"$res/histogram.txt" >"$BUILD/demo/hist-total.dat" 2>"$BUILD/demo/hist-late.dat" || true
gnuplot <<EOF >"$BUILD/demo/gnuplot.log" 2>&1 || { cat "$BUILD/demo/gnuplot.log" >&2; die "gnuplot failed"; }
set terminal pngcairo size 1200,800 noenhanced
set datafile separator ","
set key outside bottom center horizontal
set grid

set output "$out/trajectory.png"
set multiplot layout 2,1 title "tmnet in the kernel: the prediction for t (made $hor_ms ms earlier) vs what was measured at t"
set xlabel "target time (s)"
set ylabel "x (data units)"
plot "$out/pred.csv" every ::1 using 2:3 with lines lw 2 lc rgb "black" title "measured", \
     "" every ::1 using 2:5 with lines lc rgb "#1f77b4" title "tmnet prediction", \
     "" every ::1 using 2:7 with lines lc rgb "#ff7f0e" title "Kalman prior alone"
set ylabel "y (data units)"
plot "$out/pred.csv" every ::1 using 2:4 with lines lw 2 lc rgb "black" title "measured", \
     "" every ::1 using 2:6 with lines lc rgb "#1f77b4" title "tmnet prediction", \
     "" every ::1 using 2:8 with lines lc rgb "#ff7f0e" title "Kalman prior alone"
unset multiplot

set output "$out/error.png"
set title "Error at the $hor_ms ms horizon (per second: mean)"
set xlabel "second of the run"
set ylabel "error (data units)"
plot "$out/per-second.csv" every ::1 using 1:11 with linespoints lw 2 title "tmnet (published)", \
     "" every ::1 using 1:12 with linespoints lw 2 title "Kalman prior alone"

set output "$out/latency.png"
set title "Per-stage P99.9 latency per second (QEMU TCG guest)"
set ylabel "P99.9 (us)"
set logscale y
plot for [c=4:9] "$out/per-second.csv" every ::1 using 1:(column(c)/1000.0) with linespoints \
     title word("lateness prior net gate publish total", c-3)
unset logscale y

set output "$out/histogram.png"
set datafile separator whitespace
set title "Kernel latency histograms (debugfs histogram)"
set xlabel "ns"
set ylabel "ticks"
set logscale xy
plot "$BUILD/demo/hist-total.dat" using 1:2 with impulses lw 2 title "whole tick", \
     "$BUILD/demo/hist-late.dat" using 1:2 with impulses title "timer lateness"
EOF
echo
echo "plots:   $out/trajectory.png $out/error.png $out/latency.png $out/histogram.png"
echo "tables:  $out/summary.txt $out/per-second.csv $out/pred.csv $out/latency.txt $out/stats.txt"
step "done in $(($(date +%s) - t_start)) s"
