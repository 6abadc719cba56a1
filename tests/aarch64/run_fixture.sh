#!/usr/bin/env bash
# run_fixture.sh — one model on 64-bit Arm: compiled on this machine with
# `wasmgraph compile --target aarch64-linux-gnu`, run by the AArch64 CLI under
# qemu-user (as wasmtime's CI runs its aarch64 tests) with 2 threads, and
# compared with expected/ under meta.json's tolerances (exact for integers).
# SIMD128 models run through SIMDe's NEON paths there.
#
# usage: run_fixture.sh WASMGRAPH CROSS_WASMGRAPH CHECK_OUTPUTS MODEL_DIR OBJECT WORK_DIR
# Exit 77 (ctest SKIP) when MODEL_DIR or the cross-built CLI does not exist
# (tests/aarch64/build.sh says why).
set -u
wg=$1 cross=$2 check=$3 model=$4 object=$5 work=$6
if [ ! -d "$model" ]; then echo "SKIP: fixture not found at $model"; exit 77; fi
if [ ! -x "$cross" ]; then echo "SKIP: no AArch64 CLI at $cross (see the aarch64.build test)"; exit 77; fi
rm -rf "$work" && mkdir -p "$work" || exit 1
name=$(basename "$model" | tr -c 'A-Za-z0-9_\n' '_')
so="$work/$name.so"
"$wg" compile "$object" -o "$so" --name "$name" --target aarch64-linux-gnu || { echo "FAIL: compile for aarch64"; exit 1; }
readelf -h "$so" | grep -q 'Machine: *AArch64' || { echo "FAIL: $so is not an AArch64 object"; exit 1; }
inputs=()
for f in "$model"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
qemu-aarch64 -L / "$cross" run "$so" --graph "$model/graph.json" --params "$model/graph.params" \
  "${inputs[@]}" --threads 2 --output-dir "$work/out" --quiet || { echo "FAIL: run under qemu-aarch64"; exit 1; }
"$check" "$model/meta.json" "$model/expected" "$work/out" || { echo "FAIL: outputs differ from expected"; exit 1; }
echo "PASS: $name on aarch64 (qemu)"
