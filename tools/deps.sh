#!/bin/sh
# tools/deps.sh check|install|list - the Debian packages tmnet needs.
# 'check' exits 0 when all are installed; 'install' runs apt-get (as root,
# or through sudo) and is idempotent.
set -eu

PKGS="build-essential clang llvm libclang-rt-dev pkg-config python3 valgrind
libcmocka-dev libnl-genl-3-dev libopenblas-dev libgsl-dev gnuplot-nox
linux-headers-amd64 linux-image-amd64 busybox-static qemu-system-x86 kmod cpio
iproute2 util-linux xz-utils zstd linux-source-6.12 python3-yaml python3-jsonschema"

missing() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			printf '%s\n' "$p"
	done
}

case "${1:-check}" in
list)
	printf '%s\n' $PKGS
	;;
check)
	m=$(missing)
	if [ -n "$m" ]; then
		echo "tmnet: missing Debian packages:" $m >&2
		exit 1
	fi
	;;
install)
	m=$(missing)
	[ -z "$m" ] && exit 0
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "tmnet: installing:" $m
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $m
	;;
*)
	echo "usage: $0 check|install|list" >&2
	exit 2
	;;
esac
