/*
 * wasm_adapt.c — a small binary rewrite that lets any linked module wasm-ld
 * can write run on the runtime, without asking the user to re-link.
 *
 * The runtime owns linear memory (it hands every instance the same imported
 * env.memory, with guard pages), calls kernels by table index, runs
 * __wasm_call_ctors once, gives each thread its own shadow stack through the
 * global wasm2c calls w2c_0x5F_stack_pointer, and places tensors above
 * __heap_base. wasmgraph's own link (link.c) produces exactly that shape;
 * `wasm-ld --no-entry --whole-archive graph.o --allow-undefined
 * --export-dynamic` produces none of it:
 *
 *   memory    defined and exported ("memory")
 *             -> the memory section is dropped and an import env.memory
 *                with the same limits (min, max or none) is added; memory
 *                index 0 stays memory index 0, so no instruction changes.
 *                An import under another name (--import-memory=mod,name) is
 *                renamed. Shared memories are refused.
 *   table     defined, not exported
 *             -> export "__indirect_function_table" (table 0) added.
 *   ctors     not exported (wasm-ld then wraps every export in a
 *             ".command_export" that calls the ctors first)
 *             -> export "__wasm_call_ctors" added for the function the
 *                "name" section calls so, or else wasm-ld's synthetic
 *                function: the first defined function, of type ()->(),
 *                whose body only calls (and drops) constructors.
 *   stack     no "name" section (--strip-all, wasm-strip), or one without
 *             global names (old wasm-ld)
 *             -> wasm-ld's __stack_pointer is always the first defined
 *                global, a mutable i32 with a 16-aligned constant start
 *                inside the initial memory; the "name" section gets (or
 *                keeps, plus) a global-names entry calling it
 *                __stack_pointer, which is all wasm2c needs to name it.
 *   layout    __heap_base / __data_end not exported
 *             -> computed from the data segments and the stack pointer and
 *                added as constant exported globals. .bss may be missing
 *                from the file (wasm-ld drops it for a defined memory and
 *                zero-fills it from __wasm_init_memory with bulk-memory), so:
 *                  stack above data (wasm-ld's default): both are the stack
 *                  top (everything below it belongs to the module);
 *                  stack first (--stack-first), or only passive data: both
 *                  are the end of the initial memory, which wasm-ld never
 *                  makes smaller than its __heap_base.
 *
 * Everything else is copied byte for byte, in order; the new import,
 * global and export sections go where the format puts them, a new "name"
 * section at the end. Nothing that names a byte offset changes meaning (a
 * linked module has no relocations; DWARF addresses code relative to the
 * code section). A module that needs none of this is left alone.
 */
#include "wasm_adapt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_reader.h"

#define TABLE_EXPORT "__indirect_function_table"

/* ---- a growable byte buffer --------------------------------------------- */

typedef struct wb {
  uint8_t *data;
  size_t len, cap;
  bool oom;
} wb;

static void wb_bytes(wb *b, const void *p, size_t n) {
  if (b->oom || n == 0) return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
      b->oom = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void wb_u8(wb *b, uint8_t v) { wb_bytes(b, &v, 1); }

static void wb_uleb(wb *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    wb_u8(b, byte | (v ? 0x80 : 0));
  } while (v);
}

static void wb_sleb(wb *b, int64_t v) {
  for (;;) {
    uint8_t byte = v & 0x7F;
    v >>= 7; /* arithmetic shift: sign-extends */
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wb_u8(b, byte | (done ? 0 : 0x80));
    if (done) return;
  }
}

static void wb_name(wb *b, const char *s) {
  size_t n = strlen(s);
  wb_uleb(b, n);
  wb_bytes(b, s, n);
}

/* id, size, payload: one section from a payload buffer. */
static void wb_section(wb *out, uint8_t id, const wb *payload) {
  wb_u8(out, id);
  wb_uleb(out, payload->len);
  wb_bytes(out, payload->data, payload->len);
  if (payload->oom) out->oom = true;
}

/* ---- reading bits the reader does not keep ------------------------------ */

/* Unsigned LEB128 at *pos (already validated by wgc_wasm_read where the
 * caller uses it; still bounded by `end`). */
