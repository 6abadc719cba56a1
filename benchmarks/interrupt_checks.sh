#!/usr/bin/env bash
# interrupt_checks.sh — what the interrupt checks cost (issue 15): every CNN
# fixture, scalar (wasm32) and SIMD128 (wasm32-simd), compiled twice, with
# the checks and with `--disable-pass=interrupt-checks` (no check at all),
# then timed in one process by interrupt_checks_pair.c: 1 thread, the two
# builds alternating run by run (A B, B A, ...), the thread's CPU time and
# the wall time of every run. On a machine shared with other work the CPU
# time is the measure to trust: it leaves out the time the thread waited for
# a core, which moves wall times by tens of percent from one second to the
# next; alternating runs see the same cache and frequency conditions.
#
# Per model it prints the check counts (`compile -v`), the median CPU time of
# each build and the cost, (with / without - 1), from the medians and from
# the 10th percentiles, and the wall-time cost for reference. The two builds
# must give byte-identical outputs, or the script stops.
#
# usage: benchmarks/interrupt_checks.sh BUILD_DIR FIXTURES_DIR [RUNS] [MODEL[:VARIANT]...]
#   BUILD_DIR: a wasmgraph build (tools/wasmgraph, runtime/libwasmgraph.a)
#   default: 100 runs of each build; squeezenet1_1 mobilenet_v2 resnet18
#   squeezenet1_1_int8 mobilenet_v2_qnn, wasm32 and wasm32-simd.
# JSON lines go to $JSON_OUT if set. Needs cc and python3.
set -eu
build=$1 fixtures=$2 runs=${3:-100}
shift $(($# >= 3 ? 3 : $#))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for m in squeezenet1_1 mobilenet_v2 resnet18 squeezenet1_1_int8 mobilenet_v2_qnn; do
    targets+=("$m:wasm32" "$m:wasm32-simd")
  done
fi
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
wg=$build/tools/wasmgraph
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the timing harness, linked with the build's runtime (models bind to it)
cc -O2 -I"$src/include" -I"$src/tools" "$here/interrupt_checks_pair.c" "$src/tools/npy.c" \
  -o "$work/pair" -Wl,--whole-archive "$build/runtime/libwasmgraph.a" -Wl,--no-whole-archive \
  -ljson-c -lpthread -ldl -lm -rdynamic

printf '| model | build | checks: back edges (covered) / bounded nests (entry edges) / function entries / after imports | CPU ms with | CPU ms without | cost (median) | cost (p10) | cost (wall median) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for t in "${targets[@]}"; do
  m=${t%%:*} v=${t#*:}
  [ "$v" != "$t" ] || v=wasm32
  f=$fixtures/$m
  [ -f "$f/$v/graph.o" ] || { echo "skip $m $v: no $f/$v/graph.o" >&2; continue; }
  a=$work/${m}_$v.so b=$work/${m}_${v}_nochk.so
  "$wg" compile "$f/$v/graph.o" -o "$a" -v 2>"$work/log.txt" >/dev/null
  "$wg" compile "$f/$v/graph.o" -o "$b" --disable-pass=interrupt-checks >/dev/null
  "$work/pair" "$a" "$b" "$f" "$runs" >"$work/pair.json"
  python3 - "$m" "$v" "$work/log.txt" "$work/pair.json" <<'PY'
import json, os, re, sys
m, v, log, res = sys.argv[1:5]
text = open(log).read()
c = re.search(r"interrupt checks: (\d+) function entries, \d+ loop labels, (\d+) host import returns", text)
l = re.search(r"interrupt checks: (\d+) back edges \((\d+) more covered by other checks\), "
              r"(\d+) bounded loop nests checked on entry \((\d+) entry edges", text)
counts = (f"{l.group(1)} ({l.group(2)}) / {l.group(3)} ({l.group(4)}) / {c.group(1)} / {c.group(2)}"
          if c and l else "?")
r = json.load(open(res))
pct = lambda x: f"{100.0 * (x - 1.0):+.1f}%"
print(f"| {m} | {v} | {counts} | {r['cpu_median_ms'][0]:.2f} | {r['cpu_median_ms'][1]:.2f} | "
      f"{pct(r['cpu_median_ratio'])} | {pct(r['cpu_p10_ratio'])} | {pct(r['wall_median_ratio'])} |")
out = os.environ.get("JSON_OUT")
if out:
    r.update(model=m, variant=v, checks=counts)
    with open(out, "a") as fh:
        fh.write(json.dumps(r) + "\n")
PY
done
