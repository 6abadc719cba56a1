/*
 * host_sort.c — the packed functions TVM's CPU sort, argsort and topk
 * kernels fetch with TVMBackendGetFuncFromEnv and call with TVMFuncCall
 * (docs/tvm-wasm-abi.md §3.2): tvm.contrib.sort.{sort,argsort,topk}.
 *
 * The tensors arrive as wasm32 DLTensors built on the guest stack, so every
 * field is read through bounds checks and every data range is checked before
 * the host touches it; anything malformed is an out-of-bounds trap. The
 * semantics follow TVM's src/runtime/contrib/sort/sort.cc: a stable sort
 * along one axis, ascending or descending, k < 1 meaning "all".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define KTVM_INT 0
#define KTVM_STR 11

typedef struct {
  uint32_t data;
  int ndim;
  wasmgraph_dtype dtype;
  int64_t shape[WASMGRAPH_MAX_NDIM];
  uint64_t numel;
} guest_tensor;

static uint8_t *arg_slot(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, int i,
                         int32_t *tcode) {
  uint8_t *codes = wg_guest_range_or_trap(env, tcodes, 4ull * (uint32_t)n, "sort type codes");
  memcpy(tcode, codes + 4 * i, 4);
  return wg_guest_range_or_trap(env, args, 8ull * (uint32_t)n, "sort arguments") + 8 * i;
}

static int64_t arg_int(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, int i) {
  int32_t code;
  uint8_t *slot = arg_slot(env, args, tcodes, n, i, &code);
  int64_t v;
  memcpy(&v, slot, 8);
  return v;
}

static void read_tensor(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, int i,
                        guest_tensor *t) {
  int32_t code;
  uint8_t *slot = arg_slot(env, args, tcodes, n, i, &code);
  uint32_t addr;
  memcpy(&addr, slot, 4);
  uint8_t *p = wg_guest_range_or_trap(env, addr, 40, "sort tensor");
  uint32_t shape_addr, strides_addr;
  uint64_t byte_offset;
  memcpy(&t->data, p, 4);
  memcpy(&t->ndim, p + 12, 4);
  t->dtype.code = p[16];
  t->dtype.bits = p[17];
  memcpy(&t->dtype.lanes, p + 18, 2);
  memcpy(&shape_addr, p + 20, 4);
  memcpy(&strides_addr, p + 24, 4);
  memcpy(&byte_offset, p + 32, 8);
  if (t->ndim < 1 || t->ndim > WASMGRAPH_MAX_NDIM || t->dtype.lanes != 1 ||
      (t->dtype.bits != 32 && t->dtype.bits != 64) || t->dtype.code > 2 || strides_addr != 0 ||
      byte_offset > UINT32_MAX) {
    snprintf(env->error, sizeof env->error,
             "tvm.contrib.sort: argument %d is not a compact int/float tensor", i);
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  uint8_t *sp = wg_guest_range_or_trap(env, shape_addr, 8ull * (uint32_t)t->ndim, "sort shape");
  memcpy(t->shape, sp, 8u * (uint32_t)t->ndim);
  t->numel = 1;
  for (int k = 0; k < t->ndim; k++) {
    if (t->shape[k] < 0 || t->shape[k] > UINT32_MAX ||
        t->numel * (uint64_t)t->shape[k] > UINT32_MAX) {
      snprintf(env->error, sizeof env->error, "tvm.contrib.sort: argument %d has a bad shape", i);
      wasm_rt_trap(WASM_RT_TRAP_OOB);
    }
    t->numel *= (uint64_t)t->shape[k];
  }
  t->data += (uint32_t)byte_offset;
  wg_guest_range_or_trap(env, t->data, t->numel * (t->dtype.bits / 8), "sort tensor data");
}

static double load_elem(const wasm_rt_memory_t *mem, const guest_tensor *t, uint64_t i) {
  const uint8_t *p = mem->data + t->data + i * (t->dtype.bits / 8);
  if (t->dtype.code == 2) {
    if (t->dtype.bits == 32) {
      float f;
      memcpy(&f, p, 4);
      return f;
    }
    double d;
    memcpy(&d, p, 8);
    return d;
  }
  if (t->dtype.bits == 32) {
    int32_t v;
    memcpy(&v, p, 4);
    return t->dtype.code == 1 ? (double)(uint32_t)v : v;
  }
  int64_t v;
  memcpy(&v, p, 8);
  return t->dtype.code == 1 ? (double)(uint64_t)v : (double)v;
}

static void store_elem(const wasm_rt_memory_t *mem, const guest_tensor *t, uint64_t i, double v) {
  uint8_t *p = mem->data + t->data + i * (t->dtype.bits / 8);
  if (t->dtype.code == 2) {
    if (t->dtype.bits == 32) {
      float f = (float)v;
      memcpy(p, &f, 4);
    } else {
      memcpy(p, &v, 8);
    }
  } else if (t->dtype.bits == 32) {
    int32_t x = (int32_t)v;
    memcpy(p, &x, 4);
  } else {
    int64_t x = (int64_t)v;
    memcpy(p, &x, 8);
  }
}

typedef struct {
  double value;
  int64_t index;
} keyed;

/* Stable merge sort (TVM uses std::stable_sort). */
static void merge_sort(keyed *a, keyed *tmp, size_t n, int ascend) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(a, tmp, h, ascend);
  merge_sort(a + h, tmp, n - h, ascend);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) {
    int take_right = ascend ? a[j].value < a[i].value : a[j].value > a[i].value;
    tmp[k++] = take_right ? a[j++] : a[i++];
  }
  while (i < h) tmp[k++] = a[i++];
  while (j < n) tmp[k++] = a[j++];
  memcpy(a, tmp, n * sizeof *a);
}

