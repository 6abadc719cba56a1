/*
 * model.c — the immutable model: a translated module's descriptor plus the
 * parsed graph.json and params, with the graph's inputs and outputs resolved.
 *
 * Invariants once wasmgraph_model_create returns OK:
 * - the descriptor's ABI version and memory configuration match this runtime;
 * - every param names a "null" node of the graph and has exactly its dtype
 *   and shape; inputs are the null nodes that no param fills, in graph order;
 * - nothing here is mutated again, so any number of threads may share it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "library_name.h"
#include "runtime_internal.h"

static uint32_t runtime_memory_config(void) {
  return (WASM_RT_MEMCHECK_SIGNAL_HANDLER ? WASMGRAPH_MEMCFG_GUARD_PAGES : 0u) |
         (WASM_RT_USE_STACK_DEPTH_COUNT ? WASMGRAPH_MEMCFG_STACK_DEPTH : 0u);
}

static const char *memcfg_name(uint32_t cfg) {
  return (cfg & WASMGRAPH_MEMCFG_GUARD_PAGES) ? "guard-pages" : "bounds-check";
}

static wasmgraph_status check_descriptor(const wasmgraph_module_desc *d, char *err,
                                         size_t err_size) {
  if (!d) {
    wg_format(err, err_size, "module descriptor is NULL");
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  if (d->abi_version != WASMGRAPH_MODULE_ABI_VERSION) {
    wg_format(err, err_size,
              "module uses descriptor ABI version %u but this runtime supports %u; "
              "recompile the model with this wasmgraph",
              d->abi_version, WASMGRAPH_MODULE_ABI_VERSION);
    return WASMGRAPH_ERR_ABI;
  }
  if (d->struct_size < sizeof(wasmgraph_module_desc)) {
    wg_format(err, err_size, "module descriptor is truncated (%u bytes, need %zu)", d->struct_size,
              sizeof(wasmgraph_module_desc));
    return WASMGRAPH_ERR_ABI;
  }
  if (d->memory_config != runtime_memory_config()) {
    wg_format(err, err_size,
              "module '%s' was compiled for %s memory checks but this runtime uses %s; "
              "recompile it with this wasmgraph",
              d->name ? d->name : "?", memcfg_name(d->memory_config),
              memcfg_name(runtime_memory_config()));
    return WASMGRAPH_ERR_ABI;
  }
  if (d->features & ~(uint32_t)(WASMGRAPH_FEATURE_BULK_MEMORY | WASMGRAPH_FEATURE_SIMD128)) {
    wg_format(err, err_size, "module '%s' needs wasm features this runtime lacks (0x%x)",
              d->name ? d->name : "?", d->features);
    return WASMGRAPH_ERR_UNSUPPORTED;
  }
  if (!d->init_module || !d->instantiate || !d->free_instance || !d->call_ctors ||
      !d->call_packed || !d->call_lambda || !d->get_stack_pointer || !d->set_stack_pointer ||
      d->instance_size == 0) {
    wg_format(err, err_size, "module descriptor is missing an entry point");
    return WASMGRAPH_ERR_ABI;
  }
  return WASMGRAPH_OK;
}

static bool same_shape(const int64_t *a, int an, const int64_t *b, int bn) {
  if (an != bn) return false;
  for (int i = 0; i < an; i++)
    if (a[i] != b[i]) return false;
  return true;
}

static void format_shape(const int64_t *s, int n, char *buf, size_t size) {
  size_t len = 0;
  len += (size_t)snprintf(buf + len, size - len, "[");
  for (int i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, i ? ", %lld" : "%lld", (long long)s[i]);
  if (len < size) snprintf(buf + len, size - len, "]");
}

/* Attaches each param to its null node; every failure names the param. */
static wasmgraph_status bind_params(wasmgraph_model *m, char *err, size_t err_size) {
  const graph_plan *g = &m->plan;
  m->entry_param = malloc((size_t)(g->num_entries ? g->num_entries : 1) * sizeof(int));
  if (!m->entry_param) goto oom;
  for (int i = 0; i < g->num_entries; i++) m->entry_param[i] = -1;
  for (int p = 0; p < m->params.count; p++) {
    const param_tensor *t = &m->params.items[p];
    int entry = -1;
    for (int a = 0; a < g->num_arg_nodes; a++) {
      const graph_node *n = &g->nodes[g->arg_nodes[a]];
      if (strcmp(n->name, t->name) == 0) {
        entry = n->first_entry;
        break;
      }
    }
    if (entry < 0) {
      wg_format(err, err_size, "params: '%s' is not an input of the graph", t->name);
      return WASMGRAPH_ERR_NOT_FOUND;
    }
    const graph_entry *e = &g->entries[entry];
    if (!wg_dtype_equal(e->dtype, t->dtype)) {
      char want[32], got[32];
      wg_dtype_format(e->dtype, want, sizeof want);
      wg_dtype_format(t->dtype, got, sizeof got);
      wg_format(err, err_size, "params: '%s' has dtype %s but the graph expects %s", t->name, got,
                want);
      return WASMGRAPH_ERR_DTYPE_MISMATCH;
    }
    if (!same_shape(e->shape, e->ndim, t->shape, t->ndim)) {
      char want[128], got[128];
      format_shape(e->shape, e->ndim, want, sizeof want);
      format_shape(t->shape, t->ndim, got, sizeof got);
      wg_format(err, err_size, "params: '%s' has shape %s but the graph expects %s", t->name, got,
                want);
      return WASMGRAPH_ERR_SHAPE_MISMATCH;
    }
    m->entry_param[entry] = p;
  }
  return WASMGRAPH_OK;
oom:
  wg_format(err, err_size, "out of memory");
  return WASMGRAPH_ERR_NO_MEMORY;
}

