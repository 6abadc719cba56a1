#!/usr/bin/python3
"""node_ab.py — two or more wasmgraph builds of one model, timed node by node.

    node_ab.py FIXTURE A.so B.so [C.so ...] [--wasmgraph CLI] [--rounds R]
               [--repeat N] [--top K]

For a change to the compiler that touches some kernels and not others: in
interleaved rounds (A B C A B C ...), `wasmgraph run --profile --json` times
every node of each build at 1 thread on the fixture's inputs. Prints a
markdown table of the K slowest nodes of A, each with every build's median
over rounds and its ratio to A, and the sums of nodes. The builds must come
from the same graph (same nodes in the same order); otherwise it fails.
A whole-model A/B by CPU time is benchmarks/cpu_ab.sh; against native TVM,
node by node, benchmarks/node_compare.py.

Exit status: 0 ok, 1 a run failed or the graphs differ, 2 usage error.
"""

import argparse
import os
import statistics

from node_compare import REPO, fail, ours_command, read_meta, run_json


def main():
    ap = argparse.ArgumentParser(prog="node_ab.py", description=__doc__.split("\n")[0])
    ap.add_argument("fixture")
    ap.add_argument("builds", nargs="+", metavar="X.so",
                    help="compiled models; the first is the base")
    ap.add_argument("--wasmgraph", default=os.path.join(REPO, "build", "tools", "wasmgraph"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--top", type=int, default=20)
    a = ap.parse_args()
    if len(a.builds) < 2:
        ap.error("give at least two builds")
    if a.rounds < 1 or a.repeat < 1 or a.top < 1:
        ap.error("--rounds, --repeat and --top must be >= 1")
    meta = read_meta(a.fixture)
    for so in a.builds:
        if not os.path.isfile(so):
            fail(f"{so}: no such file")
    cmds = [ours_command(a.wasmgraph, so, a.fixture, meta, a.repeat) for so in a.builds]
    times = [[] for _ in a.builds]  # per build, per round: [(kernel, ms)]
    for _ in range(a.rounds):  # interleaved: the machine's drift hits every build alike
        for b, cmd in enumerate(cmds):
            profile = run_json(cmd, os.environ)["profile"]
            times[b].append([(n["kernel"], n["ms_per_run"]) for n in profile])
    kernels = [k for k, _ in times[0][0]]
    for b, so in enumerate(a.builds):
        if [k for k, _ in times[b][0]] != kernels:
            fail(f"{so}: its graph's nodes differ from {a.builds[0]}'s")
    med = [[statistics.median(r[i][1] for r in times[b]) for i in range(len(kernels))]
           for b in range(len(a.builds))]
    names = [os.path.basename(so) for so in a.builds]
    model = os.path.basename(os.path.normpath(a.fixture))
    print(f"{model}: {a.rounds} interleaved rounds x {a.repeat} runs, 1 thread, "
          f"median ms per node; ratios to {names[0]}")
    print()
    print("| run order | kernel | " + " | ".join(f"{n} ms" for n in names) + " | " +
          " | ".join(f"{n} / {names[0]}" for n in names[1:]) + " |")
    print("|---|---|" + "---|" * (2 * len(names) - 1))
    def ratio(x, base):
        return f"{x / base:.3f}x" if base > 0 else "—"
    for i in sorted(range(len(kernels)), key=lambda i: -med[0][i])[:a.top]:
        print(f"| {i} | {kernels[i]} | " + " | ".join(f"{m[i]:.3f}" for m in med) + " | " +
              " | ".join(ratio(m[i], med[0][i]) for m in med[1:]) + " |")
    sums = [sum(m) for m in med]
    print("| | sum of nodes | " + " | ".join(f"{s:.2f}" for s in sums) + " | " +
          " | ".join(ratio(s, sums[0]) for s in sums[1:]) + " |")


if __name__ == "__main__":
    main()
