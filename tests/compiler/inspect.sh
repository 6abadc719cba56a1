#!/usr/bin/env bash
# inspect.sh — `wasmgraph inspect` on the repo's example folder (text and
# --json), on bad input and, with the fixtures, on a SIMD object (read and
# accepted since wasm2c 1.0.39) and a CNN folder. Golden files in
# inspect_golden/ hold the complete output for the example folder and for the
# same example packed as a Model Library Format tar (text and --json), paths
# replaced by <EXAMPLE> and <WORK>; WASMGRAPH_UPDATE_GOLDEN=1 rewrites them.
#
# usage: inspect.sh WASMGRAPH EXAMPLE_DIR WORK_DIR [FIXTURES_DIR]
set -u
wg=$1 example=$2 work=$3 fixtures=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1

has() { # has LABEL FILE FIXED-STRING
  if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: no '$3' in: $(head -c 1500 "$2")"; fi
}

"$wg" inspect "$example" >"$work/text.txt" 2>"$work/err.txt"
[ $? -eq 0 ] && pass "example folder: exit 0" || fail "example folder: $(cat "$work/err.txt")"
has "example: kind" "$work/text.txt" "input:    $example (folder)"
has "example: verdict" "$work/text.txt" "check:    ok: wasmgraph compile accepts it"
has "example: layout" "$work/text.txt" "layout:   stack [0, 0x800000)"
has "example: memory import" "$work/text.txt" "env.memory"
has "example: registration import" "$work/text.txt" "env.TVMBackendRegisterSystemLibSymbol"
# every kernel graph.json calls is listed (the registry names are the symbols)
missing=""
for f in $(grep -o '"func_name": *"[^"]*"' "$example/graph.json" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u); do
  case $f in __nop|__copy) continue ;; esac
  grep -qx "  $f" "$work/text.txt" || missing="$missing $f"
done
[ -z "$missing" ] && pass "example: every graph.json func_name is a listed kernel" ||
  fail "example: kernels missing from the list:$missing"
grep -q "^  input  " "$work/text.txt" && grep -q "^  output output_0 " "$work/text.txt" &&
  pass "example: graph inputs and outputs listed" || fail "example: graph I/O: $(cat "$work/text.txt")"

"$wg" inspect "$example" --json >"$work/json.txt" 2>"$work/err.txt"
[ $? -eq 0 ] && pass "--json: exit 0" || fail "--json: $(cat "$work/err.txt")"
has "--json: document" "$work/json.txt" '"input_kind":"folder"'
has "--json: verdict" "$work/json.txt" '"ok":true'
has "--json: graph outputs" "$work/json.txt" '"name":"output_0"'
[ "$(head -c 1 "$work/json.txt")" = "{" ] && [ "$(tail -n 1 "$work/json.txt")" = "}" ] && pass "--json: one object on stdout" || fail "--json: not a single object"

: >"$work/empty.o"
"$wg" inspect "$work/empty.o" >"$work/out.txt" 2>"$work/err.txt"
rc=$?
[ $rc -eq 1 ] && grep -q "empty.o: not a wasm file" "$work/err.txt" && pass "empty file: exit 1 with message" ||
  fail "empty file: exit $rc: $(cat "$work/err.txt")"
"$wg" inspect --bogus "$example" >"$work/out.txt" 2>"$work/err.txt"
[ $? -eq 2 ] && grep -q "^Try 'wasmgraph inspect --help'.$" "$work/err.txt" && pass "unknown flag: exit 2" ||
  fail "unknown flag: $(cat "$work/err.txt")"
"$wg" inspect --help >"$work/out.txt" 2>&1
[ $? -eq 0 ] && grep -q "^usage: wasmgraph inspect INPUT \[--json\]$" "$work/out.txt" && pass "--help" ||
  fail "--help: $(cat "$work/out.txt")"

# Golden output, compared whole.
golden() { # golden FILE COMMAND...
  local name=$1
  shift
  "$@" 2>&1 | sed -e "s|$work|<WORK>|g" -e "s|$example|<EXAMPLE>|g" >"$work/$name"
  if [ "${WASMGRAPH_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$work/$name" "$here/inspect_golden/$name" && echo "updated inspect_golden/$name"
  fi
  if diff -u "$here/inspect_golden/$name" "$work/$name" >"$work/$name.diff"; then
    pass "golden: $name"
  else
    fail "golden: $name differs: $(head -c 2500 "$work/$name.diff")"
  fi
}
golden help.txt "$wg" inspect --help
golden example.txt "$wg" inspect "$example"
golden example.json "$wg" inspect --json "$example"
stage=$work/mlf
mkdir -p "$stage/codegen/host/lib" "$stage/executor-config/graph" "$stage/parameters" &&
  cp "$here/../package/mlf_metadata.json" "$stage/metadata.json" &&
  cp "$example/graph.o" "$stage/codegen/host/lib/default_lib0.o" &&
  cp "$example/graph.json" "$stage/executor-config/graph/default.graph" &&
  cp "$example/graph.params" "$stage/parameters/default.params" &&
  tar -C "$stage" -cf "$work/digits_mlf.tar" . || exit 1
golden example_mlf.txt "$wg" inspect "$work/digits_mlf.tar"
golden example_mlf.json "$wg" inspect --json "$work/digits_mlf.tar"

if [ -n "$fixtures" ] && [ -d "$fixtures/lenet" ]; then
  "$wg" inspect "$fixtures/lenet/wasm32-simd/graph.o" >"$work/simd.txt" 2>"$work/err.txt"
  [ $? -eq 0 ] && pass "SIMD object: readable (exit 0)" || fail "SIMD object: $(cat "$work/err.txt")"
  has "SIMD object: feature listed" "$work/simd.txt" "features: simd128"
  has "SIMD object: accepted by the checks" "$work/simd.txt" "check:    ok: wasmgraph compile accepts it"
  "$wg" inspect "$fixtures/lenet" >"$work/lenet.txt" 2>"$work/err.txt"
  has "lenet: workspace import served" "$work/lenet.txt" "env.TVMBackendAllocWorkspace"
  has "lenet: input shape" "$work/lenet.txt" "[1, 1, 28, 28]"
else
  echo "SKIP: fixtures not found at '$fixtures': SIMD and lenet inspection not run"
fi
finish
