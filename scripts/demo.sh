#!/usr/bin/env bash
# demo.sh — the main job on the repo's own default example: build wasmgraph,
# translate the tiny_digits TVM-style graph library to a native .so, and run it
# on its sample input (a hand-drawn 3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
example=build/examples/tiny_digits
./build/tools/wasmgraph compile "$example" -o build/tiny_digits.so --name tiny_digits
./build/tools/wasmgraph run build/tiny_digits.so -i data="$example/inputs/data.npy"
