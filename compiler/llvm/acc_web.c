/*
 * acc_web.c — accumulator webs, shared by tile_vectorize.c (scalar f32
 * tiles) and v128_pair.c (pairs of <4 x float> accumulators).
 *
 * An accumulator web: steps acc' = fadd(fmul(a, b), acc) grouped into lanes
 * of one future vector operation, plus the phis that carry the
 * accumulators around loops, connected through accumulator edges (a step's
 * acc, a phi's incoming values, and the users of both). A group is packed
 * only if its whole web is: badness spreads along every edge, both ways
 * (propagate), and a step group must be reachable from a phi group through
 * accumulators (check_ready) so its accumulator vector exists before it.
 * Every lane keeps its scalar value available to users outside the web.
 *
 * The fixpoint terminates: every change marks a group bad (never undone) or
 * adds a phi group (each phi joins at most one, and there are finitely many).
 * Nothing is rewritten before it is done, and the rewrite allocates nothing,
 * so running out of memory leaves the function unchanged.
 */
#include "acc_web.h"

#include <stdlib.h>
#include <string.h>

#include "pass_util.h" /* wgc_verify_after, wgc_hash_ptr */

bool wgc_acc_grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t n = *cap ? *cap : 64;
  while (n < need) {
    if (n > SIZE_MAX / 2 / elem) return false;
    n *= 2;
  }
  void *q = realloc(*p, n * elem);
  if (!q) return false;
  *p = q;
  *cap = n;
  return true;
}

/* Zeroes w and looks up what the rewrite needs; false if LLVM lacks the
 * constrained intrinsics. */
static bool wgc_acc_web_init(acc_web *w, LLVMModuleRef m, size_t cand_size) {
  memset(w, 0, sizeof *w);
  w->m = m;
  w->lc = LLVMGetModuleContext(m);
  w->cand_size = cand_size;
  w->id_fmul = LLVMLookupIntrinsicID(WGC_LIT("llvm.experimental.constrained.fmul"));
  w->id_fadd = LLVMLookupIntrinsicID(WGC_LIT("llvm.experimental.constrained.fadd"));
  w->strictfp =
      LLVMCreateEnumAttribute(w->lc, LLVMGetEnumAttributeKindForName(WGC_LIT("strictfp")), 0);
  return w->id_fmul && w->id_fadd;
}

/* Forgets the previous function's candidates, groups and map entries. */
static void acc_web_reset(acc_web *w) {
  w->nc = w->ng = w->map_count = 0;
  if (w->map) memset(w->map, 0, w->map_cap * sizeof *w->map);
}

static void acc_web_free(acc_web *w) {
  free(w->c);
  free(w->g);
  free(w->map);
  w->c = NULL;
  w->g = NULL;
  w->map = NULL;
}

/* ---- the value -> (group, lane) map ------------------------------------- */

static size_t hash_ptr(LLVMValueRef v, size_t cap) { return wgc_hash_ptr(v) & (cap - 1); }

int32_t wgc_acc_web_lookup(const acc_web *w, LLVMValueRef v, int32_t *lane) {
  if (!w->map_cap || !v) return ACC_NOT_LANE;
  for (size_t i = hash_ptr(v, w->map_cap);; i = (i + 1) & (w->map_cap - 1)) {
    if (w->map[i].key == v) {
      if (lane) *lane = w->map[i].lane;
      return w->map[i].group;
    }
    if (!w->map[i].key) return ACC_NOT_LANE;
  }
}

bool wgc_acc_web_put(acc_web *w, LLVMValueRef v, int32_t group, int32_t lane) {
  if ((w->map_count + 1) * 2 > w->map_cap) {
    size_t ncap = w->map_cap ? w->map_cap * 2 : 1024;
    if (ncap > SIZE_MAX / sizeof(acc_slot)) return false;
    acc_slot *n = calloc(ncap, sizeof *n);
    if (!n) return false;
    for (size_t i = 0; i < w->map_cap; i++) {
      if (!w->map[i].key) continue;
      size_t j = hash_ptr(w->map[i].key, ncap);
      while (n[j].key) j = (j + 1) & (ncap - 1);
      n[j] = w->map[i];
    }
    free(w->map);
    w->map = n;
    w->map_cap = ncap;
  }
  size_t i = hash_ptr(v, w->map_cap);
  while (w->map[i].key && w->map[i].key != v) i = (i + 1) & (w->map_cap - 1);
  if (!w->map[i].key) w->map_count++;
  w->map[i].key = v;
  w->map[i].group = group;
  w->map[i].lane = lane;
  return true;
}

