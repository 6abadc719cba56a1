#!/usr/bin/env bash
# run.sh — the benchmark suite in one command on a fresh Debian 12 machine:
# installs dependencies, builds wasmgraph and the wabt-interpreter peer, and
# runs run_benchmarks.mjs on every fixture model, scalar (wasm32) and SIMD
# (wasm32-simd) builds alike (tables on stdout, JSON in benchmarks/results/).
# Extra arguments go to run_benchmarks.mjs, e.g.
#   bash benchmarks/run.sh --models squeezenet1_1 --repeat 10
#   bash benchmarks/run.sh --variants simd
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWASMGRAPH_BENCHMARKS=ON > /dev/null
cmake --build build -j"$(nproc)" --target wasmgraph run_graph_interp
mkdir -p benchmarks/results
node benchmarks/run_benchmarks.mjs --wasmgraph build/tools/wasmgraph \
  --interp-bin build/benchmarks/interp_host/run_graph_interp \
  --out benchmarks/results/latest.json "$@"
