#!/bin/bash
# tools/plot-generators.sh [OUTDIR] - the pictures in docs/generators.md:
# a generated pointing track and a handwriting track, each as its path and
# its speed profile over time, from the canonical CSV that
# `tmnet data gen` writes (after the importer), with gnuplot (pngcairo).
#
#   BUILD=build-me tools/plot-generators.sh            # -> docs/img/
#   SEED=5 SECONDS_SHOWN=12 tools/plot-generators.sh /tmp/x   # seed, first N s
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$here/$BUILD ;; esac
out=${1:-$here/docs/img}
seed=${SEED:-3}
secs=${SECONDS_SHOWN:-10}
tmnet=$BUILD/tmnet
[ -x "$tmnet" ] || { echo "plot-generators: $tmnet not built (make BUILD=$BUILD)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot-generators: gnuplot is not installed" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$tmnet" data gen --kind pointing -s "$seed" -t 60 -o "$tmp/pointing.csv" --raw "$tmp/pointing-raw.csv"
"$tmnet" data gen --kind handwriting -s "$seed" -t 60 -o "$tmp/writing.csv" --raw "$tmp/writing-raw.csv"

# valid ticks of the first $secs seconds, back in the recording's units
# (the "# tmnet-data ... scale=S,S offset=O,O" line: recording = data / S + O)
# and divided by $2 (1 for px, 100 for 0.01 mm -> mm): t, x, y, speed.  A
# blank line at every segment start or invalid tick breaks gnuplot's line.
canon() {	# file per-unit
	awk -F, -v lim="$secs" -v div="$2" '
	/^# tmnet-data/ {
		for (i = 1; i <= split($0, w, " "); i++) {
			if (w[i] ~ /^scale=/) { split(substr(w[i], 7), s, ","); sx = s[1]; sy = s[2] }
			if (w[i] ~ /^offset=/) { split(substr(w[i], 8), o, ","); ox = o[1]; oy = o[2] }
		}
		next
	}
	/^#/ || /^t_ns/ { next }
	{
		if (!sx) { sx = sy = 1 }
		t = $1 / 1e9; if (t > lim) exit
		if ($6 != 1 || $7 == 1) print ""
		if ($6 != 1) next
		vx = $4 / sx / div; vy = $5 / sy / div
		printf "%.4f %.4f %.4f %.4f\n", t, ($2 / sx + ox) / div, ($3 / sy + oy) / div, sqrt(vx * vx + vy * vy)
	}' "$1"
}
canon "$tmp/pointing.csv" 1 >"$tmp/pointing.dat"
canon "$tmp/writing.csv" 100 >"$tmp/writing.dat"
awk -F, -v lim="$secs" 'NR > 1 { t = $1 / 1e3; if (t > lim) exit; print t, $2, $3 }' \
	"$tmp/pointing-raw.csv" >"$tmp/pointing-raw.dat"

gnuplot <<EOF
set terminal pngcairo size 1200,520 font "sans,10"
set output "$out/gen-pointing.png"
set multiplot layout 1,2 title "tmnet data gen --kind pointing -s $seed (first $secs s: Fitts-timed minimum-jerk sub-movements, 125 Hz mouse, 16 ms clock)"
set title "path on the 1920 x 1080 px screen"
set xlabel "x (px)"; set ylabel "y (px)"
set xrange [0:1920]; set yrange [1080:0]
set size ratio -1
plot "$tmp/pointing.dat" using 2:3 with lines lw 1 lc rgb "#1f77b4" title "canonical ticks (2 kHz)", \
     "$tmp/pointing-raw.dat" using 2:3 with points pt 7 ps 0.3 lc rgb "#d62728" title "device reports"
set title "speed profile"
set size noratio
set xlabel "t (s)"; set ylabel "speed (px/s)"
set xrange [0:$secs]; set yrange [0:*]
plot "$tmp/pointing.dat" using 1:4 with lines lw 1 lc rgb "#1f77b4" title "|v| from the importer"
unset multiplot

set output "$out/gen-handwriting.png"
set multiplot layout 2,1 title "tmnet data gen --kind handwriting -s $seed (first $secs s: sigma-lognormal strokes, 195 Hz tablet, 0.01 mm units)"
set title "path (pen down; tablet y grows downwards)"
set xlabel "x (mm on the tablet)"; set ylabel "y (mm)"
set xrange [*:*]; set yrange [*:*] reverse
set size ratio -1
plot "$tmp/writing.dat" using 2:3 with lines lw 1 lc rgb "#1f77b4" notitle
set title "speed profile (gaps: pen up)"
set size noratio
set yrange [0:*] noreverse
set xlabel "t (s)"; set ylabel "pen speed (mm/s)"
set xrange [0:$secs]
plot "$tmp/writing.dat" using 1:4 with lines lw 1 lc rgb "#1f77b4" title "|v| from the importer"
unset multiplot
EOF
echo "plot-generators: $out/gen-pointing.png $out/gen-handwriting.png"
