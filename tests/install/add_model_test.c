/*
 * add_model_test.c — the models that tests/install/CMakeLists.txt turned into
 * library targets with wasmgraph_add_model(), linked into this one program
 * (so their symbols must not clash), used through their generated headers:
 *   - the header constants (names, dtypes, shapes, sizes, counts) equal what
 *     the runtime reports for the same model;
 *   - NAME_run on the example input matches the expected output; `digits`
 *     (a folder) and `pkg` (the same example as an MLF tar) give
 *     bit-identical outputs; `plain` (not embedded) runs from the files;
 *   - with the mlp fixture, mlp too.
 *
 * usage: add_model_test IN.npy EXPECTED.npy GRAPH.json PARAMS MLP_IN.npy|- MLP_EXPECTED.npy|-
 * Prints "ok - ..." / "FAIL - ..." and "N passed, M failed"; exit 1 on failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "npy.h"
#include "pkg.h"
#include "plain.h"
#ifdef HAVE_MLP
#include "mlp.h"
#endif

static int npass, nfail;

static void check(int ok, const char *what, const char *detail) {
  if (ok) {
    npass++;
    printf("ok - %s\n", what);
  } else {
    nfail++;
    printf("FAIL - %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  }
}

/* The header's constants for tensor i against the runtime's tensor info. */
typedef struct header_io {
  const char *name, *dtype;
  unsigned code, bits;
  int ndim;
  const int64_t *shape;
  unsigned long long count, size;
} header_io;

static void check_io(const char *model, const char *what, const header_io *h,
                     const wasmgraph_tensor_info *info) {
  char label[160];
  int same_shape = h->ndim == info->ndim;
  unsigned long long count = 1;
  for (int d = 0; same_shape && d < h->ndim; d++) {
    same_shape = h->shape[d] == info->shape[d];
    count *= (unsigned long long)h->shape[d];
  }
  snprintf(label, sizeof label, "%s: %s constants match the runtime (%s %s, %llu bytes)", model,
           what, h->name, h->dtype, h->size);
  check(strcmp(h->name, info->name) == 0 && strcmp(h->dtype, info->dtype_name) == 0 &&
            h->code == info->dtype.code && h->bits == info->dtype.bits && same_shape &&
            h->count == count && h->size == info->nbytes,
        label, NULL);
}

