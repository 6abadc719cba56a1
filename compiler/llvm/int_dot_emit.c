/*
 * int_dot_emit.c — writes the straight-line replacement of a reduction loop
 * that int_dot_match.c recognised: grouped weight loads (transposed for
 * int8, interleaved for int16), one 32-bit load per position and group, and
 * the dot-product step for the function's ISA (int_dot.c says why each is
 * exact).
 */
#include <string.h>

#include "int_dot_internal.h"
#include "pass_util.h"

static LLVMValueRef c32(dot_state *s, int64_t v) { return LLVMConstInt(s->i32, (uint64_t)v, 0); }

static LLVMValueRef splat32(dot_state *s, uint32_t v) {
  LLVMValueRef e[LANES];
  for (unsigned t = 0; t < LANES; t++) e[t] = c32(s, v);
  return LLVMConstVector(e, LANES);
}

static LLVMValueRef mask(dot_state *s, const int *m, unsigned n) {
  LLVMValueRef e[16];
  for (unsigned i = 0; i < n; i++) e[i] = c32(s, m[i]);
  return LLVMConstVector(e, n);
}

/* wasm2c's keep-alive barrier on a loaded value (pass_util.h). */
static void barrier(dot_state *s, LLVMValueRef v) { wgc_build_load_barrier(s->bd, v); }

/* A load of type t of iteration j's bytes: at mem + zext(i32(a.base +
 * a.off)) + a.c + j * a.step, the iteration-0 address with the step added
 * in 64 bits (where the loop added it in i32 first: see the top of the
 * file). Without a barrier: the caller puts one on the loaded value or on
 * the vector it splats it into. */
static LLVMValueRef load_raw(dot_state *s, const mem_addr *a, int64_t j, LLVMTypeRef t,
                             const char *name) {
  LLVMValueRef x = a->x.base ? a->x.base : c32(s, 0);
  if (a->x.off) x = LLVMBuildAdd(s->bd, x, c32(s, a->x.off), "");
  LLVMValueRef idx = LLVMBuildZExt(s->bd, x, s->i64, "");
  uint64_t c = a->c + (uint64_t)(j * a->x.step);
  if (c) idx = LLVMBuildNUWAdd(s->bd, idx, LLVMConstInt(s->i64, c, 0), "");
  LLVMValueRef gep = LLVMBuildInBoundsGEP2(s->bd, s->i8, a->mem, &idx, 1, "");
  LLVMValueRef p = LLVMBuildBitCast(s->bd, gep, LLVMPointerType(t, 0), "");
  LLVMValueRef l = LLVMBuildLoad2(s->bd, t, p, name);
  LLVMSetAlignment(l, 1);
  return l;
}

/* The same load with its barrier. */
static LLVMValueRef load_at(dot_state *s, const mem_addr *a, int64_t j, LLVMTypeRef t,
                            const char *name) {
  LLVMValueRef l = load_raw(s, a, j, t, name);
  barrier(s, l);
  return l;
}

static LLVMValueRef intrinsic(dot_state *s, const char *name, LLVMValueRef *args, unsigned n,
                              const char *vname) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, id, NULL, 0);
  LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, id, NULL, 0);
  return LLVMBuildCall2(s->bd, ft, fn, args, n, vname);
}

/* <4 x i32> with every lane = the 32-bit value v. */
static LLVMValueRef splat_vec(dot_state *s, LLVMValueRef v) {
  LLVMValueRef ins = LLVMBuildInsertElement(s->bd, LLVMGetUndef(s->v4i32), v, c32(s, 0), "");
  static const int zero[LANES] = {0, 0, 0, 0};
  return LLVMBuildShuffleVector(s->bd, ins, LLVMGetUndef(s->v4i32), mask(s, zero, LANES), "");
}

/* sum over k of lanes (o*4 + k) of a <16 x i32>: <4 x i32> lane o */
static LLVMValueRef sum_quads(dot_state *s, LLVMValueRef p16) {
  LLVMValueRef sum = NULL;
  for (int k = 0; k < 4; k++) {
    int m[LANES] = {k, 4 + k, 8 + k, 12 + k};
    LLVMValueRef part =
        LLVMBuildShuffleVector(s->bd, p16, LLVMGetUndef(LLVMTypeOf(p16)), mask(s, m, LANES), "");
    sum = sum ? LLVMBuildAdd(s->bd, sum, part, "") : part;
  }
  return sum;
}

/* The int8 weights of group g (4 rows), transposed: byte o*4 + k = w[k][o]. */
static LLVMValueRef i8_weights(dot_state *s, const dot_loop *L, unsigned j) {
  LLVMValueRef w = load_at(s, &L->wa, j, s->v16i8, "dot.w");
  int m[16];
  for (int o = 0; o < 4; o++)
    for (int k = 0; k < 4; k++) m[o * 4 + k] = k * 4 + o;
  return LLVMBuildShuffleVector(s->bd, w, LLVMGetUndef(s->v16i8), mask(s, m, 16), "dot.wt");
}

/* int8 without VNNI (x86): the weights of group g (4 rows) as two pmaddwd
 * operands, rows 2h and 2h + 1 interleaved and sign-extended: operand h,
 * i16 lane 2o + k = w[2h + k][o]. */
static void i8_pair_weights(dot_state *s, const dot_loop *L, unsigned j, LLVMValueRef out[2]) {
  LLVMValueRef w = load_at(s, &L->wa, j, s->v16i8, "dot.w");
  for (int h = 0; h < 2; h++) {
    int m[8];
    for (int o = 0; o < 4; o++)
      for (int k = 0; k < 2; k++) m[o * 2 + k] = (2 * h + k) * 4 + o;
    LLVMValueRef b = LLVMBuildShuffleVector(s->bd, w, LLVMGetUndef(s->v16i8), mask(s, m, 8), "");
    out[h] = LLVMBuildSExt(s->bd, b, s->v8i16, "dot.wp");
  }
}

/* The 4 bytes of position p's group j in every lane, with the barrier on
 * the vector: a broadcast load straight into a vector register, as wasm2c
 * does for v128.load32_splat. */
static LLVMValueRef x_splat(dot_state *s, const position *p, unsigned j) {
  LLVMValueRef xv = splat_vec(s, load_raw(s, &p->x, j, s->i32, "dot.x"));
  barrier(s, xv);
  return xv;
}

/* int8: acc + sum_{k<4} x[k] * wt[k][o], xv the 4 bytes of x in every lane;
 * with VNNI minus corr, or nothing when corr is NULL (deferred). */
