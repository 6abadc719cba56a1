# lib.sh — helpers shared by the tests/compiler shell tests (sourced).
# Each check prints "ok - NAME" or "FAIL - NAME: why" and counts; finish()
# prints "N passed, M failed" and exits 1 if anything failed or if no check
# ran at all (a script that checked nothing has not shown anything).

npass=0
nfail=0

pass() { echo "ok - $1"; npass=$((npass + 1)); }
fail() { echo "FAIL - $1"; nfail=$((nfail + 1)); }

finish() {
  echo "$npass passed, $nfail failed"
  if [ "$npass" -eq 0 ] && [ "$nfail" -eq 0 ]; then
    echo "FAIL - no check ran"
    exit 1
  fi
  [ "$nfail" -eq 0 ]
  exit $?
}

# expect NAME CODE SUBSTRING OUTPUT -- COMMAND...
# Runs COMMAND; requires exit status CODE, SUBSTRING in its stderr, stderr of
# exactly one line for CODE 1 (two for usage errors: message + "Try ..."),
# and that OUTPUT does not exist afterwards (OUTPUT "-" skips that check).
expect() {
  local name=$1 code=$2 sub=$3 out=$4
  shift 5
  "$@" >"$work/stdout.txt" 2>"$work/stderr.txt"
  local rc=$? why=""
  local lines
  lines=$(wc -l <"$work/stderr.txt")
  [ "$rc" -eq "$code" ] || why="$why exit $rc (want $code);"
  grep -qF -- "$sub" "$work/stderr.txt" || why="$why stderr lacks '$sub';"
  if [ "$code" -eq 1 ] && [ "$lines" -ne 1 ]; then why="$why stderr has $lines lines (want 1);"; fi
  if [ "$code" -eq 2 ] && ! grep -q "^Try 'wasmgraph compile --help'.$" "$work/stderr.txt"; then
    why="$why no \"Try 'wasmgraph compile --help'.\" line;"
  fi
  if [ "$out" != "-" ] && [ -e "$out" ]; then why="$why $out exists after the failure;"; fi
  if [ -z "$why" ]; then
    pass "$name"
  else
    fail "$name:$why stderr: $(head -c 400 "$work/stderr.txt")"
  fi
}

# A directory must hold no leftovers (hidden temp outputs, temp dirs).
expect_empty_dir() {
  local name=$1 dir=$2
  if [ -z "$(ls -A "$dir")" ]; then pass "$name"; else fail "$name: left behind: $(ls -A "$dir" | tr '\n' ' ')"; fi
}
