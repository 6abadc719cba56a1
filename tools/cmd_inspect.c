/*
 * cmd_inspect.c — `wasmgraph inspect INPUT [--json]`: what a graph library
 * contains and whether `wasmgraph compile` would accept it.
 *
 * The wasm side comes from wasmgraph_inspect() (compiler/inspect.c: kernels,
 * imports with types and whether the runtime serves them, features, memory,
 * table and layout of the linked module, the compile checks' verdict). For a
 * folder or a package (Model Library Format or tvmc tar) the graph side comes
 * from the runtime's parsers: graph.json gives the inputs (arg nodes that are
 * not in graph.params) and outputs (heads) with dtype and shape. A package's
 * graph.json and params are read from the tar in memory (common/package.c),
 * the report naming them "model.tar(member)". The text form is for people;
 * --json prints one JSON document (json-c) with the same content on stdout.
 *
 * Exit status: 0 when INPUT could be read (even if compile would refuse
 * it: see "check"), 1 when it could not, 2 for usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "package.h" /* model packages: MLF and tvmc tars */
#include "commands.h"
#include "graph_json.h"
#include "params.h"
#include "wasmgraph_compiler.h"

static const char k_inspect_usage[] =
    "usage: wasmgraph inspect INPUT [--json]\n"
    "\n"
    "  Show what a TVM WebAssembly graph library holds: its kernels, the functions it\n"
    "  imports (and whether the wasmgraph runtime serves them), wasm features, memory\n"
    "  and table sizes and the layout after linking; for a model folder or package\n"
    "  also the graph's inputs and outputs with dtypes and shapes. It ends with the\n"
    "  verdict of the checks `wasmgraph compile` runs. INPUT is any input\n"
    "  `wasmgraph compile` takes: graph.o, an archive, a linked .wasm, a model\n"
    "  folder or a model package (TVM's Model Library Format tar or a tvmc\n"
    "  package tar).\n"
    "\n"
    "examples:\n"
    "  $ wasmgraph inspect resnet18/\n"
    "  $ wasmgraph inspect model_library_format.tar\n"
    "  $ wasmgraph inspect graph.o --json | jq .kernels\n"
    "\n"
    "options:\n"
    "      --json      print one JSON document instead of text\n"
    "  -h, --help      print this help and exit\n"
    "\n"
    "exit status: 0 when INPUT was read (see \"check\" for compile's verdict),\n"
    "1 when it could not be read, 2 usage error.\n";

static int usage_error(const char *fmt, const char *arg) {
  fputs("wasmgraph inspect: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry 'wasmgraph inspect --help'.\n", stderr);
  return 2;
}

static char *read_all(const char *path, size_t *size, char *err, size_t err_size) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  if (!f) {
    snprintf(err, err_size, "%s: %s", path, strerror(errno));
    return NULL;
  }
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 1 << 16;
      char *n = realloc(buf, cap);
      if (!n) {
        free(buf);
        fclose(f);
        snprintf(err, err_size, "%s: out of memory", path);
        return NULL;
      }
      buf = n;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  bool bad = ferror(f) != 0;
  fclose(f);
  if (bad) {
    free(buf);
    snprintf(err, err_size, "%s: read error", path);
    return NULL;
  }
  *size = len;
  return buf;
}

/* ---- graph side (folders) ---------------------------------------------- */

typedef struct tensor_desc {
  const char *name;
  const graph_entry *entry;
} tensor_desc;

typedef struct graph_side {
  bool present;
  char error[512]; /* non-empty: graph.json/params could not be read */
  graph_plan plan;
  param_list params;
  char *params_buf;
  size_t params_size;
  int num_inputs;
  tensor_desc *inputs;
  int num_outputs;
  tensor_desc *outputs;
  char (*output_names)[32];
} graph_side;

static bool is_param(const param_list *p, const char *name) {
  for (int i = 0; i < p->count; i++)
    if (strcmp(p->items[i].name, name) == 0) return true;
  return false;
}

