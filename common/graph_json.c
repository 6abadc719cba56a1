/*
 * graph_json.c — graph.json (TVM graph executor JSON, v0.8..v0.14) into a
 * graph_plan that the executor can trust without further checks.
 *
 * json-c tokenizes (strict mode, UTF-8 checked, explicit length, only
 * whitespace may follow the top-level object). This file then walks the tree
 * in a fixed order — node_row_ptr, nodes, attrs (entries), storage, arg_nodes,
 * heads — and checks every type, range and cross-reference on the way. When
 * wg_graph_parse returns WASMGRAPH_OK these invariants hold:
 *   - 1 <= num_nodes; node_row_ptr is consistent: nodes[i].first_entry +
 *     nodes[i].num_outputs == nodes[i+1].first_entry, "null" nodes have one
 *     output and no inputs, every node has >= 1 output;
 *   - every input entry id comes from an EARLIER node (topological order);
 *   - every entry has a known dtype, ndim <= WASMGRAPH_MAX_NDIM, dims >= 0,
 *     nbytes <= GRAPH_MAX_BYTES, 0 <= storage_id < num_storage <= num_entries;
 *   - storage_bytes[sid] = max nbytes over its entries; the sum of all
 *     storage (each rounded up to 64) is <= GRAPH_MAX_BYTES;
 *   - __nop has 1 input and 1 output sharing one storage id; __copy has
 *     1 input and 1 output of equal size;
 *   - arg_nodes are distinct "null" nodes; there is at least one head and
 *     each is a valid entry id (an entry may be returned more than once).
 * json-c's strict mode still accepts single-quoted strings and NaN; NaN, like
 * any value of the wrong type, is stopped by the type checks.
 * Messages: "graph.json: <json path>: <problem>".
 */
#include "graph_json.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"

/* A wasm32 memory holds at most 4 GiB, so no tensor (and no plan) can be
 * larger. Counts are capped far below INT_MAX so int arithmetic is safe. */
#define GRAPH_MAX_BYTES ((uint64_t)4 << 30)
#define GRAPH_MAX_COUNT (1 << 24)

typedef struct ctx {
  char *err;
  size_t err_size;
} ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static wasmgraph_status
fail(ctx *c, const char *path, const char *fmt, ...) {
  if (c->err && c->err_size) {
    int n = snprintf(c->err, c->err_size, "graph.json: %s%s", path, path[0] ? ": " : "");
    if (n >= 0 && (size_t)n < c->err_size) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return WASMGRAPH_ERR_FORMAT;
}

static wasmgraph_status oom(ctx *c) {
  if (c->err && c->err_size) snprintf(c->err, c->err_size, "graph.json: out of memory");
  return WASMGRAPH_ERR_NO_MEMORY;
}

/* calloc that never returns NULL for n == 0, so "no memory" is unambiguous. */
static void *xcalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }

static const char *type_name(struct json_object *o) {
  switch (json_object_get_type(o)) {
    case json_type_null:
      return "null";
    case json_type_boolean:
      return "a boolean";
    case json_type_double:
      return "a non-integer number";
    case json_type_int:
      return "an integer";
    case json_type_object:
      return "an object";
    case json_type_array:
      return "an array";
    case json_type_string:
      return "a string";
  }
  return "an unknown value";
}

static const char *type_want(json_type t) {
  switch (t) {
    case json_type_object:
      return "an object";
    case json_type_array:
      return "an array";
    case json_type_string:
      return "a string";
    case json_type_int:
      return "an integer";
    default:
      return "a value";
  }
}

static void join_path(char *buf, size_t size, const char *parent, const char *key) {
  snprintf(buf, size, "%s%s%s", parent, parent[0] ? "." : "", key);
}

/* Looks up obj[key] and checks its type. *out = NULL (and OK) when the key is
 * absent and !required. */
