#!/bin/bash
# qemu/kernels.sh - fetch Debian 12's kernel matrix into a cache outside the
# repo: each kernel image with its modules, plus the matching headers (and
# kbuild) so that tmnet.ko can be built for it.  Packages are fetched with
# `apt-get download` and unpacked with `dpkg -x`; nothing is installed.
#
#   qemu/kernels.sh fetch [TAG...]      download + unpack (default: all)
#   qemu/kernels.sh list                show tags, packages and cache state
#   qemu/kernels.sh env TAG             print KVER=, VMLINUZ=, MODDIR=, KDIR=,
#                                       ROOT= for a fetched kernel (shell
#                                       syntax, for eval)
#   qemu/kernels.sh tags                print the tags, one per line
#
# TAG is 6.1, 6.1-rt, 6.12 or 6.12-rt.  Cache: $TMNET_CACHE/kernels
# (default /var/cache/tmnet/kernels).  A kernel is refetched only when the
# Debian package version behind its metapackage changes.
set -euo pipefail

CACHE=${TMNET_CACHE:-/var/cache/tmnet}/kernels
TAGS="6.1 6.1-rt 6.12 6.12-rt"

usage() {
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

meta_of() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.1-rt) echo linux-image-rt-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	*) echo "kernels.sh: unknown kernel tag '$1' (known: $TAGS)" >&2; return 1 ;;
	esac
}

# direct dependencies of $1, one per line
deps_of() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: //p'
}

cand_of() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'
}

# "pkg=candidate" for each package, from one apt-cache call
pinned() {
	apt-cache policy "$@" 2>/dev/null |
		awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
		     /^ *Candidate:/ { printf "%s%s=%s", sep, p, $2; sep = " " }'
}

updated=0
apt_update_once() {
	[ "$updated" -eq 1 ] && return 0
	echo "kernels.sh: apt-get update"
	apt-get update -qq
	updated=1
}

# Resolve the concrete package list for a tag: image, headers, common, kbuild
resolve() {
	local tag=$1 meta img hdr hdeps common kbuild c
	meta=$(meta_of "$tag")
	c=$(cand_of "$meta")
	if [ -z "$c" ] || [ "$c" = "(none)" ]; then
		apt_update_once
	fi
	img=$(deps_of "$meta" | grep -E '^linux-image-[0-9]' | head -n 1)
	[ -n "$img" ] || { echo "kernels.sh: cannot resolve $meta (is bookworm-security in sources.list?)" >&2; return 1; }
	hdr=${img/linux-image-/linux-headers-}
	hdeps=$(deps_of "$hdr")
	common=$(grep -E '^linux-headers-.*-common' <<<"$hdeps" | head -n 1)
	kbuild=$(grep -E '^linux-kbuild-' <<<"$hdeps" | head -n 1)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		{ echo "kernels.sh: cannot resolve the headers of $img" >&2; return 1; }
	echo "$img $hdr $common $kbuild"
}

fetch_one() {
	local tag=$1 pkgs dir want t0 p kver root
	t0=$(date +%s)
	pkgs=$(resolve "$tag")
	dir=$CACHE/$tag
	# shellcheck disable=SC2086
	want=$(pinned $pkgs)
	if [ -f "$dir/env" ] && [ "$(cat "$dir/pkgs" 2>/dev/null)" = "$want" ]; then
		echo "kernels.sh: $tag: cached ($want)"
		return 0
	fi
	echo "kernels.sh: $tag: fetching $want"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	# apt-get download as root drops to _apt, which must be able to write
	chown _apt "$dir/debs" 2>/dev/null || true
	# shellcheck disable=SC2086
	(cd "$dir/debs" && apt-get download -q $want) ||
		{ apt_update_once && (cd "$dir/debs" && apt-get download -q $want); }
	for p in "$dir"/debs/*.deb; do
		echo "kernels.sh: $tag: unpacking $(basename "$p")"
		dpkg -x "$p" "$dir/root"
	done
	root=$dir/root
	kver=$(ls "$root/lib/modules" | head -n 1)
	[ -n "$kver" ] && [ -f "$root/boot/vmlinuz-$kver" ] ||
		{ echo "kernels.sh: $tag: no kernel image in the packages" >&2; return 1; }
	# The flavour headers include the common tree by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$kver/Makefile"
	# Image packages leave modules.dep to their postinst; make it here.
	depmod -b "$root" "$kver"
	rm -rf "$dir/debs"
	cat >"$dir/env" <<ENV
KVER=$kver
VMLINUZ=$root/boot/vmlinuz-$kver
MODDIR=$root/lib/modules/$kver
KDIR=$root/usr/src/linux-headers-$kver
ROOT=$root
ENV
	echo "$want" >"$dir/pkgs"
	echo "kernels.sh: $tag: ready ($kver) in $(( $(date +%s) - t0 ))s"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
fetch)
	[ "$(id -u)" -eq 0 ] || { echo "kernels.sh: fetch must run as root (apt-get download, depmod)" >&2; exit 1; }
	command -v dpkg >/dev/null || { echo "kernels.sh: needs dpkg (Debian)" >&2; exit 1; }
	tags=${*:-$TAGS}
	for t in $tags; do meta_of "$t" >/dev/null; done
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	start=$(date +%s)
	for t in $tags; do fetch_one "$t"; done
	echo "kernels.sh: all fetched in $(( $(date +%s) - start ))s"
	;;
list)
	for t in $TAGS; do
		state=missing
		[ -f "$CACHE/$t/env" ] && state="cached: $(cat "$CACHE/$t/pkgs")"
		printf '%-8s %-28s %s\n' "$t" "$(meta_of "$t")" "$state"
	done
	;;
env)
	t=${1:?usage: kernels.sh env TAG}
	meta_of "$t" >/dev/null
	[ -f "$CACHE/$t/env" ] || { echo "kernels.sh: $t is not fetched; run: $0 fetch $t" >&2; exit 1; }
	cat "$CACHE/$t/env"
	;;
tags)
	printf '%s\n' $TAGS
	;;
-h|--help|help)
	usage
	;;
*)
	usage >&2
	exit 2
	;;
esac
