# Error CDFs at the 500 ms horizon, A vs B vs the prior (tmnet compare --dump).
# gnuplot -e "in='err_cdf.dat'; out='error_cdf.png'" error_cdf.gp
# Columns: 1 quantile, 2 prior, 3 A, 4 B, 5 B with corrupted net, 6 B perturbed
set terminal pngcairo size 1400,600 noenhanced font ",10"
set output out
set multiplot layout 1,2 title "Euclidean error at the horizon on the test split (bit-exact core)"
set grid
set key bottom right
set xlabel "error (data units)"
set ylabel "fraction of scored ticks <= error"
set title "CDF"
set yrange [0:1]
plot in using 2:1 with lines lw 2 title "prior alone", \
     in using 3:1 with lines lw 2 title "System A", \
     in using 4:1 with lines lw 2 title "System B", \
     in using 5:1 with lines lw 1 dt 2 title "B, corrupted net (fault)"
set title "tail: 1 - CDF (log)"
set logscale y
set yrange [1e-4:1]
set key top right
set ylabel "fraction of scored ticks > error"
plot in using 2:(1 - $1) with lines lw 2 title "prior alone", \
     in using 3:(1 - $1) with lines lw 2 title "System A", \
     in using 4:(1 - $1) with lines lw 2 title "System B", \
     in using 5:(1 - $1) with lines lw 1 dt 2 title "B, corrupted net (fault)"
unset multiplot
