/*
 * wasm_reader.c — reads the module-level structure of a WebAssembly binary.
 *
 * Everything goes through a cursor (`rd`) that knows the end of the region it
 * may read: the file for the section headers, the section for its contents,
 * a subsection for its entries. Every read checks the bytes left first; a
 * read past the region end is "truncated", anything else that breaks the
 * format is "malformed". LEB128 decoding rejects encodings longer than the
 * type allows and unused high bits, as the spec does.
 *
 * Counts taken from the file are checked against the bytes left (every entry
 * is at least one byte) before any allocation, so a hostile count can never
 * make us allocate more than a small multiple of the input size.
 *
 * Only what the translator inspects is kept: types, imports, function type
 * indices, tables, memories, globals (with constant i32 initialisers),
 * exports, where each function body lies, data segment headers (offset and
 * size), the list of sections (wasm_adapt.c copies them), and the custom
 * sections "linking" (symbol table), "target_features", "name" (function
 * and global names) and "producers" (which clang made the file; a malformed
 * one is ignored). Instructions, data bytes and element segments are
 * skipped unread; wasm2c validates them later.
 */
#include "wasm_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd {
  const uint8_t *base; /* start of the whole file: offsets in messages are file offsets */
  size_t pos;
  size_t end;
  bool failed;
  bool truncated;
  bool oom; /* the failure is an allocation failure (status NO_MEMORY) */
  char *err;
  size_t err_size;
} rd;

static void rd_fail(rd *r, bool truncated, const char *fmt, ...) {
  if (r->failed) return;
  r->failed = true;
  r->truncated = truncated;
  if (r->err && r->err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->err_size, fmt, ap);
    va_end(ap);
  }
}

/* Decided by a flag, not by the message: names in messages come from the file. */
static void rd_oom(rd *r) {
  if (!r->failed) r->oom = true;
  rd_fail(r, false, "out of memory");
}

static size_t rd_left(const rd *r) { return r->end - r->pos; }

static bool rd_need(rd *r, size_t n, const char *what) {
  if (r->failed) return false;
  if (rd_left(r) < n) {
    rd_fail(r, true, "truncated wasm file: %s at offset 0x%zx needs %zu bytes, %zu left", what,
            r->pos, n, rd_left(r));
    return false;
  }
  return true;
}