static bool is_package(const wasmgraph_inspect_report *r) {
  return strcmp(r->input_kind, "mlf-package") == 0 || strcmp(r->input_kind, "tvmc-package") == 0;
}

/* graph.json and params: files for a folder, members for a package (copied
 * out, so the package buffer can go at once). */
static bool read_graph_files(graph_side *g, const wasmgraph_inspect_report *r, char **json,
                             size_t *jsize) {
  size_t psize = 0;
  if (!is_package(r)) {
    *json = read_all(r->graph_json_path, jsize, g->error, sizeof g->error);
    if (*json) g->params_buf = read_all(r->params_path, &psize, g->error, sizeof g->error);
    g->params_size = psize;
    return *json && g->params_buf;
  }
  size_t size = 0;
  char *tar = read_all(r->input_path, &size, g->error, sizeof g->error);
  if (!tar) return false;
  wg_package pkg;
  bool ok = wg_package_parse((const uint8_t *)tar, size, r->input_path, &pkg, g->error,
                             sizeof g->error) == WASMGRAPH_OK;
  if (ok) {
    *json = malloc(pkg.graph.size + 1);
    g->params_buf = malloc(pkg.params.size + 1);
    ok = *json && g->params_buf;
    if (ok) {
      memcpy(*json, pkg.graph.data, pkg.graph.size);
      memcpy(g->params_buf, pkg.params.data, pkg.params.size);
      *jsize = pkg.graph.size;
      g->params_size = pkg.params.size;
    } else {
      snprintf(g->error, sizeof g->error, "out of memory");
    }
    wg_package_free(&pkg);
  }
  free(tar);
  return ok;
}

static void load_graph(graph_side *g, const wasmgraph_inspect_report *r) {
  if (!r->graph_json_path) return;
  g->present = true;
  size_t jsize = 0;
  char *json = NULL;
  if (!read_graph_files(g, r, &json, &jsize)) {
    free(json);
    return;
  }
  wasmgraph_status st = wg_graph_parse(json, jsize, &g->plan, g->error, sizeof g->error);
  free(json);
  if (st != WASMGRAPH_OK) return;
  if (wg_params_parse((const uint8_t *)g->params_buf, g->params_size, &g->params, g->error,
                      sizeof g->error) != WASMGRAPH_OK)
    return;
  g->inputs = calloc((size_t)g->plan.num_arg_nodes + 1, sizeof *g->inputs);
  g->outputs = calloc((size_t)g->plan.num_heads + 1, sizeof *g->outputs);
  g->output_names = calloc((size_t)g->plan.num_heads + 1, sizeof *g->output_names);
  if (!g->inputs || !g->outputs || !g->output_names) {
    snprintf(g->error, sizeof g->error, "out of memory");
    return;
  }
  for (int i = 0; i < g->plan.num_arg_nodes; i++) {
    const graph_node *n = &g->plan.nodes[g->plan.arg_nodes[i]];
    if (is_param(&g->params, n->name)) continue;
    g->inputs[g->num_inputs++] = (tensor_desc){n->name, &g->plan.entries[n->first_entry]};
  }
  for (int i = 0; i < g->plan.num_heads; i++) {
    snprintf(g->output_names[i], sizeof g->output_names[i], "output_%d", i);
    g->outputs[g->num_outputs++] =
        (tensor_desc){g->output_names[i], &g->plan.entries[g->plan.heads[i]]};
  }
}

static void free_graph(graph_side *g) {
  wg_graph_plan_free(&g->plan);
  wg_param_list_free(&g->params);
  free(g->params_buf);
  free(g->inputs);
  free(g->outputs);
  free(g->output_names);
}

/* ---- text ------------------------------------------------------------- */

