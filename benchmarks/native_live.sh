#!/usr/bin/env bash
# native_live.sh — wasmgraph's scalar and SIMD builds of every fixture against
# TVM's native build of the same model and ONNX Runtime, timed live in
# interleaved rounds (benchmarks/native_live.py; docs/benchmarks.md, "Live
# comparison with native TVM"). With no arguments: every fixture in
# ../shared/fixtures, 3 rounds x 7 runs, 1 thread, the CLI in build/ (or
# $WASMGRAPH); tables on stdout, JSON in benchmarks/results/native_live.json.
# `--help` lists the options (A/B of two builds or compile flags, threads, ...).
#
# TVM 0.14 comes from ../shared/tvm (or $TVM_HOME) and runs under Debian's
# /usr/bin/python3 (numpy; python3-torch and python3-torchvision for the
# resnet18 and mobilenet_v2_qnn recipes, python3-onnx for the ONNX ones).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
tvm_home=${TVM_HOME:-$repo/../shared/tvm}
if [ -d "$tvm_home/python" ]; then
  export PYTHONPATH="$tvm_home/python${PYTHONPATH:+:$PYTHONPATH}"
fi
export TOPHUB_LOCATION=NONE   # no network: TVM must not fetch tuning logs
python=${PYTHON:-/usr/bin/python3}
# ONNX Runtime is a column, not a requirement: install it when npm can.
if [ ! -d "$here/onnx_host/node_modules/onnxruntime-node" ] && command -v npm >/dev/null; then
  echo "native_live.sh: installing onnxruntime-node (npm ci in benchmarks/onnx_host)" >&2
  (cd "$here/onnx_host" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
    echo "native_live.sh: npm ci failed; the ONNX Runtime column will say so" >&2
fi
exec "$python" "$here/native_live.py" "$@"
