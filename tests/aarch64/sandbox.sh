#!/usr/bin/env bash
# sandbox.sh — the sandbox suite's hostile modules compiled for AArch64 and
# run through the AArch64 CLI under qemu-user: every trap case must still be
# caught (out-of-bounds accesses through the guard pages and the SIGSEGV
# handler, which qemu-user delivers as the kernel would; or through the
# explicit checks in a bounds-check build) and end in exit 1,
# never in a signal; the good input must still give the right answer.
# It reuses tests/sandbox/sandbox_cli.sh and its case list.
#
# usage: sandbox.sh WASMGRAPH CROSS_WASMGRAPH SANDBOX_CLI_SH SANDBOX_CLI_CASES WASM_DIR WORK_DIR
# Exit 77 (ctest SKIP) when the cross-built CLI does not exist.
set -u
wg=$1 cross=$2 cli_sh=$3 cases=$4 wasm_dir=$5 work=$6
if [ ! -x "$cross" ]; then echo "SKIP: no AArch64 CLI at $cross (see the aarch64.build test)"; exit 77; fi
rm -rf "$work" && mkdir -p "$work/modules" || exit 1
for m in hostile good ctor_trap ctor_wild_name; do
  "$wg" compile "$wasm_dir/$m.wasm" -o "$work/modules/$m.so" --name "sandbox_$m" \
    --target aarch64-linux-gnu || { echo "FAIL: compile $m for aarch64"; exit 1; }
done
# sandbox_cli.sh calls "$WASMGRAPH run ...": give it the emulated CLI
printf '#!/bin/sh\nexec qemu-aarch64 -L / "%s" "$@"\n' "$cross" >"$work/wasmgraph"
chmod +x "$work/wasmgraph"
bash "$cli_sh" "$work/wasmgraph" "$cases" "$work/modules" "$work/cli"
