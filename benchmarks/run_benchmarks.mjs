#!/usr/bin/env node
// run_benchmarks.mjs — wasmgraph against its peers on the same .wasm, in one
// run on one machine (docs/benchmarks.md is written from its output).
//
// For each fixture model and each variant (--variants scalar,simd: TVM's
// wasm32/graph.o and its -mattr=+simd128 build wasm32-simd/graph.o):
//   1. `wasmgraph compile` the graph library to a .so (timed, peak RSS, code
//      size) and to the linked .wasm the peers run — the very same module;
//   2. `wasmgraph run --json` with 1 thread and with all cores (warm-up +
//      N timed runs; median), outputs checked against expected/;
//   3. V8 TurboFan (--no-liftoff) and V8 Liftoff (--liftoff-only) on the .wasm
//      (benchmarks/v8_host); for scalar only: wabt's interpreter in process
//      (benchmarks/interp_host, only models small enough) and ONNX Runtime when
//      installed and the fixture ships model.onnx (neither depends on the
//      wasm variant, and the interpreter alone would take minutes per CNN);
//   4. the native TVM reference recorded in meta.json.
// Both variants of a model run back to back, so a change in machine load
// hits them alike. Every figure is also given as a ratio against wasmgraph
// (1 thread) of the same variant from the same run; with both variants a
// third table gives wasmgraph SIMD against V8 SIMD and the SIMD-over-scalar
// speed-up of wasmgraph and of V8 on the same models. Prints Markdown tables
// and writes all numbers as JSON (--out):
//   context             date, machine, node, warmup, repeat; `variant` is the
//                       first variant run (wasm32 unless only simd), `variants`
//                       all of them
//   results             one row per model of context.variant (as before)
//   simd_results        one row per model of wasm32-simd, when simd ran
//   simd_comparison     per model, when both ran: the ratios of the third table
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
  variants: { arg: true }, variant: { arg: true }, warmup: { arg: true }, repeat: { arg: true },
  "interp-models": { arg: true }, out: { arg: true }, help: {},
};
const USAGE = `usage: node run_benchmarks.mjs --wasmgraph PATH [--interp-bin PATH] [--fixtures DIR]
         [--models a,b] [--variants scalar,simd] [--warmup N] [--repeat N]
         [--interp-models a,b] [--out FILE.json]
Defaults: all fixtures, both variants (scalar = wasm32/graph.o, simd = wasm32-simd/graph.o),
3 warm-up + 20 timed runs; the interpreter (scalar only) on every model but resnet18 (one run
for the CNNs). --variant wasm32|wasm32-simd is the older spelling of a single variant.
`;
const VARIANT_DIRS = { scalar: "wasm32", simd: "wasm32-simd" };

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
const div = (a, b) => a === undefined || !b ? undefined : a / b;

// --variants scalar,simd (also wasm32, wasm32-simd); --variant X is one variant.
function parseVariants(opts) {
  if (opts.variants !== undefined && opts.variant !== undefined)
    throw new UsageError("give --variants or --variant, not both");
  const list = (opts.variants ?? opts.variant ?? "scalar,simd").split(",").filter(Boolean).map((v) => {
    const key = Object.keys(VARIANT_DIRS).find((k) => k === v || VARIANT_DIRS[k] === v);
    if (!key) throw new UsageError(`unknown variant '${v}' (scalar, simd, wasm32 or wasm32-simd)`);
    return key;
  });
  if (list.length === 0) throw new UsageError("--variants needs at least one of scalar, simd");
  return Object.keys(VARIANT_DIRS).filter((k) => list.includes(k)); // scalar first, no duplicates
}

