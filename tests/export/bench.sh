#!/bin/bash
# tests/export/bench.sh [STEPS] - per-step latency of ONNX Runtime vs the
# int8 core, in one run (a benchmark: it prints figures, it asserts none).
#
# One System B network of the shipped shape (F = 6, H = 32; 1 epoch on 20 s
# of generated data: the cost does not depend on how well it is trained) is
# quantised for the core and exported to ONNX.  Then, one after the other on
# the same machine:
#   tmnet bench -n STEPS --b B.tmn   the core's tm_tick(), per stage; its
#                                    "int8 core (B net stage)" row is the
#                                    GRU step + head the ONNX graph does
#   ort_check.js --bench model.onnx  onnxruntime-node session.run, one
#                                    streaming step per call (one thread),
#                                    timed from JavaScript: it includes the
#                                    Node binding and tensor wrapping
# Default STEPS 200000.  Results go to stdout; figures on a shared, loaded
# VM vary from run to run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
T=$BUILD/tmnet
steps=${1:-200000}
w=$BUILD/export-bench
rm -rf "$w"
mkdir -p "$w"
cd "$w"
ort_lib=$("$root/tools/ort-install.sh")
echo "== a System B network, F = 6, H = 32 (tmnet train -e 1, quantize, export-onnx)"
"$T" data gen -o train.csv -t 20 -s 11 >/dev/null 2>&1
"$T" train -d train.csv -S B -o B.ckpt -e 1 --budget 64 -q >/dev/null
"$T" quantize -m B.ckpt -d train.csv -o B.tmn --calib-ticks 20000 >/dev/null
"$T" export-onnx -c B.ckpt -m B.tmn -o onnx -q
echo "== int8 core: tmnet bench -n $steps --b B.tmn"
"$T" bench -n "$steps" --b B.tmn
echo "== ONNX Runtime: ort_check.js --bench onnx/model.onnx $steps"
NODE_PATH=$ort_lib node "$here/ort_check.js" --bench onnx/model.onnx "$steps"