int wgc_acc_web_new_group(acc_web *w, unsigned kind, unsigned n, LLVMBasicBlockRef bb) {
  if (w->ng >= INT32_MAX || !wgc_acc_grow((void **)&w->g, &w->cg, w->ng + 1, sizeof *w->g)) {
    w->oom = true;
    return -1;
  }
  acc_group *g = &w->g[w->ng];
  memset(g, 0, sizeof *g);
  g->kind = (unsigned char)kind;
  g->n = (unsigned char)n;
  g->bb = bb;
  return (int)w->ng++;
}

/* ---- finding steps ------------------------------------------------------ */

/* A constrained fmul/fadd: 4 arguments (a, b, rounding, except). */
static bool is_constrained(LLVMValueRef v, const char *name, LLVMTypeRef type) {
  const char *n = wgc_callee_name(v);
  return n && strcmp(n, name) == 0 && LLVMGetNumArgOperands(v) == 4 && LLVMTypeOf(v) == type;
}

/* A step's add or multiply: the constrained call `name`, or with name NULL
 * the integer instruction `op` (no metadata: wrapping, exact in any lane). */
static bool is_step_op(LLVMValueRef v, const char *name, LLVMOpcode op, LLVMTypeRef type) {
  if (name) return is_constrained(v, name, type);
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == op && LLVMTypeOf(v) == type;
}

static bool has_one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

void wgc_acc_web_collect_steps(acc_web *w, LLVMBasicBlockRef b, const char *fadd_name,
                               const char *fmul_name, LLVMTypeRef type) {
  uint32_t pos = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i), pos++) {
    if (!is_step_op(i, fadd_name, LLVMAdd, type)) continue;
    for (unsigned mo = 0; mo < 2; mo++) {
      LLVMValueRef mul = LLVMGetOperand(i, mo);
      /* A product used elsewhere too must stay as it is (unpacked). */
      if (!is_step_op(mul, fmul_name, LLVMMul, type) || LLVMGetInstructionParent(mul) != b ||
          !has_one_use(mul))
        continue;
      if (!wgc_acc_grow((void **)&w->c, &w->cc, w->nc + 1, w->cand_size) || w->nc >= UINT32_MAX) {
        w->oom = true;
        return;
      }
      acc_cand *c = wgc_acc_web_cand(w, w->nc++);
      memset(c, 0, w->cand_size);
      c->step = i;
      c->mul = mul;
      c->acc = LLVMGetOperand(i, 1 - mo);
      c->pos = pos;
      break;
    }
  }
}

/* ---- validating the webs ------------------------------------------------ */

LLVMValueRef wgc_acc_incoming_from(LLVMValueRef phi, LLVMBasicBlockRef bb) {
  unsigned n = LLVMCountIncoming(phi);
  for (unsigned q = 0; q < n; q++)
    if (LLVMGetIncomingBlock(phi, q) == bb) return LLVMGetIncomingValue(phi, q);
  return NULL;
}

bool wgc_acc_comes_after(LLVMValueRef first, LLVMValueRef later) {
  for (LLVMValueRef i = LLVMGetNextInstruction(first); i; i = LLVMGetNextInstruction(i))
    if (i == later) return true;
  return false;
}

bool wgc_acc_web_try_phi_group(acc_web *w, LLVMValueRef *vals, unsigned n, LLVMTypeRef type) {
  LLVMBasicBlockRef bb = NULL;
  for (unsigned t = 0; t < n; t++) {
    if (!LLVMIsAPHINode(vals[t]) || LLVMTypeOf(vals[t]) != type ||
        wgc_acc_web_lookup(w, vals[t], NULL) >= 0)
      return false;
    if (t == 0) bb = LLVMGetInstructionParent(vals[0]);
    if (LLVMGetInstructionParent(vals[t]) != bb) return false;
    for (unsigned u = 0; u < t; u++)
      if (vals[u] == vals[t]) return false;
  }
  int gi = wgc_acc_web_new_group(w, ACC_PHI, n, bb);
  if (gi < 0) return false;
  for (unsigned t = 0; t < n; t++) {
    w->g[gi].lanes[t] = vals[t];
    if (!wgc_acc_web_put(w, vals[t], gi, (int32_t)t)) {
      w->oom = true;
      return false;
    }
  }
  return true;
}

bool wgc_acc_web_lanes_match(const acc_web *w, LLVMValueRef *vals, unsigned n) {
  int32_t l, g0 = wgc_acc_web_lookup(w, vals[0], NULL);
  if (g0 < 0 || w->g[g0].bad || w->g[g0].n != n) return false;
  for (unsigned t = 0; t < n; t++)
    if (!vals[t] || wgc_acc_web_lookup(w, vals[t], &l) != g0 || l != (int32_t)t) return false;
  return true;
}

