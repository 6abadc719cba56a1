/*
 * lane_casts.c — a vector built lane by lane from casts of other vectors'
 * lanes, as the same casts on whole vectors.
 *
 * The shapes. Wasm SIMD has no conversion between i8x16 and f32x4, so TVM's
 * int8 <-> float casts (the dequantize and requantize of every relay.quantize
 * model) reach wasm as one lane at a time:
 *   - int8 to float: i8x16.extract_lane_s i, f32.convert_i32_s,
 *     f32x4.replace_lane i. After -O2 that is, per lane,
 *     sitofp(sext(extractelement V, b + i)) inserted at lane i, with
 *     wasm2c's constrained sitofp. Where V was loaded as a scalar (v128.load32_zero,
 *     load64_zero), instcombine writes lane 0's extract as the low byte of
 *     that scalar: ashr(shl(trunc X, 24), 24).
 *   - float to int8, once trunc_guards.c and round_lanes.c ran: each lane of
 *     a cvttps2dq result truncated to i8 and inserted into an i8x16, four
 *     vectors' lanes gathered by inserts and shuffles.
 * The x86 code is 4-5 instructions per lane (vpextrb, movsx, vcvtsi2ss,
 * vinsertps; or vpextrd, vpinsrb). LLVM's SLP vectorizer does not join
 * constrained operations, and the narrowings are created after the last
 * -O2 (by round_lanes.c), so both stay scalar.
 *
 * What this pass does. For a vector R built by insertelement and
 * shufflevector from scalars, where every lane i that R sets is the same
 * chain of casts (trunc, sext, zext, sitofp, uitofp, constrained or not) of
 * lane k_i of one of at most four source vectors of one type, it gathers the
 * lanes k_i with shuffles and applies the casts once to the gathered vector.
 * R's users read that instead; the scalar code goes once it is dead.
 *
 * Why it is exact. Every cast is lane-wise: lane i of a vector trunc, sext,
 * zext or sitofp is that cast of lane i's operand, and a constrained vector
 * conversion keeps the same rounding mode and exception behaviour as the
 * scalar one it replaces (copied from it). The shuffles move bits. Lanes
 * that R leaves undef stay undef. Nothing reads or writes memory.
 * tests/compiler/lane_casts runs both forms on random and extreme inputs
 * and compares bits; compiler.tile_vectorize.fixtures compares the models'
 * outputs byte for byte.
 */
#include "lane_casts.h"

#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

enum { MAX_LANES = 16, MAX_OPS = 4, MAX_SOURCES = 4, MAX_TREE = 64, MAX_DEAD = 512 };

/* One cast of a lane's chain: its opcode (LLVMTrunc, LLVMSExt, LLVMZExt,
 * LLVMSIToFP or LLVMUIToFP; a constrained conversion is recorded as the
 * SIToFP/UIToFP it rounds like), its result type (scalar), and for a
 * constrained conversion the call's rounding and exception metadata. */
typedef struct cast_op {
  LLVMOpcode op;
  LLVMTypeRef to;
  LLVMValueRef md[2]; /* both NULL: a plain instruction */
} cast_op;

/* A lane: casts ops[0] (outermost) .. ops[n-1] of a source lane, which is
 * either lane k of vector v, or the low `low_bits` of scalar `low` (lane 0's
 * extract as instcombine writes it); `leaf` is the source lane's type. */
typedef struct lane_path {
  unsigned n;
  cast_op ops[MAX_OPS];
  LLVMTypeRef leaf;
  LLVMValueRef v, low;
  unsigned k, low_bits;
} lane_path;

typedef struct lc_state {
  LLVMModuleRef m;
  LLVMContextRef c;
  LLVMBuilderRef bd;
  bool little_endian;
  wgc_lane_casts_stats *st;
} lc_state;

static bool push_op(lane_path *p, LLVMOpcode op, LLVMTypeRef to, LLVMValueRef md0,
                    LLVMValueRef md1) {
  if (p->n == MAX_OPS) return false;
  p->ops[p->n++] = (cast_op){op, to, {md0, md1}};
  return true;
}

static unsigned int_bits(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMIntegerTypeKind ? LLVMGetIntTypeWidth(t) : 0;
}

/* s = ashr(shl(y, c), c) (a sign extension from width - c bits) or
 * and(y, 2^b - 1) (a zero extension from b bits): the low bits of y, as a
 * leaf, after a sext or zext op. */
