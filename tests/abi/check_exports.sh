#!/usr/bin/env bash
# check_exports.sh — what the built libraries export is their ABI and nothing
# else (cmake/product-code.cmake builds product code with -fvisibility=hidden).
#
#   check_exports.sh list LIB.so EXPORTS MODE
#       LIB.so's dynamic symbols (nm -D --defined-only) must equal the list in
#       EXPORTS: one symbol a line, '#' comments; "symbol MODE" lines count only
#       in that WASMGRAPH_MEMORY_MODE. Prints what is missing and what is extra.
#   check_exports.sh binds EXE EXPORTS MODE
#       an executable linked with ENABLE_EXPORTS (the CLI) exports every
#       wasm_rt_*/w2c_env_* symbol of EXPORTS, so the model .so files it
#       dlopens resolve, and no internal (wg_*, wgc_*) symbol.
#   check_exports.sh prefixes [--abi EXPORTS MODE] ARCHIVE.a...
#       every global symbol an archive defines starts with wgc_, wg_ or
#       wasmgraph_, or is one of the ABI symbols listed in EXPORTS, so that
#       linking wasmgraph into an application cannot collide with the
#       application's own names.
# Exit 0 only when at least one symbol was checked and nothing differs.
set -uo pipefail
export LC_ALL=C
nm=${NM:-nm}
die() { echo "FAIL: $*"; exit 1; }

# expected EXPORTS MODE: the list's symbols for MODE, sorted
expected() {
  sed -e 's/#.*//' "$1" | awk -v mode="$2" 'NF == 1 || (NF == 2 && $2 == mode) {print $1}' | sort -u
}
# dynamic FILE: defined dynamic symbols, version suffixes dropped, sorted
dynamic() {
  "$nm" -D --defined-only "$1" | awk 'NF >= 3 {sub(/@.*/, "", $3); print $3}' | sort -u
}

cmd=${1:-}
case "$cmd" in
list)
  [ $# -eq 4 ] || die "usage: check_exports.sh list LIB.so EXPORTS MODE"
  lib=$2 list=$3 mode=$4
  [ -f "$lib" ] || die "$lib does not exist"
  [ -f "$list" ] || die "$list does not exist"
  want=$(expected "$list" "$mode")
  got=$(dynamic "$lib") || die "nm -D $lib failed"
  [ -n "$want" ] || die "$list lists no symbol for memory mode $mode"
  [ -n "$got" ] || die "$lib exports nothing"
  missing=$(comm -23 <(echo "$want") <(echo "$got"))
  extra=$(comm -13 <(echo "$want") <(echo "$got"))
  [ -z "$missing" ] || { echo "missing from $(basename "$lib") (listed in $list):"; echo "$missing" | sed 's/^/  /'; }
  [ -z "$extra" ] || { echo "exported by $(basename "$lib") but not listed in $list:"; echo "$extra" | sed 's/^/  /'; }
  [ -z "$missing$extra" ] || die "$(basename "$lib")'s exports differ from the ABI list (mark the function, or update the list on purpose)"
  echo "PASS: $(basename "$lib") exports exactly the $(echo "$want" | wc -l) symbols of $(basename "$list")"
  ;;
binds)
  [ $# -eq 4 ] || die "usage: check_exports.sh binds EXE EXPORTS MODE"
  exe=$2 list=$3 mode=$4
  [ -f "$exe" ] || die "$exe does not exist"
  want=$(expected "$list" "$mode" | grep -E '^(wasm_rt_|w2c_env_)')
  got=$(dynamic "$exe") || die "nm -D $exe failed"
  [ -n "$want" ] || die "$list lists no wasm_rt_*/w2c_env_* symbol"
  missing=$(comm -23 <(echo "$want") <(echo "$got"))
  internal=$(echo "$got" | grep -E '^(wg_|wgc_)')
  [ -z "$missing" ] || { echo "not exported by $(basename "$exe"), so models cannot bind:"; echo "$missing" | sed 's/^/  /'; }
  [ -z "$internal" ] || { echo "internals exported by $(basename "$exe"):"; echo "$internal" | sed 's/^/  /'; }
  [ -z "$missing$internal" ] || die "$(basename "$exe")'s dynamic symbols are wrong"
  echo "PASS: $(basename "$exe") exports the $(echo "$want" | wc -l) symbols models bind to and no internals"
  ;;
prefixes)
  shift
  abi=""
  if [ "${1:-}" = "--abi" ]; then
    [ $# -ge 3 ] || die "usage: check_exports.sh prefixes [--abi EXPORTS MODE] ARCHIVE.a..."
    abi=$(expected "$2" "$3")
    [ -n "$abi" ] || die "$2 lists no symbol"
    shift 3
  fi
  [ $# -ge 1 ] || die "usage: check_exports.sh prefixes [--abi EXPORTS MODE] ARCHIVE.a..."
  total=0 bad=0
  for a in "$@"; do
    [ -f "$a" ] || die "$a does not exist"
    syms=$("$nm" -g --defined-only "$a" | awk 'NF == 3 {print $3}' | sort -u) || die "nm $a failed"
    [ -n "$syms" ] || die "$a defines no global symbol"
    n=$(echo "$syms" | wc -l)
    total=$((total + n))
    wrong=$(echo "$syms" | grep -Ev '^(wgc_|wg_|wasmgraph_)')
    [ -z "$abi" ] || wrong=$(comm -23 <(echo "$wrong") <(echo "$abi") | sed '/^$/d')
    if [ -n "$wrong" ]; then
      echo "$(basename "$a"): global symbols without a wgc_/wg_/wasmgraph_ prefix:"
      echo "$wrong" | sed 's/^/  /'
      bad=1
    fi
  done
  [ $bad -eq 0 ] || die "unprefixed global symbols (make them static, or prefix them)"
  echo "PASS: $total global symbols in $# archives, all prefixed"
  ;;
*)
  die "usage: check_exports.sh list|binds|prefixes ..."
  ;;
esac
