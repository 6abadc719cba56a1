/*
 * splat_window.c — reads the two halves of a paired splat operand,
 * `[splat(load a) x4 | splat(load b) x4]`, through one 32-byte load (the
 * "window") and one shuffle.
 *
 * Why: v128_pair.c packs two f32x4 multiply-adds that share a weight vector
 * into one 8-lane operation whose other operand is built from two scalar
 * inputs. x86 builds it with two broadcast loads and a vinsertf128: three
 * operations on the two shuffle-capable FP pipes, against one multiply and
 * one add. Those two pipes then bound TVM's conv loops (llvm-mca, znver3:
 * 12.4 cycles per iteration where the arithmetic needs 6). TVM keeps its
 * inputs in 4-channel blocks, so input a and input b lie 16 bytes apart in
 * one stretch of memory: one plain 32-byte load holds both, and vpermilps
 * (the same lane of each 128-bit half) spreads them.
 *
 * Quads (AVX-512): v128_pair.c's 16-lane operand
 * `[[splat a | splat b] | [splat c | splat d]]` is read the same way through
 * one 64-byte window (inputs 16 bytes apart: vpermilps zmm, in lane), or,
 * when no single window inside the hull holds all four, through two 64-byte
 * windows and one two-source shuffle (vpermt2ps). v128_pair.c only forms
 * quads of inputs within 64 bytes (wider ones measured slower than pairs),
 * so the second form is for a hull that ends close to the inputs. A quad
 * with no window inside its hull keeps its two pairs, which are then
 * windowed as pairs.
 *
 * When it is exact. Take a pair whose loads have addresses zext(X + ka) and
 * zext(X + kb) (i32 adds, as wasm computes them; k = 0 for zext(X)) from the
 * same memory base, and the *group*: every load of the block with that base
 * and root X and no observable effect between it and the pair
 * (wgc_has_effect(), pass_util.c's rule). The group's loads
 * cover bytes [hmin, hmax) relative to X. The window is placed at offset S
 * with [S, S + 32) inside [hmin, hmax), containing both inputs, and is
 * loaded at zext(X + S) just before the earlier of the two. Linear memory
 * is at most 65535 pages, so its size is <= 2^32 - 64 KiB, and the group
 * spans < 64 KiB. Then, for x = X as an unsigned number:
 *   - nothing wraps: the window reads bytes the original group reads;
 *     it is out of bounds iff its last byte is, which makes the group load
 *     holding byte hmax - 1 out of bounds; a replaced load is out of bounds
 *     only if the window holding it is.
 *   - x + S wraps: every group offset >= S wraps the same way, so the window
 *     reads exactly what those loads read (wrapped), same argument.
 *   - x + S does not wrap but x + S + 31 does (or a group load wraps and
 *     the window does not): then x + S >= 2^32 - 64 KiB is past the end of
 *     memory; the window faults in the guard region (at most 4 GiB + 64 KiB
 *     past the base), and the original group load at hmin (x + hmin, no
 *     wrap, also past the end) traps too.
 * (The same holds for each window of a quad: every window lies inside the
 * hull of its four inputs' group, whatever its size.)
 * So the transformed stretch traps iff the original one does, and as no
 * instruction in the stretch has an effect, the host sees the same state
 * either way; when nothing traps, the window reads the bytes the two loads
 * read, with no store in between. Hence guard pages only and memory
 * <= 65535 pages, like address_fold.c. The window's lanes are the loaded
 * bits, reinterpreted without arithmetic, so values are bit-identical.
 */
#include "splat_window.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

#include "acc_web.h" /* wgc_acc_grow */
#include "pass_util.h"

enum { WINDOW_BYTES = 32, WINDOW_LANES = 8, HALF_LANES = 4 };
/* A quad's operand: 16 lanes, read through one or two 64-byte windows. */
enum { QUAD_INPUTS = 4, QUAD_LANES = 16, QUAD_BYTES = 64 };

/* One load of the block: address zext(root + k) from `base`; `stretch`
 * counts the effects before it (equal counts: nothing observable between);
 * `pos` orders loads in the block. */
typedef struct sw_load {
  LLVMValueRef load, base, root;
  uint32_t k, size, stretch, pos;
} sw_load;

