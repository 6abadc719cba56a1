/*
 * conv_ocjam.c — what an output-channel jam would pay on this CPU, measured
 * on whole conv layers before any compiler work (issue 14).
 *
 * Why. wasmgraph's fp32 conv loops keep TVM's wasm schedule: NCHW4c, one
 * item = (output-channel block of 4, output row), a row tile of T positions
 * with one f32x4 accumulator each. The v128 passes pair (quad) positions into
 * ymm (zmm) registers, which costs a shuffle per register to spread each
 * position's input value over its 4 lanes. Native TVM on AVX-512 keeps 16
 * output channels of one position in a zmm and reads the input as an
 * embedded broadcast: no shuffle. An exact compiler pass can get that shape
 * by running 4 items that are OH apart (4 channel blocks, same row) in one
 * body. Before building it, this program times both shapes on the same
 * layers, with the same operation order per output (mul, then add, in TVM's
 * reduction order), and checks that the outputs are bit-identical.
 *
 *   pairs:  ours today (AVX-512 hosts): ymm = 2 positions x 4 channels,
 *           a 32-byte input window and vpermilps per ymm, weights broadcast
 *           from 16 bytes.
 *   jam4:   zmm = 16 channels (4 items) of one position, the input value
 *           as a broadcast, weights assembled from 4 16-byte rows per step.
 *
 * Layers: resnet18's 3x3 stride-1 convs (56x56x64, 28x28x128, 14x14x256,
 * 7x7x512) with TVM's row tiles. Build and run:
 *   clang -O2 -march=native -ffp-contract=off conv_ocjam.c -o conv_ocjam -lm
 *   ./conv_ocjam [rounds] [runs]
 * Prints per layer the medians (ms) and jam4 / pairs. Needs AVX-512F.
 */
#define _POSIX_C_SOURCE 199309L
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bufs bufs;
typedef struct layer {
  const char *name;
  int hw, ch, tile; /* output map hw x hw, ch in = ch out, positions per item */
  void (*pairs)(const bufs *), (*jam4)(const bufs *);
} layer;

/* Input [ch/4][hw+2][hw+2][4] (zero padded), weights [ch/4][ch/4][3][3][4i][4o],
 * output [ch/4][hw][hw][4]. */
struct bufs {
  float *in, *w, *out;
  int hw, ch, tile, pw;
};

static const float *in_at(const bufs *b, int icb, int y, int x) {
  return b->in + (((size_t)icb * b->pw + y) * b->pw + x) * 4;
}

static const float *w_at(const bufs *b, int ocb, int icb, int kh, int kw, int l) {
  return b->w + (((((size_t)ocb * (b->ch / 4) + icb) * 3 + kh) * 3 + kw) * 4 + l) * 4;
}

/* Today's shape: pairs of positions in a ymm. T positions = T/2 ymm (+ one
 * xmm when T is odd). Order per output: for icb, kh, kw, l: acc = acc + x*w.
 * T is a constant per instance so that the accumulators live in registers,
 * as in the compiled kernels. */
#define UNROLL _Pragma("clang loop unroll(full)")
#define DEFINE_PAIRS(T)                                                              \
  static void conv_pairs_##T(const bufs *b) {                                        \
    const int ncb = b->ch / 4;                                                       \
    enum { NP = T / 2 };                                                             \
    for (int ocb = 0; ocb < ncb; ocb++)                                              \
      for (int oh = 0; oh < b->hw; oh++)                                             \
        for (int ow0 = 0; ow0 < b->hw; ow0 += T) {                                   \
          __m256 acc[NP > 0 ? NP : 1];                                               \
          __m128 odd = _mm_setzero_ps();                                             \
          UNROLL for (int j = 0; j < NP; j++) acc[j] = _mm256_setzero_ps();          \
          for (int icb = 0; icb < ncb; icb++)                                        \
            for (int kh = 0; kh < 3; kh++)                                           \
              for (int kw = 0; kw < 3; kw++) {                                       \
                const float *row = in_at(b, icb, oh + kh, ow0 + kw);                 \
                const float *wr = w_at(b, ocb, icb, kh, kw, 0);                      \
                PAIRS_LANE(T, 0, 0x00)                                               \
                PAIRS_LANE(T, 1, 0x55) PAIRS_LANE(T, 2, 0xAA) PAIRS_LANE(T, 3, 0xFF) \
              }                                                                      \
          float *o = b->out + (((size_t)ocb * b->hw + oh) * b->hw + ow0) * 4;        \
          UNROLL for (int j = 0; j < NP; j++) _mm256_storeu_ps(o + 8 * j, acc[j]);   \
          if (T & 1) _mm_storeu_ps(o + 4 * (T - 1), odd);                            \
        }                                                                            \
  }
/* One input lane l: the weight row broadcast to both halves, each position
 * pair's 32-byte window spread by vpermilps (immediate imm). */
#define PAIRS_LANE(T, l, imm)                                                                \
  {                                                                                          \
    __m256 wv = _mm256_broadcast_ps((const __m128 *)(wr + 4 * (l)));                         \
    UNROLL for (int j = 0; j < NP; j++) {                                                    \
      __m256 x = _mm256_permute_ps(_mm256_loadu_ps(row + 8 * j), imm);                       \
      acc[j] = _mm256_add_ps(acc[j], _mm256_mul_ps(x, wv));                                  \
    }                                                                                        \
    if (T & 1)                                                                               \
      odd = _mm_add_ps(                                                                      \
          odd, _mm_mul_ps(_mm_set1_ps(row[4 * (T - 1) + (l)]), _mm256_castps256_ps128(wv))); \
  }

/* The jam: 4 channel blocks (items ocb..ocb+3 of the same row) in one body,
 * zmm = 16 channels of one position. Same per-output order as above. */
