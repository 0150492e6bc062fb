#!/bin/bash
# The tick fuzzer (tests/fuzz/fuzz_tick.c) for 'make check'; 'make fuzz-tick'
# runs it long.  Prints TAP:
#   - one line per committed seed (tests/fuzz/seeds-tick: prior, A, B,
#     stale input, saturation, extreme Kalman noise, extreme samples,
#     configuration changes and faults, a model swap, and the reproducers of
#     bugs the fuzzer found): each replays through the invariants cleanly;
#   - a bounded run from those seeds (FUZZ_SECONDS, default 30, or
#     FUZZ_RUNS executions) finds no crash, no invariant violation, no
#     sanitizer report and no input slower than 10 s.
set -u
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-30}
runs=${FUZZ_RUNS:--1}
bin=$BUILD/fuzz_tick
seeds=tests/fuzz/seeds-tick
corpus=$BUILD/fuzz-tick-corpus
log=$BUILD/fuzz-tick-short.log

if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	echo "Environment: BUILD (default build), FUZZ_SECONDS, FUZZ_RUNS."
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "1..1"
	echo "not ok 1 - $bin not built (make BUILD=$BUILD $bin)"
	exit 1
fi
mkdir -p "$corpus"
n=$(find "$seeds" -maxdepth 1 -type f | wc -l)
echo "1..$((n + 1))"
i=0
rc=0
for f in $(find "$seeds" -maxdepth 1 -type f | sort); do
	i=$((i + 1))
	if "$bin" "$f" >"$log.seed" 2>&1; then
		echo "ok $i - seed $(basename "$f") replays"
	else
		grep -E 'invariant violated|ERROR|runtime error|SUMMARY' "$log.seed" | head -n 6 | sed 's/^/# /'
		echo "not ok $i - seed $(basename "$f") crashes (log: $log.seed)"
		rc=1
	fi
done
i=$((i + 1))
if "$bin" -max_total_time="$secs" -runs="$runs" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$BUILD/fuzz-tick-" "$corpus" "$seeds" >"$log" 2>&1; then
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "# fuzz_tick: ${execs:-?} inputs in at most ${secs}s (${rate:-?}/s), no crash"
	echo "ok $i - fuzz_tick bounded run"
else
	grep -E 'invariant violated|ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/# /'
	echo "not ok $i - fuzz_tick found a crash (log: $log)"
	rc=1
fi
exit $rc
