#!/bin/sh
# link_wasm.sh GRAPH.O OUT.WASM
#
# Links a TVM wasm32 system-lib object into the same linked module that
# `wasmgraph compile X -o model.wasm` produces, so that the benchmark peers
# (V8, wabt's interpreter) run exactly the code the translator sees.
# --whole-archive keeps the object's constructor (the system-lib
# registration) although nothing references it; --stack-first puts the
# shadow stack below the data so an overflow traps instead of corrupting it;
# --import-memory lets the host size memory for all tensors.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 GRAPH.O OUT.WASM" >&2
    exit 2
fi
WASM_LD=${WASM_LD:-}
if [ -z "$WASM_LD" ]; then
    for c in wasm-ld wasm-ld-14; do
        if command -v "$c" >/dev/null 2>&1; then WASM_LD=$c; break; fi
    done
fi
if [ -z "$WASM_LD" ]; then
    echo "link_wasm.sh: wasm-ld not found (apt-get install lld-14)" >&2
    exit 1
fi
exec "$WASM_LD" --no-entry --whole-archive "$1" --no-whole-archive \
    --allow-undefined --export=__wasm_call_ctors --export=__heap_base \
    --export=__data_end --export-table --stack-first \
    -z stack-size=8388608 --import-memory -o "$2"
