/*
 * fuzz_wasm_reader.c — libFuzzer target for wgc_wasm_read and the checks that
 * run on its result (compiler/wasm/wasm_check.c).
 *
 * Any input: no crash, no leak, no UB, and the same status whether or not
 * an error buffer is given. Failure: FORMAT or NO_MEMORY, the module is all
 * zero and the message starts with one of the reader's prefixes; NO_MEMORY
 * exactly when the message is "out of memory" (names from the file can
 * appear in a message, so they must not decide the status). Success:
 * every count is bounded by the input size (each entry takes at least N
 * bytes, so a hostile count cannot drive allocation), the per-kind import
 * counts add up, every type/function index the translator dereferences is
 * in range, every value type is known, every kept name was copied from the
 * input, and the query helpers agree with the arrays. Then wgc_check_object,
 * wgc_check_linked and wgc_list_kernels run on the module exactly as the
 * compiler runs them (no tools, no files): their layout must be consistent
 * and the kernel list sorted. Loops over pairs are capped so that one input
 * stays fast. Last, wasm_adapt.c rewrites the input as it rewrites a linked
 * module a user gives: a rewritten module must read back, import its one
 * memory as env.memory, export the table, the constructors and the layout,
 * name __stack_pointer, and need no second rewrite.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "compiler_internal.h"
#include "fuzz_target.h"
#include "wasm/wasm_adapt.h"
#include "wasm/wasm_reader.h"

/* wasm_check.c reports through wgc_fail, which lives in compile.c together
 * with the whole pipeline (LLVM, subprocesses). This copy behaves the same:
 * message into ctx->err, return the status. */
wasmgraph_status wgc_fail(wgc_ctx *ctx, wasmgraph_status status, const char *fmt, ...) {
  if (ctx->err && ctx->err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, ctx->err_size, fmt, ap);
    va_end(ap);
  }
  return status;
}

#define PAIR_CAP 64u /* entries checked against each other (O(n^2) checks) */

