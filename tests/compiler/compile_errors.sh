#!/usr/bin/env bash
# compile_errors.sh — `wasmgraph compile` on bad input and bad usage: exact exit
# status, a message substring, one line on stderr, no OUTPUT and no leftover
# temp files afterwards. Also the success paths that need no fixture: a tiny
# system-lib object written in C (so this test runs even without
# ../shared/fixtures), archives, linked-module input, -v and --save-temps.
#
# usage: compile_errors.sh WASMGRAPH WORK_DIR [FIXTURES_DIR]
set -u
wg=$1 work=$2 fixtures=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

rm -rf "$work" && mkdir -p "$work/in" "$work/out" "$work/tmp" || exit 1
export TMPDIR="$work/tmp"   # every temp dir the compiler makes must vanish
in=$work/in out=$work/out

# ---- inputs ------------------------------------------------------------------
: >"$in/empty.o"
{ printf 'X'; head -c 4095 /dev/urandom; } >"$in/random.o"
echo 'int f(int x) { return x + 1; }' >"$in/tiny.c"
clang -c "$in/tiny.c" -o "$in/elf.o" || exit 1
clang --target=wasm64 -c "$in/tiny.c" -o "$in/wasm64.o" || exit 1
clang --target=wasm32 -c "$in/tiny.c" -o "$in/nosyslib.o" || exit 1
# A minimal TVM-like system-lib object: one PackedFunc kernel registered by a
# constructor, exactly the shape of TVM's graph.o.
cat >"$in/good.c" <<'EOF'
int TVMBackendRegisterSystemLibSymbol(const char *name, void *ptr);
int tvmgen_default_fused_add(void *args, int *tcodes, int n, void *rv, int *rtc, void *rh) {
  return n == 3 ? 0 : -1;
}
static void *ctx;
__attribute__((constructor)) static void startup(void) {
  TVMBackendRegisterSystemLibSymbol("__tvm_module_ctx", &ctx);
  TVMBackendRegisterSystemLibSymbol("tvmgen_default_fused_add", (void *)tvmgen_default_fused_add);
}
EOF
clang --target=wasm32 -O2 -c "$in/good.c" -o "$in/good.o" || exit 1
sed 's/return n == 3 ? 0 : -1;/return foo(n);/; 1i int foo(int);' "$in/good.c" >"$in/unknown.c"
clang --target=wasm32 -O2 -c "$in/unknown.c" -o "$in/unknown.o" || exit 1
sed 's/return n == 3 ? 0 : -1;/return (int)expf((double)n);/; 1i double expf(double);' \
  "$in/good.c" >"$in/badsig.c"
clang --target=wasm32 -O2 -fno-builtin -w -c "$in/badsig.c" -o "$in/badsig.o" || exit 1
head -c $(($(stat -c %s "$in/good.o") / 2)) "$in/good.o" >"$in/truncated.o"
llvm-ar rcs "$in/libgood.a" "$in/good.o" 2>/dev/null || ar rcs "$in/libgood.a" "$in/good.o" || exit 1
llvm-ar rcs "$in/libmixed.a" "$in/good.o" "$in/elf.o" 2>/dev/null ||
  ar rcs "$in/libmixed.a" "$in/good.o" "$in/elf.o" || exit 1
clang --target=wasm32 -mrelaxed-simd -O2 -c "$in/good.c" -o "$in/relaxed.o" || exit 1
# A feature no LLVM 11..20 emits by default and none wasmgraph serves: the
# atomics marker renamed in place (same length, so the file stays valid).
clang --target=wasm32 -matomics -O2 -c "$in/good.c" -o "$in/atomics.o" || exit 1
LC_ALL=C sed 's/atomics/atomicx/' "$in/atomics.o" >"$in/unknown_feature.o" || exit 1
# SIMD is served (wasm2c 1.0.39): the same kernel with a v128 loop.
sed 's/return n == 3 ? 0 : -1;/typedef float v4 __attribute__((vector_size(16))); v4 a = {n, 1, 2, 3}; a = a * a; return a[0] == 9 ? 0 : -1;/' \
  "$in/good.c" >"$in/simd.c"
