#!/usr/bin/env node
// v8_reference.mjs — checks the hand-written expectations of simd_cases.c
// against V8 (node's WebAssembly engine), an implementation independent of
// wasm2c and SIMDe. If a simd.* test fails here too, the expectation is wrong;
// if it fails only through wasmgraph, wasmgraph is wrong.
//
// usage: node v8_reference.mjs SIMD_SEM.WASM CASES.json
//   CASES.json is the output of `simd_semantics --list-json`.
//
// Each case gets a fresh instance (like a fresh executor) over a 3-page
// memory; its runs share it in order. The host side builds what the runtime
// builds: two DLTensors (x, y: uint32[16]) and the TVMValue/type-code
// arrays, then calls the kernel through the table slot the constructor
// registered. Traps must be "memory access out of bounds" RuntimeErrors.
// Prints one line per failing run and "N passed, M failed"; exit 1 on failure.

import { readFileSync } from "node:fs";

const [wasmPath, casesPath] = process.argv.slice(2);
if (!wasmPath || !casesPath) {
  process.stderr.write("usage: node v8_reference.mjs SIMD_SEM.WASM CASES.json\n");
  process.exit(2);
}
const module = new WebAssembly.Module(readFileSync(wasmPath));
const cases = JSON.parse(readFileSync(casesPath, "utf8"));

// guest addresses, all far below the last 32 bytes the memory kernels use
const X = 100032, Y = 100096, XT = 100160, YT = 100224, SHAPE = 100288, ARGS = 100320,
  CODES = 100352, RET = 100368;

function instantiate() {
  const memory = new WebAssembly.Memory({ initial: 3 });
  const mem = () => new DataView(memory.buffer);
  const cstr = (p) => {
    const b = new Uint8Array(memory.buffer);
    let e = p;
    while (b[e]) e++;
    return Buffer.from(b.subarray(p, e)).toString("latin1");
  };
  const registry = new Map();
  const inst = new WebAssembly.Instance(module, {
    env: {
      memory,
      TVMBackendRegisterSystemLibSymbol: (name, ptr) => { registry.set(cstr(name), ptr); return 0; },
    },
  });
  inst.exports.__wasm_call_ctors();
  const dv = mem();
  dv.setBigInt64(SHAPE, 16n, true);
  for (const [t, data] of [[XT, X], [YT, Y]]) {
    dv.setUint32(t, data, true);     // data
    dv.setInt32(t + 4, 1, true);     // device_type kDLCPU
    dv.setInt32(t + 8, 0, true);     // device_id
    dv.setInt32(t + 12, 1, true);    // ndim
    dv.setUint8(t + 16, 1);          // dtype code kDLUInt
    dv.setUint8(t + 17, 32);         // bits
    dv.setUint16(t + 18, 1, true);   // lanes
    dv.setUint32(t + 24, SHAPE, true);
    dv.setUint32(t + 28, 0, true);   // strides
    dv.setBigUint64(t + 32, 0n, true); // byte_offset
  }
  dv.setUint32(ARGS, XT, true);
  dv.setUint32(ARGS + 8, YT, true);
  dv.setInt32(CODES, 7, true);       // kTVMDLTensorHandle
  dv.setInt32(CODES + 4, 7, true);
  return { memory, registry, table: inst.exports.__indirect_function_table };
}

function wordOk(got, want) {
  const nan = (got & 0x7f800000) === 0x7f800000 && (got & 0x007fffff) !== 0;
  if (want === "any") return true;
  if (want === "cnan") return (got & 0x7fffffff) === 0x7fc00000;
  if (want === "anan") return nan && (got & 0x00400000) !== 0;
  return got === want;
}

const hex = (v) => "0x" + (v >>> 0).toString(16).padStart(8, "0");
let passed = 0, failed = 0;
for (const c of cases) {
  const { memory, registry, table } = instantiate();
  const slot = registry.get(c.kernel);
  const fn = slot === undefined ? undefined : table.get(slot);
  c.runs.forEach((run, r) => {
    const label = `${c.kernel} run ${r + 1}`;
    if (!fn) { failed++; console.log(`FAIL ${label}: kernel not registered`); return; }
    const dv = new DataView(memory.buffer);
    run.in.forEach((v, i) => dv.setUint32(X + 4 * i, v, true));
    let trap;
    try {
      const rc = fn(ARGS, CODES, 2, RET, RET + 8, 0);
      if (rc !== 0) trap = `returned ${rc}`;
    } catch (e) {
      trap = e instanceof WebAssembly.RuntimeError ? e.message : `threw ${e}`;
    }
    let why = "";
    if (run.trap) {
      if (trap !== "memory access out of bounds") why = `expected an out-of-bounds trap, got ${trap ?? "none"}`;
    } else if (trap) {
      why = `unexpected ${trap}`;
    } else {
      for (let i = 0; i < 16; i++) {
        const got = dv.getUint32(Y + 4 * i, true);
        if (!wordOk(got, run.want[i])) {
          why += ` y[${i}] = ${hex(got)}, want ${typeof run.want[i] === "string" ? run.want[i] : hex(run.want[i])};`;
        }
      }
    }
    if (why) { failed++; console.log(`FAIL ${label}: ${why}`); } else passed++;
  });
}
console.log(`${passed} passed, ${failed} failed (V8 ${process.versions.v8})`);
if (passed + failed === 0) console.log('FAIL: no check ran');
process.exit(failed || passed + failed === 0 ? 1 : 0);
