#!/usr/bin/env node
// run_graph.mjs — benchmark peer: runs a linked TVM wasm32 graph library in
// V8 (Node.js 20) with the same host imports and memory plan as wasmgraph's
// native runtime, times N whole-graph runs after a warm-up, prints one JSON
// line and optionally writes the outputs as .npy.
//
// Engines (V8 tiers), chosen with --engine; the script re-executes itself
// under the matching V8 flags when the current process lacks them:
//   v8          --no-liftoff: every wasm function is compiled by TurboFan,
//               the optimizing tier, on its first call, so one warm-up run
//               already times optimized code (no dynamic tier-up race).
//   v8-liftoff  --liftoff-only: the baseline compiler only.
// Without --engine the current flags are used as they are and reported.

import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { GraphHost } from "./graph_host.mjs";
import { readNpy, writeNpy } from "./npy.mjs";
import { parseArgs, intOpt, resolveFiles, stats, cpuStats, round4, UsageError } from "./cli_common.mjs";
import { compareOutput } from "./compare.mjs";

const ENGINE_FLAGS = { "v8": ["--no-liftoff"], "v8-liftoff": ["--liftoff-only"] };

const SPEC = {
  wasm: { arg: true }, graph: { arg: true }, params: { arg: true },
  input: { arg: true, multi: true }, fixture: { arg: true }, model: { arg: true },
  warmup: { arg: true }, repeat: { arg: true }, "output-dir": { arg: true },
  engine: { arg: true }, "workspace-mb": { arg: true }, check: {}, help: {},
};

const USAGE = `usage: node run_graph.mjs --wasm MODEL.wasm (--fixture DIR | --graph graph.json
                          [--params graph.params] --input [NAME=]FILE.npy ...)
                          [--engine v8|v8-liftoff] [--warmup N] [--repeat N]
                          [--output-dir DIR] [--model NAME] [--workspace-mb N]

Runs a TVM wasm32 graph library linked by benchmarks/link_wasm.sh (or
'wasmgraph compile -o model.wasm') under V8 and prints one JSON line:
{model, engine, median_ms, min_ms, max_ms, mean_ms, runs, warmup, times_ms, ...}

  --fixture DIR     take graph.json, graph.params and inputs/*.npy from DIR
  --input N=F       set graph input N from .npy file F (N defaults to F's stem)
  --engine E        v8 (TurboFan, --no-liftoff) or v8-liftoff (--liftoff-only)
  --warmup N        untimed runs first (default 3)
  --repeat N        timed runs (default 10)
  --output-dir DIR  write output_<i>.npy after the last run
  --workspace-mb N  initial workspace arena (default 16; grows on demand)
  --check           compare outputs with DIR/expected/*.npy (meta.json rule);
                    adds "check":"PASS"|"FAIL" and exits 1 on FAIL

Exit status: 0 ok, 1 load or run failure, 2 usage error.
`;

function engineOfFlags(argv) {
  if (argv.includes("--liftoff-only")) return "v8-liftoff";
  return "v8";
}

async function main(argv) {
  const { opts, positional } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  if (opts.engine !== undefined) {
    const flags = ENGINE_FLAGS[opts.engine];
    if (!flags) throw new UsageError(`--engine must be one of ${Object.keys(ENGINE_FLAGS).join(", ")}`);
    if (!flags.every((f) => process.execArgv.includes(f))) {
      const self = fileURLToPath(import.meta.url);
      const r = spawnSync(process.execPath, [...flags, self, ...argv], { stdio: "inherit" });
      return r.status ?? 1;
    }
  }
  if (!opts.wasm) throw new UsageError("--wasm is required");
  const warmup = intOpt(opts, "warmup", 3, 0);
  const repeat = intOpt(opts, "repeat", 10, 1);
  const wsMb = intOpt(opts, "workspace-mb", 16, 0);
  if (opts.check && !opts.fixture) throw new UsageError("--check needs --fixture");
  const files = resolveFiles(opts);

  const host = new GraphHost({ workspaceBytes: wsMb << 20 });
  const t0 = performance.now();
  await host.load(readFileSync(opts.wasm), readFileSync(files.graph, "utf8"),
    files.params ? readFileSync(files.params) : undefined);
  for (const inp of files.inputs) host.setInput(inp.name, readNpy(inp.path));
  host.checkInputsSet();
  const loadMs = performance.now() - t0;

  const t1 = performance.now();
  for (let i = 0; i < warmup; i++) host.run();
  const warmupMs = performance.now() - t1;
  const times = [];
  const cpu = [];
  for (let i = 0; i < repeat; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    host.run();
    times.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }

  if (opts["output-dir"]) {
    mkdirSync(opts["output-dir"], { recursive: true });
    for (let i = 0; i < host.numOutputs(); i++) {
      const o = host.getOutput(i);
      writeNpy(join(opts["output-dir"], `output_${i}.npy`), o.descr, o.shape, o.data);
    }
  }

  let check;
  if (opts.check) {
    const meta = JSON.parse(readFileSync(join(opts.fixture, "meta.json"), "utf8"));
    check = host.numOutputs() === meta.outputs.length ? "PASS" : "FAIL";
    for (let i = 0; i < meta.outputs.length && i < host.numOutputs(); i++) {
      const want = readNpy(join(opts.fixture, "expected", `${i}.npy`));
      const c = compareOutput(host.getOutput(i), want, meta.atol_by_output[i], meta.rtol);
      if (!c.ok) {
        check = "FAIL";
        process.stderr.write(`run_graph.mjs: ${files.model} output ${i}: ${c.why}\n`);
      }
    }
  }

  const result = {
    model: files.model,
    engine: engineOfFlags(process.execArgv),
    ...stats(times),
    ...cpuStats(cpu),
    runs: repeat,
    warmup,
    times_ms: times.map(round4),
    load_ms: round4(loadMs),
    warmup_total_ms: round4(warmupMs),
    workspace_peak_bytes: host.wsPeak,
    threads: 1,
    node: process.version,
    v8: process.versions.v8,
    v8_flags: process.execArgv.filter((f) => f.startsWith("--")),
    ...(check ? { check } : {}),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  return check === "FAIL" ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`run_graph.mjs: ${e.message}\nTry 'node run_graph.mjs --help'.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`run_graph.mjs: error: ${e.message}\n`);
      process.exitCode = 1;
    }
  });
