#!/usr/bin/env bash
# sandbox_cli.sh — every hostile case through `wasmgraph run`: the process must
# exit with status 1 (never die of a signal: status < 128) and print the
# runtime's message on stderr; cases the runtime must survive exit 0. Then a
# good input through the same hostile module must give the right output.
#
# usage: sandbox_cli.sh WASMGRAPH SANDBOX_CLI_CASES MODULE_DIR WORK_DIR
# The case list and the expected texts come from sandbox_cli_cases (the same
# table as the API test). Prints one line per case and "N passed, M failed".
set -u
wg=$1 cases=$2 moddir=$3 work=$4
rm -rf "$work" && mkdir -p "$work" || exit 1
list="$work/cases.txt"
"$cases" "$work" >"$list" || { echo "FAIL: sandbox_cli_cases could not write the cases"; exit 1; }

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

while IFS=$'\x1f' read -r name module graph threads want t1 t2; do
  err="$work/$name.t$threads.stderr"
  "$wg" run "$moddir/$module" --graph "$graph" --params "$work/empty.params" --fill zeros \
    --threads "$threads" --quiet >/dev/null 2>"$err" </dev/null
  rc=$?
  label=$(printf '%-22s threads=%s' "$name" "$threads")
  if [ "$rc" -ge 128 ]; then
    fail "$label: wasmgraph died of signal $((rc - 128)): $(head -c 300 "$err")"
  elif [ "$rc" -ne "$want" ]; then
    fail "$label: exit status $rc, expected $want: $(head -c 300 "$err")"
  elif [ "$want" -ne 0 ] && ! grep -qF -- "$t1" "$err"; then
    fail "$label: stderr lacks '$t1': $(head -c 300 "$err")"
  elif [ "$want" -ne 0 ] && [ -n "$t2" ] && ! grep -qF -- "$t2" "$err"; then
    fail "$label: stderr lacks '$t2': $(head -c 300 "$err")"
  else
    pass "$label: exit $rc"
  fi
done <"$list"

# The good path of the same hostile module, through the CLI, with a real input.
out="$work/good_out"
"$wg" run "$moddir/hostile.so" --graph "$work/good.json" --params "$work/empty.params" \
  -i "x=$work/x_good.npy" --output-dir "$out" --quiet >/dev/null 2>"$work/good.stderr" </dev/null
rc=$?
if [ "$rc" -ne 0 ]; then
  fail "good_input: exit status $rc: $(head -c 300 "$work/good.stderr")"
else
  got=$(tail -c 16 "$out/output_0.npy" | od -An -tf4 | awk '{for (i = 1; i <= NF; i++) printf "%s ", $i}')
  if [ "$got" = "3 5 7 9 " ]; then
    pass "good_input: output_0.npy = [ $got]"
  else
    fail "good_input: output_0.npy = [ $got], expected [ 3 5 7 9 ]"
  fi
fi

echo "$passed passed, $failed failed"
if [ $((passed + failed)) -eq 0 ]; then echo "FAIL: no check ran"; exit 1; fi
[ "$failed" -eq 0 ]