/* Badness spreads along every accumulator edge, both ways. */
static bool propagate(acc_web *w, size_t gi) {
  acc_group *g = &w->g[gi];
  for (unsigned t = 0; t < g->n; t++) {
    LLVMValueRef v = g->lanes[t];
    int32_t o;
    if (g->kind == ACC_STEP) {
      o = wgc_acc_web_lookup(w, wgc_acc_web_cand(w, g->cand[t])->acc, NULL);
      if (o >= 0 && w->g[o].bad) goto bad;
    } else {
      unsigned ni = LLVMCountIncoming(v);
      for (unsigned q = 0; q < ni; q++) {
        o = wgc_acc_web_lookup(w, LLVMGetIncomingValue(v, q), NULL);
        if (o >= 0 && w->g[o].bad) goto bad;
      }
    }
    for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
      o = wgc_acc_web_lookup(w, LLVMGetUser(u), NULL);
      if (o >= 0 && w->g[o].bad) goto bad;
    }
  }
  return false;
bad:
  g->bad = true;
  return true;
}

/* Step groups are built once their accumulator vector exists; the chain
 * from a phi group is acyclic in SSA, so every good group gets ready. A
 * group that does not is dropped rather than trusted. */
static bool check_ready(acc_web *w) {
  for (size_t i = 0; i < w->ng; i++) w->g[i].ready = !w->g[i].bad && w->g[i].kind == ACC_PHI;
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < w->ng; i++) {
      acc_group *g = &w->g[i];
      if (g->bad || g->ready) continue;
      int32_t a = wgc_acc_web_lookup(w, wgc_acc_web_cand(w, g->cand[0])->acc, NULL);
      if (a >= 0 && w->g[a].ready) g->ready = progress = true;
    }
  }
  bool changed = false;
  for (size_t i = 0; i < w->ng; i++)
    if (!w->g[i].bad && !w->g[i].ready) w->g[i].bad = changed = true;
  return changed;
}

/* Fixpoint: every change marks a group bad or adds a phi group (each phi at
 * most once), so it terminates. Afterwards every group that is not bad is
 * packable, its whole web with it. */
static void validate_all(acc_web *w, acc_validate_fn step, acc_validate_fn phi, void *pass) {
  bool changed = true;
  while (changed && !w->oom) {
    changed = false;
    for (size_t i = 0; i < w->ng && !w->oom; i++) {
      if (w->g[i].bad) continue;
      changed |= w->g[i].kind == ACC_STEP ? step(pass, i) : phi(pass, i);
    }
    for (size_t i = 0; i < w->ng; i++)
      if (!w->g[i].bad) changed |= propagate(w, i);
    if (!changed) changed = check_ready(w);
  }
}

/* Forgets the previous function, finds f's candidates and step groups and
 * runs the fixpoint. Nothing of f is changed; check w->oom before using n. */
static void analyze(acc_web *w, LLVMValueRef f, const acc_pass *ops, void *pass, acc_counts *n) {
  memset(n, 0, sizeof *n);
  acc_web_reset(w);
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b && !w->oom; b = LLVMGetNextBasicBlock(b))
    ops->find(pass, b);
  if (!w->ng || w->oom) return;
  validate_all(w, ops->validate_step, ops->validate_phi, pass);
  if (w->oom) return;
  for (size_t i = 0; i < w->ng; i++) {
    if (w->g[i].bad) {
      if (w->g[i].kind == ACC_STEP) n->rejected++;
    } else if (w->g[i].kind == ACC_STEP) {
      n->good++;
    } else {
      n->phis++;
    }
  }
}

/* ---- rewriting ---------------------------------------------------------- */

/* Every use of a lane outside the web reads a lane of the vector instead. */
static void extract_external(acc_web *w, LLVMBuilderRef bd, acc_group *g,
                             const acc_rewrite_ops *ops, void *pass) {
  for (unsigned t = 0; t < g->n; t++) {
    LLVMValueRef v = g->lanes[t];
    for (;;) {
      LLVMValueRef user = NULL;
      for (LLVMUseRef u = LLVMGetFirstUse(v); u && !user; u = LLVMGetNextUse(u)) {
        int32_t o = wgc_acc_web_lookup(w, LLVMGetUser(u), NULL);
        if (o < 0 || w->g[o].bad) user = LLVMGetUser(u);
      }
      if (!user) break;
      int nop = LLVMGetNumOperands(user);
      for (int o = 0; o < nop; o++) {
        if (LLVMGetOperand(user, (unsigned)o) != v) continue;
        if (LLVMIsAPHINode(user))
          LLVMPositionBuilderBefore(
              bd, LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(user, (unsigned)o)));
        else LLVMPositionBuilderBefore(bd, user);
        LLVMSetOperand(user, (unsigned)o, ops->extract(pass, bd, g, t, user));
      }
    }
  }
}

