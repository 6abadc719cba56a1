/*
 * interrupt_checks.c — the loop half of the interrupt checks
 * (docs/security.md#deadlines), placed after LLVM's optimizations so that
 * none of them sees a check inside a loop.
 *
 * What is already there. interrupt_rewrite.c put a check at every guest
 * function's entry and after every host import, in C:
 *     if (atomic_load_relaxed(mem->interrupt) & 1) wasm_rt_interrupt_trap();
 * Those survive optimization (a call that does not return), so a function
 * that holds one is guest code, or guest code was inlined into it, and the
 * pointer operand of its atomic load is the interrupt word's address,
 * computed from the function's arguments.
 *
 * Where the checks go. Every cycle of a control-flow graph contains a
 * retreating edge of any depth-first search from the entry, so a check on
 * each retreating edge stops every runaway loop within one iteration; with
 * the entry checks, recursion is covered too. A check is a new block on the
 * edge: relaxed atomic load of the word, test bit 0, branch (weighted
 * cold) to one `wasm_rt_interrupt_trap()` block per function.
 *
 * Bounded loop nests. A natural loop (one latch u -> v, entered only through
 * its header v) whose back edge provably runs at most T <= WGC_CHECK_FREE_TRIPS
 * times per entry, and whose inner loops are all such nests themselves, is a
 * bounded nest when (T + 1) x (its instructions outside inner loops + each
 * outermost inner nest's bound) <= WGC_CHECK_FREE_WORK IR instructions. The
 * outermost nest is checked once on every edge that enters it; the loops in
 * it get no check. The trip count proof: v holds an integer phi i whose
 * value from u is next = i + C (C a constant); u ends in a conditional
 * branch whose one successor is v, on `icmp pred X, N` with X in {i, next}
 * and N a constant. Each traversal of u -> v adds exactly C to i (modulo
 * 2^w), so the branch sees the values X_k = S + kC (+C) of one arithmetic
 * sequence. When every entering edge gives i the same constant S, the
 * sequence is fixed and the first k that leaves the loop is found by
 * evaluating the compare, up to the limit. When S is unknown, only
 * `X <u N` (or <=u) with 0 < C < 2^(w-1) is accepted: while X <u N <= 2^w - C
 * nothing wraps, X grows by C, so the edge is taken at most N / C + 2 times.
 * The work bound holds because within one iteration a path meets every block
 * outside the inner loops at most once and enters each outermost inner nest
 * at most once (every other cycle of the loop lies inside an inner loop).
 * Other exits only shorten a loop; calls inside reach a checked callee or a
 * host import that returns.
 *
 * Covered back edges. A retreating edge u -> v of any other loop needs no
 * check of its own when every path from v to u passes a check already:
 * the entry check of a bounded nest, another check placed here, or one of the
 * C checks (function entries inlined into the loop, returns from host
 * imports). Then every cycle through it passes that check. Loops are
 * decided inner first.
 *
 * Between two checks a thread therefore runs at most one bounded nest
 * (at most WGC_CHECK_FREE_WORK instructions) plus acyclic code, and the
 * acyclic tails of the frames it returns through, which is what the deadline
 * guarantee in docs/security.md rests on.
 *
 * A function with a retreating edge but no recognisable check to take the
 * word's address from, or an edge that cannot be split (not a br or switch),
 * fails the compile: an unchecked loop could not be stopped.
 */
#include "interrupt_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

#define TRAP_FN "wasm_rt_interrupt_trap"

/* ---- the control-flow graph of one function ------------------------------ */

typedef struct cfg {
  LLVMBasicBlockRef *blocks; /* in function order; 0 is the entry */
  size_t n;
  /* block -> index: open addressing over the pointer values */
  LLVMBasicBlockRef *keys;
  size_t *vals, cap;
  /* predecessor lists, flattened: preds[pred_at[b] .. pred_at[b+1]) */
  size_t *pred_at, *preds;
} cfg;

static size_t hash_ptr(const void *p, size_t cap) { return wgc_hash_ptr(p) & (cap - 1); }

static size_t cfg_index(const cfg *g, LLVMBasicBlockRef bb) {
  for (size_t h = hash_ptr(bb, g->cap);; h = (h + 1) & (g->cap - 1)) {
    if (g->keys[h] == bb) return g->vals[h];
    if (!g->keys[h]) return (size_t)-1;
  }
}

static void cfg_free(cfg *g) {
  free(g->blocks);
  free(g->keys);
  free(g->vals);
  free(g->pred_at);
  free(g->preds);
  memset(g, 0, sizeof *g);
}