static LLVMValueRef i8_quad(dot_state *s, LLVMValueRef acc, LLVMValueRef xv, LLVMValueRef wt,
                            LLVMValueRef corr) {
  if (s->isa >= WGC_DOT_VNNI) {
    LLVMValueRef xb = LLVMBuildXor(s->bd, xv, splat32(s, 0x80808080u), "dot.xb");
    LLVMValueRef args[3] = {acc, xb, LLVMBuildBitCast(s->bd, wt, s->v4i32, "")};
    LLVMValueRef d = intrinsic(s, "llvm.x86.avx512.vpdpbusd.128", args, 3, "dot");
    return corr ? LLVMBuildSub(s->bd, d, corr, "dot.acc") : d;
  }
  LLVMTypeRef v16i32 = LLVMVectorType(s->i32, 16);
  LLVMValueRef xb = LLVMBuildBitCast(s->bd, xv, s->v16i8, "");
  /* byte o*4 + k of xb is x[k]: matches wt's layout */
  LLVMValueRef prod = LLVMBuildMul(s->bd, LLVMBuildSExt(s->bd, xb, v16i32, ""),
                                   LLVMBuildSExt(s->bd, wt, v16i32, ""), "");
  return LLVMBuildAdd(s->bd, acc, sum_quads(s, prod), "dot.acc");
}

/* int8 without VNNI (x86): acc + sum_{k<4} x[k] * w[k][o] as two pmaddwd,
 * wp from i8_pair_weights: the 4 bytes of x are loaded into a vector (the
 * barrier on it), sign-extended to 4 x i16, and pair h = x[2h], x[2h + 1]
 * broadcast to every lane. Exact: each i16 x i16 product of sign-extended
 * bytes is below 2^14 in magnitude, so a pair sum fits i16 x i16 -> i32
 * without the one pmaddwd overflow (which needs both factors -32768), and
 * the adds wrap as i32.add does. Four multiply-adds per pmaddwd lane pair
 * instead of a sign extension, a vpmulld and a vpaddd per input byte. */
static LLVMValueRef i8_quad_pmadd(dot_state *s, const position *p, unsigned j, LLVMValueRef acc,
                                  LLVMValueRef wp[2]) {
  LLVMValueRef x = load_raw(s, &p->x, j, s->i32, "dot.x");
  LLVMValueRef xv = LLVMBuildInsertElement(s->bd, LLVMGetUndef(s->v4i32), x, c32(s, 0), "");
  barrier(s, xv);
  static const int low4[4] = {0, 1, 2, 3};
  LLVMValueRef x4 = LLVMBuildShuffleVector(s->bd, LLVMBuildBitCast(s->bd, xv, s->v16i8, ""),
                                           LLVMGetUndef(s->v16i8), mask(s, low4, 4), "");
  LLVMTypeRef v4i16 = LLVMVectorType(s->i16, 4), v2i32 = LLVMVectorType(s->i32, 2);
  LLVMValueRef pairs = LLVMBuildBitCast(s->bd, LLVMBuildSExt(s->bd, x4, v4i16, ""), v2i32, "");
  for (int h = 0; h < 2; h++) {
    const int bc[4] = {h, h, h, h};
    LLVMValueRef xs =
        LLVMBuildShuffleVector(s->bd, pairs, LLVMGetUndef(v2i32), mask(s, bc, 4), "dot.xp");
    LLVMValueRef args[2] = {LLVMBuildBitCast(s->bd, xs, s->v8i16, ""), wp[h]};
    acc = LLVMBuildAdd(s->bd, acc, intrinsic(s, "llvm.x86.sse2.pmadd.wd", args, 2, ""), "dot.acc");
  }
  return acc;
}

/* The int16 weights of group g (2 rows), interleaved: i16 2o + k = w[k][o]. */
static LLVMValueRef i16_weights(dot_state *s, const dot_loop *L, unsigned j) {
  LLVMValueRef w = load_at(s, &L->wa, j, s->v8i16, "dot.w");
  static const int m[8] = {0, 4, 1, 5, 2, 6, 3, 7};
  return LLVMBuildShuffleVector(s->bd, w, LLVMGetUndef(s->v8i16), mask(s, m, 8), "dot.wi");
}

/* int16: acc + x[0] * wi[0][o] + x[1] * wi[1][o], xv the 2 elements of x in
 * every lane. */
static LLVMValueRef i16_pair(dot_state *s, LLVMValueRef acc, LLVMValueRef xv, LLVMValueRef wi) {
  if (s->isa >= WGC_DOT_VNNI) {
    LLVMValueRef args[3] = {acc, xv, LLVMBuildBitCast(s->bd, wi, s->v4i32, "")};
    return intrinsic(s, "llvm.x86.avx512.vpdpwssd.128", args, 3, "dot.acc");
  }
  LLVMValueRef xh = LLVMBuildBitCast(s->bd, xv, s->v8i16, "");
  if (s->isa == WGC_DOT_X86) {
    LLVMValueRef args[2] = {xh, wi};
    return LLVMBuildAdd(s->bd, acc, intrinsic(s, "llvm.x86.sse2.pmadd.wd", args, 2, ""), "dot.acc");
  }
  LLVMTypeRef v8i32 = LLVMVectorType(s->i32, 8);
  LLVMValueRef prod = LLVMBuildMul(s->bd, LLVMBuildSExt(s->bd, xh, v8i32, ""),
                                   LLVMBuildSExt(s->bd, wi, v8i32, ""), "");
  static const int ev[LANES] = {0, 2, 4, 6}, od[LANES] = {1, 3, 5, 7};
  LLVMValueRef a = LLVMBuildShuffleVector(s->bd, prod, LLVMGetUndef(v8i32), mask(s, ev, LANES), "");
  LLVMValueRef b = LLVMBuildShuffleVector(s->bd, prod, LLVMGetUndef(v8i32), mask(s, od, LANES), "");
  return LLVMBuildAdd(s->bd, acc, LLVMBuildAdd(s->bd, a, b, ""), "dot.acc");
}

/* A depthwise pair: the rows of taps j and j + 1 of position p,
 * interleaved (i16 2c + k = x[j + k][c]), with the barrier on the vector
 * that holds both loads' bits. */
static LLVMValueRef x_rows(dot_state *s, const position *p, unsigned j) {
  LLVMTypeRef v4i16 = LLVMVectorType(s->i16, LANES);
  LLVMValueRef a = load_raw(s, &p->x, j, v4i16, "dot.xr"),
               b = load_raw(s, &p->x, j + 1, v4i16, "dot.xr");
  static const int m[8] = {0, 4, 1, 5, 2, 6, 3, 7};
  LLVMValueRef xi = LLVMBuildShuffleVector(s->bd, a, b, mask(s, m, 8), "dot.xi");
  barrier(s, xi);
  return LLVMBuildBitCast(s->bd, xi, s->v4i32, "");
}

/* Whether a single step is a half pair (below): int16 splat inputs on x86,
 * where pmaddwd/vpdpwssd take them. */
static bool half_pair_step(const dot_state *s, const dot_loop *L) {
  return L->ebytes == 2 && !L->rows && s->isa >= WGC_DOT_X86;
}

