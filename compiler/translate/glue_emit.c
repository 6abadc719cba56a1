/*
 * glue_emit.c — writes the C glue that turns wasm2c's output for model NAME
 * into the one descriptor of include/wasmgraph_module.h, plus the header
 * <NAME>.h that declares it.
 *
 * The glue is the only code between the runtime and the translated module
 * (wasm2c 1.0.39; <M> is NAME as wasm2c spells it, read from its header):
 *   init_module   pthread_once around looking up the two function types the
 *                 trampolines check against, with wasm2c_<M>_get_func_type
 *                 (NULL when the module has no such type: every call traps);
 *   instantiate   wasm2c_<M>_instantiate over the host env (the runtime's
 *                 struct is wasm2c's struct w2c_env);
 *   call_packed / call_lambda
 *                 exactly wasm2c's CALL_INDIRECT: index < table size, a
 *                 non-NULL entry, its type equal to (i32 x6)->i32 resp.
 *                 (i32 x3)->i32 (same pointer, or the same 32-byte type hash
 *                 as func_types_eq compares), else
 *                 wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT); then the call
 *                 through the entry's function pointer with its instance;
 *   stack pointer the instance field w2c_0x5F_stack_pointer.
 * memory_config and interrupt_checks are computed by the preprocessor from the
 * WASM_RT_* macros in effect where the glue is compiled, so they always
 * describe the code they sit beside. Every symbol with external linkage
 * carries NAME; everything else is static. WASMGRAPH_SHARED_ENTRY adds the
 * fixed alias wasmgraph_module_entry for shared objects.
 *
 * The model header <NAME>.h declares the descriptor and typed helpers as
 * static inline functions over the public runtime API (so only code that
 * includes the header depends on wasmgraph.h): NAME_create_from_files and
 * NAME_destroy always; with the embedded graph.json and params also
 * NAME_create, the inputs' and outputs' names, dtypes, shapes and sizes as
 * macros (NAME upper-cased: DIGITS_INPUT0_SIZE) and a typed NAME_run. Inputs
 * and outputs are numbered exactly as runtime/model.c numbers them: graph
 * arg nodes that are not params, in graph order, then the heads.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "graph_json.h"
#include "model_header.h"
#include "params.h"

typedef struct sb {
  char *data;
  size_t len, cap;
  bool oom;
} sb;

static void sb_printf(sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *s, const char *fmt, ...) {
  if (s->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = s->cap - s->len;
    int n = vsnprintf(s->data ? s->data + s->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
      s->oom = true;
      return;
    }
    if ((size_t)n < room) {
      s->len += (size_t)n;
      return;
    }
    size_t ncap = (s->cap + (size_t)n + 1) * 2;
    char *d = realloc(s->data, ncap);
    if (!d) {
      s->oom = true;
      return;
    }
    s->data = d;
    s->cap = ncap;
  }
}

static char *sb_finish(sb *s) {
  if (s->oom || !s->data) {
    free(s->data);
    return NULL;
  }
  return s->data;
}

/* ---- the model header <NAME>.h ----------------------------------------- */

/* One graph input or output as the header presents it. */
typedef struct io_desc {
  const char *name; /* graph name ("data") or "output_<i>" */
  const graph_entry *entry;
  const char *ctype; /* element type for typed pointers, or NULL */
  char param[80];    /* parameter name in NAME_run */
  char alias[80];    /* upper-case sanitised name for NAME_INPUT_<ALIAS>, or "" */
} io_desc;

/* Letters and digits kept (case-mapped), anything else '_', a leading digit
 * prefixed with '_', at most 64 characters. */
static void sanitise(const char *s, bool upper, char *out, size_t size) {
  size_t o = 0;
  if (isdigit((unsigned char)s[0]) && o + 1 < size) out[o++] = '_';
  for (; *s && o + 1 < size && o < 64; s++) {
    unsigned char c = (unsigned char)*s;
    out[o++] = isalnum(c) && c < 0x80 ? (char)(upper ? toupper(c) : tolower(c)) : '_';
  }
  out[o] = 0;
  if (!o && size > 1) snprintf(out, size, "_");
}

