/*
 * wasm_check.c — the rules that decide whether the runtime can serve a
 * module, applied before anything is translated.
 *
 * Before linking (wgc_check_object, each object or the given module):
 *   - memory64 anywhere → "wasm64 module is not supported";
 *   - TVM 0.21+ (tvm-ffi: imports TVMFFI*, symbols __tvm_ffi_*) → refused
 *     first, naming the TVM generations wasmgraph serves;
 *   - target_features: relaxed-simd is refused with its own message; the
 *     features any LLVM 11..20 marks objects with pass (allowed_features);
 *     anything else is refused by name;
 *   - an object that defines __TVMAPISetLastError was built without
 *     system-lib (docs/tvm-wasm-abi.md §3.6).
 * After linking (wgc_check_linked, the module wasm2c will see):
 *   - the only memory is the import env.memory;
 *   - TVMBackendRegisterSystemLibSymbol is imported (system-lib marker);
 *   - every other import is a function in common/host_import_list.h with
 *     exactly the listed type;
 *   - the table, __heap_base, __data_end and __wasm_call_ctors are exported
 *     and __stack_pointer is a defined mutable i32 with a constant initial
 *     value; these numbers become the descriptor's layout;
 *   - features: SIMD128 when target_features lists simd128 or a type, import
 *     or global uses v128 (translate.c adds it when wasm2c's output includes
 *     SIMDe, which covers v128 used only inside function bodies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"

#define SYSLIB_MSG \
  "not a TVM system-lib object: build with runtime=Runtime(\"cpp\", {\"system-lib\": True})"

/* ---- the runtime's import list ------------------------------------------ */

static const struct {
  const char *name;
  const char *params;
  const char *results;
} host_imports[] = {
#define WASMGRAPH_IMPORT(n, p, r) {#n, p, r},
#include "host_import_list.h"
#undef WASMGRAPH_IMPORT
};

static char letter_of(uint8_t t) {
  switch (t) {
    case WASM_I32:
      return 'i';
    case WASM_I64:
      return 'I';
    case WASM_F32:
      return 'f';
    case WASM_F64:
      return 'F';
    default:
      return '?';
  }
}

static bool types_match(const uint8_t *types, uint32_t n, const char *letters) {
  if (strlen(letters) != n) return false;
  for (uint32_t i = 0; i < n; i++)
    if (letter_of(types[i]) != letters[i]) return false;
  return true;
}

static void format_letters(const char *params, const char *results, char *buf, size_t size) {
  static const char *const names[] = {"i32", "i64", "f32", "f64"};
  static const char letters[] = "iIfF";
  size_t len = 0;
  buf[0] = 0;
  for (int part = 0; part < 2; part++) {
    const char *s = part ? results : params;
    size_t n = strlen(s);
    const char *open = part && n == 1 ? "" : "(";
    len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", part ? "->" : "", open);
    for (size_t i = 0; i < n; i++) {
      const char *p = strchr(letters, s[i]);
      len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", i ? "," : "",
                              p ? names[p - letters] : "?");
    }
    len +=
        (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s", part && n == 1 ? "" : ")");
  }
}

bool wgc_import_served(const char *module, const char *name, const wgc_wasm_functype *t,
                       char *other, size_t other_size) {
  if (other && other_size) other[0] = 0;
  if (strcmp(module, "env") != 0) return false;
  for (size_t i = 0; i < sizeof host_imports / sizeof host_imports[0]; i++) {
    if (strcmp(host_imports[i].name, name) != 0) continue;
    if (types_match(t->params, t->num_params, host_imports[i].params) &&
        types_match(t->results, t->num_results, host_imports[i].results))
      return true;
    if (other && other_size)
      format_letters(host_imports[i].params, host_imports[i].results, other, other_size);
    return false;
  }
  return false;
}

/* ---- before linking ----------------------------------------------------- */

/* What target_features may list. Every feature an LLVM from 11 to 20
 * enables by default, and every one clang 19 offers except relaxed-simd:
 * clang marks an object with each enabled feature whether or not its code
 * uses it, and C kernels never use atomics, tail calls, exceptions, a
 * second memory or f16 (wasm2c refuses such instructions, naming them). */
static const char *const allowed_features[] = {
    /* LLVM defaults: 16+ sign-ext, mutable-globals; 19+ multivalue,
       reference-types; 20+ bulk-memory(-opt), nontrapping-fptoint,
       call-indirect-overlong */
    "sign-ext", "mutable-globals", "multivalue", "reference-types", "bulk-memory",
    "bulk-memory-opt", "nontrapping-fptoint", "call-indirect-overlong",
    /* opt-in */
    "simd128", "extended-const", "tail-call", "exception-handling", "atomics", "multimemory",
    "half-precision", "fp16"};

