#!/usr/bin/env bash
# run_profile.sh — `wasmgraph run --profile` on the example model: the table
# names every executed node of graph.json (tvm_op, not __nop) once, with its
# kernel, shares that add up to 100%, and the run count; --json carries the
# same nodes; without --repeat the one run is profiled.
# usage: run_profile.sh WASMGRAPH EXAMPLE_DIR WORK_DIR
set -u
wg=$1 example=$2 work=$3
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }
rm -rf "$work" && mkdir -p "$work" || exit 1
if ! "$wg" compile "$example" -o "$work/digits.so" >"$work/compile.log" 2>&1; then
  echo "FAIL - compile: $(tail -n 3 "$work/compile.log")"; exit 1
fi
in=(-i "data=$example/inputs/data.npy")
# the kernels graph.json runs, one a line
kernels=$(grep -o '"func_name": *"[^"]*"' "$example/graph.json" | sed 's/.*"\([^"]*\)"$/\1/' |
          grep -v '^__nop$' | sort)
nk=$(printf '%s\n' "$kernels" | grep -c .)

"$wg" run "$work/digits.so" "${in[@]}" --repeat 3 -t 1 -q --profile >"$work/table.txt" 2>"$work/table.err"
rc=$?
[ $rc -eq 0 ] && ok "--profile exits 0" || bad "--profile exit status $rc: $(cat "$work/table.err")"
grep -q '^profile: 3 runs, 1 thread, per run:$' "$work/table.txt" && ok "header counts 3 runs" ||
  bad "no 'profile: 3 runs' header: $(head -n 2 "$work/table.txt")"
rows=$(awk '$1 ~ /^[0-9]+$/ && NF >= 6' "$work/table.txt")
got=$(printf '%s\n' "$rows" | awk '{print $6}' | sort)
[ "$got" = "$kernels" ] && ok "one row per executed node ($nk), kernels as in graph.json" ||
  bad "rows' kernels differ from graph.json: got [$got], want [$kernels]"
printf '%s\n' "$rows" | awk '{gsub("%","",$4); s += $4} END {exit !(s > 99.4 && s < 100.6)}' &&
  ok "shares add up to 100%" || bad "shares do not add up to 100%"
printf '%s\n' "$rows" | awk 'NR > 1 && $3 > prev {exit 1} {prev = $3}' &&
  ok "rows sorted by time" || bad "rows not sorted by time"
grep -q '^sum of nodes [0-9.]* ms; run median [0-9.]* ms$' "$work/table.txt" && ok "sum line" ||
  bad "no sum line"

"$wg" run "$work/digits.so" "${in[@]}" -t 1 --profile --json >"$work/p.json" 2>"$work/p.err"
if /usr/bin/python3 - "$work/p.json" "$nk" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["profile"]
assert len(p) == int(sys.argv[2]), len(p)
assert all(set(e) >= {"node", "name", "kernel", "ms_per_run", "share"} for e in p)
assert all(e["ms_per_run"] >= 0 for e in p)
assert abs(sum(e["share"] for e in p) - 1) < 1e-6
assert [e["node"] for e in p] == sorted(e["node"] for e in p)  # run order
PY
then ok "--json carries the profile (one run)"; else bad "--json profile: $(cat "$work/p.err")"; fi

"$wg" run "$work/digits.so" "${in[@]}" -q >"$work/plain.txt" 2>&1
grep -q '^profile:' "$work/plain.txt" && bad "a profile without --profile" || ok "no profile unless asked"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
