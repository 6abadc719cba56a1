/*
 * fp_contract.h — `wasmgraph compile --fp-contract=fast`: fuses each
 * constrained multiply whose only use is a constrained add into one fused
 * multiply-add (fp_contract.c). This leaves wasm's exact semantics: a fused
 * multiply-add rounds once where wasm rounds twice, so results differ in
 * the last bits. Off by default; runs after the kernel-shape passes, so it
 * fuses their wide operations too.
 */
#ifndef WASMGRAPH_FP_CONTRACT_H_
#define WASMGRAPH_FP_CONTRACT_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_fp_contract_stats {
  unsigned fused;             /* multiply-adds now one FMA */
  unsigned vector;            /* of those, on vectors */
  unsigned functions;         /* functions with at least one FMA */
  unsigned skipped_functions; /* functions whose target has no FMA instruction */
} wgc_fp_contract_stats;

/* Transforms `m` in place: in every function whose target has an FMA
 * instruction (target-features +fma or +avx512f on x86; every AArch64),
 * fadd(fmul(a, b), c) and fadd(c, fmul(a, b)) of the constrained
 * intrinsics, where the product has no other use and both calls carry the
 * same rounding and exception metadata, become constrained.fma(a, b, c)
 * with that metadata. Memory accesses are never touched. Returns
 * WASMGRAPH_OK, WASMGRAPH_ERR_INVALID_ARGUMENT (no module), or
 * WASMGRAPH_ERR_UNSUPPORTED if LLVM lacks the intrinsics or the verifier
 * rejects the result (run when `verify`, and always in builds without
 * NDEBUG; a bug here). `stats` may be NULL. */
wasmgraph_status wgc_fp_contract(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_fp_contract_stats *stats);

#endif
