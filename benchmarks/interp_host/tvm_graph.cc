// tvm_graph.cc — graph.json / graph.params / .npy readers and the storage
// plan for the wabt interpreter peer (see tvm_graph.h).
//
// The plan is the C++ graph executor's: bytes(sid) = max over its entries of
// ceil(bits*lanes/8) * prod(shape). Every count and index read from a file is
// checked against the data that is actually there before it is used; sizes
// are computed in unsigned 64-bit with overflow checks.

#include "tvm_graph.h"

#include <json-c/json.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace bench {
namespace {

[[noreturn]] void Fail(const std::string& msg) { throw std::runtime_error(msg); }

uint64_t MulChecked(uint64_t a, uint64_t b, const char* what) {
  if (a != 0 && b > UINT64_MAX / a) Fail(std::string(what) + ": size overflows");
  return a * b;
}

uint64_t Prod(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n = MulChecked(n, static_cast<uint64_t>(d), "shape");
  return n;
}

uint64_t ElemBytes(const DType& dt) { return (static_cast<uint64_t>(dt.bits) * dt.lanes + 7) / 8; }

json_object* Get(json_object* o, const char* key) {
  json_object* v = nullptr;
  if (!json_object_object_get_ex(o, key, &v)) return nullptr;
  return v;
}

json_object* GetArray(json_object* o, const char* key) {
  json_object* v = Get(o, key);
  if (!v || !json_object_is_type(v, json_type_array)) Fail(std::string("graph.json: '") + key + "' must be an array");
  return v;
}

uint64_t AsIndex(json_object* v, const char* what) {
  if (!v || !json_object_is_type(v, json_type_int)) Fail(std::string("graph.json: ") + what + " must be an integer");
  int64_t x = json_object_get_int64(v);
  if (x < 0) Fail(std::string("graph.json: ") + what + " is negative");
  return static_cast<uint64_t>(x);
}

json_object* AttrPayload(json_object* attrs, const char* key, const char* tag) {
  json_object* v = Get(attrs, key);
  if (!v || !json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2) {
    Fail(std::string("graph.json: attrs.") + key + " must be [\"" + tag + "\", [...]]");
  }
  json_object* t = json_object_array_get_idx(v, 0);
  json_object* p = json_object_array_get_idx(v, 1);
  if (!json_object_is_type(t, json_type_string) || std::strcmp(json_object_get_string(t), tag) != 0 ||
      !json_object_is_type(p, json_type_array)) {
    Fail(std::string("graph.json: attrs.") + key + " must be [\"" + tag + "\", [...]]");
  }
  return p;
}

// Cursor over a byte buffer that checks before each read.
struct Reader {
  const std::vector<uint8_t>& b;
  size_t p = 0;
  void Need(size_t n, const char* what) const {
    if (n > b.size() - p) Fail(std::string("graph.params: truncated at ") + what);
  }
  uint64_t U64(const char* what) {
    Need(8, what);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[p + i];
    p += 8;
    return v;
  }
  uint32_t U32(const char* what) {
    Need(4, what);
    uint32_t v = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (static_cast<uint32_t>(b[p + 3]) << 24);
    p += 4;
    return v;
  }
};

// Value text of 'key' in a .npy header dict: a quoted string, a word, or a
// parenthesised tuple. Returns false if the key is missing.
bool HeaderValue(const std::string& h, const std::string& key, std::string* out) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) return false;
  size_t p = h.find(':', k);
  if (p == std::string::npos) return false;
  p = h.find_first_not_of(" \t", p + 1);
  if (p == std::string::npos) return false;
  size_t end;
  if (h[p] == '\'') end = h.find('\'', p + 1);
  else if (h[p] == '(') end = h.find(')', p);
  else {
    end = h.find_first_of(",}", p);
    if (end == std::string::npos || end == p) return false;
    end--;
  }
  if (end == std::string::npos) return false;
  *out = h.substr(p, end - p + 1);
  while (!out->empty() && (out->back() == ' ' || out->back() == '\t')) out->pop_back();
  return true;
}

}  // namespace

