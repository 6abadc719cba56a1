/*
 * round_lanes.c — a float vector rounded lane by lane as one vector round.
 *
 * The shape. Wasm has no round-half-away-from-zero instruction, so TVM
 * lowers `round` on an f32x4 (the requantize of every relay.quantize model)
 * to four extract_lane / roundf / replace_lane steps. inline_round.c turns
 * each roundf into inline code, so after -O2 a vector V becomes
 *   e_i = extractelement V, i
 *   t_i = trunc(e_i);  a_i = fabs(e_i - t_i)
 *   r_i = a_i >= 0.5 ? t_i + copysign(1, e_i) : t_i
 *   W   = insertelement(... insertelement(_, r_0, 0) ..., r_{n-1}, n-1)
 * with wasm2c's constrained FP operations (dynamic rounding, exceptions
 * ignored): about 10 scalar instructions per lane. squeezenet1_1_int8
 * spends a fifth of its time in such loops.
 *
 * What this pass does. For a tree of insertelement and shufflevector that
 * sets two or more lanes of a float (or double) vector, every set lane i to
 * that round of lane sel(i) of one vector V (the other lanes undef), it
 * builds the same operations once, as vector operations (vroundps, vsubps,
 * vandps, vcmpps, a sign copy, vaddps, a blend), on V, or on
 * shufflevector(V, sel) where the lanes are not in place: instcombine leaves
 * mobilenet_v2_qnn's three-channel input quantize as three inserts and a
 * shuffle that copies lane 0 into the unused lane 3. The tree's users read
 * the result instead, and the scalar code is deleted.
 *
 * Why it is exact. Every operation is lane-wise and IEEE-defined per lane:
 * lane i of the vector trunc, subtraction, absolute value, comparison, sign
 * copy, addition and select is the scalar operation on lane i's operands
 * (lane sel(i) of V, where the shuffle put it),
 * with the same rounding mode (dynamic) and the same exception behaviour
 * (ignored), NaN operands included (x86 returns the first NaN operand,
 * quieted, in the scalar and the packed forms alike). So W's lanes are the
 * same bits. tests/compiler/round_lanes runs both forms on every float class
 * and compares bits; compiler.tile_vectorize.fixtures compares the models'
 * outputs byte for byte. Nothing reads or writes memory.
 *
 * Lane conversions. The cast after the round (to int8) converts the same
 * vector's lanes one by one as well: x86's cvttss2si of lane k, since
 * trunc_guards.c took its guards away. Where two or more lanes of one
 * vector V are converted, one cvttps2dq of V right after V's definition
 * gives them all, and each conversion becomes an extract of its lane:
 * cvttps2dq's lane k is cvttss2si of lane k, bit for bit (the truncation,
 * or INT_MIN, the "integer indefinite", for NaN and values out of range).
 * The conversion has no side effect (exceptions are ignored), so computing
 * lanes nobody uses is harmless.
 */
#include "round_lanes.h"

#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

enum { MAX_LANES = 16 };

typedef struct rl_state {
  LLVMModuleRef m;
  LLVMContextRef c;
  LLVMBuilderRef bd;
  wgc_round_lanes_stats *st;
} rl_state;

/* A call of the intrinsic whose name starts with `prefix`, with n args. */
static bool is_call(LLVMValueRef v, const char *prefix, unsigned n) {
  const char *name = wgc_callee_name(v);
  return name && strncmp(name, prefix, strlen(prefix)) == 0 &&
         (unsigned)LLVMGetNumArgOperands(v) == n;
}

/* One lane's inline round (inline_round.c's code after -O2). */
typedef struct lane_round {
  LLVMValueRef e, t, d, a, c, one, u, sel;
} lane_round;