static bool get_uleb(const uint8_t *d, size_t end, size_t *pos, uint32_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 35; shift += 7) {
    if (*pos >= end) return false;
    uint8_t b = d[(*pos)++];
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      if (v > UINT32_MAX) return false;
      *out = (uint32_t)v;
      return true;
    }
  }
  return false;
}

/* Does the body hold nothing but `call f` (optionally followed by `drop`)
 * and the final `end`, with no locals? That is wasm-ld's __wasm_call_ctors. */
static bool body_only_calls(const uint8_t *d, const wgc_wasm_body *b) {
  size_t pos = b->offset, end = b->offset + b->size;
  uint32_t locals, callee;
  if (!get_uleb(d, end, &pos, &locals) || locals != 0) return false;
  while (pos < end) {
    uint8_t op = d[pos++];
    if (op == 0x0B) return pos == end;
    if (op == 0x1A) continue; /* drop: a constructor's result */
    if (op != 0x10 || !get_uleb(d, end, &pos, &callee)) return false;
  }
  return false;
}

/* ---- facts about the module --------------------------------------------- */

static const wgc_wasm_export *find_export_any(const wgc_wasm_module *m, const char *name) {
  for (uint32_t i = 0; i < m->num_exports; i++)
    if (strcmp(m->exports[i].name, name) == 0) return &m->exports[i];
  return NULL;
}

static const wgc_wasm_global *defined_global(const wgc_wasm_module *m, uint32_t index) {
  if (index < m->num_global_imports || index - m->num_global_imports >= m->num_globals) return NULL;
  return &m->globals[index - m->num_global_imports];
}

static int64_t name_index(const wgc_wasm_name *names, uint32_t n, const char *name) {
  for (uint32_t i = 0; i < n; i++)
    if (strcmp(names[i].name, name) == 0) return names[i].index;
  return -1;
}

typedef struct plan {
  const wgc_wasm_module *m;
  wgc_wasm_limits memory; /* the limits of the one memory */
  const wgc_wasm_import *memory_import;
  unsigned changes;
  uint32_t sp_index; /* global index of __stack_pointer */
  uint32_t sp_value;
  uint32_t ctors_index;         /* function index, when CTORS_EXPORTED */
  uint32_t heap_base, data_end; /* when *_ADDED */
  char why[200];                /* how the layout was worked out, for the summary */
} plan;

static wasmgraph_status fail(char *err, size_t err_size, wasmgraph_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static wasmgraph_status fail(char *err, size_t err_size, wasmgraph_status st, const char *fmt,
                             ...) {
  if (err && err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return st;
}

static wasmgraph_status plan_memory(plan *p, char *err, size_t err_size) {
  const wgc_wasm_module *m = p->m;
  uint32_t total = m->num_memories + m->num_memory_imports;
  if (total == 0)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "the module has no linear memory: not a TVM graph library");
  if (total > 1)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "the module has %u memories (multi-memory); the runtime serves one", total);
  if (m->num_memories) {
    p->memory = m->memories[0];
    p->changes |= WGC_ADAPT_MEMORY_IMPORTED;
  } else {
    for (uint32_t i = 0; i < m->num_imports; i++)
      if (m->imports[i].kind == WASM_EXT_MEMORY) p->memory_import = &m->imports[i];
    p->memory = p->memory_import->limits;
    if (strcmp(p->memory_import->module, "env") != 0 ||
        strcmp(p->memory_import->name, "memory") != 0)
      p->changes |= WGC_ADAPT_MEMORY_RENAMED;
  }
  if (p->memory.shared)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "the memory is shared (linked with --shared-memory); the runtime serves an "
                "unshared memory: link without --shared-memory");
  if (p->memory.is64)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED, "wasm64 module is not supported");
  if (p->memory.min > 65536 || (p->memory.has_max && p->memory.max > 65536))
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT, "memory limits out of range");
  return WASMGRAPH_OK;
}