/* Iteration j's weight row, loaded once and shared by every position's
 * single step (a load per position put 28 loads of one row, each with its
 * barrier, in mobilenet_v2_qnn's first conv, whose trip of 3 leaves one
 * step after the pair). Sign-extended to <4 x i32>, or for a half pair
 * interleaved with zeros: i16 2o = w[o], i16 2o + 1 = 0. */
static LLVMValueRef single_weights(dot_state *s, const dot_loop *L, unsigned j) {
  LLVMTypeRef et = L->ebytes == 1 ? s->i8 : s->i16;
  LLVMValueRef w = load_at(s, &L->wa, j, LLVMVectorType(et, LANES), "dot.w1row");
  if (!half_pair_step(s, L)) return LLVMBuildSExt(s->bd, w, s->v4i32, "");
  static const int m[8] = {0, 4, 1, 4, 2, 4, 3, 4};
  return LLVMBuildShuffleVector(s->bd, w, LLVMConstNull(LLVMTypeOf(w)), mask(s, m, 8), "dot.wz");
}

/* One original step, iteration j: acc + sext(splat(x)) * wv, or with x's
 * row for a depthwise reduction. As a half pair, x in every i16 lane and
 * the pair step with wv's zeros: lane o = x*w[o] + x*0, exactly the
 * product (no i16 x i16 product overflows i32, and the pair sum wraps as
 * i32.add does); one vpbroadcastw + vpdpwssd instead of a 2-uop vpmulld and
 * an add. The load reads x's 2 bytes only, as the loop did. */
static LLVMValueRef single_step(dot_state *s, const dot_loop *L, const position *p,
                                LLVMValueRef acc, unsigned j, LLVMValueRef wv) {
  LLVMTypeRef et = L->ebytes == 1 ? s->i8 : s->i16;
  LLVMValueRef xv;
  if (L->rows) {
    xv = LLVMBuildSExt(s->bd, load_at(s, &p->x, j, LLVMVectorType(et, LANES), "dot.x1"), s->v4i32,
                       "");
  } else if (half_pair_step(s, L)) {
    LLVMValueRef x = load_raw(s, &p->x, j, s->i16, "dot.x1");
    LLVMValueRef ins = LLVMBuildInsertElement(s->bd, LLVMGetUndef(s->v8i16), x, c32(s, 0), "");
    static const int zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    LLVMValueRef xs =
        LLVMBuildShuffleVector(s->bd, ins, LLVMGetUndef(s->v8i16), mask(s, zero, 8), "dot.xs");
    barrier(s, xs);
    return i16_pair(s, acc, LLVMBuildBitCast(s->bd, xs, s->v4i32, ""), wv);
  } else {
    LLVMValueRef x = load_at(s, &p->x, j, et, "dot.x1");
    xv = splat_vec(s, LLVMBuildSExt(s->bd, x, s->i32, ""));
  }
  return LLVMBuildAdd(s->bd, acc, LLVMBuildMul(s->bd, xv, wv, ""), "dot.acc");
}

/* Moves each input's constant i32 offset into the 64-bit part of its
 * address (zext(B + off) -> zext(B) + off), as address_fold.c does, when
 * another input of the same loop is read at zext(B) itself: that "anchor"
 * load is emitted in the same block, with no effect in between, and when
 * B + off wraps, B >= 2^32 - 64 KiB is past the end of a memory of at most
 * 65535 pages, so the anchor traps as the original load at B + off would
 * have. The addresses then fold into the loads' addressing modes. */
static void anchor_inputs(dot_loop *L) {
  for (unsigned k = 0; k < L->npos; k++) {
    mem_addr *a = &L->pos[k].x;
    if (!a->x.base || a->x.off <= 0 || a->x.off >= (int64_t)WGC_FOLD_LIMIT) continue;
    bool anchored = false;
    for (unsigned q = 0; q < L->npos && !anchored; q++) {
      const mem_addr *b = &L->pos[q].x;
      anchored = b->mem == a->mem && b->x.base == a->x.base && b->x.off == 0;
    }
    if (!anchored) continue;
    a->c += (uint64_t)a->x.off;
    a->x.off = 0;
  }
}

/* ---- 512-bit groups ------------------------------------------------------ */

/* Why a wide group is exact: its lanes compute exactly what the four
 * positions' xmm steps compute (lane o*4 + t of vpdpbusd/vpdpwssd .512 is
 * the same dot product as lane o of position t's .128), the phi carries the
 * same values around the loop as the four phis did, and every value leaving
 * the loop is the lane group of the last vector. The window load reads the
 * hull [c0, c0 + hull) of the four positions' inputs above one i32 address:
 * memory is one range [0, size), so the window is out of bounds iff its
 * last byte is, which the original load of that byte reads (gaps between
 * positions are inside the hull); and it starts at the address of the
 * first position's first load, so the wrap argument of load_raw holds. */

static const int k_spread[16] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};

/* <16 x i32> lane o*4 + t = lane o of v (a <4 x i32> or a 16-byte vector). */
static LLVMValueRef spread(dot_state *s, LLVMValueRef v) {
  v = LLVMBuildBitCast(s->bd, v, s->v4i32, "");
  return LLVMBuildShuffleVector(s->bd, v, LLVMGetUndef(s->v4i32), mask(s, k_spread, 16), "dot.z");
}

/* Whether positions idx[i..i+3] can share a 512-bit register: one memory,
 * one i32 address, dword-aligned distances, a hull of 16, 32 or 64 bytes
 * (*hull). */
static bool groupable(const dot_loop *L, const unsigned *idx, unsigned i, uint64_t span,
                      uint64_t *hull) {
  const mem_addr *a = &L->pos[idx[i]].x;
  for (unsigned t = 1; t < LANES; t++) {
    const mem_addr *b = &L->pos[idx[i + t]].x;
    if (b->mem != a->mem || b->x.base != a->x.base || b->x.off != a->x.off ||
        b->x.step != a->x.step || (b->c - a->c) % 4 != 0)
      return false;
  }
  *hull = L->pos[idx[i + LANES - 1]].x.c + span - a->c;
  return *hull == 16 || *hull == 32 || *hull == 64;
}

/* When the positions left after the groups are the last 1 to 3 in offset
 * order (7 positions of a 7x7 map: one group and three left), one more
 * group takes the last 4, the first of them again: their lanes are
 * computed twice and used once, from the earlier group. Exact (a lane's
 * value does not depend on the lanes beside it); the window reads the four
 * positions' inputs, all of which the loop reads, so no new byte. One
 * 512-bit chain instead of 1 to 3 128-bit ones, each with a broadcast per
 * step: mobilenet_v2_qnn 5% less CPU time (its 7x7 1x1 convs). int16 only:
 * squeezenet1_1_int8's int8 loops (13 or 11 positions) were 1-4% slower,
 * an int8 group step costing a bias xor and a correction more. */
