# Gate pass rate and certificate over time (tmnet compare --dump), 1 s bins.
# gnuplot -e "in='gate.dat'; out='gate.png'" gate.gp
# Columns: 1 t_s, 2 B pass rate, 3 B mean certificate, 4 B max certificate,
#          5 pass rate with the corrupted net (fault), 6 with perturbed weights
set terminal pngcairo size 1400,800 noenhanced font ",10"
set output out
set multiplot layout 2,1 title "System B gate over the test split (bit-exact core, 1 s bins)"
set grid
set key outside right
set xlabel "time in the test split (s)"
set ylabel "pass rate"
set yrange [-0.02:1.02]
set title "gate pass rate (criterion: >= 0.90)"
plot in using 1:2 with lines lw 2 title "B", \
     in using 1:5 with lines lw 2 title "B, corrupted net (fault)", \
     in using 1:6 with lines lw 1 title "B, perturbed weights", \
     0.9 with lines dt 2 lc rgb "black" title "0.90"
set title "certificate (relative error bound of the gate solve; criterion: mean <= 0.02)"
set ylabel "certificate"
set logscale y
set autoscale y
plot in using 1:($3 > 0 ? $3 : NaN) with lines lw 2 title "mean", \
     in using 1:($4 > 0 ? $4 : NaN) with lines lw 1 title "max", \
     0.02 with lines dt 2 lc rgb "black" title "0.02"
unset multiplot