#define HEADER_IO(M, WHAT, i, shape_array)                                              \
  ((header_io){M##_##WHAT##i##_NAME, M##_##WHAT##i##_DTYPE, M##_##WHAT##i##_DTYPE_CODE, \
               M##_##WHAT##i##_DTYPE_BITS, M##_##WHAT##i##_NDIM, shape_array,           \
               M##_##WHAT##i##_COUNT, M##_##WHAT##i##_SIZE})

/* Compares with the fixture rule |got - want| <= atol + rtol*|want|. */
static void check_close(const char *label, const float *got, const npy_array *want, size_t n) {
  char detail[200] = "";
  int bad = want->nbytes != n * sizeof(float);
  const float *w = want->data;
  for (size_t i = 0; !bad && i < n; i++)
    if (!(fabsf(got[i] - w[i]) <= 1e-4f + 1e-4f * fabsf(w[i]))) {
      snprintf(detail, sizeof detail, "element %zu: got %g, want %g", i, (double)got[i],
               (double)w[i]);
      bad = 1;
    }
  check(!bad, label, detail[0] ? detail : NULL);
}

static int load(const char *path, npy_array *a) {
  char err[256];
  if (npy_load(path, a, err, sizeof err) == WASMGRAPH_OK) return 1;
  check(0, path, err);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IN.npy EXPECTED.npy GRAPH.json PARAMS MLP_IN|- MLP_EXPECTED|-\n",
            argv[0]);
    return 2;
  }
  npy_array in, want;
  if (!load(argv[1], &in) || !load(argv[2], &want)) return 1;
  char err[512];

  /* digits: folder input, embedded; constants checked against the runtime. */
  wasmgraph_executor *d = NULL;
  float out_digits[DIGITS_OUTPUT0_COUNT], out_pkg[PKG_OUTPUT0_COUNT], out_plain[10];
  check(digits_create(&d) == WASMGRAPH_OK, "digits: NAME_create with the embedded graph", NULL);
  if (d) {
    wasmgraph_tensor_info info;
    static const int64_t in_shape[] = DIGITS_INPUT0_SHAPE, out_shape[] = DIGITS_OUTPUT0_SHAPE;
    check(wasmgraph_executor_num_inputs(d) == DIGITS_NUM_INPUTS &&
              wasmgraph_executor_num_outputs(d) == DIGITS_NUM_OUTPUTS,
          "digits: NUM_INPUTS/NUM_OUTPUTS match the runtime", NULL);
    wasmgraph_executor_input_info(d, 0, &info);
    check_io("digits", "input 0", &HEADER_IO(DIGITS, INPUT, 0, in_shape), &info);
    wasmgraph_executor_output_info(d, 0, &info);
    check_io("digits", "output 0", &HEADER_IO(DIGITS, OUTPUT, 0, out_shape), &info);
    check(DIGITS_INPUT_DATA == 0 && strcmp(DIGITS_INPUT0_NAME, "data") == 0,
          "digits: the index alias DIGITS_INPUT_DATA", NULL);
    check(in.nbytes == DIGITS_INPUT0_SIZE, "digits: the example input has INPUT0_SIZE bytes", NULL);
    wasmgraph_status st = digits_run(d, in.data, out_digits);
    check(st == WASMGRAPH_OK, "digits: NAME_run", wasmgraph_executor_last_error(d));
    if (st == WASMGRAPH_OK) check_close("digits: output matches expected", out_digits, &want, 10);
    digits_destroy(d);
  }
  digits_destroy(NULL); /* accepted */

  /* pkg: the same example through a Model Library Format tar. */
  wasmgraph_executor *p = NULL;
  wasmgraph_options one = {.struct_size = sizeof one, .num_threads = 1};
  wasmgraph_status st = pkg_create_with(&one, &p, err, sizeof err);
  check(st == WASMGRAPH_OK, "pkg: NAME_create_with from an MLF package", err);
  if (p) {
    check(strcmp(wasmgraph_model_name(wasmgraph_executor_model(p)), "pkg") == 0 &&
              PKG_INPUT0_SIZE == DIGITS_INPUT0_SIZE,
          "pkg: a distinct model with the example's shapes", NULL);
    st = pkg_run(p, in.data, out_pkg);
    check(st == WASMGRAPH_OK, "pkg: NAME_run", wasmgraph_executor_last_error(p));
    if (st == WASMGRAPH_OK)
      check(memcmp(out_pkg, out_digits, sizeof out_pkg) == 0,
            "pkg: bit-identical to digits (same kernels, same data)", NULL);
    pkg_destroy(p);
  }

  /* plain: nothing embedded; graph and params from files. */
  wasmgraph_executor *q = NULL;
  check(plain_create_from_files(NULL, NULL, NULL, &q, err, sizeof err) != WASMGRAPH_OK && !q,
        "plain: without files creation fails cleanly (nothing embedded)", NULL);
  st = plain_create_from_files(argv[3], argv[4], &one, &q, err, sizeof err);
  check(st == WASMGRAPH_OK, "plain: NAME_create_from_files", err);
  if (q) {
    st = wasmgraph_executor_set_input(q, 0, in.data, in.nbytes);
    if (st == WASMGRAPH_OK) st = wasmgraph_executor_run(q);
    if (st == WASMGRAPH_OK) st = wasmgraph_executor_get_output(q, 0, out_plain, sizeof out_plain);
    check(st == WASMGRAPH_OK, "plain: runs through the generic API",
          wasmgraph_executor_last_error(q));
    if (st == WASMGRAPH_OK) check_close("plain: output matches expected", out_plain, &want, 10);
    plain_destroy(q);
  }
  npy_free(&in);
  npy_free(&want);

#ifdef HAVE_MLP
  npy_array min, mwant;
  if (load(argv[5], &min) && load(argv[6], &mwant)) {
    wasmgraph_executor *m = NULL;
    static float out_mlp[MLP_OUTPUT0_COUNT];
    st = mlp_create_with(&one, &m, err, sizeof err);
    check(st == WASMGRAPH_OK, "mlp: NAME_create_with (fixture folder)", err);
    if (m) {
      wasmgraph_tensor_info info;
      static const int64_t in_shape[] = MLP_INPUT0_SHAPE;
      wasmgraph_executor_input_info(m, 0, &info);
      check_io("mlp", "input 0", &HEADER_IO(MLP, INPUT, 0, in_shape), &info);
      st = mlp_run(m, min.data, out_mlp);
      check(st == WASMGRAPH_OK, "mlp: NAME_run", wasmgraph_executor_last_error(m));
      if (st == WASMGRAPH_OK)
        check_close("mlp: output matches expected", out_mlp, &mwant, MLP_OUTPUT0_COUNT);
      mlp_destroy(m);
    }
    npy_free(&min);
    npy_free(&mwant);
  }
#else
  (void)argv;
  printf("SKIP: fixtures not found: the mlp fixture is not among the models\n");
#endif
  printf("%d passed, %d failed\n", npass, nfail);
  if (npass + nfail == 0) printf("FAIL: no check ran\n");
  return nfail != 0 || npass + nfail == 0;
}