DType ParseDType(const std::string& s) {
  DType dt;
  if (s == "bool") {
    dt.code = 1; dt.bits = 1; dt.lanes = 1;
    return dt;
  }
  static const std::pair<const char*, uint8_t> kinds[] = {{"bfloat", 4}, {"float", 2}, {"uint", 1}, {"int", 0}};
  size_t pos = 0;
  bool found = false;
  for (const auto& k : kinds) {
    size_t n = std::strlen(k.first);
    if (s.compare(0, n, k.first) == 0) {
      dt.code = k.second;
      pos = n;
      found = true;
      break;
    }
  }
  unsigned long bits = 0, lanes = 1;
  auto digits = [&](unsigned long* out) {
    size_t start = pos;
    unsigned long v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 6) v = v * 10 + static_cast<unsigned long>(s[pos++] - '0');
    *out = v;
    return pos > start;
  };
  bool ok = found && digits(&bits);
  if (ok && pos < s.size() && s[pos] == 'x') {
    pos++;
    ok = digits(&lanes);
  }
  if (!ok || pos != s.size()) Fail("unsupported dltype '" + s + "'");
  if (bits == 0 || bits > 64 || lanes == 0 || lanes > 65535) Fail("bad dltype '" + s + "'");
  dt.bits = static_cast<uint8_t>(bits);
  dt.lanes = static_cast<uint16_t>(lanes);
  return dt;
}

Graph ParseGraph(const std::string& text) {
  json_tokener* tok = json_tokener_new();
  json_object* root = json_tokener_parse_ex(tok, text.c_str(), static_cast<int>(text.size()));
  json_tokener_error jerr = json_tokener_get_error(tok);
  json_tokener_free(tok);
  if (!root || jerr != json_tokener_success) Fail(std::string("graph.json: ") + json_tokener_error_desc(jerr));
  struct Holder {
    json_object* o;
    ~Holder() { json_object_put(o); }
  } holder{root};

  Graph g;
  json_object* nodes = GetArray(root, "nodes");
  json_object* rowptr = GetArray(root, "node_row_ptr");
  json_object* heads = GetArray(root, "heads");
  json_object* args = GetArray(root, "arg_nodes");
  json_object* attrs = Get(root, "attrs");
  if (!attrs || !json_object_is_type(attrs, json_type_object)) Fail("graph.json: attrs must be an object");
  const size_t nn = json_object_array_length(nodes);
  if (json_object_array_length(rowptr) != nn + 1) Fail("graph.json: node_row_ptr must have nodes+1 entries");
  for (size_t i = 0; i <= nn; i++) {
    uint64_t v = AsIndex(json_object_array_get_idx(rowptr, i), "node_row_ptr");
    if ((i == 0 && v != 0) || (i > 0 && v < g.row_ptr.back())) Fail("graph.json: node_row_ptr must rise from 0");
    g.row_ptr.push_back(v);
  }
  const uint64_t ne = g.row_ptr.back();
  json_object* shapes = AttrPayload(attrs, "shape", "list_shape");
  json_object* dltypes = AttrPayload(attrs, "dltype", "list_str");
  json_object* sids = AttrPayload(attrs, "storage_id", "list_int");
  if (json_object_array_length(shapes) != ne || json_object_array_length(dltypes) != ne ||
      json_object_array_length(sids) != ne) {
    Fail("graph.json: attrs must have one value per entry");
  }
  uint64_t nsid = 0;
  for (uint64_t e = 0; e < ne; e++) {
    Entry en;
    json_object* sh = json_object_array_get_idx(shapes, e);
    if (!json_object_is_type(sh, json_type_array)) Fail("graph.json: shape must be an array");
    for (size_t k = 0; k < json_object_array_length(sh); k++) {
      en.shape.push_back(static_cast<int64_t>(AsIndex(json_object_array_get_idx(sh, k), "shape dim")));
    }
    json_object* dts = json_object_array_get_idx(dltypes, e);
    if (!json_object_is_type(dts, json_type_string)) Fail("graph.json: dltype must be a string");
    en.dtype = json_object_get_string(dts);
    en.dt = ParseDType(en.dtype);
    en.sid = AsIndex(json_object_array_get_idx(sids, e), "storage_id");
    if (en.sid >= ne) Fail("graph.json: storage_id out of range");
    en.bytes = MulChecked(ElemBytes(en.dt), Prod(en.shape), "entry");
    nsid = std::max(nsid, en.sid + 1);
    g.entries.push_back(std::move(en));
  }
  g.sid_bytes.assign(nsid, 0);
  for (const Entry& en : g.entries) g.sid_bytes[en.sid] = std::max(g.sid_bytes[en.sid], en.bytes);

  auto entry_of = [&](json_object* ref) -> uint64_t {
    if (!ref || !json_object_is_type(ref, json_type_array) || json_object_array_length(ref) < 2 ||
        json_object_array_length(ref) > 3) {
      Fail("graph.json: bad entry reference");
    }
    uint64_t nid = AsIndex(json_object_array_get_idx(ref, 0), "node id");
    uint64_t idx = AsIndex(json_object_array_get_idx(ref, 1), "output index");
    if (nid >= nn || idx >= g.row_ptr[nid + 1] - g.row_ptr[nid]) Fail("graph.json: entry reference out of range");
    return g.row_ptr[nid] + idx;
  };

  for (size_t i = 0; i < nn; i++) {
    json_object* jn = json_object_array_get_idx(nodes, i);
    json_object* op = jn ? Get(jn, "op") : nullptr;
    json_object* name = jn ? Get(jn, "name") : nullptr;
    if (!op || !name || !json_object_is_type(op, json_type_string) || !json_object_is_type(name, json_type_string)) {
      Fail("graph.json: node " + std::to_string(i) + " malformed");
    }
    Node n;
    n.op = json_object_get_string(op);
    n.name = json_object_get_string(name);
    n.nout = g.row_ptr[i + 1] - g.row_ptr[i];
    if (json_object* ins = Get(jn, "inputs")) {
      if (!json_object_is_type(ins, json_type_array)) Fail("graph.json: inputs must be an array");
      for (size_t k = 0; k < json_object_array_length(ins); k++) n.inputs.push_back(entry_of(json_object_array_get_idx(ins, k)));
    }
    if (n.op == "tvm_op") {
      json_object* at = Get(jn, "attrs");
      if (!at) at = Get(jn, "attr");
      json_object* fn = at ? Get(at, "func_name") : nullptr;
      if (!fn || !json_object_is_type(fn, json_type_string)) Fail("graph.json: node " + n.name + " lacks func_name");
      n.func = json_object_get_string(fn);
      json_object* fl = Get(at, "flatten_data");
      if (fl && std::strcmp(json_object_get_string(fl), "0") != 0) Fail("graph.json: flatten_data not supported");
    } else if (n.op != "null") {
      Fail("graph.json: node " + n.name + " has op '" + n.op + "'");
    }
    g.nodes.push_back(std::move(n));
  }
  for (size_t k = 0; k < json_object_array_length(heads); k++) g.heads.push_back(entry_of(json_object_array_get_idx(heads, k)));
  for (size_t k = 0; k < json_object_array_length(args); k++) {
    uint64_t a = AsIndex(json_object_array_get_idx(args, k), "arg_nodes");
    if (a >= nn || g.nodes[a].op != "null") Fail("graph.json: arg_nodes must name null nodes");
    g.arg_nodes.push_back(a);
  }
  return g;
}

