#!/usr/bin/env bash
# fixtures.sh — compiler/llvm/tile_vectorize.c on real models: each fixture is
# compiled to .so twice, with the pass (the default) and without it
# (WASMGRAPH_NO_TILE_VECTORIZE=1, read by the CLI), both at -v; then both are
# run single-threaded on the fixture's inputs and every output .npy must be
# byte-identical (the pass must not change a single bit of FP results). The
# -v logs must show the pass ran ("tile vectorizer: N groups ...") or, in the
# build without it, was switched off ("tile-vectorize: off (disabled by the
# caller)", pipeline.c's line); for the CNNs N must be > 0, so a
# wasm2c or pipeline change that silently defeats the pass fails here.
#
# The address fold (compiler/llvm/address_fold.c) is behind the same switch; for
# the CNNs its -v line must show folded loads.
#
# A MODEL written NAME:simd takes the fixture's wasm32-simd/graph.o (with its
# graph.json and params embedded) instead: there the scalar tile pass finds
# nothing and compiler/llvm/v128_pair.c groups f32x4 accumulators into
# 16-lane (AVX-512: "v128 quads: Q quads") and 8-lane vectors ("v128
# pairing: N pairs"), whose operands compiler/llvm/splat_window.c then reads
# through 64- and 32-byte windows; the same switch turns all of them off.
# For the CNNs the -v log must show Q + N > 0 groups and windows for them
# (Q > 0 when this machine, the default --cpu, has AVX-512F), and outputs
# must again be byte-identical.
#
# Every build here is the default, exact one: its -v log must say that the
# FMA contraction (--fp-contract=fast, compiler/llvm/fp_contract.c) is off,
# and on x86 its machine code must hold no FMA instruction (objdump, when
# installed).
#
# The int8 SIMD models (NAME_int8:simd, NAME_qnn:simd) go through the same
# two builds: there compiler/llvm/int_dot.c (behind the same switch) must
# replace reduction loops ("int dot: N loops", N > 0), and on a CPU with AVX2
# compiler/llvm/half_pair.c and stream_widen.c must join requantize halves and
# widen streaming loops ("half pairs: N joins", "stream widening: N loops",
# N > 0) and, on x86-64, compiler/llvm/trunc_guards.c must rewrite guarded
# conversions ("trunc guards: N signed, M unsigned", N + M > 0), and in the
# relay.quantize model (NAME_int8:simd)
# compiler/llvm/round_lanes.c must join lane-by-lane rounds ("round lanes: N
# vector rounds", N > 0) and compiler/llvm/lane_casts.c must turn
# lane-by-lane casts into vector casts ("lane casts: N vectors", N > 0), and
# in the QNN model (NAME_qnn:simd) round_lanes.c must join its input
# quantize's rounds ("round lanes: N vector rounds", N > 0); the
# outputs must be byte-identical too. Their scalar builds
# (NAME_int8, NAME_qnn) get the same dot products through
# compiler/llvm/tile_vectorize.c's integer mode ("int tile: N groups", then
# "int dot: M loops", N and M > 0).
#
# Last, squeezenet1_1 is compiled a second time: the .so must be
# byte-identical to the first (reproducible builds).
#
# usage: fixtures.sh WASMGRAPH FIXTURES_DIR WORK_DIR MODEL[:simd]...
# Exit 77 (ctest SKIP) when FIXTURES_DIR does not exist; a MODEL missing from
# an existing FIXTURES_DIR fails.
set -u
wg=$1 fixtures=$2 work=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
. "$here/tile_vectorize/pair_builds.sh"
if [ ! -d "$fixtures" ]; then
  echo "SKIP: fixtures not found at $fixtures"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1

