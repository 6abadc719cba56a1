/*
 * check_outputs.c — compares a run's output_<i>.npy files with a fixture's
 * expected/<i>.npy using the fixture's meta.json rule:
 *   |got - want| <= atol_by_output[i] + rtol * |want|  (floats)
 *   got == want                                      (integers)
 * Shapes and dtypes must match exactly. Prints one line per output and exits
 * 0 only if every element of every output passes.
 *
 * usage: check_outputs META.json EXPECTED_DIR OUTPUT_DIR
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "npy.h"

static double elem(const npy_array *a, size_t i) {
  const uint8_t *p = (const uint8_t *)a->data + i * (a->dtype.bits / 8);
  if (a->dtype.code == WASMGRAPH_DTYPE_FLOAT) {
    if (a->dtype.bits == 32) {
      float f;
      memcpy(&f, p, 4);
      return f;
    }
    double d;
    memcpy(&d, p, 8);
    return d;
  }
  if (a->dtype.bits == 64) {
    int64_t v;
    memcpy(&v, p, 8);
    return (double)v;
  }
  if (a->dtype.bits == 32) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  return a->dtype.code == WASMGRAPH_DTYPE_INT ? (double)(int8_t)*p : (double)*p;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: check_outputs META.json EXPECTED_DIR OUTPUT_DIR\n");
    return 2;
  }
  json_object *meta = json_object_from_file(argv[1]);
  json_object *atols, *rtol_obj;
  if (!meta || !json_object_object_get_ex(meta, "atol_by_output", &atols) ||
      !json_object_object_get_ex(meta, "rtol", &rtol_obj)) {
    fprintf(stderr, "check_outputs: %s: missing atol_by_output or rtol\n", argv[1]);
    return 1;
  }
  double rtol = json_object_get_double(rtol_obj);
  int n = (int)json_object_array_length(atols);
  int failed = 0;
  for (int i = 0; i < n; i++) {
    char want_path[4096], got_path[4096], err[512];
    snprintf(want_path, sizeof want_path, "%s/%d.npy", argv[2], i);
    snprintf(got_path, sizeof got_path, "%s/output_%d.npy", argv[3], i);
    double atol = json_object_get_double(json_object_array_get_idx(atols, (size_t)i));
    npy_array want, got;
    if (npy_load(want_path, &want, err, sizeof err)) {
      fprintf(stderr, "check_outputs: %s\n", err);
      return 1;
    }
    if (npy_load(got_path, &got, err, sizeof err)) {
      fprintf(stderr, "check_outputs: %s\n", err);
      npy_free(&want);
      return 1;
    }
    int ok = strcmp(want.descr + 1, got.descr + 1) == 0 && want.ndim == got.ndim &&
             memcmp(want.shape, got.shape, sizeof(int64_t) * (size_t)want.ndim) == 0 &&
             want.nbytes == got.nbytes;
    size_t count = want.dtype.bits ? want.nbytes / (want.dtype.bits / 8) : 0, bad = 0;
    double max_diff = 0;
    if (ok) {
      int exact = want.dtype.code != WASMGRAPH_DTYPE_FLOAT;
      for (size_t k = 0; k < count; k++) {
        double w = elem(&want, k), g = elem(&got, k), d = fabs(g - w);
        if (!(d <= max_diff)) max_diff = d; /* also catches NaN */
        if (exact ? g != w : !(d <= atol + rtol * fabs(w))) bad++;
      }
      ok = bad == 0;
    }
    printf(
        "output %d: %s dtype %s, %zu elements, max |diff| %.3g (atol %.3g, rtol %.3g), %zu "
        "outside tolerance\n",
        i, ok ? "PASS" : "FAIL", got.descr, count, max_diff, atol, rtol, bad);
    failed |= !ok;
    npy_free(&want);
    npy_free(&got);
  }
  json_object_put(meta);
  return failed;
}
