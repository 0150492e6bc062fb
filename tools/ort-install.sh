#!/bin/sh
# tools/ort-install.sh - install ONNX Runtime for Node.js (onnxruntime-node,
# pinned) from the npm registry into ${TMNET_CACHE:-/var/cache/tmnet}/npm,
# never into the checkout.  Idempotent: a second run only checks the
# version.  Prints the node_modules directory on stdout (for NODE_PATH).
#
# --ignore-scripts: the package's install script downloads optional GPU
# libraries (and fails offline); the CPU runtime ships inside the package
# (bin/napi-v*/linux/x64/onnxruntime_binding.node + libonnxruntime.so).
set -eu
VER=1.30.0
dir=${TMNET_CACHE:-/var/cache/tmnet}/npm
pkg=$dir/node_modules/onnxruntime-node/package.json

have() {
	[ -f "$pkg" ] && grep -q "\"version\": *\"$VER\"" "$pkg"
}

command -v node >/dev/null && command -v npm >/dev/null || {
	echo "ort-install: node and npm are needed (tools/deps.sh install: nodejs, npm)" >&2
	exit 1
}
if ! have; then
	mkdir -p "$dir"
	# one installer at a time (parallel test runs share the cache)
	exec 9>"$dir/.lock"
	flock 9
	if ! have; then
		[ -f "$dir/package.json" ] ||
			printf '{ "name": "tmnet-ort-cache", "private": true }\n' >"$dir/package.json"
		echo "ort-install: npm install --ignore-scripts onnxruntime-node@$VER in $dir" >&2
		(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --save-exact \
			"onnxruntime-node@$VER" >&2)
		have || { echo "ort-install: onnxruntime-node $VER not found after npm install" >&2; exit 1; }
	fi
fi
echo "$dir/node_modules"
