#!/usr/bin/env bash
# build_and_run.sh — the example model's kernels as a TVM built with another
# LLVM would emit them: compiled with clang-VERSION for wasm32 (scalar or
# simd128; the compiler's default CPU, or every wasm feature it knows except
# relaxed-simd), then translated, run and compared with expected/ like every
# other model. It also checks that the object carries the features asked
# for and that `wasmgraph compile` linked it with a wasm-ld of at least that
# LLVM (link.c reads the clang version from the object's producers section).
#
# usage: build_and_run.sh WASMGRAPH CHECK_OUTPUTS EXAMPLE_DIR KERNELS_C VERSION
#                         scalar|simd128 default|all WORK_DIR
# Exit 77 (ctest SKIP) when clang-VERSION is not installed
# (scripts/install-deps.sh installs clang-14/15/16/19 and lld-14/15/16/19).
set -u
wg=$1 check=$2 example=$3 kernels=$4 version=$5 isa=$6 cpu=$7 work=$8
clang=$(command -v "clang-$version" || true)
if [ -z "$clang" ]; then
  echo "SKIP: clang-$version not found (Debian package clang-$version; scripts/install-deps.sh)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/model" || exit 1

# Every feature this clang accepts, minus relaxed-simd (not supported) and
# simd128 (the scalar/simd128 axis decides it).
features=()
if [ "$cpu" = all ]; then
  for f in sign-ext mutable-globals nontrapping-fptoint bulk-memory bulk-memory-opt multivalue \
           reference-types extended-const tail-call exception-handling atomics multimemory \
           half-precision fp16 call-indirect-overlong; do
    if echo 'int x;' | "$clang" --target=wasm32 "-m$f" -x c -c - -o /dev/null 2>/dev/null; then
      features+=("$f")
    fi
  done
  [ "${#features[@]}" -gt 0 ] || { echo "FAIL: clang-$version accepts no wasm feature flag"; exit 1; }
fi
flags=(--target=wasm32 -O2 -ffreestanding -fno-builtin -nostdlib -fvisibility=default)
[ "$isa" = simd128 ] && flags+=(-msimd128)
for f in "${features[@]}"; do flags+=("-m$f"); done
echo "clang-$version ${flags[*]}"

m="$work/model"
"$clang" "${flags[@]}" -c "$kernels" -o "$m/graph.o" || { echo "FAIL: clang-$version"; exit 1; }
for f in graph.json graph.params meta.json inputs expected; do ln -s "$example/$f" "$m/$f"; done

# The object must carry what was asked for, or the test proves nothing.
"$wg" inspect "$m/graph.o" >"$work/inspect.txt" 2>&1 || { cat "$work/inspect.txt"; echo "FAIL: inspect"; exit 1; }
have=$(grep '^features:' "$work/inspect.txt")
echo "$have"
want=("${features[@]}")
[ "$isa" = simd128 ] && want+=(simd128)
for f in "${want[@]}"; do
  case " ${have#features:} " in
    *" $f "*) ;;
    *) echo "FAIL: the object does not list feature $f"; exit 1 ;;
  esac
done

so="$work/model.so"
"$wg" compile "$m" -o "$so" --name llvm"$version" -v >"$work/compile.log" 2>&1 || {
  tail -20 "$work/compile.log"; echo "FAIL: wasmgraph compile"; exit 1; }
ld=$(grep -o 'wasm-ld: .*(LLVM [0-9]*)' "$work/compile.log" | head -1)
ld_version=$(echo "$ld" | sed -n 's/.*(LLVM \([0-9]*\)).*/\1/p')
echo "${ld:-wasm-ld: the one on PATH}"
if [ -n "$ld_version" ] && [ "$ld_version" -lt "$version" ]; then
  echo "FAIL: linked with a wasm-ld of LLVM $ld_version, older than the object's LLVM $version"; exit 1
fi

inputs=()
for f in "$m"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done
for t in 1 2; do
  "$wg" run "$so" --graph "$m/graph.json" --params "$m/graph.params" "${inputs[@]}" \
    --threads "$t" --output-dir "$work/out$t" --quiet || { echo "FAIL: run ($t threads)"; exit 1; }
done
"$check" "$m/meta.json" "$m/expected" "$work/out1" || { echo "FAIL: outputs differ from expected"; exit 1; }
for f in "$work"/out1/*.npy; do
  cmp -s "$f" "$work/out2/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between 1 and 2 threads"; exit 1; }
done
echo "PASS: clang-$version $isa $cpu"
