#!/usr/bin/env node
// run_benchmarks.mjs — wasmgraph against its peers on the same .wasm, in one
// run on one machine (docs/benchmarks.md is written from its output).
//
// For each fixture model:
//   1. `wasmgraph compile` the graph library to a .so (timed, peak RSS, code
//      size) and to the linked .wasm the peers run — the very same module;
//   2. `wasmgraph run --json` with 1 thread and with all cores (warm-up +
//      N timed runs; median), outputs checked against expected/;
//   3. V8 TurboFan (--no-liftoff) and V8 Liftoff (--liftoff-only) on the .wasm
//      (benchmarks/v8_host), wabt's interpreter in process (benchmarks/interp_host,
//      only models small enough), ONNX Runtime when installed and the fixture
//      ships model.onnx;
//   4. the native TVM reference recorded in meta.json.
// Every figure is also given as a ratio against wasmgraph (1 thread) from the
// same run. Prints a Markdown table and writes all numbers as JSON (--out).
// Runs are sequential: the machine has 2 cores.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { tmpdir, cpus } from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs, intOpt, UsageError } from "./v8_host/cli_common.mjs";
import { checkOutputDir } from "./v8_host/compare.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SPEC = {
  wasmgraph: { arg: true }, "interp-bin": { arg: true }, fixtures: { arg: true }, models: { arg: true },
  variant: { arg: true }, warmup: { arg: true }, repeat: { arg: true }, "interp-models": { arg: true },
  out: { arg: true }, help: {},
};
const USAGE = `usage: node run_benchmarks.mjs --wasmgraph PATH [--interp-bin PATH] [--fixtures DIR]
         [--models a,b] [--variant wasm32|wasm32-simd] [--warmup N] [--repeat N]
         [--interp-models a,b] [--out FILE.json]
Defaults: all fixtures, wasm32, 3 warm-up + 20 timed runs; the interpreter on every model but
resnet18 (one run for the CNNs).
`;

// Runs a command under /usr/bin/time to get its peak RSS; returns the last
// stdout line parsed as JSON when possible.
function run(cmd, args, { json = true } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "WG_TIME %e %M", cmd, ...args],
    { encoding: "utf8", maxBuffer: 1 << 26 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /WG_TIME ([0-9.]+) ([0-9]+)/.exec(r.stderr || "");
  const out = (r.stdout || "").trim();
  let parsed;
  if (json) {
    try { parsed = JSON.parse(out.slice(out.indexOf("{"))); } catch { parsed = undefined; }
  }
  const err = (r.stderr || "").replace(/WG_TIME.*\n?/, "").trim();
  return { ok: r.status === 0 && (!json || parsed !== undefined), json: parsed, wallS,
           rssMB: m ? Number(m[2]) / 1024 : undefined, err: err || `exit ${r.status}` };
}

const fmt = (x) => x === undefined ? "—" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) :
  x >= 1 ? x.toFixed(2) : x.toPrecision(2);
const ratio = (peer, base) => peer === undefined || !base ? "" : ` (${fmt(peer / base)}x)`;

