/*
 * wasm_adapt.h — brings a linked module that wasm-ld wrote with any flags
 * into the shape the runtime serves (see wasm_adapt.c for the rules).
 */
#ifndef WASMGRAPH_WASM_ADAPT_H_
#define WASMGRAPH_WASM_ADAPT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

/* What the adaptation changed (bits of wgc_adapt_result.changes). */
enum {
  WGC_ADAPT_MEMORY_IMPORTED = 1u << 0, /* defined memory -> import env.memory, same limits */
  WGC_ADAPT_MEMORY_RENAMED = 1u << 1,  /* imported memory renamed to env.memory */
  WGC_ADAPT_TABLE_EXPORTED = 1u << 2,  /* export __indirect_function_table added */
  WGC_ADAPT_CTORS_EXPORTED = 1u << 3,  /* export __wasm_call_ctors added */
  WGC_ADAPT_STACK_NAMED = 1u << 4,     /* "name" section names global __stack_pointer */
  WGC_ADAPT_HEAP_BASE_ADDED = 1u << 5, /* constant global + export __heap_base added */
  WGC_ADAPT_DATA_END_ADDED = 1u << 6   /* constant global + export __data_end added */
};

typedef struct wgc_adapt_result {
  uint8_t *data; /* the adapted module (malloc'd); NULL when nothing changed */
  size_t size;
  unsigned changes;  /* WGC_ADAPT_* */
  char summary[480]; /* one line for the log: what changed and why */
} wgc_adapt_result;

/* Adapts the linked module `data` (not an object: no "linking" section).
 * On failure returns the status and writes a message that says what to pass
 * to wasm-ld into err (without the file name; the caller prefixes it). */
wasmgraph_status wgc_adapt_module(const uint8_t *data, size_t size, wgc_adapt_result *out,
                                  char *err, size_t err_size);
void wgc_adapt_result_free(wgc_adapt_result *r);

#endif
