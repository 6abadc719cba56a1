#!/usr/bin/env bash
# features.sh — the instructions newer LLVMs emit by default, end to end
# (issue 16):
#   - features/features.c, a TVM-shaped graph library, compiled by every
#     installed clang (14, 15, 16, 19) with sign-ext, nontrapping-fptoint,
#     bulk-memory, reference-types and multivalue. For each build it checks
#     that the linked module holds i32.extend8_s, i32.extend16_s,
#     i32.trunc_sat_f32_s, memory.copy, memory.fill and a call_indirect whose
#     table index is a padded 5-byte LEB (the reference-types relocation),
#     then runs it and compares the output bytes with the same C compiled for
#     the host (-DFEATURES_REFERENCE).
#   - features/multivalue.wat, by hand: a function with two results, a block
#     with two params, an extended-const initialiser and an exported mutable
#     global (clang's multivalue ABI is experimental and miscompiles, and C
#     never makes the other two), with its outputs worked out in the .wat.
#
# usage: features.sh WASMGRAPH WABT_BIN_DIR NODE HOST_CC SOURCE_DIR WORK_DIR
# Exit 77 (ctest SKIP) when no clang-N is installed.
set -u
wg=$1 wabt=$2 node=$3 cc=$4 src=$5 work=$6
rm -rf "$work" && mkdir -p "$work" || exit 1
. "$(dirname "$0")/../compiler/lib.sh"

"$cc" -O2 -DFEATURES_REFERENCE "$src/features.c" -o "$work/reference" &&
  "$work/reference" >"$work/expected.bin" || { echo "FAIL: the host reference"; exit 1; }
# an empty TVM param dict: magic, reserved, 0 names, 0 tensors
printf '\xb7\x9c\x04\x05\x4f\x8d\xe5\xf7' >"$work/empty.params"
head -c 24 /dev/zero >>"$work/empty.params"

ran=0
for v in 14 15 16 19; do
  clang=$(command -v "clang-$v") || continue
  ran=$((ran + 1))
  d="$work/clang$v"
  mkdir -p "$d"
  if ! "$clang" --target=wasm32 -O2 -ffreestanding -fno-builtin -nostdlib -fvisibility=default \
       -msign-ext -mnontrapping-fptoint -mbulk-memory -mreference-types -mmultivalue \
       -c "$src/features.c" -o "$d/graph.o"; then
    fail "clang-$v: compile features.c"
    continue
  fi
  if ! "$wg" compile "$d/graph.o" -o "$d/linked.wasm" 2>"$d/err.txt"; then
    fail "clang-$v: link: $(cat "$d/err.txt")"
    continue
  fi
  # one instruction per line, with its bytes: join wrapped byte columns first
  "$node" "$wabt/wasm-objdump" -d "$d/linked.wasm" >"$d/dis.txt"
  for insn in i32.extend8_s i32.extend16_s i32.trunc_sat_f32_s memory.copy memory.fill call_indirect; do
    grep -q "| *$insn" "$d/dis.txt" && pass "clang-$v: $insn in the linked module" ||
      fail "clang-$v: no $insn in the linked module"
  done
  grep -qE ': 11 (80 80 80 80 00|[0-7][0-9a-f]) 80 ' "$d/dis.txt" &&
    pass "clang-$v: call_indirect with a padded table index" ||
    fail "clang-$v: no call_indirect with a 5-byte table index"

  if ! "$wg" compile "$d/graph.o" -o "$d/features.so" --name features_clang$v \
       --embed "$src/graph.json" "$work/empty.params" 2>"$d/err.txt"; then
    fail "clang-$v: compile: $(cat "$d/err.txt")"
    continue
  fi
  if ! "$wg" run "$d/features.so" --fill zeros --output-dir "$d/out" --quiet 2>"$d/err.txt"; then
    fail "clang-$v: run: $(cat "$d/err.txt")"
    continue
  fi
  tail -c "$(wc -c <"$work/expected.bin")" "$d/out/output_0.npy" >"$d/got.bin"
  cmp -s "$d/got.bin" "$work/expected.bin" && pass "clang-$v: outputs equal the host's" ||
    fail "clang-$v: outputs differ from the host's ($(cmp "$d/got.bin" "$work/expected.bin" | head -1))"
done

# multivalue.wat: y = [-3, -2, 5, 1024, 1, 0 ...] as little-endian int32
d="$work/multivalue"
mkdir -p "$d"
{
  printf '\xfd\xff\xff\xff\xfe\xff\xff\xff\x05\x00\x00\x00\x00\x04\x00\x00\x01\x00\x00\x00'
  head -c $((6 * 64 * 4 - 20)) /dev/zero
} >"$d/expected.bin"
if "$node" "$wabt/wat2wasm" --enable-extended-const "$src/multivalue.wat" -o "$d/multivalue.wasm" &&
   "$wg" compile "$d/multivalue.wasm" -o "$d/multivalue.so" --name features_wat \
     --embed "$src/graph.json" "$work/empty.params" 2>"$d/err.txt" &&
   "$wg" run "$d/multivalue.so" --fill zeros --output-dir "$d/out" --quiet 2>>"$d/err.txt"; then
  tail -c "$(wc -c <"$d/expected.bin")" "$d/out/output_0.npy" >"$d/got.bin"
  cmp -s "$d/got.bin" "$d/expected.bin" &&
    pass "multivalue.wat: two results, block params, extended-const, mutable global" ||
    fail "multivalue.wat: outputs $(od -An -td4 -N20 "$d/got.bin" | tr -s ' '), want -3 -2 5 1024 1"
else
  fail "multivalue.wat: $(cat "$d/err.txt")"
fi
if [ "$ran" -eq 0 ]; then echo "SKIP: no clang-14/15/16/19 installed"; exit 77; fi
finish