static bool cfg_build(cfg *g, LLVMValueRef f) {
  memset(g, 0, sizeof *g);
  g->n = LLVMCountBasicBlocks(f);
  g->cap = 16;
  while (g->cap < 2 * g->n) g->cap *= 2;
  g->blocks = calloc(g->n ? g->n : 1, sizeof *g->blocks);
  g->keys = calloc(g->cap, sizeof *g->keys);
  g->vals = calloc(g->cap, sizeof *g->vals);
  g->pred_at = calloc(g->n + 2, sizeof *g->pred_at);
  if (!g->blocks || !g->keys || !g->vals || !g->pred_at) return false;
  size_t i = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb)) {
    g->blocks[i] = bb;
    size_t h = hash_ptr(bb, g->cap);
    while (g->keys[h]) h = (h + 1) & (g->cap - 1);
    g->keys[h] = bb;
    g->vals[h] = i++;
  }
  /* count, then fill, the predecessor edges (one per successor slot) */
  size_t edges = 0;
  for (i = 0; i < g->n; i++) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i]);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned k = 0; k < ns; k++) g->pred_at[cfg_index(g, LLVMGetSuccessor(t, k)) + 2]++;
    edges += ns;
  }
  for (i = 2; i < g->n + 2; i++) g->pred_at[i] += g->pred_at[i - 1];
  g->preds = calloc(edges ? edges : 1, sizeof *g->preds);
  if (!g->preds) return false;
  for (i = 0; i < g->n; i++) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i]);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned k = 0; k < ns; k++)
      g->preds[g->pred_at[cfg_index(g, LLVMGetSuccessor(t, k)) + 1]++] = i;
  }
  return true;
}

#define PRED_BEGIN(g, b) ((g)->pred_at[b])
#define PRED_END(g, b) ((g)->pred_at[(b) + 1])

/* ---- retreating edges ------------------------------------------------------ */

typedef struct edge {
  size_t from, to;
} edge;

typedef struct edge_list {
  edge *e;
  size_t n, cap;
} edge_list;

static bool edge_add(edge_list *l, size_t from, size_t to) {
  for (size_t i = 0; i < l->n; i++)
    if (l->e[i].from == from && l->e[i].to == to) return true; /* one per block pair */
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    edge *e = realloc(l->e, cap * sizeof *e);
    if (!e) return false;
    l->e = e;
    l->cap = cap;
  }
  l->e[l->n++] = (edge){from, to};
  return true;
}

/* Iterative depth-first search from the entry: the edges to a block still
 * on the stack. */
static bool retreating_edges(const cfg *g, edge_list *out) {
  unsigned char *color = calloc(g->n ? g->n : 1, 1); /* 0 new, 1 on stack, 2 done */
  size_t *stack = calloc(g->n ? g->n : 1, sizeof *stack);
  unsigned *next = calloc(g->n ? g->n : 1, sizeof *next);
  bool ok = color && stack && next;
  size_t sp = 0;
  if (ok && g->n) {
    stack[sp++] = 0;
    color[0] = 1;
  }
  while (ok && sp) {
    size_t b = stack[sp - 1];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b]);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    if (next[b] == ns) {
      color[b] = 2;
      sp--;
      continue;
    }
    size_t s = cfg_index(g, LLVMGetSuccessor(t, next[b]++));
    if (color[s] == 1) ok = edge_add(out, b, s);
    else if (color[s] == 0) {
      color[s] = 1;
      stack[sp++] = s;
    }
  }
  free(color);
  free(stack);
  free(next);
  return ok;
}

/* ---- bounded loops --------------------------------------------------------- */

static bool const_u64(LLVMValueRef v, uint64_t *c) {
  if (!v || !LLVMIsAConstantInt(v)) return false;
  *c = LLVMConstIntGetZExtValue(v);
  return true;
}

static uint64_t mask_of(unsigned w) { return w >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1); }

static int64_t as_signed(uint64_t x, unsigned w) {
  if (w >= 64) return (int64_t)x;
  uint64_t sign = (uint64_t)1 << (w - 1);
  return (int64_t)((x ^ sign) - sign);
}

static bool compare(LLVMIntPredicate p, uint64_t a, uint64_t b, unsigned w) {
  int64_t sa = as_signed(a, w), sb = as_signed(b, w);
  switch (p) {
    case LLVMIntEQ:
      return a == b;
    case LLVMIntNE:
      return a != b;
    case LLVMIntUGT:
      return a > b;
    case LLVMIntUGE:
      return a >= b;
    case LLVMIntULT:
      return a < b;
    case LLVMIntULE:
      return a <= b;
    case LLVMIntSGT:
      return sa > sb;
    case LLVMIntSGE:
      return sa >= sb;
    case LLVMIntSLT:
      return sa < sb;
    case LLVMIntSLE:
      return sa <= sb;
  }
  return true;
}

static LLVMIntPredicate swapped(LLVMIntPredicate p) {
  switch (p) {
    case LLVMIntUGT:
      return LLVMIntULT;
    case LLVMIntUGE:
      return LLVMIntULE;
    case LLVMIntULT:
      return LLVMIntUGT;
    case LLVMIntULE:
      return LLVMIntUGE;
    case LLVMIntSGT:
      return LLVMIntSLT;
    case LLVMIntSGE:
      return LLVMIntSLE;
    case LLVMIntSLT:
      return LLVMIntSGT;
    case LLVMIntSLE:
      return LLVMIntSGE;
    default:
      return p;
  }
}