function main(argv) {
  const { opts } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  const wg = opts.wasmgraph;
  if (!wg || !existsSync(wg)) throw new UsageError("--wasmgraph PATH (the built CLI) is required");
  const dir = opts.fixtures ?? resolve(HERE, "../../shared/fixtures");
  if (!existsSync(dir)) { process.stdout.write(`SKIP: fixtures not found at ${dir}\n`); return 77; }
  const variant = opts.variant ?? "wasm32";
  const warmup = intOpt(opts, "warmup", 3, 0);
  const repeat = intOpt(opts, "repeat", 20, 1);
  const models = opts.models ? opts.models.split(",") :
    readdirSync(dir).filter((m) => existsSync(join(dir, m, "meta.json"))).sort();
  const interpBin = opts["interp-bin"] ?? "";
  // resnet18 takes over 3 minutes a run in the interpreter; the CNNs get one run.
  const interpModels = (opts["interp-models"] ?? "mlp,lenet,multi_io,squeezenet1_1,mobilenet_v2").split(",");
  const haveOrt = existsSync(join(HERE, "onnx_host", "node_modules", "onnxruntime-node"));
  const threads = cpus().length;
  const work = mkdtempSync(join(tmpdir(), "wg-bench-"));
  const results = [];
  const failures = [];
  try {
    for (const m of models) {
      const fx = join(dir, m);
      const meta = JSON.parse(readFileSync(join(fx, "meta.json"), "utf8"));
      const obj = join(fx, variant, "graph.o");
      const so = join(work, `${m}.so`), wasm = join(work, `${m}.wasm`);
      const r = { model: m, variant };
      const comp = run(wg, ["compile", obj, "-o", so, "--name", m.replace(/\W/g, "_")], { json: false });
      if (!comp.ok) { failures.push(`${m}: compile: ${comp.err}`); continue; }
      r.compile = { seconds: comp.wallS, peak_rss_mb: comp.rssMB, so_bytes: statSync(so).size };
      const link = run(wg, ["compile", obj, "-o", wasm], { json: false });
      if (!link.ok) { failures.push(`${m}: link: ${link.err}`); continue; }
      r.wasm_bytes = statSync(wasm).size;
      const inputs = readdirSync(join(fx, "inputs")).filter((f) => f.endsWith(".npy"))
        .flatMap((f) => ["-i", `${f.slice(0, -4)}=${join(fx, "inputs", f)}`]);
      // wasmgraph: --repeat times only run(); one extra warm-up run is built in.
      for (const t of [1, threads]) {
        const outDir = join(work, `${m}.wg${t}`);
        const res = run(wg, ["run", so, "--graph", join(fx, "graph.json"), "--params", join(fx, "graph.params"),
          ...inputs, "--threads", String(t), "--repeat", String(repeat + Math.max(0, warmup - 1)),
          "--json", "--quiet", "--output-dir", outDir]);
        if (!res.ok) { failures.push(`${m}: wasmgraph run (${t} threads): ${res.err}`); continue; }
        r[`wasmgraph_${t}t`] = { median_ms: res.json.median_ms, min_ms: res.json.min_ms,
          peak_rss_mb: res.rssMB, check: checkOutputDir(fx, outDir) ? "PASS" : "FAIL" };
      }
      const common = ["--wasm", wasm, "--fixture", fx, "--check", "--warmup", String(warmup), "--repeat", String(repeat)];
      const runGraph = join(HERE, "v8_host", "run_graph.mjs");
      for (const [key, engine] of [["v8_turbofan", "v8"], ["v8_liftoff", "v8-liftoff"]]) {
        const res = run(process.execPath, [runGraph, ...common, "--engine", engine]);
        if (!res.ok) { failures.push(`${m}: ${key}: ${res.err}`); continue; }
        r[key] = { median_ms: res.json.median_ms, min_ms: res.json.min_ms, check: res.json.check };
      }
      if (interpBin && existsSync(interpBin) && interpModels.includes(m)) {
        const outDir = join(work, `${m}.interp`);
        const slow = (r.v8_turbofan?.median_ms ?? 0) > 20;
        const res = run(interpBin, ["--wasm", wasm, "--fixture", fx, "--warmup", slow ? "0" : "1",
          "--repeat", slow ? "1" : "3", "--output-dir", outDir]);
        if (!res.ok) failures.push(`${m}: wabt interp: ${res.err}`);
        else r.wabt_interp = { median_ms: res.json.median_ms, check: checkOutputDir(fx, outDir) ? "PASS" : "FAIL" };
      }
      if (haveOrt && existsSync(join(fx, "model.onnx"))) {
        const res = run(process.execPath, [join(HERE, "onnx_host", "run_onnx.mjs"), "--fixture", fx, "--check",
          "--warmup", String(warmup), "--repeat", String(repeat)]);
        if (res.ok) r.onnxruntime = { median_ms: res.json.median_ms, check: res.json.check };
      }
      const native = meta.native_tvm_ms_median_by_threads || {};
      r.native_tvm = { "1": native["1"], "2": native["2"] };
      for (const k of Object.keys(r)) if (r[k] && r[k].check === "FAIL") failures.push(`${m}: ${k}: wrong outputs`);
      results.push(r);
      process.stderr.write(`${m}: done\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const lines = [];
  lines.push(`median ms, ${variant}, ${warmup} warm-up + ${repeat} timed runs; (Nx) = peer time / wasmgraph 1-thread time`);
  lines.push("");
  lines.push(`| model | wasmgraph 1T | wasmgraph ${threads}T (speed-up) | V8 TurboFan | V8 Liftoff | wabt interp | native TVM 1T | native TVM 2T | ONNX Runtime |`);
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    const base = r.wasmgraph_1t?.median_ms;
    const all = r[`wasmgraph_${threads}t`]?.median_ms;
    lines.push(`| ${r.model} | ${fmt(base)} | ${fmt(all)}${all && base ? ` (${fmt(base / all)}x)` : ""} | ` +
      `${fmt(r.v8_turbofan?.median_ms)}${ratio(r.v8_turbofan?.median_ms, base)} | ` +
      `${fmt(r.v8_liftoff?.median_ms)}${ratio(r.v8_liftoff?.median_ms, base)} | ` +
      `${fmt(r.wabt_interp?.median_ms)}${ratio(r.wabt_interp?.median_ms, base)} | ` +
      `${fmt(r.native_tvm["1"])}${ratio(r.native_tvm["1"], base)} | ${fmt(r.native_tvm["2"])} | ` +
      `${fmt(r.onnxruntime?.median_ms)}${ratio(r.onnxruntime?.median_ms, base)} |`);
  }
  lines.push("");
  lines.push("| model | compile s | compile peak RSS MB | .so bytes | .wasm bytes | run peak RSS MB (1T) |");
  lines.push("|---|---|---|---|---|---|");
  for (const r of results)
    lines.push(`| ${r.model} | ${fmt(r.compile.seconds)} | ${fmt(r.compile.peak_rss_mb)} | ${r.compile.so_bytes} | ` +
      `${r.wasm_bytes} | ${fmt(r.wasmgraph_1t?.peak_rss_mb)} |`);
  for (const f of failures) lines.push(`error: ${f}`);
  process.stdout.write(lines.join("\n") + "\n");
  if (opts.out) {
    writeFileSync(opts.out, JSON.stringify({
      context: { date: new Date().toISOString(), cpus: threads, cpu_model: cpus()[0]?.model, node: process.version,
                 variant, warmup, repeat },
      results }, null, 1) + "\n");
  }
  return failures.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`run_benchmarks.mjs: ${e.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