static wasmgraph_status plan_table(plan *p, char *err, size_t err_size) {
  const wgc_wasm_module *m = p->m;
  const wgc_wasm_export *e = find_export_any(m, TABLE_EXPORT);
  if (e && e->kind == WASM_EXT_TABLE) return WASMGRAPH_OK;
  if (e)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED, "export %s is not a table", TABLE_EXPORT);
  if (m->num_table_imports)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "the function table is imported (linked with --import-table); the runtime "
                "serves the module's own table: link without --import-table");
  if (m->num_tables != 1)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "the module has %u tables; wasm-ld's one function table (which TVM's "
                "system-lib registration fills) is expected",
                m->num_tables);
  p->changes |= WGC_ADAPT_TABLE_EXPORTED;
  return WASMGRAPH_OK;
}

static wasmgraph_status plan_stack_pointer(plan *p, char *err, size_t err_size) {
  const wgc_wasm_module *m = p->m;
  static const char keep_names[] =
      "keep wasm-ld's \"name\" section (do not link with --strip-all, do not run "
      "wasm-strip or wasm-opt --strip-debug on the module)";
  int64_t named = name_index(m->global_names, m->num_global_names, "__stack_pointer");
  const wgc_wasm_export *e = find_export_any(m, "__stack_pointer");
  const char *how;
  if (named >= 0) {
    p->sp_index = (uint32_t)named;
    how = "named";
  } else if (e && e->kind == WASM_EXT_GLOBAL) {
    p->sp_index = e->index;
    how = "exported";
  } else {
    /* wasm-ld's convention: its synthetic __stack_pointer is the first
     * defined global (a non-PIC link imports no globals). */
    p->sp_index = m->num_global_imports;
    how = NULL;
  }
  const wgc_wasm_global *g = defined_global(m, p->sp_index);
  bool shaped = g && g->type == WASM_I32 && g->mutable_ && g->has_i32_init;
  if (!how) {
    const char *other = wgc_wasm_global_name(m, p->sp_index);
    uint64_t mem_bytes = p->memory.min * 65536u;
    if (!shaped || other || (uint32_t)g->i32_init % 16 || (uint32_t)g->i32_init > mem_bytes)
      return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                  "the module names no __stack_pointer global, and its first global is not "
                  "wasm-ld's stack pointer (a mutable i32 starting 16-aligned inside the "
                  "initial memory): %s",
                  keep_names);
    p->changes |= WGC_ADAPT_STACK_NAMED;
  } else if (!shaped) {
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "__stack_pointer is not a defined mutable i32 global with a constant "
                "initial value");
  } else if (named < 0) {
    p->changes |= WGC_ADAPT_STACK_NAMED; /* exported but unnamed: wasm2c needs the name */
  }
  p->sp_value = (uint32_t)g->i32_init;
  return WASMGRAPH_OK;
}

static wasmgraph_status plan_ctors(plan *p, const uint8_t *data, char *err, size_t err_size) {
  const wgc_wasm_module *m = p->m;
  const wgc_wasm_export *e = find_export_any(m, "__wasm_call_ctors");
  if (e && e->kind == WASM_EXT_FUNC) return WASMGRAPH_OK;
  if (e)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "export __wasm_call_ctors is not a function");
  static const char relink[] =
      "relink with --export=__wasm_call_ctors (wasmgraph runs TVM's system-lib "
      "constructor through it)";
  int64_t named = name_index(m->func_names, m->num_func_names, "__wasm_call_ctors");
  uint32_t f = named >= 0 ? (uint32_t)named : m->num_func_imports;
  const wgc_wasm_functype *t = wgc_wasm_func_type(m, f);
  bool is_ctors = t && !t->num_params && !t->num_results && f >= m->num_func_imports &&
                  f - m->num_func_imports < m->num_bodies &&
                  (named >= 0 || body_only_calls(data, &m->bodies[f - m->num_func_imports]));
  if (!is_ctors)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                named >= 0 ? "__wasm_call_ctors is not a defined ()->() function"
                           : "the module does not export __wasm_call_ctors and has no "
                             "function wasm-ld would have made for it: %s",
                relink);
  p->ctors_index = f;
  p->changes |= WGC_ADAPT_CTORS_EXPORTED;
  return WASMGRAPH_OK;
}

static uint32_t align16(uint64_t v) { return (uint32_t)((v + 15) & ~(uint64_t)15); }

