#!/usr/bin/env bash
# exact.sh — convert_rewrite.c on real wasm2c output, proven exact.
#
# Compiles the repo's example with --save-temps, checks that the kept C
# (wasm2c 1.0.39's translation after every text rewrite) has the fast
# conversions and the unconditional sign-bit abs (so the rewrite's anchors
# match what wasm2c really writes), then takes that file's preamble, from
# its first line to the end of wasm_fabs, with TRAP redefined to record the
# trap kind, appends exhaustive.c and runs it: every f32 bit pattern (every
# STRIDE-th under sanitizers) through both conversions and f32.abs against
# wasm2c's own macros and definitions.
#
# usage: exact.sh WASMGRAPH EXAMPLE_OBJECT CC WORK_DIR [STRIDE]
. "$(dirname "$0")/../lib.sh"
wg=$1 obj=$2 cc=$3 work=$4 stride=${5:-1}
rm -rf "$work" && mkdir -p "$work" || exit 1
log=$("$wg" compile "$obj" -o "$work/t.so" --name conv --save-temps -v 2>&1)
tmp=$(printf '%s\n' "$log" | sed -n 's/^temporary files kept in //p')
c="$tmp/conv_w2c.c"
[ -f "$c" ] || { echo "$log"; echo "FAIL: no kept C file"; exit 1; }
printf '%s\n' "$log" | grep -q 'convert rewrite: fast trunc, abs as a bit op' &&
  pass "compile -v reports the rewrite" || fail "compile -v does not report the rewrite"
grep -q 'define I32_TRUNC_S_F32(x) wg_i32_trunc_s_f32(x)' "$c" &&
  pass "i32.trunc_f32_s has its fast path in wasm2c's output" || fail "no fast i32.trunc_f32_s"
grep -q 'define I32_TRUNC_U_F32(x) wg_i32_trunc_u_f32(x)' "$c" &&
  pass "i32.trunc_f32_u has its fast path" || fail "no fast i32.trunc_f32_u"
grep -q 'f32.abs clears the sign bit, NaN or not' "$c" &&
  pass "wasm_fabsf clears the sign bit unconditionally" || fail "wasm_fabsf not rewritten"

end=$(awk '/^static double wasm_fabs\(double x\) \{/ {f=1} f && /^}/ {print NR; exit}' "$c")
[ -n "$end" ] || { fail "no wasm_fabs in $c"; finish; }
{
  echo '#define WG_TEST_TRAP 1'
  head -n "$end" "$c" |
    sed 's/^#define TRAP(x) (wasm_rt_trap(WASM_RT_TRAP_##x), 0)$/static int g_trap;\n#define TRAP(x) (g_trap = WASM_RT_TRAP_##x, 0)/'
  cat "$(dirname "$0")/exhaustive.c"
} >"$work/harness.c"
grep -q 'g_trap = WASM_RT_TRAP_' "$work/harness.c" || { fail "wasm2c's TRAP macro not found"; finish; }
# the flags the translator compiles generated code with (no fast-math)
if "$cc" -O2 -frounding-math -w -I"$tmp" "$work/harness.c" -o "$work/harness" -lm 2>"$work/cc.txt"; then
  pass "the harness compiles"
  if "$work/harness" "$stride"; then pass "conversions and abs exact"; else fail "conversions or abs differ"; fi
else
  cat "$work/cc.txt"
  fail "the harness does not compile"
fi
rm -rf "$tmp"
finish