static bool rd_u8(rd *r, uint8_t *out, const char *what) {
  if (!rd_need(r, 1, what)) return false;
  *out = r->base[r->pos++];
  return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static bool rd_uleb(rd *r, unsigned bits, uint64_t *out, const char *what) {
  uint64_t v = 0;
  unsigned shift = 0;
  size_t start = r->pos;
  for (;;) {
    uint8_t b;
    if (!rd_u8(r, &b, what)) return false;
    if (shift + 7 > bits && shift < bits) {
      /* last allowed byte: the bits above `bits` must be zero, no continuation */
      unsigned used = bits - shift;
      if ((b & 0x80) || (b >> used) != 0) {
        rd_fail(r, false, "malformed wasm file: %s: LEB128 at offset 0x%zx is too long", what,
                start);
        return false;
      }
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
    if (shift >= bits) {
      rd_fail(r, false, "malformed wasm file: %s: LEB128 at offset 0x%zx is too long", what, start);
      return false;
    }
  }
  *out = v;
  return true;
}

static bool rd_u32(rd *r, uint32_t *out, const char *what) {
  uint64_t v;
  if (!rd_uleb(r, 32, &v, what)) return false;
  *out = (uint32_t)v;
  return true;
}

/* Signed LEB128 of at most `bits` bits, range-checked. */
static bool rd_sleb(rd *r, unsigned bits, int64_t *out, const char *what) {
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  size_t start = r->pos;
  do {
    if (shift >= (bits + 6) / 7 * 7) { /* ceil(bits/7) bytes at most */
      rd_fail(r, false, "malformed wasm file: %s: LEB128 at offset 0x%zx is too long", what, start);
      return false;
    }
    if (!rd_u8(r, &b, what)) return false;
    v |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
  if (bits < 64) {
    int64_t sv = (int64_t)v;
    int64_t lo = -((int64_t)1 << (bits - 1)), hi = ((int64_t)1 << (bits - 1)) - 1;
    if (sv < lo || sv > hi) {
      rd_fail(r, false, "malformed wasm file: %s: constant at offset 0x%zx out of range", what,
              start);
      return false;
    }
  }
  *out = (int64_t)v;
  return true;
}

static bool rd_skip(rd *r, size_t n, const char *what) {
  if (!rd_need(r, n, what)) return false;
  r->pos += n;
  return true;
}

/* A length-prefixed name, copied and NUL-terminated. Embedded NULs are
 * rejected: every name we keep ends up in a C string or a message. */
static bool rd_name(rd *r, char **out, const char *what) {
  uint32_t len;
  *out = NULL;
  if (!rd_u32(r, &len, what)) return false;
  if (!rd_need(r, len, what)) return false;
  if (memchr(r->base + r->pos, 0, len)) {
    rd_fail(r, false, "malformed wasm file: %s at offset 0x%zx contains a NUL byte", what, r->pos);
    return false;
  }
  char *s = malloc((size_t)len + 1);
  if (!s) {
    rd_oom(r);
    return false;
  }
  memcpy(s, r->base + r->pos, len);
  s[len] = 0;
  r->pos += len;
  *out = s;
  return true;
}

/* A count of entries that each take at least `min_entry` bytes. */
static bool rd_count(rd *r, uint32_t *out, size_t min_entry, const char *what) {
  if (!rd_u32(r, out, what)) return false;
  if (*out > rd_left(r) / min_entry) {
    rd_fail(r, true, "truncated wasm file: %s: count %u at offset 0x%zx exceeds the %zu bytes left",
            what, *out, r->pos, rd_left(r));
    return false;
  }
  return true;
}

static void *rd_calloc(rd *r, size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) rd_oom(r);
  return p;
}

static rd rd_sub(rd *r, size_t len) {
  rd s = *r;
  s.end = r->pos + len;
  return s;
}

static bool valtype_ok(uint8_t t) {
  return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 || t == WASM_V128 ||
         t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static bool rd_valtype(rd *r, uint8_t *out, const char *what) {
  if (!rd_u8(r, out, what)) return false;
  if (!valtype_ok(*out)) {
    rd_fail(r, false, "malformed wasm file: %s: unknown value type 0x%02x at offset 0x%zx", what,
            *out, r->pos - 1);
    return false;
  }
  return true;
}

static bool rd_limits(rd *r, wgc_wasm_limits *l, bool is_memory, const char *what) {
  uint8_t flags;
  memset(l, 0, sizeof *l);
  if (!rd_u8(r, &flags, what)) return false;
  if (flags > 7 || (!is_memory && flags > 1)) {
    rd_fail(r, false, "malformed wasm file: %s: bad limits flags 0x%02x at offset 0x%zx", what,
            flags, r->pos - 1);
    return false;
  }
  l->has_max = flags & 1;
  l->shared = (flags & 2) != 0;
  l->is64 = (flags & 4) != 0;
  unsigned bits = l->is64 ? 64 : 32;
  if (!rd_uleb(r, bits, &l->min, what)) return false;
  if (l->has_max && !rd_uleb(r, bits, &l->max, what)) return false;
  return true;
}

/* ---- sections ----------------------------------------------------------- */

static void read_types(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_types, 3, "type section")) return;
  m->types = rd_calloc(r, m->num_types, sizeof *m->types);
  for (uint32_t i = 0; i < m->num_types && !r->failed; i++) {
    uint8_t form;
    wgc_wasm_functype *t = &m->types[i];
    if (!rd_u8(r, &form, "type section")) return;
    if (form != 0x60) {
      rd_fail(r, false, "malformed wasm file: type %u: form 0x%02x is not a function type", i,
              form);
      return;
    }
    if (!rd_count(r, &t->num_params, 1, "type section")) return;
    t->params = rd_calloc(r, t->num_params, 1);
    for (uint32_t k = 0; k < t->num_params && t->params; k++)
      if (!rd_valtype(r, &t->params[k], "type section")) return;
    if (!rd_count(r, &t->num_results, 1, "type section")) return;
    t->results = rd_calloc(r, t->num_results, 1);
    for (uint32_t k = 0; k < t->num_results && t->results; k++)
      if (!rd_valtype(r, &t->results[k], "type section")) return;
  }
}

static void read_imports(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_imports, 4, "import section")) return;
  m->imports = rd_calloc(r, m->num_imports, sizeof *m->imports);
  for (uint32_t i = 0; i < m->num_imports && !r->failed; i++) {
    wgc_wasm_import *im = &m->imports[i];
    if (!rd_name(r, &im->module, "import module name")) return;
    if (!rd_name(r, &im->name, "import name")) return;
    if (!rd_u8(r, &im->kind, "import kind")) return;
    switch (im->kind) {
      case WASM_EXT_FUNC:
        if (!rd_u32(r, &im->type_index, "import type index")) return;
        if (im->type_index >= m->num_types) {
          rd_fail(r, false, "malformed wasm file: import %s.%s: type index %u out of range",
                  im->module, im->name, im->type_index);
          return;
        }
        m->num_func_imports++;
        break;
      case WASM_EXT_TABLE:
        if (!rd_valtype(r, &im->elem_type, "import table")) return;
        if (!rd_limits(r, &im->limits, false, "import table")) return;
        m->num_table_imports++;
        break;
      case WASM_EXT_MEMORY:
        if (!rd_limits(r, &im->limits, true, "import memory")) return;
        m->num_memory_imports++;
        break;
      case WASM_EXT_GLOBAL: {
        uint8_t mut;
        if (!rd_valtype(r, &im->global_type, "import global")) return;
        if (!rd_u8(r, &mut, "import global")) return;
        if (mut > 1) {
          rd_fail(r, false, "malformed wasm file: import %s.%s: bad mutability", im->module,
                  im->name);
          return;
        }
        im->global_mutable = mut;
        m->num_global_imports++;
        break;
      }
      case WASM_EXT_TAG: {
        uint8_t attr;
        if (!rd_u8(r, &attr, "import tag") || !rd_u32(r, &im->type_index, "import tag")) return;
        break;
      }
      default:
        rd_fail(r, false, "malformed wasm file: import %s.%s: unknown kind 0x%02x", im->module,
                im->name, im->kind);
        return;
    }
  }
}