for spec in "$@"; do
  name=${spec%%:*}
  dir=$fixtures/$name
  if [ ! -d "$dir" ]; then
    # The fixtures are there but not this model: a test of it would pass
    # without having looked at it.
    fail "$name: not in $fixtures"
    continue
  fi
  src=("$dir")
  m=$name
  if [ "$spec" != "$name" ]; then
    m=$name.simd
    src=("$dir/wasm32-simd/graph.o" --embed "$dir/graph.json" "$dir/graph.params")
  fi
  pair_build "$m" tv base "$dir" "${src[@]}" || continue
  line=$(grep -o 'tile vectorizer: .*' "$work/$m.tv.log" | head -n 1)
  echo "# $m: ${line:-no tile vectorizer line}"
  groups=$(printf '%s\n' "$line" | sed -n 's/^tile vectorizer: \([0-9][0-9]*\) groups.*/\1/p')
  pairs=$(sed -n 's/^v128 pairing: \([0-9][0-9]*\) pairs.*/\1/p' "$work/$m.tv.log" | head -n 1)
  case $m in
    squeezenet1_1|mobilenet_v2|resnet18)
      if [ -n "$groups" ] && [ "$groups" -gt 0 ]; then pass "$m: pass ran ($groups groups)"
      else fail "$m: the pass packed nothing (log: '${line}')"; fi ;;
    squeezenet1_1.simd|mobilenet_v2.simd|resnet18.simd)
      quads=$(sed -n 's/^v128 quads: \([0-9][0-9]*\) quads.*/\1/p' "$work/$m.tv.log" | head -n 1)
      windows=$(sed -n 's/^splat windows: \([0-9][0-9]*\) pairs.*; \([0-9][0-9]*\) quads.*/\1 \2/p' \
                  "$work/$m.tv.log" | head -n 1)
      groups=$(( ${pairs:-0} + ${quads:-0} ))
      if [ "$groups" -gt 0 ]; then
        pass "$m: v128 grouping ran (${quads:-0} quads, ${pairs:-0} pairs)"
        if [ -n "$windows" ] && [ $(( ${windows% *} + ${windows#* } )) -gt 0 ]; then
          pass "$m: splat windows ran (${windows% *} pairs, ${windows#* } quads)"
        else fail "$m: no splat window formed ($(grep '^splat windows' "$work/$m.tv.log"))"; fi
        # relu and max pooling's compare + bitselect as one maxps
        # (compiler/llvm/select_minmax.c, x86-64); outputs compared above
        if [ "$(uname -m)" = x86_64 ]; then
          maxes=$(sed -n 's/^select min\/max: \([0-9][0-9]*\) max.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$maxes" ] && [ "$maxes" -gt 0 ]; then pass "$m: $maxes selects as maxps"
          else fail "$m: no select became maxps ($(grep '^select min' "$work/$m.tv.log"))"; fi
        fi
        if grep -qw avx512f /proc/cpuinfo; then
          if [ "${quads:-0}" -gt 0 ]; then pass "$m: AVX-512 here, $quads quads"
          else fail "$m: AVX-512F on this machine but no quad ($(grep '^v128 quads' "$work/$m.tv.log"))"; fi
          # the 4-lane input-channel loops the groups leave, fully unrolled
          # (compiler/llvm/short_loops.c; outputs compared above like the rest)
          short=$(sed -n 's/^short loops: \([0-9][0-9]*\) unrolled.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$short" ] && [ "$short" -gt 0 ]; then pass "$m: $short short loops unrolled"
          else fail "$m: AVX-512F on this machine but no short loop unrolled ($(grep '^short loops' "$work/$m.tv.log"))"; fi
          # conv item loops run 4 output-channel blocks at a time
          # (compiler/llvm/channel_jam.c); every fp32 CNN here has some
          jam=$(sed -n 's/^channel jam: \([0-9][0-9]*\) item loops.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$jam" ] && [ "$jam" -gt 0 ]; then pass "$m: $jam item loops jammed"
          else fail "$m: AVX-512F on this machine but no item loop jammed ($(grep '^channel jam' "$work/$m.tv.log"))"; fi
        fi
      elif grep -q '^v128 pairing: off' "$work/$m.tv.log" && ! grep -qw avx /proc/cpuinfo; then
        pass "$m: no AVX on this machine, pairing not attempted"
      else fail "$m: v128 grouping formed no group (log: '$(grep '^v128 ' "$work/$m.tv.log")')"; fi ;;
    *_int8.simd|*_qnn.simd)
      # int8 conv reductions: compiler/llvm/int_dot.c must replace loops
      loops=$(sed -n 's/^int dot: \([0-9][0-9]*\) loops.*/\1/p' "$work/$m.tv.log" | head -n 1)
      if [ -n "$loops" ] && [ "$loops" -gt 0 ]; then pass "$m: int dot ran ($loops loops)"
      else fail "$m: int dot replaced no loop ($(grep '^int dot' "$work/$m.tv.log"))"; fi
      # requantize epilogues: compiler/llvm/half_pair.c and stream_widen.c (AVX2 and up)
      joins=$(sed -n 's/^half pairs: \([0-9][0-9]*\) joins.*/\1/p' "$work/$m.tv.log" | head -n 1)
      widened=$(sed -n 's/^stream widening: \([0-9][0-9]*\) loops.*/\1/p' "$work/$m.tv.log" | head -n 1)
      if ! grep -qw avx2 /proc/cpuinfo; then
        pass "$m: no AVX2 here, half pairs and stream widening not required"
      elif [ -n "$joins" ] && [ "$joins" -gt 0 ] && [ -n "$widened" ] && [ "$widened" -gt 0 ]; then
        pass "$m: half pairs ($joins joins) and stream widening ($widened loops) ran"
      else
        fail "$m: half pairs or stream widening did nothing ($(grep -E '^(half pairs|stream widening)' "$work/$m.tv.log" | tr '\n' ' '))"
      fi
      # the quantize casts' guarded conversions: compiler/llvm/trunc_guards.c (x86)
      guards=$(sed -n 's/^trunc guards: \([0-9][0-9]*\) signed, \([0-9][0-9]*\) unsigned.*/\1 \2/p' \
                 "$work/$m.tv.log" | head -n 1)
      if [ "$(uname -m)" != x86_64 ]; then
        pass "$m: not x86-64, trunc guards not required"
      elif [ -n "$guards" ] && [ $(( ${guards% *} + ${guards#* } )) -gt 0 ]; then
        pass "$m: trunc guards ran (${guards% *} signed, ${guards#* } unsigned)"
      else fail "$m: no guarded conversion lost its branches ($(grep '^trunc guards' "$work/$m.tv.log"))"; fi
      # relay.quantize's requantize rounds f32x4 lanes one by one: compiler/llvm/round_lanes.c
      case $m in
        *_int8.simd)
          rounds=$(sed -n 's/^round lanes: \([0-9][0-9]*\) vector rounds.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$rounds" ] && [ "$rounds" -gt 0 ]; then pass "$m: round lanes ran ($rounds vector rounds)"
          else fail "$m: no lane-by-lane round became a vector round ($(grep '^round lanes' "$work/$m.tv.log"))"; fi
          # and the int8 cast's lane conversions (x86 cvttss2si, once trunc-guards took the branches)
          cvts=$(sed -n 's/^round lanes: .*; \([0-9][0-9]*\) vector conversions.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ "$(uname -m)" != x86_64 ]; then pass "$m: not x86-64, lane conversions not required"
          elif [ -n "$cvts" ] && [ "$cvts" -gt 0 ]; then pass "$m: lane conversions joined ($cvts vector conversions)"
          else fail "$m: no lane-by-lane conversion became a vector conversion ($(grep '^round lanes' "$work/$m.tv.log"))"; fi
          # the dequantize's int8-to-float casts, lane by lane: compiler/llvm/lane_casts.c
          lcast=$(sed -n 's/^lane casts: \([0-9][0-9]*\) vectors.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$lcast" ] && [ "$lcast" -gt 0 ]; then pass "$m: lane casts ran ($lcast vectors)"
          else fail "$m: no lane-by-lane cast became a vector cast ($(grep '^lane casts' "$work/$m.tv.log"))"; fi ;;
        *_qnn.simd)
          # the float input's quantize rounds its channels' lanes one by one (three
          # inserts and a shuffled copy of lane 0): compiler/llvm/round_lanes.c
          rounds=$(sed -n 's/^round lanes: \([0-9][0-9]*\) vector rounds.*/\1/p' "$work/$m.tv.log" | head -n 1)
          if [ -n "$rounds" ] && [ "$rounds" -gt 0 ]; then pass "$m: round lanes ran ($rounds vector rounds)"
          else fail "$m: the input quantize's lane rounds stayed scalar ($(grep '^round lanes' "$work/$m.tv.log"))"; fi ;;
      esac ;;
    *_int8|*_qnn)
      # scalar int8 tiles: packed by int-tile, then replaced by int-dot
      itile=$(sed -n 's/^int tile: \([0-9][0-9]*\) groups.*/\1/p' "$work/$m.tv.log" | head -n 1)
      loops=$(sed -n 's/^int dot: \([0-9][0-9]*\) loops.*/\1/p' "$work/$m.tv.log" | head -n 1)
      if [ -n "$itile" ] && [ "$itile" -gt 0 ] && [ -n "$loops" ] && [ "$loops" -gt 0 ]; then
        pass "$m: int tile ($itile groups) and int dot ($loops loops) ran on the scalar build"
      else fail "$m: scalar int8 tiles not turned into dot products ($(grep -E '^int (tile|dot)' "$work/$m.tv.log" | tr '\n' ' '))"; fi ;;
    *)
      if [ -n "$groups" ]; then pass "$m: pass ran ($groups groups)"
      else fail "$m: no 'tile vectorizer: N groups' line in the -v log"; fi ;;
  esac
  folds=$(sed -n 's/^address fold: \([0-9][0-9]*\) loads.*/\1/p' "$work/$m.tv.log" | head -n 1)
  case $m in
    squeezenet1_1|squeezenet1_1.simd|mobilenet_v2|mobilenet_v2.simd|resnet18*)
      if [ -n "$folds" ] && [ "$folds" -gt 0 ]; then pass "$m: address fold ran ($folds loads)"
      else fail "$m: the address fold folded nothing ($(grep '^address fold' "$work/$m.tv.log"))"; fi ;;
  esac
  if grep -q '^fp contraction: off' "$work/$m.tv.log" && grep -q '^fp contraction: off' "$work/$m.base.log"
  then pass "$m: FMA contraction off in the default build"
  else fail "$m: the -v log does not say the FMA contraction is off"; fi
  if command -v objdump >/dev/null && [ "$(uname -m)" = x86_64 ]; then
    n=$(objdump -d --no-show-raw-insn "$work/$m.tv.so" | grep -c 'vfn\?m\(add\|sub\)[0-9]*[ps][sd]')
    if [ "$n" -eq 0 ]; then pass "$m: no FMA instruction in the default build"
    else fail "$m: $n FMA instructions in the default (exact) build"; fi
  fi
  if grep -q '^tile-vectorize: off (disabled by the caller)' "$work/$m.base.log"; then pass "$m: switched off by the env var"
  else fail "$m: WASMGRAPH_NO_TILE_VECTORIZE=1 did not switch the pass off"; fi
  # compiler/translate/convert_rewrite.c is behind the same switch, so the
  # byte comparison below covers it too
  if grep -q '^convert rewrite: fast trunc, abs as a bit op' "$work/$m.tv.log" &&
     grep -q '^convert rewrite: off (disabled by the caller)' "$work/$m.base.log"
  then pass "$m: conversion rewrite on by default, off in the reference build"
  else fail "$m: the -v logs do not show the conversion rewrite on and off"; fi
  pair_compare "$m" tv base
  if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then pass "$m: $n output(s) byte-identical"
  else fail "$m: $bad of $n outputs differ from the build without the pass"; fi
done

# Reproducible output: the same input compiles to the same bytes (group order
# must not depend on heap addresses).
if [ -f "$work/squeezenet1_1.tv.so" ]; then
  mkdir -p "$work/again"
  if "$wg" compile "$fixtures/squeezenet1_1" -o "$work/again/squeezenet1_1.tv.so" \
       >"$work/again.log" 2>&1 &&
     cmp -s "$work/squeezenet1_1.tv.so" "$work/again/squeezenet1_1.tv.so"; then
    pass "squeezenet1_1: a second compile gives the same bytes"
  else
    fail "squeezenet1_1: a second compile differs ($(tail -n 2 "$work/again.log"))"
  fi
fi
finish