static bool is_c_keyword(const char *s) {
  static const char *const kw[] = {
      "auto",     "break",  "case",   "char",     "const",    "continue", "default",  "do",
      "double",   "else",   "enum",   "extern",   "float",    "for",      "goto",     "if",
      "inline",   "int",    "long",   "register", "restrict", "return",   "short",    "signed",
      "sizeof",   "static", "struct", "switch",   "typedef",  "union",    "unsigned", "void",
      "volatile", "while",  "bool",   "true",     "false",    "exec",     "st",       "NULL"};
  for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
    if (strcmp(s, kw[i]) == 0) return true;
  return s[0] == '_'; /* reserved-looking: avoid */
}

/* The C element type of a dtype, for typed pointers (NULL: use void). */
static const char *c_type(wasmgraph_dtype t) {
  if (t.lanes != 1) return NULL;
  switch (t.code) {
    case WASMGRAPH_DTYPE_FLOAT:
      return t.bits == 32 ? "float" : t.bits == 64 ? "double" : t.bits == 16 ? "uint16_t" : NULL;
    case WASMGRAPH_DTYPE_BFLOAT:
      return t.bits == 16 ? "uint16_t" : NULL;
    case WASMGRAPH_DTYPE_INT:
      return t.bits == 8    ? "int8_t"
             : t.bits == 16 ? "int16_t"
             : t.bits == 32 ? "int32_t"
             : t.bits == 64 ? "int64_t"
                            : NULL;
    case WASMGRAPH_DTYPE_UINT:
      return t.bits == 1 || t.bits == 8 ? "uint8_t"
             : t.bits == 16             ? "uint16_t"
             : t.bits == 32             ? "uint32_t"
             : t.bits == 64             ? "uint64_t"
                                        : NULL;
    default:
      return NULL;
  }
}

static bool param_taken(const io_desc *d, int n, const char *p) {
  for (int i = 0; i < n; i++)
    if (strcmp(d[i].param, p) == 0) return true;
  return false;
}

/* Parameter names (sanitised, '_' appended until unique and not a keyword)
 * and the name aliases (only where the sanitised names are unique). */
static void name_params(io_desc *d, int n, int num_inputs) {
  for (int i = 0; i < n; i++) {
    char base[70];
    sanitise(d[i].name, false, base, sizeof base);
    snprintf(d[i].param, sizeof d[i].param, "%s", base);
    while ((is_c_keyword(d[i].param) || param_taken(d, i, d[i].param)) &&
           strlen(d[i].param) + 2 < sizeof d[i].param)
      strcat(d[i].param, "_");
  }
  for (int i = 0; i < num_inputs; i++) {
    char up[70];
    sanitise(d[i].name, true, up, sizeof up);
    bool unique = true;
    for (int k = 0; k < num_inputs; k++) {
      char other[70];
      sanitise(d[k].name, true, other, sizeof other);
      if (k != i && strcmp(up, other) == 0) unique = false;
    }
    if (unique) snprintf(d[i].alias, sizeof d[i].alias, "%s", up);
  }
}

static void emit_io_constants(sb *s, const char *M, const char *n, const char *what,
                              const char *lower, int i, const io_desc *d) {
  const graph_entry *e = d->entry;
  uint64_t count = 1;
  for (int k = 0; k < e->ndim; k++) count *= (uint64_t)e->shape[k];
  sb_printf(s, "/* %s %d: \"%s\", %s [", lower, i, d->name, e->dtype_name);
  for (int k = 0; k < e->ndim; k++) sb_printf(s, "%s%lld", k ? ", " : "", (long long)e->shape[k]);
  sb_printf(s, "] */\n");
  sb_printf(s, "#define %s_%s%d_NAME \"%s\"\n", M, what, i, d->name);
  sb_printf(s, "#define %s_%s%d_DTYPE \"%s\"\n", M, what, i, e->dtype_name);
  sb_printf(s, "#define %s_%s%d_DTYPE_CODE %u\n", M, what, i, (unsigned)e->dtype.code);
  sb_printf(s, "#define %s_%s%d_DTYPE_BITS %u\n", M, what, i, (unsigned)e->dtype.bits);
  sb_printf(s, "#define %s_%s%d_DTYPE_LANES %u\n", M, what, i, (unsigned)e->dtype.lanes);
  sb_printf(s, "#define %s_%s%d_NDIM %d\n", M, what, i, e->ndim);
  if (e->ndim > 0) {
    sb_printf(s, "#define %s_%s%d_SHAPE {", M, what, i);
    for (int k = 0; k < e->ndim; k++) sb_printf(s, "%s%lld", k ? ", " : "", (long long)e->shape[k]);
    sb_printf(s, "}\n");
  }
  sb_printf(s, "#define %s_%s%d_COUNT %llu /* elements */\n", M, what, i,
            (unsigned long long)count);
  sb_printf(s, "#define %s_%s%d_SIZE %llu /* bytes */\n", M, what, i,
            (unsigned long long)e->nbytes);
  if (d->alias[0])
    sb_printf(s, "#define %s_%s_%s %d /* index of \"%s\" */\n", M, what, d->alias, i, d->name);
  if (d->ctype) sb_printf(s, "typedef %s %s_%s%d_t;\n", d->ctype, n, lower, i);
  sb_printf(s, "\n");
}