/* Sorts `in` along `axis`; writes the first k of each row to values/indices
 * (either may be NULL). */
static int32_t sort_axis(wg_env *env, const guest_tensor *in, const guest_tensor *values,
                         const guest_tensor *indices, int64_t axis, int64_t k, int ascend) {
  if (axis < 0) axis += in->ndim;
  if (axis < 0 || axis >= in->ndim) {
    snprintf(env->error, sizeof env->error, "tvm.contrib.sort: axis out of range");
    return -1;
  }
  uint64_t len = (uint64_t)in->shape[axis], outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= (uint64_t)in->shape[d];
  for (int d = (int)axis + 1; d < in->ndim; d++) inner *= (uint64_t)in->shape[d];
  if (k < 1 || (uint64_t)k > len) k = (int64_t)len;
  const guest_tensor *outs[2] = {values, indices};
  for (int o = 0; o < 2; o++) {
    if (outs[o] && outs[o]->numel != outer * inner * (uint64_t)k) {
      snprintf(env->error, sizeof env->error, "tvm.contrib.sort: output %d has the wrong size", o);
      return -1;
    }
  }
  keyed *row = malloc((len ? len : 1) * 2 * sizeof *row);
  if (!row) {
    snprintf(env->error, sizeof env->error, "tvm.contrib.sort: out of host memory");
    return -1;
  }
  const wasm_rt_memory_t *mem = env->memory;
  for (uint64_t a = 0; a < outer; a++) {
    for (uint64_t b = 0; b < inner; b++) {
      for (uint64_t i = 0; i < len; i++) {
        row[i].value = load_elem(mem, in, (a * len + i) * inner + b);
        row[i].index = (int64_t)i;
      }
      merge_sort(row, row + len, len, ascend);
      for (uint64_t i = 0; i < (uint64_t)k; i++) {
        uint64_t at = (a * (uint64_t)k + i) * inner + b;
        if (values) store_elem(mem, values, at, row[i].value);
        if (indices) store_elem(mem, indices, at, (double)row[i].index);
      }
    }
  }
  free(row);
  return 0;
}

static int32_t pf_sort(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, uint32_t ret,
                       uint32_t ret_tcode) {
  if (n != 4) return -1;
  guest_tensor in, out;
  read_tensor(env, args, tcodes, n, 0, &in);
  read_tensor(env, args, tcodes, n, 1, &out);
  return sort_axis(env, &in, &out, NULL, arg_int(env, args, tcodes, n, 2), 0,
                   arg_int(env, args, tcodes, n, 3) != 0);
}

static int32_t pf_argsort(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, uint32_t ret,
                          uint32_t ret_tcode) {
  if (n != 4) return -1;
  guest_tensor in, out;
  read_tensor(env, args, tcodes, n, 0, &in);
  read_tensor(env, args, tcodes, n, 1, &out);
  return sort_axis(env, &in, NULL, &out, arg_int(env, args, tcodes, n, 2), 0,
                   arg_int(env, args, tcodes, n, 3) != 0);
}

static int32_t pf_topk(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n, uint32_t ret,
                       uint32_t ret_tcode) {
  if (n != 6 && n != 7) {
    snprintf(env->error, sizeof env->error, "tvm.contrib.sort.topk: %d arguments", n);
    return -1;
  }
  int32_t code;
  uint8_t *slot = arg_slot(env, args, tcodes, n, n - 2, &code);
  uint32_t str_addr;
  memcpy(&str_addr, slot, 4);
  char ret_type[16];
  wg_guest_string_or_trap(env, str_addr, ret_type, sizeof ret_type, "topk ret_type");
  guest_tensor in, a, b;
  read_tensor(env, args, tcodes, n, 0, &in);
  const guest_tensor *values = NULL, *indices = NULL;
  if (strcmp(ret_type, "both") == 0 && n == 7) {
    read_tensor(env, args, tcodes, n, 1, &a);
    read_tensor(env, args, tcodes, n, 2, &b);
    values = &a;
    indices = &b;
  } else if (strcmp(ret_type, "values") == 0 && n == 6) {
    read_tensor(env, args, tcodes, n, 1, &a);
    values = &a;
  } else if (strcmp(ret_type, "indices") == 0 && n == 6) {
    read_tensor(env, args, tcodes, n, 1, &b);
    indices = &b;
  } else {
    snprintf(env->error, sizeof env->error, "tvm.contrib.sort.topk: bad ret_type '%s'", ret_type);
    return -1;
  }
  return sort_axis(env, &in, values, indices, arg_int(env, args, tcodes, n, n - 3),
                   arg_int(env, args, tcodes, n, n - 4), arg_int(env, args, tcodes, n, n - 1) != 0);
}

static const struct {
  const char *name;
  wg_packed_fn fn;
} k_host_funcs[] = {
    {"tvm.contrib.sort.sort", pf_sort},
    {"tvm.contrib.sort.argsort", pf_argsort},
    {"tvm.contrib.sort.topk", pf_topk},
};

uint32_t wg_host_func_lookup(const char *name) {
  for (size_t i = 0; i < sizeof k_host_funcs / sizeof k_host_funcs[0]; i++)
    if (strcmp(k_host_funcs[i].name, name) == 0) return (uint32_t)i + 1;
  return 0;
}

wg_packed_fn wg_host_func_get(uint32_t handle) {
  if (handle == 0 || handle > sizeof k_host_funcs / sizeof k_host_funcs[0]) return NULL;
  return k_host_funcs[handle - 1].fn;
}
