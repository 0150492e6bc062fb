#!/bin/bash
# make bench-worst: the most expensive tick of the core, from callgrind.
#
#   tests/bench/bench_worst.sh [BENCH_WORST_BINARY]
#   BENCH_WORST_RANDOM=N   random combinations of extremes (default 1000)
#   BENCH_WORST_SEED=S     their seed
#
# bench_worst (tests/bench/bench_worst.c) measures one tm_tick() per
# callgrind dump (--toggle-collect=tm_tick, zero + dump around each tick)
# and says on stdout what each tick was.  This script joins the two and
# prints, for prior, A, B and B-mon (System B with the monitor's blend,
# TMNET_FUSE_MONITOR): the typical instructions per tick (the
# make bench-core trajectory, averaged), the worst single tick found, their
# ratio and the input that produced the worst.  A benchmark, not a test:
# it prints the figures and the targets, whatever they are.
set -eu
bin=${1:-build/bench_worst}
random=${BENCH_WORST_RANDOM:-1000}
seed=${BENCH_WORST_SEED:-0x5eed}

case "${1:-}" in -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
if ! command -v valgrind >/dev/null; then
	echo "bench-worst: valgrind not installed (make deps)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== bench-worst: searching (callgrind, one dump per measured tick; a few minutes)"
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
	--collect-atstart=no --toggle-collect=tm_tick \
	"$bin" --random "$random" --seed "$seed" >"$tmp/manifest" 2>"$tmp/log" || {
	tail -n 20 "$tmp/log" >&2
	exit 1
}
grep '^bench_worst:' "$tmp/log" || true

# instructions per dump: "desc: Trigger: Client Request: case-N" + totals
find "$tmp" -name 'cg.out.*' -print0 | xargs -0 awk '
	FNR == 1 { if (id != "") print id, ir + 0; id = ""; ir = 0; done = 0 }
	/^desc: Trigger: Client Request: case-/ { sub(/.*case-/, ""); id = $0 }
	/^(summary|totals):/ && !done { ir = $2; done = 1 }
	END { if (id != "") print id, ir + 0 }' | sort -n >"$tmp/ir"
n=$(wc -l <"$tmp/ir")
echo "$n ticks measured"

awk -v out="$tmp" '
	FILENAME == ARGV[1] { ir[$1] = $2; next }
	$1 == "typical" { typ[$2] = ir[$3] / $4; next }
	$1 == "case" {
		m = $3; v = ir[$2]; n[m]++
		if (!(m in worst) || v > worst[m]) { worst[m] = v; what[m] = $7; how[m] = $4 " " $5 " macs=" $6 }
		if ($5 != "-") { key = m " " $5; if (!(key in rw) || v > rw[key]) rw[key] = v; seen[key]++ }
		if ($6 + 0 > maxmacs) maxmacs = $6 + 0
	}
	END {
		printf "%-6s %8s %8s %8s %7s  %s\n", "system", "ticks", "typical", "worst", "ratio", "worst input (verdict, reason)"
		split("prior A B B-mon", ms, " ")
		for (i = 1; i <= 4; i++) {
			m = ms[i]
			printf "%-6s %8d %8.0f %8d %7.3f  %s (%s)\n", m, n[m], typ[m], worst[m], worst[m] / typ[m], what[m], how[m]
		}
		printf "\nworst tick per fallback reason (every path the search reached):\n"
		split("chi2 budget cert no-model stale saturation", rs, " ")
		for (i = 1; i <= 4; i++)
			for (j = 1; j <= 6; j++) {
				key = ms[i] " " rs[j]
				if (key in rw)
					printf "  %-6s %-11s %6d ticks, worst %6d\n", ms[i], rs[j], seen[key], rw[key]
			}
		printf "\nlargest gate_macs seen: %d\n", maxmacs
		printf "# targets (issue 12): worst <= 1.5 x typical for each system; B worst <= 25000\n"
		printf "# B: worst/typical %.3f (%s), worst %d (%s)\n", worst["B"] / typ["B"],
			worst["B"] / typ["B"] <= 1.5 ? "met" : "NOT met", worst["B"], worst["B"] <= 25000 ? "met" : "NOT met"
		printf "# B-mon (the monitor): worst/typical %.3f (%s), worst %d (%s); typical / A typical %.3f (issue 15: <= 1.1, %s)\n",
			worst["B-mon"] / typ["B-mon"], worst["B-mon"] / typ["B-mon"] <= 1.5 ? "met" : "NOT met",
			worst["B-mon"], worst["B-mon"] <= 25000 ? "met" : "NOT met",
			typ["B-mon"] / typ["A"], typ["B-mon"] / typ["A"] <= 1.1 ? "met" : "NOT met"
		for (i = 1; i <= 2; i++)
			printf "# %s: worst/typical %.3f (%s)\n", ms[i], worst[ms[i]] / typ[ms[i]],
				worst[ms[i]] / typ[ms[i]] <= 1.5 ? "met" : "NOT met"
	}' "$tmp/ir" "$tmp/manifest"
