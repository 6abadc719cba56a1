/*
 * gen_example.c — writes the data files of the tiny_digits example model:
 * graph.params (TVM's param dict, tvm-wasm-abi.md §10), inputs/data.npy (a
 * noisy hand-drawn "3"), expected/0.npy (the softmax the model must produce)
 * and meta.json (same keys as the TVM fixtures' meta.json).
 *
 * The model is data [1,1,8,8] -> flatten -> dense(64->16)+bias+relu ->
 * dense(16->10)+bias -> softmax. Its weights are not trained: hidden units
 * 0..9 are zero-mean, unit-norm templates of hand-drawn 8x8 digits with
 * the average digit subtracted (a normalised correlation), units 10..15 measure ink in six regions,
 * and the second layer maps template d to class d plus a small vote from the region features. The
 * reference output is computed in double precision from the exact float32 weights and input that
 * are written, and the program refuses to write anything unless that reference classifies the input
 * as a 3 with probability >= 0.9. Everything is deterministic (fixed integer PRNG), so the files
 * are byte-identical on every run and host.
 *
 * Usage: gen_example OUTDIR   (creates OUTDIR/inputs and OUTDIR/expected)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum { SIDE = 8, NIN = SIDE * SIDE, NHID = 16, NTPL = 10, NOUT = 10 };
enum { TRUE_CLASS = 3 };

/* '#' = ink. Drawn once by hand; the model's first-layer templates. */
static const char *const kTemplates[NTPL] = {
    /* 0 */
    "..####.."
    ".#....#."
    ".#....#."
    ".#....#."
    ".#....#."
    ".#....#."
    ".#....#."
    "..####..",
    /* 1 */
    "...##..."
    "..###..."
    "...##..."
    "...##..."
    "...##..."
    "...##..."
    "...##..."
    "..####..",
    /* 2 */
    "..####.."
    ".#....#."
    "......#."
    ".....#.."
    "....#..."
    "...#...."
    "..#....."
    ".######.",
    /* 3 */
    "..####.."
    ".#....#."
    "......#."
    "...###.."
    "......#."
    "......#."
    ".#....#."
    "..####..",
    /* 4 */
    "....##.."
    "...#.#.."
    "..#..#.."
    ".#...#.."
    ".######."
    ".....#.."
    ".....#.."
    ".....#..",
    /* 5 */
    ".######."
    ".#......"
    ".#......"
    ".#####.."
    "......#."
    "......#."
    ".#....#."
    "..####..",
    /* 6 */
    "..####.."
    ".#......"
    ".#......"
    ".#####.."
    ".#....#."
    ".#....#."
    ".#....#."
    "..####..",
    /* 7 */
    ".######."
    "......#."
    ".....#.."
    "....#..."
    "...#...."
    "...#...."
    "...#...."
    "...#....",
    /* 8 */
    "..####.."
    ".#....#."
    ".#....#."
    "..####.."
    ".#....#."
    ".#....#."
    ".#....#."
    "..####..",
    /* 9 */
    "..####.."
    ".#....#."
    ".#....#."
    ".#....#."
    "..#####."
    "......#."
    "......#."
    "..####..",
};

/* The test input: a "3" drawn a little differently from its template (longer
 * top bar, middle stroke pushed right), then grey levels and paper noise are
 * added in build_input. */
static const char kInput3[] =
    "..#####."
    ".#....#."
    "......#."
    "...####."
    "......#."
    "......#."
    ".#....#."
    "..####..";

/* Six region features (hidden units 10..15): rows/cols as half-open ranges. */
typedef struct {
  const char *name;
  int r0, r1, c0, c1;
} region;
static const region kRegions[NHID - NTPL] = {
    {"top half", 0, 4, 0, 8},   {"bottom half", 4, 8, 0, 8}, {"left half", 0, 8, 0, 4},
    {"right half", 0, 8, 4, 8}, {"centre", 2, 6, 2, 6},      {"middle rows", 3, 5, 0, 8},
};

static const double kTemplateGain = 6.0; /* logit per unit of correlation */
static const double kRegionGain = 2.0;   /* logit per unit of region-ink difference */

typedef struct {
  float w1[NHID][NIN];  /* p0: [16, 64] dense weight, row = hidden unit */
  float b1[NHID];       /* p1: [1, 16] */
  float w2[NOUT][NHID]; /* p2: [10, 16] */
  float b2[NOUT];       /* p3: [1, 10] */
  float input[NIN];     /* data: [1, 1, 8, 8] */
  float expected[NOUT]; /* the reference softmax, [1, 10] */
} example;

/* ---- model construction ------------------------------------------------ */

