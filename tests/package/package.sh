#!/usr/bin/env bash
# package.sh — model packages (tars) as INPUT of `wasmgraph compile` and
# `wasmgraph inspect`. The tars are built here with `tar` from model files:
#
#   example mode (the repo's example, always present):
#     - Model Library Format, GNU tar, two objects (the kernels plus a small
#       extra object built with clang) -> .so, run, outputs checked; inspect
#     - tvmc classic package with mod.so (a linked module) -> .so, run, checked
#     - tvmc with a nested mod.tar, MLF with a 120-character module name in GNU
#       and pax format, an older MLF (graph.json, ustar) -> .wasm, which must
#       be byte-identical to linking graph.o directly
#     - refusals: gzip, truncated tar, AOT package, C sources, an ELF mod.so,
#       a VM package: exit 1, one message naming the package (and member)
#   fixtures mode: mlp as MLF (pax) and multi_io as tvmc (nested mod.tar),
#     and lenet's SIMD128 build as MLF, run and checked against expected/.
#     Exit 77 (SKIP) without the fixtures.
#
# usage: package.sh WASMGRAPH CHECK_OUTPUTS CLANG MLF_METADATA example|fixtures DIR WORK_DIR
set -u
wg=$1 check=$2 clang=$3 metadata=$4 mode=$5 dir=$6 work=$7
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../compiler/lib.sh"
if [ "$mode" = fixtures ] && [ ! -d "$dir/mlp" ]; then
  echo "SKIP: fixtures not found at '$dir'"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1

# mlf STAGE OBJECT GRAPH PARAMS [MODULE]: an MLF tree (version 7 layout)
mlf() {
  local stage=$1 obj=$2 graph=$3 params=$4 module=${5:-default}
  rm -rf "$stage" && mkdir -p "$stage/codegen/host/lib" "$stage/executor-config/graph" \
    "$stage/parameters" "$stage/src" || return 1
  cp "$metadata" "$stage/metadata.json" &&
    cp "$obj" "$stage/codegen/host/lib/${module}_lib0.o" &&
    cp "$graph" "$stage/executor-config/graph/$module.graph" &&
    cp "$params" "$stage/parameters/$module.params" &&
    echo "def @main() { }" >"$stage/src/$module.relay"
}

# tvmc STAGE LIBFILE LIBNAME GRAPH PARAMS: a classic tvmc package tree
tvmc() {
  rm -rf "$1" && mkdir -p "$1" && cp "$2" "$1/$3" && cp "$4" "$1/mod.json" && cp "$5" "$1/mod.params"
}

# pack STAGE TAR [tar options]: like Python's tarfile.add(dir, arcname=".")
pack() {
  local stage=$1 out=$2
  shift 2
  tar -C "$stage" "$@" -cf "$out" .
}

compiles() { # compiles LABEL INPUT OUTPUT
  if "$wg" compile "$2" -o "$3" 2>"$work/stderr.txt"; then pass "$1"; else
    fail "$1: $(head -c 1500 "$work/stderr.txt")"
    return 1
  fi
}

# runs LABEL SO MODEL_DIR: run on inputs/*.npy, compare with expected/
runs() {
  local label=$1 so=$2 model=$3 out=$work/out-$RANDOM
  local inputs=()
  for f in "$model"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
  if "$wg" run "$so" "${inputs[@]}" --threads 1 --output-dir "$out" --quiet 2>"$work/stderr.txt" &&
    "$check" "$model/meta.json" "$model/expected" "$out" >"$work/check.txt" 2>&1; then
    pass "$label: outputs match expected/"
  else
    fail "$label: $(cat "$work/stderr.txt" "$work/check.txt" 2>/dev/null | head -c 1500)"
  fi
}

same_wasm() { # same_wasm LABEL INPUT REFERENCE.wasm
  local out=$work/same-$RANDOM.wasm
  compiles "$1: compiles" "$2" "$out" || return
  cmp -s "$out" "$3" && pass "$1: links to the same module as graph.o itself" ||
    fail "$1: linked module differs from the reference"
}

refused() { # refused LABEL INPUT MESSAGE
  expect "$1" 1 "$3" "$work/refused.so" -- "$wg" compile "$2" -o "$work/refused.so"
}

