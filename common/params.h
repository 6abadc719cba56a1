/*
 * params.h — the TVM .params binary (kTVMNDArrayListMagic), read from a
 * byte buffer with an explicit length; every read is bounds-checked.
 */
#ifndef WASMGRAPH_PARAMS_H_
#define WASMGRAPH_PARAMS_H_

#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

typedef struct param_tensor {
  char *name; /* owned, NUL-terminated copy */
  wasmgraph_dtype dtype;
  int ndim;
  int64_t *shape;      /* owned */
  const uint8_t *data; /* points INTO the caller's buffer */
  size_t nbytes;
} param_tensor;

typedef struct param_list {
  int count;
  param_tensor *items; /* owned */
} param_list;

/* Parses `size` bytes. Rejects wrong magics, counts that do not fit, device
 * type != 1, ndim > WASMGRAPH_MAX_NDIM, data_byte_size inconsistent with the
 * shape, truncation anywhere and trailing bytes. Message example:
 * "params: tensor 3 ('p3'): truncated: need 4096 bytes of data at offset 812, 100 left". */
wasmgraph_status wg_params_parse(const uint8_t *buf, size_t size, param_list *out, char *err,
                                 size_t err_size);
void wg_param_list_free(param_list *list);

#endif
