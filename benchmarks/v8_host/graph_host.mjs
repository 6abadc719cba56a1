// graph_host.mjs — runs a linked TVM wasm32 graph library under V8 the way
// wasmgraph's native runtime runs the wasm2c-translated one.
//
// Memory layout (all in the imported env.memory, above __heap_base; the same
// order as runtime/executor_layout.c with one thread):
//   [DLTensors, 40 B each, + int64 shape arrays]   (tvm-wasm-abi.md §2, §9.4)
//   [per node: TVMValue[n], int32 tcodes[n], 8 B ret value, 4 B ret tcode]
//   [penv {sync_handle=0, num_task=1}]
//   [storage buffers, one per sid, 64-aligned]
//   [workspace arena: LIFO bump allocator, 64-aligned, grows memory on demand]
// Invariants: __wasm_call_ctors runs exactly once, before the plan is
// written; kernels are called through the exported table with the indices
// that TVMBackendRegisterSystemLibSymbol reported; every pointer a kernel
// hands to an import is bounds-checked (an out-of-range one throws, i.e.
// traps); the host re-derives output locations from its own tables, never
// from guest-writable DLTensors. Parallel launches run serially (num_task=1),
// as TVM's own wasm runtimes do.

import { parseGraph, parseParams, elemBytes } from "./tvm_files.mjs";
import { descrForDtype } from "./npy.mjs";

const PAGE = 65536;
const KTVM_NULLPTR = 4;
const KTVM_DLTENSOR_HANDLE = 7;
const DLTENSOR_SIZE = 40;

const align = (x, a) => Math.ceil(x / a) * a;

// ---- math imports (common/host_import_list.h) ------------------------------

