#!/usr/bin/env bash
# check-format.sh — every tracked C file must be as clang-format (.clang-format)
# writes it. Prints the files that differ and exits 1; `--fix` rewrites them.
# Excluded: runtime/wasm-rt/wasm-rt.h keeps wabt's layout, so that it can be
# compared with the wasm2c release it implements.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then echo "check-format: clang-format not found (apt-get install clang-format)" >&2; exit 1; fi
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^runtime/wasm-rt/wasm-rt.h$')
if [ "${1:-}" = "--fix" ]; then "$fmt" -i "${files[@]}"; exit 0; fi
bad=0
for f in "${files[@]}"; do
  if ! "$fmt" --dry-run --Werror "$f" >/dev/null 2>&1; then echo "not formatted: $f"; bad=1; fi
done
if [ $bad -ne 0 ]; then echo "check-format: run 'bash scripts/check-format.sh --fix'" >&2; exit 1; fi
echo "check-format: ${#files[@]} files formatted"