bool wgc_is_tvm_ffi(const wgc_wasm_module *m, char *marker, size_t size) {
  const char *verb = NULL, *name = NULL;
  for (uint32_t i = 0; i < m->num_imports && !name; i++)
    if (strncmp(m->imports[i].name, "TVMFFI", 6) == 0) verb = "imports", name = m->imports[i].name;
  for (uint32_t i = 0; i < m->num_symbols && !name; i++)
    if (m->symbols[i].name && strncmp(m->symbols[i].name, "__tvm_ffi_", 10) == 0)
      verb = "has the symbol", name = m->symbols[i].name;
  for (uint32_t i = 0; i < m->num_exports && !name; i++)
    if (strncmp(m->exports[i].name, "__tvm_ffi_", 10) == 0)
      verb = "exports", name = m->exports[i].name;
  for (uint32_t i = 0; i < m->num_func_names && !name; i++)
    if (strncmp(m->func_names[i].name, "__tvm_ffi_", 10) == 0)
      verb = "defines", name = m->func_names[i].name;
  if (name && marker && size) snprintf(marker, size, "it %s %s", verb, name);
  return name != NULL;
}

wasmgraph_status wgc_refuse_tvm_ffi(wgc_ctx *ctx, const char *display, const char *marker) {
  /* marker: "it imports TVMFFIFunctionCall" */
  return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                  "%s: built by TVM 0.21 or later (tvm-ffi calling convention: %s): wasmgraph "
                  "translates graph libraries from TVM 0.8 to 0.19 (Relay and the graph "
                  "executor; TVM 0.20 removed both); build the model with TVM 0.19 or older",
                  display, marker);
}

wasmgraph_status wgc_check_object(wgc_ctx *ctx, const char *display, const wgc_wasm_module *m) {
  /* first: a newer TVM's object also fails every later check, confusingly */
  char ffi[200];
  if (wgc_is_tvm_ffi(m, ffi, sizeof ffi)) return wgc_refuse_tvm_ffi(ctx, display, ffi);
  for (uint32_t i = 0; i < m->num_imports; i++)
    if (m->imports[i].kind == WASM_EXT_MEMORY && m->imports[i].limits.is64)
      return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: wasm64 module is not supported",
                      display);
  for (uint32_t i = 0; i < m->num_memories; i++)
    if (m->memories[i].is64)
      return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: wasm64 module is not supported",
                      display);
  if (wgc_wasm_has_feature(m, "memory64"))
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: wasm64 module is not supported", display);
  if (wgc_wasm_has_feature(m, "relaxed-simd"))
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: relaxed SIMD (relaxed-simd) modules are not supported (only simd128)",
                    display);

  char bad[256] = "";
  size_t len = 0;
  int nbad = 0;
  for (uint32_t i = 0; i < m->num_features; i++) {
    if (m->features[i].prefix == '-') continue;
    bool ok = false;
    for (size_t k = 0; k < sizeof allowed_features / sizeof allowed_features[0]; k++)
      if (strcmp(m->features[i].name, allowed_features[k]) == 0) ok = true;
    if (ok) continue;
    nbad++;
    /* never form a pointer past the array: names come from the file */
    if (len < sizeof bad)
      len += (size_t)snprintf(bad + len, sizeof bad - len, "%s%s", len ? ", " : "",
                              m->features[i].name);
  }
  if (nbad)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: unsupported wasm feature%s %s (wasm2c %s and the runtime cannot serve %s)",
                    display, nbad > 1 ? "s" : "", bad, WG_WASM2C_VERSION, nbad > 1 ? "them" : "it");

  for (uint32_t i = 0; i < m->num_symbols; i++) {
    const wgc_wasm_symbol *s = &m->symbols[i];
    if (s->kind == WASM_SYM_DATA && !(s->flags & WASM_SYM_UNDEFINED) && s->name &&
        strcmp(s->name, "__TVMAPISetLastError") == 0)
      return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: %s", display, SYSLIB_MSG);
  }
  return WASMGRAPH_OK;
}

/* ---- after linking ------------------------------------------------------ */

/* simd128 in target_features, or v128 in a signature, an imported or defined
 * global (locals and opcodes live in code bodies, which are not read). */