if [ "$mode" = example ]; then
  ex=$dir
  compiles "reference: graph.o -> .wasm" "$ex/graph.o" "$work/ref.wasm" || finish

  # MLF, two objects
  mlf "$work/mlf" "$ex/graph.o" "$ex/graph.json" "$ex/graph.params" || exit 1
  printf 'int wasmgraph_test_extra(int x);\nint wasmgraph_test_extra(int x) { return x * 3 + 1; }\n' \
    >"$work/extra.c"
  "$clang" --target=wasm32 -O2 -c "$work/extra.c" -o "$work/mlf/codegen/host/lib/default_lib1.o" ||
    exit 1
  pack "$work/mlf" "$work/digits_mlf.tar"
  if compiles "MLF (GNU tar, lib0.o + lib1.o) -> .so" "$work/digits_mlf.tar" "$work/mlf.so"; then
    runs "MLF" "$work/mlf.so" "$ex"
  fi
  "$wg" inspect "$work/digits_mlf.tar" >"$work/inspect.txt" 2>&1
  grep -q "^input:    $work/digits_mlf.tar (mlf-package, 2 objects)$" "$work/inspect.txt" &&
    grep -q "^wasm:     $work/digits_mlf.tar(codegen/host/lib/default_lib0.o)" "$work/inspect.txt" &&
    grep -q "^graph:    $work/digits_mlf.tar(executor-config/graph/default.graph)$" "$work/inspect.txt" &&
    grep -q "^  input  data  *float32  *\[1, 1, 8, 8\]$" "$work/inspect.txt" &&
    grep -q "^check:    ok" "$work/inspect.txt" &&
    pass "inspect: MLF kind, members, graph inputs" || fail "inspect MLF: $(cat "$work/inspect.txt")"
  "$wg" inspect --json "$work/digits_mlf.tar" >"$work/inspect.json" 2>&1
  grep -q '"input_kind":"mlf-package"' "$work/inspect.json" &&
    grep -q '"name":"data"' "$work/inspect.json" && pass "inspect --json: MLF" ||
    fail "inspect --json MLF: $(head -c 1500 "$work/inspect.json")"

  # tvmc classic, mod.so = the linked module
  tvmc "$work/tvmc" "$work/ref.wasm" mod.so "$ex/graph.json" "$ex/graph.params" || exit 1
  tar -C "$work/tvmc" -cf "$work/digits_tvmc.tar" mod.so mod.json mod.params
  if compiles "tvmc package (mod.so: linked module) -> .so" "$work/digits_tvmc.tar" "$work/tvmc.so"; then
    runs "tvmc" "$work/tvmc.so" "$ex"
  fi
  "$wg" inspect "$work/digits_tvmc.tar" >"$work/inspect.txt" 2>&1
  grep -q "(tvmc-package)$" "$work/inspect.txt" && grep -q "^wasm:     $work/digits_tvmc.tar(mod.so)$" "$work/inspect.txt" &&
    pass "inspect: tvmc package" || fail "inspect tvmc: $(cat "$work/inspect.txt")"

  # tvmc with a nested mod.tar of objects (export_library to .tar)
  mkdir -p "$work/nested" && cp "$ex/graph.o" "$work/nested/lib0.o" &&
    tar -C "$work/nested" -cf "$work/mod.tar" lib0.o &&
    tvmc "$work/tvmc2" "$work/mod.tar" mod.tar "$ex/graph.json" "$ex/graph.params" &&
    tar -C "$work/tvmc2" -cf "$work/digits_tvmc2.tar" mod.json mod.params mod.tar || exit 1
  same_wasm "tvmc package (nested mod.tar)" "$work/digits_tvmc2.tar" "$work/ref.wasm"

  # long member names: GNU 'L' records and pax headers
  long=m$(printf '%0119d' 0)
  mlf "$work/long" "$ex/graph.o" "$ex/graph.json" "$ex/graph.params" "$long" || exit 1
  pack "$work/long" "$work/long_gnu.tar" --format=gnu
  pack "$work/long" "$work/long_pax.tar" --format=pax
  same_wasm "MLF, 120-character module name, GNU format" "$work/long_gnu.tar" "$work/ref.wasm"
  same_wasm "MLF, 120-character module name, pax format" "$work/long_pax.tar" "$work/ref.wasm"

  # an older MLF layout: executor-config/graph/graph.json, plain ustar
  mlf "$work/old" "$ex/graph.o" "$ex/graph.json" "$ex/graph.params" || exit 1
  mv "$work/old/executor-config/graph/default.graph" "$work/old/executor-config/graph/graph.json"
  pack "$work/old" "$work/old.tar" --format=ustar
  same_wasm "MLF (older layout, ustar)" "$work/old.tar" "$work/ref.wasm"

  # refusals
  gzip -c "$work/digits_mlf.tar" >"$work/digits_mlf.tar.gz"
  refused "gzip-compressed package" "$work/digits_mlf.tar.gz" "digits_mlf.tar.gz: gzip-compressed"
  head -c 2600 "$work/digits_mlf.tar" >"$work/cut.tar"
  refused "truncated package" "$work/cut.tar" "cut.tar: truncated tar"
  rm -rf "$work/mlf/executor-config" && pack "$work/mlf" "$work/aot.tar"
  refused "MLF without a graph (AOT)" "$work/aot.tar" "aot.tar: Model Library Format without executor-config/graph"
  mlf "$work/csrc" "$ex/graph.o" "$ex/graph.json" "$ex/graph.params" && rm -r "$work/csrc/codegen/host/lib" &&
    mkdir -p "$work/csrc/codegen/host/src" && echo "int x;" >"$work/csrc/codegen/host/src/default_lib0.c" &&
    pack "$work/csrc" "$work/csrc.tar"
  refused "MLF with C sources (target c)" "$work/csrc.tar" "csrc.tar: holds C source (codegen/host/src/default_lib0.c)"
  tvmc "$work/elf" "$check" mod.so "$ex/graph.json" "$ex/graph.params" &&
    tar -C "$work/elf" -cf "$work/elf.tar" mod.so mod.json mod.params
  refused "tvmc package with a native (ELF) mod.so" "$work/elf.tar" "elf.tar(mod.so): not a wasm file (ELF object); a package must carry a wasm32 library"
  mkdir -p "$work/vm" && cp "$work/ref.wasm" "$work/vm/lib.so" && tar -C "$work/vm" -cf "$work/vm.tar" lib.so
  refused "tvmc VM package" "$work/vm.tar" "vm.tar: a tvmc VM package"
  finish