static void overlap_group(dot_loop *L, const unsigned *idx, unsigned n, uint64_t span) {
  if (!L->nwide || n < LANES || L->ebytes != 2) return;
  unsigned left = 0;
  for (unsigned j = 0; j < n; j++) {
    bool grouped = false;
    for (unsigned g = 0; g < L->nwide; g++)
      for (unsigned t = 0; t < LANES; t++) grouped |= L->wide[g].pos[t] == idx[j];
    if (grouped && left) return; /* the positions left are not the last ones */
    left += !grouped;
  }
  uint64_t hull;
  if (!left || left >= LANES || !groupable(L, idx, n - LANES, span, &hull)) return;
  wide_group *g = &L->wide[L->nwide++];
  for (unsigned t = 0; t < LANES; t++) g->pos[t] = idx[n - LANES + t], g->dup[t] = t < LANES - left;
  g->c0 = L->pos[idx[n - LANES]].x.c;
  g->hull = hull;
  g->phi = g->out = NULL;
}

/* Whether position ib's inputs start right after position ia's (span bytes
 * each), above the same i32 address. */
static bool adjacent(const dot_loop *L, unsigned ia, unsigned ib, uint64_t span) {
  const mem_addr *a = &L->pos[ia].x, *b = &L->pos[ib].x;
  return b->mem == a->mem && b->x.base == a->x.base && b->x.off == a->x.off &&
         b->x.step == a->x.step && b->c == a->c + span;
}

static void pair_group(dot_loop *L, unsigned a, unsigned b, bool dup_a) {
  wide_group *g = &L->wide[L->nwide++];
  for (unsigned t = 0; t < LANES; t++) g->pos[t] = t < 2 ? a : b, g->dup[t] = t < 2 && dup_a;
  g->c0 = L->pos[a].x.c;
  g->hull = 16;
  g->phi = g->out = NULL;
}

/* Pair windows: an int16 loop of trip 4 reads 8 bytes per position, its two
 * pairs. Two adjacent positions are 16 bytes, 4 dwords: slot t of the group
 * takes dword t, pair t % 2 of position t / 2, in every output channel o,
 * so the step's input operand is the 16 bytes broadcast to the 4 channel
 * blocks (vbroadcasti32x4, a load), where a group of four positions needs a
 * vpermd per pair (the port-5 shuffle that bound these loops). The weight
 * operand, lane o*4 + t = channel o's pair t % 2, is built once per
 * iteration for all groups. Each slot sums half of its position's products,
 * and the two slots are added after the loop around: wrapping i32 addition
 * is associative and commutative, so the sum is the loop's. The window is
 * exactly the bytes the two positions' loads read. Positions in offset
 * order; a last one left over shares a group with the one before it (its
 * slots only fill the register), as overlap_group does for fours. */
static bool form_pair_groups(dot_loop *L, const unsigned *idx, unsigned n, uint64_t span) {
  if (L->ebytes != 2 || L->trip != 4) return false;
  L->wide_per = 2;
  bool last_grouped = false;
  for (unsigned i = 0; i + 1 < n;) {
    if (!adjacent(L, idx[i], idx[i + 1], span)) {
      i++;
      continue;
    }
    pair_group(L, idx[i], idx[i + 1], false);
    last_grouped = i + 2 == n;
    i += 2;
  }
  if (L->nwide && !last_grouped && n >= 2 && adjacent(L, idx[n - 2], idx[n - 1], span)) {
    bool before = false; /* the one before is in a group already */
    for (unsigned g = 0; g < L->nwide; g++) before |= L->wide[g].pos[3] == idx[n - 2];
    if (before) pair_group(L, idx[n - 2], idx[n - 1], true);
  }
  if (!L->nwide) L->wide_per = 1;
  return L->nwide > 0;
}

/* The positions that circle the loop around alone (idx), in the order of
 * their input offsets; returns how many. */
static unsigned carried_by_offset(const dot_loop *L, unsigned *idx) {
  unsigned n = 0;
  for (unsigned k = 0; k < L->npos; k++)
    if (L->pos[k].outer_init) idx[n++] = k;
  for (unsigned i = 1; i < n; i++) /* insertion sort */
    for (unsigned j = i; j > 0 && L->pos[idx[j]].x.c < L->pos[idx[j - 1]].x.c; j--) {
      unsigned t = idx[j];
      idx[j] = idx[j - 1];
      idx[j - 1] = t;
    }
  return n;
}

/* Groups of 4 positions that circle the loop around alone, read through one
 * i32 address at dword-aligned distances, and whose hull of inputs is 16,
 * 32 or 64 bytes (or pair windows, above). Positions are taken in the order
 * of their input offsets. */
static void form_groups(dot_state *s, dot_loop *L) {
  L->nwide = 0;
  L->wide_per = 1;
  if (!L->outer_pre || L->trip % (L->ebytes == 1 ? 4u : 2u)) return;
  unsigned idx[MAX_POSITIONS], n = carried_by_offset(L, idx);
  uint64_t span = (uint64_t)L->trip * (uint64_t)L->ebytes;
  if (s->pair_windows && form_pair_groups(L, idx, n, span)) return;
  for (unsigned i = 0; i + LANES <= n;) {
    uint64_t hull;
    if (!groupable(L, idx, i, span, &hull)) {
      i++;
      continue;
    }
    const mem_addr *a = &L->pos[idx[i]].x;
    wide_group *g = &L->wide[L->nwide++];
    for (unsigned t = 0; t < LANES; t++) g->pos[t] = idx[i + t], g->dup[t] = false;
    g->c0 = a->c;
    g->hull = hull;
    g->phi = g->out = NULL;
    i += LANES;
  }
  overlap_group(L, idx, n, span);
}

/* The positions' values from before the loop around, transposed: lane
 * o*4 + t = slot t's position's lane o, or 0 in the second slot of a pair
 * window (built at the end of outer_pre). */
