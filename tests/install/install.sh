#!/usr/bin/env bash
# install.sh — wasmgraph as a user installs it:
#   1. `cmake --install` of this build into a temp prefix; every promised
#      file is there;
#   2. examples/consumer (a separate CMake project: find_package(wasmgraph),
#      two wasmgraph_add_model() models, main.c) configured against the
#      prefix, built and run with ctest;
#   3. a second build translates nothing; an edited graph.json re-translates
#      only the model that reads it;
#   4. the same main.c and generated C built with pkg-config + cc against the
#      shared runtime, and run.
# The consumer's second model is the mlp fixture when present, else the
# example object a second time (with a visible SKIP note).
#
# usage: install.sh BUILD_DIR CONSUMER_SRC WORK_DIR EXAMPLE_DIR FIXTURES_DIR PKG_CONFIG CC [FLAGS]
# FLAGS (e.g. -fsanitize=...) go to every compile and link of the consumer.
set -u
build=$1 src=$2 work=$3 example=$4 fixtures=$5 pkgconfig=$6 cc=$7 flags=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../compiler/lib.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1
prefix=$work/prefix

step() { # step LABEL COMMAND...   (output in $work/step.log)
  local label=$1
  shift
  if "$@" >"$work/step.log" 2>&1; then pass "$label"; else
    fail "$label: $(tail -c 2500 "$work/step.log")"
    return 1
  fi
}

# 1. install
step "cmake --install into a temp prefix" cmake --install "$build" --prefix "$prefix" || finish
libdir=$(cd "$prefix" && ls -d lib*/cmake/wasmgraph 2>/dev/null | head -1)
libdir=${libdir%/cmake/wasmgraph}
missing=""
for f in bin/wasmgraph "$libdir/libwasmgraph.a" "$libdir/libwasmgraph.so" include/wasmgraph.h \
  include/wasmgraph_module.h include/wasmgraph/wasm-rt.h "$libdir/pkgconfig/wasmgraph.pc" \
  "$libdir/cmake/wasmgraph/wasmgraph-config.cmake" "$libdir/cmake/wasmgraph/wasmgraph-config-version.cmake" \
  "$libdir/cmake/wasmgraph/wasmgraph-targets.cmake" "$libdir/cmake/wasmgraph/wasmgraph-functions.cmake"; do
  [ -e "$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass "installed: CLI, static+shared runtime, headers, wasm-rt.h, CMake package, wasmgraph.pc" ||
  fail "installed files missing:$missing"
targets=$prefix/$libdir/cmake/wasmgraph/wasmgraph-targets.cmake
grep -q 'add_library(wasmgraph::runtime STATIC IMPORTED)' "$targets" &&
  grep -q 'add_executable(wasmgraph::compiler IMPORTED)' "$targets" &&
  grep -q 'INTERFACE_COMPILE_DEFINITIONS "WASM_RT_MEMCHECK_SIGNAL_HANDLER=' "$targets" &&
  pass "exported targets wasmgraph::runtime (with WASM_RT_* definitions) and wasmgraph::compiler" ||
  fail "exported targets: $(grep -n 'IMPORTED\|INTERFACE' "$targets")"
"$prefix/bin/wasmgraph" --version >"$work/version.txt" 2>&1 &&
  grep -q '^wasmgraph 0\.' "$work/version.txt" && pass "installed CLI runs" ||
  fail "installed CLI: $(cat "$work/version.txt")"

# The models: a private copy of the example (so editing it below disturbs no
# other test) and, when present, the mlp fixture.
cp -r "$example" "$work/digits" || exit 1
second=()
second_dir=$work/twin
if [ -f "$fixtures/mlp/wasm32/graph.o" ]; then
  second=(-DSECOND_MODEL="$fixtures/mlp")
  second_dir=$fixtures/mlp
else
  echo "SKIP: fixtures not found at '$fixtures': the consumer's second model is the example again"
  cp -r "$example" "$work/twin" || exit 1
  second=(-DSECOND_MODEL="$work/twin")
fi

# 2. the consumer with CMake (no wasmgraph source or build tree visible to it)
cons=$work/consumer
step "consumer: configure with find_package(wasmgraph)" cmake -S "$src" -B "$cons" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  -DDIGITS_MODEL="$work/digits" "${second[@]}" || finish
step "consumer: build (two models translated by the installed CLI)" cmake --build "$cons" -j2 || finish
grep -q "translating model digits" "$work/step.log" && grep -q "translating model second" "$work/step.log" &&
  pass "consumer: both models translated at build time" || fail "consumer: translation steps not seen"
step "consumer: ctest runs the product" ctest --test-dir "$cons" -V
grep -q "digits: class 3" "$work/step.log" && grep -q "second: PASS" "$work/step.log" &&
  pass "consumer: digits says 3, second matches its expected output" ||
  fail "consumer output: $(cat "$work/step.log")"

# 3. incremental builds
gen=$cons/wasmgraph
stamp() { stat -c %Y.%y "$gen/digits/digits_w2c.c" "$gen/second_model/second_w2c.c"; }
before=$(stamp)
sleep 1
step "consumer: rebuild with nothing changed" cmake --build "$cons"
if grep -q "translating" "$work/step.log" || [ "$(stamp)" != "$before" ]; then
  fail "rebuild re-translated a model: $(grep translating "$work/step.log")"
else
  pass "rebuild with nothing changed translates nothing"
fi
touch "$work/digits/graph.json"
step "consumer: rebuild after touching digits' graph.json" cmake --build "$cons"
if grep -q "translating model digits" "$work/step.log" && ! grep -q "translating model second" "$work/step.log"; then
  pass "an edited input re-translates only its model"
else
  fail "after touching graph.json: $(grep translating "$work/step.log")"
fi

# 4. pkg-config + cc, shared runtime, the sources CMake generated
if [ -z "$pkgconfig" ]; then
  echo "SKIP: pkg-config not found: the pkg-config build did not run"
  finish
fi
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
cflags=$("$pkgconfig" --cflags wasmgraph) && libs=$("$pkgconfig" --libs wasmgraph) &&
  libpath=$("$pkgconfig" --variable=libdir wasmgraph) &&
  pass "pkg-config knows wasmgraph ($cflags)" || { fail "pkg-config --cflags --libs wasmgraph"; finish; }
[ "$libpath" = "$prefix/$libdir" ] && pass "wasmgraph.pc points into the install prefix" ||
  fail "wasmgraph.pc libdir is '$libpath', want '$prefix/$libdir'"
# shellcheck disable=SC2086
step "pkg-config + cc: compile and link main.c with both models" "$cc" -O1 $flags $cflags \
  -fno-optimize-sibling-calls -frounding-math -I"$gen/digits" -I"$gen/second_model" \
  "$src/main.c" "$gen"/digits/*.c "$gen"/second_model/*.c $libs -lm -Wl,-rpath,"$libpath" \
  -o "$work/pc_consumer"
if [ -x "$work/pc_consumer" ]; then
  step "pkg-config build runs against libwasmgraph.so" \
    "$work/pc_consumer" "$second_dir/inputs/data.npy" "$second_dir/expected/0.npy"
  ldd "$work/pc_consumer" | grep -q "$prefix/$libdir/libwasmgraph.so" &&
    pass "pkg-config build uses the installed shared runtime" || fail "ldd: $(ldd "$work/pc_consumer")"
fi
finish
