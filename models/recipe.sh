# models/recipe.sh - the training recipe of the shipped models, sourced by
# models/build.sh (make models) and tools/suite.sh (make suite), so that the
# suite scores exactly what make models ships.  Not executable on its own.
#
#   recipe_train TMNET SYS DATA CKPT [extra tmnet train args...]
#   recipe_quantize TMNET CKPT DATA TMN NAME
#   recipe_describe SYS     one line: the flags used for SYS
TRAIN_SEED=1
THREADS=2
# System B's prior: the trainer's own fit (--prior auto: constant or damped
# velocity, whichever has the lower horizon MSE on validation; qa and tau
# fitted on training; hcov_scale so that the NEES on validation has mean 2)
# and the monitor fusion of tmnet quantize (--fuse monitor).  Until issue 15
# the recipe forced qa = 100 (--kalman-qa 100, chosen on the vehicle data
# for the CV prior).  On the suite's mixture (5 epochs, 2026-12-03) the
# forced qa left the DV prior's horizon covariance uncalibrated (hcov_scale
# at its bound 1000, NEES mean 22 instead of 2) and B's validation MSE at
# 32150 units^2 (P99 751); the fitted qa calibrates it (NEES mean 2, 93.9 %
# inside the 99 % ellipse) with validation MSE 32060 (P99 771).

recipe_flags() {	# SYS -> the tmnet train flags beyond -d/-S/-o
	local sys=$1
	printf '%s\n' --seed "$TRAIN_SEED" -j "$THREADS"
	[ "$sys" = B ] && printf '%s\n' --prior auto
	return 0
}

recipe_describe() {
	echo "tmnet train -S $1 $(recipe_flags "$1" | tr '\n' ' ' | sed 's/ $//')"
}

recipe_train() {
	local T=$1 sys=$2 data=$3 ckpt=$4 flags
	shift 4
	mapfile -t flags < <(recipe_flags "$sys")
	"$T" train -d "$data" -S "$sys" -o "$ckpt" "${flags[@]}" "$@"
}

recipe_quantize() {	# TMNET CKPT DATA TMN NAME (System B: NAME ends in B)
	local fuse=()
	case "$5" in *B) fuse=(--fuse monitor) ;; esac
	"$1" quantize -m "$2" -d "$3" -o "$4" --name "$5" "${fuse[@]}"
}