static bool low_bits_form(LLVMValueRef s, lane_path *p) {
  LLVMOpcode op = LLVMGetInstructionOpcode(s);
  unsigned w = int_bits(LLVMTypeOf(s));
  if (op == LLVMAShr) {
    LLVMValueRef shl = LLVMGetOperand(s, 0), c = LLVMGetOperand(s, 1);
    if (!LLVMIsAInstruction(shl) || LLVMGetInstructionOpcode(shl) != LLVMShl ||
        !LLVMIsAConstantInt(c) || LLVMGetOperand(shl, 1) != c)
      return false;
    unsigned long long sh = LLVMConstIntGetZExtValue(c);
    if (sh == 0 || sh >= w) return false;
    p->low_bits = w - (unsigned)sh;
    p->low = LLVMGetOperand(shl, 0);
    if (!push_op(p, LLVMSExt, LLVMTypeOf(s), NULL, NULL)) return false;
  } else if (op == LLVMAnd) {
    LLVMValueRef c = LLVMGetOperand(s, 1);
    if (!LLVMIsAConstantInt(c)) return false;
    unsigned long long mask = LLVMConstIntGetZExtValue(c);
    unsigned b = 0;
    while (b < 64 && (mask >> b) & 1) b++;
    if (b == 0 || b >= w || (b < 64 && mask >> b)) return false;
    p->low_bits = b;
    p->low = LLVMGetOperand(s, 0);
    if (!push_op(p, LLVMZExt, LLVMTypeOf(s), NULL, NULL)) return false;
  } else {
    return false;
  }
  if (p->low_bits != 8 && p->low_bits != 16) return false;
  /* the low bits of trunc(x) are those of x */
  while (LLVMIsATruncInst(p->low)) p->low = LLVMGetOperand(p->low, 0);
  p->leaf = LLVMIntTypeInContext(LLVMGetTypeContext(LLVMTypeOf(s)), p->low_bits);
  return true;
}

/* Lane scalar s as a chain of casts of one source lane. */
static bool parse_lane(LLVMValueRef s, lane_path *p) {
  memset(p, 0, sizeof *p);
  for (;;) {
    if (!LLVMIsAInstruction(s)) return false;
    if (LLVMIsAExtractElementInst(s)) {
      LLVMValueRef idx = LLVMGetOperand(s, 1);
      if (!LLVMIsAConstantInt(idx)) return false;
      p->v = LLVMGetOperand(s, 0);
      p->k = (unsigned)LLVMConstIntGetZExtValue(idx);
      p->leaf = LLVMTypeOf(s);
      return p->n > 0;
    }
    LLVMOpcode op = LLVMGetInstructionOpcode(s);
    if (op == LLVMTrunc || op == LLVMSExt || op == LLVMZExt || op == LLVMSIToFP ||
        op == LLVMUIToFP) {
      if (!push_op(p, op, LLVMTypeOf(s), NULL, NULL)) return false;
      s = LLVMGetOperand(s, 0);
      continue;
    }
    if (op == LLVMCall) {
      const char *name = wgc_callee_name(s);
      bool si = wgc_has_prefix(name, "llvm.experimental.constrained.sitofp.");
      bool ui = wgc_has_prefix(name, "llvm.experimental.constrained.uitofp.");
      if ((!si && !ui) || LLVMGetNumArgOperands(s) != 3) return false;
      if (!push_op(p, si ? LLVMSIToFP : LLVMUIToFP, LLVMTypeOf(s), LLVMGetOperand(s, 1),
                   LLVMGetOperand(s, 2)))
        return false;
      s = LLVMGetOperand(s, 0);
      continue;
    }
    return p->n > 0 && low_bits_form(s, p);
  }
}

static bool same_ops(const lane_path *a, const lane_path *b) {
  if (a->n != b->n || a->leaf != b->leaf) return false;
  for (unsigned i = 0; i < a->n; i++)
    if (a->ops[i].op != b->ops[i].op || a->ops[i].to != b->ops[i].to ||
        a->ops[i].md[0] != b->ops[i].md[0] || a->ops[i].md[1] != b->ops[i].md[1])
      return false;
  return true;
}

/* The lane of v (<M x iK>, K = p->low_bits) that holds the low bits of
 * p->low: v is a bitcast of a vector that inserts p->low, or a bitcast of
 * the vector p->low is extracted from. Little-endian only: there the low
 * bits of an element are the first of its narrower lanes. */
static bool low_lane(LLVMValueRef v, const lane_path *p, unsigned *k) {
  LLVMValueRef r = wgc_strip_bitcasts(v), x = p->low;
  for (unsigned depth = 0; depth < MAX_TREE && LLVMIsAInsertElementInst(r); depth++) {
    LLVMValueRef idx = LLVMGetOperand(r, 2);
    if (!LLVMIsAConstantInt(idx)) return false;
    if (LLVMGetOperand(r, 1) == x) {
      unsigned e = int_bits(LLVMTypeOf(x));
      if (!e || e % p->low_bits) return false;
      *k = (unsigned)LLVMConstIntGetZExtValue(idx) * (e / p->low_bits);
      return true;
    }
    r = wgc_strip_bitcasts(LLVMGetOperand(r, 0));
  }
  if (LLVMIsAExtractElementInst(x) && LLVMIsAConstantInt(LLVMGetOperand(x, 1)) &&
      wgc_strip_bitcasts(LLVMGetOperand(x, 0)) == wgc_strip_bitcasts(v)) {
    unsigned e = int_bits(LLVMTypeOf(x));
    if (!e || e % p->low_bits) return false;
    *k = (unsigned)LLVMConstIntGetZExtValue(LLVMGetOperand(x, 1)) * (e / p->low_bits);
    return true;
  }
  return false;
}