static bool exported_const(const wgc_wasm_module *m, const char *name, uint32_t *out) {
  const wgc_wasm_export *e = find_export_any(m, name);
  const wgc_wasm_global *g = e && e->kind == WASM_EXT_GLOBAL ? defined_global(m, e->index) : NULL;
  if (!g || g->type != WASM_I32 || g->mutable_ || !g->has_i32_init) return false;
  *out = (uint32_t)g->i32_init;
  return true;
}

static wasmgraph_status plan_layout(plan *p, char *err, size_t err_size) {
  const wgc_wasm_module *m = p->m;
  uint32_t heap_base = 0, data_end = 0;
  bool has_heap = exported_const(m, "__heap_base", &heap_base);
  bool has_end = exported_const(m, "__data_end", &data_end);
  if (has_heap && has_end) return WASMGRAPH_OK;
  static const char relink[] = "relink with --export=__heap_base --export=__data_end";
  static const char *const names[] = {"__heap_base", "__data_end"};
  for (int i = 0; i < 2; i++) {
    uint32_t ignored;
    if (find_export_any(m, names[i]) && !exported_const(m, names[i], &ignored))
      return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                  "export %s is not a constant i32 global", names[i]);
  }

  uint64_t seg_start = UINT64_MAX, seg_end = 0;
  bool passive = false;
  for (uint32_t i = 0; i < m->num_data_segments; i++) {
    const wgc_wasm_data_segment *d = &m->data_segments[i];
    if (d->passive) {
      passive = true;
      continue;
    }
    if (!d->has_offset)
      return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                  "data segment %u is not at a constant address (a position-independent "
                  "link?): link without -pie/--shared/--experimental-pic",
                  i);
    if (d->offset < seg_start) seg_start = d->offset;
    if ((uint64_t)d->offset + d->size > seg_end) seg_end = (uint64_t)d->offset + d->size;
  }
  /* .bss is never certain to be in the file: wasm-ld leaves it out for a
   * defined memory, and with bulk-memory it zero-fills it from
   * __wasm_init_memory instead. So the data is taken to reach the stack (stack
   * above data) or the end of the initial memory (stack first), both of
   * which wasm-ld places at or above the real __heap_base. */
  uint64_t mem_bytes = p->memory.min * 65536u;
  uint32_t sp = p->sp_value;
  if (seg_end == 0 && passive) {
    data_end = has_end ? data_end : (uint32_t)mem_bytes;
    heap_base = has_heap ? heap_base : align16(data_end);
    snprintf(p->why, sizeof p->why, "passive data: the heap starts after the initial memory");
  } else if (seg_end == 0 || sp >= seg_end) {
    /* wasm-ld's default: data, then the stack, then the heap at the stack top */
    heap_base = has_heap ? heap_base : align16(sp);
    data_end = has_end ? data_end : sp;
    snprintf(p->why, sizeof p->why, "stack above data: heap at the stack top %u", sp);
  } else if (sp <= seg_start) {
    /* --stack-first: the stack, then data, then the heap */
    data_end = has_end ? data_end : (uint32_t)mem_bytes;
    heap_base = has_heap ? heap_base : align16(data_end);
    snprintf(p->why, sizeof p->why, "stack first: data taken to end with the initial memory");
  } else {
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "cannot tell where the module's data ends (the stack pointer %u lies inside "
                "its data, %llu..%llu): %s",
                sp, (unsigned long long)seg_start, (unsigned long long)seg_end, relink);
  }
  if (heap_base > mem_bytes || data_end > heap_base)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "cannot place the heap: data ends at %u, heap base %u, initial memory %llu "
                "bytes: %s",
                data_end, heap_base, (unsigned long long)mem_bytes, relink);
  if (!has_heap) p->changes |= WGC_ADAPT_HEAP_BASE_ADDED;
  if (!has_end) p->changes |= WGC_ADAPT_DATA_END_ADDED;
  p->heap_base = heap_base;
  p->data_end = data_end;
  return WASMGRAPH_OK;
}

/* ---- writing the new sections ------------------------------------------- */

static void put_limits(wb *b, const wgc_wasm_limits *l) {
  wb_u8(b, (uint8_t)((l->has_max ? 1 : 0) | (l->shared ? 2 : 0) | (l->is64 ? 4 : 0)));
  wb_uleb(b, l->min);
  if (l->has_max) wb_uleb(b, l->max);
}

