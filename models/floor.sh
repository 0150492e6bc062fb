#!/bin/bash
# models/floor.sh [BUILD_DIR] - is System B's P99 bound to System A's?
#
# Trains A and B with the shipped recipe (models/build.sh) changed in one
# thing at a time:
#   - EPOCHS epochs (default 45, three times the recipe's 15);
#   - the pseudo-Huber data loss of scale HUBER (default 0.1 normalised
#     units; `tmnet train --huber`) instead of MSE, 15 epochs;
#   - (B only) two more inputs, the filter's velocity or its measured-minus-
#     filtered position (`tmnet train --b-extra vel|resid`), scored in float
#     since the core's B takes six inputs;
# on the default data set (BUILD_DIR/models/train.csv from `make models`),
# then scores them and the shipped models with `tmnet eval` (the
# bit-exact core) on
#   1. the test split of the default data set (regimes of 3 to 6 s),
#   2. the test split of a track whose regimes last 20 to 40 s
#      (tmnet data gen --seg-min 20 --seg-max 40), so that far fewer
#      regime switches fall inside the 500 ms horizon, and
#   3. the whole of `make demo`'s default 10 s track (tmnet data gen -t
#      10.5 -s 2026: straight lines between wall reflections).
# Writes models/floor.md (measured figures; do not edit by hand).
# About 10 minutes on an idle 2-core machine.
set -euo pipefail
case "${1:-}" in -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
BUILD=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
T=$BUILD/tmnet
D=$BUILD/models/train.csv
W=$BUILD/models/floor
EPOCHS=${EPOCHS:-45}
HUBER=${HUBER:-0.1}
B_QA=100	# the qa the recipe forced when floor.md was measured (models/recipe.sh no longer does)
[ -x "$T" ] || { echo "floor.sh: no $T (make all first)" >&2; exit 2; }
[ -f "$D" ] && [ -f models/default-A.tmn ] && [ -f models/default-B.tmn ] &&
	[ -f "$BUILD/models/default-A.ckpt" ] && [ -f "$BUILD/models/default-B.ckpt" ] ||
	{ echo "floor.sh: run make models first (no $D or models/default-[AB].tmn)" >&2; exit 2; }
mkdir -p "$W"

# train TAG ARGS...: A and B with the recipe plus ARGS -> $W/TAG-{A,B}.tmn
train() {
	local tag=$1 sys extra
	shift
	for sys in A B; do
		extra=()
		[ $sys = B ] && extra=(--kalman-qa "$B_QA")
		echo "== train System $sys ($tag: $*) -> $W/$tag-$sys.log"
		$T train -d "$D" -S $sys -o "$W/$tag-$sys.ckpt" --seed 1 -j 2 "${extra[@]}" "$@" \
			>"$W/$tag-$sys.log" 2>&1
		grep -E '^epoch' "$W/$tag-$sys.log" | tail -n 1
		$T quantize -m "$W/$tag-$sys.ckpt" -d "$D" -o "$W/$tag-$sys.tmn" --name "floor-$tag-$sys" \
			>"$W/quantize-$tag-$sys.log" 2>&1
	done
}
train long -e "$EPOCHS" --patience "$EPOCHS"
train huber --huber "$HUBER"
for x in vel resid; do
	echo "== train System B (--b-extra $x) -> $W/extra-$x.log"
	$T train -d "$D" -S B -o "$W/extra-$x.ckpt" --seed 1 -j 2 --kalman-qa "$B_QA" --b-extra $x \
		>"$W/extra-$x.log" 2>&1
	grep -E '^epoch' "$W/extra-$x.log" | tail -n 1
done
echo "== data: tmnet data gen -s 5 -t 1800 --seg-min 20 --seg-max 40; tmnet data gen -t 10.5 -s 2026"
$T data gen -o "$W/long.csv" -s 5 -t 1800 --seg-min 20 --seg-max 40 2>/dev/null
$T data gen -o "$W/demo.csv" -t 10.5 -s 2026 2>/dev/null

