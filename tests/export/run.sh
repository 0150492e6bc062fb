#!/bin/bash
# tests/export/run.sh [--card] - the exported model outside tmnet, in TAP.
#
# Trains tiny networks of every kind `tmnet train` makes (System A, A with a
# head gain that is not a power of two, System B with the prior tmnet train
# chooses and with the constant- and the damped-velocity prior (--prior cv,
# --prior dv), B --b-extra vel, B --b-extra resid; 3 epochs on 20 s of
# generated data), exports them
# (export-hf for the quantisable A and B: card, config, safetensors, ONNX;
# export-onnx for the rest) and streams an unseen 8 s recording through:
#
#   C       tmnet eval --float CKPT --dump-float: the trained float network
#   torch   the model card's Python snippet (tests/export/torch_check.py),
#           from model.safetensors + config.json alone, raw samples in
#   onnx    python3-onnx's checker (full_check) on model.onnx
#   ort     ONNX Runtime (onnxruntime-node, tools/ort-install.sh) on
#           model.onnx, tick by tick (tests/export/ort_check.js)
#
# and requires torch and ORT to match C within 1e-5 relative on every tick.
# --card: only the model card's snippet on System A and B (tests/docs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
T=$BUILD/tmnet
PY=/usr/bin/python3
BOUND=1e-5
card_only=0
[ "${1:-}" = --card ] && card_only=1
n=0
fails=0

tap() {	# status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

run() {	# log command... -> status; the log's tail as comments on failure
	local log=$1 rc
	shift
	"$@" >"$log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tail -n 15 "$log" | sed 's/^/# /'
	return $rc
}

[ -x "$T" ] || make -s -C "$root" BUILD="$BUILD" all >/dev/null || {
	tap 1 "build $T"
	exit 1
}
w=$BUILD/export-test$([ $card_only = 1 ] && echo -card)
rm -rf "$w"
mkdir -p "$w"
cd "$w" || exit 1

# the recording: two unseen 4 s tracks, the second a new segment (seg = 1:
# every streaming state restarts there)
run gen.log "$T" data gen -o train.csv -t 20 -s 11 &&
	run gen2.log "$T" data gen -o rec1.csv -t 4 -s 12 &&
	run gen3.log "$T" data gen -o rec2.csv -t 4 -s 13 &&
	awk -F, -v OFS=, 'NR == FNR { print; if ($1 ~ /^[0-9]/) last = $1; next }
		$1 ~ /^[0-9]/ { $1 = sprintf("%.0f", $1 + last + 500000); if (!seen++) $7 = 1; print }' \
		rec1.csv rec2.csv >rec.csv &&
	[ "$(grep -c ',1$' rec.csv)" -ge 1 ]
tap $? "generated data: 20 s to train, an unseen 8 s recording of two segments"

# name system train-options
if [ $card_only = 1 ]; then
	nets="A:A: B:B:"
else
	nets="A:A: A-gain3:A:--head-gain=3 B:B: B-cv:B:--prior=cv B-dv:B:--prior=dv B-vel:B:--b-extra=vel B-resid:B:--b-extra=resid"
fi
ort_lib=
if [ $card_only = 0 ]; then
	ort_lib=$("$root/tools/ort-install.sh" 2>ort-install.log)
	tap $? "onnxruntime-node installed (tools/ort-install.sh: $ort_lib)" ||
		sed 's/^/# /' ort-install.log
fi
card=
for spec in $nets; do
	IFS=: read -r name sys opt <<<"$spec"
	# shellcheck disable=SC2086
	run "$name.train.log" "$T" train -d train.csv -S "$sys" -o "$name.ckpt" -e 3 --hidden 16 \
		--budget 256 --seed 3 -q ${opt/=/ }
	tap $? "$name: tmnet train -S $sys ${opt/=/ } (3 epochs, hidden 16)" || continue
	core=$name.tmn
	case "$opt" in
	--b-extra*) core=B.tmn ;;	# not quantisable: the core's B model runs beside it
	*) run "$name.q.log" "$T" quantize -m "$name.ckpt" -d train.csv -o "$name.tmn" \
		--calib-ticks 20000 || { tap 1 "$name: quantize"; continue; } ;;
	esac
	if [ "$core" = "$name.tmn" ] && [ "$name" != A-gain3 ]; then
		run "$name.x.log" "$T" export-hf -m "$name.tmn" -c "$name.ckpt" -d train.csv \
			-o "$name.hf" -q
		tap $? "$name: tmnet export-hf (card, config.json, model.safetensors, model.onnx)" ||
			continue
		dir=$name.hf
		card=$w/$dir/README.md
	else
		run "$name.x.log" "$T" export-onnx -c "$name.ckpt" -o "$name.onnxdir" -q
		tap $? "$name: tmnet export-onnx (config.json, model.safetensors, model.onnx)" ||
			continue
		dir=$name.onnxdir
	fi
	case "$opt" in
	--prior=*)
		want=$(echo "${opt#--prior=}" | tr a-z A-Z)
		grep -q "\"horizon_model\": \"$want\"" "$dir/config.json"
		tap $? "$name: config.json has the $want prior (horizon_model)" ;;
	esac
	run "$name.eval.log" "$T" eval -d rec.csv -m "$core" -f "$name.ckpt" -s all \
		--dump-float "$name.dump.csv"
	tap $? "$name: tmnet eval --float --dump-float (the C float network, every tick)" || continue

	# the card's snippet (for export-onnx directories: their tmnet_torch.py,
	# which must equal the card's text)
	snip=${card:-$dir/tmnet_torch.py}
	out=$("$PY" "$here/torch_check.py" "$snip" "$dir" rec.csv "$name.dump.csv" "$BOUND" 2>&1)
	rc=$?
	echo "$out" | sed 's/^\([^#]\)/# \1/'
	tap $rc "$name: PyTorch (model card snippet) = C float network within $BOUND relative, every tick"
	[ $card_only = 1 ] && continue

	out=$("$PY" -c 'import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print("# onnx %s checker: ok, ir_version %d, opset %s, ops %s" % (onnx.__version__, m.ir_version,
      [o.version for o in m.opset_import], " ".join(nd.op_type for nd in m.graph.node)))' \
		"$dir/model.onnx" 2>&1)
	rc=$?
	echo "$out" | sed 's/^\([^#]\)/# \1/'
	tap $rc "$name: model.onnx passes onnx.checker.check_model(full_check=True)"

	if [ -n "$ort_lib" ]; then
		out=$(NODE_PATH=$ort_lib node "$here/ort_check.js" "$dir/model.onnx" "$name.dump.csv" \
			rec.csv "$BOUND" 2>&1)
		rc=$?
	else
		out="# no onnxruntime-node"
		rc=1
	fi
	echo "$out" | sed 's/^\([^#]\)/# \1/'
	tap $rc "$name: ONNX Runtime = C float network within $BOUND relative, every tick"
done
echo "1..$n"
[ $fails -eq 0 ]