static void print_tensors(const char *what, const tensor_desc *t, int n) {
  for (int i = 0; i < n; i++) {
    printf("  %-6s %-24s %-8s [", what, t[i].name, t[i].entry->dtype_name);
    for (int d = 0; d < t[i].entry->ndim; d++)
      printf("%s%" PRId64, d ? ", " : "", t[i].entry->shape[d]);
    printf("]\n");
  }
}

static void print_text(const wasmgraph_inspect_report *r, const graph_side *g) {
  printf("input:    %s (%s", r->input_path, r->input_kind);
  if (r->num_objects > 1) printf(", %d objects", r->num_objects);
  printf(")\n");
  if (strcmp(r->input_path, r->wasm_path) != 0) printf("wasm:     %s\n", r->wasm_path);
  printf("kernels:  %d\n", r->num_kernels);
  for (int i = 0; i < r->num_kernels; i++) printf("  %s\n", r->kernels[i]);
  printf("imports:  %d%s\n", r->num_imports, r->linked ? "" : " (of the unlinked object)");
  for (int i = 0; i < r->num_imports; i++) {
    const wasmgraph_inspect_import *im = &r->imports[i];
    char full[300];
    snprintf(full, sizeof full, "%s.%s", im->module, im->name);
    char line[600];
    snprintf(line, sizeof line, "  %-40s %-6s %-24s %s", full, im->kind, im->type,
             im->served ? "" : "NOT SERVED by the runtime");
    size_t len = strlen(line);
    while (len && line[len - 1] == ' ') line[--len] = 0; /* no trailing blanks */
    printf("%s\n", line);
  }
  printf("features:");
  if (!r->num_features) printf(" none");
  for (int i = 0; i < r->num_features; i++) printf(" %s", r->features[i]);
  printf("\n");
  printf("memory:   %u pages initial, %u maximum (64 KiB pages)\n", r->memory_min_pages,
         r->memory_max_pages);
  printf("table:    %u entries\n", r->table_size);
  if (r->linked)
    printf("layout:   stack [0, 0x%x), data end 0x%x, heap base 0x%x\n", r->stack_top, r->data_end,
           r->heap_base);
  if (g->present) {
    printf("graph:    %s\n", r->graph_json_path);
    if (g->error[0]) {
      printf("  cannot read: %s\n", g->error);
    } else {
      printf("params:   %s (%d tensors)\n", r->params_path, g->params.count);
      print_tensors("input", g->inputs, g->num_inputs);
      print_tensors("output", g->outputs, g->num_outputs);
    }
  }
  if (r->check_status == WASMGRAPH_OK) printf("check:    ok: wasmgraph compile accepts it\n");
  else printf("check:    refused: %s\n", r->check_message);
}

/* ---- JSON --------------------------------------------------------------- */

static json_object *tensors_json(const tensor_desc *t, int n) {
  json_object *a = json_object_new_array();
  for (int i = 0; i < n; i++) {
    json_object *o = json_object_new_object();
    json_object *shape = json_object_new_array();
    for (int d = 0; d < t[i].entry->ndim; d++)
      json_object_array_add(shape, json_object_new_int64(t[i].entry->shape[d]));
    json_object_object_add(o, "name", json_object_new_string(t[i].name));
    json_object_object_add(o, "dtype", json_object_new_string(t[i].entry->dtype_name));
    json_object_object_add(o, "shape", shape);
    json_object_array_add(a, o);
  }
  return a;
}

