/*
 * features.c — a TVM-shaped graph library whose one kernel uses the
 * instructions newer LLVMs emit by default, so that tests/llvm_versions can
 * prove each one translates and computes what the C says:
 *
 *   row 0  (int8_t)ops[i & 3](x)  i32.extend8_s          sign-ext
 *   row 1  (int16_t)ops[..](x*1000) i32.extend16_s       sign-ext
 *   row 2  (int)(x * 3.7f)        i32.trunc_sat_f32_s    nontrapping-fptoint
 *   row 3  ops[i & 3](x)          call_indirect with a padded table index
 *                                 (the table-number relocation of reference-types)
 *                                 (rows 0 and 1 call through the table as well,
 *                                 so that LLVM cannot fold the narrowing into a
 *                                 multiply and a shift)
 *   row 4  divmod(x, 7)           a struct returned through memory (clang's
 *                                 experimental-mv ABI would return it as two
 *                                 values, but LLVM 14-19 miscompile that ABI, so
 *                                 multivalue is tested by multivalue.wat)
 *   row 5  memcpy of row 0, then memset of its first 8 entries to -1
 *                                 memory.copy, memory.fill (bulk-memory)
 *
 * x_i = in[i] + seed(i): the input is all zeros at run time but unknown to the
 * compiler, so nothing folds away. Compiled with -DFEATURES_REFERENCE for the
 * host, the same compute function writes the expected output (raw int32
 * little-endian) to stdout.
 */
#include <stdint.h>

#define N 64
#define ROWS 6

typedef struct pair {
  int32_t q, r;
} pair;

static int32_t op_add(int32_t v) { return v + 5; }
static int32_t op_neg(int32_t v) { return -v; }
static int32_t op_sq(int32_t v) { return (int32_t)((uint32_t)v * (uint32_t)v); } /* wraps */
static int32_t op_half(int32_t v) { return v / 2; }
static int32_t (*const ops[4])(int32_t) = {op_add, op_neg, op_sq, op_half};
static volatile int32_t zero; /* keeps the indirect calls and the copy length opaque */

__attribute__((noinline)) static pair divmod(int32_t a, int32_t b) {
  pair p = {a / b, a % b};
  return p;
}

static int8_t seed(int i) { return (int8_t)(i * 37 + 11); }

static void compute(const int8_t *in, int32_t *out) {
  for (int i = 0; i < N; i++) {
    int32_t x = (int32_t)in[i] + seed(i);
    out[0 * N + i] = (int8_t)ops[(i + zero) & 3](x);
    out[1 * N + i] = (int16_t)ops[(i + zero + 2) & 3](x * 1000);
    out[2 * N + i] = (int32_t)((float)x * 3.7f);
    out[3 * N + i] = ops[(i + zero) & 3](x);
    pair p = divmod(x, 7);
    out[4 * N + i] = p.q * 100 + p.r;
  }
  __builtin_memcpy(out + 5 * N, out, (unsigned)(N + zero) * sizeof(int32_t));
  __builtin_memset(out + 5 * N, 0xff, (unsigned)(8 + zero) * sizeof(int32_t));
}

#ifdef FEATURES_REFERENCE
#include <stdio.h>
int main(void) {
  int8_t in[N] = {0};
  int32_t out[ROWS * N];
  compute(in, out);
  return fwrite(out, sizeof out, 1, stdout) == 1 ? 0 : 1;
}
#else
/* The wasm32 side: DLTensor and TVMValue as TVM lays them out on wasm32
 * (docs/tvm-wasm-abi.md §1-2); no argument checks, the runtime passes the
 * graph's tensors. */
typedef struct {
  void *data;
  int32_t device_type, device_id, ndim;
  uint8_t code, bits;
  uint16_t lanes;
  int64_t *shape, *strides;
  uint64_t byte_offset;
} DLTensor;
typedef union {
  int64_t v_int64;
  double v_float64;
  void *v_handle;
} TVMValue;

int32_t TVMBackendRegisterSystemLibSymbol(const char *name, void *ptr);

int32_t tvmgen_default_fused_features(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                      TVMValue *ret, int32_t *ret_tcode, void *resource);
int32_t tvmgen_default_fused_features(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                      TVMValue *ret, int32_t *ret_tcode, void *resource) {
  (void)type_codes, (void)ret, (void)ret_tcode, (void)resource;
  if (num_args != 2) return -1;
  const DLTensor *x = args[0].v_handle, *y = args[1].v_handle;
  compute(x->data, y->data);
  return 0;
}

__attribute__((constructor(65535))) static void register_kernels(void) {
  TVMBackendRegisterSystemLibSymbol("tvmgen_default_fused_features",
                                    (void *)tvmgen_default_fused_features);
}
#endif