static LLVMValueRef mask_of(lc_state *s, const int *sel, unsigned n) {
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->c);
  LLVMValueRef e[4 * MAX_LANES];
  for (unsigned i = 0; i < n; i++)
    e[i] = sel[i] < 0 ? LLVMGetUndef(i32) : LLVMConstInt(i32, (unsigned)sel[i], 0);
  return LLVMConstVector(e, n);
}

/* The lanes sel[i] (index j * M + k for lane k of source j; -1 undef) of
 * sources src[0..ns), as one <n x leaf> vector, at the builder. */
static LLVMValueRef gather(lc_state *s, LLVMValueRef *src, unsigned ns, const int *sel,
                           unsigned n) {
  LLVMTypeRef vt = LLVMTypeOf(src[0]);
  unsigned m = LLVMGetVectorSize(vt);
  if (ns <= 2)
    return LLVMBuildShuffleVector(s->bd, src[0], ns == 2 ? src[1] : LLVMGetUndef(vt),
                                  mask_of(s, sel, n), "lane.gather");
  int id[2 * MAX_LANES];
  for (unsigned i = 0; i < 2 * m; i++) id[i] = (int)i;
  LLVMValueRef lo = LLVMBuildShuffleVector(s->bd, src[0], src[1], mask_of(s, id, 2 * m), "");
  LLVMValueRef hi = LLVMBuildShuffleVector(s->bd, src[2], ns == 4 ? src[3] : LLVMGetUndef(vt),
                                           mask_of(s, id, 2 * m), "");
  return LLVMBuildShuffleVector(s->bd, lo, hi, mask_of(s, sel, n), "lane.gather");
}

/* ops[n-1] .. ops[0] of `p` on vector x (n lanes), at the builder. */
static LLVMValueRef apply_ops(lc_state *s, const lane_path *p, LLVMValueRef x, unsigned n) {
  for (unsigned i = p->n; i-- > 0;) {
    const cast_op *o = &p->ops[i];
    LLVMTypeRef vt = LLVMVectorType(o->to, n);
    if (o->md[0]) {
      LLVMTypeRef types[2] = {vt, LLVMTypeOf(x)};
      LLVMValueRef args[3] = {x, o->md[0], o->md[1]};
      x = wgc_build_intrinsic_n(s->m, s->bd,
                                o->op == LLVMSIToFP ? "llvm.experimental.constrained.sitofp"
                                                    : "llvm.experimental.constrained.uitofp",
                                types, 2, args, 3, true);
      continue;
    }
    x = LLVMBuildCast(s->bd, o->op, x, vt, "");
  }
  return x;
}

/* Whether the scalar code of a replaced tree may be deleted once unused:
 * the value computations this pass reads, nothing with an effect. */
static bool erasable(LLVMValueRef v) {
  if (!LLVMIsAInstruction(v) || LLVMGetFirstUse(v)) return false;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMInsertElement:
    case LLVMExtractElement:
    case LLVMShuffleVector:
    case LLVMTrunc:
    case LLVMSExt:
    case LLVMZExt:
    case LLVMSIToFP:
    case LLVMUIToFP:
    case LLVMShl:
    case LLVMAShr:
    case LLVMAnd:
    case LLVMBitCast:
      return true;
    case LLVMCall: {
      const char *name = wgc_callee_name(v);
      return wgc_has_prefix(name, "llvm.experimental.constrained.sitofp.") ||
             wgc_has_prefix(name, "llvm.experimental.constrained.uitofp.");
    }
    default:
      return false;
  }
}

/* Deletes root and whatever of its operands' code goes dead with it. Each
 * instruction is in the list once and leaves it when deleted, so nothing
 * deleted is touched again. */
static void erase_dead_tree(LLVMValueRef root) {
  LLVMValueRef list[MAX_DEAD];
  unsigned n = 0;
  list[n++] = root;
  for (bool progress = true; progress;) {
    progress = false;
    for (unsigned i = 0; i < n; i++) {
      LLVMValueRef v = list[i];
      if (!v || !erasable(v)) continue;
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(v); o < no; o++) {
        LLVMValueRef op = LLVMGetOperand(v, o);
        if (!LLVMIsAInstruction(op)) continue;
        bool listed = false;
        for (unsigned j = 0; j < n && !listed; j++) listed = list[j] == op;
        if (!listed && n < MAX_DEAD) list[n++] = op;
      }
      LLVMInstructionEraseFromParent(v);
      list[i] = NULL;
      progress = true;
    }
  }
}