std::vector<Tensor> ParseParams(const std::vector<uint8_t>& buf) {
  Reader r{buf};
  if (r.U64("magic") != 0xF7E58D4F05049CB7ull) Fail("graph.params: bad magic");
  r.U64("reserved");
  uint64_t nnames = r.U64("name count");
  if (nnames > buf.size()) Fail("graph.params: name count too large");
  std::vector<std::string> names;
  for (uint64_t i = 0; i < nnames; i++) {
    uint64_t len = r.U64("name length");
    if (len > buf.size()) Fail("graph.params: name too long");
    r.Need(len, "name");
    names.emplace_back(reinterpret_cast<const char*>(buf.data() + r.p), len);
    r.p += len;
  }
  if (r.U64("tensor count") != nnames) Fail("graph.params: name and tensor counts differ");
  std::vector<Tensor> out;
  for (uint64_t i = 0; i < nnames; i++) {
    Tensor t;
    t.name = names[i];
    if (r.U64("tensor magic") != 0xDD5E40F096B4A13Full) Fail("graph.params: bad tensor magic for " + t.name);
    r.U64("tensor reserved");
    int32_t dev_type = static_cast<int32_t>(r.U32("device_type"));
    r.U32("device_id");
    int32_t ndim = static_cast<int32_t>(r.U32("ndim"));
    r.Need(4, "dtype");
    t.dt.code = buf[r.p];
    t.dt.bits = buf[r.p + 1];
    t.dt.lanes = static_cast<uint16_t>(buf[r.p + 2] | (buf[r.p + 3] << 8));
    r.p += 4;
    if (dev_type != 1) Fail("graph.params: " + t.name + " is not a CPU tensor");
    if (ndim < 0 || ndim > 32) Fail("graph.params: " + t.name + " has a bad ndim");
    for (int32_t k = 0; k < ndim; k++) {
      int64_t d = static_cast<int64_t>(r.U64("shape"));
      if (d < 0) Fail("graph.params: " + t.name + " has a negative dim");
      t.shape.push_back(d);
    }
    uint64_t size = r.U64("data size");
    if (size != MulChecked((t.dt.bits + 7u) / 8u, Prod(t.shape), "param")) {
      Fail("graph.params: " + t.name + " data size does not match its shape");
    }
    r.Need(size, "tensor data");
    t.data.assign(buf.begin() + static_cast<std::ptrdiff_t>(r.p), buf.begin() + static_cast<std::ptrdiff_t>(r.p + size));
    r.p += size;
    out.push_back(std::move(t));
  }
  return out;
}

