#!/usr/bin/env bash
# formats.sh — one TVM fixture model through `wasmgraph compile` into every
# requested output kind, each checked with nm (the descriptor, the fixed .so
# alias and wasm2c's Z_<NAME>_* symbols are defined) and, for .o/.a/.c,
# linked with the runtime into model_driver and run (model from the embedded
# or the fixture's graph/params, executor, a run on zeroed inputs). The .c
# output is built with plain clang and its emitted header; its glue must be
# warning-free under -Wall -Wextra. Prints the compile time of each output.
#
# usage: formats.sh WASMGRAPH MODEL_DIR WORK_DIR FORMATS RUNTIME_LIB INCLUDE_DIR
#                   WASM_RT_DIR "CFLAGS" "LDFLAGS"
#   FORMATS: "all" (.so .o .a .c .wasm) or "so"
# Exit 77 (ctest SKIP) when MODEL_DIR does not exist.
set -u
wg=$1 model=$2 work=$3 formats=$4 rtlib=$5 inc=$6 wasmrt=$7 cflags=$8 ldflags=$9
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if [ ! -d "$model" ]; then
  echo "SKIP: fixture not found at $model"
  exit 77
fi
name=$(basename "$model" | tr -c 'A-Za-z0-9_\n' '_')
obj=$model/wasm32/graph.o
rm -rf "$work" && mkdir -p "$work/c" || exit 1

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
  local mangled=${n//Z/Z5A}
  has_sym "$file" T "${n}_wasmgraph_module" || missing="$missing ${n}_wasmgraph_module"
  for s in Z_${mangled}_instantiate Z_${mangled}_init_module Z_${mangled}_free \
           Z_${mangled}Z___wasm_call_ctors Z_${mangled}Z___indirect_function_table; do
    has_sym "$file" T "$s" || missing="$missing $s"
  done
  if [ -z "$missing" ]; then pass "$label: symbols defined"; else fail "$label: missing$missing"; fi
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
        timed "compile $name (folder, embedded) -> .so" -- "$wg" compile "$model" -o "$out" || continue
        check_syms ".so" "$out" "$name"
        if has_sym "$out" T wasmgraph_module_entry -D && has_sym "$out" T "${name}_wasmgraph_module" -D &&
           has_sym "$out" R "${name}_wasmgraph_params"; then
          pass ".so: exports wasmgraph_module_entry and embeds the params"
        else
          fail ".so: dynamic symbols: $(nm -D --defined-only "$out" | head -20)"
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
        timed "compile $name (folder, embedded) -> .a" -- "$wg" compile "$model" -o "$out" || continue
        check_syms ".a" "$out" "$name"
        drive a - - "$out"
        ;;
      c)
        out=$work/c/$name.c
        timed "compile $name (folder, embedded) -> .c" -- "$wg" compile "$model" -o "$out" || continue
        missing=""
        for f in "$name.c" "${name}_w2c.c" "${name}_w2c.h" "$name.h" "${name}_data.c"; do
          [ -f "$work/c/$f" ] || missing="$missing $f"
        done
        if [ -z "$missing" ]; then pass ".c: writes the glue, wasm2c output, header and data"
        else fail ".c: missing$missing"; fi
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
