/*
 * test_graph_json.c — wg_graph_parse on hand-made graphs: what TVM v0.8..v0.14
 * may write must parse to the right plan; a table of malformed graphs must
 * each fail with WASMGRAPH_ERR_FORMAT and a message naming the JSON path.
 *
 * Graphs are assembled from five parts (nodes, arg_nodes, heads,
 * node_row_ptr, attrs); a case replaces one part of the valid base graph.
 * To keep the C readable, parts use ' for JSON's " (build() swaps them) —
 * cases that need a literal ' set `raw`.
 */
#include <stdlib.h>

#include "check.h"
#include "graph_json.h"

#define N_X "{'op':'null','name':'x','inputs':[]}"
#define N_P "{'op':'null','name':'p0','inputs':[]}"
#define ADD_ATTRS "'func_name':'f_add','num_inputs':'2','num_outputs':'1','flatten_data':'0'"
#define N_ADD \
  "{'op':'tvm_op','name':'add','attrs':{" ADD_ATTRS ",'hash':'ab'},'inputs':[[0,0,0],[1,0,0]]}"
#define NOP_ATTRS "'func_name':'__nop','num_inputs':'1','num_outputs':'1','flatten_data':'0'"
#define N_NOP "{'op':'tvm_op','name':'reshape_nop','attrs':{" NOP_ATTRS "},'inputs':[[2,0,0]]}"
#define BASE_NODES "[" N_X "," N_P "," N_ADD "," N_NOP "]"
#define SHAPE(a, b, c, d) "'shape':['list_shape',[" a "," b "," c "," d "]]"
#define DLTYPE(a, b, c, d) "'dltype':['list_str',['" a "','" b "','" c "','" d "']]"
#define SID(a, b, c, d) "'storage_id':['list_int',[" a "," b "," c "," d "]]"
#define BASE_SHAPE SHAPE("[1,4]", "[1,4]", "[1,4]", "[4]")
#define BASE_DLTYPE DLTYPE("float32", "float32", "float32", "float32")
#define BASE_SID SID("0", "1", "2", "2")
#define DEV "'device_index':['list_int',[1,1,1,1]]"
#define ATTRS(s, d, i) "{" s "," d "," i "," DEV "}"
#define BASE_ATTRS ATTRS(BASE_SHAPE, BASE_DLTYPE, BASE_SID)

typedef struct parts {
  const char *nodes, *arg_nodes, *heads, *row_ptr, *attrs, *extra;
} parts;

/* Returns a malloc'd graph.json with ' replaced by ". */
static char *build(const parts *p) {
  const char *nodes = p->nodes ? p->nodes : BASE_NODES;
  const char *args = p->arg_nodes ? p->arg_nodes : "[0,1]";
  const char *heads = p->heads ? p->heads : "[[3,0,0]]";
  const char *rp = p->row_ptr ? p->row_ptr : "[0,1,2,3,4]";
  const char *attrs = p->attrs ? p->attrs : BASE_ATTRS;
  const char *extra = p->extra ? p->extra : "";
  size_t n = strlen(nodes) + strlen(args) + strlen(heads) + strlen(rp) + strlen(attrs) +
             strlen(extra) + 128;
  char *s = malloc(n);
  if (!s) return NULL;
  snprintf(s, n, "{'nodes':%s,'arg_nodes':%s,'heads':%s,'attrs':%s,'node_row_ptr':%s%s}", nodes,
           args, heads, attrs, rp, extra);
  for (char *q = s; *q; q++)
    if (*q == '\'') *q = '"';
  return s;
}

static wasmgraph_status parse_parts(const parts *p, graph_plan *plan, char *err, size_t n) {
  char *json = build(p);
  wasmgraph_status st = wg_graph_parse(json, strlen(json), plan, err, n);
  free(json);
  return st;
}

