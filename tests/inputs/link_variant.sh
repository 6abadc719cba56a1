#!/usr/bin/env bash
# link_variant.sh — a model's graph library linked by the user, the way
# wasm-ld links when told nothing about wasmgraph, then compiled, run and
# compared with expected/ like every other model (issue 16):
#
#   default        wasm-ld --no-entry --whole-archive graph.o --allow-undefined
#                  --export-dynamic (defined memory without a maximum, no
#                  table export, no __wasm_call_ctors/__heap_base/__data_end
#                  exports, stack above the data)
#   import-memory  the same plus --import-memory (memory imported, .bss in the file)
#   stripped       the same as default plus --strip-all (no "name" section:
#                  the stack pointer is found by wasm-ld's conventions)
#
# It checks that `wasmgraph compile -v` reports the adaptations this variant
# needs, that the outputs match expected/ under meta.json's tolerances, and
# that 1 and 2 threads give bit-identical outputs. At -O2 (the default) it
# also checks that the log says why the passes needing a memory maximum are
# off; -O1 (tests/inputs/CMakeLists.txt uses it for two of the three links of
# each fixture) skips the LLVM pipeline, which is not what these tests are
# about, and saves most of the compile time.
#
# usage: link_variant.sh WASMGRAPH CHECK_OUTPUTS WASM_LD MODEL_DIR OBJECT VARIANT WORK_DIR [-O1|-O2]
# Exit 77 (ctest SKIP) when MODEL_DIR does not exist.
set -u
wg=$1 check=$2 wasm_ld=$3 model=$4 object=$5 variant=$6 work=$7 opt=${8:--O2}
if [ ! -d "$model" ]; then
  echo "SKIP: fixture not found at $model"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
flags=(--no-entry --whole-archive "$object" --no-whole-archive --allow-undefined --export-dynamic)
want=("memory imported as env.memory" "table exported" "__wasm_call_ctors (function"
      "heap base")
case "$variant" in
  default) ;;
  import-memory)
    flags+=(--import-memory)
    want=("table exported" "__wasm_call_ctors (function" "heap base") ;;
  stripped)
    flags+=(--strip-all)
    want+=("named __stack_pointer") ;;
  *) echo "FAIL: unknown variant $variant"; exit 2 ;;
esac
wasm="$work/linked.wasm"
echo "+ wasm-ld ${flags[*]}"
"$wasm_ld" "${flags[@]}" -o "$wasm" || { echo "FAIL: wasm-ld"; exit 1; }

name=$(basename "$model" | tr -c 'A-Za-z0-9_\n' '_')
so="$work/$name.so"
"$wg" compile "$wasm" -o "$so" --name "$name" "$opt" -v >"$work/compile.log" 2>&1 || {
  tail -5 "$work/compile.log"; echo "FAIL: compile $variant-linked module"; exit 1; }
summary=$(grep 'adapted the linked module' "$work/compile.log")
echo "$summary"
for w in "${want[@]}"; do
  case "$summary" in
    *"$w"*) ;;
    *) echo "FAIL: compile -v does not report '$w'"; exit 1 ;;
  esac
done
# No declared maximum: the passes that need one must say they are off.
if [ "$opt" = -O2 ] && ! grep -q 'tile vectorizer: off (memory maximum above 65535 pages)' "$work/compile.log"; then
  echo "FAIL: the log does not say the tile vectorizer is off for want of a memory maximum"; exit 1
fi

inputs=()
for f in "$model"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
for t in 1 2; do
  "$wg" run "$so" --graph "$model/graph.json" --params "$model/graph.params" "${inputs[@]}" \
    --threads "$t" --output-dir "$work/out$t" --quiet || { echo "FAIL: run ($t threads)"; exit 1; }
done
"$check" "$model/meta.json" "$model/expected" "$work/out1" || { echo "FAIL: outputs differ from expected"; exit 1; }
for f in "$work"/out1/*.npy; do
  cmp -s "$f" "$work/out2/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between 1 and 2 threads"; exit 1; }
done
echo "PASS: $name, $variant link ($opt)"
