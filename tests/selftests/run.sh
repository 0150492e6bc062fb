#!/bin/bash
# tests/selftests/run.sh - the tmnet kselftests: build the C programs of
# tests/selftests/ with the kernel's kselftest_harness.h (from Debian's
# linux-source-6.12, extracted under /var/cache/tmnet/), build tmnet.ko for
# the guest kernel, boot it in QEMU (TCG) with qemu/run-guest.sh, load the
# module and run the programs (tests/selftests/guest.sh).  Their KTAP is
# re-emitted as TAP ("ok N - prog: test").
#
#   tests/selftests/run.sh [--kernel FILE] [--moddir DIR] [--kdir DIR]
#                          [--timeout SEC]
#
#   --kernel FILE   guest kernel (default: newest /boot/vmlinuz-6.1.*)
#   --moddir DIR    its modules (default /lib/modules/<version>)
#   --kdir DIR      its headers (default <moddir>/build)
#   --timeout SEC   guest timeout (default 600)
#   -h, --help      this text
#
# Artifacts: build/selftests/ (binaries, serial log, guest output).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
kernel= moddir= kdir= timeout=600
SRC612=${TMNET_CACHE:-/var/cache/tmnet}/linux-source-6.12
KSFT=$SRC612/tools/testing/selftests

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

n=0 fails=0
bail() { echo "not ok $((n + 1)) - $*"; echo "1..$((n + 1))"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

. qemu/guest-kernel.sh
pick_kernel

# ---- the kselftest harness (Debian's linux-source-6.12) -----------------------
if [ ! -f "$KSFT/kselftest_harness.h" ] || [ ! -f "$KSFT/kselftest.h" ]; then
	tar=/usr/src/linux-source-6.12.tar.xz
	[ -f "$tar" ] || bail "no $tar (apt-get install linux-source-6.12)"
	echo "# extracting the kselftest harness from $tar"
	mkdir -p "$(dirname "$SRC612")"
	tar -C "$(dirname "$SRC612")" -xf "$tar" \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h ||
		bail "cannot extract the kselftest harness from $tar"
fi

# ---- build (host) -----------------------------------------------------------------
out=$BUILD/selftests
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build-$kver.log
if ! make -s -C tests/selftests KSFT="$KSFT" OUT="$out" >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building the kselftest programs (gcc -Wall -Wextra -Werror) failed"
fi
ok "kselftest programs build with -Wall -Wextra -Werror"
if ! { make -s BUILD="$BUILD" "$BUILD/libtmcore.a" &&
       make -s -f qemu/guest.mk BUILD="$BUILD"; } >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -n 30
	bail "building the guest programs (mkblob) failed"
fi
kb=$out/kmod-$kver
qemu/build-module.sh "$kdir" "$kb" 2>&1 || bail "building tmnet.ko for $kver failed ($kb/kbuild.log)"
ok "tmnet.ko builds for $kver"

# ---- inputs ---------------------------------------------------------------------
res=$out/results-$kver
rm -rf "$res" && mkdir -p "$res"
"$BUILD/guest/mkblob" --system B --seed 1 --out-scale 1000 -o "$res/b1.tmn" | sed 's/^/# /'
"$BUILD/guest/mkblob" --system B --seed 1 --rate 1000 -o "$res/rate1000.tmn" | sed 's/^/# /'
[ -s "$res/b1.tmn" ] && [ -s "$res/rate1000.tmn" ] || bail "mkblob wrote no model"

# ---- boot the guest --------------------------------------------------------------
qemu/run-guest.sh --kernel "$kernel" --moddir "$moddir" --results "$res" \
	--log "$out/serial-$kver.log" --timeout "$timeout" -- \
	tests/selftests/guest.sh "$kb/tmnet.ko" "$out" "$res" >&2
rc=$?

# ---- KTAP -> TAP ----------------------------------------------------------------
o=$res/output.txt
if [ ! -s "$o" ]; then
	nok "guest produced no output (status $rc)"
	tail -n 40 "$out/serial-$kver.log" | sed 's/^/# /'
	echo "1..$n"
	exit 1
fi
if grep -q '^## INSMOD-OK' "$o"; then ok "insmod tmnet.ko instances=2"; else nok "insmod tmnet.ko instances=2"; fi
prog=
while IFS= read -r line; do
	case "$line" in
	"## BEGIN "*) prog=${line#\#\# BEGIN }; seen=0 ;;
	"## END "*)
		st=${line##* }
		[ "$seen" -gt 0 ] || nok "$prog: ran no test (status $st)"
		[ "$st" = 0 ] || [ "$seen" -eq 0 ] || echo "# $prog exited with status $st"
		prog= ;;
	*)
		[ -n "$prog" ] || continue
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]]; then
			seen=$((seen + 1))
			desc=${BASH_REMATCH[2]}
			if [ -n "${BASH_REMATCH[1]}" ]; then nok "$prog: $desc"; else ok "$prog: $desc"; fi
		elif [[ $line =~ ^(TAP|KTAP|1\.\.) ]]; then
			:
		elif [[ $line == \#* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi ;;
	esac
done <"$o"
[ -z "$prog" ] || nok "$prog: guest stopped while it ran"
if grep -q '^## RMMOD-OK' "$o"; then ok "rmmod tmnet"; else nok "rmmod tmnet"; fi
if grep -q '^## NO-SPLAT' "$o"; then ok "no splat in dmesg"; else nok "no splat in dmesg"; grep '^# ' "$o"; fi
case $rc in
0|1) ;;
124) nok "guest timed out after ${timeout}s" ;;
*) nok "guest died without a verdict (status $rc)"
   tail -n 40 "$out/serial-$kver.log" | sed 's/^/# /' ;;
esac
echo "1..$n"
[ "$fails" -eq 0 ] && [ "$rc" -eq 0 ]
