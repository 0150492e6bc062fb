#!/bin/bash
# models/floor.sh [BUILD_DIR] - is System B's P99 bound to System A's?
#
# Trains A and B with the shipped recipe (models/build.sh) but for EPOCHS
# epochs (default 45, three times the recipe's 15) on the default data set
# (BUILD_DIR/models/train.csv from `make models`), then scores both the
# shipped 15-epoch models and the longer-trained ones with `tmnet eval`
# (the bit-exact core) on
#   1. the test split of the default data set (regimes of 3 to 6 s), and
#   2. the test split of a track whose regimes last 20 to 40 s
#      (tmnet data gen --seg-min 20 --seg-max 40), so that far fewer
#      regime switches fall inside the 500 ms horizon.
# Writes models/floor.md (measured figures; do not edit by hand).
# About 5 minutes on an idle 2-core machine.
set -euo pipefail
case "${1:-}" in -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
BUILD=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
T=$BUILD/tmnet
D=$BUILD/models/train.csv
W=$BUILD/models/floor
EPOCHS=${EPOCHS:-45}
B_QA=$(sed -n 's/^B_QA=//p' models/build.sh)
[ -x "$T" ] || { echo "floor.sh: no $T (make all first)" >&2; exit 2; }
[ -f "$D" ] && [ -f models/default-A.tmn ] && [ -f models/default-B.tmn ] ||
	{ echo "floor.sh: run make models first (no $D or models/default-[AB].tmn)" >&2; exit 2; }
mkdir -p "$W"
for sys in A B; do
	echo "== train System $sys for $EPOCHS epochs ($W/train-$sys.log)"
	extra=()
	[ $sys = B ] && extra=(--kalman-qa "$B_QA")
	$T train -d "$D" -S $sys -o "$W/$sys.ckpt" --seed 1 -e "$EPOCHS" --patience "$EPOCHS" \
		-j 2 "${extra[@]}" 2>&1 | tee "$W/train-$sys.log" | grep -E '^epoch' | tail -n 1
	$T quantize -m "$W/$sys.ckpt" -d "$D" -o "$W/$sys.tmn" --name "floor-$sys" \
		>"$W/quantize-$sys.log" 2>&1
done
echo "== data: tmnet data gen -s 5 -t 1800 --seg-min 20 --seg-max 40"
$T data gen -o "$W/long.csv" -s 5 -t 1800 --seg-min 20 --seg-max 40 >/dev/null

# row DATA MODEL_A MODEL_B LABEL: one table row from tmnet eval -j
row() {
	$T eval -d "$1" -m "$2" -m "$3" -j 2>/dev/null >"$W/eval.json"
	python3 - "$W/eval.json" "$4" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["models"][0], d["models"][1]
pa, pb = a["published"]["p99"], b["published"]["p99"]
print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f |" % (sys.argv[2],
      b["prior"]["p99"], a["published"]["mse"], b["published"]["mse"], pa, pb, pb / pa))
PY
}
{
	echo "# Is System B's P99 error bound to System A's?"
	echo
	echo "Written by \`models/floor.sh\` ($(date -u +%Y-%m-%d)); do not edit by hand."
	echo "Same recipe as the shipped models except the number of epochs;"
	echo "errors in data units, scored by \`tmnet eval\` (the bit-exact core) on"
	echo "the test split."
	echo
	echo "| data, models | prior P99 (B's prior) | A MSE | B MSE | A P99 | B P99 | B/A P99 |"
	echo "|---|---|---|---|---|---|---|"
	row "$D" models/default-A.tmn models/default-B.tmn "default data (3-6 s regimes), shipped 15 epochs"
	row "$D" "$W/A.tmn" "$W/B.tmn" "default data, $EPOCHS epochs"
	row "$W/long.csv" models/default-A.tmn models/default-B.tmn "20-40 s regimes, shipped 15 epochs"
	row "$W/long.csv" "$W/A.tmn" "$W/B.tmn" "20-40 s regimes, $EPOCHS epochs"
} >models/floor.md
cat models/floor.md
