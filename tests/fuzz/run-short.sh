#!/bin/bash
# A short libFuzzer run on the blob validator for 'make check'
# ('make fuzz' runs it long).  Prints TAP.
set -u
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-30}
bin=$BUILD/fuzz_blob
corpus=$BUILD/fuzz-corpus
mkdir -p "$corpus"
if [ ! -x "$bin" ]; then
	echo "not ok 1 - fuzz_blob not built"
	exit 1
fi
log=$BUILD/fuzz-short.log
if "$bin" -max_total_time="$secs" -print_final_stats=1 "$corpus" tests/fuzz/seeds >"$log" 2>&1; then
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	echo "# fuzz_blob: ${execs:-?} inputs in ${secs}s, no crash"
	echo "ok 1 - fuzz_blob ${secs}s"
else
	tail -n 40 "$log" | sed 's/^/# /'
	echo "not ok 1 - fuzz_blob found a crash (see $log)"
	exit 1
fi
