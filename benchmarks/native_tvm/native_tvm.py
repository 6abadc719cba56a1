#!/usr/bin/python3
"""native_tvm.py — TVM's native build of a fixture model, for live comparisons.

    native_tvm.py prepare FIXTURE --cache DIR [--cpu CPU] [--no-verify] [--force]
    native_tvm.py time FIXTURE --so LIB.so [--warmup N] [--repeat N] [--check expected|native_x86]
                       [--output-dir DIR]
    native_tvm.py profile FIXTURE --so LIB.so [--repeat N]

`prepare` rebuilds the fixture's model from its recipe (recipes.py) and
  - builds it natively, `relay.build(mod, "llvm -mcpu=CPU")` with CPU the
    host's (`llvm_get_system_cpu()`) unless --cpu says otherwise, and exports
    the library into the cache;
  - proves the recipe (`verify`): builds it again for the fixture's own
    targets, `llvm -mtriple=wasm32-unknown-unknown` with and without
    `-mattr=+simd128` and the system-lib runtime, and compares graph.json and
    every param with the fixture's (wasm32-simd/ holds its own graph.json and
    params where the SIMD build differs, as for the int8 models);
  - writes the recipe's ONNX export into the cache when it made one, so ONNX
    Runtime can run the same model (resnet18).
  Everything is cached under DIR/<model>/<key>, where the key hashes the
  recipe code, TVM's version and the fixture's graph.json, graph.params and
  meta.json, so a changed fixture or recipe is rebuilt. Prints one JSON line.

`time` loads a library made by `prepare`, sets the fixture's inputs, runs
  --warmup untimed runs, then --repeat timed runs through TVM's
  time_evaluator (number=1: one run per sample), then --repeat more runs for
  the process's CPU time per run, and prints one JSON line with the median,
  minimum and every sample in ms, and cpu_ms. Threads: TVM_NUM_THREADS, as
  for any TVM program. --check compares the outputs first with the fixture's
  expected/ (fp32: TVM's own native build) or expected_native_x86.npy (int8:
  TVM's native x86 build, whose requantization rounds differently from the
  wasm build's) under meta.json's tolerances.

`profile` times each node of a library made by `prepare` with TVM's debug
  executor (each node run alone --repeat times after one whole run) and
  prints one JSON line with every node's kernel and median ms, in graph
  order (benchmarks/node_compare.py sets them beside wasmgraph's).

Run with Debian's /usr/bin/python3 and PYTHONPATH=<tvm>/python,
TOPHUB_LOCATION=NONE (benchmarks/native_live.sh sets both).
Exit status: 0 ok, 1 failure (or a --check mismatch), 2 usage error.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# Bump when the cached files' meaning changes.
CACHE_FORMAT = "1"


def fail(msg):
    print(f"native_tvm.py: {msg}", file=sys.stderr)
    sys.exit(1)


def model_name(fixture):
    return os.path.basename(os.path.normpath(fixture))


def read_meta(fixture):
    path = os.path.join(fixture, "meta.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")


def cache_key(fixture):
    import tvm

    h = hashlib.sha256()
    h.update(CACHE_FORMAT.encode())
    h.update(tvm.__version__.encode())
    for name in ("recipes.py",):
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    for name in ("graph.json", "graph.params", "meta.json"):
        path = os.path.join(fixture, name)
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:16]


def simd_files(fixture):
    """graph.json and graph.params of the fixture's SIMD build."""
    d = os.path.join(fixture, "wasm32-simd")
    if os.path.exists(os.path.join(d, "graph.json")):
        return os.path.join(d, "graph.json"), os.path.join(d, "graph.params")
    return os.path.join(fixture, "graph.json"), os.path.join(fixture, "graph.params")


def build(recipe, target, **kw):
    """relay.build of a private copy of the recipe's module: a build can
    rewrite the module it is given in place (TVM's copy-on-write when a node
    has one owner), and a QNN module legalized for x86 then builds into a
    different wasm32 graph. Each target must start from the recipe itself."""
    import tvm
    from tvm import relay

    mod = tvm.ir.load_json(tvm.ir.save_json(recipe.mod))
    with tvm.transform.PassContext(opt_level=3):
        return relay.build(mod, target=target, params=recipe.params or None, **kw)


# ---- verify: is the recipe the fixture's model? ---------------------------

def _structure(graph):
    """What must agree for two graphs to run the same kernels on the same
    shapes: every node's op and inputs, and every entry's shape and dtype."""
    nodes = [(n["op"], n.get("inputs")) for n in graph["nodes"]]
    return nodes, graph["attrs"]["shape"][1], graph["attrs"]["dltype"][1], graph["heads"]