static bool uses_v128(const wgc_wasm_module *m) {
  if (wgc_wasm_has_feature(m, "simd128")) return true;
  for (uint32_t i = 0; i < m->num_types; i++) {
    const wgc_wasm_functype *t = &m->types[i];
    for (uint32_t k = 0; k < t->num_params; k++)
      if (t->params[k] == WASM_V128) return true;
    for (uint32_t k = 0; k < t->num_results; k++)
      if (t->results[k] == WASM_V128) return true;
  }
  for (uint32_t i = 0; i < m->num_imports; i++)
    if (m->imports[i].kind == WASM_EXT_GLOBAL && m->imports[i].global_type == WASM_V128)
      return true;
  for (uint32_t i = 0; i < m->num_globals; i++)
    if (m->globals[i].type == WASM_V128) return true;
  return false;
}

/* The i32.const initial value of defined global `index` (imports first). */
static bool global_i32(const wgc_wasm_module *m, uint32_t index, bool want_mutable, uint32_t *out) {
  if (index < m->num_global_imports) return false;
  index -= m->num_global_imports;
  if (index >= m->num_globals) return false;
  const wgc_wasm_global *g = &m->globals[index];
  if (g->type != WASM_I32 || g->mutable_ != want_mutable || !g->has_i32_init) return false;
  *out = (uint32_t)g->i32_init;
  return true;
}

static wasmgraph_status exported_global(wgc_ctx *ctx, const char *display, const wgc_wasm_module *m,
                                        const char *name, uint32_t *out) {
  const wgc_wasm_export *e = wgc_wasm_find_export(m, name, WASM_EXT_GLOBAL);
  if (!e)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: linked module does not export %s (link with --export=%s)", display, name,
                    name);
  if (!global_i32(m, e->index, false, out))
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: export %s is not a constant i32 global",
                    display, name);
  return WASMGRAPH_OK;
}

static wasmgraph_status find_stack_pointer(wgc_ctx *ctx, const char *display,
                                           const wgc_wasm_module *m, uint32_t *out) {
  for (uint32_t i = 0; i < m->num_global_names; i++) {
    if (strcmp(m->global_names[i].name, "__stack_pointer") != 0) continue;
    if (global_i32(m, m->global_names[i].index, true, out)) return WASMGRAPH_OK;
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: __stack_pointer is not a defined mutable i32 global with a constant "
                    "initial value",
                    display);
  }
  return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                  "%s: linked module names no __stack_pointer global (a \"name\" section from "
                  "wasm-ld is needed; do not strip it)",
                  display);
}