static LLVMValueRef pack_inits(dot_state *s, const dot_loop *L, const wide_group *g) {
  static const int cat8[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  int cat16[16], tr[16];
  for (int i = 0; i < 16; i++) cat16[i] = i, tr[i] = (i % 4) * 4 + i / 4;
  LLVMValueRef v[LANES];
  for (unsigned t = 0; t < LANES; t++)
    v[t] = t % L->wide_per ? LLVMConstNull(s->v4i32) : L->pos[g->pos[t]].outer_init;
  LLVMValueRef a = LLVMBuildShuffleVector(s->bd, v[0], v[1], mask(s, cat8, 8), "");
  LLVMValueRef b = LLVMBuildShuffleVector(s->bd, v[2], v[3], mask(s, cat8, 8), "");
  LLVMValueRef ab = LLVMBuildShuffleVector(s->bd, a, b, mask(s, cat16, 16), "");
  return LLVMBuildShuffleVector(s->bd, ab, LLVMGetUndef(LLVMTypeOf(ab)), mask(s, tr, 16), "dot.z0");
}

/* The inputs of group g's step j: lane o*4 + t = the dword of slot t (of
 * position t, or pair t % 2 of position t / 2 in a pair window), from one
 * window load (with one barrier on the whole window: a barrier
 * per 128-bit part made the backend load each part again for its asm
 * operand, two or four extra loads per window). */
static LLVMValueRef window_operand(dot_state *s, const dot_loop *L, const wide_group *g,
                                   LLVMValueRef win, unsigned j) {
  int m[16];
  for (unsigned o = 0; o < LANES; o++)
    for (unsigned t = 0; t < LANES; t++) {
      const mem_addr *a = &L->pos[g->pos[t]].x;
      m[o * 4 + t] =
          (int)((a->c - g->c0 + (uint64_t)j * (uint64_t)a->x.step) / 4) + (int)(t % L->wide_per);
    }
  return LLVMBuildShuffleVector(s->bd, win, LLVMGetUndef(LLVMTypeOf(win)), mask(s, m, 16),
                                "dot.xz");
}

static LLVMValueRef window(dot_state *s, const dot_loop *L, const wide_group *g) {
  unsigned dwords = (unsigned)(g->hull / 4);
  mem_addr a = L->pos[g->pos[0]].x;
  a.c = g->c0;
  LLVMValueRef win = load_raw(s, &a, 0, LLVMVectorType(s->i32, dwords), "dot.win");
  barrier(s, win);
  return win;
}

/* A pair window's weight operand: lane o*4 + t = dword o of wv[t % 2],
 * channel o's pair t % 2. */
static LLVMValueRef pair_weights(dot_state *s, const LLVMValueRef *wv) {
  int m[16];
  for (int o = 0; o < 4; o++)
    for (int t = 0; t < 4; t++) m[o * 4 + t] = (t % 2) * 4 + o;
  return LLVMBuildShuffleVector(s->bd, LLVMBuildBitCast(s->bd, wv[0], s->v4i32, ""),
                                LLVMBuildBitCast(s->bd, wv[1], s->v4i32, ""), mask(s, m, 16),
                                "dot.wp");
}

/* Group g's steps, at the builder (the loop's replacement block); wp the
 * pair windows' weights. */
static void wide_steps(dot_state *s, const dot_loop *L, wide_group *g, const LLVMValueRef *wv,
                       const LLVMValueRef *corr, unsigned groups, unsigned G, LLVMValueRef wp) {
  LLVMValueRef win = window(s, L, g), z = s->split ? LLVMConstNull(LLVMTypeOf(g->phi)) : g->phi;
  if (L->wide_per == 2) { /* both pairs in one step */
    LLVMValueRef args[3] = {z, window_operand(s, L, g, win, 0), wp};
    z = intrinsic(s, "llvm.x86.avx512.vpdpwssd.512", args, 3, "dot.acc");
    groups = 0;
  }
  for (unsigned q = 0; q < groups; q++) {
    LLVMValueRef xz = window_operand(s, L, g, win, q * G), wz = spread(s, wv[q]);
    if (L->ebytes == 1) {
      LLVMValueRef b16[16];
      for (int i = 0; i < 16; i++) b16[i] = c32(s, (int64_t)0x80808080u);
      xz = LLVMBuildXor(s->bd, xz, LLVMConstVector(b16, 16), "dot.xb");
      LLVMValueRef args[3] = {z, xz, wz};
      z = intrinsic(s, "llvm.x86.avx512.vpdpbusd.512", args, 3, "dot");
      if (!s->cnext) z = LLVMBuildSub(s->bd, z, spread(s, corr[q]), "dot.acc");
    } else {
      LLVMValueRef args[3] = {z, xz, wz};
      z = intrinsic(s, "llvm.x86.avx512.vpdpwssd.512", args, 3, "dot.acc");
    }
  }
  g->out = s->split ? LLVMBuildAdd(s->bd, g->phi, z, "dot.acc") : z;
  s->st->split_chains += s->split;
}

/* Position p's uses after the loop around (all but its phis in the loop and
 * the loop around) read v instead of its value. */
static void use_after_loop_around(const position *p, LLVMValueRef v) {
  for (LLVMUseRef u = LLVMGetFirstUse(p->next); u;) {
    LLVMUseRef nu = LLVMGetNextUse(u);
    LLVMValueRef user = LLVMGetUser(u);
    if (user != p->phi && user != p->outer_phi)
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(user); o < no; o++)
        if (LLVMGetOperand(user, o) == p->next) LLVMSetOperand(user, o, v);
    u = nu;
  }
}

/* Wide groups: their phis in the loop around's header, their initial
 * vectors before it, their steps here, and their lanes after it. */
static void emit_wide(dot_state *s, dot_loop *L, const LLVMValueRef *wv, const LLVMValueRef *corr,
                      unsigned groups, unsigned G) {
  LLVMBasicBlockRef here = LLVMGetInsertBlock(s->bd);
  LLVMTypeRef v16 = LLVMVectorType(s->i32, 16);
  LLVMValueRef wp = L->nwide && L->wide_per == 2 ? pair_weights(s, wv) : NULL;
  for (unsigned i = 0; i < L->nwide; i++) {
    wide_group *g = &L->wide[i];
    LLVMPositionBuilderBefore(s->bd, LLVMGetFirstInstruction(L->ph));
    g->phi = LLVMBuildPhi(s->bd, v16, "dot.zphi");
    LLVMPositionBuilderAtEnd(s->bd, here);
    wide_steps(s, L, g, wv, corr, groups, G, wp);
    LLVMPositionBuilderBefore(s->bd, LLVMGetBasicBlockTerminator(L->outer_pre));
    LLVMValueRef z0 = pack_inits(s, L, g);
    LLVMAddIncoming(g->phi, &z0, &L->outer_pre, 1);
    LLVMAddIncoming(g->phi, &g->out, &L->exit, 1);
    /* after the loop around: each position's lanes */
    LLVMPositionBuilderBefore(s->bd, wgc_first_non_phi(L->outer_exit));
    LLVMValueRef out = g->out;
    if (s->cnext) out = LLVMBuildSub(s->bd, out, spread(s, s->cnext), "dot.acc");
    if (L->wide_per == 2) { /* a pair window: slot 2i + 1 added into slot 2i, in place */
      int sw[16];
      for (int i = 0; i < 16; i++) sw[i] = i ^ 1;
      out = LLVMBuildAdd(s->bd, out,
                         LLVMBuildShuffleVector(s->bd, out, LLVMGetUndef(v16), mask(s, sw, 16), ""),
                         "dot.sum");
    }
    for (unsigned t = 0; t < LANES; t++) L->pos[g->pos[t]].grouped = true;
    for (unsigned t = 0; t < LANES; t += L->wide_per) {
      if (g->dup[t]) continue; /* an earlier group's position */
      position *p = &L->pos[g->pos[t]];
      int m[LANES] = {(int)t, 4 + (int)t, 8 + (int)t, 12 + (int)t};
      LLVMValueRef lanes =
          LLVMBuildShuffleVector(s->bd, out, LLVMGetUndef(v16), mask(s, m, LANES), "dot.acc");
      use_after_loop_around(p, lanes);
      p->result = NULL;
    }
    s->st->wide_groups++;
    s->st->pair_windows += L->wide_per == 2;
    for (unsigned t = 0; t < LANES; t += L->wide_per) s->st->wide_positions += !g->dup[t];
    s->st->overlap_groups += g->dup[0];
  }
  LLVMPositionBuilderAtEnd(s->bd, here);
}

