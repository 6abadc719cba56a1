#!/usr/bin/env bash
# native_live_smoke.sh — benchmarks/native_live.sh --smoke: the live
# benchmark against TVM's native build still works end to end (its recipes
# rebuild mlp and lenet natively and, for the recipe proof, for wasm32; every
# engine's outputs are checked before it is timed), and so does
# benchmarks/node_compare.py (lenet's nodes beside native's). Timings are
# printed, never asserted: the check is that every engine column ran and
# agreed, that every node found its native twin, and that a missing
# library is a one-line error.
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
# benchmarks/node_compare.py on lenet, with the native build the smoke run
# cached: every node paired with native's, a ratio per node and the sums
native=$(find "$work/cache/lenet" -name 'native-*.so' | head -1)
[ -n "$native" ] || { echo "FAIL: no native lenet build in the cache"; exit 1; }
"$wg" compile "$fixtures/lenet/wasm32-simd/graph.o" --embed "$fixtures/lenet/graph.json" \
  "$fixtures/lenet/graph.params" -o "$work/lenet.so" || { echo "FAIL: compile lenet"; exit 1; }
TVM_HOME=$tvm /usr/bin/python3 "$repo/benchmarks/node_compare.py" "$fixtures/lenet" --so "$work/lenet.so" \
  --native-so "$native" --wasmgraph "$wg" --rounds 1 --repeat 2 >"$work/nodes.md" 2>&1 ||
  { cat "$work/nodes.md"; echo "FAIL: node_compare.py"; exit 1; }
cat "$work/nodes.md"
if grep -q "graphs differ" "$work/nodes.md" ||
  ! grep -Eq '^\| [0-9]+ \| tvmgen_[A-Za-z0-9_]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|$' "$work/nodes.md" ||
  ! grep -Eq '^\| \| sum of nodes \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|$' "$work/nodes.md"; then
  echo "FAIL: node_compare.py's table has no paired nodes or no sums"
  exit 1
fi
# a library that is not there: one line naming it and exit 1, no traceback
# (TVM raises ValueError, not TVMError, for a missing path)
for cmd in time profile; do
  out=$(PYTHONPATH=$tvm/python /usr/bin/python3 "$repo/benchmarks/native_tvm/native_tvm.py" "$cmd" \
    "$fixtures/lenet" --so "$work/missing.so" 2>&1)
  rc=$?
  if [ "$rc" -ne 1 ] || echo "$out" | grep -q Traceback || ! echo "$out" | grep -q "missing.so: no such file"; then
    echo "$out"
    echo "FAIL: native_tvm.py $cmd with a missing --so (exit $rc)"
    exit 1
  fi
done
echo "PASS: native_live smoke"
