// cli_common.mjs — option parsing, input discovery and timing statistics
// shared by the V8 host (run_graph.mjs) and the fixture checker.
//
// The CLI shape is the same for every benchmark peer (V8, wabt interpreter,
// ONNX Runtime): --wasm/--graph/--params/--input/--fixture, --warmup,
// --repeat, --output-dir, and one JSON line on stdout. Usage errors exit 2,
// run failures exit 1 (style-and-conventions.md B.5).

import { readdirSync, existsSync } from "node:fs";
import { basename, join } from "node:path";

export class UsageError extends Error {}

// spec: {name: {arg: bool, multi: bool}}; returns {opts, positional}.
export function parseArgs(argv, spec) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) { positional.push(a); continue; }
    let name = a.slice(2);
    let val;
    const eq = name.indexOf("=");
    if (eq >= 0) { val = name.slice(eq + 1); name = name.slice(0, eq); }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.arg) {
      if (val === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        val = argv[++i];
      }
    } else {
      if (val !== undefined) throw new UsageError(`--${name} takes no value`);
      val = true;
    }
    if (s.multi) (opts[name] ??= []).push(val);
    else opts[name] = val;
  }
  return { opts, positional };
}

export function intOpt(opts, name, dflt, min) {
  if (opts[name] === undefined) return dflt;
  const v = Number(opts[name]);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return v;
}

// Resolves graph/params/inputs from --fixture DIR and explicit options.
// Returns {graph, params, inputs: [{name, path}], model}.
export function resolveFiles(opts) {
  const fx = opts.fixture;
  const graph = opts.graph ?? (fx && join(fx, "graph.json"));
  const params = opts.params ?? (fx && join(fx, "graph.params"));
  if (!graph) throw new UsageError("--graph (or --fixture) is required");
  let inputs = (opts.input ?? []).map((s) => {
    const eq = s.indexOf("=");
    if (eq > 0) return { name: s.slice(0, eq), path: s.slice(eq + 1) };
    return { name: basename(s).replace(/\.npy$/, ""), path: s };
  });
  if (inputs.length === 0 && fx && existsSync(join(fx, "inputs"))) {
    inputs = readdirSync(join(fx, "inputs")).filter((f) => f.endsWith(".npy")).sort()
      .map((f) => ({ name: f.slice(0, -4), path: join(fx, "inputs", f) }));
  }
  const model = opts.model ?? (fx ? basename(fx.replace(/\/+$/, "")) : basename(opts.wasm ?? "model").replace(/\.[^.]*$/, ""));
  return { graph, params: params && existsSync(params) ? params : undefined, inputs, model };
}

export function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const r = (x) => Math.round(x * 1e4) / 1e4;
  return { median_ms: r(median), min_ms: r(s[0]), max_ms: r(s[n - 1]), mean_ms: r(mean) };
}

// CPU time (user + system of the whole process) per run: on a shared 2-core
// machine wall-clock medians drift with other load; CPU time much less so.
export function cpuStats(cpuTimes) {
  const s = stats(cpuTimes);
  return { cpu_median_ms: s.median_ms, cpu_min_ms: s.min_ms };
}

export function round4(x) {
  return Math.round(x * 1e4) / 1e4;
}
