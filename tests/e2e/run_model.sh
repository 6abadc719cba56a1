#!/usr/bin/env bash
# run_model.sh — one model end to end: `wasmgraph compile` its graph library to
# a .so, `wasmgraph run` it on inputs/*.npy, and compare every output with
# expected/*.npy under the model's meta.json tolerances. With --threads-check
# it also runs with 1 and 2 threads and requires bit-identical outputs.
#
# usage: run_model.sh WASMGRAPH CHECK_OUTPUTS MODEL_DIR OBJECT WORK_DIR [--threads-check]
# Exit 77 (ctest SKIP) when MODEL_DIR does not exist.
set -u
wg=$1 check=$2 model=$3 object=$4 work=$5 mode=${6:-}
if [ ! -d "$model" ]; then
  echo "SKIP: fixture not found at $model"
  exit 77
fi
name=$(basename "$model" | tr -c 'A-Za-z0-9_\n' '_')
rm -rf "$work" && mkdir -p "$work" || exit 1
so="$work/$name.so"
"$wg" compile "$object" -o "$so" --name "$name" || { echo "FAIL: compile $object"; exit 1; }
inputs=()
for f in "$model"/inputs/*.npy; do
  inputs+=(-i "$(basename "$f" .npy)=$f")
done
run() { # run THREADS OUTDIR
  "$wg" run "$so" --graph "$model/graph.json" --params "$model/graph.params" "${inputs[@]}" \
    --threads "$1" --output-dir "$2" --quiet
}
run 1 "$work/out1" || { echo "FAIL: run (1 thread)"; exit 1; }
"$check" "$model/meta.json" "$model/expected" "$work/out1" || { echo "FAIL: outputs differ from expected"; exit 1; }
if [ "$mode" = "--threads-check" ]; then
  run 2 "$work/out2" || { echo "FAIL: run (2 threads)"; exit 1; }
  for f in "$work"/out1/*.npy; do
    cmp -s "$f" "$work/out2/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between 1 and 2 threads"; exit 1; }
  done
  echo "outputs bit-identical with 1 and 2 threads"
fi
echo "PASS: $name"