static bool match_round(LLVMValueRef r, lane_round *L) {
  if (!LLVMIsASelectInst(r)) return false;
  L->sel = r;
  L->c = LLVMGetOperand(r, 0);
  L->u = LLVMGetOperand(r, 1);
  L->t = LLVMGetOperand(r, 2);
  if (!is_call(L->t, "llvm.experimental.constrained.trunc.", 2) ||
      !wgc_md_arg_is(L->t, 1, "fpexcept.ignore"))
    return false;
  L->e = LLVMGetOperand(L->t, 0);
  if (!is_call(L->u, "llvm.experimental.constrained.fadd.", 4) || LLVMGetOperand(L->u, 0) != L->t ||
      !wgc_md_arg_is(L->u, 2, "round.dynamic") || !wgc_md_arg_is(L->u, 3, "fpexcept.ignore"))
    return false;
  L->one = LLVMGetOperand(L->u, 1);
  if (!is_call(L->one, "llvm.copysign.", 2) || !wgc_is_fp_const(LLVMGetOperand(L->one, 0), 1.0) ||
      LLVMGetOperand(L->one, 1) != L->e)
    return false;
  if (!is_call(L->c, "llvm.experimental.constrained.fcmp.", 4) ||
      !wgc_is_fp_const(LLVMGetOperand(L->c, 1), 0.5) || !wgc_md_arg_is(L->c, 2, "oge") ||
      !wgc_md_arg_is(L->c, 3, "fpexcept.ignore"))
    return false;
  L->a = LLVMGetOperand(L->c, 0);
  if (!is_call(L->a, "llvm.fabs.", 1)) return false;
  L->d = LLVMGetOperand(L->a, 0);
  return is_call(L->d, "llvm.experimental.constrained.fsub.", 4) &&
         LLVMGetOperand(L->d, 0) == L->e && LLVMGetOperand(L->d, 1) == L->t &&
         wgc_md_arg_is(L->d, 2, "round.dynamic") && wgc_md_arg_is(L->d, 3, "fpexcept.ignore");
}

static void erase_if_dead(LLVMValueRef v) {
  if (v && LLVMIsAInstruction(v) && !LLVMGetFirstUse(v)) LLVMInstructionEraseFromParent(v);
}

static LLVMValueRef splat(LLVMTypeRef vt, unsigned n, double x) {
  LLVMValueRef e[MAX_LANES];
  for (unsigned i = 0; i < n; i++) e[i] = LLVMConstReal(LLVMGetElementType(vt), x);
  return LLVMConstVector(e, n);
}

/* The round of V as vector operations, before `at`. */
static LLVMValueRef vector_round(rl_state *s, LLVMValueRef V, LLVMValueRef at, unsigned n) {
  LLVMTypeRef vt = LLVMTypeOf(V);
  LLVMValueRef ign = wgc_md_string(s->c, "fpexcept.ignore"),
               dyn = wgc_md_string(s->c, "round.dynamic");
  LLVMPositionBuilderBefore(s->bd, at);
  LLVMValueRef a_tr[2] = {V, ign};
  LLVMValueRef t =
      wgc_build_intrinsic(s->m, s->bd, "llvm.experimental.constrained.trunc", vt, a_tr, 2, true);
  LLVMValueRef a_sub[4] = {V, t, dyn, ign};
  LLVMValueRef d =
      wgc_build_intrinsic(s->m, s->bd, "llvm.experimental.constrained.fsub", vt, a_sub, 4, true);
  LLVMValueRef a = wgc_build_intrinsic(s->m, s->bd, "llvm.fabs", vt, &d, 1, false);
  LLVMValueRef a_cmp[4] = {a, splat(vt, n, 0.5), wgc_md_string(s->c, "oge"), ign};
  LLVMValueRef c =
      wgc_build_intrinsic(s->m, s->bd, "llvm.experimental.constrained.fcmp", vt, a_cmp, 4, true);
  LLVMValueRef a_sign[2] = {splat(vt, n, 1.0), V};
  LLVMValueRef one = wgc_build_intrinsic(s->m, s->bd, "llvm.copysign", vt, a_sign, 2, false);
  LLVMValueRef a_add[4] = {t, one, dyn, ign};
  LLVMValueRef u =
      wgc_build_intrinsic(s->m, s->bd, "llvm.experimental.constrained.fadd", vt, a_add, 4, true);
  return LLVMBuildSelect(s->bd, c, u, t, "round.lanes");
}

/* Deletes the insertelement/shufflevector tree under `v` as far as it is
 * dead (each node once its last user is gone). */
static void erase_dead_tree(LLVMValueRef v) {
  for (unsigned depth = 0; depth < 64; depth++) {
    if (!(LLVMIsAInsertElementInst(v) || LLVMIsAShuffleVectorInst(v)) || LLVMGetFirstUse(v)) return;
    LLVMValueRef a = LLVMGetOperand(v, 0);
    LLVMValueRef b = LLVMIsAShuffleVectorInst(v) ? LLVMGetOperand(v, 1) : NULL;
    LLVMInstructionEraseFromParent(v);
    if (b && b != a) erase_dead_tree(b);
    v = a;
  }
}

