#!/bin/bash
# tests/selftests/guest.sh - guest side of tests/selftests/run.sh: load
# tmnet.ko (two instances), run every kselftest binary and print its KTAP
# output framed by "## BEGIN name" / "## END name status" lines.
#
#   tests/selftests/guest.sh KO BINDIR RESULTS
set -u
case "${1:-}" in
-h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -eq 3 ] || { echo "usage: guest.sh KO BINDIR RESULTS (see --help)" >&2; exit 2; }
ko=$1 bin=$2 res=$3
if ! insmod "$ko" instances=2; then
	echo "## INSMOD-FAILED"
	exit 1
fi
echo "## INSMOD-OK"
export TMNET_BLOB=$res/b1.tmn TMNET_BLOB_1K=$res/rate1000.tmn
rc=0
for t in nl_test dev_test debugfs_test kmod_test; do
	echo "## BEGIN $t"
	"$bin/$t" 2>&1
	s=$?
	echo "## END $t $s"
	[ $s -eq 0 ] || rc=1
done
if ! rmmod tmnet; then
	echo "## RMMOD-FAILED"
	rc=1
else
	echo "## RMMOD-OK"
fi
if dmesg | grep -E 'BUG:|WARNING:|KASAN|Oops|lockdep|kmemleak' >"$res/splat.txt"; then
	echo "## SPLAT"
	sed 's/^/# /' "$res/splat.txt"
	rc=1
else
	echo "## NO-SPLAT"
fi
exit $rc
