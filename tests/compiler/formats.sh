#!/usr/bin/env bash
# formats.sh — one TVM fixture model through `wasmgraph compile` into every
# requested output kind, each checked with nm (the descriptor, the fixed .so
# alias and wasm2c 1.0.39's wasm2c_<M>_* / w2c_<M>_* symbols are defined) and
# run: a .so with `wasmgraph run --fill zeros`, .o/.a/.c linked with the
# runtime into model_driver (model from the embedded or the fixture's
# graph/params, executor, a run on zeroed inputs). The .c output is built with
# plain clang and its emitted header; its glue must be warning-free under
# -Wall -Wextra, and a SIMD model's .c must bring wg_simd_fixups.h along. The
# .so is compiled with -v, whose log must show that the memory rewrite and
# the load-barrier pass both did their work (so a wasm2c change that silently
# defeats them fails here). Prints the compile time of each output.
#
# usage: formats.sh WASMGRAPH MODEL_DIR WORK_DIR FORMATS RUNTIME_LIB INCLUDE_DIR
#                   WASM_RT_DIR "CFLAGS" "LDFLAGS" [VARIANT]
#   FORMATS: "all" (.so .o .a .c .wasm) or one kind, e.g. "so"
#   VARIANT: wasm32 (default) or wasm32-simd: which graph.o of the fixture;
#            embedded outputs then take MODEL_DIR's graph.json and params
# Exit 77 (ctest SKIP) when MODEL_DIR does not exist.
set -u
wg=$1 model=$2 work=$3 formats=$4 rtlib=$5 inc=$6 wasmrt=$7 cflags=$8 ldflags=$9
variant=${10:-wasm32}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if [ ! -d "$model" ]; then
  echo "SKIP: fixture not found at $model"
  exit 77
fi
name=$(basename "$model" | tr -c 'A-Za-z0-9_\n' '_')
obj=$model/$variant/graph.o
if [ ! -f "$obj" ]; then
  echo "SKIP: no $variant/graph.o in $model"
  exit 77
fi
# The embedded-graph input: the folder itself (it picks wasm32/graph.o), or
# the variant's object with the folder's graph.json and params.
if [ "$variant" = wasm32 ]; then
  embedded=("$model")
else
  embedded=("$obj" --embed "$model/graph.json" "$model/graph.params")
fi
rm -rf "$work" && mkdir -p "$work/c" || exit 1