clang --target=wasm32 -msimd128 -O2 -c "$in/simd.c" -o "$in/simd.o" || exit 1
mkdir -p "$in/nofolder" "$in/pathdir"
ln -s "$(command -v clang)" "$in/pathdir/clang"
ln -s "$(command -v wasm-ld)" "$in/pathdir/wasm-ld"
# a wasm2c script of another version
echo 'console.log("1.0.32");' >"$in/old_wasm2c.js"

so=$out/model.so
# ---- bad input: exit 1 -------------------------------------------------------
expect "empty file" 1 "empty.o: not a wasm file" "$so" -- "$wg" compile "$in/empty.o" -o "$so"
expect "truncated wasm" 1 "truncated.o: truncated wasm file" "$so" -- "$wg" compile "$in/truncated.o" -o "$so"
expect "random bytes" 1 "random.o: not a wasm file" "$so" -- "$wg" compile "$in/random.o" -o "$so"
expect "ELF object" 1 "elf.o: not a wasm file (ELF object)" "$so" -- "$wg" compile "$in/elf.o" -o "$so"
expect "wasm64 object" 1 "wasm64.o: wasm64 module is not supported" "$so" -- "$wg" compile "$in/wasm64.o" -o "$so"
expect "not system-lib" 1 \
  'nosyslib.o: not a TVM system-lib object: build with runtime=Runtime("cpp", {"system-lib": True})' \
  "$so" -- "$wg" compile "$in/nosyslib.o" -o "$so"
expect "unknown import" 1 "unknown.o: unsupported import env.foo (i32)->i32: the runtime cannot serve it" \
  "$so" -- "$wg" compile "$in/unknown.o" -o "$so"
expect "import with another signature" 1 \
  "badsig.o: unsupported import env.expf (f64)->f64: the runtime cannot serve it (it serves env.expf as (f32)->f32)" \
  "$so" -- "$wg" compile "$in/badsig.o" -o "$so"
expect "archive with an ELF member" 1 "libmixed.a(elf.o): not a wasm file (ELF object)" "$so" -- \
  "$wg" compile "$in/libmixed.a" -o "$so"
expect "missing input file" 1 "nothere.o: No such file or directory" "$so" -- "$wg" compile "$in/nothere.o" -o "$so"
expect "folder without graph.o" 1 "folder has no graph.o" "$so" -- "$wg" compile "$in/nofolder" -o "$so"
expect "relaxed SIMD object" 1 "relaxed.o: relaxed SIMD (relaxed-simd) modules are not supported" \
  "$so" -- "$wg" compile "$in/relaxed.o" -o "$so"
expect "unknown feature object" 1 "unknown_feature.o: unsupported wasm feature atomicx" \
  "$so" -- "$wg" compile "$in/unknown_feature.o" -o "$so"
expect "missing node" 1 "wasmgraph: cannot run 'node': not found on PATH (install Debian package nodejs)" \
  "$so" -- env PATH="$in/pathdir" "$wg" compile "$in/good.o" -o "$so"
expect "WASMGRAPH_WASM2C missing" 1 "WASMGRAPH_WASM2C=$in/nothere.js: no such file" \
  "$so" -- env WASMGRAPH_WASM2C="$in/nothere.js" "$wg" compile "$in/good.o" -o "$so"
expect "wasm2c of another version" 1 "old_wasm2c.js: wasm2c version '1.0.32' is not supported: wasmgraph needs wabt 1.0.39" \
  "$so" -- env WASMGRAPH_WASM2C="$in/old_wasm2c.js" "$wg" compile "$in/good.o" -o "$so"
expect "bad --target" 1 "wasmgraph: unknown target 'foo-bar-baz'" "$so" -- \
  "$wg" compile "$in/good.o" -o "$so" --target foo-bar-baz
expect "bad --cpu" 1 "unknown target CPU 'no-such-cpu'" "$so" -- \
  "$wg" compile "$in/good.o" -o "$so" --cpu no-such-cpu
expect "output directory missing" 1 "does not exist or is not writable" "$out/nodir/m.so" -- \
  "$wg" compile "$in/good.o" -o "$out/nodir/m.so"
