#!/usr/bin/env bash
# pipeline_options.sh — the options over the LLVM pass pipeline
# (compiler/llvm/pipeline.c) as `wasmgraph compile` offers them:
#
#   --list-passes       prints every pass of pipeline.c's table, in the
#                       table's order, each with what it does
#   --disable-pass=P    unknown names are refused with a message that lists
#                       the passes; each pass, and all of them, can be
#                       switched off, the -v log says "P: off (disabled by the
#                       caller)", and the outputs stay byte-identical
#   --dump-ir-after=P   writes NAME.N-P.ll into the kept temp dir and names it
#                       in the log; the file parses with llvm-as; "all" dumps
#                       after every pass that ran; the .so is unchanged
#   --save-temps        keeps the temp dir with the bitcode, which llvm-dis
#                       reads; the .so is unchanged
#
# The repo's example is the model (always present); with ../shared/fixtures,
# lenet (scalar and SIMD) is also compiled with every pass off and its
# outputs compared.
#
# usage: pipeline_options.sh WASMGRAPH EXAMPLE_DIR PIPELINE_C WORK_DIR [FIXTURES_DIR]
set -u
wg=$1 example=$2 pipeline_c=$3 work=$4 fixtures=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

rm -rf "$work" && mkdir -p "$work/tmp" || exit 1
export TMPDIR="$work/tmp" # the temp dirs the compiler keeps land here
llvm_as=$(command -v llvm-as-14 || command -v llvm-as || true)
llvm_dis=$(command -v llvm-dis-14 || command -v llvm-dis || true)

