/*
 * pass_util.h — the pieces every kernel-shape pass (tile_vectorize.c,
 * acc_web.c, address_fold.c, splat_window.c) shares around its own
 * transformation: the check of the two conditions their trap proofs need,
 * a per-block driver over every defined function, and the closing module
 * verification. Internal to the compiler.
 */
#ifndef WASMGRAPH_PASS_UTIL_H_
#define WASMGRAPH_PASS_UTIL_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

/* NULL if a pass that reads or moves memory accesses may run: guard pages
 * behind linear memory and a memory maximum of at most 65535 pages
 * (WGC_TILE_MAX_MEMORY_PAGES). Otherwise why not, for the pass's stats. */
const char *wgc_trap_proof_unmet(bool guard_pages, uint32_t memory_max_pages);

/* v without the bitcasts in front of it (NULL stays NULL). */
LLVMValueRef wgc_strip_bitcasts(LLVMValueRef v);

/* Calls fn(state, bb, &done) on every basic block of every function of m,
 * stopping at the first false (out of memory). *functions counts the
 * functions in which some call raised `done`. */
typedef bool (*wgc_block_fn)(void *state, LLVMBasicBlockRef bb, unsigned *done);
bool wgc_for_each_block(LLVMModuleRef m, wgc_block_fn fn, void *state, unsigned *functions);

/* Verifies m when `verify` (always in builds without NDEBUG): OK, or
 * WASMGRAPH_ERR_UNSUPPORTED "<pass> produced invalid IR: ..." (a bug in the
 * pass; the module must not be used). */
wasmgraph_status wgc_verify_after(wgc_ctx *ctx, LLVMModuleRef m, bool verify, const char *pass);

#endif
