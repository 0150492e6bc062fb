#!/bin/bash
# Run every host unit-test binary (cmocka, built with ASan+UBSan) with TAP
# output.  Each cmocka test becomes one "ok/not ok" line.
set -u
BUILD=${BUILD:-build}
rc=0
n=0
for t in "$BUILD"/san/tests/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	echo "# $(basename "$t")"
	CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t" || rc=1
done
if [ "$n" -eq 0 ]; then
	echo "not ok 1 - no unit-test binaries under $BUILD/san/tests"
	exit 1
fi
exit $rc
