#!/usr/bin/env bash
# adapt_cases.sh — what `wasmgraph compile` does with linked modules and
# objects that wasmgraph did not link itself (issue 16), without running them
# (link_variant.sh runs the real models):
#
#   - every way wasm-ld links the example (default, --import-memory,
#     --strip-all, --stack-first, with --max-memory): the adapted module
#     (OUTPUT .wasm) is valid wasm (wabt 1.0.39's wasm-validate), keeps the
#     declared memory limits as an env.memory import, and needs no second
#     adaptation;
#   - modules that cannot be adapted fail with one line that says what to
#     pass to wasm-ld (modules/*.wat);
#   - TVM 0.21+ objects (tvm-ffi) are refused naming the TVM generation, as a
#     linked module, a relocatable object, and a folder without graph.json;
#   - a declared memory maximum too small for the graph fails at compile time.
#
# usage: adapt_cases.sh WASMGRAPH WASM_LD WABT_BIN_DIR NODE EXAMPLE_DIR MODULES_SRC WORK_DIR
set -u
wg=$1 wasm_ld=$2 wabt=$3 node=$4 example=$5 modsrc=$6 work=$7
rm -rf "$work" && mkdir -p "$work" || exit 1
# shellcheck source=../compiler/lib.sh
. "$(dirname "$0")/../compiler/lib.sh"

wat2wasm() { "$node" "$wabt/wat2wasm" --enable-threads --enable-multi-memory "$@"; }
validate() { "$node" "$wabt/wasm-validate" --enable-threads "$1" 2>&1; }
obj="$example/graph.o"

# ---- wasm-ld's ways of linking the example ----------------------------------
# "memory[0] pages: initial=2 max=256 <- env.memory" -> "initial=2 max=256 <- env.memory"
memory_of() {
  "$node" "$wabt/wasm-objdump" -x "$1" 2>/dev/null | sed -n 's/^ - memory\[0\] pages: //p' | head -n 1
}
# name | wasm-ld flags (beyond --no-entry --whole-archive graph.o --allow-undefined)
variants=(
  "default|--export-dynamic"
  "import_memory|--export-dynamic --import-memory"
  "stripped|--export-dynamic --strip-all"
  "stack_first|--export-dynamic --stack-first -z stack-size=131072"
  "max_memory|--export-dynamic --max-memory=16777216"
  "no_exports|--export=tvmgen_default_fused_nn_softmax"
)
for v in "${variants[@]}"; do
  IFS='|' read -r name flags <<<"$v"
  in="$work/$name.wasm" out="$work/$name.adapted.wasm"
  # shellcheck disable=SC2086
  if ! "$wasm_ld" --no-entry --whole-archive "$obj" --no-whole-archive --allow-undefined $flags \
       -o "$in" 2>"$work/ld.txt"; then
    fail "$name: wasm-ld $flags: $(head -c 300 "$work/ld.txt")"
    continue
  fi
  if ! "$wg" compile "$in" -o "$out" -v >"$work/$name.log" 2>&1; then
    fail "$name: compile: $(tail -n 2 "$work/$name.log")"
    continue
  fi
  grep -q 'adapted the linked module' "$work/$name.log" && pass "$name: adapted" ||
    fail "$name: compile -v does not say it adapted the module"
  v_out=$(validate "$out") && pass "$name: the adapted module is valid wasm" ||
    fail "$name: wasm-validate: $v_out"
  want=$(memory_of "$in") have=$(memory_of "$out")
  want=${want% <- *}
  [ -n "$want" ] && [ "$have" = "$want <- env.memory" ] &&
    pass "$name: memory limits kept as an env.memory import ($have)" ||
    fail "$name: memory '$have', wasm-ld wrote '$want'"
  "$wg" inspect "$out" >"$work/$name.inspect" 2>&1
  grep -q '^check: *ok' "$work/$name.inspect" && pass "$name: inspect accepts the adapted module" ||
    fail "$name: inspect: $(grep '^check:' "$work/$name.inspect")"
  "$wg" compile "$out" -o "$work/$name.again.wasm" -v >"$work/$name.again.log" 2>&1 &&
    ! grep -q 'adapted the linked module' "$work/$name.again.log" &&
    pass "$name: adapting is idempotent" || fail "$name: the adapted module was adapted again"
done
# the stripped module's stack pointer got its name back, at global 0
grep -q 'global 0 named __stack_pointer' "$work/stripped.log" && pass "stripped: global 0 named __stack_pointer" ||
  fail "stripped: $(grep adapted "$work/stripped.log")"