# row DATA SPLIT MODEL_A MODEL_B LABEL: one table row from tmnet eval -j
row() {
	$T eval -d "$1" -s "$2" -m "$3" -m "$4" -j 2>/dev/null >"$W/eval.json"
	python3 - "$W/eval.json" "$5" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["models"][0]["published"], d["models"][1]["published"]
pr = d["models"][1]["prior"]
print("| %s | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.0f / %.0f | %.3f |" % (
      sys.argv[2], pr["p50"], pr["p99"], a["p50"], a["p99"], b["p50"], b["p99"],
      a["mse"], b["mse"], b["p99"] / a["p99"]))
PY
}
# fl DATA MODEL CKPT KEY: the float network's streamed figure from tmnet eval -j
fl() {
	local j
	j=$W/float-$(basename "$3" .ckpt).json
	[ -s "$j" ] && [ "$j" -nt "$3" ] || $T eval -d "$1" -m "$2" -f "$3" -j 2>/dev/null >"$j"
	python3 -c "import json, sys; print('%.1f' % json.load(open(sys.argv[1]))['models'][0]['float_stream'][sys.argv[2]])" "$j" "$4"
}
{
	echo "# Is System B's P99 error bound to System A's?"
	echo
	echo "Written by \`models/floor.sh\` ($(date -u +%Y-%m-%d)); do not edit by hand."
	echo "Each variant changes one thing in the shipped recipe (models/README.md)"
	echo "for both networks. Errors in data units, scored by \`tmnet eval\` (the"
	echo "bit-exact core); the prior is System B's (qa $B_QA)."
	echo
	echo "| data, models | prior P50 / P99 | A P50 / P99 | B P50 / P99 | A / B MSE | B/A P99 |"
	echo "|---|---|---|---|---|---|"
	for set in "$D test default" "$W/long.csv test long" "$W/demo.csv all demo"; do
		read -r data split name <<<"$set"
		case $name in
		default) what="default data (3-6 s regimes), test split" ;;
		long) what="20-40 s regimes, test split" ;;
		demo) what="make demo's 10 s track" ;;
		esac
		row "$data" "$split" models/default-A.tmn models/default-B.tmn "$what; shipped (15 epochs, MSE)"
		row "$data" "$split" "$W/long-A.tmn" "$W/long-B.tmn" "$what; $EPOCHS epochs"
		row "$data" "$split" "$W/huber-A.tmn" "$W/huber-B.tmn" "$what; pseudo-Huber $HUBER"
	done
	echo
	echo "Alternative System B inputs, float networks streamed tick by tick over the"
	echo "default data's test split (\`tmnet eval -m models/default-B.tmn -f CKPT\`; the"
	echo "core's System B takes the first six inputs only, so these are not quantised):"
	echo
	echo "| System B inputs | P50 | P99 | MSE | B/A P99 (A float $(fl "$D" models/default-A.tmn "$BUILD/models/default-A.ckpt" p99)) |"
	echo "|---|---|---|---|---|"
	ap=$(fl "$D" models/default-A.tmn "$BUILD/models/default-A.ckpt" p99)
	for v in "default:$BUILD/models/default-B.ckpt:dx, dy, vx, vy, prior displacement (shipped)" \
		 "vel:$W/extra-vel.ckpt:+ the filter's velocity" \
		 "resid:$W/extra-resid.ckpt:+ measured minus filtered position"; do
		IFS=: read -r _ ck what <<<"$v"
		echo "| $what | $(fl "$D" models/default-B.tmn "$ck" p50) | $(fl "$D" models/default-B.tmn "$ck" p99) | $(fl "$D" models/default-B.tmn "$ck" mse) | $(python3 -c "print('%.3f' % ($(fl "$D" models/default-B.tmn "$ck" p99) / $ap))") |"
	done
} >models/floor.md
cat models/floor.md
