/*
 * int_dot.c — TVM's integer convolution reductions as dot products.
 *
 * The shape. For a wasm target TVM computes int8 convolutions (relay.quantize:
 * int8 x int8; QNN, legalized to int16 x int16) in NCHWc blocks of 4 input
 * channels. The innermost loop runs over the channels k of one block, a
 * single basic block with a constant trip count T (4, sometimes 3), and
 * after -O2 reads
 *   w    = sext(4 x E at Q + k*4|E|)                  weights of 4 output channels
 *   x_p  = sext(splat(E at P_p + k*|E|))              one input per output position
 *   acc_p = acc_p + x_p * w       for every position p (11 to 28 of them)
 * with E = i8 or i16, every value a <4 x i32>. That is one 32-bit multiply
 * and add per 4 multiply-adds (`vpmulld` is two uops on x86): about 2
 * multiply-adds per cycle, where the CPU's dot-product instructions do 16 or
 * more.
 *
 * What this pass does. It replaces such a loop by straight-line code that
 * regroups the reduction: for int8, 4 consecutive k per instruction
 * (`vpdpbusd`; without VNNI two `pmaddwd` of sign-extended pairs, with AVX2
 * for two positions at once), for int16, 2 (`vpdpwssd`, or `pmaddwd` + add
 * without VNNI); plain IR elsewhere. Each position's 4 (or 2) inputs are 4
 * contiguous bytes and are read with one 32-bit load; a group's weights are
 * 16 contiguous bytes, read with one 128-bit load and transposed (int8: lane
 * o = w[k..k+3][o]) or interleaved (int16: lane o = w[k][o], w[k+1][o]) once
 * for all positions.
 *
 * Why the values are exact. Wasm adds in wrapping i32; integers mod 2^32 form
 * a ring, so acc + x0*w0 + x1*w1 + ... may be summed in any grouping. Every
 * product of two sign-extended i8 or i16 values fits in i32 exactly.
 *  - int16 pairs: vpdpwssd/pmaddwd return the pair sum mod 2^32 (the one
 *    overflow, (-32768)^2 + (-32768)^2 = 2^31, wraps to 0x80000000, as i32.add
 *    does); never the saturating vpdpwssds.
 *  - int8 quads: vpdpbusd multiplies unsigned by signed bytes and sums the
 *    four products into i32 without saturation. With x' = x XOR 0x80 = x + 128
 *    read as unsigned, dpbusd(acc, x', w) = acc + sum x*w + 128*sum w, so the
 *    pass subtracts corr = dpbusd(0, 0x80..., w), which depends only on the
 *    weights and is shared by all positions. Never the saturating vpdpbusds
 *    or vpmaddubsw.
 * The unit test (tests/compiler/int_dot) runs both forms against the loop on
 * random data and on the extremes of i8/i16 and of the accumulators.
 *
 * Why the traps are exact. The loop has no instruction with an observable
 * effect (wgc_has_effect) and reads nothing but the pattern's loads; each
 * original load reads exactly the bytes attributed to it. The new loads read
 * exactly the union of those bytes, so with guard pages one of them faults
 * iff one of the originals does, and nothing observable happens in between
 * either way. Addresses: an original load in iteration j is at
 * base + zext(i32(a + j*s)) + c (a wrapping i32 sum, then a 64-bit memarg
 * offset c); a group's load is at base + zext(i32(a + g*s)) + c and covers
 * the group's later iterations at + 1..15 in 64 bits. The two differ only
 * when a + g*s + d wraps for some d < 16, that is when a + g*s >= 2^32 - 16;
 * with a memory of at most 65535 pages that address is past the end, so the
 * original load of iteration g traps as the new load does. Hence the same
 * preconditions as address_fold.c: guard pages, memory maximum <= 65535
 * pages (wgc_trap_proof_unmet). The new loads keep load barriers, as the
 * loads they replace did.
 *
 * What it checks (each a reason to leave the loop alone): a single-block
 * loop with one preheader, a constant trip count from an induction variable
 * compared for equality; every phi either an accumulator (incoming from the
 * loop: acc + x*w with the multiply in the loop) or an affine induction
 * (i += constant); every load a pattern load, non-volatile, of exactly the
 * bytes used; inputs advancing by one element and weights by one row per
 * iteration; one weight row shared by every position; nothing computed in
 * the loop used after it except the accumulators' last values.
 */
