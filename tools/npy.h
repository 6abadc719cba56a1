/*
 * npy.h — NumPy .npy files (format 1.0/2.0/3.0) for the CLI and the tests.
 * Little-endian, C order only; structured, object and big-endian arrays are
 * rejected with a message.
 */
#ifndef WASMGRAPH_NPY_H_
#define WASMGRAPH_NPY_H_

#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

typedef struct npy_array {
  wasmgraph_dtype dtype; /* '<f4' -> {2,32,1}, '|b1' -> {1,1,1} (bool) ... */
  char descr[16];        /* as in the header, e.g. "<f4" */
  int ndim;
  int64_t shape[WASMGRAPH_MAX_NDIM];
  void *data; /* owned, malloc'd */
  size_t nbytes;
} npy_array;

/* Parses an in-memory .npy. Errors are WASMGRAPH_ERR_FORMAT with a message
 * like "bad magic", "header: missing 'shape'", "data truncated: need 3136 bytes, have 100". */
wasmgraph_status npy_parse(const uint8_t *buf, size_t size, npy_array *out, char *err,
                           size_t err_size);
/* Reads a file; messages are prefixed with the path. */
wasmgraph_status npy_load(const char *path, npy_array *out, char *err, size_t err_size);
/* Writes a version 1.0 file. dtype must map to a descr (float16/32/64,
 * int8..64, uint8..64, bool). */
wasmgraph_status npy_save(const char *path, wasmgraph_dtype dtype, int ndim, const int64_t *shape,
                          const void *data, size_t nbytes, char *err, size_t err_size);
void npy_free(npy_array *a);

#endif
