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
# 24 functions use memory (all but fmax and fmin); 13 SIMD accesses use the
# general check in wasm2c's output (splat, splat offset, zero64, lane load,
# lane store, the splat in grow_call and the splats of window4 (4) and
# window_split (3); the extending load already uses _default32); 2 refreshes
# (after the host call and after memory.grow)
line=$(grep '^rewrite:' "$work/stage.txt")
if [ "$line" = "rewrite: applied=1 functions=24 skipped=0 simd=13 refreshes=2" ]; then
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
# wrap_anchor_k0, window4 and window_split (their splat loads or windows
# anchor each other)
fold=$(grep -m1 '^address fold:' "$work/stderr.txt")
if [[ $fold =~ ^"address fold: "[0-9]+" loads in 4 functions," ]]; then
  pass "built through the address fold ($fold)"
else
  fail "address fold: '$fold' (want 4 functions)"
fi
# with 256-bit vectors the accumulators of window4 and window_split pair up
# (v128_pair.c) and every pair reads its inputs through windows, in-lane
# (splat_window.c): window_split's through two 16-byte windows each;
# without them the pass finds no pairs. With AVX-512, window4's four
# accumulators form a quad first. Unrolled once, a quad's inputs' hull is
# 52 bytes, too small for a 64-byte window, so the quad's two pairs are
# windowed as pairs (Intel tunings); where the CPU's tuning unrolls the loop
# (znver3 takes window4 5 times) the hull spans the copies and most quads
# find a window. Either way every quad is accounted for once, and every
# pair, a windowless quad's two included, has its window.
pairs=$(sed -n 's/^v128 pairing: \([0-9]*\) pairs.*/\1/p' "$work/stderr.txt")
quads=$(sed -n 's/^v128 quads: \([0-9]*\) quads.*/\1/p' "$work/stderr.txt")
win=$(grep -m1 '^splat windows:' "$work/stderr.txt")
re="^splat windows: ([0-9]+) pairs \(([0-9]+) split, ([0-9]+) in-lane\) in ([0-9]+) functions, 0 without a window; ([0-9]+) quads \([0-9]+ from two windows, [0-9]+ in-lane\), ([0-9]+) without$"
if [ $(( ${pairs:-0} + 2 * ${quads:-0} )) -ge 3 ]; then
  if [[ $win =~ $re ]] && [ $(( BASH_REMATCH[5] + BASH_REMATCH[6] )) = "${quads:-0}" ] &&
     [ "${BASH_REMATCH[1]}" = $(( ${pairs:-0} + 2 * BASH_REMATCH[6] )) ] &&
     [ "${BASH_REMATCH[2]}" -ge 1 ] && [ "${BASH_REMATCH[3]}" = "${BASH_REMATCH[1]}" ] &&
     [ "${BASH_REMATCH[4]}" = 2 ]; then
    pass "$win"
  else
    fail "splat windows: '$win' (want every pair in-lane, some split, in 2 functions; each of ${quads:-0} quads windowed or split into 2 windowed pairs; ${pairs:-0} pairs)"
  fi
elif [ "$win" = "splat windows: 0 pairs (0 split, 0 in-lane) in 0 functions, 0 without a window; 0 quads (0 from two windows, 0 in-lane), 0 without" ]; then
  pass "no 256-bit vectors: $win"
else
  fail "splat windows: '$win' with pairing '$(grep -m1 '^v128 pairing' "$work/stderr.txt")'"
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
