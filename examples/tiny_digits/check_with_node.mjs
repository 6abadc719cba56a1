// check_with_node.mjs — runs the tiny_digits example in V8, independently of
// wasmgraph's native runtime, to prove the example itself is right.
//
// Usage: node check_with_node.mjs FIXTURE_DIR LINKED_WASM
//   FIXTURE_DIR  the assembled folder (graph.json, graph.params, inputs/, expected/, meta.json)
//   LINKED_WASM  graph.o linked with: wasm-ld --no-entry --whole-archive graph.o
//                --no-whole-archive --allow-undefined --export=__wasm_call_ctors
//                --export=__heap_base --export=__data_end --export-table --stack-first
//                -z stack-size=1048576 --import-memory -o digits.wasm
//
// It is a second, tiny graph runtime in JS written from tvm-wasm-abi.md: host
// imports (registration, last error, LIFO workspace, serial parallel launch
// with a configurable task count, expf), storage planning per storage_id with
// 64-byte alignment, one 40-byte DLTensor per entry, kernels called by table
// index. It checks the output against expected/0.npy with meta.json's rule
// and the argmax, then checks the kernels' TVM-style failure paths. Exit 0
// only if every check passed.
import fs from 'node:fs';
import path from 'node:path';

const [fixtureDir, wasmPath] = process.argv.slice(2);
if (!fixtureDir || !wasmPath) {
  console.error('usage: node check_with_node.mjs FIXTURE_DIR LINKED_WASM');
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

// ---- file readers -----------------------------------------------------------

function readNpyF32(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: bad magic`);
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: not float32`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const start = 10 + hlen;
  const n = shape.reduce((a, d) => a * d, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readFloatLE(start + 4 * i);
  return { shape, data: out };
}

function readParams(file) {
  const b = fs.readFileSync(file);
  let off = 0;
  const u64 = () => { const v = b.readBigUInt64LE(off); off += 8; return v; };
  if (u64() !== 0xF7E58D4F05049CB7n) throw new Error('bad params magic');
  u64();
  const names = [];
  for (let n = Number(u64()); n > 0; n--) {
    const len = Number(u64());
    names.push(b.toString('latin1', off, off + len));
    off += len;
  }
  const count = Number(u64());
  if (count !== names.length) throw new Error('names/tensors mismatch');
  const params = new Map();
  for (const name of names) {
    if (u64() !== 0xDD5E40F096B4A13Fn) throw new Error('bad tensor magic');
    u64();
    off += 8; // device
    const ndim = b.readInt32LE(off); off += 4;
    off += 4; // dtype (float32 checked by the kernels)
    const shape = [];
    for (let k = 0; k < ndim; k++) shape.push(Number(u64()));
    const nbytes = Number(u64());
    params.set(name, { shape, bytes: b.subarray(off, off + nbytes) });
    off += nbytes;
  }
  if (off !== b.length) throw new Error('trailing bytes in params');
  return params;
}

// ---- the guest and its host imports ----------------------------------------

const graph = JSON.parse(fs.readFileSync(path.join(fixtureDir, 'graph.json'), 'utf8'));
const meta = JSON.parse(fs.readFileSync(path.join(fixtureDir, 'meta.json'), 'utf8'));
const params = readParams(path.join(fixtureDir, 'graph.params'));
const input = readNpyF32(path.join(fixtureDir, 'inputs', 'data.npy'));
const expected = readNpyF32(path.join(fixtureDir, 'expected', '0.npy'));

const memory = new WebAssembly.Memory({ initial: 32 });
const u8 = () => new Uint8Array(memory.buffer);
const dv = () => new DataView(memory.buffer);
function cstring(addr) {
  const m = u8();
  let end = addr;
  while (end < m.length && m[end] !== 0) end++;
  return Buffer.from(m.subarray(addr, end)).toString('latin1');
}

const registry = new Map();
let lastError = '';
let numTasks = 1;
let failNextWorkspace = false;
let heapTop = 0;
const workspaceStack = [];
const tasksSeen = [];
let table = null;

function alloc(nbytes) {
  heapTop = (heapTop + 63) & ~63;
  const p = heapTop;
  heapTop += Math.max(nbytes, 1);
  if (heapTop > memory.buffer.byteLength) throw new Error('out of guest memory');
  return p;
}

const env = {
  memory,
  TVMBackendRegisterSystemLibSymbol(name, ptr) { registry.set(cstring(name), ptr); return 0; },
  TVMAPISetLastError(msg) { lastError = cstring(msg); },
  TVMBackendAllocWorkspace(devType, devId, nbytes, codeHint, bitsHint) {
    if (failNextWorkspace) { failNextWorkspace = false; return 0; }
    const saved = heapTop;
    const p = alloc(Number(nbytes));
    workspaceStack.push({ p, saved });
    return p;
  },
  TVMBackendFreeWorkspace(devType, devId, ptr) {
    const top = workspaceStack.pop();
    if (!top || top.p !== ptr) return -1; // kernels free LIFO
    heapTop = top.saved;
    return 0;
  },
  TVMBackendParallelLaunch(fidx, cdata, numTaskHint) {
    const lambda = table.get(fidx);
    const penv = alloc(8);
    dv().setUint32(penv, 0, true);
    dv().setInt32(penv + 4, numTasks, true);
    tasksSeen.push(numTaskHint);
    let rc = 0;
    for (let t = 0; t < numTasks; t++) if (lambda(t, penv, cdata) !== 0) rc = -1;
    return rc;
  },
  expf: (x) => Math.fround(Math.exp(x)),
};

const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
const importNames = WebAssembly.Module.imports(module).map((i) => i.name).sort();
check(JSON.stringify(importNames) === JSON.stringify(['TVMAPISetLastError', 'TVMBackendAllocWorkspace',
  'TVMBackendFreeWorkspace', 'TVMBackendParallelLaunch', 'TVMBackendRegisterSystemLibSymbol', 'expf',
  'memory']), `imports are ${importNames.join(', ')}`);
const instance = new WebAssembly.Instance(module, { env });
table = instance.exports.__indirect_function_table;
heapTop = instance.exports.__heap_base.value;
instance.exports.__wasm_call_ctors();

const kernels = ['tvmgen_default_fused_nn_dense_add', 'tvmgen_default_fused_nn_dense_add_nn_relu',
  'tvmgen_default_fused_nn_softmax'];
check(registry.has('__tvm_module_ctx') && kernels.every((k) => registry.has(k)) && registry.size === 4,
  `constructor registered ${[...registry.keys()].join(', ')}`);
check(kernels.every((k) => typeof table.get(registry.get(k)) === 'function'),
  'registered kernel pointers are table indices');

// ---- storage and DLTensors, as tvm-wasm-abi.md §8/§9.4 recommend ----------

const { shape: shapes, storage_id: sids, dltype } = Object.fromEntries(
  Object.entries(graph.attrs).map(([k, v]) => [k, v[1]]));
const nEntries = graph.node_row_ptr[graph.nodes.length];
const sidBytes = new Map();
for (let e = 0; e < nEntries; e++) {
  if (dltype[e] !== 'float32') throw new Error('only float32 here');
  const bytes = 4 * shapes[e].reduce((a, d) => a * d, 1);
  sidBytes.set(sids[e], Math.max(sidBytes.get(sids[e]) ?? 0, bytes));
}
const sidAddr = new Map([...sidBytes].map(([sid, bytes]) => [sid, alloc(bytes)]));
check(new Set(sids).size < nEntries, `${nEntries} entries share ${sidBytes.size} storage ids`);

const tensorAddr = [];
for (let e = 0; e < nEntries; e++) {
  const t = alloc(40);
  const shp = alloc(8 * shapes[e].length);
  shapes[e].forEach((d, k) => dv().setBigInt64(shp + 8 * k, BigInt(d), true));
  const v = dv();
  v.setUint32(t + 0, sidAddr.get(sids[e]), true); // data
  v.setInt32(t + 4, 1, true);                      // device_type kDLCPU
  v.setInt32(t + 8, 0, true);                      // device_id
  v.setInt32(t + 12, shapes[e].length, true);      // ndim
  v.setUint8(t + 16, 2); v.setUint8(t + 17, 32); v.setUint16(t + 18, 1, true); // float32
  v.setUint32(t + 20, shp, true);                  // shape
  v.setUint32(t + 24, 0, true);                    // strides = NULL
  v.setBigUint64(t + 32, 0n, true);                // byte_offset
  tensorAddr.push(t);
}
const eid = (nid, idx) => graph.node_row_ptr[nid] + idx;

function setEntry(e, bytes) { u8().set(bytes, sidAddr.get(sids[e])); }
function getEntry(e) {
  const n = shapes[e].reduce((a, d) => a * d, 1);
  return new Float32Array(memory.buffer.slice(sidAddr.get(sids[e]), sidAddr.get(sids[e]) + 4 * n));
}

graph.arg_nodes.forEach((nid) => {
  const name = graph.nodes[nid].name;
  if (params.has(name)) setEntry(eid(nid, 0), params.get(name).bytes);
});
check(graph.arg_nodes.filter((nid) => params.has(graph.nodes[nid].name)).length === params.size,
  `all ${params.size} params match null nodes by name`);

// Per node: TVMValue[n], int32[n], return slot, return tcode slot.
const ops = graph.nodes.map((node, nid) => {
  if (node.op !== 'tvm_op') return null;
  if (node.attrs.func_name === '__nop') return { nop: true };
  const entries = node.inputs.map(([n, i]) => eid(n, i));
  for (let i = 0; i < Number(node.attrs.num_outputs); i++) entries.push(eid(nid, i));
  const args = alloc(8 * entries.length);
  const codes = alloc(4 * entries.length);
  entries.forEach((e, i) => {
    dv().setBigUint64(args + 8 * i, BigInt(tensorAddr[e]), true);
    dv().setInt32(codes + 4 * i, 7, true); // kTVMDLTensorHandle, as the C++ executor
  });
  return { name: node.attrs.func_name, fn: table.get(registry.get(node.attrs.func_name)),
    args, codes, n: entries.length, rv: alloc(8), rtc: alloc(4) };
});

function callOp(op, n = op.n) {
  dv().setInt32(op.rtc, 4, true); // kTVMNullptr
  lastError = '';
  return op.fn(op.args, op.codes, n, op.rv, op.rtc, 0);
}

function run() {
  for (const op of ops) {
    if (!op || op.nop) continue;
    const rc = callOp(op);
    if (rc !== 0) return `${op.name} returned ${rc}: ${lastError}`;
  }
  return '';
}

// ---- the forward pass -------------------------------------------------------

const inputEntry = eid(graph.arg_nodes.find((nid) => graph.nodes[nid].name === 'data'), 0);
const inputBytes = new Uint8Array(input.data.buffer);
const outEntry = eid(graph.heads[0][0], graph.heads[0][1]);
const atol = meta.atol_by_output[0];
const rtol = meta.rtol;

for (const t of [1, 3, 16, 40]) {
  numTasks = t;
  setEntry(inputEntry, inputBytes);
  const err = run();
  check(err === '', `run with num_task=${t}${err ? ': ' + err : ''}`);
  const got = getEntry(outEntry);
  let worst = 0;
  let ok = got.length === expected.data.length;
  for (let i = 0; ok && i < got.length; i++) {
    const diff = Math.abs(got[i] - expected.data[i]);
    worst = Math.max(worst, diff);
    if (!(diff <= atol + rtol * Math.abs(expected.data[i]))) ok = false;
  }
  check(ok, `output matches expected/0.npy (max |diff| ${worst.toExponential(2)}, atol ${atol})`);
  const argmax = got.indexOf(Math.max(...got));
  check(argmax === meta.expected_class && got[argmax] > 0.9,
    `class ${argmax} with p=${got[argmax].toFixed(4)} (want ${meta.expected_class})`);
  if (t === 1) console.log(`     probabilities: ${Array.from(got, (p) => p.toFixed(4)).join(' ')}`);
}
check(tasksSeen.every((n) => n === 0), 'TVMBackendParallelLaunch always gets num_task 0');
check(workspaceStack.length === 0, 'every workspace was freed');

// ---- failure paths: TVM's asserts, last error, -1 ---------------------------

const dense = ops.find((op) => op && op.name === 'tvmgen_default_fused_nn_dense_add_nn_relu');
const softmax = ops.find((op) => op && op.name === 'tvmgen_default_fused_nn_softmax');
numTasks = 2;

let rc = callOp(dense, 3);
check(rc === -1 && lastError.startsWith('Assert fail: num_args == 4, ') &&
  lastError.endsWith('num_args should be 4'), `wrong num_args -> ${rc}, "${lastError}"`);

const codes0 = dv().getInt32(dense.codes, true);
dv().setInt32(dense.codes, 0, true);
rc = callOp(dense);
check(rc === -1 && lastError.endsWith('Expect arg[0] to be pointer'), `int type code -> ${rc}, "${lastError}"`);
dv().setInt32(dense.codes, codes0, true);

// Fields: ndim @12, shape ptr @20 (patch shape[1]), byte_offset @32, device_type @4, device_id @8.
const weightT = Number(dv().getBigUint64(dense.args + 8, true));
const savedNdim = dv().getInt32(weightT + 12, true);
dv().setInt32(weightT + 12, 3, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.ndim is expected to equal 2'), `ndim 3 -> ${rc}, "${lastError}"`);
dv().setInt32(weightT + 12, savedNdim, true);

const shapePtr = dv().getUint32(weightT + 20, true);
dv().setBigInt64(shapePtr + 8, 63n, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.shape[1] has an unsatisfied constraint: 64 =='),
  `shape [16,63] -> ${rc}`);
dv().setBigInt64(shapePtr + 8, 64n, true);

dv().setUint8(weightT + 17, 64);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.dtype is expected to be float32'), `float64 -> ${rc}`);
dv().setUint8(weightT + 17, 32);

dv().setBigUint64(weightT + 32, 4n, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.byte_offset has an unsatisfied constraint'), `byte_offset 4 -> ${rc}`);
dv().setBigUint64(weightT + 32, 0n, true);

dv().setInt32(weightT + 4, 2, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.device_type has an unsatisfied constraint'), `device_type 2 -> ${rc}`);
dv().setInt32(weightT + 4, 1, true);

dv().setInt32(weightT + 8, 1, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.device_id has an unsatisfied constraint'), `device_id 1 vs 0 -> ${rc}`);
dv().setInt32(weightT + 8, 0, true);

// Non-compact strides are rejected; compact explicit strides are accepted.
const strides = alloc(16);
dv().setBigInt64(strides, 64n, true);
dv().setBigInt64(strides + 8, 2n, true);
dv().setUint32(weightT + 24, strides, true);
rc = callOp(dense);
check(rc === -1 && lastError.includes('p1.strides: expected to be compact array'), `strides [64,2] -> ${rc}`);
dv().setBigInt64(strides + 8, 1n, true);
rc = callOp(dense);
check(rc === 0, `strides [64,1] -> ${rc}`);
dv().setUint32(weightT + 24, 0, true);

failNextWorkspace = true;
rc = callOp(softmax);
check(rc === -1 && lastError === '', `workspace NULL -> ${rc} with no message`);

check(callOp(dense) === 0 && callOp(softmax) === 0, 'kernels still succeed after the failures');

console.log(`${passed} checks passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