# --stack-first with a defined memory: .bss is not in the file, so the data
# is taken to end with the initial memory
grep -q "stack first: data taken to end with the initial memory" "$work/stack_first.log" && pass "stack_first: layout worked out as stack-first" ||
  fail "stack_first: $(grep adapted "$work/stack_first.log")"

# ---- modules that cannot be adapted -----------------------------------------
cases=(
  "shared_memory|link without --shared-memory"
  "two_memories|the runtime serves one"
  "import_table|link without --import-table"
  "no_ctors|relink with --export=__wasm_call_ctors"
  "no_stack_pointer|keep wasm-ld's \"name\" section"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name want <<<"$c"
  wat2wasm "$modsrc/$name.wat" -o "$work/$name.wasm" || { fail "$name: wat2wasm"; continue; }
  expect "$name" 1 "$want" "$work/$name.out.wasm" -- "$wg" compile "$work/$name.wasm" -o "$work/$name.out.wasm"
done

# ---- TVM 0.21+ (tvm-ffi) ----------------------------------------------------
ffi_msg="built by TVM 0.21 or later (tvm-ffi calling convention: it imports TVMFFIFunctionCall)"
wat2wasm "$modsrc/tvm_ffi.wat" -o "$work/tvm_ffi.wasm" || fail "tvm_ffi: wat2wasm"
wat2wasm -r "$modsrc/tvm_ffi.wat" -o "$work/tvm_ffi.o" || fail "tvm_ffi: wat2wasm -r"
mkdir -p "$work/tvm_ffi_folder" && cp "$work/tvm_ffi.o" "$work/tvm_ffi_folder/graph.o"
expect "tvm_ffi: linked module" 1 "$ffi_msg" "$work/ffi1.so" -- "$wg" compile "$work/tvm_ffi.wasm" -o "$work/ffi1.so"
expect "tvm_ffi: relocatable object" 1 "$ffi_msg" "$work/ffi2.so" -- "$wg" compile "$work/tvm_ffi.o" -o "$work/ffi2.so"
expect "tvm_ffi: folder without graph.json" 1 "$ffi_msg" "$work/ffi3.so" -- "$wg" compile "$work/tvm_ffi_folder" -o "$work/ffi3.so"
expect "tvm_ffi: the message names the supported TVM" 1 "from TVM 0.8 to 0.19" "$work/ffi4.so" -- \
  "$wg" compile "$work/tvm_ffi.o" -o "$work/ffi4.so"
"$wg" inspect "$work/tvm_ffi.o" >"$work/ffi_inspect.txt" 2>&1
grep -q '^check: *refused: .*built by TVM 0.21 or later' "$work/ffi_inspect.txt" &&
  pass "tvm_ffi: inspect says why it is refused" ||
  fail "tvm_ffi: inspect: $(grep '^check:' "$work/ffi_inspect.txt")"

# ---- a declared memory maximum too small for the graph ----------------------
# A module whose memory may grow to 1 MiB: the example's graph fits, the same
# graph with an 800x800 input (2.4 MiB) cannot.
"$wasm_ld" --no-entry --whole-archive "$obj" --no-whole-archive --allow-undefined --export-dynamic \
  --max-memory=1048576 -o "$work/small_max.wasm" || fail "small_max: wasm-ld"
sed 's/\[1, 1, 8, 8\]/[1, 1, 800, 800]/' "$example/graph.json" >"$work/big_graph.json"
cmp -s "$example/graph.json" "$work/big_graph.json" && fail "small_max: could not enlarge the graph's input"
expect "small_max: refused at compile time" 1 "declared maximum memory (16 pages, 1048576 bytes) is too small" \
  "$work/small_max.so" -- "$wg" compile "$work/small_max.wasm" -o "$work/small_max.so" \
  --embed "$work/big_graph.json" "$example/graph.params"
expect "small_max: says what to pass to wasm-ld" 1 "relink with a larger --max-memory" \
  "$work/small_max.so" -- "$wg" compile "$work/small_max.wasm" -o "$work/small_max.so" \
  --embed "$work/big_graph.json" "$example/graph.params"
"$wg" compile "$work/small_max.wasm" -o "$work/small_max_ok.so" --embed "$example/graph.json" \
  "$example/graph.params" 2>"$work/stderr.txt" && pass "small_max: the real graph fits in 1 MiB" ||
  fail "small_max: the real graph was refused: $(cat "$work/stderr.txt")"
finish