static bool valtype_known(uint8_t t) {
  return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 || t == WASM_V128 ||
         t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

/* Every name the reader keeps is a copy of bytes of the input. */
static bool from_input(const uint8_t *data, size_t size, const char *s) {
  size_t n;
  if (!s) return false;
  n = strlen(s);
  return n == 0 || memmem(data, size, s, n) != NULL;
}

static bool is_zero(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

static bool has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static void check_counts(const wgc_wasm_module *m, size_t size) {
  /* rd_count's minimum entry sizes, as promised in wasm_reader.c's header. */
  FUZZ_REQUIRE((uint64_t)m->num_types * 3 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_imports * 4 <= size);
  FUZZ_REQUIRE(m->num_funcs <= size);
  FUZZ_REQUIRE((uint64_t)m->num_tables * 3 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_memories * 2 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_globals * 3 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_exports * 3 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_features * 2 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_symbols * 2 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_func_names * 2 <= size);
  FUZZ_REQUIRE((uint64_t)m->num_global_names * 2 <= size);
  FUZZ_REQUIRE(m->num_funcs <= UINT32_MAX - m->num_func_imports);
  FUZZ_REQUIRE(!m->num_types || m->types);
  FUZZ_REQUIRE(!m->num_imports || m->imports);
  FUZZ_REQUIRE(!m->num_funcs || m->func_type_indices);
  FUZZ_REQUIRE(!m->num_tables || m->tables);
  FUZZ_REQUIRE(!m->num_memories || m->memories);
  FUZZ_REQUIRE(!m->num_globals || m->globals);
  FUZZ_REQUIRE(!m->num_exports || m->exports);
  FUZZ_REQUIRE(!m->num_features || (m->features && m->has_target_features));
  FUZZ_REQUIRE(!m->num_symbols || (m->symbols && m->has_linking));
  FUZZ_REQUIRE(!m->num_func_names || (m->func_names && m->has_name_section));
  FUZZ_REQUIRE(!m->num_global_names || (m->global_names && m->has_name_section));
}

static void check_types_imports(const wgc_wasm_module *m, const uint8_t *data, size_t size) {
  uint32_t kinds[5] = {0};
  uint64_t type_bytes = 0;
  for (uint32_t i = 0; i < m->num_types; i++) {
    const wgc_wasm_functype *t = &m->types[i];
    FUZZ_REQUIRE(t->params && t->results);
    for (uint32_t k = 0; k < t->num_params; k++) FUZZ_REQUIRE(valtype_known(t->params[k]));
    for (uint32_t k = 0; k < t->num_results; k++) FUZZ_REQUIRE(valtype_known(t->results[k]));
    type_bytes += (uint64_t)t->num_params + t->num_results;
  }
  FUZZ_REQUIRE(type_bytes <= size);
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const wgc_wasm_import *im = &m->imports[i];
    FUZZ_REQUIRE(from_input(data, size, im->module) && from_input(data, size, im->name));
    FUZZ_REQUIRE(im->kind <= WASM_EXT_TAG);
    kinds[im->kind]++;
    if (im->kind == WASM_EXT_FUNC) FUZZ_REQUIRE(im->type_index < m->num_types);
    if (im->kind == WASM_EXT_TABLE) {
      FUZZ_REQUIRE(valtype_known(im->elem_type));
      FUZZ_REQUIRE(!im->limits.shared && !im->limits.is64);
    }
    if (im->kind == WASM_EXT_TABLE || im->kind == WASM_EXT_MEMORY) {
      if (!im->limits.is64)
        FUZZ_REQUIRE(im->limits.min <= UINT32_MAX && im->limits.max <= UINT32_MAX);
      if (!im->limits.has_max) FUZZ_REQUIRE(im->limits.max == 0);
    }
    if (im->kind == WASM_EXT_GLOBAL) FUZZ_REQUIRE(valtype_known(im->global_type));
  }
  FUZZ_REQUIRE(kinds[WASM_EXT_FUNC] == m->num_func_imports);
  FUZZ_REQUIRE(kinds[WASM_EXT_TABLE] == m->num_table_imports);
  FUZZ_REQUIRE(kinds[WASM_EXT_MEMORY] == m->num_memory_imports);
  FUZZ_REQUIRE(kinds[WASM_EXT_GLOBAL] == m->num_global_imports);
}

static void check_definitions(const wgc_wasm_module *m, const uint8_t *data, size_t size) {
  for (uint32_t i = 0; i < m->num_funcs; i++) FUZZ_REQUIRE(m->func_type_indices[i] < m->num_types);
  for (uint32_t i = 0; i < m->num_tables; i++)
    FUZZ_REQUIRE(!m->tables[i].shared && !m->tables[i].is64 && m->tables[i].min <= UINT32_MAX);
  for (uint32_t i = 0; i < m->num_memories; i++)
    if (!m->memories[i].is64) FUZZ_REQUIRE(m->memories[i].min <= UINT32_MAX);
  for (uint32_t i = 0; i < m->num_globals; i++) FUZZ_REQUIRE(valtype_known(m->globals[i].type));
  for (uint32_t i = 0; i < m->num_exports; i++) {
    FUZZ_REQUIRE(from_input(data, size, m->exports[i].name));
    FUZZ_REQUIRE(m->exports[i].kind <= WASM_EXT_TAG);
  }
  for (uint32_t i = 0; i < m->num_features; i++) {
    char p = m->features[i].prefix;
    FUZZ_REQUIRE(p == '+' || p == '-' || p == '=');
    FUZZ_REQUIRE(from_input(data, size, m->features[i].name));
  }
  for (uint32_t i = 0; i < m->num_symbols; i++) {
    const wgc_wasm_symbol *s = &m->symbols[i];
    FUZZ_REQUIRE(s->kind <= WASM_SYM_TABLE);
    if (s->kind == WASM_SYM_SECTION) FUZZ_REQUIRE(s->name == NULL);
    else FUZZ_REQUIRE(from_input(data, size, s->name));
  }
  for (uint32_t i = 0; i < m->num_func_names; i++)
    FUZZ_REQUIRE(from_input(data, size, m->func_names[i].name));
  for (uint32_t i = 0; i < m->num_global_names; i++)
    FUZZ_REQUIRE(from_input(data, size, m->global_names[i].name));
}

/* The query helpers must agree with the arrays they search. */
static void check_queries(const wgc_wasm_module *m) {
  uint32_t total = m->num_func_imports + m->num_funcs;
  char buf[256], tiny[5];
  for (uint32_t f = 0; f < total && f < PAIR_CAP; f++) {
    const wgc_wasm_functype *t = wgc_wasm_func_type(m, f);
    FUZZ_REQUIRE(t && t >= m->types && t < m->types + m->num_types);
    wgc_wasm_functype_format(t, buf, sizeof buf);
    FUZZ_REQUIRE(memchr(buf, 0, sizeof buf) && buf[0] == '(');
    memset(tiny, 'x', sizeof tiny);
    wgc_wasm_functype_format(t, tiny, sizeof tiny);
    FUZZ_REQUIRE(strlen(tiny) < sizeof tiny && strncmp(tiny, buf, strlen(tiny)) == 0);
    wgc_wasm_functype_format(t, tiny, 0); /* must not write */
  }
  if (total > PAIR_CAP) {
    const wgc_wasm_functype *t = wgc_wasm_func_type(m, total - 1);
    FUZZ_REQUIRE(t && t >= m->types && t < m->types + m->num_types);
  }
  FUZZ_REQUIRE(wgc_wasm_func_type(m, total) == NULL);
  FUZZ_REQUIRE(wgc_wasm_func_type(m, UINT32_MAX) == NULL || total == UINT32_MAX);
  for (uint32_t i = 0; i < m->num_exports && i < PAIR_CAP; i++) {
    const wgc_wasm_export *e = wgc_wasm_find_export(m, m->exports[i].name, m->exports[i].kind);
    FUZZ_REQUIRE(e && e <= &m->exports[i] && e->kind == m->exports[i].kind &&
                 strcmp(e->name, m->exports[i].name) == 0);
  }
  for (uint32_t i = 0; i < m->num_func_names && i < PAIR_CAP; i++) {
    const char *n = wgc_wasm_func_name(m, m->func_names[i].index);
    FUZZ_REQUIRE(n != NULL);
  }
  for (uint32_t i = 0; i < m->num_global_names && i < PAIR_CAP; i++)
    FUZZ_REQUIRE(wgc_wasm_global_name(m, m->global_names[i].index) != NULL);
  for (uint32_t i = 0; i < m->num_features && i < PAIR_CAP; i++) {
    bool want = false;
    for (uint32_t k = 0; k < m->num_features; k++)
      if (m->features[k].prefix != '-' && strcmp(m->features[k].name, m->features[i].name) == 0)
        want = true;
    FUZZ_REQUIRE(wgc_wasm_has_feature(m, m->features[i].name) == want);
  }
}

/* The compiler's checks, run on the parsed module as wgc_compile runs them. */
static void check_rules(const wgc_wasm_module *m) {
  char err[512];
  wgc_ctx ctx;
  wgc_layout lay;
  wasmgraph_status st;
  int count = -1;
  const char **names;

  memset(&ctx, 0, sizeof ctx);
  ctx.err = err;
  ctx.err_size = sizeof err;
  err[0] = 0;
  st = wgc_check_object(&ctx, "fuzz.o", m);
  FUZZ_REQUIRE(st == WASMGRAPH_OK ||
               (st == WASMGRAPH_ERR_UNSUPPORTED && has_prefix(err, "fuzz.o: ")));

  err[0] = 0;
  st = wgc_check_linked(&ctx, "fuzz.wasm", m, &lay);
  if (st == WASMGRAPH_OK) {
    uint64_t mem = (uint64_t)lay.memory_min_pages * 65536u;
    FUZZ_REQUIRE(!m->has_linking && m->num_memories == 0);
    FUZZ_REQUIRE(lay.memory_min_pages <= 65536 && lay.memory_max_pages <= 65536 &&
                 lay.memory_min_pages <= lay.memory_max_pages);
    FUZZ_REQUIRE(lay.data_end <= lay.heap_base && lay.heap_base <= mem && lay.stack_top <= mem);
  } else {
    FUZZ_REQUIRE(st == WASMGRAPH_ERR_UNSUPPORTED || st == WASMGRAPH_ERR_FORMAT);
    FUZZ_REQUIRE(has_prefix(err, "fuzz.wasm: "));
  }

  names = wgc_list_kernels(m, &count);
  FUZZ_REQUIRE(names != NULL && count >= 0);
  FUZZ_REQUIRE((uint32_t)count <= (m->has_linking ? m->num_symbols : m->num_func_names));
  for (int i = 0; i < count; i++) {
    FUZZ_REQUIRE(names[i] != NULL);
    if (i) FUZZ_REQUIRE(strcmp(names[i - 1], names[i]) <= 0);
  }
  free((void *)names);
}

/* The linked-module rewrite (wasm_adapt.c) on any input. */
static void check_adapt(const uint8_t *data, size_t size) {
  wgc_adapt_result r, again;
  wgc_wasm_module a;
  char err[512];
  err[0] = 0;
  wasmgraph_status st = wgc_adapt_module(data, size, &r, err, sizeof err);
  if (st != WASMGRAPH_OK) {
    FUZZ_REQUIRE(st == WASMGRAPH_ERR_UNSUPPORTED || st == WASMGRAPH_ERR_FORMAT ||
                 st == WASMGRAPH_ERR_NO_MEMORY);
    FUZZ_REQUIRE(err[0] != 0 && r.data == NULL);
    return;
  }
  if (!r.data) return; /* nothing to change (or a relocatable object) */
  FUZZ_REQUIRE(r.changes != 0);
  FUZZ_REQUIRE(wgc_wasm_read(r.data, r.size, &a, NULL, 0) == WASMGRAPH_OK);
  FUZZ_REQUIRE(a.num_memories == 0 && a.num_memory_imports == 1);
  for (uint32_t i = 0; i < a.num_imports; i++)
    if (a.imports[i].kind == WASM_EXT_MEMORY)
      FUZZ_REQUIRE(strcmp(a.imports[i].module, "env") == 0 &&
                   strcmp(a.imports[i].name, "memory") == 0);
  FUZZ_REQUIRE(wgc_wasm_find_export(&a, "__indirect_function_table", WASM_EXT_TABLE));
  FUZZ_REQUIRE(wgc_wasm_find_export(&a, "__wasm_call_ctors", WASM_EXT_FUNC));
  FUZZ_REQUIRE(wgc_wasm_find_export(&a, "__heap_base", WASM_EXT_GLOBAL));
  FUZZ_REQUIRE(wgc_wasm_find_export(&a, "__data_end", WASM_EXT_GLOBAL));
  bool named = false;
  for (uint32_t i = 0; i < a.num_global_names; i++)
    named |= strcmp(a.global_names[i].name, "__stack_pointer") == 0;
  FUZZ_REQUIRE(named);
  wgc_wasm_module_free(&a);
  FUZZ_REQUIRE(wgc_adapt_module(r.data, r.size, &again, err, sizeof err) == WASMGRAPH_OK);
  FUZZ_REQUIRE(again.data == NULL && again.changes == 0);
  wgc_adapt_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wgc_wasm_module m, m2;
  char err[512];
  wasmgraph_status st, st2;

  memset(err, 'x', sizeof err);
  st = wgc_wasm_read(data, size, &m, err, sizeof err);
  if (st == WASMGRAPH_OK) {
    FUZZ_REQUIRE(wgc_wasm_sniff(data, size) == WASM_SNIFF_WASM && size >= 8);
    check_counts(&m, size);
    check_types_imports(&m, data, size);
    check_definitions(&m, data, size);
    check_queries(&m);
    check_rules(&m);
  } else {
    FUZZ_REQUIRE(st == WASMGRAPH_ERR_FORMAT || st == WASMGRAPH_ERR_NO_MEMORY);
    FUZZ_REQUIRE(is_zero(&m, sizeof m));
    FUZZ_REQUIRE(memchr(err, 0, sizeof err) != NULL);
    FUZZ_REQUIRE(has_prefix(err, "not a wasm file") || has_prefix(err, "truncated wasm file") ||
                 has_prefix(err, "malformed wasm file") || has_prefix(err, "unsupported wasm") ||
                 has_prefix(err, "out of memory"));
    /* the status must not depend on what a file-supplied name says */
    FUZZ_REQUIRE((st == WASMGRAPH_ERR_NO_MEMORY) == has_prefix(err, "out of memory"));
  }
  wgc_wasm_module_free(&m);
  FUZZ_REQUIRE(is_zero(&m, sizeof m));

  /* No error buffer: same verdict (the message is only a side channel). */
  st2 = wgc_wasm_read(data, size, &m2, NULL, 0);
  FUZZ_REQUIRE(st2 == st || st == WASMGRAPH_ERR_NO_MEMORY || st2 == WASMGRAPH_ERR_NO_MEMORY);
  wgc_wasm_module_free(&m2);
  check_adapt(data, size);
  return 0;
}
