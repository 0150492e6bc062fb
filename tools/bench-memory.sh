#!/bin/bash
# tools/bench-memory.sh - peak RSS and throughput of the data path, per
# command, for data sets of growing size.  A benchmark, not a test: it
# prints what it measured and judges nothing.
#
#   tools/bench-memory.sh [--sizes "1 10 50"] [--kind K] [--dir DIR]
#                         [--budget N] [--keep]
#
#   --sizes "M ..."  data set sizes in millions of ticks (default "1 10")
#   --kind K         tmnet data gen --kind (default mix:vehicle=1,pointing=1:
#                    vehicle blocks plus imported mouse logs, so the data has
#                    many segments)
#   --dir DIR        work directory (default $BUILD/bench-memory); the CSV of
#                    each size is deleted after its row unless --keep
#   --budget N       training windows in the one epoch that is timed
#                    (default 2000: the row measures the data path, not
#                    the length of a training run)
#   --keep           keep the data files
#   -h, --help       this text
#
# For each size it runs, under /usr/bin/time: tmnet data gen, tmnet train -S B
# (one epoch), tmnet quantize and tmnet eval, and prints one table row per
# command: wall seconds, ticks per second (the data set's ticks / wall time)
# and the peak resident set size (maximum RSS, MB).  Environment: BUILD
# (default build), TMNET (default $BUILD/tmnet).  Run it on an idle machine
# (a 50 M-tick data set is 25 000 s of motion, a ~3 GB CSV).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 2
BUILD=${BUILD:-build}
T=${TMNET:-$BUILD/tmnet}
sizes="1 10" kind="mix:vehicle=1,pointing=1" dir= budget=2000 keep=0

while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift 2 ;;
	--kind) kind=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--budget) budget=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-memory.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
dir=${dir:-$BUILD/bench-memory}
mkdir -p "$dir" || exit 2
[ -x /usr/bin/time ] || { echo "bench-memory.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
if [ -z "${TMNET:-}" ]; then
	make -s BUILD="$BUILD" "$BUILD/tmnet" || exit 2
fi

# run LABEL TICKS CMD...: one row; the command's output goes to $dir/LABEL.log
run() {
	local label=$1 ticks=$2 log=$dir/$1.log tf=$dir/$1.time wall kb
	shift 2
	echo "# $label: $*" >&2
	if ! /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1; then
		tail -n 5 "$log" | sed 's/^/#   /' >&2
		printf '| %s | %s | failed (see %s) | | |\n' "$ticks" "${label%%-*}" "$log"
		return 1
	fi
	read -r wall kb <"$tf"
	awk -v n="$ticks" -v c="${label%%-*}" -v w="$wall" -v kb="$kb" 'BEGIN {
		r = w > 0 ? n / w : 0
		printf "| %d | %s | %.1f | %.0f | %.0f |\n", n, c, w, r, kb / 1024 }'
}

echo "tmnet data path: peak RSS and throughput ($(nproc) CPUs, $(date -u +%Y-%m-%d), kind $kind, train: 1 epoch of $budget windows)"
echo
echo "| ticks | command | wall s | ticks/s | peak RSS MB |"
echo "|---:|---|---:|---:|---:|"
for m in $sizes; do
	ticks=$(awk -v m="$m" 'BEGIN { printf "%d", m * 1000000 }')
	secs=$(awk -v t="$ticks" 'BEGIN { printf "%.1f", t / 2000 }')
	csv=$dir/data-${m}M.csv
	run "gen-$m" "$ticks" "$T" data gen --kind "$kind" --seed 1 -t "$secs" -o "$csv" || continue
	n=$(grep -c '^[0-9]' "$csv")
	run "train-$m" "$n" "$T" train -d "$csv" -S B -o "$dir/b-$m.ckpt" -e 1 --budget "$budget" --patience 0 &&
	run "quantize-$m" "$n" "$T" quantize -m "$dir/b-$m.ckpt" -d "$csv" -o "$dir/b-$m.tmn" &&
	run "eval-$m" "$n" "$T" eval -m "$dir/b-$m.tmn" -d "$csv"
	grep -h -E '^(kalman fit|gate fit|data:|train: .* kept)' "$dir/train-$m.log" "$dir/quantize-$m.log" 2>/dev/null |
		sed 's/^/#   /' >&2
	[ "$keep" = 1 ] || rm -f "$csv"
done
