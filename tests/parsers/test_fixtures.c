/*
 * test_fixtures.c — the parsers against real TVM 0.14 output
 * (../shared/fixtures, passed as argv[1]).
 *
 * For every model folder: graph.json and graph.params parse; every param
 * names a "null" node listed in arg_nodes whose entry has the same dtype,
 * shape and byte size (two independent parsers agreeing on TVM's files);
 * the remaining arg nodes are exactly meta.json's inputs, in order;
 * inputs/<name>.npy and expected/<i>.npy parse and agree with meta.json and
 * with the graph's input entries and heads; npy_save of each array
 * reproduces NumPy's file byte for byte. Exits 77 (SKIP) without fixtures.
 */
#define _POSIX_C_SOURCE 200809L
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "dtype.h"
#include "graph_json.h"
#include "npy.h"
#include "params.h"
#include "test_util.h"

static char tmpdir[256];

static int find_node(const graph_plan *g, const char *name) {
  for (int i = 0; i < g->num_nodes; i++)
    if (strcmp(g->nodes[i].name, name) == 0) return i;
  return -1;
}

static int is_arg_node(const graph_plan *g, int nid) {
  for (int i = 0; i < g->num_arg_nodes; i++)
    if (g->arg_nodes[i] == nid) return 1;
  return 0;
}

