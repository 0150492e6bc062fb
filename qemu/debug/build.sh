#!/bin/bash
# qemu/debug/build.sh - build (or reuse) the tmnet debug kernel.
#
# Starts from `make tinyconfig` of Debian's linux-source, merges
# qemu/debug/debug.config, checks that every requested option survived, and
# builds bzImage + Module.symvers.  The tree is kept, so modules build
# against it (KDIR).  The cache key is the linux-source version plus the
# hash of the fragment, so editing the fragment rebuilds.
#
# Artifacts in the cache directory: linux/ (the tree, KDIR),
# vmlinuz-<release> and modroot/lib/modules/<release> (modules.builtin etc.,
# for qemu/run-guest.sh --moddir).  --env prints them as shell variables.
set -euo pipefail
# The whole script is one compound command, so bash parses all of it before
# running any: editing the file during a long build cannot derail the build.
{
usage() {
	cat <<USAGE
usage: $0 [--base 6.1|6.12] [--print-kdir | --env] [--force] [--help]

  --base V       linux-source version to build (default: \$TMNET_DEBUG_BASE
                 or $DEFAULT_BASE; chosen by build-time measurement, see
                 qemu/debug/README)
  --print-kdir   print the cached tree's path if it is built, else exit 1
  --env          print KVER=, VMLINUZ=, MODDIR=, KDIR= of the cached build
                 (shell syntax, for eval), else exit 1
  --force        rebuild even if a cached build exists
environment: TMNET_CACHE (default /var/cache/tmnet), JOBS (default nproc)
USAGE
}

DEFAULT_BASE=6.12
here=$(cd "$(dirname "$0")" && pwd)
base=${TMNET_DEBUG_BASE:-$DEFAULT_BASE}
print_only=0
force=0
while [ $# -gt 0 ]; do
	case "$1" in
	--base) base=${2:?--base needs a version}; shift 2 ;;
	--print-kdir) print_only=1; shift ;;
	--env) print_only=2; shift ;;
	--force) force=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "build.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case "$base" in
6.1|6.12) ;;
*) echo "build.sh: --base must be 6.1 or 6.12, not '$base'" >&2; exit 2 ;;
esac

cache=${TMNET_CACHE:-/var/cache/tmnet}/debug
frag=$here/debug.config
pkg=linux-source-$base
tarball=/usr/src/linux-source-$base.tar.xz
jobs=${JOBS:-$(nproc)}

need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "build.sh: missing Debian packages: ${missing[*]} (run as root or install them)" >&2
		exit 1
	fi
	echo "build.sh: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

print_env() {
	local krel
	krel=$(cat "$dir/release")
	echo "KVER=$krel"
	echo "VMLINUZ=$dir/vmlinuz-$krel"
	echo "MODDIR=$dir/modroot/lib/modules/$krel"
	echo "KDIR=$tree"
}

if [ "$print_only" -eq 0 ]; then
	need_pkgs "$pkg" build-essential bc flex bison libelf-dev libssl-dev xz-utils cpio
fi
if ! srcver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || [ -z "$srcver" ]; then
	echo "build.sh: $pkg is not installed" >&2
	exit 1
fi
key=$(sha256sum <"$frag" | cut -c1-12)
dir=$cache/$base-$srcver-$key
tree=$dir/linux

if [ "$print_only" -ne 0 ]; then
	[ -f "$dir/.done" ] || { echo "build.sh: no cached debug kernel at $dir (run $0)" >&2; exit 1; }
	[ "$print_only" -eq 1 ] && echo "$tree" || print_env
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock-$base"
flock 9

if [ -f "$dir/.done" ] && [ "$force" -eq 0 ]; then
	echo "build.sh: cached: $dir ($(cat "$dir/.done"))"
	echo "KDIR=$tree"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
t0=$(date +%s)
step() { echo "build.sh: [$(( $(date +%s) - t0 ))s] $*"; }
fail() {
	echo "build.sh: FAILED: $*; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}

step "extracting $tarball ($pkg $srcver)"
tar -C "$dir" -xJf "$tarball"
mv "$dir/linux-source-$base" "$tree"
cd "$tree"

step "tinyconfig + $(basename "$frag")"
{ make ARCH=x86_64 tinyconfig &&
	scripts/kconfig/merge_config.sh -m .config "$frag" &&
	make ARCH=x86_64 olddefconfig; } >>"$log" 2>&1 || fail "configure"

# Every requested value must be in the final config (merge_config only warns).
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" .config || {
			echo "build.sh: requested '$line' but .config has:" \
				"$(grep -E "^(# )?${line%%=*}[= ]" .config || echo '(absent)')" >&2
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -qE "^$sym=" .config; then
			echo "build.sh: requested $sym off but .config has $(grep -E "^$sym=" .config)" >&2
			bad=1
		fi ;;
	esac
done <"$frag"
[ "$bad" -eq 0 ] || { echo "build.sh: config fragment not satisfied for $base" >&2; exit 1; }

step "building bzImage + modules with -j$jobs (log: $log)"
make ARCH=x86_64 -j"$jobs" bzImage modules >>"$log" 2>&1 || fail "make"
[ -f Module.symvers ] || fail "no Module.symvers"
install_artifacts() {
	local krel
	krel=$(make -s ARCH=x86_64 kernelrelease)
	cp arch/x86/boot/bzImage "$dir/vmlinuz-$krel"
	rm -rf "$dir/modroot"
	make ARCH=x86_64 INSTALL_MOD_PATH="$dir/modroot" modules_install >>"$log" 2>&1 ||
		fail "modules_install"
	# run-guest.sh wants a kernel/ directory even when every driver is built in
	mkdir -p "$dir/modroot/lib/modules/$krel/kernel"
	echo "$krel" >"$dir/release"
}
install_artifacts
t1=$(date +%s)
echo "base=$base source=$srcver build_s=$((t1 - t0)) jobs=$jobs" >"$dir/.done"
step "done: $tree/arch/x86/boot/bzImage ($((t1 - t0))s)"
echo "KDIR=$tree"
exit 0
}