# run_model SO OUTDIR MODEL_DIR: the model's inputs through `wasmgraph run`.
run_model() {
  local inputs=() f
  for f in "$3"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
  "$wg" run "$1" "${inputs[@]}" -o "$2" -q -t 1 >"$2.log" 2>&1
}
# same_outputs A B: every .npy of A byte-identical in B, and at least one.
same_outputs() {
  local n=0 f
  for f in "$1"/*.npy; do
    [ -f "$f" ] || continue
    cmp -s "$f" "$2/$(basename "$f")" || return 1
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] && [ "$(ls "$2"/*.npy | wc -l)" -eq "$n" ]
}

# ---- the table and --list-passes --------------------------------------------
mapfile -t table < <(grep -o '^ *{{"[a-z0-9-]*"' "$pipeline_c" | sed 's/.*"\(.*\)"/\1/')
if "$wg" compile --list-passes >"$work/list.txt" 2>"$work/list.err"; then
  mapfile -t listed < <(awk '{print $1}' "$work/list.txt")
  if [ "${#table[@]}" -gt 0 ] && [ "${table[*]}" = "${listed[*]}" ]; then
    pass "--list-passes prints the ${#table[@]} passes of pipeline.c in order"
  else
    fail "--list-passes prints '${listed[*]}', pipeline.c's table holds '${table[*]}'"
  fi
  if awk 'NF < 3 {bad = 1} END {exit bad}' "$work/list.txt"; then
    pass "--list-passes says what each pass does"
  else
    fail "--list-passes: a line without a description: $(awk 'NF < 3' "$work/list.txt")"
  fi
else
  fail "--list-passes: exit $?: $(cat "$work/list.err")"
fi

# ---- unknown names ------------------------------------------------------------
so=$work/refused.so
expect "--disable-pass=nope refused" 1 "--disable-pass: unknown pass 'nope'" "$so" -- \
  "$wg" compile "$example" -o "$so" --disable-pass=nope
names_ok=1
for p in "${table[@]}"; do grep -qF -- "$p" "$work/stderr.txt" || names_ok=0; done
if [ "$names_ok" -eq 1 ]; then pass "the refusal lists every pass"
else fail "the refusal does not list every pass: $(cat "$work/stderr.txt")"; fi
expect "--disable-pass=optimize,nope refused" 1 "unknown pass 'nope'" "$so" -- \
  "$wg" compile "$example" -o "$so" --disable-pass=optimize,nope
expect "--dump-ir-after=nope refused" 1 "--dump-ir-after: unknown pass 'nope'" "$so" -- \
  "$wg" compile "$example" -o "$so" --dump-ir-after=nope
expect_empty_dir "no temp dir left by the refusals" "$work/tmp"

# ---- the default build ----------------------------------------------------------
if ! "$wg" compile -v "$example" -n model -o "$work/default.so" >"$work/default.log" 2>&1 ||
   ! run_model "$work/default.so" "$work/default.out" "$example"; then
  fail "default build: $(tail -n 3 "$work/default.log" "$work/default.out.log" 2>/dev/null)"
  finish
fi
expect_empty_dir "no temp dir left by a plain compile" "$work/tmp"

# ---- --disable-pass, each pass and all -------------------------------------------
for p in "${table[@]}" all; do
  tag=off-$p
  if ! "$wg" compile -v "$example" -n model -o "$work/$tag.so" --disable-pass="$p" >"$work/$tag.log" 2>&1; then
    fail "--disable-pass=$p: compile: $(tail -n 3 "$work/$tag.log")"
    continue
  fi
  if [ "$p" = all ]; then want=("${table[@]}"); else want=("$p"); fi
  missing=()
  for q in "${want[@]}"; do
    grep -qxF "$q: off (disabled by the caller)" "$work/$tag.log" || missing+=("$q")
  done
  if [ "${#missing[@]}" -eq 0 ]; then pass "--disable-pass=$p: -v says it is off"
  else fail "--disable-pass=$p: no '<pass>: off (disabled by the caller)' line for ${missing[*]}"; fi
  if grep -qxF "$p: off (disabled by the caller)" "$work/default.log"; then
    fail "the default build says $p is disabled by the caller"
  fi
  if run_model "$work/$tag.so" "$work/$tag.out" "$example" &&
     same_outputs "$work/default.out" "$work/$tag.out"; then
    pass "--disable-pass=$p: outputs byte-identical"
  else
    fail "--disable-pass=$p: outputs differ from the default build ($(cat "$work/$tag.out.log"))"
  fi
done

# ---- --dump-ir-after --------------------------------------------------------------
# dump_case TAG PASSES: compile with --dump-ir-after=PASSES -v, check every
# named file parses and the output equals the default build's.
dump_case() {
  local tag=$1 passes=$2
  rm -rf "$work/tmp"/* 2>/dev/null
  if ! "$wg" compile -v "$example" -n model -o "$work/$tag.so" --dump-ir-after="$passes" \
       >"$work/$tag.log" 2>&1; then
    fail "--dump-ir-after=$passes: compile: $(tail -n 3 "$work/$tag.log")"
    return
  fi
  mapfile -t dumped < <(sed -n 's/^IR after \([a-z0-9-]*\): .*/\1/p' "$work/$tag.log")
  mapfile -t files < <(sed -n 's/^IR after [a-z0-9-]*: //p' "$work/$tag.log")
  if [ "$passes" = all ]; then
    # every pass that ran is dumped, in the table's order
    local ran=() q
    for q in "${table[@]}"; do
      grep -q "^$q: off" "$work/$tag.log" || ran+=("$q")
    done
    if [ "${#dumped[@]}" -gt 0 ] && [ "${dumped[*]}" = "${ran[*]}" ]; then
      pass "--dump-ir-after=all: one file per pass that ran (${#dumped[@]}), in order"
    else
      fail "--dump-ir-after=all: dumped '${dumped[*]}', the passes that ran are '${ran[*]}'"
    fi
  elif [ "${dumped[*]}" = "$passes" ]; then
    pass "--dump-ir-after=$passes: the log names the file"
  else
    fail "--dump-ir-after=$passes: the log names '${dumped[*]}' ($(grep 'IR after' "$work/$tag.log"))"
  fi
  local f bad=0
  for f in "${files[@]}"; do
    case $f in "$TMPDIR"/*) ;; *) bad=1; echo "# $f is not under TMPDIR" ;; esac
    if [ ! -s "$f" ]; then bad=1; echo "# $f is missing or empty"
    elif [ -n "$llvm_as" ] && ! "$llvm_as" "$f" -o /dev/null 2>"$work/$tag.as"; then
      bad=1; echo "# $f does not parse: $(head -c 300 "$work/$tag.as")"
    fi
  done
  if [ "${#files[@]}" -gt 0 ] && [ "$bad" -eq 0 ]; then
    pass "--dump-ir-after=$passes: ${#files[@]} file(s) kept${llvm_as:+ and parsed by llvm-as}"
  else
    fail "--dump-ir-after=$passes: the IR files are missing or do not parse"
  fi
  grep -q '^temporary files kept in ' "$work/$tag.log" ||
    fail "--dump-ir-after=$passes: the log does not name the kept temp dir"
  if cmp -s "$work/default.so" "$work/$tag.so"; then pass "--dump-ir-after=$passes: same .so"
  else fail "--dump-ir-after=$passes: the .so differs from the default build's"; fi
}
dump_case dump-optimize optimize
dump_case dump-all all

# ---- --save-temps ------------------------------------------------------------------
rm -rf "$work/tmp"/* 2>/dev/null
if "$wg" compile "$example" -n model -o "$work/temps.so" --save-temps >"$work/temps.log" 2>&1; then
  kept=$(sed -n 's/^temporary files kept in //p' "$work/temps.log")
  mapfile -t bcs < <(ls "$kept"/*.bc 2>/dev/null)
  bad=0
  for f in "${bcs[@]}"; do
    if [ -n "$llvm_dis" ] && ! "$llvm_dis" "$f" -o /dev/null 2>/dev/null; then bad=1; fi
  done
  if [ -n "$kept" ] && [ -d "$kept" ] && [ "${#bcs[@]}" -gt 0 ] && [ "$bad" -eq 0 ]; then
    pass "--save-temps keeps the bitcode (${#bcs[@]} file(s)${llvm_dis:+, read by llvm-dis})"
  else
    fail "--save-temps: no readable bitcode in '$kept': $(ls "$kept" 2>&1 | tr '\n' ' ')"
  fi
  if cmp -s "$work/default.so" "$work/temps.so"; then pass "--save-temps: same .so"
  else fail "--save-temps: the .so differs from the default build's"; fi
else
  fail "--save-temps: compile: $(tail -n 3 "$work/temps.log")"
fi

# ---- a real model with every pass off ------------------------------------------------
if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
  for spec in lenet lenet:simd; do
    m=${spec%%:*} dir=$fixtures/${spec%%:*}
    src=("$dir")
    [ "$spec" != "$m" ] && src=("$dir/wasm32-simd/graph.o" --embed "$dir/graph.json" "$dir/graph.params")
    tag=${spec/:/.}
    if [ ! -d "$dir" ]; then fail "$m: not in $fixtures"; continue; fi
    if "$wg" compile "${src[@]}" -n lenet -o "$work/$tag.so" >"$work/$tag.log" 2>&1 &&
       "$wg" compile "${src[@]}" -n lenet -o "$work/$tag.off.so" --disable-pass=all >>"$work/$tag.log" 2>&1 &&
       run_model "$work/$tag.so" "$work/$tag.out" "$dir" &&
       run_model "$work/$tag.off.so" "$work/$tag.off.out" "$dir" &&
       same_outputs "$work/$tag.out" "$work/$tag.off.out"; then
      pass "$tag: every pass off, outputs byte-identical"
    else
      fail "$tag: with every pass off the outputs differ or a step failed: $(tail -n 3 "$work/$tag.log")"
    fi
  done
else
  echo "SKIP: fixtures not found at '$fixtures': lenet with every pass off not run"
fi
finish
