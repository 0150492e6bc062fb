#!/bin/bash
# tests/run.sh quick|full - run every test suite and print one summary.
#
# A suite is a command that prints TAP/KTAP result lines ("ok N - name",
# "not ok N - name"); unindented result lines are counted.  A suite that
# exits non-zero without a "not ok" line counts as one failure, and a suite
# that prints no result at all counts as one failure too (a run that tests
# nothing must be visible).  Suites live in tests/suites.list as
#   <level> <kernel> <suite> <command...>
# where level is "quick" (always run) or "full" (make check only) and
# kernel is where the suite runs ("host" or a guest kernel).  The run ends
# with one table, suite x kernel -> passed/failed, and an
# "N passed, N failed" line.
set -u
level=${1:-full}
BUILD=${BUILD:-build}
export BUILD
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
logdir=$BUILD/test-logs
mkdir -p "$logdir"

total_pass=0
total_fail=0
rows=()
kernels=()
suites=()
declare -A cell
start=$(date +%s)

add_unique() {	# add_unique ARRAY VALUE
	local -n arr=$1
	local v
	for v in "${arr[@]}"; do [ "$v" = "$2" ] && return; done
	arr+=("$2")
}

while read -r lvl kern suite cmd; do
	case "$lvl" in ''|'#'*) continue ;; esac
	[ "$level" = quick ] && [ "$lvl" != quick ] && continue
	name=$suite
	[ "$kern" != host ] && name=$suite@$kern
	log=$logdir/$name.log
	echo "=== $name: $cmd"
	t0=$(date +%s)
	bash -c "$cmd" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name reported no result" >>"$log"
	fi
	grep -E '^(not ok|# )' "$log" | head -n 40
	[ "$f" -gt 0 ] && tail -n 30 "$log"
	rows+=("$(printf '%-28s %6d %6d %6ds' "$name" "$p" "$f" $((t1 - t0)))")
	add_unique kernels "$kern"
	add_unique suites "$suite"
	cell[$kern/$suite]="$p/$f"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done <tests/suites.list

echo
printf '%-28s %6s %6s %7s\n' suite passed failed time
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "suite x kernel (passed/failed; - = not run there)"
printf '%-14s' suite
for k in "${kernels[@]}"; do printf ' %11s' "$k"; done
echo
for s in "${suites[@]}"; do
	printf '%-14s' "$s"
	for k in "${kernels[@]}"; do printf ' %11s' "${cell[$k/$s]:--}"; done
	echo
done
echo "wall time: $(( $(date +%s) - start ))s (logs in $logdir)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