typedef struct sw_state {
  sw_load *loads;
  size_t n, cap;
  LLVMValueRef *dead; /* splat operands of rewritten pairs, erased if unused */
  size_t n_dead, cap_dead;
  LLVMBuilderRef b;
  LLVMContextRef lc;
  LLVMTargetDataRef td;
  wgc_window_stats *st;
} sw_state;

/* Reads `load`'s address as base + zext(root + k) (k = 0 for zext(root));
 * a memarg offset added outside the zext does not occur for splat loads. */
static bool parse_address(LLVMValueRef load, sw_load *out) {
  wgc_address a;
  if (!wgc_address_parse(LLVMGetOperand(load, 0), &a) || !a.x || a.c) return false;
  memset(out, 0, sizeof *out);
  out->load = load;
  out->base = a.base;
  out->root = a.root;
  out->k = a.k;
  return true;
}

/* <4 x float> or <4 x i32>. */
static bool is_lane32_x4(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind || LLVMGetVectorSize(t) != HALF_LANES) return false;
  LLVMTypeRef e = LLVMGetElementType(t);
  return LLVMGetTypeKind(e) == LLVMFloatTypeKind ||
         (LLVMGetTypeKind(e) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(e) == 32);
}

/* A shufflevector with the identity mask over its two operands' lanes. */
static bool is_iota(LLVMValueRef v, unsigned lanes) {
  if (!LLVMIsAShuffleVectorInst(v) || LLVMGetNumMaskElements(v) != lanes) return false;
  for (unsigned i = 0; i < lanes; i++)
    if (LLVMGetMaskValue(v, i) != (int)i) return false;
  return true;
}

/* An 8-lane shufflevector concatenating its two 4-lane operands. */
static bool is_concat(LLVMValueRef v) {
  return is_iota(v, WINDOW_LANES) && is_lane32_x4(LLVMTypeOf(LLVMGetOperand(v, 0)));
}

/* A 16-lane concat of two 8-lane concats (instructions) of 4-lane values:
 * a quad's operand. */
static bool is_quad_concat(LLVMValueRef v) {
  if (!is_iota(v, QUAD_LANES)) return false;
  for (unsigned h = 0; h < 2; h++)
    if (!is_concat(LLVMGetOperand(v, h))) return false;
  return true;
}

static const sw_load *find(const sw_state *s, LLVMValueRef load) {
  for (size_t i = 0; i < s->n; i++)
    if (s->loads[i].load == load) return &s->loads[i];
  return NULL;
}

/* Bytes [hmin, hmax) relative to the root that the group of `a` reads. */
static void group_hull(const sw_state *s, const sw_load *a, uint32_t *hmin, uint32_t *hmax) {
  *hmin = UINT32_MAX;
  *hmax = 0;
  for (size_t i = 0; i < s->n; i++) {
    const sw_load *l = &s->loads[i];
    if (l->base != a->base || l->root != a->root || l->stretch != a->stretch) continue;
    if (l->k < *hmin) *hmin = l->k;
    if (l->k + l->size > *hmax) *hmax = l->k + l->size;
  }
}

/* Where the inputs at ka (low half) and kb (high half) are read from: one
 * window of 32 bytes at off[0], or (split) a 16-byte window per half at
 * off[0] and off[1]. Every window lies inside the group's hull. */
typedef struct sw_plan {
  uint32_t off[2];
  bool split, in_lane;
} sw_plan;

static bool inside(uint32_t s, uint32_t bytes, uint32_t hmin, uint32_t hmax) {
  return s >= hmin && s + bytes <= hmax;
}

/* Prefers one window with both inputs in the same lane of each 128-bit
 * half (one vpermilps), then any one window, then two 16-byte windows with
 * the inputs in the same lane (vinsertf128 + vpermilps). */
