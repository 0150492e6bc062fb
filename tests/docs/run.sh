#!/bin/bash
# tests/docs/run.sh host|guest - run every command in the docs, so that
# the docs cannot rot.  Prints TAP lines.
#
#   host    the ```sh blocks of docs/*.md and the EXAMPLES of docs/man/*.1,
#           in a scratch directory that links the checkout's top level
#           (quick: part of make check-quick), and the ```python snippet of
#           the model card that tmnet export-hf writes (tests/export/run.sh
#           --card)
#   guest   first the host blocks again (as setup, reported as comments),
#           then the ```sh long blocks on the host (make demo), then the
#           ```sh root blocks and the EXAMPLES of the section 4 and 8 man
#           pages (.EX/.EE blocks) as root in a
#           QEMU guest (qemu/run-guest.sh, stock 6.1 kernel, booted with
#           isolcpus=1 nohz_full=1 rcu_nocbs=1 for docs/rt-hosts.md)
#
# Blocks tagged ```sh norun are listed as comments with the reason they
# give.  tests/docs/extract.py describes the tags.  Each block runs in its
# own bash with -e -o pipefail; files carry over from block to block.
#
# In the guest, "modprobe tmnet ARGS" is the freshly built tmnet.ko
# (insmod build/kmod/docs-<version>/tmnet.ko ARGS: the docs assume
# make dkms-install, which the test does not do to the host), and the
# firmware loader looks in WORK/fw, which holds models/default-B.tmn as
# tmnet/default-B.tmn (or, until that model is in the tree, the
# tutorial's my-B.tmn, said in the output); a tmpfs on the guest's
# /lib/firmware holds the same file as tmnet/default-B.tmn.
set -u
mode=${1:-host}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
work=$BUILD/docs/work
blocks=$work/_blocks	# inside work: the guest can write only there
n=0
fails=0