/* Replaces the insertelement/shufflevector tree rooted at `root` if every
 * lane it sets is the round of a lane of one vector V (lane i of the tree
 * = round(V[sel_i]), in any order, lanes repeated or undef): the vector
 * round of shufflevector(V, sel), or of V itself when sel is the identity.
 * True if it did. */
static bool try_tree(rl_state *s, LLVMValueRef root) {
  LLVMTypeRef vt = LLVMTypeOf(root);
  LLVMTypeKind ek = LLVMGetTypeKind(LLVMGetElementType(vt));
  unsigned n = LLVMGetVectorSize(vt);
  if ((ek != LLVMFloatTypeKind && ek != LLVMDoubleTypeKind) || n < 2 || n > MAX_LANES) return false;
  lane_round r[MAX_LANES];
  bool set[MAX_LANES] = {false};
  int sel[MAX_LANES];
  LLVMValueRef V = NULL;
  unsigned nset = 0;
  bool identity = true;
  for (unsigned i = 0; i < n; i++) {
    bool undef;
    LLVMValueRef x = wgc_tree_lane(root, i, &undef);
    sel[i] = -1;
    if (undef) continue;
    if (!x || !match_round(x, &r[i]) || !LLVMIsAExtractElementInst(r[i].e)) return false;
    LLVMValueRef src = LLVMGetOperand(r[i].e, 0), idx = LLVMGetOperand(r[i].e, 1);
    if (!LLVMIsAConstantInt(idx) || LLVMConstIntGetZExtValue(idx) >= n) return false;
    if (!V) V = src;
    if (src != V || LLVMTypeOf(V) != vt) return false;
    /* each round feeds only the tree: else the scalar code stays as well */
    LLVMUseRef u = LLVMGetFirstUse(r[i].sel);
    if (!u || LLVMGetNextUse(u) || !LLVMIsAInsertElementInst(LLVMGetUser(u))) return false;
    sel[i] = (int)LLVMConstIntGetZExtValue(idx);
    identity &= sel[i] == (int)i;
    set[i] = true;
    nset++;
  }
  if (nset < 2) return false; /* one lane: the scalar code is as short */
  LLVMValueRef src = V;
  if (!identity) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(s->c);
    LLVMValueRef mk[MAX_LANES];
    for (unsigned i = 0; i < n; i++)
      mk[i] = sel[i] < 0 ? LLVMGetUndef(i32) : LLVMConstInt(i32, (unsigned)sel[i], 0);
    LLVMPositionBuilderBefore(s->bd, root);
    src = LLVMBuildShuffleVector(s->bd, V, LLVMGetUndef(vt), LLVMConstVector(mk, n), "round.sel");
  }
  LLVMValueRef w = vector_round(s, src, root, n);
  LLVMReplaceAllUsesWith(root, w);
  /* the tree, then each lane's scalar code, as it goes dead */
  erase_dead_tree(root);
  for (unsigned i = 0; i < n; i++) {
    bool first = set[i];
    for (unsigned j = 0; first && j < i; j++) first = !set[j] || r[j].sel != r[i].sel;
    if (!first) continue; /* a lane a shuffle copied: its code is gone with the first */
    s->st->lanes++;
    LLVMValueRef order[] = {r[i].sel, r[i].u, r[i].one, r[i].c, r[i].a, r[i].d, r[i].t, r[i].e};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) erase_if_dead(order[k]);
  }
  s->st->vectors++;
  return true;
}

/* The vector and lane that cvttss2si call `cvt` converts (lane 0 of its
 * operand): V itself, shufflevector(V, _, <k, ...>), or
 * insertelement(_, extractelement(V, k), 0). */
static LLVMValueRef converted_lane(LLVMValueRef cvt, unsigned *k) {
  const char *name = wgc_callee_name(cvt);
  if (!name || strcmp(name, "llvm.x86.sse.cvttss2si") != 0) return NULL;
  LLVMValueRef s = LLVMGetOperand(cvt, 0);
  if ((LLVMIsAShuffleVectorInst(s) && LLVMGetVectorSize(LLVMTypeOf(LLVMGetOperand(s, 0))) == 4) ||
      LLVMIsAInsertElementInst(s)) {
    LLVMValueRef v = wgc_lane0_source(s, k);
    return v && LLVMGetVectorSize(LLVMTypeOf(v)) == 4 ? v : NULL;
  }
  *k = 0;
  return s;
}

enum { MAX_CVTS = 4096 };

