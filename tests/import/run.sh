#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/import/run.sh - `tmnet data import` on the logs that broke it
# (issue 13), then `tmnet eval` on what it wrote.  Prints TAP.
#   BUILD=build-x tests/import/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
tm=$BUILD/tmnet
for f in "$tm" models/default-B.tmn; do
	[ -e "$f" ] || { echo "1..1"; echo "not ok 1 - $f is missing (make all)"; exit 1; }
done
w=$BUILD/tests-import
rm -rf "$w"
mkdir -p "$w"
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# check NAME CMD...: ok when CMD succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
# import LOGNAME ARGS...: runs the importer, keeps its stderr and status
import() {
	local log=$1; shift
	"$tm" data import "$@" >"$w/$log.out" 2>"$w/$log.err"
	echo $? >"$w/$log.rc"
}
rc() { cat "$w/$1.rc"; }
has() { grep -qF -- "$2" "$w/$1.err"; }
evals() {	# eval -s all on an import: exit 0 (never "outside the Q16.16 range")
	"$tm" eval -d "$1" -m models/default-B.tmn -s all >"$1.eval" 2>&1
}

# 1, 2: microsecond and nanosecond stamps at 2 kHz (were "ms, median step 500 ms",
# 0 valid ticks, exit 0)
awk 'BEGIN { for (i = 0; i < 8000; i++) printf "%.0f,%.3f,%.3f\n", 1700000000000000 + 500 * i, 100 * sin(i / 2000), 50 * cos(i / 3000) }' >"$w/us2k.csv"
import us2k "$w/us2k.csv" -o "$w/us2k.tmn.csv"
check "us stamps at 2 kHz: time unit us, 8000 ticks" \
	eval '[ "$(rc us2k)" = 0 ] && has us2k "time unit us" && has us2k "-> 8000 ticks"'
awk 'BEGIN { for (i = 0; i < 8000; i++) printf "%.0f,%.3f,%.3f\n", 500000 * i, 100 * sin(i / 2000), 0 }' >"$w/ns2k.csv"
import ns2k "$w/ns2k.csv" -o "$w/ns2k.tmn.csv"
check "ns stamps at 2 kHz: time unit ns" eval '[ "$(rc ns2k)" = 0 ] && has ns2k "time unit ns"'

# 3: two plausible units: refused, and --time-unit settles it
awk 'BEGIN { for (i = 0; i < 100; i++) printf "%d,%d,%d\n", 100 * i, i, 0 }' >"$w/amb.csv"
import amb "$w/amb.csv" -o "$w/amb.tmn.csv"
check "10 Hz in ms (or 10 kHz in us): refused, asks for --time-unit" \
	eval '[ "$(rc amb)" = 1 ] && has amb "give --time-unit" && [ ! -e "$w/amb.tmn.csv" ]'
import amb2 "$w/amb.csv" -o "$w/amb.tmn.csv" --time-unit ms --gap-ms 200
check "... and imports with --time-unit ms" eval '[ "$(rc amb2)" = 0 ]'

# 4: NaN in the first data row (was taken for a header); inf, empty later
printf 'NaN,1,2\n8,1,2\n16,1,2\n' >"$w/nan.csv"
import nan "$w/nan.csv" -o "$w/nan.tmn.csv"
check "NaN in the first row: error names line 1, column 1" \
	eval '[ "$(rc nan)" = 1 ] && has nan "line 1: column 1 (time) '"'NaN'"' is NaN"'
printf 't,x,y\n0,1,2\n8,1,inf\n' >"$w/inf.csv"
import inf "$w/inf.csv" -o "$w/inf.tmn.csv"
check "inf: error names line 3, column 3" eval '[ "$(rc inf)" = 1 ] && has inf "line 3: column 3 (y)"'
printf '0;1;2\n8;;2\n' >"$w/empty.csv"
import empty "$w/empty.csv" -o "$w/empty.tmn.csv"
check "empty field: error names line 2, column 2" eval '[ "$(rc empty)" = 1 ] && has empty "line 2: column 2 (x) '"''"' is empty"'

# 5: a tablet: ';', ms, raw units X 28 407 .. 53 306, pen speed 31 500 units/s,
# pen-up gaps and a jump across the tablet
awk 'BEGIN { print "X;Y;T"; t = 1000
	for (i = 0; i < 12000; i++) {
		x = 40856.5 + 12449.5 * sin(i * 0.0052 * 31500 / 12449.5); y = 20000 + 3000 * cos(i * 0.01)
		if (i % 3000 == 1500) x = (x > 40856 ? 28407 : 53306)
		if (i % 2000 == 1999) t += 400
		printf "%.0f;%.0f;%d\n", x, y, t; t += 5.2 } }' >"$w/tablet.csv"
