/*
 * pass_util.c — shared scaffolding of the kernel-shape passes (see
 * pass_util.h): which memory conditions their trap proofs need, bitcast
 * stripping, a block driver, and verification. No pass logic lives here.
 */
#include "pass_util.h"

#include <llvm-c/Analysis.h>

#include "tile_vectorize.h" /* WGC_TILE_MAX_MEMORY_PAGES */

const char *wgc_trap_proof_unmet(bool guard_pages, uint32_t memory_max_pages) {
  if (!guard_pages) return "bounds-check mode";
  if (memory_max_pages > WGC_TILE_MAX_MEMORY_PAGES) return "memory maximum above 65535 pages";
  return NULL;
}

LLVMValueRef wgc_strip_bitcasts(LLVMValueRef v) {
  while (v && LLVMIsABitCastInst(v)) v = LLVMGetOperand(v, 0);
  return v;
}

bool wgc_for_each_block(LLVMModuleRef m, wgc_block_fn fn, void *state, unsigned *functions) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    unsigned done = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      if (!fn(state, bb, &done)) return false;
    if (done) (*functions)++;
  }
  return true;
}

wasmgraph_status wgc_verify_after(wgc_ctx *ctx, LLVMModuleRef m, bool verify, const char *pass) {
#ifndef NDEBUG
  verify = true;
#endif
  if (!verify) return WASMGRAPH_OK;
  char *msg = NULL;
  wasmgraph_status st = WASMGRAPH_OK;
  if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg))
    st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s produced invalid IR: %.300s", pass,
                  msg ? msg : "");
  LLVMDisposeMessage(msg);
  return st;
}
