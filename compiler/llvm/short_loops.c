/*
 * short_loops.c — finds the short loops to unroll fully after the
 * kernel-shape passes.
 *
 * Why: TVM's convolution schedules for wasm end in a loop over the 4 lanes
 * of an input-channel block. Its body is a row of f32x4 multiply-adds, one
 * per output position: 7 to 28 of them. Clang's -O2 unroller sees that body
 * before v128_pair.c and splat_window.c shrink it to a few 256- and 512-bit
 * operations, judges it too large, and keeps the loop. So each of 4
 * iterations pays an induction update, a compare and a branch for 3 to 8
 * vector operations, and the out-of-order core sees one lane's work at a
 * time. Once the passes have run, the body is small: unrolling the 4
 * iterations costs little code and removes that overhead.
 *
 * What is marked: a block that branches back to itself (a single-block loop)
 * with an integer induction phi that starts at a constant, steps by a
 * constant and leaves at a constant bound, for 2 to
 * WGC_SHORT_LOOP_MAX_TRIPS iterations, and that holds at least one vector
 * value of 256 bits or more (only the passes make those from wasm's 128-bit
 * SIMD), in a function compiled for AVX-512. The back edge gets
 * `llvm.loop.unroll.full`; LLVM's full unroller (pipeline.c runs it next)
 * then unrolls it, checking the trip count again with its own analysis.
 *
 * Only with AVX-512: the unrolled body keeps the accumulators, the weights
 * and several iterations' operands live at once. AVX-512's 32 vector
 * registers hold them; with AVX2's 16 the unrolled kernels spill (resnet18's
 * AVX2 build: 120 stack accesses against 5, its 7x7/2 stem 15% slower), so
 * loops in functions without AVX-512 are left alone.
 *
 * Exact: full unrolling runs every instruction of every iteration once, in
 * the original order; no memory access or floating-point operation moves,
 * is merged or is dropped. Outputs and traps are those of the loop.
 */
#include "short_loops.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <string.h>

#include "pass_util.h"

/* Whether bb holds a vector value of 256 bits or more. */
static bool has_wide_vector(LLVMBasicBlockRef bb, LLVMTargetDataRef td) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
    LLVMTypeRef t = LLVMTypeOf(i);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind && LLVMSizeOfTypeInBits(td, t) >= 256) return true;
  }
  return false;
}

/* !{!self, !{!"llvm.loop.unroll.full"}}: a loop ID refers to itself. */
static LLVMValueRef unroll_full_id(LLVMContextRef c) {
  const char *s = "llvm.loop.unroll.full";
  LLVMMetadataRef name = LLVMMDStringInContext2(c, s, strlen(s));
  LLVMMetadataRef hint = LLVMMDNodeInContext2(c, &name, 1);
  LLVMMetadataRef tmp = LLVMTemporaryMDNode(c, NULL, 0);
  LLVMMetadataRef ops[2] = {tmp, hint};
  LLVMMetadataRef id = LLVMMDNodeInContext2(c, ops, 2);
  LLVMMetadataReplaceAllUsesWith(tmp, id); /* also frees tmp */
  return LLVMMetadataAsValue(c, id);
}

typedef struct sl_state {
  unsigned loop_kind;
  LLVMContextRef c;
  LLVMTargetDataRef td;
  wgc_short_loop_stats *st;
} sl_state;

static bool mark_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  sl_state *s = state;
  LLVMValueRef br = LLVMGetBasicBlockTerminator(bb);
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return true;
  if (LLVMGetSuccessor(br, 0) != bb && LLVMGetSuccessor(br, 1) != bb) return true;
  if (!wgc_fn_has_feature(LLVMGetBasicBlockParent(bb), "+avx512f", false)) return true;
  if (LLVMGetMetadata(br, s->loop_kind)) return true; /* someone's loop ID: keep it */
  int64_t n = wgc_loop_trip_count(bb, br, NULL);
  if (n < 2 || n > WGC_SHORT_LOOP_MAX_TRIPS || !has_wide_vector(bb, s->td)) return true;
  LLVMSetMetadata(br, s->loop_kind, unroll_full_id(s->c));
  s->st->marked++;
  (*done)++;
  return true;
}

wasmgraph_status wgc_short_loops_mark(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                      wgc_short_loop_stats *stats) {
  wgc_short_loop_stats local;
  wgc_short_loop_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "short loops: no module");
  sl_state s = {0};
  s.c = LLVMGetModuleContext(m);
  s.loop_kind = LLVMGetMDKindIDInContext(s.c, "llvm.loop", 9);
  s.td = LLVMGetModuleDataLayout(m);
  s.st = st;
  wgc_for_each_block(m, mark_block, &s, &st->functions);
  return wgc_verify_after(ctx, m, verify, "short loops");
}