/* ---- 256-bit int8 pairs (x86 with AVX2, without VNNI) ------------------ */

/* Why. Without VNNI an int8 position's step is two pmaddwd on its own xmm
 * accumulator. A 1x1 convolution on a 13x13 map has 13 positions: 13
 * accumulators, two weight operands and the temporaries do not fit in 16
 * xmm registers, and squeezenet1_1_int8's AVX2 build spilled three
 * accumulators per iteration of its hottest loop. Two positions that circle
 * the loop around alone share one <8 x i32> instead, lane 4t + o = position
 * t's output channel o, carried around that loop in a ymm phi as the
 * 512-bit groups are: half the registers, one vpmaddwd and one vpaddd per
 * two positions and pair where there were two of each, and no spill.
 *
 * The input operand of pair h: in half t every dword holds position t's
 * bytes 2h and 2h + 1, each in the high byte of an i16, shifted down
 * arithmetically (a sign extension done in-lane: one vpshufb and one
 * vpsraw from the two positions' 8 bytes broadcast to every quadword,
 * where vpmovsxbw would need cross-lane shuffles per operand).
 *
 * int16 (QNN) stays one position per xmm register: its input pair is a
 * dword broadcast straight from memory, which costs no shuffle, and
 * pairing it (a vpshufb per operand) made mobilenet_v2_qnn's AVX2 build
 * 17% slower.
 *
 * Why it is exact. pmaddwd works per dword lane: lane 4t + o of the 256-bit
 * form, with position t's input pair in half t and the weights in both
 * halves, is lane o of position t's 128-bit step (i8_quad_pmadd), the same
 * i32 sum wrapping the same way. The phi carries what the two positions'
 * phis carried, and after the loop around each position reads its half.
 * The loads read each group's 4 bytes per position, as i8_quad_pmadd's do,
 * with the barrier on the vector that holds them (as x_rows does). */

/* <16 x i16>: the 8 lanes of v (a pmaddwd weight operand) in both halves. */
static LLVMValueRef both_halves(dot_state *s, LLVMValueRef v) {
  int m[16];
  for (int i = 0; i < 16; i++) m[i] = i % 8;
  return LLVMBuildShuffleVector(s->bd, v, LLVMGetUndef(s->v8i16), mask(s, m, 16), "dot.w2");
}

/* Positions a's and b's input bytes of group j (4 each), a's at byte 0
 * and b's at byte 4 of a 64-bit pattern repeated across a <32 x i8>, with
 * the barrier on it. Two positions whose inputs are adjacent (b's right
 * after a's, above the same i32 address) are read with one 8-byte load:
 * exactly the bytes of their two loads, starting at a's, so the wrap
 * argument of load_raw holds as for the 512-bit windows. Others with
 * their own 4-byte loads, a position paired with itself with one. */
static LLVMValueRef pair_inputs(dot_state *s, const dot_loop *L, unsigned ia, unsigned ib,
                                unsigned j) {
  LLVMTypeRef v2i32 = LLVMVectorType(s->i32, 2), v4i64 = LLVMVectorType(s->i64, 4);
  const mem_addr *x = &L->pos[ia].x, *y = &L->pos[ib].x;
  LLVMValueRef q;
  if (adjacent(L, ia, ib, 4)) { /* 4: one group's bytes */
    q = load_raw(s, x, j, s->i64, "dot.xadj");
  } else {
    LLVMValueRef la = load_raw(s, x, j, s->i32, "dot.x");
    LLVMValueRef lb = ib == ia ? la : load_raw(s, y, j, s->i32, "dot.x");
    LLVMValueRef v = LLVMBuildInsertElement(s->bd, LLVMGetUndef(v2i32), la, c32(s, 0), "");
    v = LLVMBuildInsertElement(s->bd, v, lb, c32(s, 1), "");
    q = LLVMBuildBitCast(s->bd, v, s->i64, "");
  }
  LLVMValueRef ins = LLVMBuildInsertElement(s->bd, LLVMGetUndef(v4i64), q, c32(s, 0), "");
  static const int zero[4] = {0, 0, 0, 0};
  LLVMValueRef rep =
      LLVMBuildShuffleVector(s->bd, ins, LLVMGetUndef(v4i64), mask(s, zero, 4), "dot.xq");
  barrier(s, rep);
  return LLVMBuildBitCast(s->bd, rep, LLVMVectorType(s->i8, 32), "");
}

/* acc + pmaddwd(X, w2), X's dwords in half t all position t's pair h: its
 * bytes 2h and 2h + 1 of the repeated pattern xb (taken from the half's
 * own copy, so the shuffle stays in-lane) in the high bytes of two i16,
 * then shifted down by 8 arithmetically. */
static LLVMValueRef ymm_step(dot_state *s, LLVMValueRef acc, LLVMValueRef xb, unsigned h,
                             LLVMValueRef w2) {
  LLVMTypeRef v16i16 = LLVMVectorType(s->i16, 16), v32i8 = LLVMVectorType(s->i8, 32);
  LLVMValueRef e[32], eight[16];
  for (unsigned i = 0; i < 32; i++) {
    unsigned t = i / 16, k = i % 4; /* byte k of a dword of half t */
    /* odd bytes: position t's byte 2h + k/2 (at 4t in the half's copy at
     * 16t); even bytes: 32, the first byte of the zero vector */
    e[i] = c32(s, k % 2 ? (int)(16 * t + 4 * t + 2 * h + k / 2) : 32);
  }
  for (unsigned i = 0; i < 16; i++) eight[i] = LLVMConstInt(s->i16, 8, 0);
  LLVMValueRef x =
      LLVMBuildShuffleVector(s->bd, xb, LLVMConstNull(v32i8), LLVMConstVector(e, 32), "dot.xy");
  x = LLVMBuildAShr(s->bd, LLVMBuildBitCast(s->bd, x, v16i16, ""), LLVMConstVector(eight, 16),
                    "dot.xs");
  LLVMValueRef args[2] = {x, w2};
  return LLVMBuildAdd(s->bd, acc, intrinsic(s, "llvm.x86.avx2.pmadd.wd", args, 2, ""), "dot.acc");
}

