/*
 * check_outputs.c — compares a run's output_<i>.npy files with a fixture's
 * expected/<i>.npy using the fixture's meta.json rule:
 *   |got - want| <= atol_by_output[i] + rtol * |want|  (floats)
 *   got == want, byte for byte                        (integers, bool)
 * Shapes and dtypes must match exactly.
 *
 * The number of outputs comes from the files, not from meta.json: EXPECTED_DIR
 * must hold 0.npy .. N-1.npy and OUTPUT_DIR output_0.npy .. output_N-1.npy,
 * the same N >= 1, with no gap and no other .npy file, so a missing or an
 * extra output fails. meta.json must give a tolerance for each of the N (and,
 * when it lists "outputs", list N). Prints one line per output and exits 0
 * only if every element of every output passes.
 *
 * usage: check_outputs META.json EXPECTED_DIR OUTPUT_DIR
 */
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

#define MAX_OUTPUTS 4096

/* IEEE 754 binary16 to double (numpy's f2). */
static double half_to_double(uint16_t h) {
  int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0) v = ldexp(mant, -24);
  else if (exp == 31) v = mant ? NAN : INFINITY;
  else v = ldexp(mant + 1024, exp - 25);
  return (h & 0x8000) ? -v : v;
}

/* Bytes of one element: bool ("b1", 1 bit) takes a whole byte. */
static size_t elem_bytes(wasmgraph_dtype t) { return ((size_t)t.bits * t.lanes + 7) / 8; }

/* Element i as a double, for the float tolerance and the reported max |diff|. */
static double elem(const npy_array *a, size_t i) {
  size_t w = elem_bytes(a->dtype);
  const uint8_t *p = (const uint8_t *)a->data + i * w;
  if (a->dtype.code == WASMGRAPH_DTYPE_FLOAT) {
    if (w == 2) {
      uint16_t h;
      memcpy(&h, p, 2);
      return half_to_double(h);
    }
    if (w == 4) {
      float f;
      memcpy(&f, p, 4);
      return f;
    }
    double d;
    memcpy(&d, p, 8);
    return d;
  }
  int is_signed = a->dtype.code == WASMGRAPH_DTYPE_INT;
  switch (w) {
    case 8: {
      int64_t v;
      memcpy(&v, p, 8);
      return is_signed ? (double)v : (double)(uint64_t)v;
    }
    case 4: {
      int32_t v;
      memcpy(&v, p, 4);
      return is_signed ? (double)v : (double)(uint32_t)v;
    }
    case 2: {
      int16_t v;
      memcpy(&v, p, 2);
      return is_signed ? (double)v : (double)(uint16_t)v;
    }
    default:
      return is_signed ? (double)(int8_t)*p : (double)*p;
  }
}

/* Counts the .npy files of DIR named PREFIX<i>.npy, i = 0, 1, ...: *count is
 * one past the largest i. Fails (with a message) on a gap, on another .npy
 * name, or on more than MAX_OUTPUTS. */
