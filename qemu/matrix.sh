#!/bin/bash
# qemu/matrix.sh TAG SUITE - run one guest suite on one kernel of Debian 12's
# matrix (6.1, 6.1-rt, 6.12, 6.12-rt), fetching the kernel into the cache
# first if needed (qemu/kernels.sh).  SUITE is "smoke" (qemu/smoke.sh),
# "ctl" (tests/guest/ctl_run.sh) or "kselftest" (tests/selftests/run.sh).
# Prints the suite's TAP lines.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
tag=$1 suite=$2
case "$suite" in
smoke) cmd=qemu/smoke.sh ;;
kselftest) cmd=tests/selftests/run.sh ;;
ctl) cmd=tests/guest/ctl_run.sh ;;
*) echo "matrix.sh: unknown suite '$suite' (smoke, ctl or kselftest)" >&2; exit 2 ;;
esac
if ! env_out=$(qemu/kernels.sh env "$tag" 2>/dev/null); then
	echo "# fetching kernel $tag (qemu/kernels.sh fetch $tag)"
	qemu/kernels.sh fetch "$tag" >&2 || { echo "not ok 1 - fetch kernel $tag"; exit 1; }
	env_out=$(qemu/kernels.sh env "$tag")
fi
eval "$env_out"
echo "# kernel $tag: $KVER"
exec "$cmd" --kernel "$VMLINUZ" --moddir "$MODDIR" --kdir "$KDIR"