static void read_functions(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_funcs, 1, "function section")) return;
  m->func_type_indices = rd_calloc(r, m->num_funcs, sizeof *m->func_type_indices);
  for (uint32_t i = 0; i < m->num_funcs && !r->failed; i++) {
    if (!rd_u32(r, &m->func_type_indices[i], "function section")) return;
    if (m->func_type_indices[i] >= m->num_types) {
      rd_fail(r, false, "malformed wasm file: function %u: type index %u out of range",
              m->num_func_imports + i, m->func_type_indices[i]);
      return;
    }
  }
}

static void read_tables(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_tables, 3, "table section")) return;
  m->tables = rd_calloc(r, m->num_tables, sizeof *m->tables);
  for (uint32_t i = 0; i < m->num_tables && !r->failed; i++) {
    uint8_t et;
    if (!rd_valtype(r, &et, "table section")) return;
    if (!rd_limits(r, &m->tables[i], false, "table section")) return;
  }
}

static void read_memories(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_memories, 2, "memory section")) return;
  m->memories = rd_calloc(r, m->num_memories, sizeof *m->memories);
  for (uint32_t i = 0; i < m->num_memories && !r->failed; i++)
    if (!rd_limits(r, &m->memories[i], true, "memory section")) return;
}

/* A constant expression. Its value is recorded when it is a constant i32:
 * `i32.const N`, or (extended-const, LLVM 15+) i32.add/sub/mul over such
 * constants; global.get makes it unknown (imported values). */
static void read_const_expr(rd *r, bool *has_i32, int32_t *i32, const char *what) {
  /* A small stack of i32 values; `known` false once anything non-constant
   * or non-i32 was pushed. Depth beyond 8 only loses the value. */
  uint32_t stack[8];
  int depth = 0, items = 0;
  bool known = true;
  *has_i32 = false;
  for (;;) {
    uint8_t op;
    int64_t sv;
    uint64_t uv;
    if (!rd_u8(r, &op, what)) return;
    if (op == 0x0B) break;
    switch (op) {
      case 0x41: /* i32.const */
        if (!rd_sleb(r, 32, &sv, what)) return;
        if (depth < 8) stack[depth++] = (uint32_t)(int32_t)sv;
        else known = false;
        items++;
        break;
      case 0x6A: /* i32.add, i32.sub, i32.mul (extended-const) */
      case 0x6B:
      case 0x6C:
        if (depth >= 2) {
          uint32_t b = stack[--depth], a = stack[depth - 1];
          stack[depth - 1] = op == 0x6A ? a + b : op == 0x6B ? a - b : a * b;
        } else {
          known = false;
        }
        items--;
        break;
      case 0x7C: /* i64.add, i64.sub, i64.mul: operands are never i32 constants here */
      case 0x7D:
      case 0x7E:
        known = false;
        items--;
        break;
      case 0x42:
        if (!rd_sleb(r, 64, &sv, what)) return;
        known = false;
        items++;
        break;
      case 0x43:
        if (!rd_skip(r, 4, what)) return;
        known = false;
        items++;
        break;
      case 0x44:
        if (!rd_skip(r, 8, what)) return;
        known = false;
        items++;
        break;
      case 0x23: /* global.get */
      case 0xD2: /* ref.func */
        if (!rd_uleb(r, 32, &uv, what)) return;
        known = false;
        items++;
        break;
      case 0xD0: {
        uint8_t t;
        if (!rd_valtype(r, &t, what)) return;
        known = false;
        items++;
        break;
      }
      case 0xFD: /* v128.const: prefix, LEB128 sub-opcode 12, 16 bytes */
        if (!rd_uleb(r, 32, &uv, what)) return;
        if (uv != 12) {
          rd_fail(r, false,
                  "malformed wasm file: %s: unsupported opcode 0xfd %llu in a "
                  "constant expression at offset 0x%zx",
                  what, (unsigned long long)uv, r->pos - 1);
          return;
        }
        if (!rd_skip(r, 16, what)) return;
        known = false;
        items++;
        break;
      default:
        rd_fail(r, false,
                "malformed wasm file: %s: unsupported opcode 0x%02x in a constant "
                "expression at offset 0x%zx",
                what, op, r->pos - 1);
        return;
    }
  }
  if (known && items == 1 && depth == 1) {
    *has_i32 = true;
    *i32 = (int32_t)stack[0];
  }
}