def _kernel_names(graph):
    return [n["attrs"]["func_name"] for n in graph["nodes"] if n["op"] == "tvm_op"]


def compare_graph(mine, theirs):
    if mine == theirs:
        return "identical", None
    if _structure(mine) != _structure(theirs):
        a, b = _structure(mine), _structure(theirs)
        what = ["nodes", "shapes", "dtypes", "outputs"][next(i for i in range(4) if a[i] != b[i])]
        return "differs", f"{what} differ ({len(mine['nodes'])} against {len(theirs['nodes'])} nodes)"
    ka, kb = _kernel_names(mine), _kernel_names(theirs)
    named = sum(x == y for x, y in zip(ka, kb))
    return "same-structure", f"{named} of {len(kb)} kernel names and hashes agree"


def compare_params(mine, theirs):
    """mine, theirs: name -> numpy array."""
    if sorted(mine) != sorted(theirs):
        return "differs", f"names differ ({len(mine)} against {len(theirs)})"
    bad_shape = [k for k in theirs if mine[k].shape != theirs[k].shape or mine[k].dtype != theirs[k].dtype]
    if bad_shape:
        return "differs", f"{len(bad_shape)} params differ in shape or dtype"
    differ = [k for k in theirs if mine[k].tobytes() != theirs[k].tobytes()]
    if not differ:
        return "identical", f"{len(theirs)} params"
    return "same-shapes", f"{len(differ)} of {len(theirs)} params differ in value"


def verify_variant(recipe, fixture, variant, keep_dir=None):
    from tvm import relay

    target = "llvm -mtriple=wasm32-unknown-unknown" + (" -mattr=+simd128" if variant == "simd" else "")
    graph_path, params_path = simd_files(fixture) if variant == "simd" else (
        os.path.join(fixture, "graph.json"), os.path.join(fixture, "graph.params"))
    lib = build(recipe, target, runtime=relay.backend.Runtime("cpp", {"system-lib": True}))
    mine_graph = json.loads(lib.get_graph_json())
    with open(graph_path) as f:
        their_graph = json.load(f)
    with open(params_path, "rb") as f:
        theirs = {k: v.numpy() for k, v in relay.load_param_dict(f.read()).items()}
    mine = {k: v.numpy() for k, v in lib.get_params().items()}
    g, gwhy = compare_graph(mine_graph, their_graph)
    p, pwhy = compare_params(mine, theirs)
    res = {"target": target, "graph": g, "graph_detail": gwhy, "params": p, "params_detail": pwhy}
    if keep_dir and g != "identical":
        # Keep the recipe's graph next to the verdict, to see what differs.
        res["recipe_graph"] = os.path.join(keep_dir, f"recipe-{variant}-graph.json")
        with open(res["recipe_graph"], "w") as f:
            f.write(lib.get_graph_json())
    return res


def verdict(variants):
    """exact: graph.json and every param byte-identical in every build;
    same-kernels: identical graph.json (kernels, hashes), other weights;
    same-shapes: same nodes, edges, shapes and dtypes; differs: anything else."""
    gs = {v["graph"] for v in variants.values()}
    ps = {v["params"] for v in variants.values()}
    if gs == {"identical"} and ps == {"identical"}:
        return "exact"
    if gs == {"identical"} and "differs" not in ps:
        return "same-kernels"
    if "differs" not in gs and "differs" not in ps:
        return "same-shapes"
    return "differs"


# ---- prepare --------------------------------------------------------------

def host_mattr(cpu):
    """`-mattr` for the host: the features clang's -march=native detects (what
    wasmgraph's default build gets) that LLVM's model of `cpu` lacks, so the
    native build uses the whole CPU too. AMX is left out: its tiles need the
    process to ask the kernel for permission, which TVM's runtime does not.
    "" when clang is missing or there is nothing to add."""
    import subprocess

    import tvm
    from tvm.target import codegen

    try:
        out = subprocess.run(["clang", "-march=native", "-###", "-x", "c", "-c", os.devnull],
                             capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.SubprocessError):
        return ""
    words = [w.strip('"') for w in out.split()]
    host = {words[i + 1][1:] for i, w in enumerate(words[:-1])
            if w == "-target-feature" and words[i + 1].startswith("+")}
    implied = {str(f) for f in codegen.llvm_get_cpu_features(tvm.target.Target(f"llvm -mcpu={cpu}"))}
    extra = sorted(f for f in host - implied if not f.startswith("amx"))
    return ",".join("+" + f for f in extra)