static double region_mean(const double *img, const region *r) {
  double s = 0;
  for (int y = r->r0; y < r->r1; y++)
    for (int x = r->c0; x < r->c1; x++) s += img[y * SIDE + x];
  return s / ((r->r1 - r->r0) * (r->c1 - r->c0));
}

static void bitmap_to_image(const char *bits, double *img) {
  for (int i = 0; i < NIN; i++) img[i] = bits[i] == '#' ? 1.0 : 0.0;
}

static void build_weights(example *ex) {
  double tpl[NTPL][NIN];
  for (int d = 0; d < NTPL; d++) bitmap_to_image(kTemplates[d], tpl[d]);

  /* Templates minus the average digit (strokes every digit has, such as
   * the top bar, then count for nothing), made zero-mean (blank paper scores
   * 0) and unit-norm (fat digits do not win by having more ink). */
  double avg[NIN] = {0};
  for (int d = 0; d < NTPL; d++)
    for (int i = 0; i < NIN; i++) avg[i] += tpl[d][i] / NTPL;
  for (int d = 0; d < NTPL; d++) {
    double diff[NIN], mean = 0, norm = 0;
    for (int i = 0; i < NIN; i++) {
      diff[i] = tpl[d][i] - avg[i];
      mean += diff[i] / NIN;
    }
    for (int i = 0; i < NIN; i++) norm += (diff[i] - mean) * (diff[i] - mean);
    norm = sqrt(norm);
    for (int i = 0; i < NIN; i++) ex->w1[d][i] = (float)((diff[i] - mean) / norm);
    ex->b1[d] = 0.0f;
  }
  /* Region features: mean ink over the region. */
  for (int e = 0; e < NHID - NTPL; e++) {
    const region *r = &kRegions[e];
    float w = 1.0f / (float)((r->r1 - r->r0) * (r->c1 - r->c0));
    for (int y = 0; y < SIDE; y++)
      for (int x = 0; x < SIDE; x++)
        ex->w1[NTPL + e][y * SIDE + x] =
            (y >= r->r0 && y < r->r1 && x >= r->c0 && x < r->c1) ? w : 0.0f;
    ex->b1[NTPL + e] = 0.0f;
  }
  /* Second layer: template d votes for class d; each region feature votes
   * for the classes whose template has more ink there than the average. */
  for (int c = 0; c < NOUT; c++) {
    for (int h = 0; h < NHID; h++) ex->w2[c][h] = 0.0f;
    ex->w2[c][c] = (float)kTemplateGain;
    ex->b2[c] = 0.0f;
  }
  for (int e = 0; e < NHID - NTPL; e++) {
    double mean_ink = 0, f[NTPL];
    for (int c = 0; c < NTPL; c++) {
      f[c] = region_mean(tpl[c], &kRegions[e]);
      mean_ink += f[c] / NTPL;
    }
    for (int c = 0; c < NOUT; c++) ex->w2[c][NTPL + e] = (float)(kRegionGain * (f[c] - mean_ink));
  }
}

/* xorshift32: fixed seed, so the noise is the same everywhere. */
static uint32_t rng_next(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Uniform in [0, 1) with 24-bit resolution: exact in float and double. */
static double rng_unit(uint32_t *s) { return (double)(rng_next(s) >> 8) / 16777216.0; }

static void build_input(example *ex) {
  uint32_t seed = 20231003u;
  for (int i = 0; i < NIN; i++) {
    double u = rng_unit(&seed);
    /* Pen strokes are 0.7..1.0 grey, paper 0..0.2 grey. */
    double v = kInput3[i] == '#' ? 0.7 + 0.3 * u : 0.2 * u;
    ex->input[i] = (float)v;
  }
}

/* Reference forward pass in double over the stored float32 values. */
static void forward(example *ex) {
  double hid[NHID], logit[NOUT], max, sum = 0;
  for (int h = 0; h < NHID; h++) {
    double acc = 0;
    for (int i = 0; i < NIN; i++) acc += (double)ex->input[i] * ex->w1[h][i];
    acc += ex->b1[h];
    hid[h] = acc > 0 ? acc : 0;
  }
  for (int c = 0; c < NOUT; c++) {
    double acc = 0;
    for (int h = 0; h < NHID; h++) acc += hid[h] * ex->w2[c][h];
    logit[c] = acc + ex->b2[c];
  }
  max = logit[0];
  for (int c = 1; c < NOUT; c++) max = logit[c] > max ? logit[c] : max;
  for (int c = 0; c < NOUT; c++) sum += exp(logit[c] - max);
  for (int c = 0; c < NOUT; c++) ex->expected[c] = (float)(exp(logit[c] - max) / sum);
}

/* ---- file writers -------------------------------------------------------- */

typedef struct {
  FILE *f;
  int failed;
} out_file;

static void put_bytes(out_file *o, const void *p, size_t n) {
  if (!o->failed && fwrite(p, 1, n, o->f) != n) o->failed = 1;
}

/* Little-endian regardless of the host, as dmlc serialises. */
static void put_le(out_file *o, uint64_t v, int nbytes) {
  uint8_t b[8];
  for (int i = 0; i < nbytes; i++) b[i] = (uint8_t)(v >> (8 * i));
  put_bytes(o, b, (size_t)nbytes);
}

static void put_f32s(out_file *o, const float *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &v[i], sizeof bits);
    put_le(o, bits, 4);
  }
}