static wasmgraph_status member(ctx *c, struct json_object *obj, const char *parent, const char *key,
                               json_type type, bool required, struct json_object **out) {
  struct json_object *v = NULL;
  char path[160];
  *out = NULL;
  if (!json_object_object_get_ex(obj, key, &v)) {
    if (!required) return WASMGRAPH_OK;
    return fail(c, parent, "missing key '%s'", key);
  }
  if (!json_object_is_type(v, type)) {
    join_path(path, sizeof path, parent, key);
    return fail(c, path, "expected %s, got %s", type_want(type), type_name(v));
  }
  *out = v;
  return WASMGRAPH_OK;
}

static wasmgraph_status expect_type(ctx *c, struct json_object *v, const char *path,
                                    json_type type) {
  if (!json_object_is_type(v, type))
    return fail(c, path, "expected %s, got %s", type_want(type), type_name(v));
  return WASMGRAPH_OK;
}

static wasmgraph_status get_int(ctx *c, struct json_object *v, const char *path, int64_t min,
                                int64_t max, int64_t *out) {
  int64_t x;
  if (!json_object_is_type(v, json_type_int))
    return fail(c, path, "expected an integer, got %s", type_name(v));
  /* json-c saturates values beyond int64 to INT64_MAX/MIN; the range check
   * below then rejects them. */
  x = json_object_get_int64(v);
  if (x < min || x > max)
    return fail(c, path, "value %lld out of range [%lld, %lld]", (long long)x, (long long)min,
                (long long)max);
  *out = x;
  return WASMGRAPH_OK;
}

/* A string without embedded NUL bytes (names end up as C strings). */
static wasmgraph_status get_cstr(ctx *c, struct json_object *v, const char *path,
                                 const char **out) {
  const char *s;
  if (!json_object_is_type(v, json_type_string))
    return fail(c, path, "expected a string, got %s", type_name(v));
  s = json_object_get_string(v);
  if ((size_t)json_object_get_string_len(v) != strlen(s))
    return fail(c, path, "string contains a NUL character");
  *out = s;
  return WASMGRAPH_OK;
}

static wasmgraph_status dup_str(ctx *c, const char *s, char **out) {
  size_t n = strlen(s) + 1;
  *out = malloc(n);
  if (!*out) return oom(c);
  memcpy(*out, s, n);
  return WASMGRAPH_OK;
}

/* Node attribute counts are strings ("3"); plain integers are accepted too.
 * Decimal digits only, no sign, at most `max`. */
static wasmgraph_status get_count_attr(ctx *c, struct json_object *attrs, const char *parent,
                                       const char *key, bool required, int64_t def, int64_t max,
                                       int64_t *out) {
  struct json_object *v = NULL;
  char path[160];
  join_path(path, sizeof path, parent, key);
  if (!json_object_object_get_ex(attrs, key, &v)) {
    if (required) return fail(c, parent, "missing key '%s'", key);
    *out = def;
    return WASMGRAPH_OK;
  }
  if (json_object_is_type(v, json_type_int)) return get_int(c, v, path, 0, max, out);
  if (json_object_is_type(v, json_type_string)) {
    const char *s = json_object_get_string(v);
    int len = json_object_get_string_len(v);
    int64_t x = 0;
    if (len == 0 || len > 18) return fail(c, path, "expected a decimal count, got \"%.32s\"", s);
    for (int i = 0; i < len; i++) {
      if (s[i] < '0' || s[i] > '9')
        return fail(c, path, "expected a decimal count, got \"%.32s\"", s);
      x = x * 10 + (s[i] - '0');
    }
    if (x > max)
      return fail(c, path, "value %lld out of range [0, %lld]", (long long)x, (long long)max);
    *out = x;
    return WASMGRAPH_OK;
  }
  return fail(c, path, "expected a string, got %s", type_name(v));
}

/* Parses [node_id, index] or [node_id, index, version] into an entry id.
 * node_id must be < node_limit (the current node for inputs, num_nodes for
 * heads); index must be < that node's output count. */
