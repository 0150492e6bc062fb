#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/stats/run.sh - `tmnet compare`'s paired statistics against numpy and
# SciPy, recomputed now on the project's own data (tests/stats/check_scipy.py),
# and `tmnet eval` / `tmnet compare` pairing the same ticks on a track where
# the two models score different tick sets.  Prints TAP.
#   BUILD=build-x tests/stats/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
tm=$BUILD/tmnet
py=/usr/bin/python3
for f in "$tm" models/default-A.tmn models/default-B.tmn; do
	[ -e "$f" ] || { echo "1..1"; echo "not ok 1 - $f is missing (make all, make models)"; exit 1; }
done
$py -c 'import numpy, scipy' 2>/dev/null ||
	{ echo "1..1"; echo "not ok 1 - Debian's python3-numpy / python3-scipy missing (make deps)"; exit 1; }
w=$BUILD/tests-stats
rm -rf "$w"
mkdir -p "$w"
echo "# data: tmnet data gen --seed 3 --seconds 300 (vehicle); compare on its test split" >&2
"$tm" data gen --seed 3 --seconds 300 -o "$w/vehicle.csv" >/dev/null 2>&1
"$tm" compare --a models/default-A.tmn --b models/default-B.tmn --data "$w/vehicle.csv" \
	--boot 100 --no-latency --dump "$w" -j >"$w/compare.json" 2>"$w/compare.log"
# a vehicle track with a 2 s dropout in its test split, scored by the shipped A
# (fitted prior, qa 1e4) and a one-epoch B whose CV prior has qa = 100: after
# the dropout their filters become usable at different ticks (one restarts, the
# other does not), so the models score different sets
"$tm" data gen --seed 4 --seconds 60 -o "$w/v.csv" >/dev/null 2>&1
awk -F, -v OFS=, 'NR >= 104000 && NR < 108000 { $2 = $3 = $4 = $5 = "0.000000"; $6 = 0 } { print }' \
	"$w/v.csv" >"$w/dropout.csv"
"$tm" train -d "$w/v.csv" -S B --prior cv --kalman-qa 100 -e 1 -q -o "$w/qa100-B.ckpt" \
	>"$w/qa100-B.log" 2>&1
"$tm" quantize -m "$w/qa100-B.ckpt" -d "$w/v.csv" -o "$w/qa100-B.tmn" >>"$w/qa100-B.log" 2>&1
"$tm" eval -d "$w/dropout.csv" -m models/default-A.tmn -m "$w/qa100-B.tmn" -j \
	>"$w/eval-dropout.json" 2>"$w/eval-dropout.log"
"$tm" compare --a models/default-A.tmn --b "$w/qa100-B.tmn" --data "$w/dropout.csv" \
	--boot 100 --no-latency -j >"$w/compare-dropout.json" 2>"$w/compare-dropout.log"
exec $py tests/stats/check_scipy.py "$w/compare.json" "$w/errors.dat" \
	"$w/eval-dropout.json" "$w/compare-dropout.json"
