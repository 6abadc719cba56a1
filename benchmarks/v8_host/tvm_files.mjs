// tvm_files.mjs — readers for TVM's graph.json and graph.params, and the
// storage plan the graph executor derives from them (tvm-wasm-abi.md §7, §8,
// §10).
//
// The plan follows the C++ graph executor: one buffer per storage id, sized
// to the largest entry that uses it (ceil(bits*lanes/8) * prod(shape)) and
// rounded up to 64 bytes; every entry is a view at offset 0 of its sid's
// buffer. All counts and indices from the files are checked before use, so a
// malformed file gives an error message, not a wrong read.

const PARAMS_MAGIC = 0xf7e58d4f05049cb7n;
const NDARRAY_MAGIC = 0xdd5e40f096b4a13fn;

// graph.json dltype string -> DLDataType {code, bits, lanes}.
export function parseDtype(s) {
  let base = s;
  let lanes = 1;
  const x = /^(.*)x(\d+)$/.exec(s);
  if (x && !s.startsWith("custom")) {
    base = x[1];
    lanes = Number(x[2]);
  }
  if (base === "bool") return { code: 1, bits: 1, lanes };
  const m = /^(int|uint|float|bfloat)(\d+)$/.exec(base);
  if (!m) throw new Error(`unsupported dltype '${s}'`);
  const code = { int: 0, uint: 1, float: 2, bfloat: 4 }[m[1]];
  const bits = Number(m[2]);
  if (bits <= 0 || bits > 64 || lanes <= 0 || lanes > 65535) throw new Error(`bad dltype '${s}'`);
  return { code, bits, lanes };
}

export function elemBytes(dt) {
  return Math.ceil((dt.bits * dt.lanes) / 8);
}

function prod(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  if (!Number.isSafeInteger(n)) throw new Error(`shape ${JSON.stringify(shape)} too large`);
  return n;
}

function isIntArray(a) {
  return Array.isArray(a) && a.every((v) => Number.isSafeInteger(v) && v >= 0);
}

function attrPayload(attrs, key, tag) {
  const v = attrs[key];
  if (!Array.isArray(v) || v.length !== 2 || v[0] !== tag) {
    throw new Error(`graph.json: attrs.${key} must be ["${tag}", [...]]`);
  }
  return v[1];
}

// Parses graph.json text and plans storage. Returns
// {nodes, argNodes, heads, rowPtr, entries:[{shape,dtype,dt,sid,bytes}], sidBytes:[...]}.
export function parseGraph(text) {
  const g = JSON.parse(text);
  if (!Array.isArray(g.nodes) || !Array.isArray(g.node_row_ptr) || !Array.isArray(g.heads) ||
      !Array.isArray(g.arg_nodes) || typeof g.attrs !== "object" || g.attrs === null) {
    throw new Error("graph.json: missing nodes, arg_nodes, heads, node_row_ptr or attrs");
  }
  const nn = g.nodes.length;
  const rowPtr = g.node_row_ptr;
  if (rowPtr.length !== nn + 1 || !isIntArray(rowPtr) || rowPtr[0] !== 0) {
    throw new Error("graph.json: node_row_ptr must have nodes+1 entries starting at 0");
  }
  for (let i = 0; i < nn; i++) {
    if (rowPtr[i + 1] < rowPtr[i]) throw new Error("graph.json: node_row_ptr not monotone");
  }
  const ne = rowPtr[nn];
  const shapes = attrPayload(g.attrs, "shape", "list_shape");
  const dltypes = attrPayload(g.attrs, "dltype", "list_str");
  const sids = attrPayload(g.attrs, "storage_id", "list_int");
  if (shapes.length !== ne || dltypes.length !== ne || sids.length !== ne) {
    throw new Error(`graph.json: attrs must have ${ne} entries`);
  }
  if (!isIntArray(sids)) throw new Error("graph.json: bad storage_id");

  const entries = [];
  let nsid = 0;
  for (let e = 0; e < ne; e++) {
    if (!isIntArray(shapes[e])) throw new Error(`graph.json: bad shape for entry ${e}`);
    const dt = parseDtype(dltypes[e]);
    const bytes = elemBytes(dt) * prod(shapes[e]);
    entries.push({ shape: shapes[e], dtype: dltypes[e], dt, sid: sids[e], bytes });
    nsid = Math.max(nsid, sids[e] + 1);
  }
  const sidBytes = new Array(nsid).fill(0);
  for (const en of entries) sidBytes[en.sid] = Math.max(sidBytes[en.sid], en.bytes);

  const entryOf = (ref, what) => {
    if (!Array.isArray(ref) || ref.length < 2 || ref.length > 3 || !isIntArray(ref)) {
      throw new Error(`graph.json: bad entry reference in ${what}`);
    }
    const [nid, idx] = ref;
    if (nid >= nn || idx >= rowPtr[nid + 1] - rowPtr[nid]) {
      throw new Error(`graph.json: entry [${nid}, ${idx}] out of range in ${what}`);
    }
    return rowPtr[nid] + idx;
  };

  const nodes = g.nodes.map((n, nid) => {
    if (typeof n !== "object" || n === null || typeof n.op !== "string" || typeof n.name !== "string") {
      throw new Error(`graph.json: node ${nid} malformed`);
    }
    const inputs = (n.inputs || []).map((r) => entryOf(r, `node ${nid} inputs`));
    const attrs = n.attrs || n.attr || {};
    const nout = rowPtr[nid + 1] - rowPtr[nid];
    if (n.op === "null") return { nid, op: "null", name: n.name, inputs, nout };
    if (n.op !== "tvm_op") throw new Error(`graph.json: node ${nid} has op '${n.op}'`);
    if (typeof attrs.func_name !== "string") throw new Error(`graph.json: node ${nid} lacks func_name`);
    if (attrs.flatten_data !== undefined && attrs.flatten_data !== "0") {
      throw new Error(`graph.json: node ${nid}: flatten_data not supported`);
    }
    return { nid, op: "tvm_op", name: n.name, func: attrs.func_name, inputs, nout };
  });
  const heads = g.heads.map((r) => entryOf(r, "heads"));
  const argNodes = g.arg_nodes;
  if (!isIntArray(argNodes) || argNodes.some((a) => a >= nn || nodes[a].op !== "null")) {
    throw new Error("graph.json: arg_nodes must name null nodes");
  }
  return { nodes, argNodes, heads, rowPtr, entries, sidBytes };
}