// One model in one variant: compile, then every peer. Returns the result row,
// or undefined when the model could not be compiled or linked.
function measure(ctx, m, key, failures) {
  const { wg, dir, work, warmup, repeat, threads, interpBin, interpModels, haveOrt } = ctx;
  const variant = VARIANT_DIRS[key];
  const label = key === "scalar" ? m : `${m} (${variant})`;
  const fx = join(dir, m);
  const meta = JSON.parse(readFileSync(join(fx, "meta.json"), "utf8"));
  const obj = join(fx, variant, "graph.o");
  const so = join(work, `${m}.${key}.so`), wasm = join(work, `${m}.${key}.wasm`);
  const r = { model: m, variant };
  if (!existsSync(obj)) { failures.push(`${label}: ${obj} not found`); return undefined; }
  const comp = run(wg, ["compile", obj, "-o", so, "--name", m.replace(/\W/g, "_")], { json: false });
  if (!comp.ok) { failures.push(`${label}: compile: ${comp.err}`); return undefined; }
  r.compile = { seconds: comp.wallS, peak_rss_mb: comp.rssMB, so_bytes: statSync(so).size };
  const link = run(wg, ["compile", obj, "-o", wasm], { json: false });
  if (!link.ok) { failures.push(`${label}: link: ${link.err}`); return undefined; }
  r.wasm_bytes = statSync(wasm).size;
  const inputs = readdirSync(join(fx, "inputs")).filter((f) => f.endsWith(".npy"))
    .flatMap((f) => ["-i", `${f.slice(0, -4)}=${join(fx, "inputs", f)}`]);
  // wasmgraph: --repeat times only run(); one extra warm-up run is built in.
  for (const t of [1, threads]) {
    const outDir = join(work, `${m}.${key}.wg${t}`);
    const res = run(wg, ["run", so, "--graph", join(fx, "graph.json"), "--params", join(fx, "graph.params"),
      ...inputs, "--threads", String(t), "--repeat", String(repeat + Math.max(0, warmup - 1)),
      "--json", "--quiet", "--output-dir", outDir]);
    if (!res.ok) { failures.push(`${label}: wasmgraph run (${t} threads): ${res.err}`); continue; }
    r[`wasmgraph_${t}t`] = { median_ms: res.json.median_ms, min_ms: res.json.min_ms,
      peak_rss_mb: res.rssMB, check: checkOutputDir(fx, outDir) ? "PASS" : "FAIL" };
  }
  const common = ["--wasm", wasm, "--fixture", fx, "--check", "--warmup", String(warmup), "--repeat", String(repeat)];
  const runGraph = join(HERE, "v8_host", "run_graph.mjs");
  for (const [k, engine] of [["v8_turbofan", "v8"], ["v8_liftoff", "v8-liftoff"]]) {
    const res = run(process.execPath, [runGraph, ...common, "--engine", engine]);
    if (!res.ok) { failures.push(`${label}: ${k}: ${res.err}`); continue; }
    r[k] = { median_ms: res.json.median_ms, min_ms: res.json.min_ms, cpu_median_ms: res.json.cpu_median_ms,
             check: res.json.check };
  }
  if (key === "scalar" && interpBin && existsSync(interpBin) && interpModels.includes(m)) {
    const outDir = join(work, `${m}.interp`);
    const slow = (r.v8_turbofan?.median_ms ?? 0) > 20;
    const res = run(interpBin, ["--wasm", wasm, "--fixture", fx, "--warmup", slow ? "0" : "1",
      "--repeat", slow ? "1" : "3", "--output-dir", outDir]);
    if (!res.ok) failures.push(`${label}: wabt interp: ${res.err}`);
    else r.wabt_interp = { median_ms: res.json.median_ms, check: checkOutputDir(fx, outDir) ? "PASS" : "FAIL" };
  }
  if (key === "scalar" && haveOrt && existsSync(join(fx, "model.onnx"))) {
    const res = run(process.execPath, [join(HERE, "onnx_host", "run_onnx.mjs"), "--fixture", fx, "--check",
      "--warmup", String(warmup), "--repeat", String(repeat)]);
    if (res.ok) r.onnxruntime = { median_ms: res.json.median_ms, check: res.json.check };
  }
  const native = meta.native_tvm_ms_median_by_threads || {};
  r.native_tvm = { "1": native["1"], "2": native["2"] };
  for (const k of Object.keys(r)) if (r[k] && r[k].check === "FAIL") failures.push(`${label}: ${k}: wrong outputs`);
  return r;
}

// The ratios of one model with both variants; above 1 means the first is faster.
function compare(s, v) {
  return {
    model: s.model,
    wasmgraph_simd_vs_v8_simd: div(v.v8_turbofan?.median_ms, v.wasmgraph_1t?.median_ms),
    wasmgraph_simd_vs_v8_liftoff_simd: div(v.v8_liftoff?.median_ms, v.wasmgraph_1t?.median_ms),
    wasmgraph_simd_speedup: div(s.wasmgraph_1t?.median_ms, v.wasmgraph_1t?.median_ms),
    v8_simd_speedup: div(s.v8_turbofan?.median_ms, v.v8_turbofan?.median_ms),
  };
}

