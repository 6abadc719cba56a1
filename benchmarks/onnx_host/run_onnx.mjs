#!/usr/bin/env node
// run_onnx.mjs — benchmark peer: runs a fixture's model.onnx in ONNX Runtime
// (npm onnxruntime-node, native CPU execution provider, NOT sandboxed) with
// one intra-op and one inter-op thread, and prints the same JSON line as the
// wasm peers with engine "onnxruntime". It is the "fastest native option a
// user has" reference next to wasmgraph, not a run of the same kernels.
//
// Setup: `npm ci` in this folder (the .npmrc skips onnxruntime-node's
// postinstall, which would download CUDA binaries from outside npm; the CPU
// provider ships inside the package). Times are whole session.run() calls,
// including N-API's hop to ORT's worker and back (some tens of µs); the
// cpu_* fields count every thread of the process (ORT runs on a worker).
// --check compares the outputs with the fixture's expected/*.npy under
// meta.json's tolerance rule and fails (exit 1) if they differ.

import { readFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { readNpy, writeNpy, typedView } from "../v8_host/npy.mjs";
import { parseArgs, intOpt, resolveFiles, stats, cpuStats, round4, UsageError } from "../v8_host/cli_common.mjs";
import { compareOutput } from "../v8_host/compare.mjs";

const require = createRequire(import.meta.url);

const SPEC = {
  onnx: { arg: true }, fixture: { arg: true }, input: { arg: true, multi: true }, model: { arg: true },
  warmup: { arg: true }, repeat: { arg: true }, "output-dir": { arg: true }, threads: { arg: true },
  check: {}, help: {},
};

const USAGE = `usage: node run_onnx.mjs (--fixture DIR | --onnx MODEL.onnx --input [NAME=]FILE.npy ...)
                        [--warmup N] [--repeat N] [--output-dir DIR] [--model NAME]
                        [--threads N] [--check]

Runs MODEL.onnx (default DIR/model.onnx) in ONNX Runtime's CPU provider and
prints one JSON line {model, engine:"onnxruntime", median_ms, min_ms, ...}.
  --warmup N   untimed runs first (default 3)
  --repeat N   timed runs (default 10)
  --threads N  intra-op threads (default 1)
  --check      compare outputs with DIR/expected/*.npy (meta.json tolerances)
Exit status: 0 ok, 1 failure (or --check mismatch), 2 usage error,
77 onnxruntime-node not installed (run npm ci here).
`;

const ORT_TYPE = { "<f4": "float32", "<f8": "float64", "<i8": "int64", "<i4": "int32", "<i2": "int16",
  "|i1": "int8", "|u1": "uint8", "|b1": "bool", "<u2": "uint16", "<u4": "uint32", "<u8": "uint64" };
const DESCR_OF = Object.fromEntries(Object.entries(ORT_TYPE).map(([d, t]) => [t, d]));

async function main(argv) {
  const { opts, positional } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const onnxPath = opts.onnx ?? (opts.fixture && join(opts.fixture, "model.onnx"));
  if (!onnxPath) throw new UsageError("--onnx (or --fixture) is required");
  if (!existsSync(onnxPath)) throw new Error(`${onnxPath} not found`);
  if (opts.check && !opts.fixture) throw new UsageError("--check needs --fixture");
  const warmup = intOpt(opts, "warmup", 3, 0);
  const repeat = intOpt(opts, "repeat", 10, 1);
  const threads = intOpt(opts, "threads", 1, 1);
  // resolveFiles wants a graph; the ONNX peer only needs the inputs.
  const files = resolveFiles({ ...opts, graph: opts.graph ?? "-" });

  let ort;
  try {
    ort = require("onnxruntime-node");
  } catch (e) {
    process.stdout.write(`SKIP: onnxruntime-node not installed (npm ci in benchmarks/onnx_host): ${e.message}\n`);
    return 77;
  }
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(onnxPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const feeds = {};
  for (const inp of files.inputs) {
    if (!session.inputNames.includes(inp.name)) {
      throw new Error(`model has no input '${inp.name}' (inputs: ${session.inputNames.join(", ")})`);
    }
    const a = readNpy(inp.path);
    const type = ORT_TYPE[a.descr];
    if (!type) throw new Error(`input ${inp.name}: unsupported descr ${a.descr}`);
    feeds[inp.name] = new ort.Tensor(type, typedView(a.descr, a.data), a.shape);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`inputs not set: ${missing.join(", ")}`);
  const loadMs = performance.now() - t0;

  const t1 = performance.now();
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const warmupMs = performance.now() - t1;
  const times = [];
  const cpu = [];
  let out;
  for (let i = 0; i < repeat; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    out = await session.run(feeds);
    times.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }

  const outputs = session.outputNames.map((n) => {
    const t = out[n];
    const descr = DESCR_OF[t.type];
    if (!descr) throw new Error(`output ${n}: unsupported type ${t.type}`);
    const d = t.data;
    return { descr, shape: t.dims.map(Number), data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
  });
  if (opts["output-dir"]) {
    mkdirSync(opts["output-dir"], { recursive: true });
    outputs.forEach((o, i) => writeNpy(join(opts["output-dir"], `output_${i}.npy`), o.descr, o.shape, o.data));
  }
  let check;
  if (opts.check) {
    const meta = JSON.parse(readFileSync(join(opts.fixture, "meta.json"), "utf8"));
    check = "PASS";
    for (let i = 0; i < meta.outputs.length; i++) {
      const want = readNpy(join(opts.fixture, "expected", `${i}.npy`));
      const c = i < outputs.length ? compareOutput(outputs[i], want, meta.atol_by_output[i], meta.rtol)
        : { ok: false, why: "missing" };
      if (!c.ok) {
        check = "FAIL";
        process.stderr.write(`run_onnx.mjs: ${files.model} output ${i}: ${c.why}\n`);
      }
    }
  }

  const result = {
    model: files.model,
    engine: "onnxruntime",
    ...stats(times),
    ...cpuStats(cpu),
    runs: repeat,
    warmup,
    times_ms: times.map(round4),
    load_ms: round4(loadMs),
    warmup_total_ms: round4(warmupMs),
    threads,
    onnxruntime: ort.env.versions?.node ?? "unknown",
    node: process.version,
    ...(check ? { check } : {}),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  return check === "FAIL" ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    const usage = e instanceof UsageError;
    process.stderr.write(`run_onnx.mjs: ${usage ? "" : "error: "}${e.message}\n${usage ? "Try 'node run_onnx.mjs --help'.\n" : ""}`);
    process.exitCode = usage ? 2 : 1;
  });
