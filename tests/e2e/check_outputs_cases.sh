#!/usr/bin/env bash
# check_outputs_cases.sh — check_outputs itself must be able to fail: every
# e2e, package and fixture test trusts its verdict. Hand-made .npy files
# (format 1.0, written here with printf) go through it: matching outputs pass;
# a missing, an extra or a gapped output, a value outside the tolerance, a
# different integer or bool, a shape or dtype mismatch, an empty folder and a
# meta.json without a tolerance per output fail.
#
# usage: check_outputs_cases.sh CHECK_OUTPUTS WORK_DIR
set -u
check=$1 work=$2
. "$(dirname "$0")/../compiler/lib.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1

# npy FILE DESCR SHAPE HEXBYTES: a version 1.0 .npy, e.g. npy a.npy '<f4' '(2,)' 0000803f
npy() {
  local file=$1 descr=$2 shape=$3 hex=$4
  local dict="{'descr': '$descr', 'fortran_order': False, 'shape': $shape, }"
  local len=$(( ${#dict} + 1 ))              # + the closing '\n'
  local pad=$(( (64 - (10 + len) % 64) % 64 ))
  len=$((len + pad))
  {
    printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
    printf '%s%*s\n' "$dict" "$pad" ''
    printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf
  } >"$file"
}

meta() { # meta FILE ATOLS [OUTPUTS]
  printf '{"rtol": 0.0001, "atol_by_output": [%s]%s}\n' "$2" "${3:+, \"outputs\": [$3]}" >"$1"
}

# case NAME WANT_EXIT: runs check_outputs on $work/NAME/{meta.json,expected,out}
case_() {
  local name=$1 want=$2 d=$work/$1
  "$check" "$d/meta.json" "$d/expected" "$d/out" >"$d/log" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ]; then pass "$name (exit $rc)"
  else fail "$name: exit $rc, want $want: $(head -c 600 "$d/log")"; fi
}
mk() { mkdir -p "$work/$1/expected" "$work/$1/out"; }

one=0000803f two=00000040 # 1.0f, 2.0f

mk same; meta "$work/same/meta.json" 0
npy "$work/same/expected/0.npy" '<f4' '(2,)' "$one$two"
npy "$work/same/out/output_0.npy" '<f4' '(2,)' "$one$two"
case_ same 0

mk two_outputs; meta "$work/two_outputs/meta.json" '0, 0' '{}, {}'
npy "$work/two_outputs/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/two_outputs/expected/1.npy" '<i4' '(1,)' 07000000
npy "$work/two_outputs/out/output_0.npy" '<f4' '(1,)' "$one"
npy "$work/two_outputs/out/output_1.npy" '<i4' '(1,)' 07000000
case_ two_outputs 0

mk extra_output; meta "$work/extra_output/meta.json" 0
npy "$work/extra_output/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/extra_output/out/output_0.npy" '<f4' '(1,)' "$one"
npy "$work/extra_output/out/output_1.npy" '<f4' '(1,)' "$one"
case_ extra_output 1

mk missing_output; meta "$work/missing_output/meta.json" '0, 0'
npy "$work/missing_output/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/missing_output/expected/1.npy" '<f4' '(1,)' "$one"
npy "$work/missing_output/out/output_0.npy" '<f4' '(1,)' "$one"
case_ missing_output 1

mk gap; meta "$work/gap/meta.json" 0
npy "$work/gap/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/gap/out/output_0.npy" '<f4' '(1,)' "$one"
npy "$work/gap/out/output_2.npy" '<f4' '(1,)' "$one"
case_ gap 1

mk stray_name; meta "$work/stray_name/meta.json" 0
npy "$work/stray_name/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/stray_name/out/output_0.npy" '<f4' '(1,)' "$one"
npy "$work/stray_name/out/output_x.npy" '<f4' '(1,)' "$one"
case_ stray_name 1

mk empty; meta "$work/empty/meta.json" ''
case_ empty 1

mk atol_count; meta "$work/atol_count/meta.json" 0
npy "$work/atol_count/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/atol_count/expected/1.npy" '<f4' '(1,)' "$one"
npy "$work/atol_count/out/output_0.npy" '<f4' '(1,)' "$one"
npy "$work/atol_count/out/output_1.npy" '<f4' '(1,)' "$one"
case_ atol_count 1

mk meta_outputs; meta "$work/meta_outputs/meta.json" 0 '{}, {}'
npy "$work/meta_outputs/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/meta_outputs/out/output_0.npy" '<f4' '(1,)' "$one"
case_ meta_outputs 1

# 1.0 against 1.0001: inside rtol 1e-4 + atol 1e-6, outside with atol 0 and
# 1.0 against 1.001
mk within; meta "$work/within/meta.json" 0.000001
npy "$work/within/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/within/out/output_0.npy" '<f4' '(1,)' 4703803f # 1.0001f
case_ within 0
mk outside; meta "$work/outside/meta.json" 0
npy "$work/outside/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/outside/out/output_0.npy" '<f4' '(1,)' 6210803f # 1.0005f
case_ outside 1

mk nan; meta "$work/nan/meta.json" 1
npy "$work/nan/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/nan/out/output_0.npy" '<f4' '(1,)' 0000c07f
case_ nan 1

mk int_differs; meta "$work/int_differs/meta.json" 10
npy "$work/int_differs/expected/0.npy" '<i8' '(1,)' 0100000000000000
npy "$work/int_differs/out/output_0.npy" '<i8' '(1,)' 0200000000000000
case_ int_differs 1

# bool ("b1", 1 bit per element, a byte each): no division by zero
mk bool_same; meta "$work/bool_same/meta.json" 0
npy "$work/bool_same/expected/0.npy" '|b1' '(3,)' 010001
npy "$work/bool_same/out/output_0.npy" '|b1' '(3,)' 010001
case_ bool_same 0
mk bool_differs; meta "$work/bool_differs/meta.json" 0
npy "$work/bool_differs/expected/0.npy" '|b1' '(3,)' 010001
npy "$work/bool_differs/out/output_0.npy" '|b1' '(3,)' 010101
case_ bool_differs 1

mk shape; meta "$work/shape/meta.json" 0
npy "$work/shape/expected/0.npy" '<f4' '(2,)' "$one$two"
npy "$work/shape/out/output_0.npy" '<f4' '(1, 2)' "$one$two"
case_ shape 1

mk dtype; meta "$work/dtype/meta.json" 0
npy "$work/dtype/expected/0.npy" '<f4' '(1,)' "$one"
npy "$work/dtype/out/output_0.npy" '<i4' '(1,)' "$one"
case_ dtype 1

finish