# wasm2c 1.0.39's spelling of a module name (translate.c, wgc_w2c_mangle):
# '_' doubled, or 0x5F at either end or right after an emitted '_'; an A-F
# right after "0x" becomes 0x41..0x46.
mangle() {
  local n=$1 out="" c i
  for ((i = 0; i < ${#n}; i++)); do
    c=${n:i:1}
    if [ "$c" = _ ]; then
      if [ "$i" -eq 0 ] || [ "$i" -eq $((${#n} - 1)) ] || [ "${out: -1}" = _ ]; then
        out+=0x5F
      else
        out+=__
      fi
    elif [[ $c == [A-F] ]] && [ "${out: -2}" = 0x ]; then
      out+=$(printf '0x%02X' "'$c")
    else
      out+=$c
    fi
  done
  printf '%s' "$out"
}

# timed NAME -- COMMAND...: runs it, prints the wall time, fails loudly.
timed() {
  local what=$1
  shift 2
  local t0 ms
  t0=$(date +%s%N)
  if "$@" 2>"$work/stderr.txt"; then
    ms=$((($(date +%s%N) - t0) / 1000000))
    echo "# $what: $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
    return 0
  fi
  fail "$what: $(cat "$work/stderr.txt")"
  return 1
}

has_sym() { # has_sym "FILES" TYPE SYMBOL [nm flags]   (FILES: space-separated)
  nm ${4:-} $1 2>/dev/null | grep -Eq " $2 $3\$"
}

check_syms() { # check_syms LABEL FILE NAME [extra nm flags]
  local label=$1 file=$2 n=$3 missing=""
  local m
  m=$(mangle "$n")
  has_sym "$file" T "${n}_wasmgraph_module" || missing="$missing ${n}_wasmgraph_module"
  for s in wasm2c_${m}_instantiate wasm2c_${m}_free wasm2c_${m}_get_func_type \
           w2c_${m}_0x5F_wasm_call_ctors w2c_${m}_0x5F_indirect_function_table; do
    has_sym "$file" T "$s" || missing="$missing $s"
  done
  if [ -z "$missing" ]; then pass "$label: symbols defined"; else fail "$label: missing$missing"; fi
}

# The -v log of a compile (in $work/stderr.txt): the memory rewrite ran on
# some functions and left none as they were, SIMD accesses were moved for a
# SIMD model, and the barrier pass removed barriers.
check_passes() { # check_passes LABEL
  local log=$work/stderr.txt rw lb
  rw=$(grep -m1 '^memory rewrite: [0-9]* functions, [0-9]* SIMD accesses' "$log")
  lb=$(grep -m1 '^load barriers: removed [0-9]*, kept [0-9]*' "$log")
  local fns=${rw#memory rewrite: } simd
  fns=${fns%% *}
  simd=${rw#*functions, }
  simd=${simd%% *}
  local removed=${lb#load barriers: removed } kept=${lb#*kept }
  removed=${removed%%,*}
  kept=${kept%% *}
  if [ -n "$rw" ] && [ "$fns" -gt 0 ] && ! grep -q 'left as wasm2c wrote' "$log" &&
     { [ "$variant" = wasm32 ] || [ "$simd" -gt 0 ]; }; then
    pass "$1: memory rewrite applied ($rw)"
  else
    fail "$1: memory rewrite: '$rw' $(grep 'memory rewrite' "$log" | tr '\n' ' ')"
  fi
  if [ -n "$lb" ] && [ "$removed" -gt 0 ] && [ "$removed" -ge "$kept" ]; then
    pass "$1: load-barrier pass removed barriers ($lb)"
  else
    fail "$1: load barriers: '$lb'"
  fi
}

drive() { # drive LABEL GRAPH PARAMS OBJECTS...
  local label=$1 g=$2 p=$3
  shift 3
  if clang -O1 $cflags -I"$inc" -DMODELS="X($name)" "$here/model_driver.c" "$@" "$rtlib" \
       $ldflags -ljson-c -lpthread -ldl -lm -o "$work/driver_$label" 2>"$work/stderr.txt"; then
    pass "$label: links with the runtime"
  else
    fail "$label: link: $(head -c 2000 "$work/stderr.txt")"
    return
  fi
  if "$work/driver_$label" "$g" "$p" >"$work/driver.txt" 2>&1 && grep -q ' 0 failed$' "$work/driver.txt"; then
    pass "$label: runs ($(tail -1 "$work/driver.txt"))"
  else
    fail "$label: driver: $(cat "$work/driver.txt")"
  fi
}

for fmt in $formats; do
  [ "$fmt" = all ] && set -- so o a c wasm || set -- "$fmt"
  for kind in "$@"; do
    case $kind in
      so)
        out=$work/$name.so
        timed "compile $name $variant (embedded, -v) -> .so" -- \
          "$wg" compile "${embedded[@]}" -o "$out" -v || continue
        check_passes ".so"
        check_syms ".so" "$out" "$name"
        if has_sym "$out" T wasmgraph_module_entry -D && has_sym "$out" T "${name}_wasmgraph_module" -D &&
           has_sym "$out" R "${name}_wasmgraph_params"; then
          pass ".so: exports wasmgraph_module_entry and embeds the params"
        else
          fail ".so: dynamic symbols: $(nm -D --defined-only "$out" | head -20)"
        fi
        if "$wg" run "$out" --fill zeros -q -t 1 >"$work/run.txt" 2>&1; then
          pass ".so: wasmgraph run on zeroed inputs"
        else
          fail ".so: wasmgraph run: $(head -c 1500 "$work/run.txt")"
        fi
        ;;
      o)
        out=$work/$name.o
        timed "compile $name graph.o -> .o" -- "$wg" compile "$obj" -o "$out" --name "$name" || continue
        check_syms ".o" "$out" "$name"
        if has_sym "$out" T wasmgraph_module_entry; then fail ".o: must not define wasmgraph_module_entry"
        else pass ".o: no .so alias"; fi
        drive o "$model/graph.json" "$model/graph.params" "$out"
        ;;
      a)
        out=$work/lib$name.a
        timed "compile $name $variant (embedded) -> .a" -- "$wg" compile "${embedded[@]}" -o "$out" || continue
        check_syms ".a" "$out" "$name"
        drive a - - "$out"
        ;;
      c)
        out=$work/c/$name.c
        timed "compile $name $variant (embedded) -> .c" -- "$wg" compile "${embedded[@]}" -o "$out" || continue
        missing=""
        files=("$name.c" "${name}_w2c.c" "${name}_w2c.h" "$name.h" "${name}_data.c")
        [ "$variant" = wasm32 ] || files+=(wg_simd_fixups.h)
        for f in "${files[@]}"; do
          [ -f "$work/c/$f" ] || missing="$missing $f"
        done
        if [ -z "$missing" ]; then pass ".c: writes the glue, wasm2c output, header and data"
        else fail ".c: missing$missing"; fi
        if [ "$variant" != wasm32 ]; then
          if [ "$(head -n 2 "$work/c/${name}_w2c.c" | tail -n 1)" = '#include "wg_simd_fixups.h"' ]; then
            pass ".c: the SIMD translation includes wg_simd_fixups.h first"
          else
            fail ".c: ${name}_w2c.c does not start with the fixups include: $(head -n 3 "$work/c/${name}_w2c.c")"
          fi
        elif [ -e "$work/c/wg_simd_fixups.h" ] || grep -q wg_simd_fixups "$work/c/${name}_w2c.c"; then
          fail ".c: a scalar model must not need wg_simd_fixups.h"
        else
          pass ".c: a scalar model does not use SIMDe"
        fi
        # the user's compiler: plain clang, the installed-style include dirs
        if clang -c -O1 $cflags -I"$inc" -I"$wasmrt" -Wall -Wextra -Wstrict-prototypes \
             -Wmissing-prototypes -Werror "$out" -o "$work/c/glue.o" 2>"$work/stderr.txt" &&
           clang -c -O1 $cflags -I"$inc" -I"$wasmrt" -w "$work/c/${name}_w2c.c" -o "$work/c/w2c.o" &&
           clang -c -O0 $cflags -w "$work/c/${name}_data.c" -o "$work/c/data.o" &&
           printf '#include "%s.h"\nconst wasmgraph_module_desc *(*volatile p)(void) = %s_wasmgraph_module;\n' \
             "$name" "$name" >"$work/c/use_header.c" &&
           clang -c $cflags -I"$inc" -I"$work/c" -Wall -Werror "$work/c/use_header.c" -o "$work/c/use.o"; then
          pass ".c: compiles with plain clang (glue warning-free) and its header"
          check_syms ".c objects" "$work/c/glue.o $work/c/w2c.o" "$name"
          drive c - - "$work/c/glue.o" "$work/c/w2c.o" "$work/c/data.o"
        else
          fail ".c: does not compile: $(head -c 2000 "$work/stderr.txt")"
        fi
        ;;
      wasm)
        out=$work/$name.wasm
        timed "compile $name -> .wasm" -- "$wg" compile "$obj" -o "$out" || continue
        if [ "$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')" = "0061736d01000000" ] &&
           "$wg" inspect "$out" | grep -q "^input: .*(module)$"; then
          pass ".wasm: a linked wasm module"
        else
          fail ".wasm: not a linked module"
        fi
        ;;
    esac
  done
done
finish