/* Inputs (graph arg nodes that are not params, in graph order) and outputs
 * (heads), exactly as the runtime numbers them (runtime/model.c). */
static wasmgraph_status graph_io(wgc_ctx *ctx, const wgc_buf *graph_json, const wgc_buf *params,
                                 graph_plan *plan, param_list *pl, io_desc **io, int *num_inputs,
                                 int *num_outputs, char (**out_names)[24]) {
  char msg[400];
  wasmgraph_status st =
      wg_graph_parse((const char *)graph_json->data, graph_json->size, plan, msg, sizeof msg);
  if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s", msg);
  st = wg_params_parse(params->data, params->size, pl, msg, sizeof msg);
  if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s", msg);
  size_t cap = (size_t)plan->num_arg_nodes + (size_t)plan->num_heads + 1;
  *io = calloc(cap, sizeof **io);
  *out_names = calloc((size_t)plan->num_heads + 1, sizeof **out_names);
  if (!*io || !*out_names) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  int n = 0;
  for (int a = 0; a < plan->num_arg_nodes; a++) {
    const graph_node *node = &plan->nodes[plan->arg_nodes[a]];
    bool is_param = false;
    for (int p = 0; p < pl->count && !is_param; p++)
      is_param = strcmp(pl->items[p].name, node->name) == 0;
    if (is_param) continue;
    (*io)[n].name = node->name;
    (*io)[n++].entry = &plan->entries[node->first_entry];
  }
  *num_inputs = n;
  for (int h = 0; h < plan->num_heads; h++) {
    snprintf((*out_names)[h], sizeof(*out_names)[h], "output_%d", h);
    (*io)[n].name = (*out_names)[h];
    (*io)[n++].entry = &plan->entries[plan->heads[h]];
  }
  *num_outputs = plan->num_heads;
  for (int i = 0; i < n; i++) (*io)[i].ctype = c_type((*io)[i].entry->dtype);
  name_params(*io, n, *num_inputs);
  return WASMGRAPH_OK;
}