import tablet "$w/tablet.csv" -o "$w/tablet.tmn.csv" --cols 3,1,2
check "tablet units: automatic scale 0.1" eval '[ "$(rc tablet)" = 0 ] && has tablet "* 0.1" && head -n 1 "$w/tablet.tmn.csv" | grep -q "scale=0.1,0.1"'
check "tablet: pen-up gaps and the jumps are segments" eval 'has tablet " gaps, " && ! has tablet " 0 jumps split"'
check "tablet: tmnet eval reads the import (errors in tablet units)" \
	eval 'evals "$w/tablet.tmn.csv" && grep -q "errors in recording units" "$w/tablet.tmn.csv.eval"'
import tablet_given "$w/tablet.csv" -o "$w/tablet2.tmn.csv" --cols 3,1,2 --scale 1
check "tablet with --scale 1: error names line and column of the first value outside +-32000" \
	eval '[ "$(rc tablet_given)" = 1 ] && has tablet_given "line 2: column 1 (x)"'

# 6: a mouse that jumps (was vy = -32767.999985, then eval refused field 5)
awk 'BEGIN { for (i = 0; i < 6000; i++) { x = 500 + 200 * sin(i / 300); y = 400
	if (i == 3000) y = -30000; printf "%d,%.2f,%.2f\n", 8 * i, x, y } }' >"$w/jump.csv"
import jump "$w/jump.csv" -o "$w/jump.tmn.csv"
check "a jump: imported, no |v| near 32768, eval reads it" \
	eval '[ "$(rc jump)" = 0 ] && evals "$w/jump.tmn.csv" && awk -F, "NR > 2 && (\$4 > 16385 || \$4 < -16385 || \$5 > 16385 || \$5 < -16385) { bad = 1 } END { exit bad }" "$w/jump.tmn.csv"'

# 7: seven sessions of one person back to back, a directory of files; a 16 ms
# client clock with several events per clock tick, idle minutes inside
mkdir -p "$w/sessions"
for s in 1 2 3 4 5 6 7; do
	awk -v s=$s 'BEGIN { t = 1.7e12 + s * 4e6; print "client timestamp,button,state,x,y"
		for (i = 0; i < 3000; i++) {
			if (i % 1000 == 999) t += 180000	# three idle minutes
			for (k = 0; k < 3; k++) printf "%.0f,NoButton,Move,%.0f,%.0f\n", t - t % 16, 960 + 500 * sin(i / 40 + k / 120), 540 + 300 * cos(i / 60)
			t += 16 } }' >"$w/sessions/session_$s.csv"
done
import sess "$w/sessions" -o "$w/sessions.tmn.csv" --cols 1,4,5 --gap-ms 100
check "a directory: 7 files, sorted and named" eval 'has sess "directory $w/sessions: 7 files: session_1.csv session_2.csv"'
check "7 sessions: 21 segments, idle minutes not written" \
	eval '[ "$(rc sess)" = 0 ] && has sess "in 21 segments" && [ $(wc -l <"$w/sessions.tmn.csv") -lt 3000000 ]'
check "7 sessions: 3 events per 16 ms clock tick merged" eval 'has sess "(42000 duplicate timestamps merged"'
check "7 sessions: tmnet eval reads it" evals "$w/sessions.tmn.csv"

# 8: no valid tick is an error
printf '0,1,2\n1000,1,2\n2000,5,5\n' >"$w/sparse.csv"
import sparse "$w/sparse.csv" -o "$w/sparse.tmn.csv" --time-unit ms
check "no valid tick: error, nothing written" \
	eval '[ "$(rc sparse)" = 1 ] && has sparse "no valid tick" && [ ! -e "$w/sparse.tmn.csv" ]'

# 9: duplicate and backward timestamps: the later sample wins; a step back is a segment
printf '0,1,1\n8,2,2\n8,3,3\n16,4,4\n4,9,9\n12,9,9\n20,9,9\n' >"$w/back.csv"
import back "$w/back.csv" -o "$w/back.tmn.csv" --time-unit ms
check "a duplicate merged and a step back starts a segment" \
	eval '[ "$(rc back)" = 0 ] && has back "(1 duplicate timestamps merged, 1 steps back)" && has back "in 2 segments"'

echo "1..$n"
exit $((fails > 0))