/* The import section, re-encoded from what the reader kept: every import as
 * it was, the memory one as env.memory, plus env.memory for a defined one. */
static void put_imports(wb *b, const plan *p) {
  const wgc_wasm_module *m = p->m;
  bool add = p->changes & WGC_ADAPT_MEMORY_IMPORTED;
  wb_uleb(b, m->num_imports + (add ? 1 : 0));
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const wgc_wasm_import *im = &m->imports[i];
    bool mem = im->kind == WASM_EXT_MEMORY;
    wb_name(b, mem ? "env" : im->module);
    wb_name(b, mem ? "memory" : im->name);
    wb_u8(b, im->kind);
    switch (im->kind) {
      case WASM_EXT_FUNC:
        wb_uleb(b, im->type_index);
        break;
      case WASM_EXT_TABLE:
        wb_u8(b, im->elem_type);
        put_limits(b, &im->limits);
        break;
      case WASM_EXT_MEMORY:
        put_limits(b, &im->limits);
        break;
      case WASM_EXT_GLOBAL:
        wb_u8(b, im->global_type);
        wb_u8(b, im->global_mutable ? 1 : 0);
        break;
      default: /* tag: attribute 0, type */
        wb_u8(b, 0);
        wb_uleb(b, im->type_index);
        break;
    }
  }
  if (add) {
    wb_name(b, "env");
    wb_name(b, "memory");
    wb_u8(b, WASM_EXT_MEMORY);
    put_limits(b, &p->memory);
  }
}

static uint32_t added_globals(const plan *p) {
  return ((p->changes & WGC_ADAPT_HEAP_BASE_ADDED) ? 1 : 0) +
         ((p->changes & WGC_ADAPT_DATA_END_ADDED) ? 1 : 0);
}

/* The global section: the old entries (payload after its count), then one
 * immutable i32 per added layout value. */
static void put_globals(wb *b, const plan *p, const uint8_t *old, size_t old_len) {
  uint32_t count = 0;
  size_t pos = 0;
  if (old && !get_uleb(old, old_len, &pos, &count)) count = 0;
  wb_uleb(b, count + added_globals(p));
  if (old) wb_bytes(b, old + pos, old_len - pos);
  const uint32_t values[2] = {p->heap_base, p->data_end};
  const unsigned bits[2] = {WGC_ADAPT_HEAP_BASE_ADDED, WGC_ADAPT_DATA_END_ADDED};
  for (int i = 0; i < 2; i++) {
    if (!(p->changes & bits[i])) continue;
    wb_u8(b, WASM_I32);
    wb_u8(b, 0);
    wb_u8(b, 0x41);
    wb_sleb(b, (int32_t)values[i]);
    wb_u8(b, 0x0B);
  }
}

static void put_exports(wb *b, const plan *p, const uint8_t *old, size_t old_len) {
  const wgc_wasm_module *m = p->m;
  uint32_t count = 0, add = 0;
  size_t pos = 0;
  if (old && !get_uleb(old, old_len, &pos, &count)) count = 0;
  add += (p->changes & WGC_ADAPT_TABLE_EXPORTED) ? 1 : 0;
  add += (p->changes & WGC_ADAPT_CTORS_EXPORTED) ? 1 : 0;
  add += added_globals(p);
  wb_uleb(b, count + add);
  if (old) wb_bytes(b, old + pos, old_len - pos);
  if (p->changes & WGC_ADAPT_TABLE_EXPORTED) {
    wb_name(b, TABLE_EXPORT);
    wb_u8(b, WASM_EXT_TABLE);
    wb_uleb(b, 0);
  }
  if (p->changes & WGC_ADAPT_CTORS_EXPORTED) {
    wb_name(b, "__wasm_call_ctors");
    wb_u8(b, WASM_EXT_FUNC);
    wb_uleb(b, p->ctors_index);
  }
  /* new globals follow every existing one */
  uint32_t next = m->num_global_imports + m->num_globals;
  if (p->changes & WGC_ADAPT_HEAP_BASE_ADDED) {
    wb_name(b, "__heap_base");
    wb_u8(b, WASM_EXT_GLOBAL);
    wb_uleb(b, next++);
  }
  if (p->changes & WGC_ADAPT_DATA_END_ADDED) {
    wb_name(b, "__data_end");
    wb_u8(b, WASM_EXT_GLOBAL);
    wb_uleb(b, next++);
  }
}

