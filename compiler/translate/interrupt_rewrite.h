/*
 * interrupt_rewrite.h — puts interrupt checks into wasm2c's output
 * (interrupt_rewrite.c), so that a run can be stopped (docs/security.md).
 */
#ifndef WASMGRAPH_INTERRUPT_REWRITE_H_
#define WASMGRAPH_INTERRUPT_REWRITE_H_

#include <stddef.h>

#include "compiler_internal.h"

typedef struct wgc_interrupt_stats {
  unsigned functions; /* guest functions: one check at each entry */
  unsigned loops;     /* loop labels: WASM_RT_CHECK_INTERRUPT_LOOP */
  unsigned imports;   /* host import calls followed by a check */
} wgc_interrupt_stats;

/* The rewritten text (malloc'd), or NULL with *why set when the file has a
 * shape the rewrite does not know (it must then not be compiled: a loop
 * without a check could never be stopped), or NULL with *why NULL when out of
 * memory. `m` is the module name as wasm2c spells it. */
char *wgc_interrupt_rewrite_text(const char *text, size_t len, const char *m,
                                 wgc_interrupt_stats *st, const char **why);

/* Rewrites <c_path> in place; WASMGRAPH_ERR_UNSUPPORTED naming the reason if
 * the shape is unexpected. */
wasmgraph_status wgc_interrupt_rewrite(wgc_ctx *ctx, const char *c_path, const char *m,
                                       wgc_interrupt_stats *st);

#endif