expect "--embed file missing" 1 "nothere.json: No such file or directory" "$so" -- \
  "$wg" compile "$in/good.o" -o "$so" --embed "$in/nothere.json" "$in/good.c"

# ---- usage errors: exit 2 ----------------------------------------------------
expect "unknown flag" 2 "unknown option '--frobnicate'" "$so" -- "$wg" compile "$in/good.o" -o "$so" --frobnicate
expect "unknown short flag" 2 "unknown option '-q'" "$so" -- "$wg" compile -q "$in/good.o" -o "$so"
expect "missing -o" 2 "missing -o OUTPUT" - -- "$wg" compile "$in/good.o"
expect "missing INPUT" 2 "missing INPUT" "$so" -- "$wg" compile -o "$so"
expect "bad extension" 2 "OUTPUT must end in .so, .o, .a, .c or .wasm" "$out/model.txt" -- \
  "$wg" compile "$in/good.o" -o "$out/model.txt"
expect "bad -O level" 2 "invalid optimisation level '-O7'" "$so" -- "$wg" compile -O7 "$in/good.o" -o "$so"
expect "bad --name" 2 "invalid --name '3d-model'" "$so" -- "$wg" compile "$in/good.o" -o "$so" --name 3d-model
expect "--embed needs two files" 2 "--embed needs two arguments" "$so" -- \
  "$wg" compile "$in/good.o" -o "$so" --embed "$in/good.c"
expect "two inputs" 2 "unexpected argument" "$so" -- "$wg" compile "$in/good.o" "$in/elf.o" -o "$so"

expect_empty_dir "no leftovers in the output dir after failures" "$out"
expect_empty_dir "no leftover temp dirs after failures" "$TMPDIR"

# ---- success paths without fixtures ------------------------------------------
if "$wg" compile "$in/good.o" -o "$out/good.so" 2>"$work/stderr.txt" &&
   nm -D --defined-only "$out/good.so" | grep -q ' T wasmgraph_module_entry$' &&
   nm -D --defined-only "$out/good.so" | grep -q ' T good_wasmgraph_module$'; then
  pass "tiny system-lib object to .so (default NAME from OUTPUT)"
else
  fail "tiny system-lib object to .so: $(cat "$work/stderr.txt")"
fi
if [ ! -s "$work/stderr.txt" ]; then pass "a successful compile prints nothing without -v"
else fail "a successful compile printed: $(head -c 600 "$work/stderr.txt")"; fi
if "$wg" compile "$in/simd.o" -o "$out/simd_k.so" 2>"$work/stderr.txt" &&
   nm -D --defined-only "$out/simd_k.so" | grep -q ' T simd_k_wasmgraph_module$'; then
  pass "a simd128 object compiles"
else
  fail "simd128 object: $(cat "$work/stderr.txt")"
fi
# The installed layout: the copy next to the executable in
# ../libexec/wasmgraph/wasm2c.js wins over the build tree's (WASMGRAPH_WASM2C unset).
script=$(env -u WASMGRAPH_WASM2C "$wg" compile "$in/good.o" -o "$out/v.so" -v 2>&1 |
         sed -n 's/^+ [^ ]*node[^ ]* \([^ ]*\) --version$/\1/p' | head -1)
rm -f "$out/v.so"
if [ -n "$script" ] && [ -f "$script" ]; then
  mkdir -p "$work/inst/bin" "$work/inst/libexec/wasmgraph" &&
    cp "$wg" "$work/inst/bin/wasmgraph" && cp "$script" "$work/inst/libexec/wasmgraph/wasm2c.js"
  env -u WASMGRAPH_WASM2C "$work/inst/bin/wasmgraph" compile "$in/good.o" -o "$out/inst.so" -v \
    >"$work/stdout.txt" 2>"$work/stderr.txt"
  rc=$?
  if [ $rc -eq 0 ] && grep -q "^+ .*node.* $work/inst/bin/../libexec/wasmgraph/wasm2c.js -n inst " "$work/stderr.txt"; then
    pass "installed layout: wasm2c.js found next to the executable"
  else
    fail "installed layout (exit $rc): $(grep -v '^  ' "$work/stderr.txt" | head -c 800)"
  fi
  rm -rf "$work/inst"