static void read_globals(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_globals, 3, "global section")) return;
  m->globals = rd_calloc(r, m->num_globals, sizeof *m->globals);
  for (uint32_t i = 0; i < m->num_globals && !r->failed; i++) {
    wgc_wasm_global *g = &m->globals[i];
    uint8_t mut;
    if (!rd_valtype(r, &g->type, "global section")) return;
    if (!rd_u8(r, &mut, "global section")) return;
    if (mut > 1) {
      rd_fail(r, false, "malformed wasm file: global %u: bad mutability", i);
      return;
    }
    g->mutable_ = mut;
    read_const_expr(r, &g->has_i32_init, &g->i32_init, "global section");
  }
}

static void read_exports(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_exports, 3, "export section")) return;
  m->exports = rd_calloc(r, m->num_exports, sizeof *m->exports);
  for (uint32_t i = 0; i < m->num_exports && !r->failed; i++) {
    wgc_wasm_export *e = &m->exports[i];
    if (!rd_name(r, &e->name, "export name")) return;
    if (!rd_u8(r, &e->kind, "export kind")) return;
    if (e->kind > WASM_EXT_TAG) {
      rd_fail(r, false, "malformed wasm file: export %s: unknown kind 0x%02x", e->name, e->kind);
      return;
    }
    if (!rd_u32(r, &e->index, "export index")) return;
  }
}

/* Only where each body lies: the code itself is wasm2c's to read. */
static void read_code(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_bodies, 1, "code section")) return;
  m->bodies = rd_calloc(r, m->num_bodies, sizeof *m->bodies);
  for (uint32_t i = 0; i < m->num_bodies && !r->failed; i++) {
    if (!rd_u32(r, &m->bodies[i].size, "code section")) return;
    m->bodies[i].offset = r->pos;
    if (!rd_skip(r, m->bodies[i].size, "function body")) return;
  }
}

/* Segment headers: flags 0 (active, memory 0), 1 (passive), 2 (active,
 * explicit memory); the offset expression and the size, not the bytes. */
static void read_data(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_data_segments, 1, "data section")) return;
  m->data_segments = rd_calloc(r, m->num_data_segments, sizeof *m->data_segments);
  for (uint32_t i = 0; i < m->num_data_segments && !r->failed; i++) {
    wgc_wasm_data_segment *d = &m->data_segments[i];
    uint32_t flags;
    if (!rd_u32(r, &flags, "data section")) return;
    if (flags > 2) {
      rd_fail(r, false, "malformed wasm file: data segment %u: bad flags %u", i, flags);
      return;
    }
    d->passive = flags == 1;
    if (flags == 2 && !rd_u32(r, &d->memory, "data section")) return;
    if (!d->passive) {
      int32_t off = 0;
      read_const_expr(r, &d->has_offset, &off, "data segment offset");
      d->offset = (uint32_t)off;
    }
    if (!rd_u32(r, &d->size, "data section")) return;
    if (!rd_skip(r, d->size, "data segment")) return;
  }
}

/* ---- custom sections ---------------------------------------------------- */

