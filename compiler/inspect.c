/*
 * inspect.c — what `wasmgraph inspect` reports: the same reading and checks
 * as wasmgraph_compile up to the linked module, gathered into a report
 * instead of stopping at the first problem.
 *
 * Kernels come from the objects' linking symbol tables (defined, non-local
 * functions of the PackedFunc type) or, for a linked module, its name
 * section. Imports, memory and table sizes come from the linked module when
 * the input could be linked (that is what the runtime will see), else from
 * the objects themselves. A failing check is recorded (check_status and
 * check_message, the first failure in pipeline order) and inspection goes on;
 * only unreadable input makes the call fail.
 *
 * A package (Model Library Format or tvmc tar) is inspected through the files
 * input.c extracted from it; the report then names the package's members
 * ("model.tar(codegen/host/lib/default_lib0.o)") instead of those temp files,
 * and input_kind is "mlf-package" or "tvmc-package".
 */
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "package.h"

typedef struct strlist {
  int n;
  char **v;
} strlist;

static bool strlist_has(const strlist *l, const char *s) {
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->v[i], s) == 0) return true;
  return false;
}

static bool strlist_add(strlist *l, const char *s) {
  if (strlist_has(l, s)) return true;
  char **v = realloc(l->v, (size_t)(l->n + 1) * sizeof *v);
  if (!v) return false;
  l->v = v;
  if (!(v[l->n] = strdup(s))) return false;
  l->n++;
  return true;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *kind_name(uint8_t k) {
  switch (k) {
    case WASM_EXT_FUNC:
      return "func";
    case WASM_EXT_TABLE:
      return "table";
    case WASM_EXT_MEMORY:
      return "memory";
    case WASM_EXT_GLOBAL:
      return "global";
    default:
      return "tag";
  }
}

/* Replaces the report's imports with those of `m` (functions only unless
 * `all`). Returns false on OOM. */
static bool collect_imports(wasmgraph_inspect_report *r, const wgc_wasm_module *m, bool all) {
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const wgc_wasm_import *im = &m->imports[i];
    if (!all && im->kind != WASM_EXT_FUNC) continue;
    bool dup = false;
    for (int k = 0; k < r->num_imports; k++)
      if (strcmp(r->imports[k].module, im->module) == 0 &&
          strcmp(r->imports[k].name, im->name) == 0)
        dup = true;
    if (dup) continue;
    wasmgraph_inspect_import *v = realloc(r->imports, (size_t)(r->num_imports + 1) * sizeof *v);
    if (!v) return false;
    r->imports = v;
    wasmgraph_inspect_import *e = &v[r->num_imports];
    memset(e, 0, sizeof *e);
    char type[200] = "";
    if (im->kind == WASM_EXT_FUNC) {
      wgc_wasm_functype_format(&m->types[im->type_index], type, sizeof type);
      e->served = wgc_import_served(im->module, im->name, &m->types[im->type_index], NULL, 0);
    } else if (im->kind == WASM_EXT_MEMORY) {
      e->served = strcmp(im->module, "env") == 0 && strcmp(im->name, "memory") == 0;
    }
    e->module = strdup(im->module);
    e->name = strdup(im->name);
    e->kind = strdup(kind_name(im->kind));
    e->type = strdup(type);
    r->num_imports++;
    if (!e->module || !e->name || !e->kind || !e->type) return false;
  }
  return true;
}

static void clear_imports(wasmgraph_inspect_report *r) {
  for (int i = 0; i < r->num_imports; i++) {
    free(r->imports[i].module);
    free(r->imports[i].name);
    free(r->imports[i].kind);
    free(r->imports[i].type);
  }
  free(r->imports);
  r->imports = NULL;
  r->num_imports = 0;
}

static void record_check(wasmgraph_inspect_report *r, wasmgraph_status st, const char *msg) {
  if (r->check_status != WASMGRAPH_OK || st == WASMGRAPH_OK) return;
  r->check_status = st;
  free(r->check_message);
  r->check_message = strdup(msg);
}

