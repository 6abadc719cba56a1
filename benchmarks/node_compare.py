#!/usr/bin/python3
"""node_compare.py — wasmgraph's time per graph node beside TVM's native build's.

    node_compare.py FIXTURE --so OURS.so --native-so NATIVE.so [--wasmgraph CLI]
                    [--rounds R] [--repeat N] [--top K]

Where a model's gap to native TVM lives: in interleaved rounds, `wasmgraph
run --profile --json` times every node of OURS.so (made by `wasmgraph
compile`) and `native_tvm.py profile` every node of NATIVE.so (made by
`native_tvm.py prepare` or benchmarks/native_live.sh, in its cache), both at
1 thread on the fixture's inputs. Prints a markdown table of the K slowest
nodes by our time, each with the median over rounds of both sides and their
ratio, and the sums. Nodes are paired in run order, which is graph order on
both sides; when the two graphs have different node counts the table says
so and gives no ratios. Native TVM times a node alone, repeatedly (its
inputs stay in cache); wasmgraph times it inside whole runs, so small nodes
look relatively slower here than they cost.

TVM comes from ../shared/tvm (or $TVM_HOME) under Debian's /usr/bin/python3.
Exit status: 0 ok, 1 a run failed, 2 usage error.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def fail(msg):
    # named after the script that runs (node_ab.py shares these helpers)
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(1)


def read_meta(fixture):
    try:
        with open(os.path.join(fixture, "meta.json")) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{fixture}: no readable meta.json ({e})")


def ours_command(wasmgraph, so, fixture, meta, repeat):
    """`wasmgraph run --profile --json` of SO on the fixture's inputs, 1 thread."""
    cmd = [wasmgraph, "run", so, "--threads", "1", "--repeat", str(repeat), "-q", "--json",
           "--profile"]
    for inp in meta["inputs"]:
        cmd += ["-i", f"{inp['name']}={os.path.join(fixture, 'inputs', inp['name'] + '.npy')}"]
    return cmd


def run_json(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
    try:  # wasmgraph prints one (indented) document; native_tvm.py a last line
        return json.loads(p.stdout)
    except ValueError:
        try:
            return json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            fail(f"{' '.join(cmd)}: no JSON on stdout")


def main():
    ap = argparse.ArgumentParser(prog="node_compare.py", description=__doc__.split("\n")[0])
    ap.add_argument("fixture")
    ap.add_argument("--so", required=True, help="wasmgraph's compiled model (.so)")
    ap.add_argument("--native-so", required=True, help="native TVM's library (native_tvm.py prepare)")
    ap.add_argument("--wasmgraph", default=os.path.join(REPO, "build", "tools", "wasmgraph"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    if a.rounds < 1 or a.repeat < 1 or a.top < 1:
        ap.error("--rounds, --repeat and --top must be >= 1")
    meta = read_meta(a.fixture)
    env = dict(os.environ, TVM_NUM_THREADS="1", TOPHUB_LOCATION="NONE")
    tvm_python = os.path.join(os.environ.get("TVM_HOME", os.path.join(REPO, "..", "shared", "tvm")), "python")
    env["PYTHONPATH"] = tvm_python + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    ours_cmd = ours_command(a.wasmgraph, a.so, a.fixture, meta, a.repeat)
    native_cmd = ["/usr/bin/python3", os.path.join(HERE, "native_tvm", "native_tvm.py"), "profile",
                  a.fixture, "--so", a.native_so, "--repeat", str(a.repeat)]
    ours, native = [], []
    for _ in range(a.rounds):  # interleaved: the machine's drift hits both sides alike
        ours.append([(n["kernel"], n["ms_per_run"]) for n in run_json(ours_cmd, env)["profile"]])
        native.append([(n["kernel"], n["ms"]) for n in run_json(native_cmd, env)["nodes"]])
    o = [statistics.median(r[i][1] for r in ours) for i in range(len(ours[0]))]
    n = [statistics.median(r[i][1] for r in native) for i in range(len(native[0]))]
    kernels = [k for k, _ in ours[0]]
    paired = len(o) == len(n)
    print(f"{os.path.basename(os.path.normpath(a.fixture))}: {a.rounds} interleaved rounds x {a.repeat} "
          f"runs, 1 thread, median ms per node; ours {a.so}, native {a.native_so}")
    if not paired:
        print(f"(the graphs differ: {len(o)} nodes here, {len(n)} in native's; no per-node ratios)")
    print()
    print("| run order | kernel | wasmgraph ms | native ms | ratio |")
    print("|---|---|---|---|---|")
    for i in sorted(range(len(o)), key=lambda i: -o[i])[:a.top]:
        nat = f"{n[i]:.3f}" if paired else "—"
        ratio = f"{o[i] / n[i]:.2f}x" if paired and n[i] > 0 else "—"
        print(f"| {i} | {kernels[i]} | {o[i]:.3f} | {nat} | {ratio} |")
    total = f"{sum(o) / sum(n):.2f}x" if sum(n) > 0 else "—"
    print(f"| | sum of nodes | {sum(o):.2f} | {sum(n):.2f} | {total} |")


if __name__ == "__main__":
    main()
