// harness.js — the V8 (node) side of the differential fuzzer.
//
//   node harness.js MODULE.wasm CALLS.json
//
// CALLS.json: {"imports": [{"module", "field", "params": "iIfF"}],
//              "calls": [{"name", "params": "iIfF", "results": "..."}]}
// as difffuzz.py derives them from the binary. Every function import is a
// logger; every call passes zeros of the right types (0 or 0n). The output
// uses the same line format as spec_runner's "call" command, so the two can
// be compared line by line:
//   log <module>.<field> <values>
//   result <name> <values>        values: i32:0x..., i64:0x..., f32:0x...
//   trap <name> <class>           (NaN of any payload prints as f32:nan)
// Trap classes are V8's message mapped to wasm-rt's kinds (see TRAPS).
'use strict';
const fs = require('fs');

const [wasmPath, callsPath] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(callsPath, 'utf8'));

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), u64 = new BigUint64Array(f64.buffer);

function hex(n, width) {
  return '0x' + n.toString(16).padStart(width, '0');
}

function fmt(type, v) {
  switch (type) {
    case 'i': return 'i32:' + hex(v >>> 0, 8);
    case 'I': return 'i64:' + hex(BigInt.asUintN(64, v), 16);
    case 'f': f32[0] = v; return Number.isNaN(f32[0]) ? 'f32:nan' : 'f32:' + hex(u32[0], 8);
    case 'F': f64[0] = v; return Number.isNaN(v) ? 'f64:nan' : 'f64:' + hex(u64[0], 16);
  }
  return type + ':?';
}

function fmtAll(types, vals) {
  return Array.from(types).map((t, i) => fmt(t, vals[i])).join(' ');
}

// V8's trap messages -> the class names spec_runner prints.
const TRAPS = [
  [/unreachable/, 'unreachable'],
  [/memory access out of bounds/, 'oob'],
  [/data segment out of bounds|out of bounds memory access/, 'oob'],
  [/table index is out of bounds|element segment out of bounds|table access out of bounds/,
   'oob_or_call_indirect'],
  [/divide by zero|remainder by zero/, 'div_by_zero'],
  [/divide result unrepresentable/, 'int_overflow'],
  [/float unrepresentable in integer range/, 'float_to_int'],
  [/null function or function signature mismatch|null function|signature mismatch/,
   'call_indirect'],
  [/Maximum call stack size exceeded/, 'exhaustion'],
];

function trapClass(e) {
  const msg = String(e && e.message);
  for (const [re, cls] of TRAPS) if (re.test(msg)) return cls;
  return 'other(' + msg.replace(/\s+/g, '_') + ')';
}

const imports = {};
for (const imp of spec.imports) {
  imports[imp.module] = imports[imp.module] || {};
  imports[imp.module][imp.field] = (...args) => {
    console.log('log ' + imp.module + '.' + imp.field +
                (imp.params ? ' ' + fmtAll(imp.params, args) : ''));
  };
}

let instance;
try {
  instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmPath)), imports);
} catch (e) {
  console.log('trap <instantiate> ' + trapClass(e));
  process.exit(0);
}

const zero = { i: 0, I: 0n, f: 0, F: 0 };
for (const c of spec.calls) {
  const args = Array.from(c.params).map((t) => zero[t]);
  try {
    let r = instance.exports[c.name](...args);
    if (c.results.length === 0) console.log('result ' + c.name);
    else if (c.results.length === 1) console.log('result ' + c.name + ' ' + fmt(c.results, r));
    else console.log('result ' + c.name + ' ' + fmtAll(c.results, r));
  } catch (e) {
    console.log('trap ' + c.name + ' ' + trapClass(e));
  }
}
