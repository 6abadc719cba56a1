#!/usr/bin/env bash
# run_errors.sh — bad input to `wasmgraph run` gets a one-line error that names
# the file and the problem, exit status 1 (2 for usage), never a crash.
# Uses the repo's own example model, so it runs without ../shared.
#
# usage: run_errors.sh WASMGRAPH EXAMPLE_DIR WORK_DIR
set -u
wg=$1 ex=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

# expect NAME STATUS SUBSTRING -- COMMAND...
expect() {
  local name=$1 want=$2 text=$3
  shift 4
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" -ge 128 ]; then bad "$name: killed by signal $((got - 128))"; return; fi
  if [ "$got" -ne "$want" ]; then bad "$name: exit $got, expected $want ($(head -c 300 err.txt))"; return; fi
  if [ -n "$text" ] && ! grep -qF -- "$text" err.txt; then bad "$name: stderr lacks '$text': $(head -c 300 err.txt)"; return; fi
  ok "$name"
}

"$wg" compile "$ex/graph.o" -o model.so --name digits || { echo "FAIL - compile"; exit 1; }
G=(--graph "$ex/graph.json" --params "$ex/graph.params")
IN=(-i "data=$ex/inputs/data.npy")
expect "good run" 0 "" -- "$wg" run model.so "${G[@]}" "${IN[@]}" -o outdir
[ -f outdir/output_0.npy ] && ok "writes output_0.npy" || bad "no output_0.npy"

# graph.json problems
printf '{"nodes": [' > trunc.json
expect "truncated graph.json" 1 "trunc.json:" -- "$wg" run model.so --graph trunc.json --params "$ex/graph.params" "${IN[@]}"
echo '{"nodes": 3, "arg_nodes": [], "heads": [], "attrs": {}, "node_row_ptr": [0]}' > types.json
expect "graph.json wrong types" 1 "types.json: nodes" -- "$wg" run model.so --graph types.json --params "$ex/graph.params" "${IN[@]}"
sed 's/"node_row_ptr"/"node_row_ptrX"/' "$ex/graph.json" > nokey.json
expect "graph.json missing key" 1 "node_row_ptr" -- "$wg" run model.so --graph nokey.json --params "$ex/graph.params" "${IN[@]}"
expect "graph.json missing file" 1 "nosuch.json: No such file" -- "$wg" run model.so --graph nosuch.json --params "$ex/graph.params" "${IN[@]}"

# params problems
head -c 100 "$ex/graph.params" > trunc.params
expect "truncated params" 1 "trunc.params:" -- "$wg" run model.so --graph "$ex/graph.json" --params trunc.params "${IN[@]}"
{ printf '\x00\x00\x00\x00\x00\x00\x00\x00'; tail -c +9 "$ex/graph.params"; } > magic.params
expect "params wrong magic" 1 "magic" -- "$wg" run model.so --graph "$ex/graph.json" --params magic.params "${IN[@]}"
sed 's/"p0"/"q0"/' "$ex/graph.json" > renamed.json
expect "params name unknown to graph" 1 "'p0' is not an input of the graph" -- "$wg" run model.so --graph renamed.json --params "$ex/graph.params" "${IN[@]}"
python3 - "$ex/graph.json" > shape.json <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
names = [n["name"] for n in g["nodes"]]
eid = g["node_row_ptr"][names.index("p0")]
g["attrs"]["shape"][1][eid] = [dim + 1 for dim in g["attrs"]["shape"][1][eid]]
print(json.dumps(g))
PY
expect "params shape mismatch" 1 "'p0' has shape" -- "$wg" run model.so --graph shape.json --params "$ex/graph.params" "${IN[@]}"

# inputs
expect "missing input" 1 "input 'data' (float32) was not given" -- "$wg" run model.so "${G[@]}"
expect "--fill zeros" 0 "" -- "$wg" run model.so "${G[@]}" --fill zeros
expect "unknown input name" 1 "no input named 'pixels'" -- "$wg" run model.so "${G[@]}" -i "pixels=$ex/inputs/data.npy"
echo "not numpy" > bad.npy
expect "not a .npy" 1 "bad.npy" -- "$wg" run model.so "${G[@]}" -i data=bad.npy
# a float64 input of the right shape, and a float32 one of the wrong shape
python3 - <<'PY'
import struct
def npy(path, descr, shape, data):
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + data)
npy("f64.npy", "<f8", "(1, 1, 8, 8)", b"\0" * 8 * 64)
npy("shape.npy", "<f4", "(1, 64)", b"\0" * 4 * 64)
PY
expect "wrong dtype" 1 "dtype is float64, expected float32" -- "$wg" run model.so "${G[@]}" -i data=f64.npy
expect "wrong shape" 1 "shape is (1, 64), expected (1, 1, 8, 8)" -- "$wg" run model.so "${G[@]}" -i data=shape.npy

# the model itself
expect "not a model library" 1 "cannot load" -- "$wg" run bad.npy "${G[@]}" "${IN[@]}"
# A .so from a release on the older wasm-rt ABI needs a symbol this runtime
# no longer defines, so dlopen fails before the descriptor can be checked.
printf 'unsigned wasm_rt_register_func_type(unsigned, unsigned, ...);\n%s\n' \
  'unsigned old_init(void) { return wasm_rt_register_func_type(0, 0); }' > old_release.c
if clang -shared -fPIC old_release.c -o old_release.so 2>/dev/null; then
  expect "module of another release" 1 "recompile it with this wasmgraph" -- \
    "$wg" run old_release.so "${G[@]}" "${IN[@]}"
else
  bad "clang cannot build old_release.so"
fi
expect "no embedded graph" 1 "no graph.json" -- "$wg" run model.so "${IN[@]}"

# usage errors
expect "unknown option" 2 "unknown option" -- "$wg" run model.so --bogus
expect "no model" 2 "missing MODEL.so" -- "$wg" run
expect "bad --input" 2 "NAME=FILE" -- "$wg" run model.so -i data
expect "bad --repeat" 2 "--repeat" -- "$wg" run model.so --repeat 0

echo "$pass passed, $fail failed"
if [ $((pass + fail)) -eq 0 ]; then echo "FAIL: no check ran"; exit 1; fi
[ "$fail" -eq 0 ]
