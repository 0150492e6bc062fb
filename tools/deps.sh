#!/bin/sh
# tools/deps.sh check|install|list|programs - what tmnet's build and tests need.
# 'check' exits 0 when every Debian package is installed AND every program
# the build and the tests run is on PATH (a package can be installed while
# the program a test needs came from another one: pahole is in dwarves, not
# in the kernel headers that call it); 'install' runs apt-get (as root, or
# through sudo) and is idempotent; 'programs' lists program -> package.
set -eu

PKGS="build-essential clang llvm libclang-rt-dev pkg-config python3 valgrind
libcmocka-dev libnl-genl-3-dev libopenblas-dev libgsl-dev gnuplot-nox
linux-headers-amd64 linux-image-amd64 busybox-static qemu-system-x86 kmod cpio
iproute2 util-linux xz-utils zstd linux-source-6.12 python3-yaml python3-jsonschema
dwarves python3-numpy python3-scipy python3-torch python3-onnx nodejs"

# program:package pairs.  pahole builds BTF for Debian's 6.12 modules (its
# headers are unpacked by qemu/kernels.sh, which brings no dependencies).
# npm is a program, not a package, in the list: Debian 12 ships it as the
# npm package, while a NodeSource nodejs provides it (and conflicts with
# Debian's npm); tests/export installs onnxruntime-node with it
# (tools/ort-install.sh).
PROGS="cc:build-essential make:build-essential clang:clang llvm-ar:llvm
pkg-config:pkg-config valgrind:valgrind gnuplot:gnuplot-nox
qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio
modinfo:kmod depmod:kmod ip:iproute2 setpriv:util-linux xz:xz-utils
zstd:zstd pahole:dwarves /usr/bin/python3:python3 node:nodejs npm:npm"

missing_pkgs() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			printf '%s\n' "$p"
	done
}

# programs not found, as "program:package"
missing_progs() {
	for pp in $PROGS; do
		prog=${pp%%:*}
		command -v "$prog" >/dev/null 2>&1 || [ -x "$prog" ] ||
			[ -x "/usr/sbin/$prog" ] || [ -x "/sbin/$prog" ] || printf '%s\n' "$pp"
	done
}

# Debian python modules the tests import, checked with Debian's interpreter
missing_py() {
	[ -x /usr/bin/python3 ] || return 0
	for mp in yaml:python3-yaml jsonschema:python3-jsonschema numpy:python3-numpy \
		scipy:python3-scipy torch:python3-torch onnx:python3-onnx; do
		/usr/bin/python3 -c "import ${mp%%:*}" >/dev/null 2>&1 || printf '%s\n' "$mp"
	done
}

case "${1:-check}" in
list)
	printf '%s\n' $PKGS
	;;
programs)
	printf '%s\n' $PROGS | tr ':' ' '
	;;
check)
	rc=0
	m=$(missing_pkgs)
	if [ -n "$m" ]; then
		echo "tmnet: missing Debian packages:" $m >&2
		rc=1
	fi
	m=$(missing_progs)
	if [ -n "$m" ]; then
		echo "tmnet: programs not found (program:package):" $m >&2
		rc=1
	fi
	m=$(missing_py)
	if [ -n "$m" ]; then
		echo "tmnet: /usr/bin/python3 cannot import (module:package):" $m >&2
		rc=1
	fi
	exit $rc
	;;
install)
	m=$(missing_pkgs)
	# a program whose package is installed but missing still names it
	for pp in $(missing_progs) $(missing_py); do
		m="$m ${pp#*:}"
	done
	m=$(printf '%s\n' $m | sort -u)
	[ -z "$m" ] && exit 0
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "tmnet: installing:" $m
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $m
	# a package that is installed but lacks its program is reinstalled
	if [ -n "$(missing_progs)$(missing_py)" ]; then
		r=$(for pp in $(missing_progs) $(missing_py); do echo "${pp#*:}"; done | sort -u)
		echo "tmnet: reinstalling:" $r
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --reinstall --no-install-recommends $r
	fi
	exec "$0" check
	;;
-h|--help)
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	;;
*)
	echo "usage: $0 check|install|list|programs" >&2
	exit 2
	;;
esac
