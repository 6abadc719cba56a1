/*
 * kernels.c — the tiny_digits model's kernels, written by hand in C with the
 * exact binary interface of TVM 0.14's LLVM codegen for wasm32 with the
 * system-lib C++ runtime (docs: ../shared/docs/tvm-wasm-abi.md §1–§6).
 *
 * Built with `clang --target=wasm32 -O2 -ffreestanding -fno-builtin -c` into a
 * relocatable object that wasmgraph cannot tell apart from TVM output: every
 * kernel is a TVMBackendPackedCFunc, checks its arguments the way
 * MakePackedAPI/ArgBinder do (same order, same "Assert fail: ..." texts,
 * TVMAPISetLastError then return -1), and hands its work to an outlined
 * `<symbol>_compute_` function. A constructor registers the module context
 * slot and every kernel by table index, like __tvm_module_startup.
 *
 * Invariants: only imports from common/host_import_list.h are used (math via
 * the extern `expf`, never a builtin); the dense+relu kernel runs through
 * TVMBackendParallelLaunch with TVM's range split; softmax takes its scratch
 * from TVMBackendAllocWorkspace and frees it LIFO. wasm32 only.
 */
#include <stddef.h>
#include <stdint.h>

/* ---- DLPack / TVM C ABI as laid out on wasm32 (§1.2, §2) ---------------- */

typedef struct {
  int32_t device_type; /* kDLCPU = 1 */
  int32_t device_id;
} DLDevice;

typedef struct {
  uint8_t code; /* kDLFloat = 2 */
  uint8_t bits;
  uint16_t lanes;
} DLDataType;

typedef struct {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides; /* NULL or compact row-major */
  uint64_t byte_offset;
} DLTensor;

typedef union {
  int64_t v_int64;
  double v_float64;
  void *v_handle;
  const char *v_str;
  DLDataType v_type;
  DLDevice v_device;
} TVMValue;

typedef struct {
  void *sync_handle;
  int32_t num_task;
} TVMParallelGroupEnv;

typedef int32_t (*FTVMParallelLambda)(int32_t task_id, TVMParallelGroupEnv *penv, void *cdata);

/* The host runtime reads these structures at fixed offsets; pin them. */
_Static_assert(sizeof(void *) == 4, "kernels.c models the wasm32 ABI only");
_Static_assert(sizeof(DLTensor) == 40 && _Alignof(DLTensor) == 8, "DLTensor layout");
_Static_assert(offsetof(DLTensor, device) == 4 && offsetof(DLTensor, ndim) == 12 &&
                   offsetof(DLTensor, dtype) == 16 && offsetof(DLTensor, shape) == 20 &&
                   offsetof(DLTensor, strides) == 24 && offsetof(DLTensor, byte_offset) == 32,
               "DLTensor field offsets");
_Static_assert(sizeof(TVMValue) == 8 && _Alignof(TVMValue) == 8, "TVMValue layout");
_Static_assert(offsetof(TVMParallelGroupEnv, num_task) == 4, "TVMParallelGroupEnv layout");

/* ---- imports (env.*), exactly the wasm types TVM's objects use (§3) ------ */

extern int32_t TVMBackendRegisterSystemLibSymbol(const char *name, void *ptr);
extern void TVMAPISetLastError(const char *msg);
extern void *TVMBackendAllocWorkspace(int32_t device_type, int32_t device_id, uint64_t nbytes,
                                      int32_t dtype_code_hint, int32_t dtype_bits_hint);
extern int32_t TVMBackendFreeWorkspace(int32_t device_type, int32_t device_id, void *ptr);
extern int32_t TVMBackendParallelLaunch(FTVMParallelLambda flambda, void *cdata, int32_t num_task);
/* Declared, not <math.h>: with -fno-builtin this stays a call, hence an import. */
extern float expf(float x);

/* ---- the module context slot (§3.5, §4): weak, zero, its address registered */

__attribute__((weak)) void *__tvm_module_ctx = NULL;

/* ---- exported kernels -------------------------------------------------- */

int32_t tvmgen_default_fused_nn_dense_add(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                          TVMValue *out_ret_value, int32_t *out_ret_tcode,
                                          void *resource_handle);
int32_t tvmgen_default_fused_nn_dense_add_nn_relu(TVMValue *args, int32_t *type_codes,
                                                  int32_t num_args, TVMValue *out_ret_value,
                                                  int32_t *out_ret_tcode, void *resource_handle);
int32_t tvmgen_default_fused_nn_softmax(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                        TVMValue *out_ret_value, int32_t *out_ret_tcode,
                                        void *resource_handle);

