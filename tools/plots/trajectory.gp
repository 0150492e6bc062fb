# Trajectory overlay: truth vs the predictions made 500 ms earlier.
# gnuplot -e "in='traj.dat'; out='trajectory.png'" trajectory.gp
# Columns: 1 t_s (target time), 2-3 truth, 4-5 A, 6-7 B, 8-9 prior, 10 valid
set terminal pngcairo size 1400,700 noenhanced font ",10"
set output out
set multiplot layout 1,2 title "Truth vs predictions for the same instant (made one horizon earlier), 8 s of the test split"
set grid
set key bottom right
set title "path (x, y)"
set xlabel "x (data units)"
set ylabel "y (data units)"
set size ratio -1
plot in using ($10 > 0 ? $2 : NaN):3 with lines lw 3 lc rgb "black" title "truth", \
     in using 8:9 with lines lw 1 lc rgb "#7f7f7f" title "prior", \
     in using 4:5 with lines lw 1.5 lc rgb "#1f77b4" title "A", \
     in using 6:7 with lines lw 1.5 lc rgb "#d62728" title "B"
set size noratio
set title "x over time"
set key top right
set xlabel "time in the test split (s)"
set ylabel "x (data units)"
plot in using 1:($10 > 0 ? $2 : NaN) with lines lw 3 lc rgb "black" title "truth", \
     in using 1:8 with lines lw 1 lc rgb "#7f7f7f" title "prior", \
     in using 1:4 with lines lw 1.5 lc rgb "#1f77b4" title "A", \
     in using 1:6 with lines lw 1.5 lc rgb "#d62728" title "B"
unset multiplot