/* Replaces vector `root` (an insertelement or shufflevector whose value
 * leaves the tree) if every lane it sets is the same cast chain of a source
 * lane; true if it did. */
static bool try_root(lc_state *s, LLVMValueRef root) {
  LLVMTypeRef rt = LLVMTypeOf(root);
  if (LLVMGetTypeKind(rt) != LLVMVectorTypeKind) return false;
  unsigned n = LLVMGetVectorSize(rt);
  if (n < 2 || n > MAX_LANES) return false;
  lane_path p[MAX_LANES];
  bool set[MAX_LANES];
  unsigned lanes = 0, first = 0;
  for (unsigned i = 0; i < n; i++) {
    bool undef;
    LLVMValueRef x = wgc_tree_lane(root, i, &undef);
    set[i] = x != NULL;
    if (!x) {
      if (!undef) return false;
      continue;
    }
    if (!parse_lane(x, &p[i])) return false;
    if (!lanes++) first = i;
    else if (!same_ops(&p[first], &p[i])) return false;
  }
  if (lanes < 2 || p[first].ops[0].to != LLVMGetElementType(rt)) return false;

  /* the sources: the extracted-from vectors, all of one type */
  LLVMValueRef src[MAX_SOURCES];
  unsigned ns = 0;
  for (unsigned i = 0; i < n; i++) {
    if (!set[i] || !p[i].v) continue;
    unsigned j = 0;
    while (j < ns && src[j] != p[i].v) j++;
    if (j == ns) {
      if (ns == MAX_SOURCES || (ns && LLVMTypeOf(src[0]) != LLVMTypeOf(p[i].v))) return false;
      src[ns++] = p[i].v;
    }
  }
  if (!ns) return false;
  unsigned m = LLVMGetVectorSize(LLVMTypeOf(src[0]));
  if (ns > 2 && 2 * m > 2 * MAX_LANES) return false;
  int sel[MAX_LANES];
  for (unsigned i = 0; i < n; i++) {
    sel[i] = -1;
    if (!set[i]) continue;
    if (p[i].v) {
      unsigned j = 0;
      while (src[j] != p[i].v) j++;
      if (p[i].k >= m) return false;
      sel[i] = (int)(j * m + p[i].k);
      continue;
    }
    /* a low-bits lane: lane 0 (or k) of one of the sources */
    if (!s->little_endian) return false;
    for (unsigned j = 0; j < ns && sel[i] < 0; j++) {
      unsigned k;
      if (low_lane(src[j], &p[i], &k) && k < m) sel[i] = (int)(j * m + k);
    }
    if (sel[i] < 0) return false;
  }

  LLVMPositionBuilderBefore(s->bd, root);
  LLVMValueRef w = apply_ops(s, &p[first], gather(s, src, ns, sel, n), n);
  LLVMReplaceAllUsesWith(root, w);
  erase_dead_tree(root);
  s->st->vectors++;
  s->st->lanes += lanes;
  s->st->conversions += p[first].ops[0].op == LLVMSIToFP || p[first].ops[0].op == LLVMUIToFP;
  return true;
}

/* A tree's root: an insertelement or shufflevector with a use that is not
 * the vector operand of an insertelement or an operand of a shufflevector. */
static bool is_root(LLVMValueRef i) {
  if (!LLVMIsAInsertElementInst(i) && !LLVMIsAShuffleVectorInst(i)) return false;
  for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAShuffleVectorInst(user)) continue;
    if (LLVMIsAInsertElementInst(user) && LLVMGetOperand(user, 0) == i) continue;
    return true;
  }
  return false;
}

static bool run_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  lc_state *s = state;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;) {
    LLVMValueRef next = LLVMGetNextInstruction(i);
    if (is_root(i) && try_root(s, i)) {
      *done = 1;
      /* the deleted scalar code may include `next`: start the block over */
      next = LLVMGetFirstInstruction(bb);
    }
    i = next;
  }
  return true;
}

wasmgraph_status wgc_lane_casts(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                wgc_lane_casts_stats *stats) {
  wgc_lane_casts_stats local;
  wgc_lane_casts_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "lane casts: no module");
  const char *layout = LLVMGetDataLayoutStr(m);
  lc_state s = {m, LLVMGetModuleContext(m), NULL, !layout || layout[0] != 'E', st};
  s.bd = LLVMCreateBuilderInContext(s.c);
  if (!s.bd) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "lane casts: out of memory");
  wgc_for_each_block(m, run_block, &s, &st->functions);
  LLVMDisposeBuilder(s.bd);
  return wgc_verify_after(ctx, m, verify, "lane casts");
}
