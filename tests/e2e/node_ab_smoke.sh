#!/usr/bin/env bash
# node_ab_smoke.sh — benchmarks/node_ab.py still works: lenet's scalar and
# SIMD builds timed node by node, every node with both times and a ratio,
# and the sums. Timings are printed, never asserted. Also its bad inputs: a
# build that is not there, and two builds of different graphs, each a
# one-line error naming the file and exit 1.
#
# usage: node_ab_smoke.sh WASMGRAPH FIXTURES_DIR WORK_DIR
# Exit 77 (ctest SKIP) without the fixtures.
set -u
wg=$1 fixtures=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")
ab="$repo/benchmarks/node_ab.py"
if [ ! -d "$fixtures/lenet" ] || [ ! -d "$fixtures/mlp" ]; then
  echo "SKIP: fixtures not found at $fixtures"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
for v in wasm32 wasm32-simd; do
  "$wg" compile "$fixtures/lenet/$v/graph.o" --embed "$fixtures/lenet/graph.json" \
    "$fixtures/lenet/graph.params" -o "$work/lenet-$v.so" ||
    { echo "FAIL: compile lenet $v"; exit 1; }
done
"$wg" compile "$fixtures/mlp/wasm32/graph.o" --embed "$fixtures/mlp/graph.json" \
  "$fixtures/mlp/graph.params" -o "$work/mlp.so" || { echo "FAIL: compile mlp"; exit 1; }
/usr/bin/python3 "$ab" "$fixtures/lenet" "$work/lenet-wasm32.so" "$work/lenet-wasm32-simd.so" \
  --wasmgraph "$wg" --rounds 2 --repeat 2 >"$work/ab.md" 2>&1 ||
  { cat "$work/ab.md"; echo "FAIL: node_ab.py"; exit 1; }
cat "$work/ab.md"
# every kernel node of the graph (lenet has fewer than --top's 20)
row='^\| [0-9]+ \| tvmgen_[A-Za-z0-9_]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|$'
sums='^\| \| sum of nodes \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|$'
rows=$(grep -Ec "$row" "$work/ab.md")
nodes=$(grep -Eo '"op": *"tvm_op"' "$fixtures/lenet/graph.json" | wc -l)
if [ "$nodes" -lt 2 ] || [ "$rows" -ne "$nodes" ] || ! grep -Eq "$sums" "$work/ab.md"; then
  echo "FAIL: node_ab.py's table has $rows timed nodes of $nodes, or no sums"
  exit 1
fi
expect_error() { # WHAT NEEDLE ARGS...: exit 1, one line naming the file, no traceback
  what=$1 needle=$2
  shift 2
  out=$(/usr/bin/python3 "$ab" "$@" --wasmgraph "$wg" --rounds 1 --repeat 1 2>&1)
  rc=$?
  if [ "$rc" -ne 1 ] || echo "$out" | grep -q Traceback || ! echo "$out" | grep -q "$needle"; then
    echo "$out"
    echo "FAIL: node_ab.py with $what (exit $rc)"
    exit 1
  fi
  echo "ok: $what -> $out"
}
expect_error "a missing build" "missing.so: no such file" "$fixtures/lenet" \
  "$work/lenet-wasm32.so" "$work/missing.so"
expect_error "another model's build" "lenet-wasm32.so: its graph's nodes differ" \
  "$fixtures/mlp" "$work/mlp.so" \
  "$work/lenet-wasm32.so"
echo "PASS: node_ab smoke ($rows nodes timed)"