/* The "name" section with __stack_pointer in its global names: existing
 * subsections copied, subsection 7 (global names) rebuilt in index order. */
static void put_names(wb *b, const plan *p, const uint8_t *old, size_t old_len) {
  const wgc_wasm_module *m = p->m;
  wb_name(b, "name");
  size_t pos = 0;
  bool written = false;
  for (;;) {
    uint8_t id = 0xFF;
    uint32_t len = 0;
    size_t at = pos;
    if (old && pos < old_len) {
      id = old[pos++];
      if (!get_uleb(old, old_len, &pos, &len) || len > old_len - pos) break;
    }
    if (id >= 7 && !written) {
      /* the old entries (in index order, as the format requires) with
       * __stack_pointer put in its place; an old name for that global goes */
      wb g = {0};
      uint32_t n = 1;
      for (uint32_t i = 0; i < m->num_global_names; i++)
        n += m->global_names[i].index != p->sp_index;
      wb_uleb(&g, n);
      bool sp_done = false;
      for (uint32_t i = 0; i <= m->num_global_names; i++) {
        const wgc_wasm_name *gn = i < m->num_global_names ? &m->global_names[i] : NULL;
        if (!sp_done && (!gn || gn->index >= p->sp_index)) {
          wb_uleb(&g, p->sp_index);
          wb_name(&g, "__stack_pointer");
          sp_done = true;
        }
        if (gn && gn->index != p->sp_index) {
          wb_uleb(&g, gn->index);
          wb_name(&g, gn->name);
        }
      }
      wb_section(b, 7, &g);
      free(g.data);
      written = true;
    }
    if (id == 0xFF) break;
    if (id != 7) wb_bytes(b, old + at, pos + len - at);
    pos += len;
  }
}

/* Where a known section id sorts (datacount before code, tag after memory). */
static int order_of(uint8_t id) { return id == 12 ? 95 : id == 13 ? 55 : id * 10; }

static void summarise(const plan *p, char *s, size_t size) {
  size_t n = 0;
  const char *sep = " ";
#define ADD(...)                                                                            \
  do {                                                                                      \
    n += (size_t)snprintf(s + (n < size ? n : size), n < size ? size - n : 0, "%s", sep);   \
    n += (size_t)snprintf(s + (n < size ? n : size), n < size ? size - n : 0, __VA_ARGS__); \
    sep = "; ";                                                                             \
  } while (0)
  s[0] = 0;
  n += (size_t)snprintf(s, size, "adapted the linked module:");
  if (p->changes & WGC_ADAPT_MEMORY_IMPORTED) {
    if (p->memory.has_max)
      ADD("memory imported as env.memory (%llu pages, maximum %llu)",
          (unsigned long long)p->memory.min, (unsigned long long)p->memory.max);
    else
      ADD("memory imported as env.memory (%llu pages, no maximum)",
          (unsigned long long)p->memory.min);
  }
  if (p->changes & WGC_ADAPT_MEMORY_RENAMED)
    ADD("memory import %s.%s renamed env.memory", p->memory_import->module, p->memory_import->name);
  if (p->changes & WGC_ADAPT_TABLE_EXPORTED) ADD("table exported");
  if (p->changes & WGC_ADAPT_CTORS_EXPORTED)
    ADD("__wasm_call_ctors (function %u) exported", p->ctors_index);
  if (p->changes & WGC_ADAPT_STACK_NAMED) ADD("global %u named __stack_pointer", p->sp_index);
  if (p->changes & (WGC_ADAPT_HEAP_BASE_ADDED | WGC_ADAPT_DATA_END_ADDED))
    ADD("heap base %u, data end %u (%s)", p->heap_base, p->data_end, p->why);
#undef ADD
}

