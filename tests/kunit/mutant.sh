#!/bin/bash
# tests/kunit/mutant.sh - proof that the debug kernel catches broken kernel
# code: tmnet_kunit.ko is rebuilt with one deliberate bug in a copy of
# kmod/tmnet_dev.c, booted like tests/kunit/run.sh, and the run must FAIL
# (a KASAN/lockdep/BUG splat, or a failing engine case).  Prints TAP: "ok"
# means the mutant was caught.
#
#   tests/kunit/mutant.sh [--mutant NAME]... [--help]
#
#   uaf-destroy   tmnet_dev_destroy() frees the device and then destroys
#                 its read_lock (a use after free on every rmmod and every
#                 engine case); KASAN reports it on every run.  (default)
#   no-rcu-swap   the model swap frees the old model with kfree() instead
#                 of kfree_rcu(): the tick may still be reading it.  A race:
#                 caught only when a tick reads the model inside the window
#                 (KASAN or the swap case), so not every run catches it.
#
# The repository is not modified: the mutants are copies under
# $BUILD/kunit-mutant/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
mutants=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--mutant)
		case "${2:-}" in
		uaf-destroy|no-rcu-swap) mutants+=("$2") ;;
		*) echo "mutant.sh: unknown mutant '${2:-}' (uaf-destroy or no-rcu-swap)" >&2; exit 2 ;;
		esac
		shift 2 ;;
	*) echo "mutant.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ ${#mutants[@]} -gt 0 ] || mutants=(uaf-destroy)

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

qemu/debug/build.sh >/dev/null || { echo "not ok 1 - debug kernel build"; exit 1; }
eval "$(qemu/debug/build.sh --env)"

# mutate NAME OUTFILE: write the mutated tmnet_dev.c, or print why not
mutate() {
	local line
	case "$1" in
	no-rcu-swap)
		line=$(awk '/^int tmnet_dev_load_model/ { f = 1 }
			f && /kfree_rcu\(old, rcu\);/ { print NR; exit }' kmod/tmnet_dev.c)
		[ -n "$line" ] || { echo "no kfree_rcu(old, rcu) in tmnet_dev_load_model"; return 1; }
		sed "${line}s/kfree_rcu(old, rcu);/kfree(old);/" kmod/tmnet_dev.c >"$2"
		;;
	uaf-destroy)
		# move "kfree(dev);" of tmnet_dev_destroy() above its last mutex_destroy()
		line=$(awk '/^void tmnet_dev_destroy/ { f = 1 }
			f && /mutex_destroy\(&dev->read_lock\);/ { print NR; exit }' kmod/tmnet_dev.c)
		[ -n "$line" ] && sed -n "$((line + 1))p" kmod/tmnet_dev.c | grep -q '^	kfree(dev);$' ||
			{ echo "tmnet_dev_destroy() does not end with mutex_destroy(read_lock); kfree(dev)"; return 1; }
		awk -v l="$line" 'NR == l { held = $0; next }
			NR == l + 1 { print; print held; next } { print }' kmod/tmnet_dev.c >"$2"
		;;
	esac
}

for m in "${mutants[@]}"; do
	out=$BUILD/kunit-mutant/$m/$KVER
	mkdir -p "$out"
	tests/kunit/build.sh --kdir "$KDIR" --out "$out" >/dev/null ||
		{ nok "$m: tmnet_kunit.ko builds"; continue; }
	if ! why=$(mutate "$m" "$out/mutant_tmnet_dev.c"); then
		nok "$m: mutation applies ($why)"
		continue
	fi
	if cmp -s kmod/tmnet_dev.c "$out/mutant_tmnet_dev.c"; then
		nok "$m: mutation changed nothing"
		continue
	fi
	printf '// SPDX-License-Identifier: GPL-2.0\n#include "%s"\n' "$out/mutant_tmnet_dev.c" \
		>"$out/kmod_tmnet_dev.c"
	if ! make -C "$KDIR" M="$out" TMNET_ROOT="$root" modules >"$out/build.log" 2>&1; then
		nok "$m: mutant builds (log $out/build.log)"
		continue
	fi
	echo "# $m: $(diff kmod/tmnet_dev.c "$out/mutant_tmnet_dev.c" | grep -c '^[<>]') lines changed"
	res=$out/results
	rm -rf "$res"
	mkdir -p "$res/out"
	qemu/run-guest.sh --kernel "$VMLINUZ" --moddir "$MODDIR" --results "$res" \
		--log "$res/serial.log" --timeout 900 --append "${TMNET_KUNIT_APPEND-acpi=noirq}" -- \
		tests/kunit/guest.sh "$out/tmnet_kunit.ko" "$res/out" >/dev/null
	python3 tests/kunit/ktap.py --prefix mutant --splat-log "$res/serial.log" \
		"$res/out/dmesg.txt" >"$res/ktap.txt"
	# caught = a splat, or an engine case failed
	splat=$(grep -c '^not ok .* no kernel splat' "$res/ktap.txt")
	cases=$(grep -v 'no kernel splat' "$res/ktap.txt" | grep -c '^not ok .*eng_')
	grep -E '^#   (BUG|WARNING|.*KASAN)' "$res/ktap.txt" | head -n 3 | sed "s/^#/# $m:/"
	if [ "$splat" -gt 0 ] || [ "$cases" -gt 0 ]; then
		ok "$m: the debug kernel fails the run (splat: $splat, engine cases failed: $cases)"
	else
		nok "$m: the debug kernel missed it (log $res/serial.log)"
	fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
