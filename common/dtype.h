/* dtype.h — TVM dtype strings ("float32", "uint1", "int64", "bool", ...) and sizes. */
#ifndef WASMGRAPH_DTYPE_H_
#define WASMGRAPH_DTYPE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

/* Parses a graph.json dltype string. Accepts everything TVM's
 * String2DLDataType accepts for CPU graphs: int/uint/float/bfloat<bits>,
 * an optional x<lanes> suffix, "bool" and "uint1" ({1,1,1}), "handle",
 * "float8" spellings. Returns false on anything else. */
bool wg_dtype_parse(const char *s, wasmgraph_dtype *out);
/* Bytes per element, ceil(bits*lanes/8). */
size_t wg_dtype_elem_bytes(wasmgraph_dtype t);
bool wg_dtype_equal(wasmgraph_dtype a, wasmgraph_dtype b);
/* Writes the canonical name ("float32", "uint1", "int64x4") into buf. */
void wg_dtype_format(wasmgraph_dtype t, char *buf, size_t buf_size);
/* Element count of a shape, with overflow check (returns false on overflow or
 * a negative dim). prod([]) = 1. */
bool wg_shape_numel(const int64_t *shape, int ndim, uint64_t *out);

#endif
