#!/usr/bin/env bash
# sandbox_data_first.sh — the sandbox suite against wasm-ld's default layout.
# A module the user linked without --stack-first keeps its static data below
# the shadow stack ([data | stack | heap]); after a failed run the runtime
# must still restore that data (runtime/executor.c takes it from [0, data_end)
# then, from [stack_top, heap_base) for --stack-first). The hostile module of
# tests/sandbox, moved to that layout (stack top and heap base at 128 KiB,
# above its data at 64..72 KiB), must pass every case through the C API
# (sandbox_api: one executor across the cases, so clobber_data and memset_all
# show whether the data came back) and through `wasmgraph run`.
#
# usage: sandbox_data_first.sh WASMGRAPH WAT2WASM SANDBOX_DIR SANDBOX_WASM_DIR SANDBOX_API
#                              SANDBOX_CLI_CASES WORK_DIR
set -u
wg=$1 wat2wasm=$2 sandbox=$3 wasm_dir=$4 api=$5 cases=$6 work=$7
rm -rf "$work" && mkdir -p "$work/modules" || exit 1
wat="$work/hostile_data_first.wat"
sed -e 's/(global $__stack_pointer (mut i32) (i32.const 65536))/(global $__stack_pointer (mut i32) (i32.const 131072))/' \
    -e 's/(global $__heap_base i32 (i32.const 73728))/(global $__heap_base i32 (i32.const 131072))/' \
    -e 's/(if (i32.ne (global.get $__stack_pointer) (i32.const 65536))/(if (i32.ne (global.get $__stack_pointer) (i32.const 131072))/' \
    "$sandbox/modules/hostile.wat" >"$wat"
changed=$(diff "$sandbox/modules/hostile.wat" "$wat" | grep -c '^>')
if [ "$changed" -ne 3 ]; then
  echo "FAIL: hostile.wat changed shape: moved $changed of its 3 layout lines (update this script)"
  exit 1
fi
"$wat2wasm" --debug-names "$wat" -o "$work/hostile.wasm" || { echo "FAIL: wat2wasm"; exit 1; }
"$wg" compile "$work/hostile.wasm" -o "$work/modules/hostile.so" --name sandbox_hostile ||
  { echo "FAIL: compile the data-first hostile module"; exit 1; }
"$wg" inspect "$work/modules/../hostile.wasm" | grep -q 'heap base 0x20000' ||
  { echo "FAIL: the data-first module's heap base is not 128 KiB"; exit 1; }
for m in good ctor_trap ctor_wild_name; do
  "$wg" compile "$wasm_dir/$m.wasm" -o "$work/modules/$m.so" --name "sandbox_$m" ||
    { echo "FAIL: compile $m"; exit 1; }
done
mkdir -p "$work/api"
echo "== C API (sandbox_api)"
"$api" "$work/modules" "$work/api" || { echo "FAIL: sandbox_api on the data-first module"; exit 1; }
echo "== wasmgraph run (sandbox_cli.sh)"
bash "$sandbox/sandbox_cli.sh" "$wg" "$cases" "$work/modules" "$work/cli"
