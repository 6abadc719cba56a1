/*
 * interrupt_checks.h — loop checks of the interrupt word, placed after
 * optimization (interrupt_checks.c has the rules and the argument).
 */
#ifndef WASMGRAPH_INTERRUPT_CHECKS_H_
#define WASMGRAPH_INTERRUPT_CHECKS_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

/* A loop nest whose loops' back edges are each taken at most this many times
 * per entry, and that runs at most WGC_CHECK_FREE_WORK IR instructions per
 * entry, is checked once on entry instead of on every iteration. */
#define WGC_CHECK_FREE_TRIPS 65536u
#define WGC_CHECK_FREE_WORK (1u << 22)

typedef struct wgc_loop_check_stats {
  unsigned functions;     /* guest functions (they hold an entry check) */
  unsigned back_edges;    /* retreating edges that got a check */
  unsigned covered_edges; /* retreating edges every cycle through which passes another check */
  unsigned bounded_nests; /* outermost bounded loop nests, checked on entry instead */
  unsigned bounded_loops; /* loops inside them, with no check of their own */
  unsigned entry_checks;  /* checks on the edges into those nests */
  uint64_t max_work;      /* the largest instruction bound of a nest */
} wgc_loop_check_stats;

/* Adds the checks to every function of `m` that holds an interrupt check
 * (a guest function, or one a guest function was inlined into). Returns
 * WASMGRAPH_OK, WASMGRAPH_ERR_NO_MEMORY, or WASMGRAPH_ERR_UNSUPPORTED when
 * a function with a loop offers no way to reach the interrupt word or a
 * loop edge cannot carry a check (the module must then not be used: it could
 * not be stopped), or when the verifier rejects the result (run when
 * `verify`, always in builds without NDEBUG). `explain`: log every loop that
 * keeps a check on its back edge, and why it is not a bounded nest. `stats`
 * may be NULL. */
wasmgraph_status wgc_interrupt_checks(wgc_ctx *ctx, LLVMModuleRef m, bool verify, bool explain,
                                      wgc_loop_check_stats *stats);

#endif