static bool pick_window(uint32_t ka, uint32_t kb, uint32_t hmin, uint32_t hmax, sw_plan *p) {
  memset(p, 0, sizeof *p);
  if ((ka > kb ? ka - kb : kb - ka) % 4 != 0) return false;
  uint32_t lo = ka < kb ? ka : kb, hi = ka < kb ? kb : ka;
  bool found = false;
  for (uint32_t back = 0; hi + 4 - lo <= WINDOW_BYTES && back < WINDOW_BYTES && back <= lo;
       back += 4) {
    uint32_t s = lo - back;
    if (!inside(s, WINDOW_BYTES, hmin, hmax) || hi + 4 > s + WINDOW_BYTES) continue;
    bool lane = ka < kb && kb - ka == 16 && (ka - s) / 4 < HALF_LANES;
    if (!found || (lane && !p->in_lane)) {
      p->off[0] = s;
      p->in_lane = lane;
      found = true;
    }
  }
  if (found) return true;
  for (uint32_t t = 0; t < HALF_LANES; t++) {
    if (ka < 4 * t || kb < 4 * t) break;
    uint32_t sa = ka - 4 * t, sb = kb - 4 * t;
    if (inside(sa, WINDOW_BYTES / 2, hmin, hmax) && inside(sb, WINDOW_BYTES / 2, hmin, hmax)) {
      *p = (sw_plan){{sa, sb}, true, true};
      return true;
    }
  }
  return false;
}

/* A <lanes x T> load at base + zext(root + off), before `at`. */
static LLVMValueRef window_load(sw_state *s, const sw_load *a, uint32_t off, LLVMTypeRef lane,
                                unsigned lanes) {
  LLVMTypeRef vt = LLVMVectorType(lane, lanes);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc), i64 = LLVMInt64TypeInContext(s->lc);
  LLVMValueRef addr = off ? LLVMBuildAdd(s->b, a->root, LLVMConstInt(i32, off, 0), "") : a->root;
  LLVMValueRef idx = LLVMBuildZExt(s->b, addr, i64, "");
  LLVMValueRef gep =
      LLVMBuildInBoundsGEP2(s->b, LLVMInt8TypeInContext(s->lc), a->base, &idx, 1, "sw.at");
  LLVMValueRef ptr = LLVMBuildBitCast(s->b, gep, LLVMPointerType(vt, 0), "");
  LLVMValueRef win = LLVMBuildLoad2(s->b, vt, ptr, "sw.window");
  LLVMSetAlignment(win, 1);
  return win;
}

/* Replaces concat `cat` of splat(a) and splat(b) by a shuffle of the
 * window(s) of plan p, loaded before the earlier of the two loads. */
static void rewrite(sw_state *s, LLVMValueRef cat, const sw_load *a, const sw_load *b,
                    const sw_plan *p) {
  LLVMTypeRef lane = LLVMGetElementType(LLVMTypeOf(cat));
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
  LLVMPositionBuilderBefore(s->b, a->pos < b->pos ? a->load : b->load);
  LLVMValueRef w0, w1, mask[WINDOW_LANES];
  if (p->split) {
    /* [window a | window b] first (vinsertf128 from memory), then the
     * in-lane splat. The freeze keeps the code generator from seeing the
     * splat through to the loads, which it would turn back into two
     * broadcast loads and an insert (three shuffle-pipe operations). */
    LLVMValueRef cm[WINDOW_LANES];
    for (unsigned i = 0; i < WINDOW_LANES; i++) cm[i] = LLVMConstInt(i32, i, 0);
    LLVMValueRef lo = window_load(s, a, p->off[0], lane, HALF_LANES);
    LLVMValueRef hi = window_load(s, a, p->off[1], lane, HALF_LANES);
    LLVMPositionBuilderBefore(s->b, cat);
    w0 = LLVMBuildFreeze(
        s->b, LLVMBuildShuffleVector(s->b, lo, hi, LLVMConstVector(cm, WINDOW_LANES), "sw.pair"),
        "");
    w1 = LLVMGetUndef(LLVMTypeOf(w0));
    for (unsigned i = 0; i < WINDOW_LANES; i++)
      mask[i] = i < HALF_LANES ? LLVMConstInt(i32, (a->k - p->off[0]) / 4, 0)
                               : LLVMConstInt(i32, HALF_LANES + (b->k - p->off[1]) / 4, 0);
  } else {
    w0 = window_load(s, a, p->off[0], lane, WINDOW_LANES);
    w1 = LLVMGetUndef(LLVMTypeOf(w0));
    for (unsigned i = 0; i < WINDOW_LANES; i++)
      mask[i] = LLVMConstInt(i32, ((i < HALF_LANES ? a->k : b->k) - p->off[0]) / 4, 0);
  }
  LLVMPositionBuilderBefore(s->b, cat);
  LLVMValueRef sh =
      LLVMBuildShuffleVector(s->b, w0, w1, LLVMConstVector(mask, WINDOW_LANES), "sw.splat");
  LLVMReplaceAllUsesWith(cat, sh);
  LLVMInstructionEraseFromParent(cat);
}