wasmgraph_status wgc_check_linked(wgc_ctx *ctx, const char *display, const wgc_wasm_module *m,
                                  wgc_layout *out) {
  memset(out, 0, sizeof *out);
  if (m->has_linking)
    return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: still a relocatable object after linking",
                    display);
  if (m->num_memories)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: the module defines its memory; it must import env.memory (link with "
                    "--import-memory)",
                    display);

  /* memory and the system-lib marker first: they say the most about the input */
  const wgc_wasm_import *memory = NULL;
  bool registers = false;
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const wgc_wasm_import *im = &m->imports[i];
    if (im->kind == WASM_EXT_MEMORY) {
      if (im->limits.is64)
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: wasm64 module is not supported",
                        display);
      if (memory || strcmp(im->module, "env") != 0 || strcmp(im->name, "memory") != 0)
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                        "%s: memory must be imported once as env.memory, not %s.%s", display,
                        im->module, im->name);
      memory = im;
    }
    if (im->kind == WASM_EXT_FUNC && strcmp(im->module, "env") == 0 &&
        strcmp(im->name, "TVMBackendRegisterSystemLibSymbol") == 0)
      registers = true;
  }
  if (!memory)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: the module has no memory import env.memory (link with --import-memory)",
                    display);
  if (!registers) return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: %s", display, SYSLIB_MSG);

  for (uint32_t i = 0; i < m->num_imports; i++) {
    const wgc_wasm_import *im = &m->imports[i];
    char type[160], other[160];
    switch (im->kind) {
      case WASM_EXT_MEMORY:
        continue;
      case WASM_EXT_FUNC: {
        const wgc_wasm_functype *t = &m->types[im->type_index];
        if (wgc_import_served(im->module, im->name, t, other, sizeof other)) continue;
        wgc_wasm_functype_format(t, type, sizeof type);
        if (other[0])
          return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                          "%s: unsupported import %s.%s %s: the runtime cannot serve it (it "
                          "serves %s.%s as %s)",
                          display, im->module, im->name, type, im->module, im->name, other);
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                        "%s: unsupported import %s.%s %s: the runtime cannot serve it", display,
                        im->module, im->name, type);
      }
      case WASM_EXT_TABLE:
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                        "%s: unsupported import %s.%s (table): the table must be defined and "
                        "exported (link with --export-table)",
                        display, im->module, im->name);
      case WASM_EXT_GLOBAL:
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                        "%s: unsupported import %s.%s (global %s): the runtime cannot serve it",
                        display, im->module, im->name, wgc_wasm_valtype_name(im->global_type));
      default:
        return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                        "%s: unsupported import %s.%s (tag): the runtime cannot serve it", display,
                        im->module, im->name);
    }
  }

  const wgc_wasm_export *table =
      wgc_wasm_find_export(m, "__indirect_function_table", WASM_EXT_TABLE);
  if (!table || table->index < m->num_table_imports ||
      table->index - m->num_table_imports >= m->num_tables)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: linked module does not export its table __indirect_function_table "
                    "(link with --export-table)",
                    display);
  if (!wgc_wasm_find_export(m, "__wasm_call_ctors", WASM_EXT_FUNC))
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: linked module does not export __wasm_call_ctors (link with "
                    "--export=__wasm_call_ctors)",
                    display);
  const wgc_wasm_functype *ct =
      wgc_wasm_func_type(m, wgc_wasm_find_export(m, "__wasm_call_ctors", WASM_EXT_FUNC)->index);
  if (!ct || ct->num_params || ct->num_results)
    return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: __wasm_call_ctors is not a ()->() function",
                    display);

  wasmgraph_status st;
  if ((st = exported_global(ctx, display, m, "__heap_base", &out->heap_base)) != WASMGRAPH_OK ||
      (st = exported_global(ctx, display, m, "__data_end", &out->data_end)) != WASMGRAPH_OK ||
      (st = find_stack_pointer(ctx, display, m, &out->stack_top)) != WASMGRAPH_OK)
    return st;

  const wgc_wasm_limits *tl = &m->tables[table->index - m->num_table_imports];
  if (tl->min > UINT32_MAX)
    return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: table too large", display);
  out->table_size = (uint32_t)tl->min;
  if (memory->limits.min > 65536 || (memory->limits.has_max && memory->limits.max > 65536) ||
      (memory->limits.has_max && memory->limits.max < memory->limits.min))
    return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: memory limits out of range", display);
  out->memory_min_pages = (uint32_t)memory->limits.min;
  out->memory_max_pages = memory->limits.has_max ? (uint32_t)memory->limits.max : 65536;
  uint64_t mem_bytes = (uint64_t)out->memory_min_pages * 65536u;
  if (out->heap_base > mem_bytes || out->data_end > out->heap_base || out->stack_top > mem_bytes)
    return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT,
                    "%s: inconsistent layout: stack top %u, data end %u, heap base %u, memory "
                    "%u pages",
                    display, out->stack_top, out->data_end, out->heap_base, out->memory_min_pages);
  if (wgc_wasm_has_feature(m, "bulk-memory")) out->features |= WASMGRAPH_FEATURE_BULK_MEMORY;
  if (uses_v128(m)) out->features |= WASMGRAPH_FEATURE_SIMD128;
  return WASMGRAPH_OK;
}

/* ---- kernel listing ----------------------------------------------------- */

static bool is_packed(const wgc_wasm_functype *t) {
  if (!t || t->num_params != 6 || t->num_results != 1 || t->results[0] != WASM_I32) return false;
  for (int i = 0; i < 6; i++)
    if (t->params[i] != WASM_I32) return false;
  return true;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **wgc_list_kernels(const wgc_wasm_module *m, int *count) {
  uint32_t cap = m->has_linking ? m->num_symbols : m->num_func_names;
  const char **names = calloc(cap ? cap : 1, sizeof *names);
  int n = 0;
  *count = 0;
  if (!names) return NULL;
  if (m->has_linking) {
    for (uint32_t i = 0; i < m->num_symbols; i++) {
      const wgc_wasm_symbol *s = &m->symbols[i];
      if (s->kind != WASM_SYM_FUNCTION ||
          (s->flags & (WASM_SYM_UNDEFINED | WASM_SYM_BINDING_LOCAL)))
        continue;
      if (s->index < m->num_func_imports || !s->name || !is_packed(wgc_wasm_func_type(m, s->index)))
        continue;
      names[n++] = s->name;
    }
  } else {
    for (uint32_t i = 0; i < m->num_func_names; i++) {
      const wgc_wasm_name *fn = &m->func_names[i];
      if (fn->index < m->num_func_imports || fn->name[0] == '.' ||
          !is_packed(wgc_wasm_func_type(m, fn->index)))
        continue;
      names[n++] = fn->name;
    }
  }
  qsort(names, (size_t)n, sizeof *names, cmp_str);
  *count = n;
  return names;
}