#define DEFINE_JAM4(T)                                                                            \
  static void conv_jam4_##T(const bufs *b) {                                                      \
    const int ncb = b->ch / 4;                                                                    \
    for (int ocb = 0; ocb < ncb; ocb += 4)                                                        \
      for (int oh = 0; oh < b->hw; oh++)                                                          \
        for (int ow0 = 0; ow0 < b->hw; ow0 += T) {                                                \
          __m512 acc[T];                                                                          \
          UNROLL for (int p = 0; p < T; p++) acc[p] = _mm512_setzero_ps();                        \
          for (int icb = 0; icb < ncb; icb++)                                                     \
            for (int kh = 0; kh < 3; kh++)                                                        \
              for (int kw = 0; kw < 3; kw++) {                                                    \
                const float *row = in_at(b, icb, oh + kh, ow0 + kw);                              \
                UNROLL for (int l = 0; l < 4; l++) {                                              \
                  __m512 wv = _mm512_castps128_ps512(_mm_loadu_ps(w_at(b, ocb, icb, kh, kw, l))); \
                  wv = _mm512_insertf32x4(wv, _mm_loadu_ps(w_at(b, ocb + 1, icb, kh, kw, l)), 1); \
                  wv = _mm512_insertf32x4(wv, _mm_loadu_ps(w_at(b, ocb + 2, icb, kh, kw, l)), 2); \
                  wv = _mm512_insertf32x4(wv, _mm_loadu_ps(w_at(b, ocb + 3, icb, kh, kw, l)), 3); \
                  UNROLL for (int p = 0; p < T; p++) acc[p] =                                     \
                      _mm512_add_ps(acc[p], _mm512_mul_ps(_mm512_set1_ps(row[4 * p + l]), wv));   \
                }                                                                                 \
              }                                                                                   \
          UNROLL for (int p = 0; p < T; p++) { /* block k's 4 lanes to its own row */             \
            float lanes[16];                                                                      \
            _mm512_storeu_ps(lanes, acc[p]);                                                      \
            for (int k = 0; k < 4; k++)                                                           \
              memcpy(b->out + (((size_t)(ocb + k) * b->hw + oh) * b->hw + ow0 + p) * 4,           \
                     lanes + 4 * k, sizeof(float[4]));                                            \
          }                                                                                       \
        }                                                                                         \
  }

DEFINE_PAIRS(28)
DEFINE_PAIRS(14)
DEFINE_PAIRS(7)
DEFINE_JAM4(28)
DEFINE_JAM4(14)
DEFINE_JAM4(7)

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_ms(void (*fn)(const bufs *), const bufs *b, int runs) {
  double t[64];
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    fn(b);
    t[r] = now_ms() - t0;
  }
  qsort(t, (size_t)runs, sizeof t[0], cmp_double);
  return t[runs / 2];
}

static float small_random(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)((int32_t)(*s >> 8) % 2001 - 1000) / 997.0f;
}

int main(int argc, char **argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 3;
  int runs = argc > 2 ? atoi(argv[2]) : 11;
  if (runs > 64) runs = 64;
  /* TVM 0.14's wasm row tiles for resnet18's 3x3 stride-1 convs. */
  static const layer layers[] = {
      {"56x56x64, 28 positions", 56, 64, 28, conv_pairs_28, conv_jam4_28},
      {"28x28x128, 28 positions", 28, 128, 28, conv_pairs_28, conv_jam4_28},
      {"14x14x256, 14 positions", 14, 256, 14, conv_pairs_14, conv_jam4_14},
      {"7x7x512, 7 positions", 7, 512, 7, conv_pairs_7, conv_jam4_7},
  };
  int status = 0;
  for (size_t li = 0; li < sizeof layers / sizeof layers[0]; li++) {
    const layer *L = &layers[li];
    bufs b = {.hw = L->hw, .ch = L->ch, .tile = L->tile, .pw = L->hw + 2};
    size_t nin = (size_t)L->ch * b.pw * b.pw, nw = (size_t)L->ch * L->ch * 9,
           nout = (size_t)L->ch * L->hw * L->hw;
    b.in = calloc(nin + 16, sizeof(float));
    b.w = malloc(nw * sizeof(float));
    b.out = malloc(nout * sizeof(float));
    float *ref = malloc(nout * sizeof(float));
    if (!b.in || !b.w || !b.out || !ref) return 2;
    uint32_t seed = 12345;
    for (int c = 0; c < L->ch / 4; c++)
      for (int y = 1; y <= L->hw; y++)
        for (int x = 1; x <= L->hw; x++)
          for (int l = 0; l < 4; l++)
            b.in[(((size_t)c * b.pw + y) * b.pw + x) * 4 + l] = small_random(&seed);
    for (size_t i = 0; i < nw; i++) b.w[i] = small_random(&seed);

    L->pairs(&b);
    memcpy(ref, b.out, nout * sizeof(float));
    memset(b.out, 0, nout * sizeof(float));
    L->jam4(&b);
    int same = memcmp(ref, b.out, nout * sizeof(float)) == 0;
    if (!same) status = 1;

    double best_p = 1e30, best_j = 1e30;
    for (int r = 0; r < rounds; r++) { /* interleaved rounds, best median */
      double p = median_ms(L->pairs, &b, runs), j = median_ms(L->jam4, &b, runs);
      if (p < best_p) best_p = p;
      if (j < best_j) best_j = j;
    }
    printf("%-26s pairs %7.3f ms  jam4 %7.3f ms  jam4/pairs %.3fx  outputs %s\n", L->name, best_p,
           best_j, best_j / best_p, same ? "bit-identical" : "DIFFER");
    free(b.in), free(b.w), free(b.out), free(ref);
  }
  return status;
}