static void print_json(const wasmgraph_inspect_report *r, const graph_side *g) {
  json_object *root = json_object_new_object();
  json_object_object_add(root, "input", json_object_new_string(r->input_path));
  json_object_object_add(root, "wasm", json_object_new_string(r->wasm_path));
  json_object_object_add(root, "input_kind", json_object_new_string(r->input_kind));
  json_object_object_add(root, "objects", json_object_new_int(r->num_objects));
  json_object *k = json_object_new_array();
  for (int i = 0; i < r->num_kernels; i++)
    json_object_array_add(k, json_object_new_string(r->kernels[i]));
  json_object_object_add(root, "kernels", k);
  json_object *im = json_object_new_array();
  for (int i = 0; i < r->num_imports; i++) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "module", json_object_new_string(r->imports[i].module));
    json_object_object_add(o, "name", json_object_new_string(r->imports[i].name));
    json_object_object_add(o, "kind", json_object_new_string(r->imports[i].kind));
    json_object_object_add(o, "type", json_object_new_string(r->imports[i].type));
    json_object_object_add(o, "served", json_object_new_boolean(r->imports[i].served));
    json_object_array_add(im, o);
  }
  json_object_object_add(root, "imports", im);
  json_object *f = json_object_new_array();
  for (int i = 0; i < r->num_features; i++)
    json_object_array_add(f, json_object_new_string(r->features[i]));
  json_object_object_add(root, "features", f);
  json_object *mem = json_object_new_object();
  json_object_object_add(mem, "min_pages", json_object_new_int64(r->memory_min_pages));
  json_object_object_add(mem, "max_pages", json_object_new_int64(r->memory_max_pages));
  json_object_object_add(root, "memory", mem);
  json_object_object_add(root, "table_size", json_object_new_int64(r->table_size));
  json_object_object_add(root, "linked", json_object_new_boolean(r->linked));
  if (r->linked) {
    json_object *l = json_object_new_object();
    json_object_object_add(l, "stack_top", json_object_new_int64(r->stack_top));
    json_object_object_add(l, "data_end", json_object_new_int64(r->data_end));
    json_object_object_add(l, "heap_base", json_object_new_int64(r->heap_base));
    json_object_object_add(root, "layout", l);
  }
  if (g->present) {
    json_object *gr = json_object_new_object();
    json_object_object_add(gr, "graph_json", json_object_new_string(r->graph_json_path));
    json_object_object_add(gr, "params", json_object_new_string(r->params_path));
    if (g->error[0]) {
      json_object_object_add(gr, "error", json_object_new_string(g->error));
    } else {
      json_object_object_add(gr, "num_params", json_object_new_int(g->params.count));
      json_object_object_add(gr, "inputs", tensors_json(g->inputs, g->num_inputs));
      json_object_object_add(gr, "outputs", tensors_json(g->outputs, g->num_outputs));
    }
    json_object_object_add(root, "graph", gr);
  }
  json_object *chk = json_object_new_object();
  json_object_object_add(chk, "ok", json_object_new_boolean(r->check_status == WASMGRAPH_OK));
  json_object_object_add(chk, "message", json_object_new_string(r->check_message));
  json_object_object_add(root, "check", chk);
  puts(json_object_to_json_string_ext(root,
                                      JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(root);
}

int wasmgraph_cmd_inspect(int argc, char **argv) {
  enum { OPT_JSON = 256 };
  static const struct option longopts[] = {
      {"json", no_argument, NULL, OPT_JSON}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  bool json = false;
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_JSON:
        json = true;
        break;
      case 'h':
        fputs(k_inspect_usage, stdout);
        return 0;
      default: {
        char shortopt[3] = {'-', (char)optopt, 0};
        return usage_error("unknown option '%s'", optopt ? shortopt : argv[optind - 1]);
      }
    }
  }
  if (optind >= argc) return usage_error("%s", "missing INPUT");
  if (argc - optind > 1) return usage_error("unexpected argument '%s'", argv[optind + 1]);

  wasmgraph_inspect_report *r = NULL;
  char err[1024];
  if (wasmgraph_inspect(argv[optind], NULL, &r, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "wasmgraph: %s\n", err);
    return 1;
  }
  graph_side g;
  memset(&g, 0, sizeof g);
  load_graph(&g, r);
  if (json) print_json(r, &g);
  else print_text(r, &g);
  free_graph(&g);
  wasmgraph_inspect_report_free(r);
  return 0;
}