static void read_target_features(rd *r, wgc_wasm_module *m) {
  m->has_target_features = true;
  if (!rd_count(r, &m->num_features, 2, "target_features section")) return;
  m->features = rd_calloc(r, m->num_features, sizeof *m->features);
  for (uint32_t i = 0; i < m->num_features && !r->failed; i++) {
    uint8_t p;
    if (!rd_u8(r, &p, "target_features section")) return;
    if (p != '+' && p != '-' && p != '=') {
      rd_fail(r, false, "malformed wasm file: target_features: bad prefix 0x%02x", p);
      return;
    }
    m->features[i].prefix = (char)p;
    if (!rd_name(r, &m->features[i].name, "target_features section")) return;
  }
}

static const char *import_name_of_kind(const wgc_wasm_module *m, uint8_t ext_kind, uint32_t index) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->num_imports; i++) {
    if (m->imports[i].kind != ext_kind) continue;
    if (k++ == index) return m->imports[i].name;
  }
  return NULL;
}

static void read_symbol_table(rd *r, wgc_wasm_module *m) {
  if (!rd_count(r, &m->num_symbols, 2, "linking symbol table")) return;
  m->symbols = rd_calloc(r, m->num_symbols, sizeof *m->symbols);
  for (uint32_t i = 0; i < m->num_symbols && !r->failed; i++) {
    wgc_wasm_symbol *s = &m->symbols[i];
    uint32_t dummy;
    if (!rd_u8(r, &s->kind, "linking symbol table")) return;
    if (!rd_u32(r, &s->flags, "linking symbol table")) return;
    bool undefined = (s->flags & WASM_SYM_UNDEFINED) != 0;
    switch (s->kind) {
      case WASM_SYM_FUNCTION:
      case WASM_SYM_GLOBAL:
      case WASM_SYM_TAG:
      case WASM_SYM_TABLE: {
        if (!rd_u32(r, &s->index, "linking symbol table")) return;
        if (!undefined || (s->flags & WASM_SYM_EXPLICIT_NAME)) {
          if (!rd_name(r, &s->name, "linking symbol name")) return;
        } else {
          static const uint8_t ext[] = {WASM_EXT_FUNC, 0, WASM_EXT_GLOBAL, 0, WASM_EXT_TAG,
                                        WASM_EXT_TABLE};
          const char *n = import_name_of_kind(m, ext[s->kind], s->index);
          s->name = strdup(n ? n : "");
          if (!s->name) rd_oom(r);
        }
        break;
      }
      case WASM_SYM_DATA:
        if (!rd_name(r, &s->name, "linking symbol name")) return;
        if (!undefined) {
          if (!rd_u32(r, &dummy, "linking symbol table") ||
              !rd_u32(r, &dummy, "linking symbol table") ||
              !rd_u32(r, &dummy, "linking symbol table"))
            return;
        }
        break;
      case WASM_SYM_SECTION:
        if (!rd_u32(r, &s->index, "linking symbol table")) return;
        break;
      default:
        rd_fail(r, false, "malformed wasm file: linking: unknown symbol kind %u", s->kind);
        return;
    }
  }
}

static void read_linking(rd *r, wgc_wasm_module *m) {
  uint32_t version;
  m->has_linking = true;
  if (!rd_u32(r, &version, "linking section")) return;
  if (version != 2) {
    rd_fail(r, false, "unsupported wasm object: linking metadata version %u (expected 2)", version);
    return;
  }
  while (!r->failed && rd_left(r) > 0) {
    uint8_t type;
    uint32_t len;
    if (!rd_u8(r, &type, "linking subsection") || !rd_u32(r, &len, "linking subsection")) return;
    if (!rd_need(r, len, "linking subsection")) return;
    rd sub = rd_sub(r, len);
    if (type == 8 && !m->symbols) {
      read_symbol_table(&sub, m);
      if (sub.failed) {
        *r = sub;
        return;
      }
      if (rd_left(&sub) != 0) {
        rd_fail(r, false, "malformed wasm file: linking symbol table has trailing bytes");
        return;
      }
    }
    r->pos += len;
  }
}

static void read_name_map(rd *r, uint32_t *count, wgc_wasm_name **out, const char *what) {
  if (!rd_count(r, count, 2, what)) return;
  *out = rd_calloc(r, *count, sizeof **out);
  for (uint32_t i = 0; i < *count && !r->failed; i++) {
    if (!rd_u32(r, &(*out)[i].index, what)) return;
    if (!rd_name(r, &(*out)[i].name, what)) return;
  }
}