static wasmgraph_status get_entry_ref(ctx *c, struct json_object *v, const char *path,
                                      const int *row_ptr, int node_limit, const char *limit_what,
                                      int *eid) {
  char sub[200];
  int64_t nid, idx, ver;
  size_t n;
  wasmgraph_status st;
  if (!json_object_is_type(v, json_type_array))
    return fail(c, path, "expected an array [node_id, index, version], got %s", type_name(v));
  n = json_object_array_length(v);
  if (n != 2 && n != 3)
    return fail(c, path, "expected 2 or 3 integers [node_id, index, version], got %zu elements", n);
  snprintf(sub, sizeof sub, "%s[0]", path);
  st = get_int(c, json_object_array_get_idx(v, 0), sub, 0, INT64_MAX, &nid);
  if (st) return st;
  if (nid >= node_limit)
    return fail(c, sub, "node id %lld out of range (%s %d)", (long long)nid, limit_what,
                node_limit);
  snprintf(sub, sizeof sub, "%s[1]", path);
  st = get_int(c, json_object_array_get_idx(v, 1), sub, 0, INT64_MAX, &idx);
  if (st) return st;
  if (idx >= row_ptr[nid + 1] - row_ptr[nid])
    return fail(c, sub, "output index %lld out of range (node %lld has %d outputs)", (long long)idx,
                (long long)nid, row_ptr[nid + 1] - row_ptr[nid]);
  if (n == 3) {
    snprintf(sub, sizeof sub, "%s[2]", path);
    st = get_int(c, json_object_array_get_idx(v, 2), sub, 0, INT64_MAX, &ver);
    if (st) return st;
  }
  *eid = row_ptr[nid] + (int)idx;
  return WASMGRAPH_OK;
}

/* node_row_ptr: length num_nodes+1, starts at 0, strictly increasing (every
 * node has at least one output). */
static wasmgraph_status parse_row_ptr(ctx *c, struct json_object *arr, int num_nodes, int **out) {
  char path[64];
  size_t n = json_object_array_length(arr);
  int *rp;
  if (n != (size_t)num_nodes + 1)
    return fail(c, "node_row_ptr", "has %zu elements, expected nodes+1 = %d", n, num_nodes + 1);
  rp = xcalloc(n, sizeof *rp);
  if (!rp) return oom(c);
  *out = rp;
  for (size_t i = 0; i < n; i++) {
    int64_t v;
    wasmgraph_status st;
    snprintf(path, sizeof path, "node_row_ptr[%zu]", i);
    st = get_int(c, json_object_array_get_idx(arr, i), path, 0, GRAPH_MAX_COUNT, &v);
    if (st) return st;
    if (i == 0 && v != 0) return fail(c, path, "must be 0, got %lld", (long long)v);
    if (i > 0 && v <= rp[i - 1])
      return fail(c, path,
                  "%lld is not greater than node_row_ptr[%zu] = %d (node %zu would "
                  "have no outputs)",
                  (long long)v, i - 1, rp[i - 1], i - 1);
    rp[i] = (int)v;
  }
  return WASMGRAPH_OK;
}