/* Where a quad's inputs k[0..3] (lane order) are read from: one 64-byte
 * window at off[0] (two = false), or two at off[0] and off[1]; lane[i] is
 * input i's lane in the window (two windows: 16 + lane for the second).
 * Every window lies inside the group's hull. */
typedef struct sw_quad_plan {
  uint32_t off[2];
  unsigned lane[QUAD_INPUTS];
  bool two, in_lane;
} sw_quad_plan;

/* The window [s, s + 64) inside the hull that starts at most 60 bytes
 * before `lo` and holds [lo, hi + 4), preferring one where input i sits in
 * 128-bit chunk i at the same lane for every i (one in-lane shuffle). */
static bool quad_window(const uint32_t *k, uint32_t lo, uint32_t hi, uint32_t hmin, uint32_t hmax,
                        uint32_t *off, bool *in_lane) {
  bool found = false;
  *in_lane = false;
  for (uint32_t back = 0; hi + 4 - lo <= QUAD_BYTES && back < QUAD_BYTES && back <= lo; back += 4) {
    uint32_t s = lo - back;
    if (!inside(s, QUAD_BYTES, hmin, hmax) || hi + 4 > s + QUAD_BYTES) continue;
    bool lane = k != NULL && k[0] - s < 16;
    for (unsigned i = 0; lane && i < QUAD_INPUTS; i++) lane = k[i] - s == 16 * i + (k[0] - s);
    if (!found || (lane && !*in_lane)) {
      *off = s;
      *in_lane = lane;
      found = true;
    }
  }
  return found;
}

static bool pick_quad(const uint32_t *k, uint32_t hmin, uint32_t hmax, sw_quad_plan *p) {
  memset(p, 0, sizeof *p);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (unsigned i = 0; i < QUAD_INPUTS; i++) {
    if ((k[i] - k[0]) % 4 != 0) return false; /* lanes are 4-byte aligned to each other */
    if (k[i] < lo) lo = k[i];
    if (k[i] > hi) hi = k[i];
  }
  if (quad_window(k, lo, hi, hmin, hmax, &p->off[0], &p->in_lane)) {
    for (unsigned i = 0; i < QUAD_INPUTS; i++) p->lane[i] = (k[i] - p->off[0]) / 4;
    return true;
  }
  /* Two windows: the first starts at most 60 bytes before the lowest
   * input, the second holds every input the first does not. */
  for (uint32_t back = 0; back < QUAD_BYTES && back <= lo; back += 4) {
    uint32_t s = lo - back;
    if (!inside(s, QUAD_BYTES, hmin, hmax)) continue;
    uint32_t rlo = UINT32_MAX, rhi = 0;
    for (unsigned i = 0; i < QUAD_INPUTS; i++)
      if (k[i] + 4 > s + QUAD_BYTES) {
        if (k[i] < rlo) rlo = k[i];
        if (k[i] > rhi) rhi = k[i];
      }
    bool unused;
    if (rlo == UINT32_MAX || !quad_window(NULL, rlo, rhi, hmin, hmax, &p->off[1], &unused))
      continue;
    p->off[0] = s;
    p->two = true;
    for (unsigned i = 0; i < QUAD_INPUTS; i++)
      p->lane[i] =
          k[i] + 4 <= s + QUAD_BYTES ? (k[i] - s) / 4 : QUAD_LANES + (k[i] - p->off[1]) / 4;
    return true;
  }
  return false;
}

/* Replaces quad operand `cat` by a shuffle of the window(s) of plan p,
 * loaded before the earliest of the four loads; the two inner concats go
 * if nothing else uses them. */