static LLVMIntPredicate inverse(LLVMIntPredicate p) {
  switch (p) {
    case LLVMIntEQ:
      return LLVMIntNE;
    case LLVMIntNE:
      return LLVMIntEQ;
    case LLVMIntUGT:
      return LLVMIntULE;
    case LLVMIntUGE:
      return LLVMIntULT;
    case LLVMIntULT:
      return LLVMIntUGE;
    case LLVMIntULE:
      return LLVMIntUGT;
    case LLVMIntSGT:
      return LLVMIntSLE;
    case LLVMIntSGE:
      return LLVMIntSLT;
    case LLVMIntSLT:
      return LLVMIntSGE;
    case LLVMIntSLE:
      return LLVMIntSGT;
  }
  return p;
}

/* next = i + C or i - C (either operand order for +): C modulo 2^w. */
static bool step_of(LLVMValueRef next, LLVMValueRef i, unsigned w, uint64_t *c) {
  if (!LLVMIsABinaryOperator(next)) return false;
  LLVMOpcode op = LLVMGetInstructionOpcode(next);
  LLVMValueRef a = LLVMGetOperand(next, 0), b = LLVMGetOperand(next, 1);
  uint64_t k;
  if (op == LLVMAdd && a == i && const_u64(b, &k)) *c = k;
  else if (op == LLVMAdd && b == i && const_u64(a, &k)) *c = k;
  else if (op == LLVMSub && a == i && const_u64(b, &k)) *c = (0 - k);
  else return false;
  *c &= mask_of(w);
  return *c != 0;
}

/* The value phi takes from block `from` (NULL if none, or two different). */
static LLVMValueRef incoming_from(LLVMValueRef phi, LLVMBasicBlockRef from) {
  LLVMValueRef v = NULL;
  for (unsigned k = 0; k < LLVMCountIncoming(phi); k++) {
    if (LLVMGetIncomingBlock(phi, k) != from) continue;
    LLVMValueRef x = LLVMGetIncomingValue(phi, k);
    if (v && v != x) return NULL;
    v = x;
  }
  return v;
}

/* How many times the back edge u -> v is taken per entry into the loop, at
 * most, judged by the conditional branch that ends block `x_block`, which
 * stays in the loop through `stay` and runs once in every iteration that
 * reaches u (u itself, or a block that dominates u and lies in no inner
 * loop); UINT64_MAX when not provable within WGC_CHECK_FREE_TRIPS. */
static uint64_t trip_bound(LLVMBasicBlockRef x_block, LLVMBasicBlockRef stay, LLVMBasicBlockRef u,
                           LLVMBasicBlockRef v) {
  const uint64_t unknown = UINT64_MAX;
  LLVMValueRef t = LLVMGetBasicBlockTerminator(x_block);
  if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t)) return unknown;
  LLVMBasicBlockRef s0 = LLVMGetSuccessor(t, 0), s1 = LLVMGetSuccessor(t, 1);
  if ((s0 == stay) == (s1 == stay)) return unknown;
  LLVMValueRef cond = LLVMGetCondition(t);
  if (!LLVMIsAICmpInst(cond)) return unknown;
  LLVMIntPredicate p = LLVMGetICmpPredicate(cond);
  LLVMValueRef x = LLVMGetOperand(cond, 0), nv = LLVMGetOperand(cond, 1);
  uint64_t n;
  if (!const_u64(nv, &n)) {
    if (!const_u64(x, &n)) return unknown;
    x = nv;
    p = swapped(p);
  }
  if (s0 != stay) p = inverse(p); /* p: the condition under which the loop goes on */
  /* x is the header phi i, or next = i +- C with next flowing back to i */
  LLVMValueRef phi = NULL, next = NULL;
  bool x_is_next = false;
  if (LLVMIsAPHINode(x) && LLVMGetInstructionParent(x) == v) {
    phi = x;
    next = incoming_from(phi, u);
  } else if (LLVMIsABinaryOperator(x)) {
    for (int k = 0; k < 2 && !phi; k++) {
      LLVMValueRef o = LLVMGetOperand(x, (unsigned)k);
      if (LLVMIsAPHINode(o) && LLVMGetInstructionParent(o) == v) phi = o;
    }
    next = x;
    x_is_next = true;
    if (phi && incoming_from(phi, u) != next) return unknown;
  }
  if (!phi || !next) return unknown;
  LLVMTypeRef ty = LLVMTypeOf(phi);
  if (LLVMGetTypeKind(ty) != LLVMIntegerTypeKind) return unknown;
  unsigned w = LLVMGetIntTypeWidth(ty);
  if (w == 0 || w > 64) return unknown;
  uint64_t c, m = mask_of(w);
  if (!step_of(next, phi, w, &c)) return unknown;
  n &= m;
  /* the start value, when every other incoming edge gives the same constant */
  bool s_known = true;
  uint64_t s = 0;
  bool first = true;
  for (unsigned k = 0; k < LLVMCountIncoming(phi); k++) {
    if (LLVMGetIncomingBlock(phi, k) == u) continue;
    uint64_t sk;
    if (!const_u64(LLVMGetIncomingValue(phi, k), &sk)) s_known = false;
    else if (first) s = sk & m, first = false;
    else if ((sk & m) != s) s_known = false;
  }
  if (first) s_known = false;
  if (s_known) {
    uint64_t xk = x_is_next ? (s + c) & m : s;
    for (uint64_t k = 0; k <= WGC_CHECK_FREE_TRIPS; k++) {
      if (!compare(p, xk, n, w)) return k;
      xk = (xk + c) & m;
    }
    return unknown;
  }
  /* unknown start: an ascending unsigned bound that cannot wrap */
  if ((p == LLVMIntULT || p == LLVMIntULE) && c < ((uint64_t)1 << (w - 1)) &&
      (w >= 64 ? n <= m - c - 1 : n + c <= m)) {
    uint64_t bound = n / c + 2;
    return bound <= WGC_CHECK_FREE_TRIPS ? bound : unknown;
  }
  return unknown;
}