static wasmgraph_status parse_node(ctx *c, struct json_object *jn, int nid, const int *row_ptr,
                                   graph_node *node) {
  char path[64], sub[160];
  struct json_object *op, *name, *inputs, *attrs = NULL;
  const char *s;
  size_t n_in;
  int n_out = row_ptr[nid + 1] - row_ptr[nid];
  wasmgraph_status st;

  snprintf(path, sizeof path, "nodes[%d]", nid);
  if ((st = expect_type(c, jn, path, json_type_object))) return st;
  if ((st = member(c, jn, path, "op", json_type_string, true, &op))) return st;
  if ((st = member(c, jn, path, "name", json_type_string, true, &name))) return st;
  if ((st = member(c, jn, path, "inputs", json_type_array, true, &inputs))) return st;

  join_path(sub, sizeof sub, path, "name");
  if ((st = get_cstr(c, name, sub, &s))) return st;
  if ((st = dup_str(c, s, &node->name))) return st;
  node->first_entry = row_ptr[nid];
  node->num_outputs = n_out;

  s = json_object_get_string(op);
  join_path(sub, sizeof sub, path, "op");
  n_in = json_object_array_length(inputs);
  if (strcmp(s, "null") == 0) {
    node->kind = GRAPH_OP_NULL;
    if (n_in != 0) {
      join_path(sub, sizeof sub, path, "inputs");
      return fail(c, sub, "a \"null\" node must have no inputs, got %zu", n_in);
    }
    if (n_out != 1)
      return fail(c, "node_row_ptr", "\"null\" node %d must have 1 output, node_row_ptr gives %d",
                  nid, n_out);
    return WASMGRAPH_OK;
  }
  if (strcmp(s, "tvm_op") != 0)
    return fail(c, sub, "unsupported op \"%.40s\" (expected \"null\" or \"tvm_op\")", s);

  /* Kernel node. TVM writes "attrs"; older readers also accept "attr". */
  if ((st = member(c, jn, path, "attrs", json_type_object, false, &attrs))) return st;
  if (!attrs && (st = member(c, jn, path, "attr", json_type_object, false, &attrs))) return st;
  if (!attrs) return fail(c, path, "missing key 'attrs' on a \"tvm_op\" node");
  snprintf(path, sizeof path, "nodes[%d].%s", nid,
           json_object_object_get_ex(jn, "attrs", NULL) ? "attrs" : "attr");
  {
    struct json_object *fn;
    int64_t num_inputs, num_outputs, flatten;
    if ((st = member(c, attrs, path, "func_name", json_type_string, true, &fn))) return st;
    join_path(sub, sizeof sub, path, "func_name");
    if ((st = get_cstr(c, fn, sub, &s))) return st;
    if (s[0] == '\0') return fail(c, sub, "empty function name");
    if ((st = dup_str(c, s, &node->func_name))) return st;
    node->kind = strcmp(s, "__nop") == 0    ? GRAPH_OP_NOP
                 : strcmp(s, "__copy") == 0 ? GRAPH_OP_COPY
                                            : GRAPH_OP_TVM;
    if ((st = get_count_attr(c, attrs, path, "num_inputs", true, 0, GRAPH_MAX_COUNT, &num_inputs)))
      return st;
    if ((st =
             get_count_attr(c, attrs, path, "num_outputs", true, 0, GRAPH_MAX_COUNT, &num_outputs)))
      return st;
    if ((st = get_count_attr(c, attrs, path, "flatten_data", false, 0, 1, &flatten))) return st;
    join_path(sub, sizeof sub, path, "num_inputs");
    if ((size_t)num_inputs != n_in)
      return fail(c, sub, "says %lld but the node has %zu inputs", (long long)num_inputs, n_in);
    join_path(sub, sizeof sub, path, "num_outputs");
    if (num_outputs != n_out)
      return fail(c, sub, "says %lld but node_row_ptr gives %d outputs", (long long)num_outputs,
                  n_out);
    node->flatten_data = (int)flatten;
  }

  snprintf(path, sizeof path, "nodes[%d].inputs", nid);
  node->inputs = xcalloc(n_in, sizeof *node->inputs);
  if (!node->inputs) return oom(c);
  node->num_inputs = (int)n_in;
  for (size_t j = 0; j < n_in; j++) {
    snprintf(sub, sizeof sub, "%s[%zu]", path, j);
    if ((st = get_entry_ref(c, json_object_array_get_idx(inputs, j), sub, row_ptr, nid,
                            "an input must come from an earlier node than", &node->inputs[j])))
      return st;
  }
  return WASMGRAPH_OK;
}