static void rewrite_quad(sw_state *s, LLVMValueRef cat, const sw_load *const *in,
                         const sw_quad_plan *p) {
  LLVMTypeRef lane = LLVMGetElementType(LLVMTypeOf(cat));
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
  const sw_load *first = in[0];
  for (unsigned i = 1; i < QUAD_INPUTS; i++)
    if (in[i]->pos < first->pos) first = in[i];
  LLVMPositionBuilderBefore(s->b, first->load);
  LLVMValueRef w0 = window_load(s, in[0], p->off[0], lane, QUAD_LANES);
  LLVMValueRef w1 =
      p->two ? window_load(s, in[0], p->off[1], lane, QUAD_LANES) : LLVMGetUndef(LLVMTypeOf(w0));
  LLVMValueRef mask[QUAD_LANES];
  for (unsigned i = 0; i < QUAD_LANES; i++) mask[i] = LLVMConstInt(i32, p->lane[i / 4], 0);
  LLVMPositionBuilderBefore(s->b, cat);
  LLVMValueRef sh =
      LLVMBuildShuffleVector(s->b, w0, w1, LLVMConstVector(mask, QUAD_LANES), "sw.quad");
  LLVMValueRef inner[2] = {LLVMGetOperand(cat, 0), LLVMGetOperand(cat, 1)};
  LLVMReplaceAllUsesWith(cat, sh);
  LLVMInstructionEraseFromParent(cat);
  for (unsigned h = 0; h < 2; h++)
    if (!LLVMGetFirstUse(inner[h])) LLVMInstructionEraseFromParent(inner[h]);
}

/* The four loads splatted into quad operand `cat`, in lane order, if each
 * is one of the block's recorded loads and all are distinct. */
static bool quad_inputs(const sw_state *s, LLVMValueRef cat, const sw_load **in,
                        LLVMValueRef *splats) {
  for (unsigned i = 0; i < QUAD_INPUTS; i++) {
    splats[i] = LLVMGetOperand(LLVMGetOperand(cat, i / 2), i % 2);
    LLVMValueRef l = wgc_splat_load(splats[i]);
    if (!l || !(in[i] = find(s, l))) return false;
    for (unsigned j = 0; j < i; j++)
      if (in[j] == in[i]) return false;
  }
  return true;
}

/* Windows every quad operand of the block that has them (decided on the
 * original loads). Returns false on out-of-memory. */
static bool window_quads(sw_state *s, LLVMBasicBlockRef bb, unsigned *done) {
  wgc_window_stats *st = s->st;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb), next; i; i = next) {
    next = LLVMGetNextInstruction(i); /* i (and operands before it) may go */
    if (!is_quad_concat(i)) continue;
    const sw_load *in[QUAD_INPUTS];
    LLVMValueRef splats[QUAD_INPUTS];
    if (!quad_inputs(s, i, in, splats)) continue;
    bool same_group = true;
    for (unsigned q = 1; q < QUAD_INPUTS; q++)
      same_group &= in[q]->base == in[0]->base && in[q]->root == in[0]->root &&
                    in[q]->stretch == in[0]->stretch;
    uint32_t hmin = 0, hmax = 0, k[QUAD_INPUTS];
    for (unsigned q = 0; q < QUAD_INPUTS; q++) k[q] = in[q]->k;
    sw_quad_plan plan;
    if (same_group) group_hull(s, in[0], &hmin, &hmax);
    if (!same_group || hmax - hmin >= WGC_FOLD_LIMIT || !pick_quad(k, hmin, hmax, &plan)) {
      st->quad_no_window++;
      continue;
    }
    if (!wgc_acc_grow((void **)&s->dead, &s->cap_dead, s->n_dead + QUAD_INPUTS, sizeof *s->dead))
      return false;
    for (unsigned q = 0; q < QUAD_INPUTS; q++) s->dead[s->n_dead++] = splats[q];
    rewrite_quad(s, i, in, &plan);
    st->quads++;
    if (plan.two) st->quad_two++;
    if (plan.in_lane) st->quad_in_lane++;
    (*done)++;
  }
  return true;
}

/* Erases `v` and the splat chain feeding it (shuffle, insertelement,
 * bitcasts, the scalar load) while nothing else uses them. */