/* One loop header (a target of retreating edges) and what is known of its
 * loop. */
typedef struct loop_info {
  size_t header, latch; /* latch: the one retreating edge's source */
  bool natural;         /* one latch, the header dominates it, entered only through it */
  unsigned char *body;  /* natural: the blocks of the loop, as a byte per block */
  size_t size;          /* natural: how many; SIZE_MAX otherwise */
  uint64_t work;        /* bounded: IR instructions one entry may run, at most */
  bool bounded;         /* a bounded nest (see the top of the file) */
  bool covered;         /* inside another bounded nest: no check of its own */
  const char *why;      /* not bounded: why (for the -v -v log) */
  uint64_t trips;       /* the trip bound found, if any */
} loop_info;

static void loops_free(loop_info *l, size_t n) {
  for (size_t i = 0; i < n; i++) free(l[i].body);
  free(l);
}

/* The natural loop of header v with latch u: v plus every block that reaches
 * u without passing v. False (and no body) if v does not dominate u (the
 * entry reaches u around v) or a block of it is entered from outside. */
static bool natural_body(const cfg *g, size_t v, size_t u, unsigned char *body, size_t *size,
                         size_t *stack) {
  size_t sp = 0, count = 1;
  body[v] = 1;
  if (!body[u]) {
    body[u] = 1;
    count++;
    stack[sp++] = u;
  }
  while (sp) {
    size_t b = stack[--sp];
    for (size_t k = PRED_BEGIN(g, b); k < PRED_END(g, b); k++) {
      size_t p = g->preds[k];
      if (!body[p]) {
        body[p] = 1;
        count++;
        stack[sp++] = p;
      }
    }
  }
  if (body[0]) return false;
  for (size_t b = 0; b < g->n; b++) {
    if (!body[b] || b == v) continue;
    for (size_t k = PRED_BEGIN(g, b); k < PRED_END(g, b); k++)
      if (!body[g->preds[k]]) return false;
  }
  *size = count;
  return true;
}

static uint64_t block_instructions(LLVMBasicBlockRef bb) {
  uint64_t n = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) n++;
  return n;
}

/* True if every path from v to u inside `body` passes x (v and u count). */
static bool dominates_in(const cfg *g, const unsigned char *body, size_t v, size_t x, size_t u,
                         unsigned char *seen, size_t *stack) {
  if (x == v || x == u) return true;
  memset(seen, 0, g->n);
  size_t sp = 0;
  stack[sp++] = v;
  seen[v] = seen[x] = 1;
  while (sp) {
    size_t b = stack[--sp];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b]);
    for (unsigned k = 0; k < LLVMGetNumSuccessors(t); k++) {
      size_t s = cfg_index(g, LLVMGetSuccessor(t, k));
      if (s == u) return false;
      if (seen[s] || !body[s]) continue;
      seen[s] = 1;
      stack[sp++] = s;
    }
  }
  return true;
}

static int by_size(const void *a, const void *b) {
  const loop_info *x = *(const loop_info *const *)a, *y = *(const loop_info *const *)b;
  return x->size < y->size ? -1 : x->size > y->size;
}

/* One loop_info per header of `re`, and `order`: the loops inner first (by
 * size; loops that are not natural last). Decides which are bounded nests
 * and which of those sit inside another. False on out of memory. */