fi

# fixtures mode
mlf "$work/mlp" "$dir/mlp/wasm32/graph.o" "$dir/mlp/graph.json" "$dir/mlp/graph.params" || exit 1
pack "$work/mlp" "$work/mlp.tar" --format=pax
compiles "mlp as MLF (pax) -> .so" "$work/mlp.tar" "$work/mlp.so" && runs "mlp (MLF)" "$work/mlp.so" "$dir/mlp"

mkdir -p "$work/nested" && cp "$dir/multi_io/wasm32/graph.o" "$work/nested/lib0.o" &&
  tar -C "$work/nested" -cf "$work/mod.tar" lib0.o &&
  tvmc "$work/mio" "$work/mod.tar" mod.tar "$dir/multi_io/graph.json" "$dir/multi_io/graph.params" &&
  tar -C "$work/mio" -cf "$work/multi_io.tar" mod.json mod.params mod.tar || exit 1
compiles "multi_io as tvmc (nested mod.tar) -> .so" "$work/multi_io.tar" "$work/multi_io.so" &&
  runs "multi_io (tvmc)" "$work/multi_io.so" "$dir/multi_io"

mlf "$work/simd" "$dir/lenet/wasm32-simd/graph.o" "$dir/lenet/graph.json" "$dir/lenet/graph.params" &&
  pack "$work/simd" "$work/lenet_simd.tar"
compiles "lenet SIMD128 object inside an MLF -> .so" "$work/lenet_simd.tar" "$work/lenet_simd.so" &&
  runs "lenet SIMD128 (MLF)" "$work/lenet_simd.so" "$dir/lenet"
finish
