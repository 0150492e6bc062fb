#!/bin/bash
# models/active-vs-uniform.sh [BUILD_DIR] - the same sample budget per epoch
# drawn uniformly or by active selection (kNN + personalised PageRank), on
# the default data set (build/models/train.csv from `make models`).  Prints
# the best validation MSE, the wall time and the selection overhead of each;
# several training seeds, since one run's difference is within seed noise.
set -euo pipefail
BUILD=${1:-build}
T=$BUILD/tmnet
D=$BUILD/models/train.csv
W=$BUILD/models/active
STRIDE=${STRIDE:-32}
BUDGET=${BUDGET:-3072}
SEEDS=${SEEDS:-2}
MODES=${MODES:-uniform active}	# MODES=active reruns one side only
mkdir -p "$W"
[ -f "$D" ] || $T data gen --seed 1 --seconds 600 -o "$D"
for mode in $MODES; do
	args=()
	[ $mode = active ] && args=(--active)
	$T train -d "$D" -S B -o "$W/$mode.ckpt" --stride $STRIDE --budget $BUDGET \
		--seeds $SEEDS -j 2 "${args[@]}" 2>"$W/$mode.log" | tee "$W/$mode.out"
done
echo "pool stride $STRIDE, budget $BUDGET windows/epoch, 15 epochs, System B, $SEEDS seeds"
for mode in uniform active; do
	printf '%-8s %s\n' $mode "$(grep -E '^val MSE|^seed .*best' "$W/$mode.out" | tr '\n' ' ')"
	grep -E 'active selection overhead|total' "$W/$mode.out" | sed "s/^/         /"
done