static bool analyze_loops(const cfg *g, const edge_list *re, loop_info **out, size_t *count,
                          loop_info ***order_out) {
  loop_info *l = calloc(re->n ? re->n : 1, sizeof *l);
  loop_info **order = calloc(re->n ? re->n : 1, sizeof *order);
  size_t *stack = calloc(g->n ? g->n : 1, sizeof *stack);
  unsigned char *seen = calloc(g->n ? g->n : 1, 1);
  size_t n = 0;
  bool ok = l && order && stack && seen;
  for (size_t i = 0; i < re->n && ok; i++) {
    size_t v = re->e[i].to, j = 0;
    while (j < n && l[j].header != v) j++;
    if (j < n) {
      l[j].natural = false; /* a second latch */
      continue;
    }
    l[n++] = (loop_info){.header = v,
                         .latch = re->e[i].from,
                         .natural = true,
                         .size = SIZE_MAX,
                         .why = "more than one latch, or entered around its header"};
  }
  for (size_t i = 0; i < n && ok; i++) {
    loop_info *x = &l[i];
    order[i] = x;
    if (!x->natural) continue;
    x->body = calloc(g->n, 1);
    ok = x->body != NULL;
    if (ok && !natural_body(g, x->header, x->latch, x->body, &x->size, stack)) {
      x->natural = false;
      x->size = SIZE_MAX;
    }
  }
  if (ok) qsort(order, n, sizeof *order, by_size);
  /* inner first: a loop is a bounded nest if its trip count is bounded and
   * every loop inside it is one, within the work limit */
  for (size_t i = 0; i < n && ok; i++) {
    loop_info *x = order[i];
    if (!x->natural) continue;
    x->why = "an inner loop is not a bounded nest";
    bool inner_ok = true;
    for (size_t e = 0; e < re->n && inner_ok; e++) {
      const edge *r = &re->e[e];
      if (!x->body[r->from] || !x->body[r->to] || (r->from == x->latch && r->to == x->header))
        continue;
      size_t j = 0;
      while (j < n && l[j].header != r->to) j++;
      inner_ok = r->to != x->header && j < n && l[j].bounded;
    }
    if (!inner_ok) continue;
    /* the latch's own exit test, or (loops tested at the top or in the
     * middle) an exit test that every iteration reaching the latch passes */
    LLVMBasicBlockRef hb = g->blocks[x->header], ub = g->blocks[x->latch];
    uint64_t trips = trip_bound(ub, hb, ub, hb);
    for (size_t b = 0; b < g->n && trips == UINT64_MAX; b++) {
      if (!x->body[b] || b == x->latch) continue;
      LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b]);
      if (!LLVMIsABranchInst(t) || !LLVMIsConditional(t)) continue;
      size_t s0 = cfg_index(g, LLVMGetSuccessor(t, 0)), s1 = cfg_index(g, LLVMGetSuccessor(t, 1));
      if (x->body[s0] == x->body[s1]) continue; /* not an exit */
      bool in_inner = false;
      for (size_t j = 0; j < n && !in_inner; j++)
        in_inner = &l[j] != x && l[j].bounded && l[j].body[b] && x->body[l[j].header];
      if (in_inner || !dominates_in(g, x->body, x->header, b, x->latch, seen, stack)) continue;
      trips = trip_bound(g->blocks[b], g->blocks[x->body[s0] ? s0 : s1], ub, hb);
    }
    x->why = "no exit test of an induction variable against a constant within 65536 trips";
    if (trips == UINT64_MAX) continue;
    x->trips = trips;
    x->why = "its trip count times its instructions exceeds 2^22";
    /* one iteration: the blocks outside inner loops, plus each outermost
     * inner loop's bound (acyclic paths enter each at most once) */
    uint64_t body = 0;
    for (size_t b = 0; b < g->n; b++) {
      if (!x->body[b]) continue;
      bool inner = false;
      for (size_t j = 0; j < n && !inner; j++)
        inner = &l[j] != x && l[j].bounded && l[j].body[b] && x->body[l[j].header];
      if (!inner) body += block_instructions(g->blocks[b]);
    }
    for (size_t j = 0; j < n; j++) {
      if (&l[j] == x || !l[j].bounded || !x->body[l[j].header]) continue;
      bool outermost = true;
      for (size_t k = 0; k < n && outermost; k++)
        outermost = k == j || &l[k] == x || !l[k].bounded || !x->body[l[k].header] ||
                    !l[k].body[l[j].header];
      if (outermost) body += l[j].work;
    }
    if (body <= WGC_CHECK_FREE_WORK && (trips + 1) * body <= WGC_CHECK_FREE_WORK) {
      x->bounded = true;
      x->work = (trips + 1) * body;
    }
  }
  for (size_t i = 0; i < n && ok; i++)
    for (size_t j = 0; j < n && !l[i].covered; j++)
      l[i].covered = j != i && l[i].bounded && l[j].bounded && l[j].body[l[i].header];
  free(stack);
  free(seen);
  if (!ok) {
    loops_free(l, n);
    free(order);
    return false;
  }
  *out = l;
  *count = n;
  *order_out = order;
  return true;
}

/* Edges that will carry a check, by successor slot, and the blocks that end
 * in one of the C checks already there. */
typedef struct checked {
  size_t *slot_at;         /* first successor slot of each block */
  unsigned char *slot;     /* per slot: the edge gets a check */
  unsigned char *ends_chk; /* per block: its terminator is an interrupt check */
} checked;

