# In-kernel latency histograms from debugfs (make bench-kernel), QEMU TCG.
# gnuplot -e "tot='f1 f2 ..'; late='g1 g2 ..'; names='n1 n2 ..'; out='kernel_hist.png'" kernel_hist.gp
# Each file: lo_ns fraction (one debugfs histogram bucket per line).
set terminal pngcairo size 1400,600 noenhanced font ",10"
set output out
set multiplot layout 1,2 title "In-kernel latency histograms (debugfs; QEMU TCG guest: emulated times, compare A vs B and kernels only)"
set logscale xy
set grid
set xlabel "ns (bucket lower bound)"
set ylabel "fraction of ticks"
set key top right
set title "whole tick (callback start -> publish done)"
plot for [i = 1:words(tot)] word(tot, i) using 1:2 with steps lw 2 title word(names, i)
set title "timer lateness (expiry -> callback start)"
plot for [i = 1:words(late)] word(late, i) using 1:2 with steps lw 2 title word(names, i)
unset multiplot
