#!/usr/bin/env node
// run_peers.mjs — measures every benchmark peer on the fixtures and prints a
// Markdown table (the numbers in peers.md come from here). For each model it
// links <fixture>/<variant>/graph.o with link_wasm.sh, then runs, one after
// the other (never in parallel, the machine has 2 cores):
//   V8 TurboFan (--no-liftoff), V8 Liftoff (--liftoff-only),
//   wabt's interpreter (if built; slow, so only --interp-models),
//   ONNX Runtime (if the fixture has model.onnx and onnx_host is installed),
// each with --check, so a wrong answer shows up as FAIL in the table. Every
// peer's JSON line is appended to --out (JSON Lines) for later combination.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, appendFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs, intOpt, UsageError } from "./v8_host/cli_common.mjs";
import { checkOutputDir } from "./v8_host/compare.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SPEC = {
  fixtures: { arg: true }, models: { arg: true }, variant: { arg: true }, warmup: { arg: true },
  repeat: { arg: true }, "interp-bin": { arg: true }, "interp-models": { arg: true },
  out: { arg: true }, help: {},
};
const USAGE = `usage: node run_peers.mjs [--fixtures DIR] [--models a,b] [--variant wasm32|wasm32-simd]
         [--warmup N] [--repeat N] [--interp-bin PATH] [--interp-models a,b] [--out FILE.jsonl]
Defaults: all fixtures, wasm32, warm-up 3 and 20 timed runs for V8 and ONNX Runtime;
the interpreter does 1 warm-up + 3 runs, or 0 + 2 when V8 needs over 50 ms a run.
`;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const line = (r.stdout || "").trim().split("\n").pop();
  let json;
  try { json = JSON.parse(line); } catch { json = undefined; }
  return { ok: r.status === 0 && json !== undefined, json, err: (r.stderr || "").trim() || `exit ${r.status}` };
}

function cell(r) {
  if (!r) return "—";
  if (!r.ok) return `error`;
  const cpu = r.json.cpu_median_ms !== undefined ? ` / ${r.json.cpu_median_ms}` : "";
  return `${r.json.median_ms}${cpu}${r.json.check === "PASS" ? "" : " (FAIL)"}`;
}

function main(argv) {
  const { opts } = parseArgs(argv, SPEC);
  if (opts.help) { process.stdout.write(USAGE); return 0; }
  const dir = opts.fixtures ?? resolve(HERE, "../../shared/fixtures");
  if (!existsSync(dir)) { process.stdout.write(`SKIP: ${dir} not found\n`); return 77; }
  const variant = opts.variant ?? "wasm32";
  const warmup = String(intOpt(opts, "warmup", 3, 0));
  const repeat = String(intOpt(opts, "repeat", 20, 1));
  const models = opts.models ? opts.models.split(",") :
    readdirSync(dir).filter((m) => existsSync(join(dir, m, "meta.json"))).sort();
  // Built by interp_host/CMakeLists.txt into the caller's build tree; without
  // --interp-bin (or $WASMGRAPH_INTERP_BIN) the interpreter column stays empty.
  const interpBin = opts["interp-bin"] ?? process.env.WASMGRAPH_INTERP_BIN ?? "";
  const interpModels = (opts["interp-models"] ?? "mlp,lenet,multi_io,squeezenet1_1,mobilenet_v2").split(",");
  const haveOrt = existsSync(join(HERE, "onnx_host", "node_modules", "onnxruntime-node"));
  const work = mkdtempSync(join(tmpdir(), "wg-peers-"));
  const rows = [];
  const failures = [];
  try {
    for (const m of models) {
      const fx = join(dir, m);
      const wasm = join(work, `${m}.wasm`);
      const link = spawnSync(join(HERE, "link_wasm.sh"), [join(fx, variant, "graph.o"), wasm], { encoding: "utf8" });
      if (link.status !== 0) { failures.push(`${m}: link: ${link.stderr.trim()}`); continue; }
      const common = ["--wasm", wasm, "--fixture", fx, "--check"];
      const res = {};
      const runGraph = join(HERE, "v8_host", "run_graph.mjs");
      res.v8 = run(process.execPath, [runGraph, ...common, "--engine", "v8", "--warmup", warmup, "--repeat", repeat]);
      res.liftoff = run(process.execPath, [runGraph, ...common, "--engine", "v8-liftoff", "--warmup", warmup, "--repeat", repeat]);
      if (interpBin && existsSync(interpBin) && interpModels.includes(m)) {
        const slow = res.v8.ok && res.v8.json.median_ms > 50;
        res.interp = run(interpBin, [...common.filter((a) => a !== "--check"), "--warmup", slow ? "0" : "1",
          "--repeat", slow ? "2" : "3", "--output-dir", join(work, `${m}.interp`)]);
        // The C++ host has no --check; compare the .npy files it wrote.
        if (res.interp.ok) res.interp.json.check = checkOutputDir(fx, join(work, `${m}.interp`)) ? "PASS" : "FAIL";
      }
      if (haveOrt && existsSync(join(fx, "model.onnx"))) {
        res.ort = run(process.execPath, [join(HERE, "onnx_host", "run_onnx.mjs"), "--fixture", fx, "--check",
          "--warmup", warmup, "--repeat", repeat]);
      }
      for (const [k, r] of Object.entries(res)) {
        if (!r.ok) failures.push(`${m} ${k}: ${r.err}`);
        else if (opts.out) appendFileSync(opts.out, JSON.stringify({ ...r.json, variant }) + "\n");
      }
      const row = `| ${m} | ${cell(res.v8)} | ${cell(res.liftoff)} | ${cell(res.interp)} | ${cell(res.ort)} |`;
      rows.push(row);
      process.stderr.write(row + "\n");
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`median ms (wall / process CPU), 1 thread, ${variant}; V8/ORT: ${warmup} warm-up + ${repeat} runs\n\n`);
  process.stdout.write("| model | V8 TurboFan | V8 Liftoff | wabt interp | ONNX Runtime |\n|---|---|---|---|---|\n");
  process.stdout.write(rows.join("\n") + "\n");
  for (const f of failures) process.stdout.write(`error: ${f}\n`);
  return failures.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`run_peers.mjs: ${e.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
