#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/import/bench.sh [TICKS] - benchmark, not a test: size and load time of
# the canonical CSV against bare binary sample records (tests/import/bench_csv.c).
#   BUILD=build-x tests/import/bench.sh 5000000
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/libtmnet.a" "$BUILD/libtmcore.a"
cc -O2 -std=c11 -D_GNU_SOURCE -Iuapi -Icore -Iuserspace/libtmnet -o "$BUILD/bench_csv" \
	tests/import/bench_csv.c "$BUILD/libtmnet.a" "$BUILD/libtmcore.a" -lm
exec "$BUILD/bench_csv" "${1:-5000000}" "${TMPDIR:-/tmp}"