#include "int_dot.h"

#include <stdlib.h>
#include <string.h>

#include "int_dot_internal.h"
#include "pass_util.h"

/* Phis of the exit block that name the loop as a predecessor get the new
 * block instead; the C API cannot change an incoming block, so such a phi is
 * rebuilt in place with the same incoming values. */
static void retarget_exit_phis(dot_state *s, dot_loop *L, LLVMBasicBlockRef n) {
  LLVMValueRef i = LLVMGetFirstInstruction(L->exit);
  while (i && LLVMIsAPHINode(i)) {
    LLVMValueRef next = LLVMGetNextInstruction(i);
    unsigned nq = LLVMCountIncoming(i);
    bool names_loop = false;
    for (unsigned q = 0; q < nq; q++) names_loop |= LLVMGetIncomingBlock(i, q) == L->b;
    if (names_loop) {
      LLVMPositionBuilderBefore(s->bd, i);
      LLVMValueRef np = LLVMBuildPhi(s->bd, LLVMTypeOf(i), "");
      for (unsigned q = 0; q < nq; q++) {
        LLVMValueRef v = LLVMGetIncomingValue(i, q);
        LLVMBasicBlockRef ib = LLVMGetIncomingBlock(i, q);
        if (ib == L->b) ib = n;
        LLVMAddIncoming(np, &v, &ib, 1);
      }
      size_t len;
      const char *nm = LLVMGetValueName2(i, &len);
      LLVMReplaceAllUsesWith(i, np);
      LLVMSetValueName2(np, nm, len);
      LLVMInstructionEraseFromParent(i);
    }
    i = next;
  }
}

static void delete_block(LLVMBasicBlockRef b) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
    LLVMReplaceAllUsesWith(i, LLVMGetPoison(LLVMTypeOf(i)));
  LLVMDeleteBasicBlock(b);
}

/* ---- driver ------------------------------------------------------------- */

static wgc_dot_isa function_isa(const dot_state *s, LLVMValueRef fn, int forced) {
  if (forced >= 0) return (wgc_dot_isa)forced;
  if (!wgc_module_is_x86_64(s->m)) return WGC_DOT_GENERIC;
  bool vl =
      wgc_fn_has_feature(fn, "+avx512vnni", false) && wgc_fn_has_feature(fn, "+avx512vl", false);
  if (vl && wgc_fn_has_feature(fn, "+avx512f", false)) return WGC_DOT_VNNI512;
  if (vl || wgc_fn_has_feature(fn, "+avxvnni", false)) return WGC_DOT_VNNI;
  return wgc_fn_has_feature(fn, "+sse2", false) ? WGC_DOT_X86 : WGC_DOT_GENERIC;
}