static int open_out(out_file *o, const char *dir, const char *name, char *path, size_t path_size) {
  if (snprintf(path, path_size, "%s/%s", dir, name) >= (int)path_size) {
    fprintf(stderr, "gen_example: path too long: %s/%s\n", dir, name);
    return -1;
  }
  o->f = fopen(path, "wb");
  o->failed = 0;
  if (!o->f) {
    fprintf(stderr, "gen_example: %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

static int close_out(out_file *o, const char *path) {
  int bad = o->failed | ferror(o->f);
  if (fclose(o->f) != 0) bad = 1;
  if (bad) {
    fprintf(stderr, "gen_example: %s: write failed\n", path);
    return -1;
  }
  return 0;
}

typedef struct {
  const char *name;
  int ndim;
  int64_t shape[4];
  const float *data;
} param;

/* One SaveDLTensor record: CPU device, float32, shape, byte size, data. */
static void put_tensor(out_file *o, const param *p) {
  int64_t count = 1;
  put_le(o, 0xDD5E40F096B4A13Full, 8); /* kTVMNDArrayMagic */
  put_le(o, 0, 8);                     /* reserved */
  put_le(o, 1, 4);                     /* device_type kDLCPU */
  put_le(o, 0, 4);                     /* device_id */
  put_le(o, (uint64_t)p->ndim, 4);
  put_le(o, 2, 1);  /* kDLFloat */
  put_le(o, 32, 1); /* bits */
  put_le(o, 1, 2);  /* lanes */
  for (int k = 0; k < p->ndim; k++) {
    put_le(o, (uint64_t)p->shape[k], 8);
    count *= p->shape[k];
  }
  put_le(o, (uint64_t)(count * 4), 8);
  put_f32s(o, p->data, (size_t)count);
}

static int write_params(const example *ex, const char *dir) {
  /* TVM writes names in hash-map order; a scrambled order keeps readers
   * honest about matching by name. */
  const param params[] = {
      {"p2", 2, {NOUT, NHID}, &ex->w2[0][0]},
      {"p0", 2, {NHID, NIN}, &ex->w1[0][0]},
      {"p3", 2, {1, NOUT}, ex->b2},
      {"p1", 2, {1, NHID}, ex->b1},
  };
  const size_t n = sizeof params / sizeof params[0];
  char path[4096];
  out_file o;
  if (open_out(&o, dir, "graph.params", path, sizeof path) != 0) return -1;
  put_le(&o, 0xF7E58D4F05049CB7ull, 8); /* kTVMNDArrayListMagic */
  put_le(&o, 0, 8);
  put_le(&o, n, 8);
  for (size_t i = 0; i < n; i++) {
    put_le(&o, strlen(params[i].name), 8);
    put_bytes(&o, params[i].name, strlen(params[i].name));
  }
  put_le(&o, n, 8);
  for (size_t i = 0; i < n; i++) put_tensor(&o, &params[i]);
  return close_out(&o, path);
}

/* .npy 1.0 exactly as numpy.save lays it out: sorted keys, growth spaces,
 * padding so the data starts at a multiple of 64, final '\n'. */
static int write_npy_f32(const char *dir, const char *name, int ndim, const int64_t *shape,
                         const float *data) {
  /* At most 4 dims of at most 20 digits each: the buffers below cannot overflow. */
  if (ndim < 0 || ndim > 4) {
    fprintf(stderr, "gen_example: %s: rank %d not supported\n", name, ndim);
    return -1;
  }
  char dict[256], shape_txt[128] = "(";
  size_t used = 1;
  int64_t count = 1;
  for (int k = 0; k < ndim; k++) {
    used += (size_t)snprintf(shape_txt + used, sizeof shape_txt - used, "%s%lld", k ? ", " : "",
                             (long long)shape[k]);
    count *= shape[k];
  }
  snprintf(shape_txt + used, sizeof shape_txt - used, "%s", ndim == 1 ? ",)" : ")");
  int dlen = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }",
                      shape_txt);
  if (ndim > 0) { /* GROWTH_AXIS_MAX_DIGITS = 21 minus len(repr(shape[0])) */
    char first[32];
    int growth = 21 - snprintf(first, sizeof first, "%lld", (long long)shape[0]);
    dlen += snprintf(dict + dlen, sizeof dict - (size_t)dlen, "%*s", growth, "");
  }
  int hlen = dlen + 1;
  int pad = 64 - (10 + hlen) % 64;

  char path[4096];
  out_file o;
  if (open_out(&o, dir, name, path, sizeof path) != 0) return -1;
  put_bytes(&o, "\x93NUMPY\x01\x00", 8);
  put_le(&o, (uint64_t)(hlen + pad), 2);
  put_bytes(&o, dict, (size_t)dlen);
  for (int i = 0; i < pad; i++) put_bytes(&o, " ", 1);
  put_bytes(&o, "\n", 1);
  put_f32s(&o, data, (size_t)count);
  return close_out(&o, path);
}

static int write_meta(const example *ex, const char *dir) {
  /* The tolerance rule of the fixtures: |got - want| <= atol + rtol*|want|.
   * atol scales with the output, so zeros or garbage fail. */
  double maxabs = 0;
  for (int c = 0; c < NOUT; c++)
    maxabs = fabs(ex->expected[c]) > maxabs ? fabs(ex->expected[c]) : maxabs;
  char path[4096];
  out_file o;
  if (open_out(&o, dir, "meta.json", path, sizeof path) != 0) return -1;
  fprintf(o.f,
          "{\n"
          " \"model\": \"tiny_digits\",\n"
          " \"tvm\": \"none: kernels hand-written in C with TVM 0.14's wasm32 ABI\",\n"
          " \"targets\": {\n"
          "  \"wasm32\": \"clang --target=wasm32 -O2 -ffreestanding -fno-builtin -c kernels.c\"\n"
          " },\n"
          " \"inputs\": [\n"
          "  {\n"
          "   \"name\": \"data\",\n"
          "   \"shape\": [1, 1, 8, 8],\n"
          "   \"dtype\": \"float32\"\n"
          "  }\n"
          " ],\n"
          " \"outputs\": [\n"
          "  {\n"
          "   \"index\": 0,\n"
          "   \"shape\": [1, 10],\n"
          "   \"dtype\": \"float32\"\n"
          "  }\n"
          " ],\n"
          " \"rtol\": 0.0001,\n"
          " \"reference\": \"expected/ is computed by tools/gen_example in double precision from "
          "the float32 weights and input\",\n"
          " \"atol_by_output\": [\n"
          "  %.3g\n"
          " ],\n"
          " \"tolerance_rule\": \"|got - want| <= atol_by_output[i] + rtol * |want| elementwise; "
          "integer outputs exact\",\n"
          " \"expected_class\": %d\n"
          "}\n",
          1e-5 * maxabs, TRUE_CLASS);
  return close_out(&o, path);
}

static int make_dir(const char *dir, const char *sub) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s%s%s", dir, sub[0] ? "/" : "", sub) >= (int)sizeof path) {
    fprintf(stderr, "gen_example: path too long: %s/%s\n", dir, sub);
    return -1;
  }
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "gen_example: mkdir %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_example OUTDIR\n");
    return 2;
  }
  const char *dir = argv[1];
  static example ex; /* static: zero-initialised, off the stack */
  build_weights(&ex);
  build_input(&ex);
  forward(&ex);

  int best = 0;
  for (int c = 1; c < NOUT; c++) best = ex.expected[c] > ex.expected[best] ? c : best;
  if (best != TRUE_CLASS || ex.expected[TRUE_CLASS] < 0.9f) {
    fprintf(stderr,
            "gen_example: the weights do not work: class %d with p=%.4f (want %d, p>=0.9)\n", best,
            ex.expected[best], TRUE_CLASS);
    return 1;
  }

  const int64_t in_shape[4] = {1, 1, SIDE, SIDE};
  const int64_t out_shape[2] = {1, NOUT};
  if (make_dir(dir, "") != 0 || make_dir(dir, "inputs") != 0 || make_dir(dir, "expected") != 0 ||
      write_params(&ex, dir) != 0 ||
      write_npy_f32(dir, "inputs/data.npy", 4, in_shape, ex.input) != 0 ||
      write_npy_f32(dir, "expected/0.npy", 2, out_shape, ex.expected) != 0 ||
      write_meta(&ex, dir) != 0)
    return 1;
  return 0;
}
