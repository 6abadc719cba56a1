#!/usr/bin/env bash
# interrupt_cli.sh — `wasmgraph run --timeout-ms` and `--max-memory-mb` on
# modules/runaway.wat (issue 15):
#   - the runaway kernels (an infinite loop; a parallel launch whose lambda
#     is one) with --timeout-ms 1500 and 1 or 2 threads exit 1 with
#     "node 1 'op_K' (kernel K) stopped: deadline of 1500 ms exceeded", and
#     never by a signal;
#   - a good kernel with a timeout runs normally;
#   - a model compiled without interrupt checks refuses --timeout-ms;
#   - --max-memory-mb too small for the model exits 1 and says so; a budget
#     that fits caps memory.grow (rw_grow prints -1 past it);
#   - bad values are usage errors (exit 2).
# usage: interrupt_cli.sh WASMGRAPH MODULE_DIR WORK_DIR
set -u
wg=$1 mods=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# a TVM param list with nothing in it: magic 0xF7E58D4F05049CB7, reserved, 0, 0
printf '\xb7\x9c\x04\x05\x4f\x8d\xe5\xf7' >"$work/empty.params"
head -c 24 /dev/zero >>"$work/empty.params"
graph() { # graph KERNEL
  cat >"$work/$1.json" <<JSON
{"nodes": [{"op": "null", "name": "x", "inputs": []},
 {"op": "tvm_op", "name": "op_$1", "attrs": {"num_inputs": "1", "num_outputs": "1",
  "flatten_data": "0", "func_name": "$1"}, "inputs": [[0, 0, 0]]}],
 "arg_nodes": [0], "heads": [[1, 0, 0]], "node_row_ptr": [0, 1, 2],
 "attrs": {"dltype": ["list_str", ["float32", "float32"]],
  "shape": ["list_shape", [[4], [4]]], "storage_id": ["list_int", [0, 1]]}}
JSON
}
run() { # run SO KERNEL [options...]: stdout+stderr in $work/out.txt, status in $rc
  local so=$1 k=$2
  shift 2
  graph "$k"
  "$wg" run "$mods/$so" -g "$work/$k.json" -p "$work/empty.params" --fill zeros "$@" \
    >"$work/out.txt" 2>&1
  rc=$?
}

for k in rw_loop rw_parallel_loop; do
  for t in 1 2; do
    start=$(date +%s%N)
    run runaway.so "$k" --timeout-ms 1500 --threads "$t"
    ms=$((($(date +%s%N) - start) / 1000000))
    want="wasmgraph: $mods/runaway.so: node 1 'op_$k' (kernel $k) stopped: deadline of 1500 ms exceeded"
    if [ "$rc" = 1 ] && grep -qxF "$want" "$work/out.txt" && [ "$ms" -ge 1500 ]; then
      pass "$k, $t thread(s): exit 1 after $ms ms"
    else
      fail "$k, $t thread(s): exit $rc after $ms ms: $(cat "$work/out.txt")"
    fi
  done
done

run runaway.so rw_good --timeout-ms 1500
if [ "$rc" = 0 ] && grep -q "values=\[1, 1, 1, 1\]" "$work/out.txt"; then
  pass "rw_good with a timeout runs"
else
  fail "rw_good with a timeout: exit $rc: $(cat "$work/out.txt")"
fi

run runaway_nochk.so rw_good --timeout-ms 100
if [ "$rc" = 1 ] && grep -q "compiled without interrupt checks (--disable-pass=interrupt-checks)" "$work/out.txt"; then
  pass "a module without checks refuses --timeout-ms"
else
  fail "module without checks: exit $rc: $(cat "$work/out.txt")"
fi

run runaway.so rw_good --max-memory-mb 1 --threads 2
if [ "$rc" = 1 ] && grep -q "does not fit in the memory budget of 1.0 MiB" "$work/out.txt"; then
  pass "--max-memory-mb 1 with 2 threads is refused"
else
  fail "--max-memory-mb 1, 2 threads: exit $rc: $(cat "$work/out.txt")"
fi

# rw_grow: y[0] = memory.grow(x[0]); --fill zeros asks for 0 pages, which
# reports the size: 2 MiB = 32 pages, all of it (workspace takes the rest)
run runaway.so rw_grow --max-memory-mb 2 --threads 1
if [ "$rc" = 0 ] && grep -q "values=\[32, 0, 0, 0\]" "$work/out.txt"; then
  pass "--max-memory-mb 2: the memory is 32 pages"
else
  fail "--max-memory-mb 2: exit $rc: $(cat "$work/out.txt")"
fi

for bad in "--timeout-ms 0" "--timeout-ms x" "--max-memory-mb 0" "--max-memory-mb 5000"; do
  # shellcheck disable=SC2086
  run runaway.so rw_good $bad
  if [ "$rc" = 2 ]; then pass "usage error: $bad"; else fail "$bad: exit $rc"; fi
done

echo "interrupt_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