static void read_names(rd *r, wgc_wasm_module *m) {
  m->has_name_section = true;
  while (!r->failed && rd_left(r) > 0) {
    uint8_t id;
    uint32_t len;
    if (!rd_u8(r, &id, "name subsection") || !rd_u32(r, &len, "name subsection")) return;
    if (!rd_need(r, len, "name subsection")) return;
    rd sub = rd_sub(r, len);
    if (id == 1 && !m->func_names)
      read_name_map(&sub, &m->num_func_names, &m->func_names, "function names");
    else if (id == 7 && !m->global_names)
      read_name_map(&sub, &m->num_global_names, &m->global_names, "global names");
    if (sub.failed) {
      *r = sub;
      return;
    }
    r->pos += len;
  }
}

/* producers: fields, each a list of (name, version). Only processed-by's
 * first clang or LLVM entry is kept; everything else is skipped. */
static void read_producers(rd *r, wgc_wasm_module *m) {
  uint32_t nfields;
  if (!rd_count(r, &nfields, 2, "producers section")) return;
  for (uint32_t f = 0; f < nfields && !r->failed; f++) {
    char *field = NULL;
    uint32_t nvalues;
    if (!rd_name(r, &field, "producers field")) return;
    bool processed_by = strcmp(field, "processed-by") == 0;
    free(field);
    if (!rd_count(r, &nvalues, 2, "producers section")) return;
    for (uint32_t v = 0; v < nvalues && !r->failed; v++) {
      char *name = NULL, *version = NULL;
      if (!rd_name(r, &name, "producers name") || !rd_name(r, &version, "producers version")) {
        free(name);
        return;
      }
      if (processed_by && !m->producer && (strstr(name, "clang") || strstr(name, "LLVM"))) {
        size_t n = strlen(name) + strlen(version) + 2;
        m->producer = malloc(n);
        if (!m->producer) {
          rd_oom(r);
        } else {
          snprintf(m->producer, n, "%s %s", name, version);
          m->producer_llvm_major = atoi(version); /* "19.1.7 (...)" -> 19 */
          if (m->producer_llvm_major < 0 || m->producer_llvm_major > 999)
            m->producer_llvm_major = 0;
        }
      }
      free(name);
      free(version);
    }
  }
}

static void add_section(rd *r, wgc_wasm_module *m, uint8_t id, size_t start, size_t payload,
                        uint32_t size) {
  if (r->failed) return;
  uint32_t n = m->num_sections;
  if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
    /* the capacity is 4, then doubles whenever the count reaches a power of 2 */
    size_t cap = n ? (size_t)n * 2 : 4;
    wgc_wasm_section *s = realloc(m->sections, cap * sizeof *s);
    if (!s) {
      rd_oom(r);
      return;
    }
    m->sections = s;
  }
  m->sections[m->num_sections++] = (wgc_wasm_section){id, start, payload, size, false};
}

/* ---- top level ---------------------------------------------------------- */

wgc_wasm_sniff_kind wgc_wasm_sniff(const uint8_t *d, size_t n) {
  if (n == 0) return WASM_SNIFF_EMPTY;
  if (n >= 4 && memcmp(d, "\0asm", 4) == 0) return WASM_SNIFF_WASM;
  if (n >= 8 && memcmp(d, "!<arch>\n", 8) == 0) return WASM_SNIFF_AR;
  if (n >= 4 && memcmp(d,
                       "\x7f"
                       "ELF",
                       4) == 0)
    return WASM_SNIFF_ELF;
  if (n >= 4 && (memcmp(d, "\xcf\xfa\xed\xfe", 4) == 0 || memcmp(d, "\xce\xfa\xed\xfe", 4) == 0))
    return WASM_SNIFF_MACHO;
  if (n >= 2 && ((d[0] == 0x64 && d[1] == 0x86) || (d[0] == 0x4c && d[1] == 0x01) ||
                 (d[0] == 0x64 && d[1] == 0xaa)))
    return WASM_SNIFF_COFF;
  return WASM_SNIFF_OTHER;
}

static const char *section_name(uint8_t id) {
  static const char *const names[] = {"custom", "type",   "import",    "function", "table",
                                      "memory", "global", "export",    "start",    "element",
                                      "code",   "data",   "datacount", "tag"};
  return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}