void wgc_acc_web_rewrite(acc_web *w, LLVMBuilderRef bd, const acc_rewrite_ops *ops, void *pass) {
  /* 1. vector phis (incomings later: they may come from step groups) */
  for (size_t i = 0; i < w->ng; i++) {
    acc_group *g = &w->g[i];
    if (g->bad || g->kind != ACC_PHI) continue;
    /* the lanes' element type: float, i32, or the element of a <4 x float> lane */
    LLVMTypeRef et = LLVMTypeOf(g->lanes[0]);
    if (LLVMGetTypeKind(et) == LLVMVectorTypeKind) et = LLVMGetElementType(et);
    LLVMPositionBuilderBefore(bd, LLVMGetFirstInstruction(g->bb));
    g->vec = LLVMBuildPhi(bd, LLVMVectorType(et, g->n * ops->lane_floats), ops->phi_name);
  }
  /* 2. step groups, each after the vector of its accumulators */
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < w->ng; i++) {
      acc_group *g = &w->g[i];
      if (g->bad || g->kind != ACC_STEP || g->vec) continue;
      if (!w->g[wgc_acc_web_lookup(w, wgc_acc_web_cand(w, g->cand[0])->acc, NULL)].vec) continue;
      ops->build_step(pass, bd, g);
      progress = true;
    }
  }
  /* 3. phi incomings: a group's vector, or the entry values gathered */
  for (size_t i = 0; i < w->ng; i++) {
    acc_group *g = &w->g[i];
    if (g->bad || g->kind != ACC_PHI) continue;
    LLVMValueRef p0 = g->lanes[0];
    unsigned ni = LLVMCountIncoming(p0);
    for (unsigned k = 0; k < ni; k++) {
      LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
      LLVMValueRef v0 = LLVMGetIncomingValue(p0, k), iv;
      int32_t o = wgc_acc_web_lookup(w, v0, NULL);
      if (o >= 0) {
        iv = w->g[o].vec;
      } else {
        LLVMPositionBuilderBefore(bd, LLVMGetBasicBlockTerminator(ib));
        iv = ops->gather(pass, bd, g, ib, v0);
      }
      LLVMAddIncoming(g->vec, &iv, &ib, 1);
    }
  }
  /* 4. lanes leaving the web */
  for (size_t i = 0; i < w->ng; i++)
    if (!w->g[i].bad) extract_external(w, bd, &w->g[i], ops, pass);
  /* 5. the scalar lanes and their products */
  for (size_t i = 0; i < w->ng; i++) {
    acc_group *g = &w->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < g->n; t++)
      LLVMReplaceAllUsesWith(g->lanes[t], LLVMGetPoison(LLVMTypeOf(g->lanes[t])));
  }
  for (size_t i = 0; i < w->ng; i++) {
    acc_group *g = &w->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < g->n; t++) {
      LLVMInstructionEraseFromParent(g->lanes[t]);
      if (g->kind == ACC_STEP) LLVMInstructionEraseFromParent(wgc_acc_web_cand(w, g->cand[t])->mul);
    }
  }
}

LLVMValueRef wgc_acc_web_build_constrained(acc_web *w, LLVMBuilderRef bd, unsigned id,
                                           LLVMTypeRef vt, LLVMValueRef a, LLVMValueRef b,
                                           LLVMValueRef orig, const char *name) {
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(w->m, id, &vt, 1);
  LLVMTypeRef ft = LLVMIntrinsicGetType(w->lc, id, &vt, 1);
  /* the original's rounding and exception-behaviour metadata */
  LLVMValueRef args[4] = {a, b, LLVMGetOperand(orig, 2), LLVMGetOperand(orig, 3)};
  LLVMValueRef call = LLVMBuildCall2(bd, ft, fn, args, 4, name);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, w->strictfp);
  return call;
}

wasmgraph_status wgc_acc_web_run(acc_web *w, wgc_ctx *ctx, LLVMModuleRef m, const acc_pass *ops,
                                 void *pass, bool verify) {
  wgc_barrier_cache_reset(); /* a new module: forget another context's asm */
  bool have = wgc_acc_web_init(w, m, ops->cand_size);
  LLVMBuilderRef bd = LLVMCreateBuilderInContext(w->lc);
  if (!bd || !have) {
    LLVMDisposeBuilder(bd);
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: LLVM lacks constrained intrinsics",
                    ops->name);
  }
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !w->oom; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    acc_counts n;
    analyze(w, f, ops, pass, &n);
    if (w->oom) break; /* nothing of this function was changed yet */
    if (!ops->prepare(pass, &n)) {
      w->oom = true;
      break;
    }
    if (n.good) ops->transform(pass, bd);
  }
  LLVMDisposeBuilder(bd);
  bool oom = w->oom;
  acc_web_free(w);
  if (oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "%s: out of memory", ops->name);
  return wgc_verify_after(ctx, m, verify, ops->name);
}
