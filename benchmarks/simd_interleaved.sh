#!/usr/bin/env bash
# simd_interleaved.sh — wasmgraph against V8 TurboFan on the SIMD128 builds of
# the three CNNs, 1 thread, in alternating rounds so that both engines see the
# same machine conditions (on a shared machine, load from other tenants moves
# run_benchmarks.mjs's sequential numbers by 20-40%). Each round runs each
# engine for 3 warm-up + 20 timed runs and takes the median; the script
# prints every round and, per engine, the lowest round median.
#
# usage: benchmarks/simd_interleaved.sh WASMGRAPH FIXTURES_DIR [ROUNDS] [MODELS...]
set -eu
wg=$1 fixtures=$2 rounds=${3:-3}
shift $(( $# >= 3 ? 3 : $# ))
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(squeezenet1_1 mobilenet_v2 resnet18)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for m in "${models[@]}"; do
  f=$fixtures/$m
  "$wg" compile "$f/wasm32-simd/graph.o" -o "$work/$m.so" >/dev/null
  "$wg" compile "$f/wasm32-simd/graph.o" -o "$work/$m.wasm" >/dev/null
done
for m in "${models[@]}"; do
  f=$fixtures/$m
  inputs=()
  for i in "$f"/inputs/*.npy; do inputs+=(-i "$(basename "$i" .npy)=$i"); done
  best_wg= best_v8=
  for r in $(seq "$rounds"); do
    wgm=$("$wg" run "$work/$m.so" -g "$f/graph.json" -p "$f/graph.params" "${inputs[@]}" 2>/dev/null \
            -t 1 -r 20 -q --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.median_ms.toFixed(2))})')
    v8m=$(node "$here/v8_host/run_graph.mjs" --wasm "$work/$m.wasm" --fixture "$f" --engine v8 \
            --warmup 3 --repeat 20 | tail -n 1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).median_ms.toFixed(2)))')
    echo "$m round $r: wasmgraph $wgm ms, V8 TurboFan $v8m ms"
    best_wg=$(printf '%s\n%s\n' "$wgm" "${best_wg:-$wgm}" | sort -g | head -n 1)
    best_v8=$(printf '%s\n%s\n' "$v8m" "${best_v8:-$v8m}" | sort -g | head -n 1)
  done
  echo "$m best: wasmgraph $best_wg ms, V8 TurboFan $best_v8 ms, ratio $(node -e "console.log(($best_v8/$best_wg).toFixed(2))")x"
done