else
  fail "cannot tell which wasm2c script the compiler runs"
fi
if "$wg" compile "$in/libgood.a" -o "$out/libarch.a" 2>"$work/stderr.txt" &&
   nm "$out/libarch.a" | grep -q ' T arch_wasmgraph_module$'; then
  pass "archive input to .a (NAME 'arch' from libarch.a)"
else
  fail "archive input to .a: $(cat "$work/stderr.txt")"
fi
if "$wg" compile "$in/good.o" -o "$out/linked.wasm" 2>"$work/stderr.txt" &&
   [ "$(head -c 4 "$out/linked.wasm" | od -An -tx1 | tr -d ' ')" = "0061736d" ] &&
   "$wg" compile "$out/linked.wasm" -o "$out/fromwasm.o" --name from_wasm 2>"$work/stderr.txt" &&
   nm "$out/fromwasm.o" | grep -q ' T wasm2c_from__wasm_instantiate$'; then
  pass "linked .wasm output, then as input"
else
  fail "linked .wasm round trip: $(cat "$work/stderr.txt")"
fi
"$wg" compile "$in/good.o" -o "$out/verbose.o" -v 2>"$work/stderr.txt"
if grep -q '^+ .*wasm-ld .*--whole-archive' "$work/stderr.txt" &&
   grep -q '^+ .*wasm2c -n verbose ' "$work/stderr.txt" &&
   grep -q '^+ .*clang .*-frounding-math' "$work/stderr.txt"; then
  pass "-v prints every command"
else
  fail "-v output: $(cat "$work/stderr.txt")"
fi
"$wg" compile "$in/good.o" -o "$out/kept.so" --save-temps 2>"$work/stderr.txt"
kept=$(sed -n 's/^temporary files kept in //p' "$work/stderr.txt")
if [ -n "$kept" ] && [ -f "$kept/kept_w2c.c" ] && [ -f "$kept/kept_glue.c" ]; then
  pass "--save-temps keeps the temp dir and prints its path"
else
  fail "--save-temps: '$kept' $(cat "$work/stderr.txt")"
fi
[ -n "$kept" ] && rm -rf "$kept"
# Cross compilation, when this machine has a cross C library (Debian's clang
# finds gcc-aarch64-linux-gnu's headers by the triple's spelling).
printf '#include <math.h>\n#include <pthread.h>\n' >"$in/cross.c"
if clang --target=aarch64-linux-gnu -c "$in/cross.c" -o "$in/cross.o" 2>/dev/null; then
  if "$wg" compile "$in/good.o" -o "$out/arm.o" --target aarch64-linux-gnu --cpu cortex-a72 \
       2>"$work/stderr.txt" &&
     [ "$(od -An -tx1 -j18 -N2 "$out/arm.o" | tr -d ' ')" = "b700" ]; then
    pass "--target aarch64-linux-gnu --cpu cortex-a72 gives an AArch64 object"
  else
    fail "cross compile: $(cat "$work/stderr.txt")"
  fi
else
  echo "SKIP: no aarch64 C library headers (gcc-aarch64-linux-gnu): cross compile not tested"
fi
expect_empty_dir "no leftover temp dirs after successes" "$TMPDIR"
rm -f "$out"/*.so "$out"/*.a "$out"/*.o "$out"/*.wasm
expect_empty_dir "successes leave only their outputs" "$out"

# ---- fixture-based refusals --------------------------------------------------
if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
  obj="$fixtures/mlp/wasm32/graph.o"
  head -c $(($(stat -c %s "$obj") / 2)) "$obj" >"$in/mlp_cut.o"
  expect "truncated fixture" 1 "mlp_cut.o: truncated wasm file" "$so" -- "$wg" compile "$in/mlp_cut.o" -o "$so"
  expect_empty_dir "no leftovers after fixture refusals" "$TMPDIR"
else
  echo "SKIP: fixtures not found at '$fixtures': fixture refusal cases not run"
fi
finish
