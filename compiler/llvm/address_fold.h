/*
 * address_fold.h — lets loads at `zext(x + k)` use a 64-bit `zext(x) + k`
 * address (one addressing mode instead of a 32-bit add per load) where that
 * provably keeps wasm's trapping behaviour (address_fold.c has the proof).
 * Runs on the optimized module right before code generation.
 */
#ifndef WASMGRAPH_ADDRESS_FOLD_H_
#define WASMGRAPH_ADDRESS_FOLD_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

typedef struct wgc_fold_options {
  /* Out-of-bounds accesses fault in guard pages behind linear memory (at
   * least 4 GiB + 64 KiB past its base). In bounds-check mode pass false:
   * nothing changes. */
  bool guard_pages;
  /* The module's declared memory maximum in pages; the fold needs <= 65535
   * (WGC_MAX_MEMORY_PAGES), otherwise nothing changes. */
  uint32_t memory_max_pages;
} wgc_fold_options;

typedef struct wgc_fold_stats {
  unsigned folded;      /* loads whose address now folds its constant */
  unsigned no_anchor;   /* candidates left alone: no anchor load in reach */
  unsigned functions;   /* functions with at least one folded load */
  const char *disabled; /* why nothing was attempted, or NULL */
} wgc_fold_stats;

/* Transforms `m` in place. Returns WASMGRAPH_OK (also when the options rule
 * the fold out: stats->disabled says why), WASMGRAPH_ERR_NO_MEMORY, or
 * WASMGRAPH_ERR_UNSUPPORTED if the verifier rejects the result (run when
 * `verify`, and always in builds without NDEBUG; a bug here). `stats` may be
 * NULL. */
wasmgraph_status wgc_address_fold(wgc_ctx *ctx, LLVMModuleRef m, const wgc_fold_options *opt,
                                  bool verify, wgc_fold_stats *stats);

#endif
