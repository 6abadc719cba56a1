#!/usr/bin/env bash
# help_golden.sh — `wasmgraph compile --help` must print exactly the checked-in
# text on stdout, nothing on stderr, and exit 0 (wabt's test/help habit). After
# an intended change of the help, update compile_help.txt with:
#   build/tools/wasmgraph compile --help > tests/compiler/compile_help.txt
# usage: help_golden.sh WASMGRAPH GOLDEN_FILE WORK_DIR
set -u
wg=$1 golden=$2 work=$3
mkdir -p "$work" || exit 1
"$wg" compile --help >"$work/help.txt" 2>"$work/help.err"
rc=$?
status=0
if [ $rc -ne 0 ]; then echo "FAIL - exit status $rc, want 0"; status=1; else echo "ok - exit status 0"; fi
if [ -s "$work/help.err" ]; then echo "FAIL - stderr not empty: $(cat "$work/help.err")"; status=1
else echo "ok - nothing on stderr"; fi
if diff -u "$golden" "$work/help.txt"; then echo "ok - matches $(basename "$golden")"
else echo "FAIL - differs from $golden (diff above)"; status=1; fi
"$wg" compile -h >"$work/help_short.txt" 2>&1
if cmp -s "$work/help.txt" "$work/help_short.txt"; then echo "ok - -h prints the same"
else echo "FAIL - -h differs from --help"; status=1; fi
exit $status
