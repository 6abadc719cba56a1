#!/usr/bin/env bash
# simd_mem.sh — simd_mem.wat through the translation stages of `wasmgraph
# compile` (w2c_stage: wasm2c 1.0.39, memory_rewrite.c, clang with the
# load-barrier pass), linked with the runtime into simd_mem_harness.c and
# run; see those files. The rewrite must have applied (every function that
# touches memory uses the local copy, the SIMD accesses moved to _default32).
#
# usage: simd_mem.sh W2C_STAGE WAT2WASM WORK_DIR RUNTIME_LIB INCLUDE_DIR RUNTIME_DIR
#                    "CFLAGS" "LDFLAGS"
# Exit 77 (ctest SKIP) without wat2wasm.
set -u
stage=$1 wat2wasm=$2 work=$3 rtlib=$4 inc=$5 rtdir=$6 cflags=$7 ldflags=$8
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
if [ -z "$wat2wasm" ] || ! command -v "$wat2wasm" >/dev/null; then
  echo "SKIP: no wat2wasm (Debian package wabt)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1

if "$wat2wasm" "$here/simd_mem.wat" -o "$work/simd_mem.wasm" 2>"$work/stderr.txt"; then
  pass "wat2wasm simd_mem.wat"
else
  fail "wat2wasm: $(cat "$work/stderr.txt")"
  finish
fi
if "$stage" "$work/simd_mem.wasm" simd_mem "$work" >"$work/stage.txt" 2>"$work/stderr.txt"; then
  pass "translated and compiled like a model"
else
  fail "w2c_stage: $(grep -v '^  ' "$work/stderr.txt" | tail -5)"
  finish
fi
# 23 functions use memory (all but fmax and fmin); 10 SIMD accesses use the
# general check in wasm2c's output (splat, splat offset, zero64, lane load,
# lane store, the splat in grow_call and window4's four splats; the
# extending load already uses _default32); 2 refreshes (after the host call
# and after memory.grow)
line=$(grep '^rewrite:' "$work/stage.txt")
if [ "$line" = "rewrite: applied=1 functions=23 skipped=0 simd=10 refreshes=2" ]; then
  pass "memory rewrite: $line"
else
  fail "memory rewrite: '$line' $(grep 'memory rewrite' "$work/stderr.txt")"
fi
if grep -q '^load barriers: removed [0-9]*, kept [0-9]*' "$work/stderr.txt"; then
  pass "built through the load-barrier pass ($(grep -m1 '^load barriers' "$work/stderr.txt"))"
else
  fail "no load-barrier pass in the log"
fi
# memory max 3 pages: the address fold acts, on wrap_anchored,
# wrap_anchor_k0 and window4 (its splat loads or windows anchor each other)
fold=$(grep -m1 '^address fold:' "$work/stderr.txt")
if [[ $fold =~ ^"address fold: "[0-9]+" loads in 3 functions," ]]; then
  pass "built through the address fold ($fold)"
else
  fail "address fold: '$fold' (want 3 functions)"
fi
# with 256-bit vectors window4's accumulators pair up (v128_pair.c) and every
# pair reads its inputs through one window, in-lane (splat_window.c);
# without them the pass finds no pairs
pairs=$(sed -n 's/^v128 pairing: \([0-9]*\) pairs.*/\1/p' "$work/stderr.txt")
win=$(grep -m1 '^splat windows:' "$work/stderr.txt")
if [ -n "$pairs" ] && [ "$pairs" -ge 2 ]; then
  want="splat windows: $pairs pairs (0 split, $pairs in-lane) in 1 functions, 0 without a window"
else
  want="splat windows: 0 pairs (0 split, 0 in-lane) in 0 functions, 0 without a window"
fi
if [ "$win" = "$want" ]; then
  pass "$win"
else
  fail "splat windows: '$win' (want '$want')"
fi
if clang -O1 $cflags -I"$work" -I"$inc" -I"$rtdir" -I"$rtdir/wasm-rt" "$here/simd_mem_harness.c" \
     "$work/simd_mem.o" "$rtlib" $ldflags -ljson-c -lpthread -ldl -lm -o "$work/harness" \
     2>"$work/stderr.txt"; then
  pass "harness links with the runtime"
else
  fail "harness link: $(head -c 2000 "$work/stderr.txt")"
  finish
fi
"$work/harness" >"$work/harness.txt" 2>&1
rc=$?
grep '^FAIL' "$work/harness.txt"
summary=$(tail -n 1 "$work/harness.txt")
if [ $rc -eq 0 ] && [[ $summary == *" 0 failed" ]]; then
  pass "semantics after the rewrites: $summary"
else
  fail "harness (exit $rc): $summary"
fi
finish