/* Marks every edge from -> to; true if one was not marked yet. */
static bool mark_edge(const cfg *g, checked *c, size_t from, size_t to) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[from]);
  bool added = false;
  for (unsigned k = 0; k < LLVMGetNumSuccessors(t); k++)
    if (cfg_index(g, LLVMGetSuccessor(t, k)) == to && !c->slot[c->slot_at[from] + k]) {
      c->slot[c->slot_at[from] + k] = 1;
      added = true;
    }
  return added;
}

/* True if some path from v reaches u (and then u -> v) without passing a
 * check: no marked edge, no block ending in a check. */
static bool unchecked_path(const cfg *g, const checked *c, size_t v, size_t u, unsigned char *seen,
                           size_t *stack) {
  if (c->ends_chk[v]) return false;
  memset(seen, 0, g->n);
  size_t sp = 0;
  stack[sp++] = v;
  seen[v] = 1;
  while (sp) {
    size_t b = stack[--sp];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b]);
    for (unsigned k = 0; k < LLVMGetNumSuccessors(t); k++) {
      if (c->slot[c->slot_at[b] + k]) continue;
      size_t s = cfg_index(g, LLVMGetSuccessor(t, k));
      if (s == u && !c->ends_chk[u]) return true;
      if (seen[s] || c->ends_chk[s]) continue;
      seen[s] = 1;
      stack[sp++] = s;
    }
  }
  return false;
}

/* ---- the interrupt word ---------------------------------------------------- */

/* The atomic load of the interrupt word that decides the branch `br` into a
 * trap block, if any (the condition's operands, a few levels deep). */
static LLVMValueRef word_load_in(LLVMValueRef v, int depth) {
  if (!v || !LLVMIsAInstruction(v)) return NULL;
  if (LLVMIsALoadInst(v)) return LLVMGetOrdering(v) != LLVMAtomicOrderingNotAtomic ? v : NULL;
  if (depth == 0) return NULL;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  if (op != LLVMICmp && op != LLVMAnd && op != LLVMOr && op != LLVMTrunc && op != LLVMXor &&
      op != LLVMZExt)
    return NULL;
  for (int k = 0; k < LLVMGetNumOperands(v); k++) {
    LLVMValueRef l = word_load_in(LLVMGetOperand(v, (unsigned)k), depth - 1);
    if (l) return l;
  }
  return NULL;
}

/* `v` available at the end of the entry block: itself when it is not an
 * instruction or already sits there; else a copy of its address chain
 * (GEPs, bitcasts, plain loads of the instance and memory structs, whose
 * values never change while guest code runs) placed before the entry's
 * terminator. NULL if the chain holds anything else. */
static LLVMValueRef available_in_entry(LLVMBuilderRef b, LLVMBasicBlockRef entry, LLVMValueRef v,
                                       int depth) {
  if (!LLVMIsAInstruction(v) || LLVMGetInstructionParent(v) == entry) return v;
  if (depth == 0) return NULL;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  if (op != LLVMGetElementPtr && op != LLVMBitCast && !wgc_is_plain_load(v)) return NULL;
  int n = LLVMGetNumOperands(v);
  LLVMValueRef ops[8];
  if (n > 8) return NULL;
  for (int k = 0; k < n; k++) {
    ops[k] = available_in_entry(b, entry, LLVMGetOperand(v, (unsigned)k), depth - 1);
    if (!ops[k]) return NULL;
  }
  LLVMValueRef copy = LLVMInstructionClone(v);
  for (int k = 0; k < n; k++) LLVMSetOperand(copy, (unsigned)k, ops[k]);
  LLVMPositionBuilderBefore(b, LLVMGetBasicBlockTerminator(entry));
  LLVMInsertIntoBuilder(b, copy);
  return copy;
}

/* The interrupt word's address and the type of its load, available in the
 * whole function, from any of its existing checks (copied into the entry
 * block only when `needed`); marks in ends_chk the blocks whose terminator
 * is such a check. *has_check: the function holds one.
 * Every check's address is tried until one can be copied into the entry: a
 * bounds-check build's entry block ends in the call-depth check, so even the
 * function's first interrupt check reads its address in the next block, and
 * the checks of inlined callees read it from their own reload of the
 * memory struct, which may not be copyable. */