wasmgraph_status wgc_wasm_read(const uint8_t *data, size_t size, wgc_wasm_module *out, char *err,
                               size_t err_size) {
  memset(out, 0, sizeof *out);
  if (err && err_size) err[0] = 0;
  rd r = {.base = data, .pos = 0, .end = size, .err = err, .err_size = err_size};
  wgc_wasm_sniff_kind kind = wgc_wasm_sniff(data, size);
  if (kind == WASM_SNIFF_EMPTY) {
    rd_fail(&r, false, "not a wasm file (the file is empty)");
  } else if (kind != WASM_SNIFF_WASM) {
    rd_fail(&r, false, "not a wasm file%s",
            kind == WASM_SNIFF_ELF     ? " (ELF object)"
            : kind == WASM_SNIFF_MACHO ? " (Mach-O object)"
            : kind == WASM_SNIFF_COFF  ? " (COFF object)"
            : kind == WASM_SNIFF_AR    ? " (ar archive)"
                                       : "");
  } else if (size < 8) {
    rd_fail(&r, true, "truncated wasm file: %zu bytes, the header alone needs 8", size);
  } else if (data[4] != 1 || data[5] || data[6] || data[7]) {
    rd_fail(&r, false, "unsupported wasm binary version %u%s",
            (unsigned)(data[4] | data[5] << 8 | data[6] << 16 | (uint32_t)data[7] << 24),
            data[6] || data[7] ? " (a component or a future format)" : "");
  }
  r.pos = 8;
  int last_id = 0;
  while (!r.failed && rd_left(&r) > 0) {
    uint8_t id;
    uint32_t len;
    size_t at = r.pos;
    if (!rd_u8(&r, &id, "section header") || !rd_u32(&r, &len, "section header")) break;
    if (id > 13) {
      rd_fail(&r, false, "malformed wasm file: unknown section id %u at offset 0x%zx", id, at);
      break;
    }
    if (rd_left(&r) < len) {
      rd_fail(&r, true,
              "truncated wasm file: %s section at offset 0x%zx declares %u bytes, %zu left",
              section_name(id), at, len, rd_left(&r));
      break;
    }
    rd s = rd_sub(&r, len);
    add_section(&r, out, id, at, r.pos, len);
    if (r.failed) break;
    /* Known sections appear at most once, in order (datacount sits before code). */
    if (id != 0) {
      int order = id == 12 ? 95 : id == 13 ? 55 : id * 10;
      if (order <= last_id) {
        rd_fail(&r, false, "malformed wasm file: %s section at offset 0x%zx is out of order",
                section_name(id), at);
        break;
      }
      last_id = order;
    }
    switch (id) {
      case 1:
        read_types(&s, out);
        break;
      case 2:
        read_imports(&s, out);
        break;
      case 3:
        read_functions(&s, out);
        break;
      case 4:
        read_tables(&s, out);
        break;
      case 5:
        read_memories(&s, out);
        break;
      case 6:
        read_globals(&s, out);
        break;
      case 7:
        read_exports(&s, out);
        break;
      case 10:
        read_code(&s, out);
        break;
      case 11:
        read_data(&s, out);
        break;
      case 0: {
        char *cname = NULL;
        if (!rd_name(&s, &cname, "custom section name")) break;
        if (out->num_sections && strcmp(cname, "name") == 0)
          out->sections[out->num_sections - 1].is_name = true;
        if (strcmp(cname, "linking") == 0) {
          read_linking(&s, out);
        } else if (strcmp(cname, "target_features") == 0 && !out->has_target_features) {
          read_target_features(&s, out);
        } else if (strcmp(cname, "name") == 0 && !out->has_name_section) {
          read_names(&s, out);
        } else if (strcmp(cname, "producers") == 0 && !out->producer) {
          /* informational only: a malformed producers section is ignored */
          rd p = s;
          p.err = NULL;
          p.err_size = 0;
          read_producers(&p, out);
          if (p.oom) s = p;
          s.pos = s.end;
        } else {
          s.pos = s.end;
        }
        free(cname);
        break;
      }
      default:
        s.pos = s.end;
        break; /* start, element, datacount, tag */
    }
    if (s.failed) {
      r = s;
      break;
    }
    if (((id >= 1 && id <= 7) || id == 10 || id == 11) && rd_left(&s) != 0) {
      rd_fail(&r, false, "malformed wasm file: %s section at offset 0x%zx has %zu trailing bytes",
              section_name(id), at, rd_left(&s));
      break;
    }
    r.pos += len;
  }
  if (r.failed) {
    wgc_wasm_module_free(out);
    return r.oom ? WASMGRAPH_ERR_NO_MEMORY : WASMGRAPH_ERR_FORMAT;
  }
  if (out->num_funcs > UINT32_MAX - out->num_func_imports) {
    wgc_wasm_module_free(out);
    if (err && err_size) snprintf(err, err_size, "malformed wasm file: too many functions");
    return WASMGRAPH_ERR_FORMAT;
  }
  return WASMGRAPH_OK;
}