/* attrs.<key> = ["<tag>", [ ... num_entries items ... ]]; returns the list. */
static wasmgraph_status attr_list(ctx *c, struct json_object *attrs, const char *key,
                                  const char *tag, bool required, int num_entries,
                                  struct json_object **out) {
  char path[64];
  struct json_object *v, *jtag, *list;
  size_t n;
  wasmgraph_status st;
  *out = NULL;
  if ((st = member(c, attrs, "attrs", key, json_type_array, required, &v)) || !v) return st;
  snprintf(path, sizeof path, "attrs.%s", key);
  if (json_object_array_length(v) != 2)
    return fail(c, path, "expected [\"%s\", [...]], got an array of %zu elements", tag,
                json_object_array_length(v));
  jtag = json_object_array_get_idx(v, 0);
  snprintf(path, sizeof path, "attrs.%s[0]", key);
  if (!json_object_is_type(jtag, json_type_string) ||
      strcmp(json_object_get_string(jtag), tag) != 0)
    return fail(c, path, "expected the type tag \"%s\"", tag);
  list = json_object_array_get_idx(v, 1);
  snprintf(path, sizeof path, "attrs.%s[1]", key);
  if ((st = expect_type(c, list, path, json_type_array))) return st;
  n = json_object_array_length(list);
  if (n != (size_t)num_entries)
    return fail(c, path, "has %zu elements, expected one per entry (%d)", n, num_entries);
  *out = list;
  return WASMGRAPH_OK;
}

static wasmgraph_status parse_entries(ctx *c, struct json_object *attrs, graph_plan *p,
                                      const int *row_ptr) {
  struct json_object *shapes, *dltypes, *sids, *devs, *scopes;
  char path[96];
  int ne = p->num_entries;
  wasmgraph_status st;

  if ((st = attr_list(c, attrs, "shape", "list_shape", true, ne, &shapes))) return st;
  if ((st = attr_list(c, attrs, "dltype", "list_str", true, ne, &dltypes))) return st;
  if ((st = attr_list(c, attrs, "storage_id", "list_int", true, ne, &sids))) return st;
  if ((st = attr_list(c, attrs, "device_index", "list_int", false, ne, &devs))) return st;
  if ((st = attr_list(c, attrs, "storage_scope", "list_str", false, ne, &scopes))) return st;

  p->entries = xcalloc((size_t)ne, sizeof *p->entries);
  if (!p->entries) return oom(c);
  for (int nid = 0; nid < p->num_nodes; nid++)
    for (int e = row_ptr[nid]; e < row_ptr[nid + 1]; e++) p->entries[e].node = nid;

  for (int e = 0; e < ne; e++) {
    graph_entry *en = &p->entries[e];
    struct json_object *jshape = json_object_array_get_idx(shapes, (size_t)e);
    const char *s;
    int64_t sid, dev;
    uint64_t numel, nbytes;
    size_t nd;

    snprintf(path, sizeof path, "attrs.shape[1][%d]", e);
    if ((st = expect_type(c, jshape, path, json_type_array))) return st;
    nd = json_object_array_length(jshape);
    if (nd > WASMGRAPH_MAX_NDIM)
      return fail(c, path, "%zu dimensions, at most %d supported", nd, WASMGRAPH_MAX_NDIM);
    en->ndim = (int)nd;
    if (nd) {
      en->shape = xcalloc(nd, sizeof *en->shape);
      if (!en->shape) return oom(c);
    }
    for (size_t d = 0; d < nd; d++) {
      struct json_object *jd = json_object_array_get_idx(jshape, d);
      if (!json_object_is_type(jd, json_type_int)) {
        snprintf(path, sizeof path, "attrs.shape[1][%d][%zu]", e, d);
        return fail(c, path, "expected an integer, got %s", type_name(jd));
      }
      en->shape[d] = json_object_get_int64(jd);
      if (en->shape[d] < 0) {
        snprintf(path, sizeof path, "attrs.shape[1][%d][%zu]", e, d);
        return fail(c, path, "dimension %lld is negative", (long long)en->shape[d]);
      }
    }

    snprintf(path, sizeof path, "attrs.dltype[1][%d]", e);
    if ((st = get_cstr(c, json_object_array_get_idx(dltypes, (size_t)e), path, &s))) return st;
    if (!wg_dtype_parse(s, &en->dtype)) return fail(c, path, "unknown dtype \"%.40s\"", s);
    if ((st = dup_str(c, s, &en->dtype_name))) return st;

    /* nbytes = elem_bytes * prod(shape), overflow-checked, <= 4 GiB. */
    snprintf(path, sizeof path, "attrs.shape[1][%d]", e);
    if (!wg_shape_numel(en->shape, en->ndim, &numel) ||
        numel > GRAPH_MAX_BYTES / wg_dtype_elem_bytes(en->dtype))
      return fail(c, path, "tensor too large (more than %llu bytes of %s)",
                  (unsigned long long)GRAPH_MAX_BYTES, s);
    nbytes = numel * wg_dtype_elem_bytes(en->dtype);
    en->nbytes = (size_t)nbytes;

    /* Storage ids must be dense enough that one slot per entry suffices. */
    snprintf(path, sizeof path, "attrs.storage_id[1][%d]", e);
    if ((st = get_int(c, json_object_array_get_idx(sids, (size_t)e), path, 0, ne - 1, &sid)))
      return st;
    en->storage_id = (int)sid;
    if (sid + 1 > p->num_storage) p->num_storage = (int)sid + 1;

    if (devs) {
      snprintf(path, sizeof path, "attrs.device_index[1][%d]", e);
      if ((st = get_int(c, json_object_array_get_idx(devs, (size_t)e), path, INT32_MIN, INT32_MAX,
                        &dev)))
        return st;
    }
    if (scopes) {
      snprintf(path, sizeof path, "attrs.storage_scope[1][%d]", e);
      if ((st = get_cstr(c, json_object_array_get_idx(scopes, (size_t)e), path, &s))) return st;
    }
  }
  return WASMGRAPH_OK;
}

