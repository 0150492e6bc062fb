#!/bin/bash
# qemu/smoke.sh - build tmnet.ko for a Debian kernel, boot that kernel in
# QEMU (TCG) and run the tmnet smoke test in the guest.  Prints TAP lines.
#
#   qemu/smoke.sh [--kernel FILE] [--moddir DIR] [--kdir DIR]
#                 [--seconds S] [--timeout SEC] [--append ARGS]
#
#   --kernel FILE   guest kernel (default: newest /boot/vmlinuz-6.1.*, the
#                   linux-image-amd64 kernel)
#   --moddir DIR    its modules (default /lib/modules/<version>)
#   --kdir DIR      its headers/kbuild tree (default <moddir>/build)
#   --seconds S     replay run length (default 2.5); S >= 10 runs only the
#                   latency measurement and prints the per-stage table
#   --timeout SEC   guest timeout (default 900)
#   --append ARGS   extra guest kernel command line (e.g. pci=noacpi for
#                   the tinyconfig debug kernel of qemu/debug/build.sh)
#   -h, --help      this text
#
# Also trains a 20 ms-horizon model (tmnet train --horizon-ms 20, a few
# seconds) that the guest replays for kernel/userspace parity; TMNET names
# the tmnet binary to use (default: $BUILD/tmnet, built).
# Needs the Debian packages in tools/deps.sh (installed if missing).
# Artifacts: build/qemu/ (serial log, results), build/kmod/<version>/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
kernel= moddir= kdir= secs=2.5 timeout=900 append=

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "smoke.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

bail() { echo "not ok 1 - $*"; exit 1; }

tools/deps.sh check >/dev/null 2>&1 || tools/deps.sh install >&2 ||
	bail "cannot install the Debian packages (tools/deps.sh install)"

. qemu/guest-kernel.sh
pick_kernel

# ---- build: userspace core, guest programs, the module (out of the tree) ---
log=$BUILD/qemu/build-$kver.log
mkdir -p "$BUILD/qemu"
if ! { make -s BUILD="$BUILD" "$BUILD/libtmcore.a" &&
       make -s -f qemu/guest.mk BUILD="$BUILD"; } >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building the guest programs failed"
fi
kb=$BUILD/kmod/$kver
qemu/build-module.sh --werror "$kdir" "$kb" 2>&1 ||
	bail "building tmnet.ko for $kver failed, or it warned ($kb/kbuild.log)"
kk=$kb/kapi
mkdir -p "$kk" && cp tests/guest/kapi/Kbuild tests/guest/kapi/*.c "$kk/"
if ! make -C "$kdir" M="$(cd "$kk" && pwd)" TMNET_SRC="$(cd "$kb" && pwd)" \
	KBUILD_EXTRA_SYMBOLS="$(cd "$kb" && pwd)/Module.symvers" modules >>"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building tmnet_kapi_test.ko for $kver failed"
fi
if grep -E 'warning:' "$log" >/dev/null; then
	grep -E 'warning:' "$log" | sed 's/^/# /'
	bail "tmnet.ko for $kver built with warnings"
fi
echo "ok 1 - tmnet.ko and its API test module build warning-free for $kver"

# ---- the test model, also as a firmware file --------------------------------
res=$BUILD/qemu/results-$kver
rm -rf "$res" && mkdir -p "$res/fw/tmnet"
res=$(cd "$res" && pwd)	# the firmware loader wants an absolute path
# out-scale 10: the gate passes ~80 % of the ticks and rejects the rest
"$BUILD/guest/mkblob" --system B --seed 1 --out-scale 1000 -o "$res/model-b.tmn" | sed 's/^/# /'
cp "$res/model-b.tmn" "$res/fw/tmnet/"
# a model trained with a 20 ms horizon (tmnet train --horizon-ms 20): the
# guest checks that the kernel runs it bit for bit as the userspace core
h20=$res/h20
mkdir -p "$h20"
T=${TMNET:-$BUILD/tmnet}
if ! { { [ -n "${TMNET:-}" ] || make -s BUILD="$BUILD" "$BUILD/tmnet"; } &&
       "$T" data gen --seed 20 --seconds 30 -o "$h20/data.csv" &&
       "$T" train -d "$h20/data.csv" -S B -o "$h20/h20.ckpt" --horizon-ms 20 \
		--window-ms 16 --hidden 8 -e 1 -q -j 1 &&
       "$T" quantize -m "$h20/h20.ckpt" -d "$h20/data.csv" -o "$res/model-h20.tmn"; } \
	>"$h20/log" 2>&1; then
	sed 's/^/# /' "$h20/log" | tail -n 20
	echo "not ok 2 - training the 20 ms-horizon model failed"
	exit 1
fi
grep -E '^(kalman fit|gate fit|.*model-h20.tmn:)' "$h20/log" | sed 's/^/# /'
rm -f "$h20/data.csv"

# ---- boot the guest ----------------------------------------------------------
qemu/run-guest.sh --kernel "$kernel" --moddir "$moddir" --results "$res" \
	--log "$BUILD/qemu/serial-$kver.log" --timeout "$timeout" \
	${append:+--append "$append"} -- \
	env BIN="$BUILD/guest" KAPI="$kk/tmnet_kapi_test.ko" qemu/guest-smoke.sh "$kb/tmnet.ko" "$res" "$secs" >&2
rc=$?
# the guest's TAP lines, renumbered after our own "ok 1"
if [ -s "$res/output.txt" ]; then
	awk '/^(not )?ok [0-9]+/ { if ($1 == "not") $3 = $3 + 1; else $2 = $2 + 1 }
	     /^1\.\.[0-9]+$/ { $0 = "1.." (substr($0, 4) + 1) }
	     { print }' "$res/output.txt"
fi
case $rc in
0) ;;
1) echo "# guest test failed; serial log: $BUILD/qemu/serial-$kver.log" ;;
124) echo "not ok 999 - guest timed out after ${timeout}s"
     tail -n 40 "$BUILD/qemu/serial-$kver.log" | sed 's/^/# /' ;;
*) echo "not ok 999 - guest died without a verdict (status $rc)"
   tail -n 60 "$BUILD/qemu/serial-$kver.log" | sed 's/^/# /' ;;
esac
exit $rc