static void free_names(wgc_wasm_name *n, uint32_t count) {
  for (uint32_t i = 0; n && i < count; i++) free(n[i].name);
  free(n);
}

void wgc_wasm_module_free(wgc_wasm_module *m) {
  if (!m) return;
  for (uint32_t i = 0; m->types && i < m->num_types; i++) {
    free(m->types[i].params);
    free(m->types[i].results);
  }
  free(m->types);
  for (uint32_t i = 0; m->imports && i < m->num_imports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  free(m->imports);
  free(m->func_type_indices);
  free(m->tables);
  free(m->memories);
  free(m->globals);
  for (uint32_t i = 0; m->exports && i < m->num_exports; i++) free(m->exports[i].name);
  free(m->exports);
  for (uint32_t i = 0; m->features && i < m->num_features; i++) free(m->features[i].name);
  free(m->features);
  for (uint32_t i = 0; m->symbols && i < m->num_symbols; i++) free(m->symbols[i].name);
  free(m->symbols);
  free_names(m->func_names, m->num_func_names);
  free_names(m->global_names, m->num_global_names);
  free(m->data_segments);
  free(m->bodies);
  free(m->sections);
  free(m->producer);
  memset(m, 0, sizeof *m);
}

/* ---- queries ------------------------------------------------------------ */

const wgc_wasm_functype *wgc_wasm_func_type(const wgc_wasm_module *m, uint32_t index) {
  if (index < m->num_func_imports) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++) {
      if (m->imports[i].kind != WASM_EXT_FUNC) continue;
      if (k++ == index) return &m->types[m->imports[i].type_index];
    }
    return NULL;
  }
  index -= m->num_func_imports;
  if (index >= m->num_funcs) return NULL;
  return &m->types[m->func_type_indices[index]];
}

const char *wgc_wasm_valtype_name(uint8_t t) {
  switch (t) {
    case WASM_I32:
      return "i32";
    case WASM_I64:
      return "i64";
    case WASM_F32:
      return "f32";
    case WASM_F64:
      return "f64";
    case WASM_V128:
      return "v128";
    case WASM_FUNCREF:
      return "funcref";
    case WASM_EXTERNREF:
      return "externref";
    default:
      return "?";
  }
}

/* Appends to buf at *len, never overflowing; keeps buf terminated. */
static void put(char *buf, size_t size, size_t *len, const char *s) {
  size_t n = strlen(s);
  if (*len >= size) return;
  size_t room = size - *len - 1;
  if (n > room) n = room;
  memcpy(buf + *len, s, n);
  *len += n;
  buf[*len] = 0;
}

void wgc_wasm_functype_format(const wgc_wasm_functype *t, char *buf, size_t size) {
  size_t len = 0;
  if (!size) return;
  buf[0] = 0;
  put(buf, size, &len, "(");
  for (uint32_t i = 0; i < t->num_params; i++) {
    if (i) put(buf, size, &len, ",");
    put(buf, size, &len, wgc_wasm_valtype_name(t->params[i]));
  }
  put(buf, size, &len, ")->");
  if (t->num_results != 1) put(buf, size, &len, "(");
  for (uint32_t i = 0; i < t->num_results; i++) {
    if (i) put(buf, size, &len, ",");
    put(buf, size, &len, wgc_wasm_valtype_name(t->results[i]));
  }
  if (t->num_results != 1) put(buf, size, &len, ")");
}

const wgc_wasm_export *wgc_wasm_find_export(const wgc_wasm_module *m, const char *name,
                                            uint8_t kind) {
  for (uint32_t i = 0; i < m->num_exports; i++)
    if (m->exports[i].kind == kind && strcmp(m->exports[i].name, name) == 0) return &m->exports[i];
  return NULL;
}

static const char *find_name(const wgc_wasm_name *n, uint32_t count, uint32_t index) {
  for (uint32_t i = 0; n && i < count; i++)
    if (n[i].index == index) return n[i].name;
  return NULL;
}

const char *wgc_wasm_func_name(const wgc_wasm_module *m, uint32_t index) {
  return find_name(m->func_names, m->num_func_names, index);
}

const char *wgc_wasm_global_name(const wgc_wasm_module *m, uint32_t index) {
  return find_name(m->global_names, m->num_global_names, index);
}

bool wgc_wasm_has_feature(const wgc_wasm_module *m, const char *name) {
  for (uint32_t i = 0; i < m->num_features; i++)
    if (m->features[i].prefix != '-' && strcmp(m->features[i].name, name) == 0) return true;
  return false;
}