static wasmgraph_status plan_storage(ctx *c, graph_plan *p) {
  uint64_t total = 0;
  p->storage_bytes = xcalloc((size_t)p->num_storage, sizeof *p->storage_bytes);
  if (!p->storage_bytes) return oom(c);
  for (int e = 0; e < p->num_entries; e++) {
    size_t *b = &p->storage_bytes[p->entries[e].storage_id];
    if (p->entries[e].nbytes > *b) *b = p->entries[e].nbytes;
  }
  for (int s = 0; s < p->num_storage; s++) {
    /* Each sid <= 4 GiB, at most 2^24 of them: the sum cannot overflow. */
    total += ((uint64_t)p->storage_bytes[s] + 63) & ~(uint64_t)63;
  }
  if (total > GRAPH_MAX_BYTES)
    return fail(c, "attrs",
                "the storage plan needs %llu bytes, more than the %llu a wasm32 "
                "memory can hold",
                (unsigned long long)total, (unsigned long long)GRAPH_MAX_BYTES);
  return WASMGRAPH_OK;
}

/* Checks that only make sense once entries are known. */
static wasmgraph_status check_special_nodes(ctx *c, const graph_plan *p) {
  char path[64];
  for (int nid = 0; nid < p->num_nodes; nid++) {
    const graph_node *n = &p->nodes[nid];
    const graph_entry *in, *out;
    if (n->kind != GRAPH_OP_NOP && n->kind != GRAPH_OP_COPY) continue;
    snprintf(path, sizeof path, "nodes[%d]", nid);
    if (n->num_inputs != 1 || n->num_outputs != 1)
      return fail(c, path, "%s needs exactly 1 input and 1 output, got %d and %d", n->func_name,
                  n->num_inputs, n->num_outputs);
    in = &p->entries[n->inputs[0]];
    out = &p->entries[n->first_entry];
    if (n->kind == GRAPH_OP_NOP && in->storage_id != out->storage_id)
      return fail(c, path, "__nop output must share the input's storage (storage ids %d and %d)",
                  in->storage_id, out->storage_id);
    if (n->kind == GRAPH_OP_COPY && in->nbytes != out->nbytes)
      return fail(c, path, "__copy between tensors of different sizes (%zu and %zu bytes)",
                  in->nbytes, out->nbytes);
  }
  return WASMGRAPH_OK;
}