static void fill_info(wasmgraph_tensor_info *info, const char *name, const graph_entry *e) {
  info->name = name;
  info->dtype = e->dtype;
  info->dtype_name = e->dtype_name;
  info->ndim = e->ndim;
  info->shape = e->shape;
  info->nbytes = e->nbytes;
}

static wasmgraph_status resolve_io(wasmgraph_model *m, char *err, size_t err_size) {
  const graph_plan *g = &m->plan;
  size_t n_args = (size_t)(g->num_arg_nodes ? g->num_arg_nodes : 1);
  m->input_entry = malloc(n_args * sizeof(int));
  m->input_info = calloc(n_args, sizeof *m->input_info);
  size_t n_out = (size_t)(g->num_heads ? g->num_heads : 1);
  m->output_info = calloc(n_out, sizeof *m->output_info);
  m->output_names = calloc(n_out, sizeof *m->output_names);
  if (!m->input_entry || !m->input_info || !m->output_info || !m->output_names) goto oom;
  for (int a = 0; a < g->num_arg_nodes; a++) {
    const graph_node *n = &g->nodes[g->arg_nodes[a]];
    if (m->entry_param[n->first_entry] >= 0) continue;
    m->input_entry[m->num_inputs] = n->first_entry;
    fill_info(&m->input_info[m->num_inputs], n->name, &g->entries[n->first_entry]);
    m->num_inputs++;
  }
  for (int h = 0; h < g->num_heads; h++) {
    char name[32];
    snprintf(name, sizeof name, "output_%d", h);
    m->output_names[h] = strdup(name);
    if (!m->output_names[h]) goto oom;
    fill_info(&m->output_info[h], m->output_names[h], &g->entries[g->heads[h]]);
    m->num_outputs++;
  }
  return WASMGRAPH_OK;
oom:
  wg_format(err, err_size, "out of memory");
  return WASMGRAPH_ERR_NO_MEMORY;
}