def cmd_prepare(args):
    import tvm

    fixture = args.fixture
    name = model_name(fixture)
    cpu = args.cpu or tvm.target.codegen.llvm_get_system_cpu()
    mattr = "" if args.cpu else host_mattr(cpu)
    target = f"llvm -mcpu={cpu}" + (f" -mattr={mattr}" if mattr else "")
    d = os.path.abspath(os.path.join(args.cache, name, cache_key(fixture)))
    os.makedirs(d, exist_ok=True)
    # Builds under an older key (another recipe or fixture) are dead weight.
    for old in os.listdir(os.path.dirname(d)):
        if old != os.path.basename(d):
            shutil.rmtree(os.path.join(os.path.dirname(d), old), ignore_errors=True)
    # the host's build has its own files: its features are not the name's
    tag = f"{cpu}-host" if mattr else cpu
    so = os.path.join(d, f"native-{tag}.so")
    info_path = os.path.join(d, f"native-{tag}.json")
    verify_path = os.path.join(d, "verify.json")
    onnx_path = os.path.join(d, "model.onnx")
    need_build = args.force or not (os.path.exists(so) and os.path.exists(info_path))
    need_verify = args.verify and (args.force or not os.path.exists(verify_path))

    recipe = None
    if need_build or need_verify:
        import recipes  # noqa: E402  (HERE is on sys.path)

        t0 = time.monotonic()
        try:
            recipe = recipes.load(fixture)
        except recipes.NoRecipe as e:
            fail(str(e))
        recipe_s = time.monotonic() - t0
        if recipe.onnx_bytes:
            with open(onnx_path, "wb") as f:
                f.write(recipe.onnx_bytes)
    if need_build:
        t0 = time.monotonic()
        lib = build(recipe, target)
        tmp = so + ".tmp.so"
        lib.export_library(tmp)
        os.replace(tmp, so)
        info = {"target": target, "cpu": cpu + ("+host features" if mattr else ""),
                "tvm": tvm.__version__, "route": recipe.route,
                "notes": recipe.notes, "recipe_s": round(recipe_s, 2),
                "build_s": round(time.monotonic() - t0, 2)}
        with open(info_path, "w") as f:
            json.dump(info, f, indent=1)
    with open(info_path) as f:
        info = json.load(f)
    if need_verify:
        t0 = time.monotonic()
        variants = {v: verify_variant(recipe, fixture, v, keep_dir=d) for v in ("scalar", "simd")}
        ver = {"match": verdict(variants), "variants": variants, "seconds": round(time.monotonic() - t0, 2)}
        with open(verify_path, "w") as f:
            json.dump(ver, f, indent=1)
    ver = None
    if os.path.exists(verify_path):
        with open(verify_path) as f:
            ver = json.load(f)
    out = {"model": name, "so": so, "cached": not need_build, **info,
           "onnx": onnx_path if os.path.exists(onnx_path) else None, "verify": ver}
    print(json.dumps(out))


# ---- time -----------------------------------------------------------------

def compare_output(got, want, atol, rtol):
    """meta.json's rule: |got - want| <= atol + rtol * |want|; integers exact."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return False, f"got {got.dtype}{list(got.shape)}, want {want.dtype}{list(want.shape)}"
    if np.issubdtype(want.dtype, np.integer):
        n = int(np.count_nonzero(got != want))
        return n == 0, f"{n} elements differ"
    g, w = got.astype(np.float64), want.astype(np.float64)
    err = np.abs(g - w)
    bad = ~(err <= atol + rtol * np.abs(w))  # NaN counts as bad
    return not bad.any(), f"max abs err {float(np.nanmax(err)) if err.size else 0:.3g}, {int(bad.sum())} elements out"


def references(fixture, which, meta):
    if which == "expected":
        return [np.load(os.path.join(fixture, "expected", f"{i}.npy")) for i in range(len(meta["outputs"]))]
    if which == "native_x86":
        return [np.load(os.path.join(fixture, "expected_native_x86.npy"))]
    fail(f"--check {which}: want expected or native_x86")


def load_library(so):
    """A library made by `prepare`; fails with its file name otherwise."""
    import tvm

    # TVM raises ValueError, not TVMError, for a path that is not a file.
    if not os.path.isfile(so):
        fail(f"{so}: no such file")
    try:
        return tvm.runtime.load_module(so)
    except tvm.TVMError as e:
        fail(f"{so}: {str(e).splitlines()[-1]}")


def set_inputs(module, fixture, meta):
    """The fixture's inputs (inputs/<name>.npy) into a graph or debug executor."""
    for inp in meta["inputs"]:
        module.set_input(inp["name"], np.load(os.path.join(fixture, "inputs", inp["name"] + ".npy")))