typedef struct lane_cvt {
  LLVMValueRef call, v;
  unsigned k;
} lane_cvt;

/* Where a value defined by v can be used first: after its phis, or right
 * after it; the entry block's start for an argument. */
static void position_after(LLVMBuilderRef bd, LLVMValueRef fn, LLVMValueRef v) {
  if (!LLVMIsAInstruction(v)) {
    LLVMValueRef first = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(fn));
    LLVMPositionBuilderBefore(bd, first);
    return;
  }
  LLVMValueRef next = LLVMGetNextInstruction(v);
  while (next && LLVMIsAPHINode(next)) next = LLVMGetNextInstruction(next);
  LLVMPositionBuilderBefore(bd, next);
}

/* Lane conversions of one function (the top of the file). */
static bool join_conversions(rl_state *s, LLVMValueRef fn) {
  lane_cvt *cv = malloc(MAX_CVTS * sizeof *cv);
  if (!cv) return false;
  unsigned n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i && n < MAX_CVTS;
         i = LLVMGetNextInstruction(i)) {
      unsigned k;
      LLVMValueRef v = LLVMIsACallInst(i) ? converted_lane(i, &k) : NULL;
      if (v && LLVMGetTypeKind(LLVMGetElementType(LLVMTypeOf(v))) == LLVMFloatTypeKind &&
          !LLVMIsAConstant(v))
        cv[n++] = (lane_cvt){i, v, k};
    }
  bool changed = false;
  for (unsigned a = 0; a < n; a++) {
    if (!cv[a].call) continue;
    unsigned lanes = 0;
    for (unsigned b = a; b < n; b++) lanes += cv[b].call && cv[b].v == cv[a].v;
    if (lanes < 2) continue;
    position_after(s->bd, fn, cv[a].v);
    LLVMValueRef v = cv[a].v;
    LLVMValueRef vc =
        wgc_build_intrinsic(s->m, s->bd, "llvm.x86.sse2.cvttps2dq", NULL, &v, 1, false);
    for (unsigned b = a; b < n; b++) {
      if (!cv[b].call || cv[b].v != v) continue;
      LLVMPositionBuilderBefore(s->bd, cv[b].call);
      LLVMValueRef lane = LLVMBuildExtractElement(
          s->bd, vc, LLVMConstInt(LLVMInt64TypeInContext(s->c), cv[b].k, 0), "cvt.lane");
      LLVMReplaceAllUsesWith(cv[b].call, lane);
      LLVMValueRef op = LLVMGetOperand(cv[b].call, 0);
      LLVMInstructionEraseFromParent(cv[b].call);
      erase_if_dead(op);
      cv[b].call = NULL;
      s->st->cvt_lanes++;
    }
    s->st->cvt_vectors++;
    changed = true;
  }
  free(cv);
  if (changed) s->st->cvt_functions++;
  return true;
}

static bool run_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  rl_state *s = state;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;) {
    LLVMValueRef next = LLVMGetNextInstruction(i);
    /* a tree's root: not the only use's vector operand of another insert
     * or shuffle */
    if (LLVMIsAInsertElementInst(i) || LLVMIsAShuffleVectorInst(i)) {
      LLVMUseRef u = LLVMGetFirstUse(i);
      LLVMValueRef user = u && !LLVMGetNextUse(u) ? LLVMGetUser(u) : NULL;
      bool inner = user && ((LLVMIsAInsertElementInst(user) && LLVMGetOperand(user, 0) == i) ||
                            LLVMIsAShuffleVectorInst(user));
      if (!inner && try_tree(s, i)) {
        *done = 1;
        /* the erased scalar code may include `next`: start the block over */
        next = LLVMGetFirstInstruction(bb);
      }
    }
    i = next;
  }
  return true;
}

wasmgraph_status wgc_round_lanes(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_round_lanes_stats *stats) {
  wgc_round_lanes_stats local;
  wgc_round_lanes_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "round lanes: no module");
  rl_state s = {m, LLVMGetModuleContext(m), NULL, st};
  s.bd = LLVMCreateBuilderInContext(s.c);
  if (!s.bd) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "round lanes: out of memory");
  bool ok = wgc_for_each_block(m, run_block, &s, &st->functions);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && ok; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f)) ok = join_conversions(&s, f);
  LLVMDisposeBuilder(s.bd);
  if (!ok) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "round lanes: out of memory");
  return wgc_verify_after(ctx, m, verify, "round lanes");
}