/* A malloc'd copy of n bytes at src in *out; the message names `what`. */
static wasmgraph_status copy_bytes(const void *src, size_t n, const char *what, void **out,
                                   char *err, size_t err_size) {
  *out = malloc(n ? n : 1);
  if (!*out) {
    wg_format(err, err_size, "out of memory copying %zu bytes of %s", n, what);
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  memcpy(*out, src, n);
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_model_create(const wasmgraph_module_desc *module, const void *graph_json,
                                        size_t graph_json_size, const void *params,
                                        size_t params_size, wasmgraph_model **out, char *err,
                                        size_t err_size) {
  if (!out) {
    wg_format(err, err_size, "out is NULL");
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  *out = NULL;
  wasmgraph_status st = check_descriptor(module, err, err_size);
  if (st) return st;
  if (!graph_json) {
    graph_json = module->graph_json;
    graph_json_size = module->graph_json_size;
  }
  if (!params) {
    params = module->params;
    params_size = module->params_size;
  }
  if (!graph_json) {
    wg_format(err, err_size,
              "no graph.json: module '%s' has none embedded; pass one (--graph) or compile "
              "with --embed",
              module->name);
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  if (!params) {
    wg_format(err, err_size,
              "no params: module '%s' has none embedded; pass one (--params) or compile "
              "with --embed",
              module->name);
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }

  wasmgraph_model *m = calloc(1, sizeof *m);
  if (!m) {
    wg_format(err, err_size, "out of memory");
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  m->desc = module;
  /* the model keeps both: the caller may free its copies on return */
  void *graph_copy = NULL, *params_copy = NULL;
  st = copy_bytes(graph_json, graph_json_size, "graph.json", &graph_copy, err, err_size);
  m->graph_json = graph_copy;
  m->graph_json_size = graph_json_size;
  if (st) goto fail;
  st = wg_graph_parse(graph_json, graph_json_size, &m->plan, err, err_size);
  if (st) goto fail;
  st = copy_bytes(params, params_size, "params", &params_copy, err, err_size);
  m->params_blob = params_copy;
  if (st) goto fail;
  st = wg_params_parse(m->params_blob, params_size, &m->params, err, err_size);
  if (st) goto fail;
  st = bind_params(m, err, err_size);
  if (st) goto fail;
  st = resolve_io(m, err, err_size);
  if (st) goto fail;
  *out = m;
  return WASMGRAPH_OK;
fail:
  wasmgraph_model_destroy(m);
  return st;
}

/* Reads a whole file; the message names the path. */
static wasmgraph_status read_file(const char *path, uint8_t **data, size_t *size, char *err,
                                  size_t err_size) {
  *data = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    wg_format(err, err_size, "%s: %s", path, strerror(errno));
    return WASMGRAPH_ERR_IO;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len < cap) break;
    uint8_t *grown = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
    if (!grown) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = grown;
    cap *= 2;
  }
  int failed = ferror(f);
  fclose(f);
  if (!buf) {
    wg_format(err, err_size, "%s: out of memory", path);
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  if (failed) {
    free(buf);
    wg_format(err, err_size, "%s: read error", path);
    return WASMGRAPH_ERR_IO;
  }
  *data = buf;
  *size = len;
  return WASMGRAPH_OK;
}

/* Rewrites "graph.json: x" / "params: x" from the parsers as "<path>: x". */
static void name_file_in_message(char *err, size_t err_size, const char *prefix, const char *path) {
  if (!err || !path) return;
  size_t plen = strlen(prefix);
  const char *rest = strncmp(err, prefix, plen) == 0 ? err + plen : err;
  char tmp[WG_ERROR_SIZE];
  snprintf(tmp, sizeof tmp, "%s: %s", path, rest);
  snprintf(err, err_size, "%s", tmp);
}

wasmgraph_status wasmgraph_model_create_from_files(const wasmgraph_module_desc *module,
                                                   const char *graph_path, const char *params_path,
                                                   wasmgraph_model **out, char *err,
                                                   size_t err_size) {
  uint8_t *graph = NULL, *params = NULL;
  size_t graph_size = 0, params_size = 0;
  wasmgraph_status st = WASMGRAPH_OK;
  if (out) *out = NULL;
  if (graph_path && (st = read_file(graph_path, &graph, &graph_size, err, err_size))) goto done;
  if (params_path && (st = read_file(params_path, &params, &params_size, err, err_size))) goto done;
  st = wasmgraph_model_create(module, graph, graph_size, params, params_size, out, err, err_size);
  if (st && err) {
    if (strncmp(err, "graph.json: ", 12) == 0)
      name_file_in_message(err, err_size, "graph.json: ", graph_path);
    else if (strncmp(err, "params: ", 8) == 0)
      name_file_in_message(err, err_size, "params: ", params_path);
  }
done:
  free(graph);
  free(params);
  return st;
}

wasmgraph_status wasmgraph_model_load_library(const char *so_path, const char *graph_path,
                                              const char *params_path, wasmgraph_model **out,
                                              char *err, size_t err_size) {
  if (out) *out = NULL;
  if (!so_path || !out) {
    wg_format(err, err_size, "library path or out is NULL");
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  /* dlopen treats a name without '/' as a search; make it a path. */
  char path[4096], fresh[4096];
  snprintf(path, sizeof path, "%s%s", strchr(so_path, '/') ? "" : "./", so_path);
  /* a name of its own, so that a recompiled file is not the loaded copy of
   * the old one (library_name.c) */
  const char *name = wg_library_name_acquire(path, fresh, sizeof fresh);
  char *link = name == path ? NULL : strdup(name);
  if (name != path && !link) {
    wg_library_name_release(name);
    name = path; /* out of memory: the plain path, as before */
  }
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    char msg[1024];
    const char *why = dlerror();
    /* dlerror names the object it tried, here the link: name the file */
    const char *at = why && name != path ? strstr(why, name) : NULL;
    if (at) {
      snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - why), why, so_path, at + strlen(name));
      why = msg;
    }
    /* A module built by another wasmgraph release fails here, before its
     * descriptor's ABI version can be read, on a wasm-rt symbol this runtime
     * no longer has: say what to do about it. */
    bool other_release = why && strstr(why, "undefined symbol: wasm_rt_");
    wg_format(err, err_size, "%s: cannot load: %s%s", so_path, why ? why : "unknown error",
              other_release ? " (compiled by another wasmgraph release? recompile it with this "
                              "wasmgraph)"
                            : "");
    wg_library_name_release(link);
    free(link);
    return other_release ? WASMGRAPH_ERR_ABI : WASMGRAPH_ERR_IO;
  }
  wasmgraph_module_entry_fn entry;
  *(void **)&entry = dlsym(h, WASMGRAPH_MODULE_ENTRY_SYMBOL);
  if (!entry) {
    wg_format(err, err_size, "%s: not a wasmgraph model library (no %s symbol)", so_path,
              WASMGRAPH_MODULE_ENTRY_SYMBOL);
    dlclose(h);
    wg_library_name_release(link);
    free(link);
    return WASMGRAPH_ERR_FORMAT;
  }
  wasmgraph_status st =
      wasmgraph_model_create_from_files(entry(), graph_path, params_path, out, err, err_size);
  if (st) {
    if (err && st == WASMGRAPH_ERR_ABI) name_file_in_message(err, err_size, "", so_path);
    dlclose(h);
    wg_library_name_release(link);
    free(link);
    return st;
  }
  (*out)->dl_handle = h;
  (*out)->dl_link = link;
  return WASMGRAPH_OK;
}

void wasmgraph_model_destroy(wasmgraph_model *m) {
  if (!m) return;
  wg_graph_plan_free(&m->plan);
  wg_param_list_free(&m->params);
  free(m->params_blob);
  free(m->graph_json);
  free(m->entry_param);
  free(m->input_entry);
  free(m->input_info);
  if (m->output_names)
    for (int i = 0; i < m->num_outputs; i++) free(m->output_names[i]);
  free(m->output_names);
  free(m->output_info);
  if (m->dl_handle) dlclose(m->dl_handle);
  wg_library_name_release(m->dl_link); /* after dlclose: the name served while it was loaded */
  free(m->dl_link);
  free(m);
}

int wasmgraph_model_num_inputs(const wasmgraph_model *m) { return m ? m->num_inputs : -1; }
int wasmgraph_model_num_outputs(const wasmgraph_model *m) { return m ? m->num_outputs : -1; }

wasmgraph_status wasmgraph_model_input_info(const wasmgraph_model *m, int index,
                                            wasmgraph_tensor_info *out) {
  if (!m || !out || index < 0 || index >= m->num_inputs) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  *out = m->input_info[index];
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_model_output_info(const wasmgraph_model *m, int index,
                                             wasmgraph_tensor_info *out) {
  if (!m || !out || index < 0 || index >= m->num_outputs) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  *out = m->output_info[index];
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_model_input_index(const wasmgraph_model *m, const char *name,
                                             int *index) {
  if (!m || !name || !index) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  for (int i = 0; i < m->num_inputs; i++) {
    if (strcmp(m->input_info[i].name, name) == 0) {
      *index = i;
      return WASMGRAPH_OK;
    }
  }
  return WASMGRAPH_ERR_NOT_FOUND;
}

const char *wasmgraph_model_name(const wasmgraph_model *m) {
  return m && m->desc->name ? m->desc->name : "";
}

const char *wasmgraph_model_graph_json(const wasmgraph_model *m, size_t *size) {
  if (size) *size = m ? m->graph_json_size : 0;
  return m ? m->graph_json : NULL;
}
