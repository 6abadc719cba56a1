#!/usr/bin/python3
"""native_live.py — wasmgraph against TVM's native build of the same model,
timed live, interleaved, on the machine at hand.

The figures in the fixtures' meta.json were recorded on other CPUs, so a
ratio against them says little. This driver times, in one run and in
alternating rounds so that every engine sees the same machine conditions:

  - wasmgraph's translation of the fixture's scalar (wasm32/graph.o) and
    SIMD128 (wasm32-simd/graph.o) builds, for one or more wasmgraph
    configurations (a CLI plus extra `wasmgraph compile` arguments and
    environment, e.g. to A/B two builds or an opt-in flag);
  - TVM 0.14's native build of the same model (native_tvm/native_tvm.py,
    rebuilt from a recipe that is proven against the fixture's graph.json
    and params, for `llvm -mcpu=<this host> -mattr=<its features beyond
    the name>`, cached);
  - ONNX Runtime (benchmarks/onnx_host) where an ONNX file of the same model
    exists (the fixture's model.onnx, or the recipe's own export).

Every engine's outputs are checked once before it is timed, so a broken
build is never timed as fast. Then for each model, R rounds; in each round
each engine does 1 warm-up and N timed runs in a fresh process and reports
its median. The table keeps each engine's lowest round median (the machine's
speed drifts by up to 2x from minute to minute; the lowest median is the
least disturbed one) and the ratios SIMD/native, scalar/SIMD, ORT/native.
Prints Markdown and writes JSON (CPU, flags, load, date, commit, commands).

Usually run through benchmarks/native_live.sh, which sets up TVM's Python
path; `benchmarks/native_live.sh --help` lists the options.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NATIVE_TVM = os.path.join(HERE, "native_tvm", "native_tvm.py")
RUN_ONNX = os.path.join(HERE, "onnx_host", "run_onnx.mjs")
CPU_FLAGS = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "amx_int8"]
# The order: fp32 CNNs, int8 CNNs, then the tiny models.
# wall: median wall time of the timed runs; cpu: CPU time per run (see
# WasmgraphEngine.time and native_tvm.py), robust to other jobs on the cores.
CLOCKS = ("wall", "cpu")
MIN_CPU_MS = 50.0      # wasmgraph: least CPU time of N runs for a CPU figure
MIN_RUN_CPU_MS = 1.0   # native TVM, ONNX Runtime: least CPU time of one run
PREFERRED_ORDER = ["squeezenet1_1", "mobilenet_v2", "resnet18", "squeezenet1_1_int8", "mobilenet_v2_qnn",
                   "lenet", "mlp", "multi_io"]


class Failure(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, env=None, timeout=1800, cwd=None):
    """Runs cmd (a list); returns (returncode, stdout, stderr)."""
    rc, out, err, _ = run_cpu(cmd, env, timeout, cwd)
    return rc, out, err


def run_cpu(cmd, env=None, timeout=1800, cwd=None):
    """run() that also returns the child's CPU time (user + system) in ms."""
    full_env = dict(os.environ, **(env or {}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s", None
    except OSError as e:
        return 127, "", str(e), None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1e3
    return p.returncode, p.stdout, p.stderr, cpu


def last_line_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def short_err(stderr, rc):
    lines = [l for l in stderr.strip().splitlines() if l.strip() and "Warning" not in l]
    return (lines[-1] if lines else f"exit {rc}")[:300]


# ---- machine and context --------------------------------------------------

def cpu_info():
    model, flags = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k == "model name":
                    model = v.strip()
                elif k == "flags":
                    flags = set(v.split())
                if model != "unknown" and flags:
                    break
    except OSError:
        pass
    rc, out, _ = run(["lscpu"])
    if rc == 0:
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name":
                model = v.strip()
            elif k.strip() == "Flags":
                flags = set(v.split())
    return {"model_name": model, "flags": {f: f in flags for f in CPU_FLAGS}, "cores": os.cpu_count(),
            "vendor": "AMD" if "AMD" in model.upper() else "Intel" if "INTEL" in model.upper() else "other"}


def git_commit():
    rc, out, _ = run(["git", "-C", REPO, "describe", "--always", "--dirty", "--abbrev=12"])
    return out.strip() if rc == 0 else None


def cli_source(cli):
    """The source tree and commit a CLI was built from, read from its build
    folder's CMakeCache.txt (the CLI is often not built from this checkout)."""
    cache = os.path.join(os.path.dirname(os.path.dirname(cli)), "CMakeCache.txt")
    try:
        with open(cache) as f:
            src = next((l.split("=", 1)[1].strip() for l in f if l.startswith("CMAKE_HOME_DIRECTORY")), None)
    except OSError:
        return None, None
    if not src:
        return None, None
    rc, out, _ = run(["git", "-C", src, "describe", "--always", "--dirty", "--abbrev=12"])
    return src, out.strip() if rc == 0 else None


def load_avg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---- engines --------------------------------------------------------------

class Config:
    """A wasmgraph configuration: CLI, extra compile arguments, environment."""

    def __init__(self, label, cli, compile_args=(), env=None):
        self.label, self.cli, self.compile_args, self.env = label, cli, list(compile_args), dict(env or {})

    @staticmethod
    def parse(spec):
        """LABEL=[VAR=VAL ...] CLI [compile args...]"""
        label, eq, rest = spec.partition("=")
        if not eq or not label or not rest.strip():
            raise argparse.ArgumentTypeError(f"--config {spec!r}: want LABEL=[VAR=VAL ...] CLI [compile args]")
        words = shlex.split(rest)
        env = {}
        while words and "=" in words[0] and not words[0].startswith("-") and "/" not in words[0].split("=")[0]:
            k, _, v = words.pop(0).partition("=")
            env[k] = v
        if not words:
            raise argparse.ArgumentTypeError(f"--config {spec!r}: no wasmgraph CLI given")
        return Config(label, os.path.abspath(words[0]), words[1:], env)

    def describe(self):
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        return " ".join(x for x in [env, self.cli, *map(shlex.quote, self.compile_args)] if x)


def wasmgraph_inputs(fixture, meta):
    args = []
    for inp in meta["inputs"]:
        args += ["-i", f"{inp['name']}={os.path.join(fixture, 'inputs', inp['name'] + '.npy')}"]
    return args


def compile_cmd(cfg, fixture, variant, out):
    if variant == "scalar":
        src = [fixture]                           # the folder: wasm32/graph.o, graph.json, graph.params
    else:
        simd = os.path.join(fixture, "wasm32-simd")
        if os.path.exists(os.path.join(simd, "graph.json")):
            src = [simd]                          # the int8 SIMD builds carry their own graph and params
        else:
            src = [os.path.join(simd, "graph.o"), "--embed", os.path.join(fixture, "graph.json"),
                   os.path.join(fixture, "graph.params")]
    return [cfg.cli, "compile", *src, "-o", out, *cfg.compile_args]


def compare_output(got, want, atol, rtol):
    if got.shape != want.shape or got.dtype != want.dtype:
        return False, f"got {got.dtype}{list(got.shape)}, want {want.dtype}{list(want.shape)}"
    if np.issubdtype(want.dtype, np.integer):
        n = int(np.count_nonzero(got != want))
        return n == 0, f"{n} elements differ"
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bad = ~(err <= atol + rtol * np.abs(want.astype(np.float64)))
    return not bad.any(), f"max abs err {float(np.nanmax(err)) if err.size else 0:.3g}, {int(bad.sum())} out of tolerance"


def check_outputs(outdir, fixture, meta):
    msgs, ok = [], True
    for i in range(len(meta["outputs"])):
        got_path = os.path.join(outdir, f"output_{i}.npy")
        if not os.path.exists(got_path):
            return False, f"output {i} missing"
        good, why = compare_output(np.load(got_path), np.load(os.path.join(fixture, "expected", f"{i}.npy")),
                                   meta["atol_by_output"][i], meta["rtol"])
        ok &= good
        msgs.append(f"output {i}: {why}")
    return ok, "; ".join(msgs)


class Engine:
    """One column: prepare() once (build and check), then time(threads)."""
    key = label = None
    error = None       # set when prepare failed: the engine is not timed
    check = None       # what the output check said

    def env(self, threads):
        return {}

    def summary(self):
        return {"label": self.label, "error": self.error, "check": self.check}


class WasmgraphEngine(Engine):
    def __init__(self, cfg, variant, fixture, meta, work):
        self.cfg, self.variant, self.fixture, self.meta = cfg, variant, fixture, meta
        self.key = f"{cfg.label}:{variant}"
        self.label = f"{cfg.label} {'SIMD' if variant == 'simd' else 'scalar'}"
        self.so = os.path.join(work, cfg.label, f"{os.path.basename(fixture)}.{variant}.so")
        self.compile_s = None

    def prepare(self):
        os.makedirs(os.path.dirname(self.so), exist_ok=True)
        cmd = compile_cmd(self.cfg, self.fixture, self.variant, self.so)
        t0 = time.monotonic()
        rc, _, err = run(cmd, env=self.cfg.env)
        self.compile_s = round(time.monotonic() - t0, 1)
        if rc != 0:
            raise Failure(f"compile: {short_err(err, rc)}")
        outdir = self.so + ".out"
        rc, _, err = run([self.cfg.cli, "run", self.so, *wasmgraph_inputs(self.fixture, self.meta),
                          "-t", "1", "-q", "-o", outdir], env=self.cfg.env)
        if rc != 0:
            raise Failure(f"run: {short_err(err, rc)}")
        ok, why = check_outputs(outdir, self.fixture, self.meta)
        shutil.rmtree(outdir, ignore_errors=True)
        self.check = why
        if not ok:
            raise Failure(f"outputs differ from expected/: {why}")

    def command(self, threads, repeat):
        return [self.cfg.cli, "run", self.so, *wasmgraph_inputs(self.fixture, self.meta),
                "-t", str(threads), "-r", str(repeat), "-q", "--json"]

    def time(self, threads, repeat):
        """Wall: the median of the timed runs. CPU: the CPU time of `-r 1` and
        of `-r 1+N` in two processes; their difference over N is the CPU time
        of a run with loading, params and warm-up cancelled out (as
        benchmarks/cpu_ab.sh does)."""
        rc, out, err, cpu_long = run_cpu(self.command(threads, repeat + 1), env=self.env(threads))
        if rc != 0:
            raise Failure(short_err(err, rc))
        wall = json.loads(out)["median_ms"]
        rc, _, err, cpu_short = run_cpu(self.command(threads, 1), env=self.env(threads))
        if rc != 0:
            raise Failure(short_err(err, rc))
        diff = cpu_long - cpu_short
        # Setup varies by a few ms between processes: below MIN_CPU_MS of
        # runs the difference is noise (the tiny models), so no CPU figure.
        return {"wall": wall, "cpu": diff / repeat if diff >= MIN_CPU_MS else None}

    def env(self, threads):
        return self.cfg.env

    def summary(self):
        return {**super().summary(), "compile_command": " ".join(
            map(shlex.quote, compile_cmd(self.cfg, self.fixture, self.variant, self.so))),
            "compile_s": self.compile_s, "env": self.cfg.env}


class NativeEngine(Engine):
    def __init__(self, cpu, fixture, meta, cache, verify):
        self.cpu, self.fixture, self.meta, self.cache, self.verify = cpu, fixture, meta, cache, verify
        self.key = f"native:{cpu or 'host'}"
        self.label = "native TVM" if cpu is None else f"native TVM ({cpu})"
        self.info = None

    def prepare(self):
        cmd = [sys.executable, NATIVE_TVM, "prepare", self.fixture, "--cache", self.cache]
        if self.cpu:
            cmd += ["--cpu", self.cpu]
        if not self.verify:
            cmd += ["--no-verify"]
        rc, out, err = run(cmd, timeout=3600)
        self.info = last_line_json(out)
        if rc != 0 or not self.info:
            raise Failure(f"native build: {short_err(err, rc)}")
        if self.cpu is None:
            self.label = f"native TVM ({self.info['cpu']})"
        match = (self.info.get("verify") or {}).get("match")
        outdir = tempfile.mkdtemp(prefix="native-check-")
        try:
            rc, out, err = run([sys.executable, NATIVE_TVM, "time", self.fixture, "--so", self.info["so"],
                                "--repeat", "0", "--output-dir", outdir], env={"TVM_NUM_THREADS": "1"})
            if rc != 0:
                raise Failure(f"native run: {short_err(err, rc)}")
            outs = [np.load(os.path.join(outdir, f"output_{i}.npy")) for i in range(len(self.meta["outputs"]))]
        finally:
            shutil.rmtree(outdir, ignore_errors=True)
        self.check, ok = self.compare(outs)
        if not ok:
            if match == "exact":
                # Same model, same weights, and still wrong: the build is broken.
                raise Failure(f"native outputs wrong: {self.check}")
            self.check += f" (not comparable: recipe match is {match})"

    def compare(self, outs):
        """fp32: expected/ is TVM's native build of the same module, so the
        rule is meta.json's tolerance. int8: expected/ is the wasm build's
        result, and TVM's native build requantizes with its own rounding
        (expected_native_x86.npy is one such build, on another CPU), so the
        outputs may differ by an output quantum here and there; the check is
        then the top-1 class, and both differences are reported."""
        m = self.meta
        x86 = os.path.join(self.fixture, "expected_native_x86.npy")
        want = [np.load(os.path.join(self.fixture, "expected", f"{i}.npy")) for i in range(len(m["outputs"]))]
        if not os.path.exists(x86):
            res = [compare_output(outs[i], want[i], m["atol_by_output"][i], m["rtol"]) for i in range(len(want))]
            return "; ".join(f"output {i}: {why}" for i, (_, why) in enumerate(res)), all(ok for ok, _ in res)
        ok_x86, why_x86 = compare_output(outs[0], np.load(x86), m["atol_by_output"][0], m["rtol"])
        _, why_wasm = compare_output(outs[0], want[0], m["atol_by_output"][0], m["rtol"])
        top1 = outs[0].shape == want[0].shape and int(outs[0].argmax()) == int(want[0].argmax())
        return (f"against expected_native_x86: {why_x86}; against the wasm result: {why_wasm}; "
                f"top-1 {'agrees' if top1 else 'DIFFERS'}"), ok_x86 or top1

    def env(self, threads):
        return {"TVM_NUM_THREADS": str(threads)}

    def command(self, threads, repeat):
        return [sys.executable, NATIVE_TVM, "time", self.fixture, "--so", self.info["so"], "--repeat", str(repeat)]

    def time(self, threads, repeat):
        rc, out, err = run(self.command(threads, repeat), env=self.env(threads))
        res = last_line_json(out)
        if rc != 0 or res is None:
            raise Failure(short_err(err, rc))
        cpu = res["cpu_ms"]
        # Below MIN_RUN_CPU_MS a run, the Python call around it is a visible part.
        return {"wall": res["median_ms"], "cpu": cpu if cpu >= MIN_RUN_CPU_MS else None}

    def summary(self):
        s = super().summary()
        if self.info:
            s.update({k: self.info.get(k) for k in ("target", "cpu", "route", "notes", "build_s", "cached", "so")})
            s["verify"] = self.info.get("verify")
        return s


class OrtEngine(Engine):
    key, label = "ort", "ONNX Runtime"

    def __init__(self, fixture, onnx_path, source):
        self.fixture, self.onnx, self.source = fixture, onnx_path, source

    def prepare(self):
        rc, out, err = run(["node", RUN_ONNX, "--onnx", self.onnx, "--fixture", self.fixture, "--check",
                            "--warmup", "0", "--repeat", "1"])
        if rc == 77:
            raise Failure("onnxruntime-node not installed (npm ci in benchmarks/onnx_host)")
        res = last_line_json(out)
        if rc != 0 or res is None:
            raise Failure(f"ONNX Runtime: {short_err(err, rc)}")
        self.check = f"expected: {res.get('check')}"
        self.version = res.get("onnxruntime")

    def command(self, threads, repeat):
        return ["node", RUN_ONNX, "--onnx", self.onnx, "--fixture", self.fixture, "--warmup", "1",
                "--repeat", str(repeat), "--threads", str(threads)]

    def time(self, threads, repeat):
        rc, out, err = run(self.command(threads, repeat))
        res = last_line_json(out)
        if rc != 0 or res is None:
            raise Failure(short_err(err, rc))
        cpu = res["cpu_median_ms"]
        # Below MIN_RUN_CPU_MS a run, N-API's hop to ORT's worker is a visible part.
        return {"wall": res["median_ms"], "cpu": cpu if cpu >= MIN_RUN_CPU_MS else None}

    def summary(self):
        return {**super().summary(), "onnx": self.onnx, "onnx_source": self.source,
                "version": getattr(self, "version", None)}


# ---- the run --------------------------------------------------------------

def find_models(fixtures, only):
    if not os.path.isdir(fixtures):
        raise Failure(f"{fixtures}: no fixtures folder (set --fixtures)")
    found = sorted(d for d in os.listdir(fixtures) if os.path.exists(os.path.join(fixtures, d, "meta.json")))
    if only:
        missing = [m for m in only if m not in found]
        if missing:
            raise Failure(f"{fixtures}: no fixture {', '.join(missing)} (have: {', '.join(found)})")
        return only
    return sorted(found, key=lambda m: (PREFERRED_ORDER.index(m) if m in PREFERRED_ORDER else 99, m))


def prepare_model(args, model, configs, work):
    fixture = os.path.join(args.fixtures, model)
    with open(os.path.join(fixture, "meta.json")) as f:
        meta = json.load(f)
    engines = [WasmgraphEngine(c, v, fixture, meta, work) for c in configs for v in args.variants]
    natives = [] if args.no_native else [NativeEngine(c, fixture, meta, args.cache, not args.no_verify)
                                         for c in args.native_cpu]
    engines += natives
    for e in engines:
        t0 = time.monotonic()
        try:
            e.prepare()
            log(f"  {model}: {e.label}: ready ({time.monotonic() - t0:.0f} s; {e.check})")
        except Failure as ex:
            e.error = str(ex)
            log(f"  {model}: {e.label}: FAILED: {e.error}")
    if not args.no_ort:
        onnx_path, source = os.path.join(fixture, "model.onnx"), "fixture"
        if not os.path.exists(onnx_path):
            # The recipe's own ONNX export is the same model only if the
            # recipe was proven to be (weights included).
            n = natives[0] if natives and natives[0].info else None
            onnx_path, source = None, None
            if n and n.info.get("onnx") and (n.info.get("verify") or {}).get("match") == "exact":
                onnx_path, source = n.info["onnx"], "recipe export (verified exact)"
        if onnx_path:
            e = OrtEngine(fixture, onnx_path, source)
            try:
                e.prepare()
                log(f"  {model}: {e.label}: ready ({e.check})")
            except Failure as ex:
                e.error = str(ex)
                log(f"  {model}: {e.label}: FAILED: {e.error}")
            engines.append(e)
    return meta, engines


def time_model(args, model, engines):
    """R rounds; in each, every engine at every thread count, in order."""
    res = {t: {e.key: [] for e in engines} for t in args.threads}
    for r in range(1, args.rounds + 1):
        for t in args.threads:
            parts = []
            for e in engines:
                if e.error:
                    continue
                try:
                    ms = e.time(t, args.repeat)
                    res[t][e.key].append(ms)
                    parts.append(f"{e.label} {fmt(ms['wall'])} ({fmt(ms['cpu'])} CPU)")
                except Failure as ex:
                    e.error = f"timing failed: {ex}"
                    parts.append(f"{e.label} FAILED")
            log(f"  {model} round {r} ({t}T): " + ", ".join(parts))
    return res


def command_line(engine, threads, repeat):
    env = engine.env(threads)
    return " ".join([f"{k}={shlex.quote(v)}" for k, v in env.items()] +
                    [shlex.quote(w) for w in engine.command(threads, repeat)])


def fmt(x):
    if x is None:
        return "—"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 1 else f"{x:.3g}"


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_ratio(x, bold=False):
    if x is None:
        return "—"
    s = f"{x:.2f}x"
    return f"**{s}**" if bold else s


def best(rounds):
    """Per clock, the lowest round value: the least disturbed round."""
    if not rounds:
        return None
    return {clock: min((r[clock] for r in rounds if r[clock] is not None), default=None) for clock in CLOCKS}


def tables(report, labels, variants, threads, clock):
    lines = []
    what = {"wall": "best round median, wall ms", "cpu": "CPU ms per run, best round"}[clock]
    for t in threads:
        rows = report["models"]
        natives = []
        for m in rows.values():
            for k in m["engines"]:
                if k.startswith("native:") and k not in natives:
                    natives.append(k)
        head = ["model"]
        for c in labels:
            for v in variants:
                head.append(f"{c} {'SIMD' if v == 'simd' else 'scalar'}")
        head += [rows_label(rows, k) for k in natives] + ["ONNX Runtime"]
        for c in labels:
            pre = f"{c} " if len(labels) > 1 else ""
            if "simd" in variants:
                head.append(f"{pre}SIMD / native")
            if "scalar" in variants and "simd" in variants:
                head.append(f"{pre}scalar / SIMD")
        head.append("ORT / native")
        lines += [f"\n{t} thread{'s' if t > 1 else ''}, {what}:\n",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, m in rows.items():
            b = {k: (e["best_ms_by_threads"].get(str(t)) or {}).get(clock) for k, e in m["engines"].items()}
            if all(v is None for v in b.values()):
                continue   # nothing measurable on this clock (the tiny models' CPU time)
            cells = [name]
            for c in labels:
                for v in variants:
                    cells.append(cell(m, f"{c}:{v}", b))
            cells += [cell(m, k, b) for k in natives] + [cell(m, "ort", b)]
            nat = b.get(natives[0]) if natives else None
            for c in labels:
                s, sc = b.get(f"{c}:simd"), b.get(f"{c}:scalar")
                if "simd" in variants:
                    cells.append(fmt_ratio(ratio(s, nat), bold=True))
                if "scalar" in variants and "simd" in variants:
                    cells.append(fmt_ratio(ratio(sc, s)))
            cells.append(fmt_ratio(ratio(b.get("ort"), nat)))
            lines.append("| " + " | ".join(cells) + " |")
        if len(labels) > 1:
            lines += [f"\nA/B at {t} thread{'s' if t > 1 else ''} ({clock}): time / {labels[0]}'s "
                      "time (below 1: faster):\n"]
            head = ["model"] + [f"{c} {v}" for c in labels[1:] for v in variants]
            lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            for name, m in rows.items():
                b = {k: (e["best_ms_by_threads"].get(str(t)) or {}).get(clock)
                     for k, e in m["engines"].items()}
                if all(v is None for v in b.values()):
                    continue
                cells = [name] + [fmt_ratio(ratio(b.get(f"{c}:{v}"), b.get(f"{labels[0]}:{v}")))
                                  for c in labels[1:] for v in variants]
                lines.append("| " + " | ".join(cells) + " |")
    return lines


def rows_label(rows, key):
    for m in rows.values():
        e = m["engines"].get(key)
        if e and e.get("label"):
            return e["label"]
    return key


def cell(m, key, b):
    e = m["engines"].get(key)
    if e is None:
        return "—"
    if e.get("error") and b.get(key) is None:
        return "FAIL"
    return fmt(b.get(key))


def native_table(report):
    lines = ["\nNative builds (recipe proof: the recipe rebuilt for wasm32 against the fixture's graph.json "
             "and params):\n", "| model | native build | recipe | match | native output check |",
             "|---|---|---|---|---|"]
    for name, m in report["models"].items():
        for k, e in m["engines"].items():
            if not k.startswith("native:"):
                continue
            v = e.get("verify") or {}
            lines.append(f"| {name} | {e.get('target') or '—'} | {e.get('route') or '—'} | "
                         f"{v.get('match', 'not verified')} | "
                         f"{e.get('error') or e.get('check') or '—'} |")
    return lines


def context_lines(ctx):
    c = ctx["cpu"]
    flags = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in c["flags"].items())
    return [f"CPU: {c['model_name']} ({c['cores']} cores; {flags}); LLVM host CPU {ctx.get('llvm_cpu')}",
            f"Date {ctx['date']}, commit {ctx['commit']}, load average {ctx['load_before']} before and "
            f"{ctx['load_after']} after; {ctx['rounds']} round{'s' if ctx['rounds'] > 1 else ''} x {ctx['repeat']} "
            f"runs (+1 warm-up) per engine and round; "
            f"{ctx['duration_s']:.0f} s in all.",
            "Command: " + ctx["command"]] + [
        f"wasmgraph configuration '{c['label']}': {c['cli']}" + (f" {' '.join(c['compile_args'])}" if c["compile_args"] else "") +
        (f" (built from {c['source_dir']}" + (f", {c['source_commit']}" if c["source_commit"] else "") + ")"
         if c.get("source_dir") else "") for c in ctx["configs"]]


def markdown(report):
    """The tables of a run, from its JSON report alone (so --render can redo them)."""
    ctx = report["context"]
    labels = [c["label"] for c in ctx["configs"]]
    md = ["## Live comparison with native TVM", ""] + context_lines(ctx)
    for clock in CLOCKS:
        md += tables(report, labels, ctx["variants"], ctx["threads"], clock)
    md += native_table(report)
    errors = [f"- {m}: {e['label']}: {e['error']}" for m, r in report["models"].items()
              for e in r["engines"].values() if e.get("error")]
    if errors:
        md += ["", "Failures:", *errors]
    return "\n".join(md) + "\n", errors


def default_cli():
    env = os.environ.get("WASMGRAPH")
    if env:
        return env
    for d in ("build", "build-bench"):
        p = os.path.join(REPO, d, "tools", "wasmgraph")
        if os.path.exists(p):
            return p
    return None


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="native_live.sh",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time wasmgraph's scalar and SIMD builds of every fixture against TVM's native build "
                    "of the same model (and ONNX Runtime), interleaved in one run.",
        epilog="""examples:
  benchmarks/native_live.sh                               every fixture, 3 rounds x 7 runs, 1 thread
  benchmarks/native_live.sh --models resnet18 --threads 1,2
  benchmarks/native_live.sh --wasmgraph base=/old/build/tools/wasmgraph --wasmgraph new=build/tools/wasmgraph
  benchmarks/native_live.sh --config exact=build/tools/wasmgraph \\
                            --config fma='build/tools/wasmgraph --fp-contract=fast'
  benchmarks/native_live.sh --config on=build/tools/wasmgraph \\
                            --config off='WASMGRAPH_NO_TILE_VECTORIZE=1 build/tools/wasmgraph'
  benchmarks/native_live.sh --smoke                       a quick self-check on the tiny models
""")
    ap.add_argument("--fixtures", default=os.path.normpath(os.path.join(REPO, "..", "shared", "fixtures")),
                    help="fixtures folder (default: ../shared/fixtures from the repository root)")
    ap.add_argument("--models", help="comma-separated models (default: every folder with a meta.json)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per engine and round (default 7)")
    ap.add_argument("--threads", default="1", help="thread counts, e.g. 1,2 (default 1)")
    ap.add_argument("--variants", default="scalar,simd", help="scalar,simd (default both)")
    ap.add_argument("--wasmgraph", action="append", default=[], metavar="[LABEL=]CLI",
                    help="a wasmgraph CLI to time; repeat to A/B builds (default: $WASMGRAPH, build/ or "
                         "build-bench/tools/wasmgraph)")
    ap.add_argument("--config", action="append", default=[], type=Config.parse,
                    metavar="LABEL='[VAR=VAL ...] CLI [compile args]'",
                    help="a wasmgraph configuration with extra `compile` arguments and environment; repeatable")
    ap.add_argument("--native-cpu", default="host",
                    help="LLVM CPUs for native TVM builds, comma-separated; 'host' is this machine's "
                         "(default host; e.g. host,x86-64-v2 adds a 128-bit SSE4.2 build)")
    ap.add_argument("--no-native", action="store_true", help="leave native TVM out")
    ap.add_argument("--no-ort", action="store_true", help="leave ONNX Runtime out")
    ap.add_argument("--no-verify", action="store_true", help="skip the recipe proof (wasm32 rebuilds)")
    ap.add_argument("--cache", help="native build cache (default: build-bench/native_tvm_cache, or "
                                    "$WASMGRAPH_BENCH_CACHE)")
    ap.add_argument("--work", help="keep wasmgraph's builds here (default: a temporary folder, removed)")
    ap.add_argument("--out", help="JSON results (default benchmarks/results/native_live.json; "
                                  "--smoke: none)")
    ap.add_argument("--md", help="also write the Markdown tables to this file")
    ap.add_argument("--render", metavar="FILE.json", help="print the tables of an earlier run's JSON and exit")
    ap.add_argument("--smoke", action="store_true",
                    help="self-check: mlp and lenet, 1 round of 2 runs; fails unless every engine ran")
    args = ap.parse_args(argv)
    if args.smoke:
        args.models = args.models or "mlp,lenet"
        args.rounds, args.repeat = 1, 2
    if args.rounds < 1 or args.repeat < 1:
        ap.error("--rounds and --repeat must be >= 1")
    try:
        args.threads = [int(x) for x in args.threads.split(",")]
        assert all(t >= 1 for t in args.threads)
    except (ValueError, AssertionError):
        ap.error("--threads: want positive integers, e.g. 1,2")
    args.variants = [v.strip() for v in args.variants.split(",")]
    if not args.variants or any(v not in ("scalar", "simd") for v in args.variants):
        ap.error("--variants: want scalar, simd or scalar,simd")
    args.native_cpu = [None if c == "host" else c for c in args.native_cpu.split(",")]
    configs = list(args.config)
    for spec in args.wasmgraph:
        label, eq, path = spec.partition("=")
        if not eq:
            label, path = "wasmgraph", spec
        configs.append(Config(label, os.path.abspath(path)))
    if not configs:
        cli = default_cli()
        if not cli:
            ap.error("no wasmgraph CLI: build it, set WASMGRAPH, or pass --wasmgraph PATH")
        configs = [Config("wasmgraph", cli)]
    labels = [c.label for c in configs]
    if len(set(labels)) != len(labels):
        ap.error(f"configuration labels must differ: {labels}")
    for c in configs:
        if not os.access(c.cli, os.X_OK):
            ap.error(f"{c.cli}: not an executable wasmgraph CLI")
    args.configs = configs
    args.models = [m.strip() for m in args.models.split(",")] if args.models else None
    args.cache = args.cache or os.environ.get("WASMGRAPH_BENCH_CACHE") or os.path.join(
        REPO, "build-bench", "native_tvm_cache")
    if args.out is None and not args.smoke:
        args.out = os.path.join(HERE, "results", "native_live.json")
    return args


def portable(obj):
    """obj with this machine's paths in its strings made relative: the
    repository root becomes ".", the folder beside it "..", temporary
    folders "$TMPDIR", so a committed results file names no local path."""
    if isinstance(obj, dict):
        return {k: portable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [portable(v) for v in obj]
    if not isinstance(obj, str):
        return obj
    tmp = tempfile.gettempdir().rstrip("/")
    for prefix, name in ((REPO, "."), (os.path.dirname(REPO), ".."), (tmp, "$TMPDIR")):
        obj = obj.replace(prefix + "/", name + "/")
        if obj == prefix:
            obj = name
    return obj


def main(argv):
    if argv[:1] == ["--render"] or (argv and argv[0].startswith("--render=")):
        path = argv[1] if argv[:1] == ["--render"] and len(argv) > 1 else argv[0].partition("=")[2]
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            raise Failure(f"{path}: {e}")
        print(markdown(report)[0])
        return 0
    args = parse_args(argv)
    t_start = time.monotonic()
    ctx = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": git_commit(), "cpu": cpu_info(), "load_before": load_avg(),
           "rounds": args.rounds, "repeat": args.repeat, "threads": args.threads, "variants": args.variants,
           "command": "benchmarks/native_live.sh " + " ".join(map(shlex.quote, argv)),
           "python": sys.executable, "node": shutil.which("node")}
    rc, out, _ = run([sys.executable, "-c", "import tvm; print(tvm.__version__, "
                      "tvm.target.codegen.llvm_get_system_cpu())"])
    if rc == 0 and not args.no_native:
        ctx["tvm"], ctx["llvm_cpu"] = out.split()[:2]
    elif not args.no_native:
        raise Failure("cannot import tvm: run through benchmarks/native_live.sh, or set PYTHONPATH to "
                      "../shared/tvm/python (or pass --no-native)")
    ctx["configs"] = []
    for c in args.configs:
        rc, out, _ = run([c.cli, "--version"], env=c.env)
        src, commit = cli_source(c.cli)
        ctx["configs"].append({"label": c.label, "cli": c.cli, "compile_args": c.compile_args, "env": c.env,
                               "version": out.strip().splitlines() if rc == 0 else None,
                               "source_dir": src, "source_commit": commit})
    models = find_models(args.fixtures, args.models)
    log(f"native_live: {len(models)} models, {args.rounds} rounds x {args.repeat} runs, threads "
        f"{args.threads}, CPU {ctx['cpu']['model_name']}, load {ctx['load_before']}")
    work = args.work or tempfile.mkdtemp(prefix="wasmgraph-native-live-")
    report = {"context": ctx, "models": {}}
    failed = False
    try:
        # Build and check everything first, so the timing rounds run back to
        # back without a compiler competing for the cores.
        log("preparing (wasmgraph compile + output check, native build + recipe proof, ONNX Runtime check)")
        prepared = {m: prepare_model(args, m, args.configs, work) for m in models}
        t_timing = time.monotonic()
        log("timing")
        for m in models:
            meta, engines = prepared[m]
            res = time_model(args, m, engines)
            report["models"][m] = {"engines": {e.key: {**e.summary(),
                                                       "rounds_ms_by_threads": {str(t): res[t][e.key]
                                                                                for t in args.threads},
                                                       "best_ms_by_threads": {str(t): best(res[t][e.key])
                                                                              for t in args.threads}}
                                               for e in engines},
                                   "commands": {e.key: command_line(e, args.threads[0], args.repeat)
                                                for e in engines if not e.error}}
            failed |= any(e.error for e in engines)
        ctx["timing_s"] = round(time.monotonic() - t_timing, 1)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    ctx["load_after"] = load_avg()
    ctx["duration_s"] = round(time.monotonic() - t_start, 1)
    text, errors = markdown(report)
    print(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(portable(report), f, indent=1)
        log(f"wrote {args.out}")
    if args.smoke:
        timed = [e for r in report["models"].values() for e in r["engines"].values()
                 if all(v is not None and v["wall"] is not None for v in e["best_ms_by_threads"].values())]
        log(f"smoke: {len(timed)} engine columns timed, {len(errors)} failed")
        if not timed:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        print(f"native_live: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
