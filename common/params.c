/*
 * params.c — reader for TVM's graph.params (SaveParams / SaveDLTensor, dmlc
 * serialization, little-endian; docs: tvm-wasm-abi.md §10).
 *
 * A cursor {buf, size, pos} is the only way bytes are read; every read checks
 * `size - pos` first, so truncation anywhere yields a message that says what
 * was being read, at which offset and how many bytes were left. Counts from
 * the file are bounded by what the remaining bytes could possibly hold before
 * anything is allocated, so a hostile header cannot make us allocate more
 * than O(size) memory.
 *
 * On WASMGRAPH_OK: names are distinct, non-empty and NUL-free; every tensor
 * has device_type 1, 0 <= ndim <= WASMGRAPH_MAX_NDIM, dims >= 0,
 * bits > 0, lanes > 0, nbytes == ((bits+7)/8) * prod(shape) (TVM ignores
 * lanes here) and `data` points at nbytes bytes inside the caller's buffer;
 * the file has no trailing bytes.
 */
#include "params.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"

#define PARAMS_LIST_MAGIC 0xF7E58D4F05049CB7ULL
#define PARAMS_TENSOR_MAGIC 0xDD5E40F096B4A13FULL
#define PARAMS_MAX_NAME 4096
/* Smallest possible (name, tensor) pair: u64 len + 1 name byte, plus a
 * tensor record with ndim 0 (32 header bytes + u64 data_byte_size). */
#define PARAMS_MIN_PAIR_BYTES (8 + 1 + 40)