// erf in double precision: Taylor series for |x| < 3 (terms stay below
// e^9, so about 12 good digits remain), a continued fraction for erfc up to
// 6, and +-1 beyond (erfc(6) ~ 2e-17). Plenty for float32 and for a peer.
function erf(x) {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  let r;
  if (a < 3) {
    let term = a;
    let sum = a;
    const x2 = a * a;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    r = sum * 1.1283791670955126; // 2/sqrt(pi)
  } else if (a < 6) {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
    let f = a;
    for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / (f * 1.7724538509055159);
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

// C's round(): half away from zero, keeps the sign of zero.
function cRound(x) {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  let r = Math.floor(a);
  if (a - r >= 0.5) r += 1;
  return x < 0 || Object.is(x, -0) ? -r : r;
}

// C's pow() differs from Math.pow for a base of 1 or -1 with NaN/inf exponents.
function cPow(x, y) {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

function ldexp(x, e) {
  // Scale in steps so that 2^e itself never overflows or underflows early.
  let r = x;
  while (e > 1023) { r *= 2 ** 1023; e -= 1023; }
  while (e < -1022) { r *= 2 ** -1022; e += 1022; }
  return r * 2 ** e;
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
function nextafterf(x, y) {
  x = Math.fround(x);
  y = Math.fround(y);
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  if (x === 0) { u32buf[0] = 1; return y > 0 ? f32buf[0] : -f32buf[0]; }
  f32buf[0] = x;
  if ((x < y) === (x > 0)) u32buf[0] += 1; else u32buf[0] -= 1;
  return f32buf[0];
}

const fr = Math.fround;
const MATH_IMPORTS = {
  expf: (x) => fr(Math.exp(x)),
  exp2f: (x) => fr(Math.pow(2, x)),
  expm1f: (x) => fr(Math.expm1(x)),
  logf: (x) => fr(Math.log(x)),
  log2f: (x) => fr(Math.log2(x)),
  log10f: (x) => fr(Math.log10(x)),
  log1pf: (x) => fr(Math.log1p(x)),
  powf: (x, y) => fr(cPow(x, y)),
  sinf: (x) => fr(Math.sin(x)),
  cosf: (x) => fr(Math.cos(x)),
  tanf: (x) => fr(Math.tan(x)),
  tanhf: (x) => fr(Math.tanh(x)),
  sinhf: (x) => fr(Math.sinh(x)),
  coshf: (x) => fr(Math.cosh(x)),
  asinf: (x) => fr(Math.asin(x)),
  acosf: (x) => fr(Math.acos(x)),
  atanf: (x) => fr(Math.atan(x)),
  asinhf: (x) => fr(Math.asinh(x)),
  acoshf: (x) => fr(Math.acosh(x)),
  atanhf: (x) => fr(Math.atanh(x)),
  atan2f: (y, x) => fr(Math.atan2(y, x)),
  erff: (x) => fr(erf(x)),
  roundf: (x) => fr(cRound(x)),
  fmodf: (x, y) => fr(x % y),
  hypotf: (x, y) => fr(Math.hypot(x, y)),
  ldexpf: (x, e) => fr(ldexp(x, e)),
  nextafterf: (x, y) => nextafterf(x, y),
  exp: Math.exp,
  exp2: (x) => Math.pow(2, x),
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  pow: cPow,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  erf,
  round: cRound,
  fmod: (x, y) => x % y,
};
export { MATH_IMPORTS };

// ---- the host ------------------------------------------------------------------

export class GraphHost {
  // opts: {workspaceBytes}: initial size of the workspace arena.
  constructor(opts = {}) {
    this.workspaceBytes = opts.workspaceBytes ?? 16 << 20;
    this.lastError = "";
    this.symbols = new Map();
    this.ctorsDone = false;
    this.buf = null;
  }

  // --- guest memory helpers (views are refreshed after memory.grow) ---
  refresh() {
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8 = new Uint8Array(b);
      this.i32 = new Int32Array(b);
      this.dv = new DataView(b);
    }
  }

  checkRange(ptr, len, what) {
    this.refresh();
    if (ptr < 0 || len < 0 || ptr + len > this.u8.length) {
      throw new WebAssembly.RuntimeError(`${what}: out-of-bounds [${ptr}, +${len}) (memory ${this.u8.length} B)`);
    }
  }

  readCString(ptr, max = 4096) {
    ptr >>>= 0;
    this.checkRange(ptr, 0, "string");
    let end = ptr;
    const lim = Math.min(this.u8.length, ptr + max);
    while (end < lim && this.u8[end] !== 0) end++;
    if (end === this.u8.length) throw new WebAssembly.RuntimeError("string: not NUL-terminated in memory");
    return Buffer.from(this.u8.subarray(ptr, end)).toString("latin1");
  }

  makeImports() {
    const h = this;
    const env = {
      memory: this.memory,
      TVMBackendRegisterSystemLibSymbol(name, ptr) {
        if (h.ctorsDone) return -1;
        h.symbols.set(h.readCString(name), ptr >>> 0);
        return 0;
      },
      TVMAPISetLastError(msg) {
        h.lastError = h.readCString(msg);
      },
      TVMBackendAllocWorkspace(devType, devId, nbytes, codeHint, bitsHint) {
        return h.wsAlloc(Number(BigInt.asUintN(64, BigInt(nbytes))));
      },
      TVMBackendFreeWorkspace(devType, devId, ptr) {
        return h.wsFree(ptr >>> 0);
      },
      TVMBackendParallelLaunch(f, cdata, numTask) {
        let fn = h.lambdas.get(f);
        if (fn === undefined) {
          fn = h.tableFunc(f >>> 0, 3, "parallel lambda");
          h.lambdas.set(f, fn);
        }
        const rc = fn(0, h.penv, cdata);
        if (rc !== 0) {
          h.lastError = `Task 0 error: ${h.lastError}`;
          return -1;
        }
        return 0;
      },
      TVMBackendParallelBarrier() {
        return 0; // one task: nothing to wait for
      },
      TVMBackendGetFuncFromEnv(ctx, name, out) {
        h.lastError = `TVMBackendGetFuncFromEnv(${h.readCString(name)}): packed callbacks are not supported by this peer`;
        return -1;
      },
      TVMFuncCall() {
        h.lastError = "TVMFuncCall: packed callbacks are not supported by this peer";
        return -1;
      },
      memcpy(dst, src, n) {
        dst >>>= 0; src >>>= 0; n >>>= 0;
        h.checkRange(dst, n, "memcpy dst");
        h.checkRange(src, n, "memcpy src");
        h.u8.copyWithin(dst, src, src + n);
        return dst;
      },
      memmove(dst, src, n) {
        dst >>>= 0; src >>>= 0; n >>>= 0;
        h.checkRange(dst, n, "memmove dst");
        h.checkRange(src, n, "memmove src");
        h.u8.copyWithin(dst, src, src + n);
        return dst;
      },
      memset(dst, v, n) {
        dst >>>= 0; n >>>= 0;
        h.checkRange(dst, n, "memset");
        h.u8.fill(v & 0xff, dst, dst + n);
        return dst;
      },
      ...MATH_IMPORTS,
    };
    return { env };
  }

  tableFunc(idx, nparams, what) {
    if (idx >= this.table.length) throw new Error(`${what}: table index ${idx} out of range`);
    const fn = this.table.get(idx);
    if (typeof fn !== "function") throw new Error(`${what}: table slot ${idx} is empty`);
    // JS calls coerce arguments instead of checking the wasm type; the
    // parameter count is the check we can make from here.
    if (fn.length !== nparams) {
      throw new Error(`${what}: table slot ${idx} takes ${fn.length} parameters, expected ${nparams}`);
    }
    return fn;
  }

  // --- workspace arena: LIFO, as kernels free in scope order (§6) ---
  wsAlloc(nbytes) {
    const size = align(Math.max(nbytes, 1), 64);
    const p = this.wsTop;
    const end = p + size;
    if (end > 0xffffffff) {
      this.lastError = `TVMBackendAllocWorkspace(${nbytes}): wasm32 address space exhausted`;
      return 0;
    }
    if (end > this.memory.buffer.byteLength) {
      try {
        this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
      } catch (e) {
        this.lastError = `TVMBackendAllocWorkspace(${nbytes}): cannot grow memory: ${e.message}`;
        return 0;
      }
      this.refresh();
    }
    this.wsStack.push(p);
    this.wsTop = end;
    this.wsPeak = Math.max(this.wsPeak, end - this.wsBase);
    return p;
  }

  wsFree(ptr) {
    const top = this.wsStack.length ? this.wsStack[this.wsStack.length - 1] : -1;
    if (ptr !== top) {
      this.lastError = `TVMBackendFreeWorkspace(${ptr}): not the most recent allocation (${top})`;
      return -1;
    }
    this.wsStack.pop();
    this.wsTop = ptr;
    return 0;
  }

  // Instantiates the module, runs the constructors and lays out the graph.
  async load(wasmBytes, graphText, paramsBytes) {
    const module = await WebAssembly.compile(wasmBytes);
    const memImport = WebAssembly.Module.imports(module).find((i) => i.kind === "memory");
    if (!memImport || memImport.module !== "env" || memImport.name !== "memory") {
      throw new Error("module does not import env.memory (link with --import-memory)");
    }
    // The JS API does not expose the import's limits, so read them from the
    // binary; plan() grows the memory once the layout is known. An imported
    // memory must declare a maximum no larger than the module's (wasmgraph
    // links with 65535 pages), and one if the module declares one.
    this.graph = parseGraph(graphText);
    const limits = memoryImportLimits(wasmBytes);
    this.memory = new WebAssembly.Memory({ initial: limits.initial,
                                          maximum: limits.maximum ?? 65536 });
    this.instance = await WebAssembly.instantiate(module, this.makeImports());
    const ex = this.instance.exports;
    if (!(ex.__indirect_function_table instanceof WebAssembly.Table)) {
      throw new Error("module does not export __indirect_function_table (link with --export-table)");
    }
    if (typeof ex.__wasm_call_ctors !== "function" || !(ex.__heap_base instanceof WebAssembly.Global)) {
      throw new Error("module does not export __wasm_call_ctors and __heap_base");
    }
    this.table = ex.__indirect_function_table;
    this.lambdas = new Map();
    ex.__wasm_call_ctors();
    this.ctorsDone = true;
    if (this.symbols.has("_lookup_linked_param")) {
      throw new Error("linked params (_lookup_linked_param) are not supported by this peer");
    }
    this.plan(ex.__heap_base.value >>> 0);
    if (paramsBytes) this.loadParams(paramsBytes);
  }

  plan(heapBase) {
    const g = this.graph;
    let p = align(heapBase, 64);
    this.tensorAddr = g.entries.map((en) => {
      const a = p;
      p += DLTENSOR_SIZE + 8 * en.shape.length;
      return a;
    });
    const ops = [];
    for (const n of g.nodes) {
      if (n.op !== "tvm_op" || n.func === "__nop") continue;
      const eids = [...n.inputs];
      for (let i = 0; i < n.nout; i++) eids.push(g.rowPtr[n.nid] + i);
      const op = { node: n, eids, n: eids.length };
      op.args = p; p += 8 * eids.length;
      op.tcodes = p; p += 4 * eids.length;
      p = align(p, 8);
      op.rv = p; p += 8;
      op.rtc = p; p += 8;
      ops.push(op);
    }
    this.penv = p; p += 8;
    this.sidAddr = g.sidBytes.map((b) => {
      p = align(p, 64);
      const a = p;
      p += Math.max(b, 1);
      return a;
    });
    this.wsBase = align(p, 64);
    this.wsTop = this.wsBase;
    this.wsStack = [];
    this.wsPeak = 0;
    const need = this.wsBase + this.workspaceBytes;
    if (need > 0xffffffff) throw new Error(`graph needs ${need} bytes, more than wasm32 can address`);
    const cur = this.memory.buffer.byteLength;
    if (need > cur) this.memory.grow(Math.ceil((need - cur) / PAGE));
    this.refresh();

    // Write DLTensors (strides NULL, byte_offset 0, device {kDLCPU, 0}).
    const dv = this.dv;
    g.entries.forEach((en, e) => {
      const a = this.tensorAddr[e];
      this.u8.fill(0, a, a + DLTENSOR_SIZE);
      dv.setUint32(a + 0, this.sidAddr[en.sid], true);
      dv.setInt32(a + 4, 1, true);
      dv.setInt32(a + 8, 0, true);
      dv.setInt32(a + 12, en.shape.length, true);
      dv.setUint8(a + 16, en.dt.code);
      dv.setUint8(a + 17, en.dt.bits);
      dv.setUint16(a + 18, en.dt.lanes, true);
      dv.setUint32(a + 20, a + DLTENSOR_SIZE, true);
      en.shape.forEach((d, k) => dv.setBigInt64(a + DLTENSOR_SIZE + 8 * k, BigInt(d), true));
    });
    dv.setUint32(this.penv, 0, true);
    dv.setInt32(this.penv + 4, 1, true);

    for (const op of ops) {
      const n = op.node;
      if (n.func === "__copy") {
        if (n.inputs.length !== 1 || n.nout !== 1) throw new Error(`node ${n.name}: __copy needs 1 input and 1 output`);
        continue;
      }
      const idx = this.symbols.get(n.func);
      if (idx === undefined) throw new Error(`node ${n.name}: function ${n.func} is not registered by the module`);
      op.fn = this.tableFunc(idx, 6, `node ${n.name} (${n.func})`);
      op.eids.forEach((e, i) => {
        dv.setBigUint64(op.args + 8 * i, BigInt(this.tensorAddr[e]), true);
        dv.setInt32(op.tcodes + 4 * i, KTVM_DLTENSOR_HANDLE, true);
      });
    }
    this.ops = ops;

    // Which arg nodes are set, for a clear error instead of running on zeros.
    this.argSet = new Map(g.argNodes.map((nid) => [nid, false]));
  }

  nodeByName(name) {
    for (const nid of this.graph.argNodes) if (this.graph.nodes[nid].name === name) return nid;
    return -1;
  }

  loadParams(bytes) {
    const g = this.graph;
    let loaded = 0;
    for (const t of parseParams(bytes)) {
      const nid = this.nodeByName(t.name);
      if (nid < 0) continue; // C++ LoadParams ignores unknown names
      const e = g.rowPtr[nid];
      const en = g.entries[e];
      if (t.dt.code !== en.dt.code || t.dt.bits !== en.dt.bits || t.dt.lanes !== en.dt.lanes) {
        throw new Error(`param ${t.name}: dtype differs from graph.json (${en.dtype})`);
      }
      if (t.data.length !== en.bytes) {
        throw new Error(`param ${t.name}: ${t.data.length} bytes, graph.json entry has ${en.bytes}`);
      }
      this.refresh();
      this.u8.set(t.data, this.sidAddr[en.sid]);
      this.argSet.set(nid, true);
      loaded++;
    }
    this.paramsLoaded = loaded;
  }

  inputNames() {
    return this.graph.argNodes.filter((nid) => !this.argSet.get(nid)).map((nid) => this.graph.nodes[nid].name);
  }

  // npy: {descr, shape, data}; requires the graph's dtype and element count.
  setInput(name, npy) {
    const g = this.graph;
    const nid = this.nodeByName(name);
    if (nid < 0) throw new Error(`no graph input named '${name}'`);
    const en = g.entries[g.rowPtr[nid]];
    const want = descrForDtype(en.dtype);
    if (npy.descr !== want) throw new Error(`input ${name}: .npy has ${npy.descr}, graph wants ${want} (${en.dtype})`);
    if (npy.data.length !== en.bytes) {
      throw new Error(`input ${name}: shape [${npy.shape}] does not match graph shape [${en.shape}]`);
    }
    this.refresh();
    this.u8.set(npy.data, this.sidAddr[en.sid]);
    this.argSet.set(nid, true);
  }

  checkInputsSet() {
    const missing = this.inputNames();
    if (missing.length) throw new Error(`inputs not set: ${missing.join(", ")}`);
  }

  run() {
    for (const op of this.ops) {
      if (op.fn === undefined) { // __copy
        const src = this.graph.entries[op.eids[0]];
        const dst = this.graph.entries[op.eids[1]];
        this.refresh();
        this.u8.copyWithin(this.sidAddr[dst.sid], this.sidAddr[src.sid], this.sidAddr[src.sid] + Math.min(src.bytes, dst.bytes));
        continue;
      }
      if (this.memory.buffer !== this.buf) this.refresh();
      this.i32[op.rtc >> 2] = KTVM_NULLPTR;
      this.lastError = "";
      let rc;
      try {
        rc = op.fn(op.args, op.tcodes, op.n, op.rv, op.rtc, 0);
      } catch (e) {
        throw new Error(`node ${op.node.name} (${op.node.func}) trapped: ${e.message}`);
      }
      if (rc !== 0) {
        throw new Error(`node ${op.node.name} (${op.node.func}) returned ${rc}: ${this.lastError || "(no message)"}`);
      }
      if (this.wsStack.length !== 0) {
        throw new Error(`node ${op.node.name} (${op.node.func}) left ${this.wsStack.length} workspace blocks allocated`);
      }
    }
  }

  numOutputs() {
    return this.graph.heads.length;
  }

  // Returns {descr, shape, data(copy)} of output i.
  getOutput(i) {
    const e = this.graph.heads[i];
    const en = this.graph.entries[e];
    this.refresh();
    const a = this.sidAddr[en.sid];
    return { descr: descrForDtype(en.dtype), shape: en.shape, data: this.u8.slice(a, a + en.bytes) };
  }
}

// Reads the minimum page count of the imported memory from the module's
// import section (the JS API does not expose it).
// The limits of the module's imported memory: { initial, maximum } in pages
// (maximum undefined when the import declares none).
export function memoryImportLimits(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let p = 8;
  const leb = () => {
    let r = 0, shift = 0, b;
    do {
      if (p >= u8.length) throw new Error("wasm: truncated LEB128");
      b = u8[p++];
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return r;
  };
  const skipName = () => { const n = leb(); p += n; };
  while (p < u8.length) {
    const id = u8[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        skipName(); skipName();
        const kind = u8[p++];
        if (kind === 0) leb();
        else if (kind === 1) { p++; const fl = leb(); leb(); if (fl & 1) leb(); }
        else if (kind === 2) {
          const fl = leb(), initial = leb();
          return { initial, maximum: fl & 1 ? leb() : undefined };
        }
        else if (kind === 3) { p += 2; }
        else throw new Error(`wasm: unknown import kind ${kind}`);
      }
      return { initial: 1, maximum: undefined };
    }
    p = end;
  }
  return { initial: 1, maximum: undefined };
}

export { elemBytes };