static void erase_if_dead(LLVMValueRef v) {
  while (v && LLVMIsAInstruction(v) && !LLVMGetFirstUse(v)) {
    LLVMValueRef next = NULL;
    if (LLVMIsAShuffleVectorInst(v) || LLVMIsABitCastInst(v)) next = LLVMGetOperand(v, 0);
    else if (LLVMIsAInsertElementInst(v)) next = LLVMGetOperand(v, 1);
    else if (!LLVMIsALoadInst(v)) return;
    LLVMInstructionEraseFromParent(v);
    v = next;
  }
}

/* Records the block's loads, then rewrites every paired splat operand that
 * has a window (decided on the original loads; see the top of the file).
 * Returns false on out-of-memory. */
static bool window_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  sw_state *s = state;
  wgc_window_stats *st = s->st;
  s->n = 0;
  s->n_dead = 0;
  uint32_t stretch = 0, pos = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i), pos++) {
    sw_load l;
    if (wgc_is_plain_load(i) && parse_address(i, &l)) {
      l.size = (uint32_t)LLVMStoreSizeOfType(s->td, LLVMTypeOf(i));
      l.stretch = stretch;
      l.pos = pos;
      if (!wgc_acc_grow((void **)&s->loads, &s->cap, s->n + 1, sizeof *s->loads)) return false;
      s->loads[s->n++] = l;
    }
    if (wgc_has_effect(i)) stretch++;
  }
  /* Quads first: a quad left without a window keeps its pairs for below. */
  if (!window_quads(s, bb, done)) return false;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb), next; i; i = next) {
    next = LLVMGetNextInstruction(i); /* i may be replaced below */
    if (!is_concat(i)) continue;
    LLVMValueRef lo = LLVMGetOperand(i, 0), hi = LLVMGetOperand(i, 1);
    LLVMValueRef la = wgc_splat_load(lo), lb = wgc_splat_load(hi);
    const sw_load *a = la ? find(s, la) : NULL, *b = lb ? find(s, lb) : NULL;
    if (!a || !b || la == lb) continue;
    uint32_t hmin, hmax;
    sw_plan plan;
    bool same_group = a->base == b->base && a->root == b->root && a->stretch == b->stretch;
    if (same_group) group_hull(s, a, &hmin, &hmax);
    if (!same_group || hmax - hmin >= WGC_FOLD_LIMIT ||
        !pick_window(a->k, b->k, hmin, hmax, &plan)) {
      st->no_window++;
      continue;
    }
    if (!wgc_acc_grow((void **)&s->dead, &s->cap_dead, s->n_dead + 2, sizeof *s->dead))
      return false;
    s->dead[s->n_dead++] = lo;
    s->dead[s->n_dead++] = hi;
    rewrite(s, i, a, b, &plan);
    st->windows++;
    if (plan.split) st->split++;
    if (plan.in_lane) st->in_lane++;
    (*done)++;
  }
  /* Only now: the group records above point at the original loads. */
  for (size_t d = 0; d < s->n_dead; d++) {
    LLVMValueRef v = s->dead[d];
    bool again = false; /* the same splat may feed two pairs */
    for (size_t e = d + 1; e < s->n_dead; e++) again |= s->dead[e] == v;
    if (!again) erase_if_dead(v);
  }
  return true;
}

wasmgraph_status wgc_splat_window(wgc_ctx *ctx, LLVMModuleRef m, const wgc_window_options *opt,
                                  bool verify, wgc_window_stats *stats) {
  wgc_window_stats local;
  wgc_window_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m || !opt) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "splat window: no module");
  if ((st->disabled = wgc_trap_proof_unmet(opt->guard_pages, opt->memory_max_pages)) != NULL)
    return WASMGRAPH_OK;
  wgc_barrier_cache_reset(); /* a new module: forget another context's asm */
  sw_state s = {0};
  s.st = st;
  s.lc = LLVMGetModuleContext(m);
  s.b = LLVMCreateBuilderInContext(s.lc);
  s.td = LLVMGetModuleDataLayout(m);
  bool ok = wgc_for_each_block(m, window_block, &s, &st->functions);
  LLVMDisposeBuilder(s.b);
  free(s.loads);
  free(s.dead);
  if (!ok) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "splat window: out of memory");
  return wgc_verify_after(ctx, m, verify, "splat window");
}
