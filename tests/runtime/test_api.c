/*
 * test_api.c — the public C API's contracts on the example model: argument
 * checks, queries, copy and zero-copy I/O, checked set_input_tensor, option
 * validation, repeat runs giving identical outputs, and several executors of
 * one model, and the graph.json a model keeps.
 *
 * usage: test_api MODEL.so EXAMPLE_DIR   (MODEL.so compiled with embedded graph)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "wasmgraph.h"

static void read_input(const char *dir, float *out) {
  /* inputs/data.npy: a 128-byte header then 64 float32 */
  char path[4096];
  snprintf(path, sizeof path, "%s/inputs/data.npy", dir);
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  if (!f) return;
  unsigned char hdr[10];
  CHECK(fread(hdr, 1, 10, f) == 10);
  unsigned hl = hdr[8] | hdr[9] << 8;
  fseek(f, 10 + (long)hl, SEEK_SET);
  CHECK(fread(out, 4, 64, f) == 64);
  fclose(f);
}

/* The whole file at dir/name (malloc'd, *size bytes), or NULL. */
static char *read_all(const char *dir, const char *name, size_t *size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  *size = buf && fread(buf, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char err[512];
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL, *ex2 = NULL;

  /* creation failures fill err and leave *out NULL */
  CHECK(wasmgraph_model_load_library("/nonexistent.so", NULL, NULL, &model, err, sizeof err) ==
        WASMGRAPH_ERR_IO);
  CHECK(model == NULL && strstr(err, "/nonexistent.so") != NULL);
  CHECK(wasmgraph_model_create(NULL, NULL, 0, NULL, 0, &model, err, sizeof err) ==
        WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_model_load_library(argv[1], NULL, NULL, &model, err, sizeof err) == WASMGRAPH_OK);
  if (!model) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  CHECK(strcmp(wasmgraph_model_name(model), "digits_api") == 0);
  CHECK(wasmgraph_model_num_inputs(model) == 1);
  CHECK(wasmgraph_model_num_outputs(model) == 1);
  CHECK(wasmgraph_model_num_inputs(NULL) == -1);
  wasmgraph_tensor_info in, out;
  CHECK(wasmgraph_model_input_info(model, 0, &in) == WASMGRAPH_OK);
  CHECK(strcmp(in.name, "data") == 0 && in.ndim == 4 && in.shape[2] == 8 && in.nbytes == 256);
  CHECK(strcmp(in.dtype_name, "float32") == 0 && in.dtype.code == WASMGRAPH_DTYPE_FLOAT &&
        in.dtype.bits == 32);
  CHECK(wasmgraph_model_input_info(model, 1, &in) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_model_input_info(model, -1, &in) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_model_output_info(model, 0, &out) == WASMGRAPH_OK);
  CHECK(out.ndim == 2 && out.shape[1] == 10 && out.nbytes == 40);
  int idx = -1;
  CHECK(wasmgraph_model_input_index(model, "data", &idx) == WASMGRAPH_OK && idx == 0);
  CHECK(wasmgraph_model_input_index(model, "p0", &idx) == WASMGRAPH_ERR_NOT_FOUND);

  /* the graph.json it was built from: the embedded copy of the example's
   * file, then the file itself, given by path */
  size_t want_size = 0, got_size = 1;
  char *want = read_all(argv[2], "graph.json", &want_size);
  CHECK(want != NULL && want_size > 0);
  const char *got = wasmgraph_model_graph_json(model, &got_size);
  CHECK(got && want && got_size == want_size && memcmp(got, want, want_size) == 0);
  CHECK(wasmgraph_model_graph_json(NULL, &got_size) == NULL && got_size == 0);
  char graph_path[4096];
  snprintf(graph_path, sizeof graph_path, "%s/graph.json", argv[2]);
  wasmgraph_model *from_file = NULL;
  CHECK(wasmgraph_model_load_library(argv[1], graph_path, NULL, &from_file, err, sizeof err) ==
        WASMGRAPH_OK);
  got = wasmgraph_model_graph_json(from_file, NULL);
  CHECK(got && want && memcmp(got, want, want_size) == 0);
  wasmgraph_model_destroy(from_file);
  free(want);

  /* options are validated */
  wasmgraph_options opts;
  memset(&opts, 0, sizeof opts);
  CHECK(wasmgraph_executor_create(model, &opts, &ex, err, sizeof err) ==
        WASMGRAPH_ERR_INVALID_ARGUMENT);
  opts.struct_size = sizeof opts;
  opts.num_threads = 1000;
  CHECK(wasmgraph_executor_create(model, &opts, &ex, err, sizeof err) ==
            WASMGRAPH_ERR_INVALID_ARGUMENT &&
        ex == NULL);
  opts.num_threads = 1;
  CHECK(wasmgraph_executor_create(model, &opts, &ex, err, sizeof err) == WASMGRAPH_OK);
  opts.num_threads = 2;
  CHECK(wasmgraph_executor_create(model, &opts, &ex2, err, sizeof err) == WASMGRAPH_OK);
  if (!ex || !ex2) return 1;
  CHECK(wasmgraph_executor_num_threads(ex) == 1 && wasmgraph_executor_num_threads(ex2) == 2);
  CHECK(wasmgraph_executor_model(ex) == model);

  float x[64], y1[10], y2[10], y3[10];
  read_input(argv[2], x);
  /* copying set_input: wrong size, wrong name, NULL */
  CHECK(wasmgraph_executor_set_input(ex, 0, x, 100) == WASMGRAPH_ERR_SHAPE_MISMATCH);
  CHECK(strstr(wasmgraph_executor_last_error(ex), "got 100 bytes, expected 256") != NULL);
  CHECK(wasmgraph_executor_set_input_by_name(ex, "nope", x, sizeof x) == WASMGRAPH_ERR_NOT_FOUND);
  CHECK(wasmgraph_executor_set_input(ex, 3, x, sizeof x) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_set_input(NULL, 0, x, sizeof x) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  /* checked set_input_tensor says what differs */
  int64_t good_shape[4] = {1, 1, 8, 8}, bad_shape[2] = {1, 64};
  wasmgraph_dtype f32 = {WASMGRAPH_DTYPE_FLOAT, 32, 1}, i32 = {WASMGRAPH_DTYPE_INT, 32, 1};
  CHECK(wasmgraph_executor_set_input_tensor(ex, 0, i32, 4, good_shape, x) ==
        WASMGRAPH_ERR_DTYPE_MISMATCH);
  CHECK(strstr(wasmgraph_executor_last_error(ex), "dtype is int32, expected float32") != NULL);
  CHECK(wasmgraph_executor_set_input_tensor(ex, 0, f32, 2, bad_shape, x) ==
        WASMGRAPH_ERR_SHAPE_MISMATCH);
  CHECK(strstr(wasmgraph_executor_last_error(ex), "shape is (1, 64), expected (1, 1, 8, 8)"));
  CHECK(wasmgraph_executor_set_input_tensor(ex, 0, f32, 4, good_shape, x) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_last_trap(ex) == WASMGRAPH_TRAP_NONE);
  CHECK(wasmgraph_executor_get_output(ex, 0, y1, sizeof y1) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_get_output(ex, 0, y1, 4) == WASMGRAPH_ERR_SHAPE_MISMATCH);
  CHECK(wasmgraph_executor_get_output(ex, 1, y1, sizeof y1) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  int best = 0;
  float sum = 0;
  for (int c = 0; c < 10; c++) {
    sum += y1[c];
    if (y1[c] > y1[best]) best = c;
  }
  CHECK(best == 3);
  CHECK(sum > 0.999f && sum < 1.001f);

  /* a second run gives bit-identical results; so does the 2-thread executor,
   * fed through the zero-copy input buffer */
  CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_get_output(ex, 0, y2, sizeof y2) == WASMGRAPH_OK);
  CHECK(memcmp(y1, y2, sizeof y1) == 0);
  void *buf = NULL;
  size_t size = 0;
  CHECK(wasmgraph_executor_input_buffer(ex2, 0, &buf, &size) == WASMGRAPH_OK && size == 256);
  if (buf) memcpy(buf, x, sizeof x);
  CHECK(wasmgraph_executor_run(ex2) == WASMGRAPH_OK);
  const void *outbuf = NULL;
  CHECK(wasmgraph_executor_output_buffer(ex2, 0, &outbuf, &size) == WASMGRAPH_OK && size == 40);
  if (outbuf) memcpy(y3, outbuf, sizeof y3);
  CHECK(memcmp(y1, y3, sizeof y1) == 0);

  CHECK(strcmp(wasmgraph_status_string(WASMGRAPH_ERR_TRAP), "trap") == 0);
  CHECK(strcmp(wasmgraph_trap_string(WASMGRAPH_TRAP_DIVIDE_BY_ZERO), "integer divide by zero") ==
        0);
  CHECK(strcmp(wasmgraph_version(), WASMGRAPH_VERSION) == 0);

  wasmgraph_executor_destroy(ex);
  wasmgraph_executor_destroy(ex2);
  wasmgraph_executor_destroy(NULL);
  wasmgraph_model_destroy(model);
  wasmgraph_model_destroy(NULL);
  printf("%d passed, %d failed\n", checks - failures, failures);
  if (checks == 0) printf("FAIL: no check ran\n");
  return failures != 0 || checks == 0;
}