tap() {	# status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

docs=$(ls docs/*.md 2>/dev/null)
man1=$(ls docs/man/*.1 2>/dev/null)
man4=$(ls docs/man/*.4 2>/dev/null)
# tmnetctl(8) ships with its tool; its .EX/.EE examples run as root too
man8=$(ls docs/man/*.8 userspace/*/*.8 2>/dev/null)
rm -rf "$work"
mkdir -p "$blocks"
# shellcheck disable=SC2086
if ! python3 tests/docs/extract.py "$blocks" $docs $man1 $man4 $man8 >"$BUILD/docs/extract.log" 2>&1; then
	sed 's/^/# /' "$BUILD/docs/extract.log"
	tap 1 "extract the commands from the docs"
	exit 1
fi
for e in "$root"/*; do
	ln -s "$e" "$work/$(basename "$e")"
done
export PATH="$root/build:$PATH"

# the tools the docs use
make -s BUILD="$BUILD" all >"$BUILD/docs/build.log" 2>&1 || {
	tail -n 20 "$BUILD/docs/build.log" | sed 's/^/# /'
	tap 1 "make (the docs start after it)"
	exit 1
}

run_block() {	# file timeout -> status; log in file.log
	(cd "$work" && timeout -k 5 "$2" bash -e -o pipefail "$1") >"$1.log" 2>&1
}

host_blocks() {	# report: tap|comment
	local id kind src first why rc
	while IFS=$'\t' read -r id kind src first why; do
		case "$kind" in
		norun) echo "# not run: $src: $first ($why)"; continue ;;
		host) ;;
		*) continue ;;
		esac
		run_block "$blocks/$id.$kind.sh" 600
		rc=$?
		if [ "$1" = tap ]; then
			tap $rc "$src: $first"
		elif [ $rc -ne 0 ]; then
			tap $rc "setup for the guest blocks: $src: $first"
		else
			echo "# setup ok: $src: $first"
		fi
		[ $rc -eq 0 ] || sed 's/^/#   /' "$blocks/$id.$kind.sh.log" | tail -n 15
	done <"$blocks/index.tsv"
}

if [ "$mode" = host ]; then
	host_blocks tap
	# the model card is not a file in docs/: tmnet export-hf writes it; its
	# Python snippet is run on a System A and a System B export
	out=$(BUILD="$BUILD" tests/export/run.sh --card 2>&1)
	rc=$?
	echo "$out" | grep -E '^# torch|^not ok' | sed 's/^not ok/# not ok/'
	tap $rc "model card (tmnet export-hf README.md): its Python snippet = the C float network (A, B)"
	echo "1..$n"
	[ $fails -eq 0 ]
	exit
fi
[ "$mode" = guest ] || { echo "usage: $0 host|guest" >&2; exit 2; }

host_blocks setup

# ---- long host blocks (make demo) ---------------------------------------------
while IFS=$'\t' read -r id kind src first why; do
	[ "$kind" = long ] || continue
	run_block "$blocks/$id.$kind.sh" 900
	rc=$?
	tap $rc "$src: $first"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$blocks/$id.$kind.sh.log" | tail -n 25
done <"$blocks/index.tsv"

# ---- root blocks in a guest -----------------------------------------------------
. qemu/guest-kernel.sh
kernel=$(stock_kernel) || { tap 1 "no /boot/vmlinuz-6.1.* for the guest"; echo "1..$n"; exit 1; }
kver=$(basename "$kernel"); kver=${kver#vmlinuz-}
kb=$BUILD/kmod/docs-$kver
if ! qemu/build-module.sh "/lib/modules/$kver/build" "$kb" 2>&1; then
	tap 1 "build tmnet.ko for $kver ($kb/kbuild.log)"
	echo "1..$n"
	exit 1
fi
mkdir -p "$work/fw/tmnet"
if [ -f models/default-B.tmn ]; then
	cp models/default-B.tmn "$work/fw/tmnet/default-B.tmn"
elif [ -f "$work/my-B.tmn" ]; then
	echo "# models/default-B.tmn is not in the tree yet: the guest's default-B.tmn is the tutorial's my-B.tmn"
	cp "$work/my-B.tmn" "$work/fw/tmnet/default-B.tmn"
fi

{
	printf 'KO=%q\nWORK=%q\nBLOCKS=%q\nN=%d\n' "$kb/tmnet.ko" "$work" "$blocks" "$n"
	# the host's PATH (with build/, for tmnet and tmnetctl) does not cross
	printf 'PATH=%q\n' "$PATH"
	cat <<'EOS'
# runs as root in the guest; prints TAP lines numbered from N + 1
modprobe() {
	if [ "${1:-}" = tmnet ]; then shift; insmod "$KO" "$@"; else command modprobe "$@"; fi
}
sudo() { "$@"; }
export -f modprobe sudo
export KO PATH
# the firmware loader resolves paths in init's root (the initramfs)
fw=$WORK/fw
[ -d "/proc/1/root/newroot$fw" ] && fw=/newroot$fw
echo -n "$fw" >/sys/module/firmware_class/parameters/path
# what make dkms-install would have put there (the host root is read-only)
if [ -f "$WORK/fw/tmnet/default-B.tmn" ]; then
	mount -t tmpfs tmnet-fw /lib/firmware && mkdir /lib/firmware/tmnet &&
		cp "$WORK/fw/tmnet/default-B.tmn" /lib/firmware/tmnet/
fi
dmesg -C
while IFS=$'\t' read -r id kind src first why; do
	[ "$kind" = root ] || continue
	N=$((N + 1))
	if (cd "$WORK" && timeout -k 5 300 bash -e -o pipefail "$BLOCKS/$id.$kind.sh") >"$BLOCKS/$id.$kind.sh.log" 2>&1; then
		echo "ok $N - $src (root, guest $(uname -r)): $first"
	else
		echo "not ok $N - $src (root, guest $(uname -r)): $first"
		tail -n 15 "$BLOCKS/$id.$kind.sh.log" | sed 's/^/#   /'
	fi
	lsmod | grep -q '^tmnet ' && rmmod tmnet
done <"$BLOCKS/index.tsv"
N=$((N + 1))
if dmesg | grep -qE 'BUG:|WARNING:|Oops|Call Trace|UBSAN|KASAN'; then
	echo "not ok $N - no splat in dmesg after the docs' commands"
	dmesg | grep -E -A5 'BUG:|WARNING:|Oops' | head -n 20 | sed 's/^/#   /'
else
	echo "ok $N - no splat in dmesg after the docs' commands"
fi
EOS
} >"$work/guest-docs.sh"

qemu/run-guest.sh --kernel "$kernel" --results "$work" --log "$BUILD/docs/serial.log" \
	--timeout 900 --append "isolcpus=1 nohz_full=1 rcu_nocbs=1" -- \
	bash "$work/guest-docs.sh" >"$BUILD/docs/run-guest.log" 2>&1
grc=$?
if [ -s "$work/output.txt" ]; then
	grep -E '^(ok|not ok) [0-9]+|^#' "$work/output.txt"
	n=$(grep -cE '^(ok|not ok) [0-9]+' "$work/output.txt" | awk -v n="$n" '{ print n + $1 }')
	fails=$((fails + $(grep -cE '^not ok [0-9]+' "$work/output.txt")))
fi
case $grc in
0|1) ;;
*) tap 1 "the guest ended without a verdict (status $grc; log $BUILD/docs/serial.log)"
   tail -n 20 "$BUILD/docs/serial.log" | sed 's/^/# /' ;;
esac
echo "1..$n"
[ $fails -eq 0 ]