/* int8 without VNNI, with AVX2: pairs of the positions that circle the
 * loop around alone, in the order of their input offsets (so that adjacent
 * ones share a load), when every step is a quad. An odd last position
 * pairs with itself: its twin half computes the same lanes from the same
 * bytes and is never read, which keeps it off xmm copies of the weights
 * (with them the 13th accumulator of a 13-position loop spilled again).
 * wp[g] group g's weights (i8_pair_weights). Marks each paired position
 * (p->grouped) and points its uses after the loop around at its half. */
static void emit_ymm_pairs(dot_state *s, dot_loop *L, LLVMValueRef (*wp)[2], unsigned groups) {
  if (s->isa != WGC_DOT_X86 || !s->avx2 || L->ebytes != 1 || !L->outer_pre || !groups ||
      L->trip != groups * 4)
    return;
  unsigned idx[MAX_POSITIONS], n = carried_by_offset(L, idx);
  if (n < 2) return;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(s->bd);
  LLVMTypeRef v8i32 = LLVMVectorType(s->i32, 8);
  LLVMValueRef w2[MAX_TRIP / 4][2];
  for (unsigned g = 0; g < groups; g++)
    for (unsigned h = 0; h < 2; h++) w2[g][h] = both_halves(s, wp[g][h]);
  static const int cat[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  for (unsigned i = 0; i < n; i += 2) {
    unsigned ia = idx[i], ib = idx[i + 1 < n ? i + 1 : i];
    position *p[2] = {&L->pos[ia], &L->pos[ib]};
    LLVMPositionBuilderBefore(s->bd, LLVMGetFirstInstruction(L->ph));
    LLVMValueRef phi = LLVMBuildPhi(s->bd, v8i32, "dot.yphi");
    LLVMPositionBuilderAtEnd(s->bd, here);
    LLVMValueRef acc = phi;
    for (unsigned g = 0; g < groups; g++) {
      LLVMValueRef xb = pair_inputs(s, L, ia, ib, g * 4);
      for (unsigned h = 0; h < 2; h++) acc = ymm_step(s, acc, xb, h, w2[g][h]);
    }
    LLVMPositionBuilderBefore(s->bd, LLVMGetBasicBlockTerminator(L->outer_pre));
    LLVMValueRef y0 = LLVMBuildShuffleVector(s->bd, p[0]->outer_init, p[1]->outer_init,
                                             mask(s, cat, 8), "dot.y0");
    LLVMAddIncoming(phi, &y0, &L->outer_pre, 1);
    LLVMAddIncoming(phi, &acc, &L->exit, 1);
    LLVMPositionBuilderBefore(s->bd, wgc_first_non_phi(L->outer_exit));
    for (unsigned t = 0; t < (p[1] == p[0] ? 1u : 2u); t++) {
      LLVMValueRef half = LLVMBuildShuffleVector(s->bd, acc, LLVMGetUndef(v8i32),
                                                 mask(s, cat + 4 * t, LANES), "dot.acc");
      use_after_loop_around(p[t], half);
      p[t]->result = NULL;
      p[t]->grouped = true;
    }
    s->st->ymm_pairs++;
  }
  LLVMPositionBuilderAtEnd(s->bd, here);
}

/* Several products per iteration (L->nterms > 1, int16 rows): the loop's
 * trip * nterms steps in order (iteration j's term k is step j*nterms + k)
 * regrouped in pairs, each row loaded on its own (exactly the loop's loads)
 * and the pair interleaved; a last odd step alone. */
static void emit_terms(dot_state *s, dot_loop *L) {
  LLVMTypeRef v4i16 = LLVMVectorType(s->i16, LANES);
  unsigned K = L->nterms, V = L->trip * K, pairs = V / 2;
  static const int il[8] = {0, 4, 1, 5, 2, 6, 3, 7};
  LLVMValueRef wi[MAX_TRIP * MAX_TERMS / 2];
  for (unsigned g = 0; g < pairs; g++) {
    unsigned t0 = 2 * g, t1 = t0 + 1;
    LLVMValueRef a = load_raw(s, &L->twa[t0 % K], t0 / K, v4i16, "dot.wr"),
                 b = load_raw(s, &L->twa[t1 % K], t1 / K, v4i16, "dot.wr");
    wi[g] = LLVMBuildShuffleVector(s->bd, a, b, mask(s, il, 8), "dot.wi");
    barrier(s, wi[g]);
  }
  /* the last odd step's weight row, once for every position (as
   * single_weights does for one product per iteration) */
  LLVMValueRef w1 = NULL;
  if (V % 2)
    w1 = LLVMBuildSExt(s->bd, load_at(s, &L->twa[(V - 1) % K], (V - 1) / K, v4i16, "dot.w1row"),
                       s->v4i32, "");
  for (unsigned k = 0; k < L->npos; k++) {
    position *p = &L->pos[k];
    p->result = p->init;
    for (unsigned g = 0; g < pairs; g++) {
      unsigned t0 = 2 * g, t1 = t0 + 1;
      LLVMValueRef a = load_raw(s, &p->tx[t0 % K], t0 / K, v4i16, "dot.xr"),
                   b = load_raw(s, &p->tx[t1 % K], t1 / K, v4i16, "dot.xr");
      LLVMValueRef xi = LLVMBuildShuffleVector(s->bd, a, b, mask(s, il, 8), "dot.xi");
      barrier(s, xi);
      p->result = i16_pair(s, p->result, LLVMBuildBitCast(s->bd, xi, s->v4i32, ""), wi[g]);
    }
    if (V % 2) {
      unsigned t = V - 1;
      LLVMValueRef x = load_at(s, &p->tx[t % K], t / K, v4i16, "dot.x1");
      LLVMValueRef prod = LLVMBuildMul(s->bd, LLVMBuildSExt(s->bd, x, s->v4i32, ""), w1, "");
      p->result = LLVMBuildAdd(s->bd, p->result, prod, "dot.acc");
    }
  }
  L->nwide = 0;
  s->st->groups += pairs;
  s->st->single_steps += V % 2;
}

/* Positions whose result comes from a 512-bit group. */
static unsigned wide_positions(const dot_loop *L) {
  unsigned n = 0;
  for (unsigned i = 0; i < L->nwide; i++)
    for (unsigned t = 0; t < LANES; t += L->wide_per) n += !L->wide[i].dup[t];
  return n;
}

/* Whether this loop's accumulator chains start at zero, the accumulator
 * added after the last dot step: acc + (((0 + d0) + d1) + ...) instead of
 * ((acc + d0) + d1) + .... Why: each step is one vpdpwssd/vpdpbusd, about 5
 * cycles of latency on the accumulator operand, and the accumulator circles
 * the loop around, so a chain of G steps costs about 5G cycles per
 * iteration however few the positions. A 1x1 convolution on a 7x7 map has 7
 * positions (one 512-bit group and three xmm accumulators): mobilenet_v2_qnn
 * ran those loops about 12% faster split, at one vpaddd per accumulator.
 * With many accumulators the loop is throughput-bound and the add is pure
 * cost, hence the bound; one step alone gains nothing (int8 quads with trip
 * 4 were measured slightly slower). Exact: wrapping i32 addition is
 * associative, and the steps start at zero instead of at acc (the
 * non-saturating forms only, as everywhere in this pass). */
static bool split_chains(const dot_state *s, const dot_loop *L, unsigned groups) {
  if (s->isa < WGC_DOT_VNNI || groups < 2 || s->split_mode == 0) return false;
  if (L->nwide && L->wide_per == 2) return false; /* one step per group */
  unsigned accs = L->nwide + L->npos - wide_positions(L);
  return s->split_mode == 1 || accs < WGC_DOT_SPLIT_BELOW;
}

/* Deferred corrections. An int8 step with VNNI subtracts the weight-only
 * correction 128 * sum(w) from every accumulator (int_dot.c). An
 * accumulator that circles the loop around alone (a 3x3 conv's kw loop,
 * a 1x1 conv's input-block loop) gets the same subtractions if they all
 * happen after that loop: the corrections are summed in one <4 x i32> phi
 * of the loop around, and subtracted once from each position's value where
 * it leaves the loop (wrapping i32 addition is associative and commutative,
 * so acc + sum(d - c) = (acc + sum d) - sum c). Inside the loop the
 * accumulators then hold the sums without corrections, which nothing but
 * the loop itself reads (wgc_dot_match_outer's condition). One vpaddd per
 * iteration instead of a vpsubd per accumulator and step. Returns the sum
 * after this iteration, or NULL where the loop has no such accumulator. */
static LLVMValueRef defer_corrections(dot_state *s, dot_loop *L, const LLVMValueRef *corr,
                                      unsigned groups) {
  if (s->isa < WGC_DOT_VNNI || L->ebytes != 1 || !groups || !L->outer_pre) return NULL;
  bool any = false;
  for (unsigned k = 0; k < L->npos; k++) any |= L->pos[k].outer_init != NULL;
  if (!any) return NULL;
  LLVMBasicBlockRef here = LLVMGetInsertBlock(s->bd);
  LLVMPositionBuilderBefore(s->bd, LLVMGetFirstInstruction(L->ph));
  LLVMValueRef phi = LLVMBuildPhi(s->bd, s->v4i32, "dot.cphi");
  LLVMPositionBuilderAtEnd(s->bd, here);
  LLVMValueRef next = phi;
  for (unsigned g = 0; g < groups; g++) next = LLVMBuildAdd(s->bd, next, corr[g], "dot.csum");
  LLVMValueRef zero = LLVMConstNull(s->v4i32);
  LLVMAddIncoming(phi, &zero, &L->outer_pre, 1);
  LLVMAddIncoming(phi, &next, &L->exit, 1);
  s->st->deferred_corrections++;
  return next;
}

/* A position whose corrections are deferred: its uses after the loop
 * around read its value minus the corrections' sum (the loop around's phi
 * keeps p->result, int_dot.c). */
static void correct_after(dot_state *s, const dot_loop *L, const position *p) {
  LLVMBasicBlockRef here = LLVMGetInsertBlock(s->bd);
  LLVMPositionBuilderBefore(s->bd, wgc_first_non_phi(L->outer_exit));
  LLVMValueRef fixed = LLVMBuildSub(s->bd, p->result, s->cnext, "dot.acc");
  use_after_loop_around(p, fixed);
  LLVMPositionBuilderAtEnd(s->bd, here);
}

/* Builds the straight-line replacement in block n: every position's value
 * after the loop, in p->result. */
void wgc_dot_emit(dot_state *s, dot_loop *L) {
  if (L->nterms > 1) {
    emit_terms(s, L);
    return;
  }
  unsigned G = L->ebytes == 1 ? 4 : 2, groups = L->trip / G;
  enum { MAX_GROUPS = MAX_TRIP / 2 };
  LLVMValueRef wv[MAX_GROUPS], corr[MAX_GROUPS] = {0}, wp[MAX_GROUPS][2];
  bool pmadd8 = L->ebytes == 1 && s->isa == WGC_DOT_X86;
  for (unsigned k = 0; k < L->npos; k++) L->pos[k].grouped = false;
  /* the weights of every group first: shared by all positions */
  for (unsigned g = 0; g < groups; g++) {
    if (L->ebytes == 2) {
      wv[g] = i16_weights(s, L, g * G);
      continue;
    }
    if (pmadd8) {
      i8_pair_weights(s, L, g * G, wp[g]);
      continue;
    }
    wv[g] = i8_weights(s, L, g * G);
    if (s->isa >= WGC_DOT_VNNI) {
      LLVMValueRef args[3] = {LLVMConstNull(s->v4i32), splat32(s, 0x80808080u),
                              LLVMBuildBitCast(s->bd, wv[g], s->v4i32, "")};
      corr[g] = intrinsic(s, "llvm.x86.avx512.vpdpbusd.128", args, 3, "dot.corr");
    }
  }
  LLVMValueRef w1[MAX_TRIP];
  for (unsigned j = groups * G; j < L->trip; j++) w1[j] = single_weights(s, L, j);
  anchor_inputs(L);
  L->nwide = 0;
  L->wide_per = 1;
  if (s->isa == WGC_DOT_VNNI512 && !L->rows) form_groups(s, L);
  s->split = split_chains(s, L, groups);
  s->cnext = defer_corrections(s, L, corr, groups);
  emit_wide(s, L, wv, corr, groups, G);
  emit_ymm_pairs(s, L, wp, groups);
  /* then one position at a time, so its address dies right away */
  for (unsigned k = 0; k < L->npos; k++) {
    position *p = &L->pos[k];
    if (p->grouped) continue;
    p->result = s->split ? LLVMConstNull(s->v4i32) : p->init;
    bool deferred = s->cnext && p->outer_init;
    for (unsigned g = 0; g < groups; g++)
      p->result = pmadd8           ? i8_quad_pmadd(s, p, g * G, p->result, wp[g])
                  : L->ebytes == 1 ? i8_quad(s, p->result, x_splat(s, p, g * G), wv[g],
                                             deferred ? NULL : corr[g])
                  : L->rows ? i16_pair(s, p->result, x_rows(s, p, g * G), wv[g])
                                   : i16_pair(s, p->result, x_splat(s, p, g * G), wv[g]);
    for (unsigned j = groups * G; j < L->trip; j++)
      p->result = single_step(s, L, p, p->result, j, w1[j]);
    if (s->split) {
      p->result = LLVMBuildAdd(s->bd, p->init, p->result, "dot.acc");
      s->st->split_chains++;
    }
    if (deferred) correct_after(s, L, p);
  }
  s->cnext = NULL;
  s->st->groups += groups;
  s->st->single_steps += L->trip - groups * G;
}