static void run_function(dot_state *s, LLVMValueRef fn, int forced) {
  s->isa = function_isa(s, fn, forced);
  s->avx2 = s->isa >= WGC_DOT_X86 && wgc_fn_has_feature(fn, "+avx2", false);
  unsigned before = s->st->loops;
  bool wide = false;
  dot_loop *L = malloc(sizeof *L);
  if (!L) {
    s->oom = true;
    return;
  }
  LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn);
  while (b) {
    LLVMBasicBlockRef next = LLVMGetNextBasicBlock(b);
    if (wgc_dot_match(L, fn, b)) {
      /* the loop around: 512-bit groups, deferred int8 corrections and
       * 256-bit pairs */
      if (s->isa >= WGC_DOT_X86) wgc_dot_match_outer(L, fn);
      else L->outer_pre = L->outer_exit = NULL;
      LLVMBasicBlockRef n = LLVMInsertBasicBlockInContext(s->lc, L->exit, "dot");
      LLVMPositionBuilderAtEnd(s->bd, n);
      wgc_dot_emit(s, L);
      LLVMBuildBr(s->bd, L->exit);
      LLVMValueRef term = LLVMGetBasicBlockTerminator(L->ph);
      for (unsigned i = 0, ns = LLVMGetNumSuccessors(term); i < ns; i++)
        if (LLVMGetSuccessor(term, i) == L->b) LLVMSetSuccessor(term, i, n);
      /* every use of an accumulator's last value after the loop */
      for (unsigned k = 0; k < L->npos; k++) {
        position *p = &L->pos[k];
        if (!p->result) continue; /* a wide group's lanes: int_dot_emit.c */
        for (LLVMUseRef u = LLVMGetFirstUse(p->next); u;) {
          LLVMUseRef nu = LLVMGetNextUse(u);
          LLVMValueRef user = LLVMGetUser(u);
          if (!wgc_dot_in_loop(L, user))
            for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(user); o < no; o++)
              if (LLVMGetOperand(user, o) == p->next) LLVMSetOperand(user, o, p->result);
          u = nu;
        }
      }
      retarget_exit_phis(s, L, n);
      delete_block(L->b);
      /* a wide group's old phis in the loop around are unused now */
      for (unsigned k = 0; k < L->npos; k++)
        if (!L->pos[k].result && !LLVMGetFirstUse(L->pos[k].outer_phi))
          LLVMInstructionEraseFromParent(L->pos[k].outer_phi);
      if (L->nwide) wide = true;
      s->st->loops++;
      s->st->positions += L->npos;
      if (L->ebytes == 1) s->st->loops_i8++;
      else s->st->loops_i16++;
      if (s->isa >= WGC_DOT_VNNI) s->st->vnni++;
    } else if (L->why) {
      s->st->rejected++;
      if (!s->st->first_reject) s->st->first_reject = L->why;
    }
    b = next;
  }
  free(L);
  if (s->st->loops > before) s->st->functions++;
  if (wide) wgc_fn_allow_512(fn);
}

void wgc_dot_options_init(wgc_dot_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->memory_max_pages = 65536u;
  opt->isa = -1;
  opt->split_chains = -1;
  opt->pair_windows = true;
}

wasmgraph_status wgc_int_dot(wgc_ctx *ctx, LLVMModuleRef m, const wgc_dot_options *opt,
                             wgc_dot_stats *stats) {
  wgc_dot_stats local;
  wgc_dot_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m || !opt) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "int dot: no module");
  if ((st->disabled = wgc_trap_proof_unmet(opt->guard_pages, opt->memory_max_pages)) != NULL)
    return WASMGRAPH_OK;
  wgc_barrier_cache_reset(); /* a new module: forget another context's asm */
  dot_state s = {0};
  s.lc = LLVMGetModuleContext(m);
  s.m = m;
  s.st = st;
  s.split_mode = opt->split_chains;
  s.pair_windows = opt->pair_windows;
  s.bd = LLVMCreateBuilderInContext(s.lc);
  s.i8 = LLVMInt8TypeInContext(s.lc);
  s.i16 = LLVMInt16TypeInContext(s.lc);
  s.i32 = LLVMInt32TypeInContext(s.lc);
  s.i64 = LLVMInt64TypeInContext(s.lc);
  s.v16i8 = LLVMVectorType(s.i8, 16);
  s.v8i16 = LLVMVectorType(s.i16, 8);
  s.v4i32 = LLVMVectorType(s.i32, LANES);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f)) run_function(&s, f, opt->isa);
  LLVMDisposeBuilder(s.bd);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "int dot: out of memory");
  return wgc_verify_after(ctx, m, opt->verify, "int dot");
}