typedef struct pctx {
  char *err;
  size_t err_size;
  const uint8_t *buf;
  size_t size, pos;
  char where[96]; /* "" or "tensor 3 ('p3'): " */
} pctx;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static wasmgraph_status
fail(pctx *c, const char *fmt, ...) {
  if (c->err && c->err_size) {
    int n = snprintf(c->err, c->err_size, "params: %s", c->where);
    if (n >= 0 && (size_t)n < c->err_size) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return WASMGRAPH_ERR_FORMAT;
}

static wasmgraph_status oom(pctx *c) {
  if (c->err && c->err_size) snprintf(c->err, c->err_size, "params: out of memory");
  return WASMGRAPH_ERR_NO_MEMORY;
}

static size_t left(const pctx *c) { return c->size - c->pos; }

static wasmgraph_status take(pctx *c, size_t n, const char *what, const uint8_t **out) {
  if (left(c) < n)
    return fail(c, "truncated: need %zu bytes of %s at offset %zu, %zu left", n, what, c->pos,
                left(c));
  *out = c->buf + c->pos;
  c->pos += n;
  return WASMGRAPH_OK;
}

static uint64_t le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static wasmgraph_status read_u64(pctx *c, const char *what, uint64_t *out) {
  const uint8_t *p = NULL;
  wasmgraph_status st = take(c, 8, what, &p);
  if (!st) *out = le(p, 8);
  return st;
}

static wasmgraph_status read_i32(pctx *c, const char *what, int32_t *out) {
  const uint8_t *p = NULL;
  wasmgraph_status st = take(c, 4, what, &p);
  if (!st) *out = (int32_t)(uint32_t)le(p, 4);
  return st;
}

static int cmp_names(const void *a, const void *b) {
  const param_tensor *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

static wasmgraph_status read_names(pctx *c, param_list *out) {
  uint64_t n;
  wasmgraph_status st;
  if ((st = read_u64(c, "num_names", &n))) return st;
  if (n > left(c) / PARAMS_MIN_PAIR_BYTES)
    return fail(c,
                "truncated or corrupt: num_names %llu needs at least %llu more bytes, %zu "
                "left",
                (unsigned long long)n,
                n > UINT64_MAX / PARAMS_MIN_PAIR_BYTES
                    ? (unsigned long long)UINT64_MAX
                    : (unsigned long long)n * PARAMS_MIN_PAIR_BYTES,
                left(c));
  if (n > INT_MAX) return fail(c, "num_names %llu is too large", (unsigned long long)n);
  out->items = calloc(n ? (size_t)n : 1, sizeof *out->items);
  if (!out->items) return oom(c);
  out->count = (int)n;
  for (int i = 0; i < out->count; i++) {
    uint64_t len;
    const uint8_t *p = NULL;
    char *name;
    snprintf(c->where, sizeof c->where, "name %d: ", i);
    if ((st = read_u64(c, "name length", &len))) return st;
    if (len == 0) return fail(c, "empty name");
    if (len > PARAMS_MAX_NAME)
      return fail(c, "name length %llu exceeds %d", (unsigned long long)len, PARAMS_MAX_NAME);
    if ((st = take(c, (size_t)len, "name", &p))) return st;
    if (memchr(p, 0, (size_t)len)) return fail(c, "name contains a NUL byte");
    name = malloc((size_t)len + 1);
    if (!name) return oom(c);
    memcpy(name, p, (size_t)len);
    name[len] = '\0';
    out->items[i].name = name;
  }
  c->where[0] = '\0';

  /* Duplicates: sort pointers (O(n log n) even for hostile files). */
  if (out->count > 1) {
    param_tensor **sorted = malloc((size_t)out->count * sizeof *sorted);
    if (!sorted) return oom(c);
    for (int i = 0; i < out->count; i++) sorted[i] = &out->items[i];
    qsort(sorted, (size_t)out->count, sizeof *sorted, cmp_names);
    for (int i = 1; i < out->count; i++) {
      if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
        st = fail(c, "duplicate name '%.64s'", sorted[i]->name);
        break;
      }
    }
    free(sorted);
  }
  return st;
}

static wasmgraph_status read_tensor(pctx *c, int index, param_tensor *t) {
  uint64_t magic, reserved, numel, expect, raw_size;
  int32_t dev_type, dev_id, ndim;
  const uint8_t *p = NULL;
  int64_t data_size;
  wasmgraph_status st;

  snprintf(c->where, sizeof c->where, "tensor %d ('%.48s'): ", index, t->name);
  if ((st = read_u64(c, "tensor magic", &magic))) return st;
  if (magic != PARAMS_TENSOR_MAGIC)
    return fail(c, "bad tensor magic 0x%016llx at offset %zu (expected 0x%016llx)",
                (unsigned long long)magic, c->pos - 8, PARAMS_TENSOR_MAGIC);
  if ((st = read_u64(c, "reserved field", &reserved))) return st;
  if (reserved != 0)
    return fail(c, "reserved field is 0x%llx, expected 0", (unsigned long long)reserved);
  if ((st = read_i32(c, "device_type", &dev_type))) return st;
  if (dev_type != 1) return fail(c, "device_type %d is not CPU (1)", (int)dev_type);
  if ((st = read_i32(c, "device_id", &dev_id))) return st;
  if ((st = read_i32(c, "ndim", &ndim))) return st;
  if (ndim < 0 || ndim > WASMGRAPH_MAX_NDIM)
    return fail(c, "ndim %d out of range [0, %d]", (int)ndim, WASMGRAPH_MAX_NDIM);
  if ((st = take(c, 4, "dtype", &p))) return st;
  t->dtype.code = p[0];
  t->dtype.bits = p[1];
  t->dtype.lanes = (uint16_t)le(p + 2, 2);
  if (t->dtype.bits == 0 || t->dtype.lanes == 0)
    return fail(c, "invalid dtype (code %u, bits %u, lanes %u)", (unsigned)t->dtype.code,
                (unsigned)t->dtype.bits, (unsigned)t->dtype.lanes);
  t->ndim = ndim;
  if (ndim > 0) {
    if ((st = take(c, 8 * (size_t)ndim, "shape", &p))) return st;
    t->shape = malloc((size_t)ndim * sizeof *t->shape);
    if (!t->shape) return oom(c);
    for (int d = 0; d < ndim; d++) {
      t->shape[d] = (int64_t)le(p + 8 * d, 8);
      if (t->shape[d] < 0)
        return fail(c, "dimension %d is negative (%lld)", d, (long long)t->shape[d]);
    }
  }
  if ((st = read_u64(c, "data_byte_size", &raw_size))) return st;
  data_size = (int64_t)raw_size;
  /* TVM's check: data_byte_size == ((bits+7)/8) * prod(shape), lanes ignored. */
  if (!wg_shape_numel(t->shape, t->ndim, &numel) ||
      numel > UINT64_MAX / (((uint64_t)t->dtype.bits + 7) / 8))
    return fail(c, "shape overflows");
  expect = numel * (((uint64_t)t->dtype.bits + 7) / 8);
  if (data_size < 0 || (uint64_t)data_size != expect)
    return fail(c, "data_byte_size %lld does not match the shape and dtype (%llu bytes)",
                (long long)data_size, (unsigned long long)expect);
  if (expect > left(c))
    return fail(c, "truncated: need %llu bytes of data at offset %zu, %zu left",
                (unsigned long long)expect, c->pos, left(c));
  t->data = c->buf + c->pos;
  t->nbytes = (size_t)expect;
  c->pos += (size_t)expect;
  return WASMGRAPH_OK;
}

static wasmgraph_status parse(pctx *c, param_list *out) {
  uint64_t magic, reserved, num_tensors;
  wasmgraph_status st;
  if ((st = read_u64(c, "magic", &magic))) return st;
  if (magic != PARAMS_LIST_MAGIC)
    return fail(c, "bad magic 0x%016llx (not a TVM params file; expected 0x%016llx)",
                (unsigned long long)magic, PARAMS_LIST_MAGIC);
  if ((st = read_u64(c, "reserved field", &reserved))) return st;
  if (reserved != 0)
    return fail(c, "reserved field is 0x%llx, expected 0", (unsigned long long)reserved);
  if ((st = read_names(c, out))) return st;
  if ((st = read_u64(c, "num_tensors", &num_tensors))) return st;
  if (num_tensors != (uint64_t)out->count)
    return fail(c, "num_tensors %llu != num_names %d", (unsigned long long)num_tensors, out->count);
  for (int i = 0; i < out->count; i++)
    if ((st = read_tensor(c, i, &out->items[i]))) return st;
  c->where[0] = '\0';
  if (left(c) != 0)
    return fail(c, "%zu trailing bytes after the last tensor (offset %zu)", left(c), c->pos);
  return WASMGRAPH_OK;
}

wasmgraph_status wg_params_parse(const uint8_t *buf, size_t size, param_list *out, char *err,
                                 size_t err_size) {
  pctx c;
  wasmgraph_status st;
  memset(&c, 0, sizeof c);
  c.err = err;
  c.err_size = err_size;
  c.buf = buf;
  c.size = buf ? size : 0;
  if (err && err_size) err[0] = '\0';
  if (!out) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  st = parse(&c, out);
  if (st) wg_param_list_free(out);
  return st;
}

void wg_param_list_free(param_list *list) {
  if (!list) return;
  if (list->items) {
    for (int i = 0; i < list->count; i++) {
      free(list->items[i].name);
      free(list->items[i].shape);
    }
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}
