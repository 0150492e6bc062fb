#!/bin/bash
# make bench-core: native ns percentiles, then instructions per tick from
# callgrind (which counts only inside tm_tick()).  A benchmark, not a test.
set -eu
bin=${1:-build/bench_core}
ticks=${BENCH_TICKS:-1000000}
cg_ticks=${BENCH_CG_TICKS:-20000}
cpu_arg=()
[ -n "${BENCH_CPU:-}" ] && cpu_arg=(--cpu "$BENCH_CPU")

echo "== native: $ticks ticks per mode (${BENCH_CPU:+pinned to cpu $BENCH_CPU})"
"$bin" --ticks "$ticks" "${cpu_arg[@]}"

if ! command -v valgrind >/dev/null; then
	echo "valgrind not installed: no instruction counts (make deps)" >&2
	exit 1
fi
echo
echo "== callgrind: instructions per tick inside tm_tick() ($cg_ticks ticks)"
printf '%-8s %12s\n' mode instr/tick
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in prior a b bmon prior-dv b-dv; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$m" \
		--collect-atstart=no --toggle-collect=tm_tick \
		"$bin" --mode "$m" --ticks "$cg_ticks" --quiet >/dev/null 2>"$tmp/log.$m"
	# instructions inside tm_tick for the measured ticks + the 20000 warm-up ticks
	ir=$(grep -E '^summary:|^totals:' "$tmp/cg.$m" | head -n 1 | awk '{print $2}')
	awk -v m="$m" -v ir="$ir" -v n="$((cg_ticks + 20000))" 'BEGIN { printf "%-8s %12.0f\n", m, ir / n }'
done
echo "# goal: System B <= 10000 instructions per tick, P99.9 <= 2000 ns natively;"
echo "# issue 15: B (monitor) <= 1.1 x A per tick; prior-dv, b-dv: the damped-velocity prior"
echo "# (same per-tick filter, other horizon constants: about the cost of prior, b)"