static void test_base(void) {
  parts p = {0};
  graph_plan g;
  char err[256];
  wasmgraph_status st = parse_parts(&p, &g, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  if (st) return;
  CHECK(err[0] == '\0');
  CHECK(g.num_nodes == 4 && g.num_entries == 4 && g.num_storage == 3);
  CHECK(g.nodes[0].kind == GRAPH_OP_NULL && strcmp(g.nodes[0].name, "x") == 0);
  CHECK(g.nodes[0].func_name == NULL && g.nodes[0].num_inputs == 0);
  CHECK(g.nodes[2].kind == GRAPH_OP_TVM && strcmp(g.nodes[2].func_name, "f_add") == 0);
  CHECK(g.nodes[2].num_inputs == 2 && g.nodes[2].inputs[0] == 0 && g.nodes[2].inputs[1] == 1);
  CHECK(g.nodes[2].num_outputs == 1 && g.nodes[2].first_entry == 2);
  CHECK(g.nodes[2].flatten_data == 0);
  CHECK(g.nodes[3].kind == GRAPH_OP_NOP && g.nodes[3].inputs[0] == 2);
  CHECK(g.entries[3].node == 3 && g.entries[3].ndim == 1 && g.entries[3].shape[0] == 4);
  CHECK(g.entries[0].ndim == 2 && g.entries[0].shape[0] == 1 && g.entries[0].shape[1] == 4);
  CHECK(strcmp(g.entries[1].dtype_name, "float32") == 0 && g.entries[1].dtype.code == 2 &&
        g.entries[1].dtype.bits == 32 && g.entries[1].dtype.lanes == 1);
  CHECK(g.entries[2].nbytes == 16 && g.entries[2].storage_id == 2);
  CHECK(g.storage_bytes[0] == 16 && g.storage_bytes[1] == 16 && g.storage_bytes[2] == 16);
  CHECK(g.num_arg_nodes == 2 && g.arg_nodes[0] == 0 && g.arg_nodes[1] == 1);
  CHECK(g.num_heads == 1 && g.heads[0] == 3);
  wg_graph_plan_free(&g);
  CHECK(g.nodes == NULL && g.num_nodes == 0);
  wg_graph_plan_free(&g); /* idempotent */
  wg_graph_plan_free(NULL);
}

/* Variants TVM (or hand-written graphs) legitimately produce. */
static void test_accepted_variants(void) {
  static const struct {
    const char *name;
    parts p;
  } ok[] = {
      {"key 'attr' instead of 'attrs'",
       {.nodes = "[" N_X "," N_P ",{'op':'tvm_op','name':'add','attr':{" ADD_ATTRS
                 "},'inputs':[[0,0,0],[1,0,0]]}," N_NOP "]"}},
      {"2-element entries",
       {.nodes = "[" N_X "," N_P ",{'op':'tvm_op','name':'add','attrs':{" ADD_ATTRS
                 "},'inputs':[[0,0],[1,0]]}," N_NOP "]",
        .heads = "[[3,0]]"}},
      {"metadata key ignored", {.extra = ",'metadata':{'anything':[1,2,{'x':null}]}"}},
      {"unknown top-level key ignored", {.extra = ",'future':[1]"}},
      {"unknown attrs ignored",
       {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID ",'foo':['list_int',[1]],'bar':3}"}},
      {"no device_index", {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID "}"}},
      {"storage_scope",
       {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID "," DEV
                 ",'storage_scope':['list_str',['global','','global','global']]}"}},
      {"integer counts, control_deps, extra node key",
       {.nodes = "[" N_X "," N_P ",{'op':'tvm_op','name':'add','control_deps':[],'x':1,"
                 "'attrs':{'func_name':'f','num_inputs':2,'num_outputs':1},"
                 "'inputs':[[0,0,0],[1,0,0]]}," N_NOP "]"}},
      {"flatten_data 1",
       {.nodes = "[" N_X "," N_P ",{'op':'tvm_op','name':'add','attrs':{"
                 "'func_name':'f','num_inputs':'2','num_outputs':'1',"
                 "'flatten_data':'1'},'inputs':[[0,0,0],[1,0,0]]}," N_NOP "]"}},
      {"head on a null node", {.heads = "[[0,0,0],[3,0,0]]"}},
      {"same output returned 5 times", {.heads = "[[3,0,0],[3,0,0],[3,0],[3,0,0],[3,0,0]]"}},
      {"empty arg_nodes", {.arg_nodes = "[]"}},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    graph_plan g;
    char err[256], ctx[400];
    wasmgraph_status st = parse_parts(&ok[i].p, &g, err, sizeof err);
    snprintf(ctx, sizeof ctx, "%s: %s", ok[i].name, err);
    CHECK_MSG(st == WASMGRAPH_OK, ctx);
    CHECK_MSG(st || (g.num_nodes == 4 && g.num_entries == 4), ctx);
    wg_graph_plan_free(&g);
  }
  /* The 'attr' spelling and integer counts produce the same plan. */
  {
    parts p = {.nodes = "[" N_X "," N_P
                        ",{'op':'tvm_op','name':'add','attr':{"
                        "'func_name':'f','num_inputs':2,'num_outputs':1,'flatten_data':1},"
                        "'inputs':[[1,0],[0,0]]}," N_NOP "]"};
    graph_plan g;
    char err[256];
    CHECK_MSG(parse_parts(&p, &g, err, sizeof err) == WASMGRAPH_OK, err);
    CHECK(g.nodes && g.nodes[2].inputs[0] == 1 && g.nodes[2].inputs[1] == 0);
    CHECK(g.nodes && g.nodes[2].flatten_data == 1 && strcmp(g.nodes[2].func_name, "f") == 0);
    wg_graph_plan_free(&g);
  }
}

/* Storage sizes, multi-output nodes, __copy, bool, scalars, zero-size. */
static void test_plan_details(void) {
  /* node 0: null x [2,3] f32 (24 B) sid 0; node 1: op with 2 outputs:
   * [6] int64 (48 B) sid 1, [] uint1 (1 B) sid 0; node 2: __copy of entry 1
   * into [48] uint8 sid 2; node 3: op on (0,0) -> [0,5] f32 sid 0. */
  parts p = {.nodes = "[" N_X
                      ",{'op':'tvm_op','name':'two','attrs':{'func_name':'two',"
                      "'num_inputs':'1','num_outputs':'2','flatten_data':'0'},'inputs':[[0,0,0]]},"
                      "{'op':'tvm_op','name':'cp','attrs':{'func_name':'__copy','num_inputs':'1',"
                      "'num_outputs':'1','flatten_data':'0'},'inputs':[[1,0,0]]},"
                      "{'op':'tvm_op','name':'z','attrs':{'func_name':'z','num_inputs':'1',"
                      "'num_outputs':'1'},'inputs':[[0,0,0]]}]",
             .arg_nodes = "[0]",
             .heads = "[[1,1,0],[2,0,0],[3,0,0]]",
             .row_ptr = "[0,1,3,4,5]",
             .attrs =
                 "{'shape':['list_shape',[[2,3],[6],[],[48],[0,5]]],"
                 "'dltype':['list_str',['float32','int64','uint1','uint8','float32']],"
                 "'storage_id':['list_int',[0,1,0,2,0]]}"};
  graph_plan g;
  char err[256];
  wasmgraph_status st = parse_parts(&p, &g, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  if (st) return;
  CHECK(g.num_entries == 5 && g.num_storage == 3);
  CHECK(g.nodes[1].num_outputs == 2 && g.nodes[1].first_entry == 1);
  CHECK(g.nodes[2].kind == GRAPH_OP_COPY && g.nodes[2].inputs[0] == 1);
  CHECK(g.entries[2].node == 1 && g.entries[2].ndim == 0 && g.entries[2].shape == NULL);
  CHECK(g.entries[2].nbytes == 1 && g.entries[2].dtype.bits == 1);
  CHECK(g.entries[1].nbytes == 48 && g.entries[3].nbytes == 48 && g.entries[4].nbytes == 0);
  CHECK(g.storage_bytes[0] == 24 && g.storage_bytes[1] == 48 && g.storage_bytes[2] == 48);
  CHECK(g.num_heads == 3 && g.heads[0] == 2 && g.heads[1] == 3 && g.heads[2] == 4);
  wg_graph_plan_free(&g);
}

typedef struct bad_case {
  const char *name;
  parts p;
  const char *raw; /* used verbatim instead of p when set */
  const char *msg; /* substring the message must contain */
} bad_case;

#define NODES3(third) "[" N_X "," N_P "," third "," N_NOP "]"
#define OP_ADD(attrs, inputs) "{'op':'tvm_op','name':'add','attrs':{" attrs "},'inputs':" inputs "}"

static const bad_case bad[] = {
    /* JSON syntax */
    {"empty", {0}, "", "empty input"},
    {"truncated", {0}, "{\"nodes\": [", "unexpected end of input"},
    {"syntax", {0}, "{\"nodes\": ]}", "syntax error at offset 10 (line 1, column 11)"},
    {"trailing comma", {0}, "{\"nodes\": [1,]}", "syntax error at offset 13"},
    {"comment", {0}, "{\"nodes\": /* x */ []}", "syntax error"},
    {"leading zero", {0}, "{\"nodes\": [01]}", "syntax error"},
    {"trailing garbage", {0}, "{} x", "unexpected data after the top-level object at offset 3"},
    {"two objects", {0}, "{}{}", "unexpected data after"},
    {"top-level array", {0}, "[1]", "(top level): expected an object, got an array"},
    {"bad utf-8", {0}, "{\"a\": \"\xff\xfe\"}", "syntax error"},
    {"too deep",
     {0},
     "{\"m\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]}",
     "syntax error"},
    /* json-c's strict mode still accepts NaN (and single quotes); the type
     * checks stop it. */
    {"NaN",
     {0},
     "{\"nodes\": NaN}",
     "graph.json: nodes: expected an array, got a non-integer number"},
    /* top level */
    {"missing nodes",
     {0},
     "{\"arg_nodes\":[],\"heads\":[],\"attrs\":{},\"node_row_ptr\":[0]}",
     "graph.json: missing key 'nodes'"},
    {"nodes not array",
     {.nodes = "{}"},
     NULL,
     "graph.json: nodes: expected an array, got an object"},
    {"arg_nodes not array",
     {.arg_nodes = "3"},
     NULL,
     "arg_nodes: expected an array, got an integer"},
    {"heads null", {.heads = "null"}, NULL, "heads: expected an array, got null"},
    {"attrs array", {.attrs = "[]"}, NULL, "attrs: expected an object, got an array"},
    {"row_ptr string", {.row_ptr = "'0'"}, NULL, "node_row_ptr: expected an array, got a string"},
    {"no nodes", {.nodes = "[]", .row_ptr = "[0]"}, NULL, "nodes: the graph has no nodes"},
    /* node_row_ptr */
    {"row_ptr short",
     {.row_ptr = "[0,1,2,3]"},
     NULL,
     "node_row_ptr: has 4 elements, expected nodes+1 = 5"},
    {"row_ptr long", {.row_ptr = "[0,1,2,3,4,5]"}, NULL, "has 6 elements"},
    {"row_ptr start", {.row_ptr = "[1,2,3,4,5]"}, NULL, "node_row_ptr[0]: must be 0, got 1"},
    {"row_ptr flat", {.row_ptr = "[0,1,1,2,3]"}, NULL, "node_row_ptr[2]: 1 is not greater"},
    {"row_ptr decreasing", {.row_ptr = "[0,2,1,3,4]"}, NULL, "node_row_ptr[2]"},
    {"row_ptr double",
     {.row_ptr = "[0,1,2.5,3,4]"},
     NULL,
     "node_row_ptr[2]: expected an integer, got a non-integer number"},
    {"row_ptr negative",
     {.row_ptr = "[0,-1,2,3,4]"},
     NULL,
     "node_row_ptr[1]: value -1 out of range"},
    {"row_ptr huge",
     {.row_ptr = "[0,1,2,3,99999999999]"},
     NULL,
     "node_row_ptr[4]: value 99999999999 out of range"},
    {"null node with 2 outputs",
     {.row_ptr = "[0,2,3,4,5]"},
     NULL,
     "\"null\" node 0 must have 1 output"},
    /* nodes */
    {"node not object",
     {.nodes = "[" N_X ",[]," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[1]: expected an object, got an array"},
    {"missing op",
     {.nodes = "[{'name':'x','inputs':[]}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0]: missing key 'op'"},
    {"op int",
     {.nodes = "[{'op':1,'name':'x','inputs':[]}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0].op: expected a string, got an integer"},
    {"op unknown",
     {.nodes =
          NODES3("{'op':'conv','name':'add','attrs':{" ADD_ATTRS "},'inputs':[[0,0,0],[1,0,0]]}")},
     NULL,
     "nodes[2].op: unsupported op \"conv\""},
    {"missing name",
     {.nodes = "[{'op':'null','inputs':[]}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0]: missing key 'name'"},
    {"name array",
     {.nodes = "[{'op':'null','name':[],'inputs':[]}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0].name: expected a string, got an array"},
    {"name with NUL",
     {.nodes = "[{'op':'null','name':'a\\u0000b','inputs':[]}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0].name: string contains a NUL character"},
    {"missing inputs",
     {.nodes = "[{'op':'null','name':'x'}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0]: missing key 'inputs'"},
    {"inputs object",
     {.nodes = "[{'op':'null','name':'x','inputs':{}}," N_P "," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[0].inputs: expected an array, got an object"},
    {"null node with inputs",
     {.nodes = "[" N_X ",{'op':'null','name':'p0','inputs':[[0,0,0]]}," N_ADD "," N_NOP "]"},
     NULL,
     "nodes[1].inputs: a \"null\" node must have no inputs, got 1"},
    {"tvm_op without attrs",
     {.nodes = NODES3("{'op':'tvm_op','name':'add','inputs':[[0,0,0],[1,0,0]]}")},
     NULL,
     "nodes[2]: missing key 'attrs'"},
    {"attrs string",
     {.nodes = NODES3("{'op':'tvm_op','name':'add','attrs':'x','inputs':[[0,0,0],[1,0,0]]}")},
     NULL,
     "nodes[2].attrs: expected an object, got a string"},
    {"func_name int",
     {.nodes =
          NODES3(OP_ADD("'func_name':7,'num_inputs':'2','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "graph.json: nodes[2].attrs.func_name: expected a string, got an integer"},
    {"func_name missing",
     {.nodes = NODES3(OP_ADD("'num_inputs':'2','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs: missing key 'func_name'"},
    {"func_name missing (attr)",
     {.nodes = NODES3("{'op':'tvm_op','name':'add','attr':{'num_inputs':'2','num_outputs':'1'},'"
                      "inputs':[[0,0,0],[1,0,0]]}")},
     NULL,
     "nodes[2].attr: missing key 'func_name'"},
    {"func_name empty",
     {.nodes =
          NODES3(OP_ADD("'func_name':'','num_inputs':'2','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.func_name: empty function name"},
    {"num_inputs missing",
     {.nodes = NODES3(OP_ADD("'func_name':'f','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs: missing key 'num_inputs'"},
    {"num_inputs wrong",
     {.nodes = NODES3(
          OP_ADD("'func_name':'f','num_inputs':'3','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.num_inputs: says 3 but the node has 2 inputs"},
    {"num_inputs text",
     {.nodes = NODES3(
          OP_ADD("'func_name':'f','num_inputs':'two','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.num_inputs: expected a decimal count, got \"two\""},
    {"num_inputs signed",
     {.nodes = NODES3(
          OP_ADD("'func_name':'f','num_inputs':'+2','num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "expected a decimal count"},
    {"num_inputs bool",
     {.nodes = NODES3(
          OP_ADD("'func_name':'f','num_inputs':true,'num_outputs':'1'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.num_inputs: expected a string, got a boolean"},
    {"num_outputs wrong",
     {.nodes = NODES3(
          OP_ADD("'func_name':'f','num_inputs':'2','num_outputs':'2'", "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.num_outputs: says 2 but node_row_ptr gives 1 outputs"},
    {"num_outputs huge",
     {.nodes = NODES3(OP_ADD("'func_name':'f','num_inputs':'2','num_outputs':'99999999999999999'",
                             "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.num_outputs: value 99999999999999999 out of range"},
    {"flatten_data 2",
     {.nodes =
          NODES3(OP_ADD("'func_name':'f','num_inputs':'2','num_outputs':'1','flatten_data':'2'",
                        "[[0,0,0],[1,0,0]]"))},
     NULL,
     "nodes[2].attrs.flatten_data: value 2 out of range [0, 1]"},
    {"input not array",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],1]"))},
     NULL,
     "nodes[2].inputs[1]: expected an array [node_id, index, version], got an integer"},
    {"input 1 element",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[1]]"))},
     NULL,
     "nodes[2].inputs[1]: expected 2 or 3 integers"},
    {"input 4 elements",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[1,0,0,0]]"))},
     NULL,
     "got 4 elements"},
    {"input string id",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],['1',0,0]]"))},
     NULL,
     "nodes[2].inputs[1][0]: expected an integer, got a string"},
    {"input forward ref",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[3,0,0]]"))},
     NULL,
     "nodes[2].inputs[1][0]: node id 3 out of range"},
    {"input self ref",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[2,0,0]]"))},
     NULL,
     "nodes[2].inputs[1][0]: node id 2 out of range (an input must come from an earlier node than "
     "2)"},
    {"input far out",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[1000000,0,0]]"))},
     NULL,
     "node id 1000000 out of range"},
    {"input negative",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[-1,0,0]]"))},
     NULL,
     "nodes[2].inputs[1][0]: value -1 out of range"},
    {"input bad index",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[1,1,0]]"))},
     NULL,
     "nodes[2].inputs[1][1]: output index 1 out of range (node 1 has 1 outputs)"},
    {"input bad version",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[1,0,'v']]"))},
     NULL,
     "nodes[2].inputs[1][2]: expected an integer"},
    {"input huge id",
     {.nodes = NODES3(OP_ADD(ADD_ATTRS, "[[0,0,0],[18446744073709551615,0,0]]"))},
     NULL,
     "nodes[2].inputs[1][0]"},
    /* attrs */
    {"attrs missing shape",
     {.attrs = "{" BASE_DLTYPE "," BASE_SID "}"},
     NULL,
     "graph.json: attrs: missing key 'shape'"},
    {"attrs missing dltype",
     {.attrs = "{" BASE_SHAPE "," BASE_SID "}"},
     NULL,
     "attrs: missing key 'dltype'"},
    {"attrs missing storage_id",
     {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "}"},
     NULL,
     "attrs: missing key 'storage_id'"},
    {"shape object",
     {.attrs = ATTRS("'shape':{}", BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape: expected an array, got an object"},
    {"shape bad tag",
     {.attrs = ATTRS("'shape':['list_int',[[1,4],[1,4],[1,4],[4]]]", BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[0]: expected the type tag \"list_shape\""},
    {"shape no payload",
     {.attrs = ATTRS("'shape':['list_shape']", BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape: expected [\"list_shape\", [...]], got an array of 1 elements"},
    {"shape payload object",
     {.attrs = ATTRS("'shape':['list_shape',{}]", BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1]: expected an array, got an object"},
    {"shape too few",
     {.attrs = ATTRS("'shape':['list_shape',[[1,4],[1,4],[4]]]", BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1]: has 3 elements, expected one per entry (4)"},
    {"shape entry int",
     {.attrs = ATTRS(SHAPE("[1,4]", "4", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1]: expected an array, got an integer"},
    {"shape dim string",
     {.attrs = ATTRS(SHAPE("[1,4]", "[1,'4']", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1][1]: expected an integer, got a string"},
    {"shape dim float",
     {.attrs = ATTRS(SHAPE("[1,4]", "[1,4.0]", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1][1]: expected an integer, got a non-integer number"},
    {"negative dim",
     {.attrs = ATTRS(SHAPE("[1,4]", "[-1,4]", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1][0]: dimension -1 is negative"},
    {"17 dims",
     {.attrs = ATTRS(SHAPE("[1,4]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,4]", "[1,4]", "[4]"),
                     BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1]: 17 dimensions, at most 16 supported"},
    {"overflowing dims",
     {.attrs = ATTRS(SHAPE("[1,4]", "[4294967296,4294967296,4294967296]", "[1,4]", "[4]"),
                     BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1]: tensor too large"},
    {"int64-max dims",
     {.attrs =
          ATTRS(SHAPE("[1,4]", "[9223372036854775807,2]", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1]: tensor too large"},
    {"beyond int64 dim",
     {.attrs =
          ATTRS(SHAPE("[1,4]", "[99999999999999999999]", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "attrs.shape[1][1]"},
    {"5 GiB tensor",
     {.attrs = ATTRS(SHAPE("[1,4]", "[1342177280]", "[1,4]", "[4]"), BASE_DLTYPE, BASE_SID)},
     NULL,
     "tensor too large (more than 4294967296 bytes of float32)"},
    {"dltype unknown",
     {.attrs = ATTRS(BASE_SHAPE, DLTYPE("float32", "float32", "float31", "float32"), BASE_SID)},
     NULL,
     "graph.json: attrs.dltype[1][2]: unknown dtype \"float31\""},
    {"dltype int",
     {.attrs =
          ATTRS(BASE_SHAPE, "'dltype':['list_str',['float32',32,'float32','float32']]", BASE_SID)},
     NULL,
     "attrs.dltype[1][1]: expected a string, got an integer"},
    {"dltype tag",
     {.attrs = ATTRS(BASE_SHAPE, "'dltype':['list_int',['float32','float32','float32','float32']]",
                     BASE_SID)},
     NULL,
     "attrs.dltype[0]: expected the type tag \"list_str\""},
    {"storage_id negative",
     {.attrs = ATTRS(BASE_SHAPE, BASE_DLTYPE, SID("0", "-1", "2", "2"))},
     NULL,
     "attrs.storage_id[1][1]: value -1 out of range [0, 3]"},
    {"storage_id sparse",
     {.attrs = ATTRS(BASE_SHAPE, BASE_DLTYPE, SID("0", "1", "2", "4"))},
     NULL,
     "attrs.storage_id[1][3]: value 4 out of range [0, 3]"},
    {"storage_id string",
     {.attrs = ATTRS(BASE_SHAPE, BASE_DLTYPE, SID("0", "'1'", "2", "2"))},
     NULL,
     "attrs.storage_id[1][1]: expected an integer, got a string"},
    {"storage_id length",
     {.attrs = ATTRS(BASE_SHAPE, BASE_DLTYPE, "'storage_id':['list_int',[0,1,2,2,3]]")},
     NULL,
     "attrs.storage_id[1]: has 5 elements"},
    {"device_index length",
     {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID ",'device_index':['list_int',[1]]}"},
     NULL,
     "attrs.device_index[1]: has 1 elements"},
    {"device_index string",
     {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID
               ",'device_index':['list_int',[1,1,'cpu',1]]}"},
     NULL,
     "attrs.device_index[1][2]: expected an integer"},
    {"storage_scope int",
     {.attrs = "{" BASE_SHAPE "," BASE_DLTYPE "," BASE_SID
               ",'storage_scope':['list_str',['global',0,'','']]}"},
     NULL,
     "attrs.storage_scope[1][1]: expected a string"},
    {"plan over 4 GiB",
     {.attrs = ATTRS(SHAPE("[536870912]", "[536870912]", "[536870912]", "[4]"), BASE_DLTYPE,
                     SID("0", "1", "2", "2"))},
     NULL,
     "attrs: the storage plan needs 6442450944 bytes"},
    /* special nodes */
    {"__nop own storage",
     {.attrs = ATTRS(BASE_SHAPE, BASE_DLTYPE, SID("0", "1", "2", "3"))},
     NULL,
     "nodes[3]: __nop output must share the input's storage (storage ids 2 and 3)"},
    {"__copy size",
     {.nodes = "[" N_X "," N_P "," N_ADD ",{'op':'tvm_op','name':'c','attrs':{'func_name':'__copy',"
               "'num_inputs':'1','num_outputs':'1'},'inputs':[[2,0,0]]}]",
      .attrs =
          ATTRS(SHAPE("[1,4]", "[1,4]", "[1,4]", "[5]"), BASE_DLTYPE, SID("0", "1", "2", "3"))},
     NULL,
     "nodes[3]: __copy between tensors of different sizes (16 and 20 bytes)"},
    {"__nop 2 inputs",
     {.nodes =
          "[" N_X "," N_P "," N_ADD ",{'op':'tvm_op','name':'n','attrs':{'func_name':'__nop','num_"
          "inputs':'2','num_outputs':'1'},'inputs':[[2,0,0],[0,0,0]]}]"},
     NULL,
     "nodes[3]: __nop needs exactly 1 input and 1 output, got 2 and 1"},
    /* arg_nodes and heads */
    {"arg_node is an op",
     {.arg_nodes = "[0,2]"},
     NULL,
     "arg_nodes[1]: node 2 is not a \"null\" (input) node"},
    {"arg_node twice", {.arg_nodes = "[0,0]"}, NULL, "arg_nodes[1]: node 0 is listed twice"},
    {"arg_node out of range",
     {.arg_nodes = "[0,4]"},
     NULL,
     "arg_nodes[1]: value 4 out of range [0, 3]"},
    {"arg_node string",
     {.arg_nodes = "['0']"},
     NULL,
     "arg_nodes[0]: expected an integer, got a string"},
    {"arg_nodes too many",
     {.arg_nodes = "[0,1,0,1,0]"},
     NULL,
     "arg_nodes: has 5 elements but the graph has only 4 nodes"},
    {"heads empty", {.heads = "[]"}, NULL, "heads: the graph has no outputs"},
    {"head node out of range",
     {.heads = "[[4,0,0]]"},
     NULL,
     "heads[0][0]: node id 4 out of range (number of nodes: 4)"},
    {"head index out of range",
     {.heads = "[[3,1,0]]"},
     NULL,
     "heads[0][1]: output index 1 out of range"},
    {"head not entry", {.heads = "[3]"}, NULL, "heads[0]: expected an array"},
};

static void test_malformed(void) {
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    graph_plan g;
    char err[512], ctx[1100];
    char *json = bad[i].raw ? NULL : build(&bad[i].p);
    const char *src = bad[i].raw ? bad[i].raw : json;
    wasmgraph_status st = wg_graph_parse(src, strlen(src), &g, err, sizeof err);
    snprintf(ctx, sizeof ctx, "case '%s': status %d, message \"%s\", want \"%s\"", bad[i].name,
             (int)st, err, bad[i].msg);
    CHECK_MSG(st == WASMGRAPH_ERR_FORMAT, ctx);
    CHECK_MSG(check_contains(err, bad[i].msg), ctx);
    CHECK_MSG(strncmp(err, "graph.json: ", 12) == 0, ctx);
    CHECK_MSG(g.num_nodes == 0 && g.nodes == NULL && g.entries == NULL && g.heads == NULL, ctx);
    /* Same result without a message buffer, and with a tiny one. */
    CHECK_MSG(wg_graph_parse(src, strlen(src), &g, NULL, 0) == st, ctx);
    CHECK_MSG(wg_graph_parse(src, strlen(src), &g, err, 5) == st && strlen(err) == 4, ctx);
    free(json);
  }
}

static void test_api_edges(void) {
  parts p = {0};
  char *json = build(&p);
  graph_plan g;
  char err[128];
  /* Not NUL-terminated: the parser must honour the length, not a NUL. */
  size_t n = strlen(json);
  char *copy = malloc(n);
  memcpy(copy, json, n);
  CHECK(wg_graph_parse(copy, n, &g, err, sizeof err) == WASMGRAPH_OK);
  wg_graph_plan_free(&g);
  /* Trailing whitespace is fine; an embedded NUL is not. */
  {
    char *ws = malloc(n + 3);
    memcpy(ws, json, n);
    memcpy(ws + n, " \n\t", 3);
    CHECK(wg_graph_parse(ws, n + 3, &g, err, sizeof err) == WASMGRAPH_OK);
    wg_graph_plan_free(&g);
    ws[n] = '\0';
    CHECK(wg_graph_parse(ws, n + 3, &g, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
    free(ws);
  }
  CHECK(wg_graph_parse(copy, n - 1, &g, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK(check_contains(err, "unexpected end of input"));
  CHECK(wg_graph_parse(NULL, 5, &g, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK(wg_graph_parse(json, n, NULL, err, sizeof err) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  free(copy);
  free(json);
}

int main(void) {
  test_base();
  test_accepted_variants();
  test_plan_details();
  test_malformed();
  test_api_edges();
  return check_report("parsers_graph_json");
}
