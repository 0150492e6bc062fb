#!/bin/bash
# tests/guest/ctl_run.sh - the control-plane suite: build tmnet.ko and
# tmnetctl, boot a Debian kernel in QEMU (TCG) and drive every op of the
# tmnet generic netlink family through tmnetctl, a raw-socket client and
# the kernel's own YNL client (tests/guest/ctl_guest.sh).  Prints TAP.
#
#   tests/guest/ctl_run.sh [--kernel FILE] [--moddir DIR] [--kdir DIR]
#                          [--timeout SEC]
#
#   --kernel FILE   guest kernel (default: newest /boot/vmlinuz-6.1.*)
#   --moddir DIR    its modules (default /lib/modules/<version>)
#   --kdir DIR      its headers (default <moddir>/build)
#   --timeout SEC   guest timeout (default 1200)
#   -h, --help      this text
#
# Needs linux-source-6.12 (for tools/net/ynl and the netlink schema, which
# are extracted under /var/cache/tmnet/), python3-yaml, python3-jsonschema
# (tools/deps.sh).  Artifacts: build/ctl/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
kernel= moddir= kdir= timeout=1200
SRC612=${TMNET_CACHE:-/var/cache/tmnet}/linux-source-6.12

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "ctl_run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

n=0
bail() { echo "not ok $((n + 1)) - $*"; echo "1..$((n + 1))"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

tools/deps.sh check >/dev/null 2>&1 || tools/deps.sh install >&2 ||
	bail "cannot install the Debian packages (tools/deps.sh install)"

. qemu/guest-kernel.sh
pick_kernel

# ---- the kernel's YNL client and schema (Debian's linux-source-6.12) -------
if [ ! -f "$SRC612/tools/net/ynl/cli.py" ] ||
   [ ! -f "$SRC612/Documentation/netlink/genetlink.yaml" ]; then
	tar=/usr/src/linux-source-6.12.tar.xz
	[ -f "$tar" ] || bail "no $tar (apt-get install linux-source-6.12)"
	mkdir -p "$(dirname "$SRC612")"
	tar -C "$(dirname "$SRC612")" -xf "$tar" \
		linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink ||
		bail "cannot extract YNL from $tar"
fi

# ---- spec vs header (host) ---------------------------------------------------
out=$(tests/genl/check_spec.py 2>&1)
if echo "$out" | grep -q '^not ok'; then
	echo "$out" | sed 's/^/# /'
	bail "uapi/tmnet.yaml and uapi/linux/tmnet_genl.h disagree (tests/genl/check_spec.py)"
fi
ok "uapi/tmnet.yaml validates against genetlink.yaml and agrees with tmnet_genl.h"

# ---- build ---------------------------------------------------------------------
log=$BUILD/ctl/build-$kver.log
mkdir -p "$BUILD/ctl"
if ! { make -s BUILD="$BUILD" "$BUILD/tmnetctl" "$BUILD/libtmcore.a" &&
       make -s -f qemu/guest.mk BUILD="$BUILD"; } >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building tmnetctl and the guest programs failed"
fi
ok "tmnetctl builds"
kb=$BUILD/ctl/kmod-$kver
qemu/build-module.sh --werror "$kdir" "$kb" 2>&1 ||
	bail "building tmnet.ko for $kver failed, or it warned ($kb/kbuild.log)"
ok "tmnet.ko builds warning-free for $kver"

# ---- inputs: models, broken models, samples ------------------------------------
res=$BUILD/ctl/results-$kver
rm -rf "$res" && mkdir -p "$res"
res=$(cd "$res" && pwd)
mk() { "$BUILD/guest/mkblob" "$@" | sed 's/^/# /'; }
mk --system B --seed 1 --out-scale 1000 -o "$res/b1.tmn"
mk --system B --seed 2 --out-scale 1000 -o "$res/b2.tmn"
mk --system B --seed 1 --rate 1000 -o "$res/rate1000.tmn"
# a flipped byte in the weights: the CRC catches it
cp "$res/b1.tmn" "$res/crc.tmn"
printf '\xff' | dd of="$res/crc.tmn" bs=1 seek=2000 conv=notrunc status=none
head -c 1000 "$res/b1.tmn" >"$res/short.tmn"
head -c 40000 /dev/zero >"$res/big.tmn"
: >"$res/empty.tmn"
# 3000 samples at 2 kHz of a drifting ellipse (3 x 2 units, 0.4 Hz), as the
# smoke test uses; every 50th sample is missing
awk 'BEGIN { print "t_ns,x,y,vx,vy,valid"
	     w = 2 * 3.14159265358979 * 0.4
	     for (i = 0; i < 3000; i++) {
		t = i / 2000.0
		printf "%d,%.6f,%.6f,%.6f,%.6f,%d\n", i * 500000,
		       3 * cos(w * t) + 0.5 * t, 2 * sin(w * t) - 0.2 * t,
		       -3 * w * sin(w * t) + 0.5, 2 * w * cos(w * t) - 0.2, i % 50 != 49
	     } }' >"$res/samples.csv"
printf 't_ns,x,y,vx,vy,valid\n0,1,2,3,4,1\n1,1,2,3\n' >"$res/bad.csv"
head -c 3000 "$res/samples.csv" >"$res/notamodel.txt"

# ---- boot the guest ------------------------------------------------------------
qemu/run-guest.sh --kernel "$kernel" --moddir "$moddir" --results "$res" \
	--log "$BUILD/ctl/serial-$kver.log" --timeout "$timeout" -- \
	env CTL="$(cd "$BUILD" && pwd)/tmnetctl" YNL="$SRC612/tools/net/ynl" \
	tests/guest/ctl_guest.sh "$kb/tmnet.ko" "$res" >&2
rc=$?
if [ -s "$res/output.txt" ]; then
	awk -v base="$n" '/^(not )?ok [0-9]+/ { if ($1 == "not") $3 = $3 + base; else $2 = $2 + base }
	     /^1\.\.[0-9]+$/ { $0 = "1.." (substr($0, 4) + base) }
	     { print }' "$res/output.txt"
fi
case $rc in
0) ;;
1) echo "# guest test failed; serial log: $BUILD/ctl/serial-$kver.log" ;;
124) echo "not ok 999 - guest timed out after ${timeout}s"
     tail -n 40 "$BUILD/ctl/serial-$kver.log" | sed 's/^/# /' ;;
*) echo "not ok 999 - guest died without a verdict (status $rc)"
   tail -n 60 "$BUILD/ctl/serial-$kver.log" | sed 's/^/# /' ;;
esac
exit $rc