wasmgraph_status wgc_adapt_module(const uint8_t *data, size_t size, wgc_adapt_result *out,
                                  char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  if (err && err_size) err[0] = 0;
  wgc_wasm_module m;
  wasmgraph_status st = wgc_wasm_read(data, size, &m, err, err_size);
  if (st != WASMGRAPH_OK) return st;
  plan p = {.m = &m};
  if (m.has_linking) goto done; /* an object: link.c links it the canonical way */
  if ((st = plan_memory(&p, err, err_size)) || (st = plan_table(&p, err, err_size)) ||
      (st = plan_stack_pointer(&p, err, err_size)) || (st = plan_ctors(&p, data, err, err_size)) ||
      (st = plan_layout(&p, err, err_size)))
    goto done;
  if (!p.changes) goto done;

  bool need_imports = p.changes & WGC_ADAPT_MEMORY_IMPORTED;
  bool need_globals = added_globals(&p) > 0;
  bool need_exports = p.changes & (WGC_ADAPT_TABLE_EXPORTED | WGC_ADAPT_CTORS_EXPORTED |
                                   WGC_ADAPT_HEAP_BASE_ADDED | WGC_ADAPT_DATA_END_ADDED);
  bool need_names = p.changes & WGC_ADAPT_STACK_NAMED;
  bool names_done = false;
  wb o = {0};
  wb_bytes(&o, data, 8);
  /* A missing section of id `id` is written just before the first known
   * section that sorts after it. */
  struct {
    uint8_t id;
    bool *need;
  } inserts[] = {{2, &need_imports}, {6, &need_globals}, {7, &need_exports}};
  for (uint32_t i = 0; i <= m.num_sections; i++) {
    const wgc_wasm_section *s = i < m.num_sections ? &m.sections[i] : NULL;
    int order = s && s->id ? order_of(s->id) : (s ? -1 : 1000);
    for (size_t k = 0; k < sizeof inserts / sizeof inserts[0]; k++) {
      if (!*inserts[k].need || order < 0 || order <= order_of(inserts[k].id)) continue;
      wb payload = {0};
      if (inserts[k].id == 2) put_imports(&payload, &p);
      else if (inserts[k].id == 6) put_globals(&payload, &p, NULL, 0);
      else put_exports(&payload, &p, NULL, 0);
      wb_section(&o, inserts[k].id, &payload);
      free(payload.data);
      *inserts[k].need = false;
    }
    if (!s) break;
    const uint8_t *body = data + s->payload;
    wb payload = {0};
    bool replaced = true;
    if (s->id == 2 && need_imports) {
      put_imports(&payload, &p);
      need_imports = false;
    } else if (s->id == 2 && (p.changes & WGC_ADAPT_MEMORY_RENAMED)) {
      put_imports(&payload, &p);
    } else if (s->id == 5 && (p.changes & WGC_ADAPT_MEMORY_IMPORTED)) {
      continue; /* the memory is an import now */
    } else if (s->id == 6 && need_globals) {
      put_globals(&payload, &p, body, s->size);
      need_globals = false;
    } else if (s->id == 7 && need_exports) {
      put_exports(&payload, &p, body, s->size);
      need_exports = false;
    } else if (s->is_name && need_names && !names_done) {
      /* the custom section's payload starts with its name "name" */
      size_t pos = 0;
      uint32_t nlen = 0;
      get_uleb(body, s->size, &pos, &nlen);
      put_names(&payload, &p, body + pos + nlen, s->size - pos - nlen);
      names_done = true;
    } else {
      replaced = false;
    }
    if (replaced) {
      wb_section(&o, s->is_name ? 0 : s->id, &payload);
      free(payload.data);
    } else {
      wb_bytes(&o, data + s->start, s->payload + s->size - s->start);
    }
  }
  if (need_names && !names_done) {
    wb payload = {0};
    put_names(&payload, &p, NULL, 0);
    wb_section(&o, 0, &payload);
    free(payload.data);
  }
  if (o.oom) {
    free(o.data);
    st = fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  out->data = o.data;
  out->size = o.len;
  out->changes = p.changes;
  summarise(&p, out->summary, sizeof out->summary);
done:
  wgc_wasm_module_free(&m);
  return st;
}

void wgc_adapt_result_free(wgc_adapt_result *r) {
  if (!r) return;
  free(r->data);
  memset(r, 0, sizeof *r);
}
