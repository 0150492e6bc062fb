#!/bin/bash
# tests/guest/input_guest.sh - the input-device suite, run as root INSIDE a
# guest (see tests/guest/input_run.sh).  Prints TAP; exit 0 iff all passed.
#
#   CTL=tmnetctl TEST=tmnet_input_test EXTRA=DIR SECS=S \
#       tests/guest/input_guest.sh KO RESULTS MODDIR
#
# Loads evdev and uinput (the kernel's modules from MODDIR, or the ones
# built into EXTRA), tmnet.ko with two instances, runs tmnet_input_test
# (which ends with rmmod tmnet while a tablet is attached and ticking) and
# checks the kernel log for splats.
set -u
KO=$1 R=$2 MODDIR=$3
n=0 fails=0
t() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
kml=/sys/kernel/debug/kmemleak
echo "# guest kernel $(uname -r), $(nproc) CPUs"
dmesg -C
# kernels with kmemleak (the debug kernel): only what happens from here counts
[ -w "$kml" ] && { echo scan >"$kml"; echo clear >"$kml"; }
tmp=$(mktemp -d /tmp/tmnet-mods.XXXXXX)
for m in evdev uinput; do
	if [ -e "/sys/module/$m" ]; then
		t 0 "$m is built in or loaded"
		continue
	fi
	f=$(find "$EXTRA" "$MODDIR" -name "$m.ko*" 2>/dev/null | head -n 1)
	case "$f" in
	*.ko.xz) xz -dc "$f" >"$tmp/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$tmp/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$tmp/$m.ko" ;;
	?*) cp "$f" "$tmp/$m.ko" ;;
	esac
	insmod "$tmp/$m.ko" 2>"$tmp/err"
	t $? "insmod $m ($f) $(cat "$tmp/err")"
done
for i in $(seq 50); do [ -c /dev/uinput ] && break; sleep 0.1; done
[ -c /dev/uinput ]
t $? "/dev/uinput exists"
insmod "$KO" instances=2
t $? "insmod $(basename "$KO") instances=2"
"$TEST" --ctl "$CTL" --blob "$R/model.tmn" --seconds "${SECS:-3}" --unload >"$tmp/test.tap" 2>&1
rc=$?
awk -v base="$n" '/^(not )?ok [0-9]+/ { if ($1 == "not") $3 = $3 + base; else $2 = $2 + base; print; next }
	/^1\.\.[0-9]+$/ { next } { print }' "$tmp/test.tap"
p=$(grep -cE '^ok [0-9]+' "$tmp/test.tap")
f=$(grep -cE '^not ok [0-9]+' "$tmp/test.tap")
n=$((n + p + f))
fails=$((fails + f))
[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || t 1 "tmnet_input_test exited with status $rc"
[ ! -e /sys/module/tmnet ]
t $? "tmnet is unloaded"
dmesg >"$R/dmesg.txt"
! grep -E 'BUG:|WARNING:|possible circular|inconsistent lock|KASAN|UBSAN|sleeping function|Call Trace' "$R/dmesg.txt" >"$tmp/splat"
t $? "no splat in the kernel log $(head -n 3 "$tmp/splat" | tr '\n' ' ')"
grep -E 'tmnet' "$R/dmesg.txt" | sed 's/^/# dmesg: /' | head -n 20
if [ -w "$kml" ]; then
	# objects younger than 5 s are not reported: let the unload's age
	sleep 6
	echo scan >"$kml"
	echo scan >"$kml"
	cat "$kml" >"$R/kmemleak.txt"
	leaks=$(grep -c '^unreferenced object' "$R/kmemleak.txt")
	[ "$leaks" -eq 0 ]
	t $? "kmemleak: $leaks suspected leaks after the run and the unload"
	[ "$leaks" -eq 0 ] || head -n 40 "$R/kmemleak.txt" | sed 's/^/# /'
fi
echo "1..$n"
rm -rf "$tmp"
[ "$fails" -eq 0 ]
