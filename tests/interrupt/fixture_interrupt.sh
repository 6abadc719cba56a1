#!/usr/bin/env bash
# fixture_interrupt.sh — every fixture model found, compiled from VARIANT
# (wasm32 or wasm32-simd), stopped mid-run by wasmgraph_executor_interrupt
# with 1 and 2 threads and then run again exactly (interrupt_fixture.c); the
# outputs of that last run are checked against expected/ under meta.json's
# tolerances (tests/e2e's check_outputs).
#
# usage: fixture_interrupt.sh WASMGRAPH INTERRUPT_FIXTURE CHECK_OUTPUTS FIXTURES_DIR VARIANT WORK_DIR
# Exit 77 (ctest SKIP) when FIXTURES_DIR does not exist.
set -u
wg=$1 prog=$2 check=$3 fixtures=$4 variant=$5 work=$6
if [ ! -d "$fixtures" ]; then
  echo "SKIP: fixtures not found at $fixtures"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
failed=0 ran=0
for model in "$fixtures"/*/; do
  model=${model%/}
  name=$(basename "$model")
  [ -f "$model/$variant/graph.o" ] || continue
  so="$work/$name.so"
  if ! "$wg" compile "$model/$variant/graph.o" -o "$so" --name "interrupt_$(echo "$name" | tr -c 'A-Za-z0-9_\n' '_')"; then
    echo "FAIL: $name: compile"
    failed=1
    continue
  fi
  for threads in 1 2; do
    out="$work/$name.t$threads"
    echo "== $name ($variant), $threads thread(s)"
    ran=$((ran + 1))
    if ! "$prog" "$so" "$model" "$threads" "$out"; then
      echo "FAIL: $name, $threads thread(s)"
      failed=1
    elif ! "$check" "$model/meta.json" "$model/expected" "$out"; then
      echo "FAIL: $name, $threads thread(s): outputs differ from expected/"
      failed=1
    fi
  done
  rm -f "$so"
done
if [ "$ran" -eq 0 ]; then
  echo "FAIL: no fixture with $variant/graph.o in $fixtures"
  exit 1
fi
[ "$failed" -eq 0 ] && echo "PASS: $ran runs" || exit 1
