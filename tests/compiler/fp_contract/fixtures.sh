#!/usr/bin/env bash
# fixtures.sh — `wasmgraph compile --fp-contract=fast` on real models. Every
# fixture folder (a meta.json next to wasm32/ and wasm32-simd/) is compiled,
# scalar and SIMD, with --fp-contract=fast at -v and run single-threaded on
# its inputs. Fused multiply-adds round once where wasm rounds twice, so the
# outputs are compared with the fixture's tolerances (meta.json:
# |got - want| <= atol + rtol * |want|, by CHECK_OUTPUTS), never byte for
# byte. The -v log must report fused multiply-adds for the CNNs, and on an
# x86 host with FMA the .so must hold FMA instructions (objdump, when
# installed).
#
# Also: --fp-contract with a bad value is a usage error (exit 2), and
# --fp-contract=fast at -O1 is refused with a message (exit 1).
#
# (The default build's byte identity is compiler.tile_vectorize.fixtures'
# check; that script also checks that its -v log says the contraction is off.)
#
# usage: fixtures.sh WASMGRAPH CHECK_OUTPUTS FIXTURES_DIR WORK_DIR
# Exit 77 (ctest SKIP) when FIXTURES_DIR does not exist.
set -u
wg=$1 check=$2 fixtures=$3 work=$4
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
rm -rf "$work" && mkdir -p "$work" || exit 1

# option errors need no fixture
expect "--fp-contract=sloppy is a usage error" 2 "invalid --fp-contract 'sloppy' (use off or fast)" \
  "$work/x.so" -- "$wg" compile x.o -o "$work/x.so" --fp-contract=sloppy

if [ ! -d "$fixtures" ]; then
  echo "SKIP: fixtures not found at $fixtures"
  echo "$npass passed, $nfail failed"
  [ "$nfail" -eq 0 ] && exit 77
  exit 1
fi

first=
for dir in "$fixtures"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  [ -f "$dir/meta.json" ] || continue
  [ -n "$first" ] || first=$dir
  inputs=()
  for f in "$dir"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
  for variant in wasm32 wasm32-simd; do
    [ -f "$dir/$variant/graph.o" ] || continue
    m=$name.$variant
    start=$(date +%s)
    if ! "$wg" compile -v "$dir/$variant/graph.o" --embed "$dir/graph.json" "$dir/graph.params" \
         -o "$work/$m.so" --fp-contract=fast >"$work/$m.log" 2>&1; then
      fail "$m: compile: $(tail -n 3 "$work/$m.log")"
      continue
    fi
    echo "# $m.so compiled in $(( $(date +%s) - start )) s"
    line=$(grep -o '^fp contraction: .*' "$work/$m.log" | head -n 1)
    fused=$(printf '%s\n' "$line" | sed -n 's/^fp contraction: \([0-9][0-9]*\) multiply-adds.*/\1/p')
    echo "# $m: ${line:-no fp contraction line}"
    if [ -z "$fused" ]; then
      fail "$m: no 'fp contraction: N multiply-adds' line in the -v log"
    else
      case $name in
        squeezenet1_1|mobilenet_v2|resnet18)
          if [ "$fused" -gt 0 ]; then pass "$m: $fused multiply-adds fused"
          else fail "$m: the contraction fused nothing ($line)"; fi ;;
        *) pass "$m: contraction ran ($fused fused)" ;;
      esac
    fi
    if [ "${fused:-0}" -gt 0 ] && command -v objdump >/dev/null && grep -qw fma /proc/cpuinfo &&
       [ "$(uname -m)" = x86_64 ]; then
      n=$(objdump -d --no-show-raw-insn "$work/$m.so" | grep -c 'vfn\?m\(add\|sub\)[0-9]*[ps][sd]')
      if [ "$n" -gt 0 ]; then pass "$m: $n FMA instructions in the machine code"
      else fail "$m: $fused fused in the IR but no vfmadd in the machine code"; fi
    fi
    mkdir -p "$work/$m.out"
    if ! "$wg" run "$work/$m.so" "${inputs[@]}" -o "$work/$m.out" -q -t 1 >"$work/$m.run" 2>&1; then
      fail "$m: run: $(tail -n 3 "$work/$m.run")"
      continue
    fi
    if "$check" "$dir/meta.json" "$dir/expected" "$work/$m.out" >"$work/$m.check" 2>&1; then
      pass "$m: outputs within meta.json's tolerances ($(tr '\n' ' ' <"$work/$m.check"))"
    else
      fail "$m: outputs outside meta.json's tolerances: $(tr '\n' ' ' <"$work/$m.check")"
    fi
  done
done
[ -n "$first" ] || fail "no fixture folder with a meta.json in $fixtures"

# The contraction is a pass of the LLVM pipeline, which runs from -O2.
if [ -n "$first" ]; then
  expect "--fp-contract=fast at -O1 is refused" 1 "--fp-contract=fast needs -O2 or -O3 (got -O1)" \
    "$work/o1.so" -- "$wg" compile "$first" -o "$work/o1.so" -O1 --fp-contract=fast
fi
finish
