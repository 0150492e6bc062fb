# qemu/guest-kernel.sh - which kernel a guest boots by default; shell
# functions sourced (not run) by qemu/run-guest.sh, qemu/smoke.sh,
# tests/guest/ctl_run.sh, tests/selftests/run.sh, tests/docs/run.sh,
# tools/demo.sh and tools/bench-kernel.sh.

# stock_kernel: print Debian 12's stock kernel image, the newest non-rt
# /boot/vmlinuz-6.1.* (linux-image-amd64); status 1 when there is none.
stock_kernel() {
	local k
	k=$(ls /boot/vmlinuz-6.1.* 2>/dev/null | grep -v -- '-rt-' | sort -V | tail -n 1)
	[ -n "$k" ] && echo "$k"
}

# pick_kernel: complete the caller's --kernel/--moddir/--kdir choice.
# Sets kernel (default: stock_kernel), kver, moddir (default
# /lib/modules/KVER) and kdir (default MODDIR/build), prints them as a TAP
# comment, and calls the caller's bail() when the image or the headers are
# missing.
pick_kernel() {
	if [ -z "$kernel" ]; then
		kernel=$(stock_kernel) || bail "no /boot/vmlinuz-6.1.* (linux-image-amd64)"
	fi
	kver=$(basename "$kernel")
	kver=${kver#vmlinuz-}
	[ -n "$moddir" ] || moddir=/lib/modules/$kver
	[ -n "$kdir" ] || kdir=$moddir/build
	[ -d "$kdir" ] || bail "no kernel headers for $kver in $kdir (apt-get install linux-headers-$kver)"
	echo "# kernel $kver: image $kernel, headers $kdir"
}