/* ---- argument checks, spelled like the asserts MakePackedAPI emits (§1.3) - */

#define TVM_ASSERT(cond, text)                  \
  do {                                          \
    if (!(cond)) {                              \
      TVMAPISetLastError("Assert fail: " text); \
      return -1;                                \
    }                                           \
  } while (0)

#define CHECK_NUM_ARGS(SYM, N) \
  TVM_ASSERT(num_args == N, "num_args == " #N ", " SYM ": num_args should be " #N)

/* kTVMOpaqueHandle, kTVMNDArrayHandle, kTVMDLTensorHandle, kTVMNullptr. */
#define CHECK_POINTER(SYM, NAME, I)                                                          \
  TVM_ASSERT(                                                                                \
      type_codes[I] == 3 || type_codes[I] == 13 || type_codes[I] == 7 || type_codes[I] == 4, \
      #NAME "_code == 3 or " #NAME "_code == 13 or " #NAME "_code == 7 or " #NAME            \
            "_code == 4, " SYM ": Expect arg[" #I "] to be pointer")

#define CHECK_NDIM(SYM, NAME, N)                                                          \
  TVM_ASSERT(NAME->ndim == N, #N " == T.tvm_struct_get(" #NAME ", 0, 4, \"int32\"), " SYM \
                                 "." #NAME ".ndim is expected to equal " #N)

#define CHECK_FLOAT32(SYM, NAME)                                                            \
  TVM_ASSERT(NAME->dtype.code == 2 && NAME->dtype.bits == 32 && NAME->dtype.lanes == 1,     \
             "T.tvm_struct_get(" #NAME                                                      \
             ", 0, 5, \"uint8\") == T.uint8(2) and "                                        \
             "T.tvm_struct_get(" #NAME                                                      \
             ", 0, 6, \"uint8\") == T.uint8(32) and "                                       \
             "T.tvm_struct_get(" #NAME ", 0, 7, \"uint16\") == T.uint16(1), " SYM "." #NAME \
             ".dtype is expected to be float32")

/* TVM compares the int64 extent after a cast to int32. */
#define CHECK_DIM(SYM, NAME, K, V)                                                         \
  TVM_ASSERT((int32_t)NAME->shape[K] == V,                                                 \
             "T.Cast(\"int32\", " SYM "_" #NAME "_shape[" #K "]) == " #V ", Argument " SYM \
             "." #NAME ".shape[" #K "] has an unsatisfied constraint: " #V                 \
             " == T.Cast(\"int32\", " SYM "_" #NAME "_shape[" #K "])")

#define STRIDE_TERM(SYM, NAME, K, V) #V " == T.Cast(\"int32\", " SYM "_" #NAME "_strides[" #K "])"

#define CHECK_COMPACT(SYM, NAME, COND_TEXT)                  \
  TVM_ASSERT(NAME->strides == NULL || strides_compact(NAME), \
             COND_TEXT ", " SYM "." #NAME ".strides: expected to be compact array")

#define CHECK_BYTE_OFFSET(SYM, NAME)                                                               \
  TVM_ASSERT(NAME->byte_offset == 0, "T.uint64(0) == T.tvm_struct_get(" #NAME                      \
                                     ", 0, 8, \"uint64\"), Argument " SYM "." #NAME                \
                                     ".byte_offset has an unsatisfied constraint: T.uint64(0) == " \
                                     "T.tvm_struct_get(" #NAME ", 0, 8, \"uint64\")")

#define CHECK_DEVICE_TYPE(SYM, NAME)                                                       \
  TVM_ASSERT(NAME->device.device_type == 1,                                                \
             "T.tvm_struct_get(" #NAME ", 0, 10, \"int32\") == 1, Argument " SYM "." #NAME \
             ".device_type has an unsatisfied constraint: 1 == T.tvm_struct_get(" #NAME    \
             ", 0, 10, \"int32\")")

/* The first tensor defines dev_id; every later one must match it. */
#define CHECK_DEVICE_ID(SYM, NAME)                                                             \
  TVM_ASSERT(NAME->device.device_id == dev_id,                                                 \
             "dev_id == T.tvm_struct_get(" #NAME ", 0, 9, \"int32\"), Argument " SYM "." #NAME \
             ".device_id has an unsatisfied constraint: dev_id == T.tvm_struct_get(" #NAME     \
             ", 0, 9, \"int32\")")

/* ArgBinder's compactness rule: stride[k] == prod(shape[k+1:]) unless shape[k] == 1.
 * Only called after ndim and shape were checked, so shape holds ndim entries. */
static int strides_compact(const DLTensor *t) {
  int32_t expect = 1;
  for (int32_t k = t->ndim - 1; k >= 0; k--) {
    if ((int32_t)t->shape[k] != 1 && (int32_t)t->strides[k] != expect) return 0;
    expect *= (int32_t)t->shape[k];
  }
  return 1;
}

/* ---- fused dense(64 -> 16) + bias + relu, parallel over output units ---- */

#define SYM_D1 "tvmgen_default_fused_nn_dense_add_nn_relu"
enum { D1_IN = 64, D1_OUT = 16 };

/* Free variables of the parallel loop, packed on the caller's shadow stack
 * exactly as CodeGenCPU::PackClosureData does. */
typedef struct {
  const float *p0;
  const float *p1;
  const float *p2;
  float *T_relu;
} dense_relu_closure;

static int32_t __tvm_parallel_lambda(int32_t task_id, TVMParallelGroupEnv *penv, void *cdata) {
  const dense_relu_closure *c = (const dense_relu_closure *)cdata;
  /* num_task comes from guest memory (penv+4); TVM divides by it unchecked. */
  int32_t num_task = penv->num_task;
  int32_t step = (D1_OUT + num_task - 1) / num_task;
  int32_t begin = task_id * step < D1_OUT ? task_id * step : D1_OUT;
  int32_t end = (task_id + 1) * step < D1_OUT ? (task_id + 1) * step : D1_OUT;
  for (int32_t j = begin; j < end; j++) {
    float acc = 0.0f;
    for (int32_t k = 0; k < D1_IN; k++) acc += c->p0[k] * c->p1[j * D1_IN + k];
    acc += c->p2[j];
    c->T_relu[j] = acc > 0.0f ? acc : 0.0f;
  }
  return 0;
}

__attribute__((noinline)) static int32_t tvmgen_default_fused_nn_dense_add_nn_relu_compute_(
    const float *restrict p0, const float *restrict p1, const float *restrict p2,
    float *restrict T_relu) {
  dense_relu_closure closure = {p0, p1, p2, T_relu};
  /* num_task 0 = "runtime decides"; a nonzero result is the kernel's result. */
  return TVMBackendParallelLaunch(__tvm_parallel_lambda, &closure, 0);
}

int32_t tvmgen_default_fused_nn_dense_add_nn_relu(TVMValue *args, int32_t *type_codes,
                                                  int32_t num_args, TVMValue *out_ret_value,
                                                  int32_t *out_ret_tcode, void *resource_handle) {
  CHECK_NUM_ARGS(SYM_D1, 4);
  DLTensor *p0 = (DLTensor *)args[0].v_handle;
  DLTensor *p1 = (DLTensor *)args[1].v_handle;
  DLTensor *p2 = (DLTensor *)args[2].v_handle;
  DLTensor *T_relu = (DLTensor *)args[3].v_handle;
  CHECK_POINTER(SYM_D1, p0, 0);
  CHECK_POINTER(SYM_D1, p1, 1);
  CHECK_POINTER(SYM_D1, p2, 2);
  CHECK_POINTER(SYM_D1, T_relu, 3);

  CHECK_NDIM(SYM_D1, p0, 2);
  CHECK_FLOAT32(SYM_D1, p0);
  CHECK_DIM(SYM_D1, p0, 0, 1);
  CHECK_DIM(SYM_D1, p0, 1, 64);
  CHECK_COMPACT(SYM_D1, p0, STRIDE_TERM(SYM_D1, p0, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D1, p0);
  CHECK_DEVICE_TYPE(SYM_D1, p0);
  int32_t dev_id = p0->device.device_id;

  CHECK_NDIM(SYM_D1, p1, 2);
  CHECK_FLOAT32(SYM_D1, p1);
  CHECK_DIM(SYM_D1, p1, 0, 16);
  CHECK_DIM(SYM_D1, p1, 1, 64);
  CHECK_COMPACT(SYM_D1, p1, STRIDE_TERM(SYM_D1, p1, 1, 1) " and " STRIDE_TERM(SYM_D1, p1, 0, 64));
  CHECK_BYTE_OFFSET(SYM_D1, p1);
  CHECK_DEVICE_TYPE(SYM_D1, p1);
  CHECK_DEVICE_ID(SYM_D1, p1);

  CHECK_NDIM(SYM_D1, p2, 2);
  CHECK_FLOAT32(SYM_D1, p2);
  CHECK_DIM(SYM_D1, p2, 0, 1);
  CHECK_DIM(SYM_D1, p2, 1, 16);
  CHECK_COMPACT(SYM_D1, p2, STRIDE_TERM(SYM_D1, p2, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D1, p2);
  CHECK_DEVICE_TYPE(SYM_D1, p2);
  CHECK_DEVICE_ID(SYM_D1, p2);

  CHECK_NDIM(SYM_D1, T_relu, 2);
  CHECK_FLOAT32(SYM_D1, T_relu);
  CHECK_DIM(SYM_D1, T_relu, 0, 1);
  CHECK_DIM(SYM_D1, T_relu, 1, 16);
  CHECK_COMPACT(SYM_D1, T_relu, STRIDE_TERM(SYM_D1, T_relu, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D1, T_relu);
  CHECK_DEVICE_TYPE(SYM_D1, T_relu);
  CHECK_DEVICE_ID(SYM_D1, T_relu);

  /* data is used as-is: no NULL check and byte_offset is known to be 0. */
  return tvmgen_default_fused_nn_dense_add_nn_relu_compute_(p0->data, p1->data, p2->data,
                                                            T_relu->data);
}

/* ---- fused dense(16 -> 10) + bias, serial --------------------------------- */

#define SYM_D2 "tvmgen_default_fused_nn_dense_add"
enum { D2_IN = 16, D2_OUT = 10 };

__attribute__((noinline)) static int32_t tvmgen_default_fused_nn_dense_add_compute_(
    const float *restrict p0, const float *restrict p1, const float *restrict p2,
    float *restrict T_add) {
  for (int32_t j = 0; j < D2_OUT; j++) {
    float acc = 0.0f;
    for (int32_t k = 0; k < D2_IN; k++) acc += p0[k] * p1[j * D2_IN + k];
    T_add[j] = acc + p2[j];
  }
  return 0;
}

int32_t tvmgen_default_fused_nn_dense_add(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                          TVMValue *out_ret_value, int32_t *out_ret_tcode,
                                          void *resource_handle) {
  CHECK_NUM_ARGS(SYM_D2, 4);
  DLTensor *p0 = (DLTensor *)args[0].v_handle;
  DLTensor *p1 = (DLTensor *)args[1].v_handle;
  DLTensor *p2 = (DLTensor *)args[2].v_handle;
  DLTensor *T_add = (DLTensor *)args[3].v_handle;
  CHECK_POINTER(SYM_D2, p0, 0);
  CHECK_POINTER(SYM_D2, p1, 1);
  CHECK_POINTER(SYM_D2, p2, 2);
  CHECK_POINTER(SYM_D2, T_add, 3);

  CHECK_NDIM(SYM_D2, p0, 2);
  CHECK_FLOAT32(SYM_D2, p0);
  CHECK_DIM(SYM_D2, p0, 0, 1);
  CHECK_DIM(SYM_D2, p0, 1, 16);
  CHECK_COMPACT(SYM_D2, p0, STRIDE_TERM(SYM_D2, p0, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D2, p0);
  CHECK_DEVICE_TYPE(SYM_D2, p0);
  int32_t dev_id = p0->device.device_id;

  CHECK_NDIM(SYM_D2, p1, 2);
  CHECK_FLOAT32(SYM_D2, p1);
  CHECK_DIM(SYM_D2, p1, 0, 10);
  CHECK_DIM(SYM_D2, p1, 1, 16);
  CHECK_COMPACT(SYM_D2, p1, STRIDE_TERM(SYM_D2, p1, 1, 1) " and " STRIDE_TERM(SYM_D2, p1, 0, 16));
  CHECK_BYTE_OFFSET(SYM_D2, p1);
  CHECK_DEVICE_TYPE(SYM_D2, p1);
  CHECK_DEVICE_ID(SYM_D2, p1);

  CHECK_NDIM(SYM_D2, p2, 2);
  CHECK_FLOAT32(SYM_D2, p2);
  CHECK_DIM(SYM_D2, p2, 0, 1);
  CHECK_DIM(SYM_D2, p2, 1, 10);
  CHECK_COMPACT(SYM_D2, p2, STRIDE_TERM(SYM_D2, p2, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D2, p2);
  CHECK_DEVICE_TYPE(SYM_D2, p2);
  CHECK_DEVICE_ID(SYM_D2, p2);

  CHECK_NDIM(SYM_D2, T_add, 2);
  CHECK_FLOAT32(SYM_D2, T_add);
  CHECK_DIM(SYM_D2, T_add, 0, 1);
  CHECK_DIM(SYM_D2, T_add, 1, 10);
  CHECK_COMPACT(SYM_D2, T_add, STRIDE_TERM(SYM_D2, T_add, 1, 1));
  CHECK_BYTE_OFFSET(SYM_D2, T_add);
  CHECK_DEVICE_TYPE(SYM_D2, T_add);
  CHECK_DEVICE_ID(SYM_D2, T_add);

  return tvmgen_default_fused_nn_dense_add_compute_(p0->data, p1->data, p2->data, T_add->data);
}

/* ---- softmax over 10 classes, scratch from the workspace allocator ------ */

#define SYM_SM "tvmgen_default_fused_nn_softmax"
enum { SM_N = 10 };

__attribute__((noinline)) static int32_t tvmgen_default_fused_nn_softmax_compute_(
    const float *restrict p0, float *restrict T_softmax_norm, int32_t dev_id) {
  /* BuiltinLower: a non-stack allocation becomes Alloc/FreeWorkspace; NULL
   * and a nonzero free both make the kernel return -1 with no message (§6). */
  float *T_softmax_exp = (float *)TVMBackendAllocWorkspace(1, dev_id, (uint64_t)(SM_N * 4), 2, 32);
  if (T_softmax_exp == NULL) return -1;
  float maxelem = p0[0];
  for (int32_t i = 1; i < SM_N; i++) maxelem = p0[i] > maxelem ? p0[i] : maxelem;
  float expsum = 0.0f;
  for (int32_t i = 0; i < SM_N; i++) {
    T_softmax_exp[i] = expf(p0[i] - maxelem);
    expsum += T_softmax_exp[i];
  }
  for (int32_t i = 0; i < SM_N; i++) T_softmax_norm[i] = T_softmax_exp[i] / expsum;
  if (TVMBackendFreeWorkspace(1, dev_id, T_softmax_exp) != 0) return -1;
  return 0;
}

int32_t tvmgen_default_fused_nn_softmax(TVMValue *args, int32_t *type_codes, int32_t num_args,
                                        TVMValue *out_ret_value, int32_t *out_ret_tcode,
                                        void *resource_handle) {
  CHECK_NUM_ARGS(SYM_SM, 2);
  DLTensor *p0 = (DLTensor *)args[0].v_handle;
  DLTensor *T_softmax_norm = (DLTensor *)args[1].v_handle;
  CHECK_POINTER(SYM_SM, p0, 0);
  CHECK_POINTER(SYM_SM, T_softmax_norm, 1);

  CHECK_NDIM(SYM_SM, p0, 2);
  CHECK_FLOAT32(SYM_SM, p0);
  CHECK_DIM(SYM_SM, p0, 0, 1);
  CHECK_DIM(SYM_SM, p0, 1, 10);
  CHECK_COMPACT(SYM_SM, p0, STRIDE_TERM(SYM_SM, p0, 1, 1));
  CHECK_BYTE_OFFSET(SYM_SM, p0);
  CHECK_DEVICE_TYPE(SYM_SM, p0);
  int32_t dev_id = p0->device.device_id;

  CHECK_NDIM(SYM_SM, T_softmax_norm, 2);
  CHECK_FLOAT32(SYM_SM, T_softmax_norm);
  CHECK_DIM(SYM_SM, T_softmax_norm, 0, 1);
  CHECK_DIM(SYM_SM, T_softmax_norm, 1, 10);
  CHECK_COMPACT(SYM_SM, T_softmax_norm, STRIDE_TERM(SYM_SM, T_softmax_norm, 1, 1));
  CHECK_BYTE_OFFSET(SYM_SM, T_softmax_norm);
  CHECK_DEVICE_TYPE(SYM_SM, T_softmax_norm);
  CHECK_DEVICE_ID(SYM_SM, T_softmax_norm);

  return tvmgen_default_fused_nn_softmax_compute_(p0->data, T_softmax_norm->data, dev_id);
}

/* ---- system-lib registration (§4) ---------------------------------------- */

/* A function's address on wasm32 is its index in __indirect_function_table;
 * that index is what TVM registers, and what the host calls through. */
#define FN_ADDR(f) ((void *)(uintptr_t)(f))

/* Priority 65535 is the default: the same init-functions entry TVM's
 * llvm.global_ctors produces. Context slot first, then kernels by name. */
__attribute__((constructor)) static void __tvm_module_startup(void) {
  TVMBackendRegisterSystemLibSymbol("__tvm_module_ctx", &__tvm_module_ctx);
  TVMBackendRegisterSystemLibSymbol(SYM_D2, FN_ADDR(tvmgen_default_fused_nn_dense_add));
  TVMBackendRegisterSystemLibSymbol(SYM_D1, FN_ADDR(tvmgen_default_fused_nn_dense_add_nn_relu));
  TVMBackendRegisterSystemLibSymbol(SYM_SM, FN_ADDR(tvmgen_default_fused_nn_softmax));
}
