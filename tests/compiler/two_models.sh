#!/usr/bin/env bash
# two_models.sh — several translated models with different NAMEs link into one
# program (no duplicate symbols) and each works there. The same graph library
# twice under two NAMEs is the sharpest case, so the repo's example goes in as
# `alpha` (.o, graph/params from files) and `beta` (.a, embedded); with the
# fixtures, mlp (`gamma`, .o embedded) and multi_io (`delta`, .c embedded)
# join them.
#
# usage: two_models.sh WASMGRAPH EXAMPLE_DIR WORK_DIR RUNTIME_LIB INCLUDE_DIR
#                      WASM_RT_DIR "CFLAGS" "LDFLAGS" [FIXTURES_DIR]
set -u
wg=$1 example=$2 work=$3 rtlib=$4 inc=$5 wasmrt=$6 cflags=$7 ldflags=$8 fixtures=${9:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1

step() { # step LABEL COMMAND...
  local label=$1
  shift
  if "$@" 2>"$work/stderr.txt"; then pass "$label"; else fail "$label: $(head -c 1500 "$work/stderr.txt")"; fi
}

models="X(alpha) X(beta)"
objs=("$work/alpha.o" "$work/libbeta.a")
args=("$example/graph.json" "$example/graph.params" - -)
step "example as alpha (.o)" "$wg" compile "$example/graph.o" -o "$work/alpha.o" --name alpha
step "example as beta (.a, embedded)" "$wg" compile "$example" -o "$work/libbeta.a" --name beta
if [ -n "$fixtures" ] && [ -d "$fixtures/mlp" ] && [ -d "$fixtures/multi_io" ]; then
  step "mlp as gamma (.o, embedded)" "$wg" compile "$fixtures/mlp" -o "$work/gamma.o" --name gamma
  mkdir -p "$work/delta"
  step "multi_io as delta (.c, embedded)" "$wg" compile "$fixtures/multi_io" -o "$work/delta/delta.c"
  for f in delta delta_w2c delta_data; do
    step "delta: $f.c compiles" clang -c -O1 $cflags -I"$inc" -I"$wasmrt" -w "$work/delta/$f.c" \
      -o "$work/delta/$f.o"
  done
  models="$models X(gamma) X(delta)"
  objs+=("$work/gamma.o" "$work/delta/delta.o" "$work/delta/delta_w2c.o" "$work/delta/delta_data.o")
  args+=(- - - -)
else
  echo "SKIP: fixtures not found at '$fixtures': only the example's two copies are linked"
fi

step "all models link into one program" clang -O1 $cflags -I"$inc" -DMODELS="$models" \
  "$here/model_driver.c" "${objs[@]}" "$rtlib" $ldflags -ljson-c -lpthread -ldl -lm \
  -o "$work/driver"
if [ -x "$work/driver" ]; then
  if "$work/driver" "${args[@]}" >"$work/driver.txt" 2>&1 && grep -q ' 0 failed$' "$work/driver.txt"; then
    pass "every model runs in the shared program ($(tail -1 "$work/driver.txt"))"
  else
    fail "driver: $(cat "$work/driver.txt")"
  fi
fi
finish
