#!/usr/bin/env node
// check_fixtures.mjs — checks that a benchmark peer computes the right
// answers on every fixture in shared/fixtures: links <model>/<variant>/graph.o
// with link_wasm.sh, runs it once, and compares each output with
// expected/<i>.npy under meta.json's tolerance rule. Prints one PASS/FAIL line
// per model, then "N passed, N failed".
//
// By default the graph runs in this process's V8, under whatever flags node
// was started with (node --liftoff-only check_fixtures.mjs checks the
// baseline tier, node --no-liftoff the optimizing tier). --host BIN instead
// runs an external peer with the common CLI (e.g. the wabt interpreter host)
// and compares the .npy files it writes. Exit status: 0 all passed, 1 a
// failure, 2 usage error, 77 fixtures folder missing (ctest SKIP code).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { GraphHost } from "./graph_host.mjs";
import { readNpy } from "./npy.mjs";
import { compareOutput } from "./compare.mjs";
import { parseArgs, resolveFiles, UsageError } from "./cli_common.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_FIXTURES = resolve(HERE, "../../../shared/fixtures");

const SPEC = {
  fixtures: { arg: true }, variant: { arg: true }, models: { arg: true },
  host: { arg: true }, "keep-dir": { arg: true }, help: {},
};

const USAGE = `usage: node [--liftoff-only|--no-liftoff] check_fixtures.mjs [--fixtures DIR]
          [--variant wasm32|wasm32-simd] [--models a,b,...] [--host BIN] [--keep-dir DIR]

Links and runs every fixture, compares with expected/*.npy (meta.json rule).
  --host BIN   run BIN (same CLI as run_graph.mjs) instead of in-process V8
  --keep-dir D keep linked .wasm and outputs in D (default: a temp dir, removed)
`;

async function runInProcess(wasmPath, files) {
  const host = new GraphHost();
  await host.load(readFileSync(wasmPath), readFileSync(files.graph, "utf8"),
    files.params ? readFileSync(files.params) : undefined);
  for (const inp of files.inputs) host.setInput(inp.name, readNpy(inp.path));
  host.checkInputsSet();
  host.run();
  const outs = [];
  for (let i = 0; i < host.numOutputs(); i++) outs.push(host.getOutput(i));
  return outs;
}

function runExternal(bin, wasmPath, fixtureDir, outDir, nOut) {
  const r = spawnSync(bin, ["--wasm", wasmPath, "--fixture", fixtureDir, "--warmup", "0",
    "--repeat", "1", "--output-dir", outDir], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`${bin} exited ${r.status ?? r.signal}: ${(r.stderr || "").trim()}`);
  }
  const outs = [];
  for (let i = 0; i < nOut; i++) outs.push(readNpy(join(outDir, `output_${i}.npy`)));
  return outs;
}

async function checkModel(dir, model, variant, work, hostBin) {
  const fx = join(dir, model);
  const obj = join(fx, variant, "graph.o");
  if (!existsSync(obj)) return { ok: false, msg: `no ${variant}/graph.o` };
  const meta = JSON.parse(readFileSync(join(fx, "meta.json"), "utf8"));
  const wasm = join(work, `${model}.${variant}.wasm`);
  const link = spawnSync(join(HERE, "..", "link_wasm.sh"), [obj, wasm], { encoding: "utf8" });
  if (link.status !== 0) return { ok: false, msg: `link failed: ${link.stderr.trim()}` };
  const files = resolveFiles({ fixture: fx });
  const t0 = performance.now();
  let outs;
  if (hostBin) outs = runExternal(hostBin, wasm, fx, join(work, `${model}.out`), meta.outputs.length);
  else outs = await runInProcess(wasm, files);
  const ms = performance.now() - t0;
  const parts = [];
  let ok = outs.length === meta.outputs.length;
  if (!ok) parts.push(`${outs.length} outputs, expected ${meta.outputs.length}`);
  for (let i = 0; i < meta.outputs.length && i < outs.length; i++) {
    const want = readNpy(join(fx, "expected", `${i}.npy`));
    const c = compareOutput(outs[i], want, meta.atol_by_output[i], meta.rtol);
    ok = ok && c.ok;
    parts.push(c.ok ? `out${i} worst err/tol ${c.worst_ratio.toExponential(2)}` : `out${i}: ${c.why}`);
  }
  return { ok, msg: `${parts.join("; ")} (${(ms / 1000).toFixed(2)} s incl. load)` };
}

async function main(argv) {
  const { opts, positional } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const dir = opts.fixtures ?? DEFAULT_FIXTURES;
  const variant = opts.variant ?? "wasm32";
  if (!existsSync(dir)) {
    process.stdout.write(`SKIP: fixtures folder ${dir} not found\n`);
    return 77;
  }
  const models = opts.models ? opts.models.split(",") :
    readdirSync(dir).filter((m) => existsSync(join(dir, m, "meta.json"))).sort();
  if (opts["keep-dir"]) mkdirSync(opts["keep-dir"], { recursive: true });
  const work = opts["keep-dir"] ?? mkdtempSync(join(tmpdir(), "wg-check-"));
  const engine = opts.host ? opts.host : `v8 (${process.execArgv.join(" ") || "default flags"})`;
  process.stdout.write(`checking ${variant} fixtures in ${dir} with ${engine}\n`);
  let passed = 0, failed = 0;
  try {
    for (const m of models) {
      let r;
      try {
        r = await checkModel(dir, m, variant, work, opts.host);
      } catch (e) {
        r = { ok: false, msg: e.message };
      }
      if (r.ok) passed++; else failed++;
      process.stdout.write(`${r.ok ? "PASS" : "FAIL"} ${m}: ${r.msg}\n`);
    }
  } finally {
    if (!opts["keep-dir"]) rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  if (passed + failed === 0) process.stdout.write(`FAIL: no model with meta.json in ${dir}\n`);
  return failed || passed + failed === 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    const usage = e instanceof UsageError;
    process.stderr.write(`check_fixtures.mjs: ${e.message}\n${usage ? "Try 'node check_fixtures.mjs --help'.\n" : ""}`);
    process.exitCode = usage ? 2 : 1;
  });