/* Reads every object: kernels, features, fallback imports and sizes. */
static wasmgraph_status read_objects(wgc_ctx *ctx, wgc_input *in, wasmgraph_inspect_report *r,
                                     strlist *kernels, strlist *features) {
  char msg[512];
  for (int i = 0; i < in->num_objects; i++) {
    wgc_wasm_module m;
    wasmgraph_status st =
        wgc_wasm_read(in->objects[i].data, in->objects[i].size, &m, msg, sizeof msg);
    if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s: %s", in->objects[i].display, msg);
    if (!m.has_linking && in->kind == WG_INPUT_OBJECT) in->kind = WG_INPUT_MODULE;
    int nk = 0;
    const char **ks = wgc_list_kernels(&m, &nk);
    bool ok = ks != NULL;
    for (int k = 0; ok && k < nk; k++) ok = strlist_add(kernels, ks[k]);
    free(ks);
    for (uint32_t f = 0; ok && f < m.num_features; f++)
      if (m.features[f].prefix != '-') ok = strlist_add(features, m.features[f].name);
    if (ok) ok = collect_imports(r, &m, false);
    for (uint32_t k = 0; k < m.num_imports; k++) {
      const wgc_wasm_import *im = &m.imports[k];
      if (im->kind == WASM_EXT_MEMORY && im->limits.min > r->memory_min_pages) {
        r->memory_min_pages = im->limits.min > UINT32_MAX ? UINT32_MAX : (uint32_t)im->limits.min;
        r->memory_max_pages =
            im->limits.has_max && im->limits.max <= 65536 ? (uint32_t)im->limits.max : 65536;
      }
      if (im->kind == WASM_EXT_TABLE && im->limits.min > r->table_size)
        r->table_size = im->limits.min > UINT32_MAX ? UINT32_MAX : (uint32_t)im->limits.min;
    }
    char *check_err = ctx->err;
    size_t check_size = ctx->err_size;
    ctx->err = msg;
    ctx->err_size = sizeof msg;
    st = wgc_check_object(ctx, in->objects[i].display, &m);
    ctx->err = check_err;
    ctx->err_size = check_size;
    record_check(r, st, msg);
    wgc_wasm_module_free(&m);
    if (!ok) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  return WASMGRAPH_OK;
}

/* Links (if needed) and reads the linked module's view into the report. */
static wasmgraph_status inspect_linked(wgc_ctx *ctx, wgc_input *in, wasmgraph_inspect_report *r) {
  char msg[512];
  char *check_err = ctx->err;
  size_t check_size = ctx->err_size;
  ctx->err = msg;
  ctx->err_size = sizeof msg;
  char *linked = NULL;
  wgc_wasm_module m;
  wgc_buf b = {0};
  bool have_module = false;
  wasmgraph_status st = wgc_link(ctx, in, "inspect", &linked);
  if (st == WASMGRAPH_OK) st = wgc_read_file(ctx, linked, &b);
  if (st == WASMGRAPH_OK) {
    char rmsg[400];
    st = wgc_wasm_read(b.data, b.size, &m, rmsg, sizeof rmsg);
    if (st != WASMGRAPH_OK) wgc_fail(ctx, st, "%s: linked module: %s", in->wasm_path, rmsg);
    have_module = st == WASMGRAPH_OK;
  }
  wgc_layout layout;
  if (st == WASMGRAPH_OK) st = wgc_check_linked(ctx, in->wasm_path, &m, &layout);
  ctx->err = check_err;
  ctx->err_size = check_size;
  record_check(r, st, msg);
  wasmgraph_status result = WASMGRAPH_OK;
  if (have_module) {
    clear_imports(r);
    if (!collect_imports(r, &m, true))
      result = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    if (st == WASMGRAPH_OK) {
      r->linked = true;
      r->memory_min_pages = layout.memory_min_pages;
      r->memory_max_pages = layout.memory_max_pages;
      r->table_size = layout.table_size;
      r->stack_top = layout.stack_top;
      r->data_end = layout.data_end;
      r->heap_base = layout.heap_base;
    }
    wgc_wasm_module_free(&m);
  }
  wgc_buf_free(&b);
  free(linked);
  return result;
}

/* Names the package's kind and members in the report (input.c has already
 * extracted and checked the package; this reads its listing once more). */
static wasmgraph_status describe_package(wgc_ctx *ctx, const char *input,
                                         wasmgraph_inspect_report *r) {
  wgc_buf b;
  wg_package pkg;
  wasmgraph_status st = wgc_read_file(ctx, input, &b);
  if (st != WASMGRAPH_OK) return st;
  st = wg_package_parse(b.data, b.size, input, &pkg, ctx->err, ctx->err_size);
  if (st == WASMGRAPH_OK) {
    r->input_kind = strdup(wg_package_kind_name(pkg.kind, true));
    if (pkg.num_libs > 1)
      r->wasm_path =
          wgc_strdup_printf("%s(%s) + %d more", input, pkg.libs[0].member, pkg.num_libs - 1);
    else r->wasm_path = wgc_strdup_printf("%s(%s)", input, pkg.libs[0].member);
    r->graph_json_path = wgc_strdup_printf("%s(%s)", input, pkg.graph.member);
    r->params_path = wgc_strdup_printf("%s(%s)", input, pkg.params.member);
    if (!r->input_kind || !r->wasm_path || !r->graph_json_path || !r->params_path)
      st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    wg_package_free(&pkg);
  }
  wgc_buf_free(&b);
  return st;
}

wasmgraph_status wasmgraph_inspect(const char *input, const wasmgraph_compile_options *opts,
                                   wasmgraph_inspect_report **out, char *err, size_t err_size) {
  wgc_ctx ctx = {.opts = opts, .err = err, .err_size = err_size};
  wgc_input in;
  strlist kernels = {0}, features = {0};
  *out = NULL;
  if (err && err_size) err[0] = 0;
  wasmgraph_inspect_report *r = calloc(1, sizeof *r);
  if (!r) return wgc_fail(&ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  wasmgraph_status st = wgc_input_load(&ctx, input, &in);
  if (st == WASMGRAPH_OK) st = read_objects(&ctx, &in, r, &kernels, &features);
  if (st == WASMGRAPH_OK) st = inspect_linked(&ctx, &in, r);
  if (st == WASMGRAPH_OK && in.is_folder && !wgc_is_dir(input))
    st = describe_package(&ctx, input, r);
  if (st == WASMGRAPH_OK) {
    static const char *const kinds[] = {"object", "archive", "module"};
    if (!r->input_kind) {
      r->input_kind = strdup(in.is_folder ? "folder" : kinds[in.kind]);
      r->wasm_path = strdup(in.wasm_path);
      r->graph_json_path = in.graph_json_path ? strdup(in.graph_json_path) : NULL;
      r->params_path = in.params_path ? strdup(in.params_path) : NULL;
    }
    r->input_path = strdup(input);
    r->num_objects = in.num_objects;
    /* a stripped module names no kernel: no array to sort */
    if (kernels.n) qsort(kernels.v, (size_t)kernels.n, sizeof *kernels.v, cmp_str);
    r->kernels = kernels.v;
    r->num_kernels = kernels.n;
    r->features = features.v;
    r->num_features = features.n;
    kernels = (strlist){0};
    features = (strlist){0};
    if (!r->check_message) r->check_message = strdup("");
    if (!r->input_kind || !r->wasm_path || !r->input_path || !r->check_message ||
        (in.graph_json_path && !r->graph_json_path) || (in.params_path && !r->params_path))
      st = wgc_fail(&ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  for (int i = 0; i < kernels.n; i++) free(kernels.v[i]);
  free(kernels.v);
  for (int i = 0; i < features.n; i++) free(features.v[i]);
  free(features.v);
  wgc_input_free(&in);
  wgc_tmpdir_cleanup(&ctx);
  for (int i = 0; i < WG_TOOL_COUNT; i++) free(ctx.tool_path[i]);
  free(ctx.wasm2c_script);
  if (st != WASMGRAPH_OK) {
    wasmgraph_inspect_report_free(r);
    return st;
  }
  *out = r;
  return WASMGRAPH_OK;
}

void wasmgraph_inspect_report_free(wasmgraph_inspect_report *r) {
  if (!r) return;
  free(r->input_path);
  free(r->input_kind);
  free(r->wasm_path);
  free(r->graph_json_path);
  free(r->params_path);
  for (int i = 0; i < r->num_kernels; i++) free(r->kernels[i]);
  free(r->kernels);
  clear_imports(r);
  for (int i = 0; i < r->num_features; i++) free(r->features[i]);
  free(r->features);
  free(r->check_message);
  free(r);
}