static wasmgraph_status parse_arg_nodes(ctx *c, struct json_object *arr, graph_plan *p) {
  char path[64];
  size_t n = json_object_array_length(arr);
  bool *seen;
  wasmgraph_status st = WASMGRAPH_OK;
  if (n > (size_t)p->num_nodes)
    return fail(c, "arg_nodes", "has %zu elements but the graph has only %d nodes", n,
                p->num_nodes);
  p->arg_nodes = xcalloc(n, sizeof *p->arg_nodes);
  seen = xcalloc((size_t)p->num_nodes, sizeof *seen);
  if (!p->arg_nodes || !seen) {
    free(seen);
    return oom(c);
  }
  p->num_arg_nodes = (int)n;
  for (size_t i = 0; i < n && !st; i++) {
    int64_t nid = 0; /* get_int sets it on success; gcc -O3 cannot see that */
    snprintf(path, sizeof path, "arg_nodes[%zu]", i);
    st = get_int(c, json_object_array_get_idx(arr, i), path, 0, p->num_nodes - 1, &nid);
    if (st) break;
    if (p->nodes[nid].kind != GRAPH_OP_NULL)
      st = fail(c, path, "node %lld is not a \"null\" (input) node", (long long)nid);
    else if (seen[nid]) st = fail(c, path, "node %lld is listed twice", (long long)nid);
    seen[nid] = true;
    p->arg_nodes[i] = (int)nid;
  }
  free(seen);
  return st;
}

static wasmgraph_status parse_heads(ctx *c, struct json_object *arr, graph_plan *p,
                                    const int *row_ptr) {
  char path[64];
  size_t n = json_object_array_length(arr);
  wasmgraph_status st;
  if (n == 0) return fail(c, "heads", "the graph has no outputs");
  /* The same entry may be returned several times, so heads is not bounded
   * by num_entries, only by the count cap. */
  if (n > GRAPH_MAX_COUNT) return fail(c, "heads", "too many outputs (%zu)", n);
  p->heads = xcalloc(n, sizeof *p->heads);
  if (!p->heads) return oom(c);
  p->num_heads = (int)n;
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "heads[%zu]", i);
    if ((st = get_entry_ref(c, json_object_array_get_idx(arr, i), path, row_ptr, p->num_nodes,
                            "number of nodes:", &p->heads[i])))
      return st;
  }
  return WASMGRAPH_OK;
}