def cmd_time(args):
    import tvm
    from tvm.contrib import graph_executor

    fixture = args.fixture
    meta = read_meta(fixture)
    dev = tvm.cpu()
    lib = load_library(args.so)
    m = graph_executor.GraphModule(lib["default"](dev))
    set_inputs(m, fixture, meta)
    for _ in range(max(args.warmup, 1)):
        m.run()
    outs = [m.get_output(i).numpy() for i in range(m.get_num_outputs())]
    check = None
    if args.check:
        refs = references(fixture, args.check, meta)
        results = [compare_output(outs[i], refs[i], meta["atol_by_output"][i], meta["rtol"])
                   for i in range(len(refs))]
        check = {"reference": args.check, "ok": all(ok for ok, _ in results),
                 "detail": "; ".join(f"output {i}: {why}" for i, (_, why) in enumerate(results))}
    if args.output_dir:
        os.makedirs(args.output_dir, exist_ok=True)
        for i, o in enumerate(outs):
            np.save(os.path.join(args.output_dir, f"output_{i}.npy"), o)
    times, cpu_ms = [], None
    if args.repeat:
        ev = m.module.time_evaluator("run", dev, number=1, repeat=args.repeat, min_repeat_ms=0)
        times = [t * 1e3 for t in ev().results]
        # CPU time per run, robust to other jobs on the cores: the process's
        # CPU time over as many runs again (with TVM_NUM_THREADS > 1 it
        # includes the pool's threads, spinning ones too).
        c0 = time.process_time()
        for _ in range(args.repeat):
            m.run()
        cpu_ms = (time.process_time() - c0) * 1e3 / args.repeat
    res = {"model": model_name(fixture), "engine": "native_tvm", "so": args.so,
           "threads": int(os.environ.get("TVM_NUM_THREADS", "0")) or None,
           "runs": len(times), "warmup": args.warmup,
           "median_ms": float(np.median(times)) if times else None,
           "min_ms": min(times) if times else None, "times_ms": [round(t, 4) for t in times],
           "cpu_ms": cpu_ms}
    if check:
        res["check"] = check
    print(json.dumps(res))
    if check and not check["ok"]:
        print(f"native_tvm.py: {fixture}: outputs differ from {args.check}: {check['detail']}", file=sys.stderr)
        sys.exit(1)


def cmd_profile(args):
    """Per node, as TVM's debug executor times them: each node run alone
    --repeat times after one whole run, the median, in graph order."""
    import tempfile

    import tvm
    from tvm.contrib.debugger import debug_executor

    dev = tvm.cpu()
    lib = load_library(args.so)
    graph = lib["get_graph_json"]()
    with tempfile.TemporaryDirectory() as dump:
        m = debug_executor.GraphModuleDebug(lib["debug_create"]("default", dev), [dev], graph, dump)
        set_inputs(m, args.fixture, read_meta(args.fixture))
        m.run()
        times = m.run_individual(number=1, repeat=args.repeat, min_repeat_ms=0)
    nodes = [{"node": i, "kernel": nd["attrs"]["func_name"], "ms": round(float(np.median(t)) * 1e3, 4)}
             for i, (nd, t) in enumerate(zip(json.loads(graph)["nodes"], times)) if nd["op"] == "tvm_op"]
    print(json.dumps({"model": model_name(args.fixture), "engine": "native_tvm", "so": args.so,
                      "runs": args.repeat, "nodes": nodes}))


def main():
    sys.path.insert(0, HERE)
    ap = argparse.ArgumentParser(prog="native_tvm.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="build (cached) and verify the native library of a fixture")
    p.add_argument("fixture")
    p.add_argument("--cache", required=True, help="cache directory")
    p.add_argument("--cpu", help="LLVM CPU for the native build (default: this host's)")
    p.add_argument("--no-verify", dest="verify", action="store_false", help="skip the wasm32 rebuild check")
    p.add_argument("--force", action="store_true", help="rebuild and re-verify even when cached")
    t = sub.add_parser("time", help="time a native library on the fixture's inputs")
    t.add_argument("fixture")
    t.add_argument("--so", required=True)
    t.add_argument("--warmup", type=int, default=1)
    t.add_argument("--repeat", type=int, default=7)
    t.add_argument("--check", help="expected | native_x86: compare outputs first")
    t.add_argument("--output-dir")
    f = sub.add_parser("profile", help="time each node of a native library (TVM's debug executor)")
    f.add_argument("fixture")
    f.add_argument("--so", required=True)
    f.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    if not os.path.isdir(args.fixture):
        fail(f"{args.fixture}: not a fixture folder")
    if args.cmd == "prepare":
        cmd_prepare(args)
    elif args.cmd == "profile":
        if args.repeat < 1:
            ap.error("--repeat must be >= 1")
        cmd_profile(args)
    else:
        if args.repeat < 0 or args.warmup < 0:
            ap.error("--repeat and --warmup must be >= 0")
        cmd_time(args)


if __name__ == "__main__":
    main()
