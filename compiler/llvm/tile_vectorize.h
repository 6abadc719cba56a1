/*
 * tile_vectorize.h — packs the register tiles of TVM's scalar conv kernels
 * into vector constrained-FP operations (tile_vectorize.c explains why and
 * when this is exact). Runs on the optimized module, after load-barrier
 * pruning and the second -O2/-O3 pass, right before code generation.
 */
#ifndef WASMGRAPH_TILE_VECTORIZE_H_
#define WASMGRAPH_TILE_VECTORIZE_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

/* Widest vector the pass forms (8 x f32 = one AVX register). */
#define WGC_TILE_MAX_LANES 8u

typedef struct wgc_tile_options {
  /* Memory accesses are plain loads with guard pages behind linear memory
   * (WASM_RT_MEMCHECK_GUARD_PAGES / the signal handler). In bounds-check mode
   * every load sits behind its own check and branch: pass false and the
   * module is left untouched. */
  bool guard_pages;
  /* The module's declared maximum memory (wgc_layout.memory_max_pages; 65536
   * when it declares none). Above WGC_MAX_MEMORY_PAGES (pass_util.h)
   * nothing changes. */
  uint32_t memory_max_pages;
  /* 4 or 8: the widest vector to form (8 only where 256-bit vectors are
   * native, e.g. x86 with AVX; wider ones would be split again). Other values
   * are an error. */
  unsigned max_lanes;
  /* Integer tiles instead of float ones: steps acc + x * w in wrapping i32
   * whose operands are sign-extended i8 or i16 loads (TVM's scalar int8
   * convs) become <4 x i32> multiply-adds of sext(<4 x iE>) vector loads
   * and splats, the shape int_dot.c turns into dot products. Exact: integer
   * lanes wrap as the scalar operations do. */
  bool ints;
  /* Run LLVMVerifyModule afterwards (always done in builds without NDEBUG). */
  bool verify;
} wgc_tile_options;

typedef struct wgc_tile_stats {
  unsigned functions; /* functions with at least one packed group */
  unsigned groups;    /* packed multiply-add groups (one vector mul+add each) */
  unsigned groups_by_lanes[WGC_TILE_MAX_LANES + 1]; /* of those, by width */
  unsigned phi_groups;  /* vector phis formed for the accumulator webs */
  unsigned rejected;    /* candidate groups dropped (their web was not packable) */
  const char *disabled; /* why the pass did nothing at all, or NULL */
} wgc_tile_stats;

/* Defaults: guard_pages false, memory_max_pages 65536 (i.e. off until the
 * caller states both safety conditions), max_lanes 4, verify false. */
void wgc_tile_options_init(wgc_tile_options *opt);

/* Transforms `m` in place. Returns WASMGRAPH_OK (also when the options
 * disable the pass: stats->disabled says why), WASMGRAPH_ERR_INVALID_ARGUMENT
 * for bad options, WASMGRAPH_ERR_NO_MEMORY, or WASMGRAPH_ERR_UNSUPPORTED if
 * the verifier rejects the result (a bug here; the module must then not be
 * used). `stats` may be NULL. */
wasmgraph_status wgc_tile_vectorize(wgc_ctx *ctx, LLVMModuleRef m, const wgc_tile_options *opt,
                                    wgc_tile_stats *stats);

#endif