static void emit_helpers(sb *s, const char *n, bool embedded) {
  sb_printf(s,
            "/* Creates a model from the descriptor and graph.json/params files (NULL\n"
            " * paths: the copies embedded in the model) and an executor over it. The\n"
            " * executor owns that model: release both with %s_destroy(). options\n"
            " * and err may be NULL. On failure *exec is NULL and err holds a message. */\n"
            "static inline wasmgraph_status %s_create_from_files(const char *graph_path,\n"
            "    const char *params_path, const wasmgraph_options *options,\n"
            "    wasmgraph_executor **exec, char *err, size_t err_size) {\n"
            "  wasmgraph_model *model = NULL;\n"
            "  wasmgraph_status st;\n"
            "  *exec = NULL;\n"
            "  st = wasmgraph_model_create_from_files(%s_wasmgraph_module(), graph_path,\n"
            "                                         params_path, &model, err, err_size);\n"
            "  if (st != WASMGRAPH_OK) return st;\n"
            "  st = wasmgraph_executor_create(model, options, exec, err, err_size);\n"
            "  if (st != WASMGRAPH_OK) wasmgraph_model_destroy(model);\n"
            "  return st;\n"
            "}\n\n",
            n, n, n);
  if (embedded)
    sb_printf(s,
              "/* The same with the embedded graph.json and params. */\n"
              "static inline wasmgraph_status %s_create_with(const wasmgraph_options *options,\n"
              "    wasmgraph_executor **exec, char *err, size_t err_size) {\n"
              "  return %s_create_from_files(NULL, NULL, options, exec, err, err_size);\n"
              "}\n\n"
              "/* Default options, no message: see wasmgraph_status_string(). */\n"
              "static inline wasmgraph_status %s_create(wasmgraph_executor **exec) {\n"
              "  return %s_create_from_files(NULL, NULL, NULL, exec, NULL, 0);\n"
              "}\n\n",
              n, n, n, n);
  sb_printf(s,
            "/* Destroys an executor made by %s_create*() and its model. NULL is\n"
            " * accepted. */\n"
            "static inline void %s_destroy(wasmgraph_executor *exec) {\n"
            "  wasmgraph_model *model;\n"
            "  if (!exec) return;\n"
            "  model = (wasmgraph_model *)wasmgraph_executor_model(exec);\n"
            "  wasmgraph_executor_destroy(exec);\n"
            "  wasmgraph_model_destroy(model);\n"
            "}\n\n",
            n, n);
}

static void emit_run(sb *s, const char *M, const char *n, const io_desc *io, int num_inputs,
                     int num_outputs) {
  sb_printf(s,
            "/* Copies the inputs in, runs the graph and copies the outputs out. Each\n"
            " * buffer holds exactly %s_INPUT<i>_SIZE / %s_OUTPUT<i>_SIZE bytes. On\n"
            " * failure the message is wasmgraph_executor_last_error(exec). */\n"
            "static inline wasmgraph_status %s_run(wasmgraph_executor *exec",
            M, M, n);
  for (int i = 0; i < num_inputs + num_outputs; i++)
    sb_printf(s, ",\n    %s%s *%s", i < num_inputs ? "const " : "",
              io[i].ctype ? io[i].ctype : "void", io[i].param);
  sb_printf(s, ") {\n  wasmgraph_status st;\n");
  for (int i = 0; i < num_inputs; i++)
    sb_printf(s,
              "  st = wasmgraph_executor_set_input(exec, %d, %s, %s_INPUT%d_SIZE);\n"
              "  if (st != WASMGRAPH_OK) return st;\n",
              i, io[i].param, M, i);
  sb_printf(s, "  st = wasmgraph_executor_run(exec);\n  if (st != WASMGRAPH_OK) return st;\n");
  for (int o = 0; o < num_outputs; o++)
    sb_printf(s,
              "  st = wasmgraph_executor_get_output(exec, %d, %s, %s_OUTPUT%d_SIZE);\n"
              "  if (st != WASMGRAPH_OK) return st;\n",
              o, io[num_inputs + o].param, M, o);
  sb_printf(s, "  return WASMGRAPH_OK;\n}\n\n");
}

