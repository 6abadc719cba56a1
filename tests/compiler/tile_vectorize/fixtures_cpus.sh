#!/usr/bin/env bash
# fixtures_cpus.sh — the kernel-shape passes' paths for other x86 CPUs than
# the one at hand, on every SIMD fixture. CI and development machines have
# AVX-512 and VNNI, so fixtures.sh only ever sees the passes' AVX-512 forms;
# a Zen 3 machine takes the AVX2 ones (int-dot without VNNI, stream-widen 2
# iterations at a time, ymm pairs) and an older one the SSE forms. Code for
# those CPUs runs here too, so each SIMD fixture is compiled for each CPU
# given (--cpu) twice: as usual and with the passes off
# (WASMGRAPH_NO_TILE_VECTORIZE=1, as in fixtures.sh). Both are run
# single-threaded on the fixture's inputs and every output .npy must be
# byte-identical. For haswell the -v log must show an AVX2 form at work:
# stream widening 2 at a time in the int8 models, int8 positions paired in
# ymm registers by int dot in the relay.quantize ones, v128 pairs in the
# fp32 CNNs; for every CPU, int dot loops in the int8 models.
#
# Every fixture folder with a wasm32-simd/graph.o is taken (new ones need no
# change here). Scalar builds are left to fixtures.sh: their tile passes do
# not depend on the vector width.
#
# usage: fixtures_cpus.sh WASMGRAPH FIXTURES_DIR WORK_DIR CPU...
# Exit 77 (ctest SKIP) when FIXTURES_DIR does not exist, or when this
# machine is not x86-64.
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
if [ "$(uname -m)" != x86_64 ]; then
  echo "SKIP: the CPUs named here are x86-64 CPUs; this machine is $(uname -m)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1

count() { # the first number after PREFIX on its line in LOG
  sed -n "s/^$1\\([0-9][0-9]*\\).*/\\1/p" "$2" | head -n 1
}

for cpu in "$@"; do
  for dir in "$fixtures"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -f "$dir/wasm32-simd/graph.o" ] || continue
    m=$name.$cpu
    pair_build "$m" on off "$dir" --cpu "$cpu" "$dir/wasm32-simd/graph.o" \
      --embed "$dir/graph.json" "$dir/graph.params" || continue
    pair_compare "$m" on off
    if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then pass "$m: $n outputs byte-identical with and without the passes"
    else fail "$m: outputs differ with and without the passes (or none)"; fi
    log=$work/$m.on.log
    case $name in
      *_int8|*_qnn)
        loops=$(count 'int dot: ' "$log")
        if [ -n "$loops" ] && [ "$loops" -gt 0 ]; then pass "$m: int dot ran ($loops loops)"
        else fail "$m: int dot replaced no loop ($(grep '^int dot' "$log"))"; fi
        if [ "$cpu" = haswell ]; then
          by2=$(sed -n 's/^stream widening: [0-9]* loops (0 by 4, \([0-9][0-9]*\) by 2.*/\1/p' "$log")
          if [ -n "$by2" ] && [ "$by2" -gt 0 ]; then pass "$m: stream widening by 2 ran ($by2 loops)"
          else fail "$m: no loop widened 2 at a time ($(grep '^stream widening' "$log"))"; fi
        fi
        # int8 (not QNN's int16) without VNNI: positions paired in ymm registers
        if [ "$cpu" = haswell ] && [ "${name%_int8}" != "$name" ]; then
          ymm=$(sed -n 's/^int dot: .*; \([0-9][0-9]*\) pairs in 256-bit registers.*/\1/p' "$log")
          if [ -n "$ymm" ] && [ "$ymm" -gt 0 ]; then pass "$m: int8 pairs in 256-bit registers ($ymm)"
          else fail "$m: no int8 pair in a 256-bit register ($(grep '^int dot' "$log"))"; fi
        fi ;;
      squeezenet1_1|mobilenet_v2|resnet18)
        if [ "$cpu" = haswell ]; then
          pairs=$(count 'v128 pairing: ' "$log")
          if [ -n "$pairs" ] && [ "$pairs" -gt 0 ]; then pass "$m: v128 pairs ($pairs)"
          else fail "$m: no v128 pair ($(grep '^v128 ' "$log" | tr '\n' ' '))"; fi
        fi ;;
    esac
  done
done
finish