function main(argv) {
  const { opts } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  const wg = opts.wasmgraph;
  if (!wg || !existsSync(wg)) throw new UsageError("--wasmgraph PATH (the built CLI) is required");
  const dir = opts.fixtures ?? resolve(HERE, "../../shared/fixtures");
  if (!existsSync(dir)) { process.stdout.write(`SKIP: fixtures not found at ${dir}\n`); return 77; }
  const keys = parseVariants(opts);
  const warmup = intOpt(opts, "warmup", 3, 0);
  const repeat = intOpt(opts, "repeat", 20, 1);
  const models = opts.models ? opts.models.split(",") :
    readdirSync(dir).filter((m) => existsSync(join(dir, m, "meta.json"))).sort();
  const threads = cpus().length;
  const ctx = {
    wg, dir, warmup, repeat, threads,
    interpBin: opts["interp-bin"] ?? "",
    // resnet18 takes over 3 minutes a run in the interpreter; the CNNs get one run.
    interpModels: (opts["interp-models"] ?? "mlp,lenet,multi_io,squeezenet1_1,mobilenet_v2").split(","),
    haveOrt: existsSync(join(HERE, "onnx_host", "node_modules", "onnxruntime-node")),
    work: mkdtempSync(join(tmpdir(), "wg-bench-")),
  };
  const rows = { scalar: [], simd: [] };
  const comparison = [];
  const failures = [];
  try {
    for (const m of models) {
      const got = {};
      for (const key of keys) {
        got[key] = measure(ctx, m, key, failures);
        if (got[key]) rows[key].push(got[key]);
        process.stderr.write(`${m} ${VARIANT_DIRS[key]}: ${got[key] ? "done" : "failed"}\n`);
      }
      if (got.scalar && got.simd) comparison.push(compare(got.scalar, got.simd));
    }
  } finally {
    rmSync(ctx.work, { recursive: true, force: true });
  }

  const lines = [];
  if (keys.includes("scalar")) {
    lines.push(`median ms, wasm32, ${warmup} warm-up + ${repeat} timed runs; (Nx) = peer time / wasmgraph 1-thread time`);
    lines.push("");
    lines.push(`| model | wasmgraph 1T | wasmgraph ${threads}T (speed-up) | V8 TurboFan | V8 Liftoff | wabt interp | native TVM 1T | native TVM 2T | ONNX Runtime |`);
    lines.push("|---|---|---|---|---|---|---|---|---|");
    for (const r of rows.scalar) {
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
  }
  if (keys.includes("simd")) {
    lines.push(`median ms, wasm32-simd (simd128), ${warmup} warm-up + ${repeat} timed runs; ` +
      "(Nx) = peer time / wasmgraph SIMD 1-thread time");
    lines.push("");
    lines.push(`| model | wasmgraph 1T | wasmgraph ${threads}T (speed-up) | V8 TurboFan | V8 Liftoff | native TVM 1T | native TVM 2T |`);
    lines.push("|---|---|---|---|---|---|---|");
    for (const r of rows.simd) {
      const base = r.wasmgraph_1t?.median_ms;
      const all = r[`wasmgraph_${threads}t`]?.median_ms;
      lines.push(`| ${r.model} | ${fmt(base)} | ${fmt(all)}${all && base ? ` (${fmt(base / all)}x)` : ""} | ` +
        `${fmt(r.v8_turbofan?.median_ms)}${ratio(r.v8_turbofan?.median_ms, base)} | ` +
        `${fmt(r.v8_liftoff?.median_ms)}${ratio(r.v8_liftoff?.median_ms, base)} | ` +
        `${fmt(r.native_tvm["1"])}${ratio(r.native_tvm["1"], base)} | ${fmt(r.native_tvm["2"])} |`);
    }
    lines.push("");
  }
  if (comparison.length) {
    lines.push("SIMD against V8 and against scalar, 1 thread; above 1 means the first is faster");
    lines.push("");
    lines.push("| model | wasmgraph SIMD vs V8 TurboFan SIMD | wasmgraph SIMD over wasmgraph scalar | V8 SIMD over V8 scalar |");
    lines.push("|---|---|---|---|");
    const x = (v) => v === undefined ? "—" : `${fmt(v)}x`;
    for (const c of comparison)
      lines.push(`| ${c.model} | ${x(c.wasmgraph_simd_vs_v8_simd)} | ${x(c.wasmgraph_simd_speedup)} | ${x(c.v8_simd_speedup)} |`);
    lines.push("");
  }
  lines.push("| model | variant | compile s | compile peak RSS MB | .so bytes | .wasm bytes | run peak RSS MB (1T) |");
  lines.push("|---|---|---|---|---|---|---|");
  for (const key of keys)
    for (const r of rows[key])
      lines.push(`| ${r.model} | ${r.variant} | ${fmt(r.compile.seconds)} | ${fmt(r.compile.peak_rss_mb)} | ` +
        `${r.compile.so_bytes} | ${r.wasm_bytes} | ${fmt(r.wasmgraph_1t?.peak_rss_mb)} |`);
  for (const f of failures) lines.push(`error: ${f}`);
  process.stdout.write(lines.join("\n") + "\n");
  if (opts.out) {
    const out = {
      context: { date: new Date().toISOString(), cpus: threads, cpu_model: cpus()[0]?.model, node: process.version,
                 variant: VARIANT_DIRS[keys[0]], variants: keys.map((k) => VARIANT_DIRS[k]), warmup, repeat },
      results: rows[keys[0]],
    };
    if (keys.includes("simd")) out.simd_results = rows.simd;
    if (comparison.length) out.simd_comparison = comparison;
    writeFileSync(opts.out, JSON.stringify(out, null, 1) + "\n");
  }
  return failures.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`run_benchmarks.mjs: ${e.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