wasmgraph_status wgc_model_header(wgc_ctx *ctx, const char *name, const char *glue_file,
                                  const wgc_buf *graph_json, const wgc_buf *params, char **out) {
  const char *n = name;
  char M[72];
  sanitise(name, true, M, sizeof M);
  bool embedded = graph_json && params;
  graph_plan plan;
  param_list pl;
  memset(&plan, 0, sizeof plan);
  memset(&pl, 0, sizeof pl);
  io_desc *io = NULL;
  char(*out_names)[24] = NULL;
  int ni = 0, no = 0;
  *out = NULL;
  wasmgraph_status st = WASMGRAPH_OK;
  if (embedded) st = graph_io(ctx, graph_json, params, &plan, &pl, &io, &ni, &no, &out_names);
  if (st != WASMGRAPH_OK) goto done;

  sb s = {0};
  sb_printf(&s,
            "/* %s.h — generated by wasmgraph %s for model '%s'. Do not edit.\n"
            " *\n"
            " * Compile %s and %s_w2c.c (and %s_data.c when present) with the\n"
            " * wasmgraph runtime's include directories and WASM_RT_* definitions and\n"
            " * link the runtime (CMake: wasmgraph_add_model() does all of this;\n"
            " * pkg-config: `pkg-config --cflags --libs wasmgraph`).\n"
            " *\n",
            n, WASMGRAPH_VERSION, n, glue_file, n, n);
  if (embedded) {
    sb_printf(&s,
              " * Use (graph.json and params are embedded):\n"
              " *\n"
              " *     wasmgraph_executor *exec;\n"
              " *     if (%s_create(&exec) != WASMGRAPH_OK) ...\n"
              " *     if (%s_run(exec, <inputs>, <outputs>) != WASMGRAPH_OK)\n"
              " *       puts(wasmgraph_executor_last_error(exec));\n"
              " *     %s_destroy(exec);\n"
              " *\n"
              " * Graph: %d input%s, %d output%s\n",
              n, n, n, ni, ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
    for (int i = 0; i < ni + no; i++) {
      const graph_entry *e = io[i].entry;
      sb_printf(&s, " *   %-6s %-3d %-24s %-8s [", i < ni ? "input" : "output", i < ni ? i : i - ni,
                io[i].name, e->dtype_name);
      for (int k = 0; k < e->ndim; k++)
        sb_printf(&s, "%s%lld", k ? ", " : "", (long long)e->shape[k]);
      sb_printf(&s, "]\n");
    }
  } else {
    sb_printf(&s,
              " * Use (graph.json and params were not embedded; give their paths):\n"
              " *\n"
              " *     wasmgraph_executor *exec;\n"
              " *     char err[256];\n"
              " *     if (%s_create_from_files(\"graph.json\", \"graph.params\", NULL, &exec,\n"
              " *                              err, sizeof err) != WASMGRAPH_OK) ...\n"
              " *     ... wasmgraph_executor_set_input / _run / _get_output ...\n"
              " *     %s_destroy(exec);\n",
              n, n);
  }
  sb_printf(&s,
            " */\n"
            "#ifndef %s_WASMGRAPH_H_\n"
            "#define %s_WASMGRAPH_H_\n\n"
            "#include <stddef.h>\n"
            "#include <stdint.h>\n\n"
            "#include \"wasmgraph.h\"\n\n"
            "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
            "/* The descriptor (wasmgraph_module.h), for wasmgraph_model_create(). */\n"
            "const wasmgraph_module_desc *%s_wasmgraph_module(void);\n\n",
            n, n, n);
  if (embedded) {
    sb_printf(&s,
              "/* ---- the graph's inputs and outputs, numbered as the runtime does */\n\n"
              "#define %s_NUM_INPUTS %d\n"
              "#define %s_NUM_OUTPUTS %d\n\n",
              M, ni, M, no);
    for (int i = 0; i < ni; i++) emit_io_constants(&s, M, n, "INPUT", "input", i, &io[i]);
    for (int o = 0; o < no; o++) emit_io_constants(&s, M, n, "OUTPUT", "output", o, &io[ni + o]);
  }
  sb_printf(&s, "/* ---- typed helpers over the runtime API (wasmgraph.h) ------------- */\n\n");
  emit_helpers(&s, n, embedded);
  if (embedded) emit_run(&s, M, n, io, ni, no);
  sb_printf(&s, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
  *out = sb_finish(&s);
  if (!*out) st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");

done:
  free(io);
  free(out_names);
  wg_graph_plan_free(&plan);
  wg_param_list_free(&pl);
  return st;
}

char *wgc_glue_header(const char *name, const char *glue_file) {
  wgc_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  char *text = NULL;
  wgc_model_header(&ctx, name, glue_file, NULL, NULL, &text);
  return text;
}

char *wgc_glue_source(const char *name, const char *mangled, const wgc_layout *l,
                      const wgc_embed_info *embed) {
  const char *m = mangled;
  const char *n = name;
  sb s = {0};
  sb_printf(&s,
            "/* %s_glue.c — generated by wasmgraph %s for model '%s'. Do not edit.\n"
            " * The wasmgraph_module_desc of this model (include/wasmgraph_module.h) over\n"
            " * the wasm2c %s translation in %s_w2c.c. */\n"
            "#include <pthread.h>\n"
            "#include <stddef.h>\n"
            "#include <stdint.h>\n"
            "#include <string.h>\n\n"
            "#include \"wasmgraph_module.h\"\n"
            "#include \"%s_w2c.h\"\n\n",
            n, WASMGRAPH_VERSION, n, WG_WASM2C_VERSION, n, n);
  sb_printf(&s,
            "#if WASM_RT_MEMCHECK_SIGNAL_HANDLER\n"
            "#define WG_MEMCFG_GUARD WASMGRAPH_MEMCFG_GUARD_PAGES\n"
            "#else\n"
            "#define WG_MEMCFG_GUARD 0u\n"
            "#endif\n"
            "#if WASM_RT_USE_STACK_DEPTH_COUNT\n"
            "#define WG_MEMCFG_DEPTH WASMGRAPH_MEMCFG_STACK_DEPTH\n"
            "#else\n"
            "#define WG_MEMCFG_DEPTH 0u\n"
            "#endif\n"
            "#if WASM_RT_NO_INTERRUPT_CHECKS\n"
            "#define WG_INTERRUPT_CHECKS WASMGRAPH_INTERRUPT_CHECKS_NONE\n"
            "#else\n"
            "#define WG_INTERRUPT_CHECKS WASMGRAPH_INTERRUPT_CHECKS_ALL\n"
            "#endif\n\n");
  sb_printf(&s,
            "typedef w2c_%s wgc_instance;\n"
            "typedef u32 (*wgc_packed_fn)(void *, u32, u32, u32, u32, u32, u32);\n"
            "typedef u32 (*wgc_lambda_fn)(void *, u32, u32, u32);\n\n"
            "static pthread_once_t wgc_once = PTHREAD_ONCE_INIT;\n"
            "static wasm_rt_func_type_t wgc_packed_type; /* (i32 x6)->i32, or NULL */\n"
            "static wasm_rt_func_type_t wgc_lambda_type; /* (i32 x3)->i32, or NULL */\n\n",
            m);
  sb_printf(&s,
            "static void wgc_init_once(void) {\n"
            "  wgc_packed_type = wasm2c_%s_get_func_type(6, 1, WASM_RT_I32, WASM_RT_I32,\n"
            "      WASM_RT_I32, WASM_RT_I32, WASM_RT_I32, WASM_RT_I32, WASM_RT_I32);\n"
            "  wgc_lambda_type = wasm2c_%s_get_func_type(3, 1, WASM_RT_I32, WASM_RT_I32,\n"
            "      WASM_RT_I32, WASM_RT_I32);\n"
            "}\n\n"
            "static void wgc_init_module(void) { pthread_once(&wgc_once, wgc_init_once); }\n\n"
            "static void wgc_instantiate(void *instance, wasmgraph_host_env *env) {\n"
            "  wasm2c_%s_instantiate((wgc_instance *)instance, (struct w2c_env *)env);\n"
            "}\n\n"
            "static void wgc_free_instance(void *instance) {\n"
            "  wasm2c_%s_free((wgc_instance *)instance);\n"
            "}\n\n"
            "static void wgc_call_ctors(void *instance) {\n"
            "  w2c_%s_0x5F_wasm_call_ctors((wgc_instance *)instance);\n"
            "}\n\n",
            m, m, m, m, m);
  sb_printf(&s,
            "/* What wasm2c's CALL_INDIRECT checks, then the call. */\n"
            "static const wasm_rt_funcref_t *wgc_entry(void *instance, uint32_t index,\n"
            "                                         wasm_rt_func_type_t type) {\n"
            "  const wasm_rt_funcref_table_t *table =\n"
            "      w2c_%s_0x5F_indirect_function_table((wgc_instance *)instance);\n"
            "  const wasm_rt_funcref_t *e = index < table->size ? &table->data[index] : NULL;\n"
            "  if (!(type && e && e->func && e->func_type &&\n"
            "        (e->func_type == type || memcmp(e->func_type, type, 32) == 0)))\n"
            "    wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);\n"
            "  return e;\n"
            "}\n\n"
            "static int32_t wgc_call_packed(void *instance, uint32_t table_index, uint32_t args,\n"
            "                              uint32_t type_codes, int32_t num_args,\n"
            "                              uint32_t ret_value, uint32_t ret_tcode) {\n"
            "  const wasm_rt_funcref_t *e = wgc_entry(instance, table_index, wgc_packed_type);\n"
            "  return (int32_t)((wgc_packed_fn)e->func)(e->module_instance, args, type_codes,\n"
            "                                          (u32)num_args, ret_value, ret_tcode, 0u);\n"
            "}\n\n"
            "static int32_t wgc_call_lambda(void *instance, uint32_t table_index,\n"
            "                               int32_t task_id, uint32_t penv, uint32_t cdata) {\n"
            "  const wasm_rt_funcref_t *e = wgc_entry(instance, table_index, wgc_lambda_type);\n"
            "  return (int32_t)((wgc_lambda_fn)e->func)(e->module_instance, (u32)task_id, penv,\n"
            "                                          cdata);\n"
            "}\n\n"
            "static uint32_t wgc_get_stack_pointer(const void *instance) {\n"
            "  return ((const wgc_instance *)instance)->w2c_0x5F_stack_pointer;\n"
            "}\n\n"
            "static void wgc_set_stack_pointer(void *instance, uint32_t sp) {\n"
            "  ((wgc_instance *)instance)->w2c_0x5F_stack_pointer = sp;\n"
            "}\n\n",
            m);
  if (embed && embed->present)
    sb_printf(&s,
              "extern const uint8_t %s_wasmgraph_graph_json[];\n"
              "extern const uint8_t %s_wasmgraph_params[];\n\n",
              n, n);
  sb_printf(&s,
            "static const wasmgraph_module_desc wgc_desc = {\n"
            "    WASMGRAPH_MODULE_ABI_VERSION,\n"
            "    sizeof(wasmgraph_module_desc),\n"
            "    \"%s\",\n"
            "    \"wasmgraph %s / wasm2c %s\",\n"
            "    WG_MEMCFG_GUARD | WG_MEMCFG_DEPTH,\n"
            "    %uu, /* features */\n"
            "    %uu, /* stack_top */\n"
            "    %uu, /* data_end */\n"
            "    %uu, /* heap_base */\n"
            "    %uu, /* memory_min_pages */\n"
            "    %uu, /* memory_max_pages */\n"
            "    sizeof(wgc_instance),\n"
            "    wgc_init_module,\n"
            "    wgc_instantiate,\n"
            "    wgc_free_instance,\n"
            "    wgc_call_ctors,\n"
            "    wgc_call_packed,\n"
            "    wgc_call_lambda,\n"
            "    wgc_get_stack_pointer,\n"
            "    wgc_set_stack_pointer,\n",
            n, WASMGRAPH_VERSION, WG_WASM2C_VERSION, l->features, l->stack_top, l->data_end,
            l->heap_base, l->memory_min_pages, l->memory_max_pages);
  if (embed && embed->present)
    sb_printf(&s,
              "    %s_wasmgraph_graph_json,\n"
              "    %lluu,\n"
              "    %s_wasmgraph_params,\n"
              "    %lluu,\n",
              n, (unsigned long long)embed->graph_json_size, n,
              (unsigned long long)embed->params_size);
  else sb_printf(&s, "    NULL, 0u, NULL, 0u,\n");
  sb_printf(&s,
            "    WG_INTERRUPT_CHECKS,\n"
            "};\n\n"
            "const wasmgraph_module_desc *%s_wasmgraph_module(void);\n"
            "const wasmgraph_module_desc *%s_wasmgraph_module(void) { return &wgc_desc; }\n\n"
            "#ifdef WASMGRAPH_SHARED_ENTRY\n"
            "/* The fixed name `wasmgraph run` looks up with dlsym(). */\n"
            "const wasmgraph_module_desc *wasmgraph_module_entry(void);\n"
            "const wasmgraph_module_desc *wasmgraph_module_entry(void) { return &wgc_desc; }\n"
            "#endif\n",
            n, n);
  return sb_finish(&s);
}
