#!/usr/bin/env bash
# native_live_smoke.sh — benchmarks/native_live.sh --smoke: the live
# benchmark against TVM's native build still works end to end (its recipes
# rebuild mlp and lenet natively and, for the recipe proof, for wasm32; every
# engine's outputs are checked before it is timed). Timings are printed, never
# asserted: the check is that every engine column ran and agreed.
#
# usage: native_live_smoke.sh WASMGRAPH FIXTURES_DIR TVM_HOME WORK_DIR
# Exit 77 (ctest SKIP) without the fixtures or TVM.
set -u
wg=$1 fixtures=$2 tvm=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")
if [ ! -d "$fixtures" ]; then echo "SKIP: fixtures not found at $fixtures"; exit 77; fi
if [ ! -d "$tvm/python" ]; then echo "SKIP: TVM not found at $tvm"; exit 77; fi
rm -rf "$work" && mkdir -p "$work" || exit 1
TVM_HOME=$tvm "$repo/benchmarks/native_live.sh" --smoke --no-ort --fixtures "$fixtures" \
  --wasmgraph "$wg" --cache "$work/cache" --md "$work/smoke.md" >"$work/log.txt" 2>&1
rc=$?
cat "$work/smoke.md" 2>/dev/null
summary=$(grep '^smoke:' "$work/log.txt")
echo "${summary:-no smoke summary}"
if [ "$rc" -ne 0 ] || ! echo "$summary" | grep -q '^smoke: 6 engine columns timed, 0 failed$'; then
  tail -20 "$work/log.txt"
  echo "FAIL: benchmarks/native_live.sh --smoke (exit $rc)"
  exit 1
fi
# the columns must hold numbers: at least one timed row per model
for m in mlp lenet; do
  grep -q "^| $m | [0-9]" "$work/smoke.md" || { echo "FAIL: no timed row for $m"; exit 1; }
done
echo "PASS: native_live smoke"