static int count_npy(const char *dir, const char *prefix, int *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "check_outputs: cannot open %s\n", dir);
    return 1;
  }
  static unsigned char seen[MAX_OUTPUTS];
  memset(seen, 0, sizeof seen);
  int n = 0, bad = 0;
  size_t plen = strlen(prefix);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".npy") != 0) continue;
    char *end = NULL;
    long i = -1;
    if (strncmp(name, prefix, plen) == 0 && name[plen] >= '0' && name[plen] <= '9')
      i = strtol(name + plen, &end, 10);
    if (i < 0 || i >= MAX_OUTPUTS || end != name + len - 4 ||
        (name[plen] == '0' && end != name + plen + 1)) {
      fprintf(stderr, "check_outputs: %s/%s is not named %s<index>.npy\n", dir, name, prefix);
      bad = 1;
      continue;
    }
    seen[i] = 1;
    if (i + 1 > n) n = (int)i + 1;
  }
  closedir(d);
  for (int i = 0; i < n; i++) {
    if (!seen[i]) {
      fprintf(stderr, "check_outputs: %s has no %s%d.npy, but a higher index\n", dir, prefix, i);
      bad = 1;
    }
  }
  *count = n;
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: check_outputs META.json EXPECTED_DIR OUTPUT_DIR\n");
    return 2;
  }
  json_object *meta = json_object_from_file(argv[1]);
  json_object *atols, *rtol_obj, *outputs;
  if (!meta || !json_object_object_get_ex(meta, "atol_by_output", &atols) ||
      !json_object_object_get_ex(meta, "rtol", &rtol_obj) ||
      !json_object_is_type(atols, json_type_array)) {
    fprintf(stderr, "check_outputs: %s: missing atol_by_output or rtol\n", argv[1]);
    json_object_put(meta);
    return 1;
  }
  int n_want = 0, n_got = 0;
  if (count_npy(argv[2], "", &n_want) | count_npy(argv[3], "output_", &n_got)) {
    json_object_put(meta);
    return 1;
  }
  int n = n_want;
  int failed = 0;
  if (n_want == 0) {
    fprintf(stderr, "check_outputs: %s holds no expected output (0.npy ...)\n", argv[2]);
    failed = 1;
  }
  if (n_got != n_want) {
    fprintf(stderr, "check_outputs: %s holds %d output(s), %s expects %d\n", argv[3], n_got,
            argv[2], n_want);
    failed = 1;
  }
  if ((int)json_object_array_length(atols) != n_want) {
    fprintf(stderr, "check_outputs: %s: %d atol_by_output entries for %d expected outputs\n",
            argv[1], (int)json_object_array_length(atols), n_want);
    failed = 1;
  }
  if (json_object_object_get_ex(meta, "outputs", &outputs) &&
      (int)json_object_array_length(outputs) != n_want) {
    fprintf(stderr, "check_outputs: %s lists %d outputs, %s holds %d\n", argv[1],
            (int)json_object_array_length(outputs), argv[2], n_want);
    failed = 1;
  }
  if (failed) {
    json_object_put(meta);
    return 1;
  }
  double rtol = json_object_get_double(rtol_obj);
  for (int i = 0; i < n; i++) {
    char want_path[4096], got_path[4096], err[512];
    snprintf(want_path, sizeof want_path, "%s/%d.npy", argv[2], i);
    snprintf(got_path, sizeof got_path, "%s/output_%d.npy", argv[3], i);
    double atol = json_object_get_double(json_object_array_get_idx(atols, (size_t)i));
    npy_array want, got;
    if (npy_load(want_path, &want, err, sizeof err)) {
      fprintf(stderr, "check_outputs: %s\n", err);
      json_object_put(meta);
      return 1;
    }
    if (npy_load(got_path, &got, err, sizeof err)) {
      fprintf(stderr, "check_outputs: %s\n", err);
      npy_free(&want);
      json_object_put(meta);
      return 1;
    }
    int ok = strcmp(want.descr + 1, got.descr + 1) == 0 && want.ndim == got.ndim &&
             memcmp(want.shape, got.shape, sizeof(int64_t) * (size_t)want.ndim) == 0 &&
             want.nbytes == got.nbytes;
    size_t w = elem_bytes(want.dtype);
    size_t count = ok ? want.nbytes / w : 0, bad = 0;
    double max_diff = 0;
    if (ok) {
      int exact = want.dtype.code != WASMGRAPH_DTYPE_FLOAT;
      for (size_t k = 0; k < count; k++) {
        double wv = elem(&want, k), gv = elem(&got, k), d = fabs(gv - wv);
        if (!(d <= max_diff)) max_diff = d; /* also catches NaN */
        if (exact ? memcmp((const uint8_t *)want.data + k * w, (const uint8_t *)got.data + k * w,
                           w) != 0
                  : !(d <= atol + rtol * fabs(wv)))
          bad++;
      }
      ok = bad == 0;
    }
    printf(
        "output %d: %s dtype %s, %zu elements, max |diff| %.3g (atol %.3g, rtol %.3g), %zu "
        "outside tolerance\n",
        i, ok ? "PASS" : "FAIL", got.descr, count, max_diff, atol, rtol, bad);
    if (!ok && count == 0)
      printf("output %d: got %s with %d dimension(s) and %zu bytes, want %s with %d and %zu\n", i,
             got.descr, got.ndim, got.nbytes, want.descr, want.ndim, want.nbytes);
    failed |= !ok;
    npy_free(&want);
    npy_free(&got);
  }
  json_object_put(meta);
  return failed;
}