static wasmgraph_status parse_root(ctx *c, struct json_object *root, graph_plan *p) {
  struct json_object *nodes, *arg_nodes, *heads, *attrs, *jrow;
  int *row_ptr = NULL;
  size_t nn;
  wasmgraph_status st;

  if ((st = expect_type(c, root, "(top level)", json_type_object))) return st;
  if ((st = member(c, root, "", "nodes", json_type_array, true, &nodes))) return st;
  if ((st = member(c, root, "", "arg_nodes", json_type_array, true, &arg_nodes))) return st;
  if ((st = member(c, root, "", "heads", json_type_array, true, &heads))) return st;
  if ((st = member(c, root, "", "attrs", json_type_object, true, &attrs))) return st;
  if ((st = member(c, root, "", "node_row_ptr", json_type_array, true, &jrow))) return st;
  /* "metadata" and unknown keys are ignored. */

  nn = json_object_array_length(nodes);
  if (nn == 0) return fail(c, "nodes", "the graph has no nodes");
  if (nn > GRAPH_MAX_COUNT) return fail(c, "nodes", "too many nodes (%zu)", nn);
  p->num_nodes = (int)nn;
  if ((st = parse_row_ptr(c, jrow, p->num_nodes, &row_ptr))) goto out;
  p->num_entries = row_ptr[nn];

  p->nodes = xcalloc(nn, sizeof *p->nodes);
  if (!p->nodes) {
    st = oom(c);
    goto out;
  }
  for (int i = 0; i < p->num_nodes; i++)
    if ((st = parse_node(c, json_object_array_get_idx(nodes, (size_t)i), i, row_ptr, &p->nodes[i])))
      goto out;
  if ((st = parse_entries(c, attrs, p, row_ptr))) goto out;
  if ((st = plan_storage(c, p))) goto out;
  if ((st = check_special_nodes(c, p))) goto out;
  if ((st = parse_arg_nodes(c, arg_nodes, p))) goto out;
  st = parse_heads(c, heads, p, row_ptr);
out:
  free(row_ptr);
  return st;
}

/* Tokenizes with json-c; on a syntax error reports offset, line and column. */
static wasmgraph_status tokenize(ctx *c, const char *json, size_t size, struct json_object **out) {
  struct json_tokener *tok;
  struct json_object *root;
  enum json_tokener_error jerr;
  size_t end;

  *out = NULL;
  if (size == 0) return fail(c, "", "empty input");
  if (size > INT32_MAX - 1) return fail(c, "", "file too large (%zu bytes)", size);
  tok = json_tokener_new();
  if (!tok) return oom(c);
  json_tokener_set_flags(
      tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
  root = json_tokener_parse_ex(tok, json, (int)size);
  jerr = json_tokener_get_error(tok);
  end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (!root || jerr != json_tokener_success) {
    size_t line = 1, col = 1;
    json_object_put(root);
    if (jerr == json_tokener_continue || jerr == json_tokener_success)
      return fail(c, "", "unexpected end of input at offset %zu (truncated file?)", size);
    if (end > size) end = size;
    for (size_t i = 0; i < end; i++) {
      if (json[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return fail(c, "", "syntax error at offset %zu (line %zu, column %zu): %s", end, line, col,
                json_tokener_error_desc(jerr));
  }
  for (size_t i = end; i < size; i++) {
    char ch = json[i];
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
      json_object_put(root);
      return fail(c, "", "unexpected data after the top-level object at offset %zu", i);
    }
  }
  *out = root;
  return WASMGRAPH_OK;
}

wasmgraph_status wg_graph_parse(const char *json, size_t size, graph_plan *out, char *err,
                                size_t err_size) {
  ctx c = {err, err_size};
  struct json_object *root = NULL;
  wasmgraph_status st;
  if (err && err_size) err[0] = '\0';
  if (!out) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  if (!json && size) return fail(&c, "", "NULL buffer");
  st = tokenize(&c, json, size, &root);
  if (st) return st;
  st = parse_root(&c, root, out);
  json_object_put(root);
  if (st) wg_graph_plan_free(out);
  return st;
}

void wg_graph_plan_free(graph_plan *plan) {
  if (!plan) return;
  if (plan->nodes) {
    for (int i = 0; i < plan->num_nodes; i++) {
      free(plan->nodes[i].name);
      free(plan->nodes[i].func_name);
      free(plan->nodes[i].inputs);
    }
  }
  if (plan->entries) {
    for (int i = 0; i < plan->num_entries; i++) {
      free(plan->entries[i].dtype_name);
      free(plan->entries[i].shape);
    }
  }
  free(plan->nodes);
  free(plan->entries);
  free(plan->storage_bytes);
  free(plan->arg_nodes);
  free(plan->heads);
  memset(plan, 0, sizeof *plan);
}
