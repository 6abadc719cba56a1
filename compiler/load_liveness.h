/*
 * load_liveness.h — per defined function: may a load's value go unused?
 * (load_liveness.c explains why the translator cares.)
 */
#ifndef WASMGRAPH_LOAD_LIVENESS_H_
#define WASMGRAPH_LOAD_LIVENESS_H_

#include <stddef.h>
#include <stdint.h>

/* Scans a linked module. On success returns 1 and a malloc'd array with one
 * byte per defined function (index order, imports excluded): 1 = risky, keep
 * wasm2c's load barrier; 0 = every load's value is used. Returns 0 if the
 * module could not be understood; callers then keep every barrier. */
int wg_load_liveness(const uint8_t *wasm, size_t size, uint8_t **risky, uint32_t *count);

/* Rewrites wasm2c 1.0.32 output in place (the file at c_path): defines
 * barrier-free load helpers next to wasm2c's and makes the functions that
 * `risky` marks 0 call them. Leaves the file untouched (and returns 0) if its
 * shape is not the expected one, e.g. a function count that differs. Returns
 * the number of functions switched to barrier-free loads, or -1 on I/O error. */
int wg_relax_load_barriers(const char *c_path, const uint8_t *risky, uint32_t count);

#endif
