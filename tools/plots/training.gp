# Training curves (per-epoch train/val loss from the trainer's log).
# gnuplot -e "ina='train_A.dat'; inb='train_B.dat'; out='training.png'; sub='...'" training.gp
# Columns: 1 epoch, 2 train loss, 3 val MSE (normalised units)
if (!exists("sub")) sub = ""
set terminal pngcairo size 1200,600 noenhanced font ",10"
set output out
set title "Training curves (".sub.")"
set grid
set xlabel "epoch"
set ylabel "loss / MSE (normalised units)"
set key top right
plot ina using 1:2 with linespoints lw 2 title "A train", \
     ina using 1:3 with linespoints lw 2 title "A val", \
     inb using 1:2 with linespoints lw 2 title "B train", \
     inb using 1:3 with linespoints lw 2 title "B val"