enum { MAX_WORD_LOADS = 64 };
static bool find_word(LLVMBuilderRef b, LLVMValueRef f, LLVMValueRef trap_fn, const cfg *g,
                      bool needed, unsigned char *ends_chk, LLVMValueRef *addr, LLVMTypeRef *ty,
                      bool *has_check) {
  *has_check = false;
  *addr = NULL;
  LLVMBasicBlockRef entry = g->blocks[0];
  LLVMValueRef loads[MAX_WORD_LOADS];
  unsigned nloads = 0;
  for (LLVMUseRef use = LLVMGetFirstUse(trap_fn); use; use = LLVMGetNextUse(use)) {
    LLVMValueRef call = LLVMGetUser(use);
    if (!LLVMIsACallInst(call) || LLVMGetCalledValue(call) != trap_fn) continue;
    LLVMBasicBlockRef tb = LLVMGetInstructionParent(call);
    if (LLVMGetBasicBlockParent(tb) != f) continue;
    *has_check = true;
    size_t t = cfg_index(g, tb);
    for (size_t k = PRED_BEGIN(g, t); k < PRED_END(g, t); k++) {
      LLVMValueRef br = LLVMGetBasicBlockTerminator(g->blocks[g->preds[k]]);
      if (!LLVMIsABranchInst(br) || !LLVMIsConditional(br)) continue;
      LLVMValueRef load = word_load_in(LLVMGetCondition(br), 4);
      if (!load) continue;
      ends_chk[g->preds[k]] = 1;
      LLVMValueRef p = LLVMGetOperand(load, 0);
      if (!*addr && (!LLVMIsAInstruction(p) || LLVMGetInstructionParent(p) == entry)) {
        *addr = p;
        *ty = LLVMTypeOf(load);
      }
      if (nloads < MAX_WORD_LOADS) loads[nloads++] = load;
    }
  }
  if (*addr) return true;
  if (!needed) return false;
  for (unsigned i = 0; i < nloads && !*addr; i++) {
    *addr = available_in_entry(b, entry, LLVMGetOperand(loads[i], 0), 8);
    *ty = LLVMTypeOf(loads[i]);
  }
  return *addr != NULL;
}

/* ---- placing the checks ---------------------------------------------------- */

typedef struct placer {
  LLVMContextRef c;
  LLVMBuilderRef b;
  LLVMValueRef f, trap_fn, addr;
  LLVMTypeRef word_ty;
  LLVMBasicBlockRef trap_bb;
  LLVMValueRef prof;
  unsigned prof_kind;
} placer;

/* Puts a check on every edge from `from` to `to`. False if from's
 * terminator is not a br or switch. */
static bool check_edge(placer *pl, LLVMBasicBlockRef from, LLVMBasicBlockRef to) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(from);
  LLVMOpcode op = LLVMGetInstructionOpcode(t);
  if (op != LLVMBr && op != LLVMSwitch) return false;
  if (!pl->trap_bb) {
    pl->trap_bb = LLVMAppendBasicBlockInContext(pl->c, pl->f, "wg.interrupt.trap");
    LLVMPositionBuilderAtEnd(pl->b, pl->trap_bb);
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(pl->c), NULL, 0, false);
    LLVMBuildCall2(pl->b, fty, pl->trap_fn, NULL, 0, "");
    LLVMBuildUnreachable(pl->b);
  }
  LLVMBasicBlockRef chk = LLVMInsertBasicBlockInContext(pl->c, to, "wg.interrupt.check");
  LLVMPositionBuilderAtEnd(pl->b, chk);
  LLVMValueRef w = LLVMBuildLoad2(pl->b, pl->word_ty, pl->addr, "wg.interrupt.word");
  LLVMSetOrdering(w, LLVMAtomicOrderingMonotonic);
  LLVMSetAlignment(w, 4);
  LLVMValueRef bit = LLVMBuildAnd(pl->b, w, LLVMConstInt(pl->word_ty, 1, false), "");
  LLVMValueRef stop =
      LLVMBuildICmp(pl->b, LLVMIntNE, bit, LLVMConstInt(pl->word_ty, 0, false), "wg.interrupt");
  LLVMValueRef br = LLVMBuildCondBr(pl->b, stop, pl->trap_bb, to);
  LLVMSetMetadata(br, pl->prof_kind, pl->prof);
  for (unsigned k = 0; k < LLVMGetNumSuccessors(t); k++)
    if (LLVMGetSuccessor(t, k) == to) LLVMSetSuccessor(t, k, chk);
  wgc_retarget_phis(pl->b, to, from, chk);
  return true;
}

/* ---- the pass -------------------------------------------------------------- */

/* Decides where the checks of one function go (every edge in `todo` gets
 * one), before any is placed: placing them changes the graph. */