std::string DescrForDtype(const std::string& dtype) {
  static const std::pair<const char*, const char*> table[] = {
      {"float16", "<f2"}, {"float32", "<f4"}, {"float64", "<f8"}, {"int8", "|i1"},   {"int16", "<i2"},
      {"int32", "<i4"},   {"int64", "<i8"},   {"uint8", "|u1"},   {"uint16", "<u2"}, {"uint32", "<u4"},
      {"uint64", "<u8"},  {"uint1", "|b1"},   {"bool", "|b1"}};
  for (const auto& e : table) {
    if (dtype == e.first) return e.second;
  }
  Fail("no .npy descr for dtype " + dtype);
}

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Fail("cannot open " + path);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) Fail("cannot read " + path);
  return b;
}

Tensor ReadNpy(const std::string& path) {
  std::vector<uint8_t> b = ReadFileBytes(path);
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (b.size() < 10 || std::memcmp(b.data(), magic, 6) != 0) Fail(path + ": not a .npy file");
  size_t hlen, hstart;
  if (b[6] == 1) {
    hlen = b[8] | (b[9] << 8);
    hstart = 10;
  } else if (b[6] == 2 || b[6] == 3) {
    if (b.size() < 12) Fail(path + ": truncated header");
    hlen = b[8] | (b[9] << 8) | (b[10] << 16) | (static_cast<size_t>(b[11]) << 24);
    hstart = 12;
  } else {
    Fail(path + ": unsupported .npy version");
  }
  if (hlen > b.size() - hstart) Fail(path + ": truncated header");
  std::string header(reinterpret_cast<const char*>(b.data() + hstart), hlen);
  std::string descr, fortran, dims;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "fortran_order", &fortran) ||
      !HeaderValue(header, "shape", &dims)) {
    Fail(path + ": cannot parse header");
  }
  if (fortran != "False") Fail(path + ": fortran_order arrays not supported");
  if (descr.size() < 2 || descr.front() != '\'' || descr.back() != '\'' || dims.size() < 2 || dims.front() != '(' ||
      dims.back() != ')') {
    Fail(path + ": cannot parse header");
  }
  Tensor t;
  t.name = path;
  t.descr = descr.substr(1, descr.size() - 2);
  dims = dims.substr(1, dims.size() - 2);
  if (t.descr.size() < 3) Fail(path + ": bad descr");
  if (t.descr[0] == '>' && t.descr.back() != '1') Fail(path + ": big-endian arrays not supported");
  if (t.descr.back() == '1' && t.descr.size() == 3) t.descr[0] = '|';
  else if (t.descr[0] == '=') t.descr[0] = '<';
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t comma = dims.find(',', pos);
    std::string d = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    d.erase(0, d.find_first_not_of(" \t"));
    d.erase(d.find_last_not_of(" \tL") + 1);
    if (!d.empty()) {
      if (d.find_first_not_of("0123456789") != std::string::npos) Fail(path + ": bad dim '" + d + "'");
      t.shape.push_back(static_cast<int64_t>(std::stoull(d)));
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  uint64_t esize = std::stoull(t.descr.substr(2));
  uint64_t nbytes = MulChecked(esize, Prod(t.shape), "npy");
  size_t dstart = hstart + hlen;
  if (nbytes > b.size() - dstart) Fail(path + ": data truncated");
  t.data.assign(b.begin() + static_cast<std::ptrdiff_t>(dstart), b.begin() + static_cast<std::ptrdiff_t>(dstart + nbytes));
  return t;
}

void WriteNpy(const std::string& path, const std::string& descr, const std::vector<int64_t>& shape,
              const uint8_t* data, size_t size) {
  std::string s;
  for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + s + "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) Fail("cannot create " + path);
  const uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size() & 0xff),
                           static_cast<uint8_t>(header.size() >> 8)};
  bool ok = std::fwrite(pre, 1, 10, f) == 10 && std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            std::fwrite(data, 1, size, f) == size;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) Fail("cannot write " + path);
}

}  // namespace bench