static int same_shape(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b) {
  if (ndim_a != ndim_b) return 0;
  for (int i = 0; i < ndim_a; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* meta.json tensor description {shape: [...], dtype: "..."} vs an entry. */
static void check_meta_tensor(struct json_object *m, const graph_entry *e, const char *ctx) {
  struct json_object *shape = NULL, *dtype = NULL;
  wasmgraph_dtype t;
  CHECK_MSG(
      json_object_object_get_ex(m, "shape", &shape) && json_object_is_type(shape, json_type_array),
      ctx);
  CHECK_MSG(json_object_object_get_ex(m, "dtype", &dtype) &&
                wg_dtype_parse(json_object_get_string(dtype), &t) && wg_dtype_equal(t, e->dtype),
            ctx);
  if (!shape || !json_object_is_type(shape, json_type_array)) return;
  CHECK_MSG((int)json_object_array_length(shape) == e->ndim, ctx);
  for (int d = 0; d < e->ndim && d < (int)json_object_array_length(shape); d++)
    CHECK_MSG(json_object_get_int64(json_object_array_get_idx(shape, (size_t)d)) == e->shape[d],
              ctx);
}

/* Loads an .npy, checks it against entry e and round-trips it with npy_save. */
static void check_npy(const char *path, const graph_entry *e, const char *ctx) {
  npy_array a;
  char err[512], out[600];
  size_t orig_size = 0, new_size = 0;
  unsigned char *orig, *again;
  wasmgraph_status st = npy_load(path, &a, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  if (st) return;
  CHECK_MSG(wg_dtype_equal(a.dtype, e->dtype), ctx);
  CHECK_MSG(same_shape(a.ndim, a.shape, e->ndim, e->shape), ctx);
  CHECK_MSG(a.nbytes == e->nbytes, ctx);
  snprintf(out, sizeof out, "%s/again.npy", tmpdir);
  st = npy_save(out, a.dtype, a.ndim, a.shape, a.data, a.nbytes, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  orig = tu_read_file(path, &orig_size);
  again = tu_read_file(out, &new_size);
  CHECK_MSG(orig && again && orig_size == new_size && memcmp(orig, again, orig_size) == 0, ctx);
  free(orig);
  free(again);
  remove(out);
  npy_free(&a);
}

static void check_model(const char *dir, const char *model) {
  char path[1024], err[512], ctx[1200];
  size_t gsize = 0, psize = 0, msize = 0;
  unsigned char *gjson, *pbuf, *mjson;
  struct json_object *meta = NULL, *inputs = NULL, *outputs = NULL;
  graph_plan g;
  param_list pl;
  int num_params_matched = 0, graph_inputs = 0;
  wasmgraph_status st;

  snprintf(path, sizeof path, "%s/%s/graph.json", dir, model);
  gjson = tu_read_file(path, &gsize);
  snprintf(path, sizeof path, "%s/%s/graph.params", dir, model);
  pbuf = tu_read_file(path, &psize);
  snprintf(path, sizeof path, "%s/%s/meta.json", dir, model);
  mjson = tu_read_file(path, &msize);
  snprintf(ctx, sizeof ctx, "model %s: files readable", model);
  CHECK_MSG(gjson && pbuf && mjson, ctx);
  if (!gjson || !pbuf || !mjson) goto out_files;
  mjson[msize] = '\0';
  meta = json_tokener_parse((const char *)mjson);
  CHECK_MSG(meta && json_object_object_get_ex(meta, "inputs", &inputs) &&
                json_object_object_get_ex(meta, "outputs", &outputs),
            model);

  st = wg_graph_parse((const char *)gjson, gsize, &g, err, sizeof err);
  snprintf(ctx, sizeof ctx, "model %s: %s", model, err);
  CHECK_MSG(st == WASMGRAPH_OK, ctx);
  if (st) goto out_files;
  st = wg_params_parse(pbuf, psize, &pl, err, sizeof err);
  snprintf(ctx, sizeof ctx, "model %s: %s", model, err);
  CHECK_MSG(st == WASMGRAPH_OK, ctx);
  if (st) goto out_graph;
  CHECK_MSG(pl.count > 0, model);

  /* Every param is a null node in arg_nodes with the same dtype/shape. */
  for (int i = 0; i < pl.count; i++) {
    const param_tensor *p = &pl.items[i];
    int nid = find_node(&g, p->name);
    const graph_entry *e;
    snprintf(ctx, sizeof ctx, "model %s: param '%s'", model, p->name);
    CHECK_MSG(nid >= 0, ctx);
    if (nid < 0) continue;
    CHECK_MSG(g.nodes[nid].kind == GRAPH_OP_NULL && is_arg_node(&g, nid), ctx);
    e = &g.entries[g.nodes[nid].first_entry];
    CHECK_MSG(wg_dtype_equal(e->dtype, p->dtype), ctx);
    CHECK_MSG(same_shape(e->ndim, e->shape, p->ndim, p->shape), ctx);
    CHECK_MSG(e->nbytes == p->nbytes, ctx);
    CHECK_MSG(p->data >= pbuf && p->data + p->nbytes <= pbuf + psize, ctx);
    num_params_matched++;
  }
  CHECK_MSG(num_params_matched == pl.count, model);

  /* arg nodes that are not params = meta.json inputs, in order. */
  for (int i = 0; i < g.num_arg_nodes; i++) {
    const graph_node *n = &g.nodes[g.arg_nodes[i]];
    int is_param = 0;
    struct json_object *mi, *name;
    for (int k = 0; k < pl.count && !is_param; k++) is_param = !strcmp(pl.items[k].name, n->name);
    if (is_param) continue;
    snprintf(ctx, sizeof ctx, "model %s: input '%s'", model, n->name);
    CHECK_MSG(inputs && graph_inputs < (int)json_object_array_length(inputs), ctx);
    if (!inputs || graph_inputs >= (int)json_object_array_length(inputs)) break;
    mi = json_object_array_get_idx(inputs, (size_t)graph_inputs++);
    CHECK_MSG(json_object_object_get_ex(mi, "name", &name) &&
                  strcmp(json_object_get_string(name), n->name) == 0,
              ctx);
    check_meta_tensor(mi, &g.entries[n->first_entry], ctx);
    snprintf(path, sizeof path, "%s/%s/inputs/%s.npy", dir, model, n->name);
    check_npy(path, &g.entries[n->first_entry], ctx);
  }
  CHECK_MSG(inputs && graph_inputs == (int)json_object_array_length(inputs), model);

  /* heads = meta.json outputs = expected/<i>.npy */
  CHECK_MSG(outputs && g.num_heads == (int)json_object_array_length(outputs), model);
  for (int i = 0; outputs && i < g.num_heads && i < (int)json_object_array_length(outputs); i++) {
    snprintf(ctx, sizeof ctx, "model %s: output %d", model, i);
    check_meta_tensor(json_object_array_get_idx(outputs, (size_t)i), &g.entries[g.heads[i]], ctx);
    snprintf(path, sizeof path, "%s/%s/expected/%d.npy", dir, model, i);
    check_npy(path, &g.entries[g.heads[i]], ctx);
  }
  printf("%s: %d nodes, %d entries, %d storage ids, %d params, %d inputs, %d outputs\n", model,
         g.num_nodes, g.num_entries, g.num_storage, pl.count, graph_inputs, g.num_heads);
  wg_param_list_free(&pl);
out_graph:
  wg_graph_plan_free(&g);
out_files:
  json_object_put(meta);
  free(gjson);
  free(pbuf);
  free(mjson);
}

int main(int argc, char **argv) {
  const char *base = getenv("TMPDIR");
  int models = 0;
  DIR *d;
  struct dirent *de;
  if (argc < 2 || !tu_is_dir(argv[1])) {
    printf("SKIP: fixtures not found at %s\n", argc > 1 ? argv[1] : "(no path given)");
    return SKIP_RC;
  }
  snprintf(tmpdir, sizeof tmpdir, "%s/wasmgraph-fix-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  d = opendir(argv[1]);
  while (d && (de = readdir(d)) != NULL) {
    char path[1024];
    if (de->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s/graph.json", argv[1], de->d_name);
    if (access(path, R_OK) != 0) continue;
    check_model(argv[1], de->d_name);
    models++;
  }
  if (d) closedir(d);
  rmdir(tmpdir);
  CHECK(models >= 1);
  return check_report("parsers_fixtures");
}
