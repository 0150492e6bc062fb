#!/bin/sh
# tests/kunit/guest.sh MODULE OUTDIR - runs inside the QEMU guest (through
# qemu/run-guest.sh): loads the KUnit module, which runs every suite, saves
# the kernel log (KTAP) and the KUnit debugfs results, unloads the module,
# runs a kmemleak scan and saves its report.  The host parses everything
# (tests/kunit/ktap.py); this script only fails if a step could not run.
set -u
mod=${1:?usage: guest.sh MODULE OUTDIR}
out=${2:?usage: guest.sh MODULE OUTDIR}
mkdir -p "$out"
rc=0
kml=/sys/kernel/debug/kmemleak

# forget what boot left behind: only leaks from here on count
[ -w "$kml" ] && echo clear >"$kml"
echo "guest.sh: $(uname -r), loading $mod"
t0=$(cut -d' ' -f1 /proc/uptime)
insmod "$mod" || { echo "guest.sh: insmod failed"; rc=1; }
t1=$(cut -d' ' -f1 /proc/uptime)
echo "guest.sh: suites ran in $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')s"
for d in /sys/kernel/debug/kunit/*/; do
	[ -f "$d/results" ] || continue
	cp "$d/results" "$out/debugfs-$(basename "$d").ktap"
done
rmmod tmnet_kunit || { echo "guest.sh: rmmod failed"; rc=1; }
if [ -w "$kml" ]; then
	# kmemleak ignores objects younger than 5 s (MSECS_MIN_AGE), so let
	# the module's last allocations age before scanning twice
	sleep 6
	echo scan >"$kml"
	echo scan >"$kml"
	cat "$kml" >"$out/kmemleak.txt"
	echo "guest.sh: kmemleak: $(grep -c '^unreferenced object' "$out/kmemleak.txt") suspected leaks"
else
	echo "guest.sh: no kmemleak in this kernel"
fi
dmesg >"$out/dmesg.txt"
exit $rc
