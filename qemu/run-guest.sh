#!/bin/bash
# qemu/run-guest.sh - run one command in a throw-away QEMU guest that sees
# the host's root filesystem read-only, and exit with the command's status.
#
#   qemu/run-guest.sh [options] -- COMMAND [ARG...]
#
#   --kernel FILE    guest kernel image (default: newest /boot/vmlinuz-6.1.*)
#   --moddir DIR     its modules, .../lib/modules/<version> (default:
#                    /lib/modules/<version of --kernel>)
#   --results DIR    writable directory shared with the guest at the same
#                    path (default build/qemu/results); the command's output
#                    is also saved there as output.txt, its status as rc
#   --log FILE       serial console log (default build/qemu/serial-<ver>.log)
#   --timeout SEC    kill the guest after SEC seconds (default 900)
#   --mem MB         guest memory (default 1024)
#   --smp N          guest CPUs (default 2)
#   --append ARGS    extra kernel command line
#   -h, --help       this text
#
# How it works (virtme-ng's idea): a tiny busybox-static initramfs loads the
# kernel's own virtio/9p modules (found with modinfo, in dependency order,
# decompressed if needed), mounts the host's / over 9p read-only, mounts the
# results directory writable over its own path, mounts proc, sys, devtmpfs,
# debugfs and a tmpfs /tmp and /run (binding the work tree back when it lives
# under one of them), and chroots into the host root to run COMMAND
# from the current directory.  The guest reports the status through the
# isa-debug-exit device.  Runs under TCG (TMNET_QEMU_ACCEL=kvm to change).
#
# Exit status: COMMAND's status (0 or 1), 2 for usage errors, 3 when the
# guest died without reporting (panic, reboot), 124 on timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac

kernel= moddir= results= log= timeout=900 mem=1024 smp=2 append=
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run-guest.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || die "no guest command given (see --help)"

. "$(dirname "$0")/guest-kernel.sh"
if [ -z "$kernel" ]; then
	kernel=$(stock_kernel) || die "no /boot/vmlinuz-6.1.* (install linux-image-amd64)"
fi
[ -r "$kernel" ] || die "cannot read kernel $kernel"
kver=$(basename "$kernel"); kver=${kver#vmlinuz-}
[ -n "$moddir" ] || moddir=/lib/modules/$kver
[ -d "$moddir/kernel" ] || die "no modules in $moddir"
mkver=$(basename "$moddir")
modbase=$(cd "$moddir/../../.." && pwd)
[ -n "$results" ] || results=$BUILD/qemu/results
mkdir -p "$results"
results=$(cd "$results" && pwd)
[ -n "$log" ] || log=$BUILD/qemu/serial-$kver.log
mkdir -p "$(dirname "$log")"
busybox=/bin/busybox	# from busybox-static: no shared libraries needed
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 ||
	die "a static /bin/busybox is needed (apt-get install busybox-static)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86 is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/tmnet-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
ird=$work/initramfs
mkdir -p "$ird/bin" "$ird/mods" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot"
cp "$busybox" "$ird/bin/busybox"

# ---- virtio + 9p modules, dependencies first ------------------------------
builtin_has() {
	grep -qE "/$1\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null ||
		grep -qE "/$(echo "$1" | tr _ -)\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null
}
declare -A seen=()
order=()
add_mod() {
	local m=$1 deps d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	builtin_has "$m" && return 0
	deps=$(modinfo -b "$modbase" -k "$mkver" -F depends "$m" 2>/dev/null) ||
		die "module $m not found for $mkver"
	for d in ${deps//,/ }; do add_mod "$d"; done
	order+=("$m")
}
for m in virtio_pci 9pnet_virtio 9p; do add_mod "$m"; done
: >"$ird/mods/list"
for m in "${order[@]}"; do
	f=$(modinfo -b "$modbase" -k "$mkver" -F filename "$m")
	case "$f" in
	*.ko.xz) xz -dc "$f" >"$ird/mods/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$ird/mods/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$ird/mods/$m.ko" ;;
	*) cp "$f" "$ird/mods/$m.ko" ;;
	esac
	echo "$m" >>"$ird/mods/list"
done

# ---- the guest's job -------------------------------------------------------
{
	printf 'GUEST_CWD=%q\n' "$PWD"
	printf 'GUEST_RESULTS=%q\n' "$results"
	printf 'GUEST_CMD=%q\n' "$(printf '%q ' "$@")"
} >"$ird/guest.env"

cat >"$ird/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /guest.env
echo "tmnet-guest: loading $(cat /mods/list | tr '\n' ' ')"
for m in $(cat /mods/list); do
	insmod /mods/$m.ko || echo "tmnet-guest: insmod $m failed"
done
fail() {
	echo "tmnet-guest: $*"
	echo o >/proc/sysrq-trigger
	poweroff -f
}
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot ||
	fail "cannot mount the host root"
# A work tree under /tmp or /run (a CI clone, say) would be hidden by the
# tmpfs mounts below: keep a bind of the host's copy of its top directory
# (/tmp/NAME: links inside the tree stay valid) and put it back.
keep=
case "$GUEST_CWD" in
/tmp/*|/run/*)
	keep=$(echo "$GUEST_CWD" | cut -d/ -f1-3)
	mkdir -p /keep
	mount -o bind "/newroot$keep" /keep || fail "cannot bind $keep"
	;;
esac
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mount -t debugfs debugfs /newroot/sys/kernel/debug
mount -t tmpfs tmpfs /newroot/tmp
mount -t tmpfs tmpfs /newroot/run
if [ -n "$keep" ]; then
	mkdir -p "/newroot$keep"
	mount -o move /keep "/newroot$keep" || fail "cannot restore $keep"
fi
[ -d "/newroot$GUEST_RESULTS" ] || mkdir -p "/newroot$GUEST_RESULTS" ||
	fail "no mount point for the results directory"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "/newroot$GUEST_RESULTS" ||
	fail "cannot mount the results directory"
echo "tmnet-guest: running: $GUEST_CMD"
rm -f "/newroot$GUEST_RESULTS/rc"
chroot /newroot /bin/sh -c "cd $GUEST_CWD && export HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin && ( $GUEST_CMD ) 2>&1; echo \$? >$GUEST_RESULTS/rc" |
	tee "/newroot$GUEST_RESULTS/output.txt"
rc=$(cat "/newroot$GUEST_RESULTS/rc" 2>/dev/null || echo 1)
echo "tmnet-guest: command exited with status $rc"
sync
umount "/newroot$GUEST_RESULTS" 2>/dev/null
[ "$rc" = 0 ] && code='\000' || code='\001'
# isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1
printf "$code" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
fail "isa-debug-exit did not stop the guest"
EOF
chmod +x "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# TCG unless asked otherwise: /dev/kvm may exist without working (nested)
accel=${TMNET_QEMU_ACCEL:-tcg}
echo "run-guest.sh: kernel $kver ($accel), log $log, timeout ${timeout}s"
rm -f "$results/rc" "$results/output.txt"
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu max -m "$mem" -smp "$smp" \
	-display none -monitor none -serial "file:$log" -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 panic=-1 oops=panic rdinit=/init $append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
qrc=$?
set -e
case $qrc in
1) exit 0 ;;
3) exit 1 ;;
124|137) echo "run-guest.sh: guest timed out after ${timeout}s (log: $log)" >&2; exit 124 ;;
*) echo "run-guest.sh: guest ended without a verdict (qemu status $qrc; log: $log)" >&2
   exit 3 ;;
esac