// Parses graph.params (dmlc param dict). Returns [{name, dt, shape, data}].
export function parseParams(buf) {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  let p = 0;
  const need = (n, what) => {
    if (p + n > u8.length) throw new Error(`graph.params: truncated at ${what} (offset ${p})`);
  };
  const u64 = (what) => {
    need(8, what);
    const v = dv.getBigUint64(p, true);
    p += 8;
    return v;
  };
  const count = (what, max) => {
    const v = u64(what);
    if (v > BigInt(max)) throw new Error(`graph.params: ${what} ${v} too large`);
    return Number(v);
  };
  if (u64("magic") !== PARAMS_MAGIC) throw new Error("graph.params: bad magic");
  u64("reserved");
  const nnames = count("name count", u8.length);
  const names = [];
  for (let i = 0; i < nnames; i++) {
    const len = count("name length", u8.length);
    need(len, "name");
    names.push(Buffer.from(u8.subarray(p, p + len)).toString("utf8"));
    p += len;
  }
  const ntens = count("tensor count", u8.length);
  if (ntens !== nnames) throw new Error("graph.params: name and tensor counts differ");
  const out = [];
  for (let i = 0; i < ntens; i++) {
    if (u64("tensor magic") !== NDARRAY_MAGIC) throw new Error(`graph.params: bad tensor magic for ${names[i]}`);
    u64("tensor reserved");
    need(16, "tensor header");
    const devType = dv.getInt32(p, true);
    const ndim = dv.getInt32(p + 8, true);
    const dt = { code: u8[p + 12], bits: u8[p + 13], lanes: dv.getUint16(p + 14, true) };
    p += 16;
    if (devType !== 1) throw new Error(`graph.params: ${names[i]} has device_type ${devType}`);
    if (ndim < 0 || ndim > 32) throw new Error(`graph.params: ${names[i]} has ndim ${ndim}`);
    const shape = [];
    for (let k = 0; k < ndim; k++) {
      need(8, "shape");
      const d = dv.getBigInt64(p, true);
      p += 8;
      if (d < 0n || d > BigInt(u8.length) * 8n + 1n) throw new Error(`graph.params: ${names[i]} bad dim ${d}`);
      shape.push(Number(d));
    }
    const size = count("data size", u8.length);
    if (size !== Math.ceil(dt.bits / 8) * prod(shape)) {
      throw new Error(`graph.params: ${names[i]} data size ${size} does not match its shape`);
    }
    need(size, "tensor data");
    out.push({ name: names[i], dt, shape, data: u8.subarray(p, p + size) });
    p += size;
  }
  return out;
}
