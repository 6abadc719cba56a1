// npy.mjs — minimal NumPy .npy reader/writer (format versions 1.0–3.0) for
// the benchmark peers.
//
// Only C-order, little-endian (or byte-order-free) arrays of the dtypes a TVM
// graph uses are accepted; anything else is an error, never a silent
// reinterpretation. The reader checks every length before it reads, so a
// truncated file fails with a message. Arrays are returned as
// {descr, shape, data: Uint8Array} with the raw element bytes, which is what
// the hosts copy into wasm linear memory.

import { readFileSync, writeFileSync } from "node:fs";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

// graph.json dltype -> .npy descr (style-and-conventions.md B.4).
const DTYPE_TO_DESCR = {
  float16: "<f2", float32: "<f4", float64: "<f8",
  int8: "|i1", int16: "<i2", int32: "<i4", int64: "<i8",
  uint8: "|u1", uint16: "<u2", uint32: "<u4", uint64: "<u8",
  uint1: "|b1", bool: "|b1",
};

export function descrForDtype(dtype) {
  const d = DTYPE_TO_DESCR[dtype];
  if (!d) throw new Error(`no .npy descr for dtype ${dtype}`);
  return d;
}

// Accept "<f4", "=f4" and, for 1-byte types, "|i1"/"<i1"; reject big-endian.
function normalizeDescr(descr) {
  if (descr.length < 3) throw new Error(`bad descr '${descr}'`);
  const order = descr[0];
  const rest = descr.slice(1);
  if (order === ">") {
    if (rest.endsWith("1")) return "|" + rest;
    throw new Error(`big-endian descr '${descr}' not supported`);
  }
  if (rest.endsWith("1") && !rest.endsWith("11")) return "|" + rest;
  return "<" + rest;
}

export function elemSizeOfDescr(descr) {
  const n = Number(descr.slice(2));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bad descr '${descr}'`);
  return n;
}

export function parseNpy(buf, what = "npy") {
  const u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (u8.length < 10) throw new Error(`${what}: too short for a .npy header`);
  for (let i = 0; i < 6; i++) {
    if (u8[i] !== MAGIC[i]) throw new Error(`${what}: not a .npy file (bad magic)`);
  }
  const major = u8[6];
  let hlen, hstart;
  if (major === 1) {
    hlen = u8[8] | (u8[9] << 8);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    if (u8.length < 12) throw new Error(`${what}: truncated header length`);
    hlen = (u8[8] | (u8[9] << 8) | (u8[10] << 16)) + u8[11] * 0x1000000;
    hstart = 12;
  } else {
    throw new Error(`${what}: unsupported .npy version ${major}`);
  }
  if (hstart + hlen > u8.length) throw new Error(`${what}: truncated header`);
  const header = Buffer.from(u8.buffer, u8.byteOffset + hstart, hlen).toString("latin1");
  const descrM = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortM = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrM || !fortM || !shapeM) throw new Error(`${what}: cannot parse header ${header}`);
  if (fortM[1] === "True") throw new Error(`${what}: fortran_order arrays not supported`);
  const shape = shapeM[1].split(",").map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const v = Number(s.replace(/L$/, ""));
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what}: bad dim '${s}'`);
    return v;
  });
  const descr = normalizeDescr(descrM[1]);
  const esize = elemSizeOfDescr(descr);
  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * esize;
  const dstart = hstart + hlen;
  if (dstart + nbytes > u8.length) {
    throw new Error(`${what}: data truncated (need ${nbytes} bytes, have ${u8.length - dstart})`);
  }
  return { descr, shape, data: u8.subarray(dstart, dstart + nbytes) };
}

export function readNpy(path) {
  return parseNpy(readFileSync(path), path);
}

export function encodeNpy(descr, shape, data) {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // numpy pads magic+version+len+header+'\n' to a multiple of 64 bytes.
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(Buffer.from(header, "latin1"), 10);
  out.set(data, 10 + header.length);
  return out;
}

export function writeNpy(path, descr, shape, data) {
  writeFileSync(path, encodeNpy(descr, shape, data));
}

// Typed view of the element bytes, for comparisons. Copies so that the
// result is aligned regardless of the header length.
export function typedView(descr, data) {
  const copy = new Uint8Array(data);
  const b = copy.buffer;
  switch (descr) {
    case "<f4": return new Float32Array(b);
    case "<f8": return new Float64Array(b);
    case "<i4": return new Int32Array(b);
    case "<i8": return new BigInt64Array(b);
    case "<u8": return new BigUint64Array(b);
    case "<u4": return new Uint32Array(b);
    case "<i2": return new Int16Array(b);
    case "<u2": return new Uint16Array(b);
    case "|i1": return new Int8Array(b);
    case "|u1": case "|b1": return new Uint8Array(b);
    default: throw new Error(`no typed view for descr ${descr}`);
  }
}
