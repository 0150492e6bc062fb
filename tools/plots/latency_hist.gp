# Native per-stage latency histograms of the core tick (tmnet bench --dump).
# gnuplot -e "in='bench_hist.dat'; out='latency_hist.png'; sub='...'" latency_hist.gp
# Columns: 1 bin_lo_ns, then {prior,A,B} x {prior,net,gate,total} stage
# (col 2 + 4 sys + stage), 14 float C step, 15 float OpenBLAS step.
if (!exists("sub")) sub = ""
# nofloat=1: the file has no float columns (tmnet compare --dump lat_hist.dat)
if (!exists("nofloat")) nofloat = 0
set terminal pngcairo size 1400,900 noenhanced font ",10"
set output out
set multiplot layout 2,2 title "Native core tick, per-stage latency histograms (".sub.")"
set logscale x
set logscale y
set format x "%g"
set xlabel "ns (log bins, 30 per decade)"
set ylabel "fraction of ticks"
set yrange [1e-7:1]
set grid
set key top right
stages = "prior net gate total"
do for [g = 0:3] {
	set title "stage: ".word(stages, g + 1)
	if (g == 1 && !nofloat) {
		plot in using 1:(column(2 + 4 + g) > 0 ? column(2 + 4 + g) : NaN) with steps lw 2 title "A (int8)", \
		     in using 1:(column(2 + 8 + g) > 0 ? column(2 + 8 + g) : NaN) with steps lw 2 title "B (int8)", \
		     in using 1:($14 > 0 ? $14 : NaN) with steps lw 1 dt 2 title "float C step", \
		     in using 1:($15 > 0 ? $15 : NaN) with steps lw 1 dt 3 title "float OpenBLAS step"
	} else {
		plot in using 1:(column(2 + g) > 0 ? column(2 + g) : NaN) with steps lw 2 title "prior only", \
		     in using 1:(column(2 + 4 + g) > 0 ? column(2 + 4 + g) : NaN) with steps lw 2 title "A", \
		     in using 1:(column(2 + 8 + g) > 0 ? column(2 + 8 + g) : NaN) with steps lw 2 title "B"
	}
}
unset multiplot