static bool plan_checks(wgc_ctx *ctx, const char *fname, size_t fl, const cfg *g,
                        const edge_list *re, checked *c, edge_list *todo, wgc_loop_check_stats *st,
                        bool explain) {
  loop_info *l = NULL, **order = NULL;
  size_t n = 0;
  unsigned char *seen = calloc(g->n, 1);
  size_t *stack = calloc(g->n, sizeof *stack);
  bool ok = seen && stack && analyze_loops(g, re, &l, &n, &order);
  /* outermost bounded nests: a check on every edge into the header that
   * does not follow a check already */
  for (size_t i = 0; i < n && ok; i++) {
    loop_info *x = &l[i];
    if (!x->bounded) continue;
    if (x->covered) {
      st->bounded_loops++;
      continue;
    }
    st->bounded_nests++;
    if (x->work > st->max_work) st->max_work = x->work;
    for (size_t k = PRED_BEGIN(g, x->header); k < PRED_END(g, x->header) && ok; k++) {
      size_t p = g->preds[k];
      if (x->body[p] || c->ends_chk[p] || !mark_edge(g, c, p, x->header)) continue;
      ok = edge_add(todo, p, x->header);
      st->entry_checks++;
    }
  }
  /* every other loop, inner first: a check on each retreating edge that
   * some cycle could take without passing a check */
  for (size_t i = 0; i < n && ok; i++) {
    loop_info *x = order[i];
    if (x->bounded) continue;
    for (size_t e = 0; e < re->n && ok; e++) {
      if (re->e[e].to != x->header) continue;
      size_t u = re->e[e].from;
      if (!unchecked_path(g, c, x->header, u, seen, stack)) {
        st->covered_edges++;
        continue;
      }
      mark_edge(g, c, u, x->header);
      ok = edge_add(todo, u, x->header);
      st->back_edges++;
      if (explain) {
        char what[96];
        if (x->natural) snprintf(what, sizeof what, "the %zu-block loop", x->size);
        else snprintf(what, sizeof what, "the loop");
        wgc_log(ctx, "interrupt checks: %.*s: back edge of %s at block %zu: %s", (int)fl, fname,
                what, x->header, x->why);
      }
    }
  }
  if (l) loops_free(l, n);
  free(order);
  free(seen);
  free(stack);
  return ok;
}

static wasmgraph_status instrument(wgc_ctx *ctx, placer *pl, wgc_loop_check_stats *st,
                                   bool explain) {
  cfg g;
  edge_list re = {0}, todo = {0};
  checked c = {0};
  wasmgraph_status rc = WASMGRAPH_OK;
  bool oom = !cfg_build(&g, pl->f) || !retreating_edges(&g, &re);
  if (!oom) {
    c.slot_at = calloc(g.n + 1, sizeof *c.slot_at);
    c.ends_chk = calloc(g.n ? g.n : 1, 1);
    oom = !c.slot_at || !c.ends_chk;
  }
  bool has_check = false;
  if (!oom)
    find_word(pl->b, pl->f, pl->trap_fn, &g, re.n > 0, c.ends_chk, &pl->addr, &pl->word_ty,
              &has_check);
  if (oom || !has_check) goto done;
  st->functions++;
  if (re.n == 0) goto done;
  size_t fl = 0;
  const char *fname = LLVMGetValueName2(pl->f, &fl);
  if (!pl->addr) {
    rc = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                  "interrupt checks: function %.*s has loops but no interrupt check to find "
                  "the interrupt word from",
                  (int)fl, fname);
    goto done;
  }
  for (size_t b = 0; b < g.n; b++) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g.blocks[b]);
    c.slot_at[b + 1] = c.slot_at[b] + (t ? LLVMGetNumSuccessors(t) : 0);
  }
  c.slot = calloc(c.slot_at[g.n] ? c.slot_at[g.n] : 1, 1);
  oom = !c.slot || !plan_checks(ctx, fname, fl, &g, &re, &c, &todo, st, explain);
  for (size_t i = 0; i < todo.n && !oom && rc == WASMGRAPH_OK; i++)
    if (!check_edge(pl, g.blocks[todo.e[i].from], g.blocks[todo.e[i].to]))
      rc = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "interrupt checks: function %.*s has a loop edge from a terminator that "
                    "is not a branch or switch",
                    (int)fl, fname);
done:
  if (oom && rc == WASMGRAPH_OK) rc = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  free(todo.e);
  free(re.e);
  free(c.slot_at);
  free(c.slot);
  free(c.ends_chk);
  cfg_free(&g);
  pl->trap_bb = NULL;
  return rc;
}

wasmgraph_status wgc_interrupt_checks(wgc_ctx *ctx, LLVMModuleRef m, bool verify, bool explain,
                                      wgc_loop_check_stats *stats) {
  wgc_loop_check_stats local;
  wgc_loop_check_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  LLVMValueRef trap_fn = LLVMGetNamedFunction(m, TRAP_FN);
  if (!trap_fn) return WASMGRAPH_OK; /* nothing calls it: no guest code here */
  placer pl = {.c = LLVMGetModuleContext(m), .trap_fn = trap_fn};
  pl.b = LLVMCreateBuilderInContext(pl.c);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(pl.c);
  LLVMValueRef w[3] = {LLVMMDStringInContext(pl.c, WGC_LIT("branch_weights")),
                       LLVMConstInt(i32, 1, false), LLVMConstInt(i32, 1u << 20, false)};
  pl.prof = LLVMMDNodeInContext(pl.c, w, 3);
  pl.prof_kind = LLVMGetMDKindIDInContext(pl.c, WGC_LIT("prof"));
  wasmgraph_status rc = WASMGRAPH_OK;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && rc == WASMGRAPH_OK;
       f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    pl.f = f;
    rc = instrument(ctx, &pl, st, explain);
  }
  LLVMDisposeBuilder(pl.b);
  if (rc != WASMGRAPH_OK) return rc;
  return wgc_verify_after(ctx, m, verify, "interrupt checks");
}
