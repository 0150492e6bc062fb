#!/bin/bash
# tests/guest/input_run.sh - the input-device source suite: build tmnet.ko,
# tmnetctl and tests/guest/tmnet_input_test, boot a kernel in QEMU (TCG) and
# run tests/guest/input_guest.sh there: a virtual tablet and mouse through
# /dev/uinput attached to tmnet0, record-for-record parity of /dev/tmnet0
# with the userspace core, the handler's event rate, unplug, attach errors,
# EPERM, module unload while attached.  Prints TAP.
#
#   tests/guest/input_run.sh [--tag 6.1|6.1-rt|6.12|6.12-rt|debug]
#                            [--kernel FILE --moddir DIR --kdir DIR]
#                            [--model FILE] [--seconds S] [--timeout SEC]
#
#   --tag TAG       a kernel of the matrix (qemu/kernels.sh env TAG) or the
#                   debug kernel (lockdep, KASAN); either is fetched or built
#                   on first use and cached (qemu/kernels.sh, qemu/debug/build.sh)
#   --kernel, --moddir, --kdir   an explicit kernel instead
#   --model FILE    the model to load (default models/default-B.tmn)
#   --seconds S     length of each paced run (default 3)
#   --timeout SEC   guest timeout (default 1200)
#
# A kernel without uinput or evdev as a module (the debug kernel has
# neither) gets both built out of tree from its own source tree
# (drivers/input/misc/uinput.c, drivers/input/evdev.c) when KDIR has it.
# Artifacts: $BUILD/input/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
export BUILD
kernel= moddir= kdir= tag= timeout=1200 model=models/default-B.tmn secs=3 append=

while [ $# -gt 0 ]; do
	case "$1" in
	--tag) tag=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--model) model=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "input_run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

n=0
bail() { echo "not ok $((n + 1)) - $*"; echo "1..$((n + 1))"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

case "$tag" in
'') ;;
debug)
	# built on first use (minutes; cached), as tests/kunit/run.sh does
	qemu/debug/build.sh | sed 's/^/# /' ||
		bail "building the debug kernel failed (qemu/debug/build.sh)"
	env_out=$(qemu/debug/build.sh --env 2>&1) ||
		bail "no debug kernel after qemu/debug/build.sh: $env_out"
	eval "$env_out"
	kernel=$VMLINUZ moddir=$MODDIR kdir=$KDIR
	# as tests/kunit/run.sh: under TCG with KASAN, ACPI's _PRT evaluation
	# can time out and leave virtio-pci (the 9p root) without an interrupt
	append=${TMNET_INPUT_APPEND-acpi=noirq} ;;
*)
	# fetched on first use, as qemu/matrix.sh does (a fresh cache has none)
	if ! env_out=$(qemu/kernels.sh env "$tag" 2>/dev/null); then
		echo "# fetching kernel $tag (qemu/kernels.sh fetch $tag)"
		qemu/kernels.sh fetch "$tag" >&2 || bail "fetching kernel $tag failed"
		env_out=$(qemu/kernels.sh env "$tag" 2>&1) ||
			bail "kernel $tag is not in the cache after a fetch: $env_out"
	fi
	eval "$env_out"
	kernel=$VMLINUZ moddir=$MODDIR kdir=$KDIR ;;
esac
. qemu/guest-kernel.sh
pick_kernel
[ -f "$model" ] || bail "no model $model (make models, or --model FILE)"

log=$BUILD/input/build-$kver.log
mkdir -p "$BUILD/input"
if ! { make -s BUILD="$BUILD" "$BUILD/tmnetctl" "$BUILD/libtmcore.a" &&
       make -s -f qemu/guest.mk BUILD="$BUILD"; } >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building tmnetctl and the guest programs failed"
fi
ok "tmnetctl and tmnet_input_test build"
kb=$BUILD/input/kmod-$kver
if [ "$tag" = debug ]; then
	# KASAN's redzones push the core's GRU frame past 2048 bytes (a
	# warning), as for the stress suite: built without --werror, shown
	qemu/build-module.sh "$kdir" "$kb" 2>&1 || bail "building tmnet.ko for $kver failed ($kb/kbuild.log)"
	grep 'warning:' "$kb/kbuild.log" | sed 's/^/# /'
	ok "tmnet.ko builds for the debug kernel $kver"
else
	qemu/build-module.sh --werror "$kdir" "$kb" 2>&1 ||
		bail "building tmnet.ko for $kver failed, or it warned ($kb/kbuild.log)"
	ok "tmnet.ko builds warning-free for $kver"
fi

# uinput and evdev: the kernel's modules, or built from its sources
has_mod() {
	grep -qE "/$1\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null ||
		find "$moddir" -name "$1.ko*" 2>/dev/null | grep -q .
}
extra=$BUILD/input/extra-$kver
rm -rf "$extra"
mkdir -p "$extra"
need=()
for m in uinput evdev; do has_mod "$m" || need+=("$m"); done
if [ ${#need[@]} -gt 0 ]; then
	src=$kdir
	[ -f "$src/drivers/input/evdev.c" ] ||
		bail "kernel $kver has no ${need[*]} module and $kdir has no sources to build them from"
	: >"$extra/Kbuild"
	# the tree's layout: both include drivers/input/input-compat.h
	mkdir -p "$extra/misc"
	cp "$src/drivers/input/input-compat.h" "$extra/"
	for m in "${need[@]}"; do
		case $m in
		uinput) cp "$src/drivers/input/misc/uinput.c" "$extra/misc/"
			echo "obj-m += misc/uinput.o" >>"$extra/Kbuild" ;;
		evdev) cp "$src/drivers/input/evdev.c" "$extra/"
			echo "obj-m += evdev.o" >>"$extra/Kbuild" ;;
		esac
	done
	make -C "$kdir" M="$(cd "$extra" && pwd)" modules >"$extra/kbuild.log" 2>&1 ||
		{ tail -n 20 "$extra/kbuild.log" | sed 's/^/# /'; bail "building ${need[*]} for $kver from its sources failed"; }
	ok "${need[*]} built out of tree from the kernel's own sources (not configured as modules)"
fi

res=$BUILD/input/results-$kver
rm -rf "$res" && mkdir -p "$res"
res=$(cd "$res" && pwd)
cp "$model" "$res/model.tmn"
qemu/run-guest.sh --kernel "$kernel" --moddir "$moddir" --results "$res" \
	--log "$BUILD/input/serial-$kver.log" --timeout "$timeout" ${append:+--append "$append"} -- \
	env CTL="$BUILD/tmnetctl" TEST="$BUILD/guest/tmnet_input_test" \
	EXTRA="$(cd "$extra" && pwd)" SECS="$secs" \
	tests/guest/input_guest.sh "$kb/tmnet.ko" "$res" "$moddir" >&2
rc=$?
if [ -s "$res/output.txt" ]; then
	awk -v base="$n" '/^(not )?ok [0-9]+/ { if ($1 == "not") $3 = $3 + base; else $2 = $2 + base }
	     /^1\.\.[0-9]+$/ { $0 = "1.." (substr($0, 4) + base) }
	     { print }' "$res/output.txt"
fi
case $rc in
0) ;;
1) echo "# guest test failed; serial log: $BUILD/input/serial-$kver.log" ;;
124) echo "not ok 999 - guest timed out after ${timeout}s"
     tail -n 40 "$BUILD/input/serial-$kver.log" | sed 's/^/# /' ;;
*) echo "not ok 999 - guest died without a verdict (status $rc)"
   tail -n 60 "$BUILD/input/serial-$kver.log" | sed 's/^/# /' ;;
esac
exit $rc
