/*
 * main.c — a product with two models compiled in at build time
 * (wasmgraph_add_model in CMakeLists.txt). It uses only what the generated
 * headers give: NAME_create(), NAME_run(), NAME_destroy() and the input/output
 * constants.
 *
 *   digits  classifies an 8x8 drawing of a "3" and must answer 3;
 *   second  runs on INPUT.npy and must match EXPECTED.npy within
 *           |got - want| <= 1e-4 + 1e-4 * |want|.
 *
 * usage: consumer SECOND_INPUT.npy SECOND_EXPECTED.npy    (exit 0: both pass)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "second.h"

/* Both models take one float32 tensor and give one (checked at compile time). */
_Static_assert(DIGITS_NUM_INPUTS == 1 && DIGITS_NUM_OUTPUTS == 1, "digits: 1 input, 1 output");
_Static_assert(DIGITS_INPUT0_COUNT == 64 && DIGITS_OUTPUT0_COUNT == 10, "digits: 8x8 -> 10");
_Static_assert(SECOND_NUM_INPUTS == 1 && SECOND_NUM_OUTPUTS == 1, "second: 1 input, 1 output");
_Static_assert(SECOND_INPUT0_DTYPE_CODE == WASMGRAPH_DTYPE_FLOAT &&
                   SECOND_INPUT0_DTYPE_BITS == 32 &&
                   SECOND_OUTPUT0_DTYPE_CODE == WASMGRAPH_DTYPE_FLOAT &&
                   SECOND_OUTPUT0_DTYPE_BITS == 32,
               "second: float32 in and out");

static const float k_three[DIGITS_INPUT0_COUNT] = {
    /* a hand-drawn 3 */
    0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0,
};

/* Reads a little-endian float32 .npy (version 1 or 2) of exactly `count`
 * elements. Enough for this example; wasmgraph's CLI has a full reader. */
static int load_npy_f32(const char *path, float *dst, size_t count) {
  unsigned char pre[12];
  FILE *f = fopen(path, "rb");
  int ok = 0;
  if (!f) {
    perror(path);
    return 0;
  }
  if (fread(pre, 1, 10, f) == 10 && memcmp(pre, "\x93NUMPY", 6) == 0) {
    size_t header = pre[8] | (size_t)pre[9] << 8;
    if (pre[6] >= 2 && fread(pre + 10, 1, 2, f) == 2)
      header = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    char *h = header < 65536 ? malloc(header + 1) : NULL;
    if (h && fread(h, 1, header, f) == header) {
      h[header] = 0;
      ok = strstr(h, "'<f4'") && !strstr(h, "True") && fread(dst, sizeof *dst, count, f) == count &&
           fgetc(f) == EOF;
    }
    free(h);
  }
  fclose(f);
  if (!ok) fprintf(stderr, "%s: not a float32 .npy of %zu elements\n", path, count);
  return ok;
}

static int run_digits(void) {
  wasmgraph_executor *exec = NULL;
  float probs[DIGITS_OUTPUT0_COUNT];
  wasmgraph_status st = digits_create(&exec);
  if (st != WASMGRAPH_OK) {
    fprintf(stderr, "digits: create: %s\n", wasmgraph_status_string(st));
    return 0;
  }
  st = digits_run(exec, k_three, probs);
  if (st != WASMGRAPH_OK) fprintf(stderr, "digits: %s\n", wasmgraph_executor_last_error(exec));
  digits_destroy(exec);
  if (st != WASMGRAPH_OK) return 0;
  int best = 0;
  for (int c = 1; c < DIGITS_OUTPUT0_COUNT; c++)
    if (probs[c] > probs[best]) best = c;
  printf("digits: class %d (p = %.3f)\n", best, (double)probs[best]);
  return best == 3;
}

static int run_second(const char *input_path, const char *expected_path) {
  static float in[SECOND_INPUT0_COUNT], out[SECOND_OUTPUT0_COUNT], want[SECOND_OUTPUT0_COUNT];
  wasmgraph_executor *exec = NULL;
  char err[256];
  if (!load_npy_f32(input_path, in, SECOND_INPUT0_COUNT) ||
      !load_npy_f32(expected_path, want, SECOND_OUTPUT0_COUNT))
    return 0;
  /* One thread: the product decides; NULL options would use every core. */
  wasmgraph_options options = {.struct_size = sizeof options, .num_threads = 1};
  if (second_create_with(&options, &exec, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "second: %s\n", err);
    return 0;
  }
  wasmgraph_status st = second_run(exec, in, out);
  if (st != WASMGRAPH_OK) fprintf(stderr, "second: %s\n", wasmgraph_executor_last_error(exec));
  second_destroy(exec);
  if (st != WASMGRAPH_OK) return 0;
  int bad = 0;
  for (int i = 0; i < SECOND_OUTPUT0_COUNT; i++)
    if (!(fabsf(out[i] - want[i]) <= 1e-4f + 1e-4f * fabsf(want[i]))) bad++;
  printf("second: %s (%d of %d outputs outside tolerance; input \"%s\")\n", bad ? "FAIL" : "PASS",
         bad, SECOND_OUTPUT0_COUNT, SECOND_INPUT0_NAME);
  return bad == 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SECOND_INPUT.npy SECOND_EXPECTED.npy\n", argv[0]);
    return 2;
  }
  int ok = run_digits();
  ok &= run_second(argv[1], argv[2]);
  return ok ? 0 : 1;
}
