/*
 * address_fold.c — gives loads at `zext(x + k)` the address `zext(x) + k`
 * (64-bit add), which x86 folds into the load's addressing mode.
 *
 * Why: wasm adds a constant to an i32 address with 32-bit wraparound, so
 * wasm2c's `base + zext(x + k)` needs a separate 32-bit add (`lea`) per
 * access. TVM's SIMD conv loops broadcast 14-28 input values per iteration
 * from `x + 16*i`; once v128_pair.c packs the arithmetic, those adds are a
 * third of the loop's instructions and the loop is bound by instruction
 * dispatch (resnet18 wasm32-simd, 1 thread: 128 -> 111 ms).
 *
 * When it is exact. `zext(x + k)` and `zext(x) + k` (0 < k < 64 KiB) differ
 * only if x + k wraps, i.e. x >= 2^32 - k > 2^32 - 64 KiB. Linear memory is
 * capped at 65535 pages (link.c), so its size is <= 2^32 - 64 KiB and such an
 * x lies past its end. The fold needs an "anchor": another load in the same
 * basic block whose *original* address is `zext(x)` or `zext(x) + c`
 * (c >= 0, a 64-bit add: wasm2c's memarg offset), from the same memory
 * base, with no instruction that has an observable effect between the two
 * (wgc_has_effect(), pass_util.c's rule: no store, fence,
 * atomic, volatile access or call other than constrained FP operations and
 * wasm2c's empty-asm load barriers). Whenever x + k wraps,
 * the original program traps at the anchor (or earlier in that effect-free
 * stretch), and the folded load, at most 4 GiB + 64 KiB past the base, faults
 * in the guard region: both trap with an out-of-bounds access before any
 * further effect. When nothing wraps the addresses are equal. Loads whose
 * value is otherwise unused keep their barriers (load_barriers.c), so every
 * anchor is still executed. Hence: guard pages only, memory <= 65535 pages;
 * stores are never folded.
 */
#include "address_fold.h"

#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

/* One load of a block: as a fold candidate (cand_root != NULL: address
 * zext(cand_root + k)) and as an anchor (anchor_root: address zext(root) or
 * zext(root) + c). `effects`: observable-effect instructions before it in
 * the block; two loads with the same count have none between them. */
typedef struct af_load {
  LLVMValueRef load, base, cand_root, anchor_root;
  uint32_t k, effects;
  /* anchor_root as computed: anchor_inner + anchor_k (an i32 add), or
   * anchor_inner = anchor_root and anchor_k = 0 */
  LLVMValueRef anchor_inner;
  uint32_t anchor_k;
} af_load;

/* How a candidate is rewritten: address zext(root) + d. */
typedef struct af_fold {
  LLVMValueRef root;
  uint32_t d;
} af_fold;

typedef struct af_state {
  af_load *loads;
  size_t n, cap;
  wgc_fold_stats *st;
  LLVMBuilderRef b;
  LLVMTypeRef i64;
} af_state;

/* Reads `load`'s address (wgc_address_parse) and fills the candidate and
 * anchor roots: zext(x) itself never wraps, so x is an anchor root (with or
 * without a memarg offset c); a load at zext(root + k) with no offset is a
 * candidate. */
static bool parse_address(LLVMValueRef load, af_load *out) {
  wgc_address a;
  if (!wgc_address_parse(LLVMGetOperand(load, 0), &a) || !a.x) return false;
  memset(out, 0, sizeof *out);
  out->load = load;
  out->base = a.base;
  out->anchor_root = a.x;
  out->anchor_inner = a.root;
  out->anchor_k = a.k;
  if (a.k && !a.c) {
    out->cand_root = a.root;
    out->k = a.k;
  }
  return true;
}

static bool push(af_state *s, const af_load *l) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    af_load *p = realloc(s->loads, cap * sizeof *p);
    if (!p) return false;
    s->loads = p;
    s->cap = cap;
  }
  s->loads[s->n++] = *l;
  return true;
}

static void fold(af_state *s, const af_load *c, af_fold f) {
  LLVMValueRef ptr = LLVMGetOperand(c->load, 0);
  LLVMPositionBuilderBefore(s->b, c->load);
  LLVMValueRef sum = LLVMBuildZExt(s->b, f.root, s->i64, "");
  if (f.d) sum = LLVMBuildNUWAdd(s->b, sum, LLVMConstInt(s->i64, f.d, 0), "");
  LLVMValueRef gep =
      LLVMBuildInBoundsGEP2(s->b, LLVMGetElementType(LLVMTypeOf(c->base)), c->base, &sum, 1, "");
  if (LLVMTypeOf(gep) != LLVMTypeOf(ptr)) gep = LLVMBuildBitCast(s->b, gep, LLVMTypeOf(ptr), "");
  LLVMSetOperand(c->load, 0, gep);
}

/* True if instruction `v` is available at `at` (same block `bb`): defined
 * in another block (it then dominates `bb`, since a load of `bb` uses it)
 * or earlier in `bb`. */
static bool defined_before(LLVMValueRef v, LLVMValueRef at, LLVMBasicBlockRef bb) {
  if (!LLVMIsAInstruction(v) || LLVMGetInstructionParent(v) != bb) return true;
  for (LLVMValueRef i = LLVMGetPreviousInstruction(at); i; i = LLVMGetPreviousInstruction(i))
    if (i == v) return true;
  return false;
}

/* Finds an anchor for candidate c (address zext(x + k)): a load x' of the
 * same base with no effect between them whose original address is zext(r)
 * [+ c'] where r = x (rewrite as zext(x) + k) or r = x + k0 computed in i32,
 * k0 <= k (rewrite as zext(r) + (k - k0)). Either way the two addresses
 * differ only when r + d wraps, and then r is past the end of memory and the
 * anchor traps (see the top of the file). */
static bool find_anchor(const af_state *s, size_t ci, LLVMBasicBlockRef bb, af_fold *out) {
  const af_load *c = &s->loads[ci];
  for (size_t b = 0; b < s->n; b++) {
    const af_load *x = &s->loads[b];
    if (b == ci || x->base != c->base || x->effects != c->effects || !x->anchor_root) continue;
    if (x->anchor_root == c->cand_root) {
      *out = (af_fold){c->cand_root, c->k};
      return true;
    }
    LLVMValueRef r = x->anchor_root;
    if (x->anchor_k && x->anchor_inner == c->cand_root && x->anchor_k <= c->k &&
        defined_before(r, c->load, bb)) {
      *out = (af_fold){r, c->k - x->anchor_k};
      return true;
    }
  }
  return false;
}

/* Collects the block's loads, then folds every candidate with an anchor
 * (decided on the original addresses before anything changes). Returns
 * false on out-of-memory. */
static bool fold_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  af_state *s = state;
  wgc_fold_stats *st = s->st;
  s->n = 0;
  uint32_t effects = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
    af_load l;
    if (wgc_is_plain_load(i) && parse_address(i, &l)) {
      l.effects = effects;
      if (!push(s, &l)) return false;
    }
    if (wgc_has_effect(i)) effects++;
  }
  for (size_t a = 0; a < s->n; a++) {
    const af_load *c = &s->loads[a];
    if (!c->cand_root) continue;
    af_fold f;
    if (!find_anchor(s, a, bb, &f)) {
      st->no_anchor++;
      continue;
    }
    fold(s, c, f);
    st->folded++;
    (*done)++;
  }
  return true;
}

wasmgraph_status wgc_address_fold(wgc_ctx *ctx, LLVMModuleRef m, const wgc_fold_options *opt,
                                  bool verify, wgc_fold_stats *stats) {
  wgc_fold_stats local;
  wgc_fold_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m || !opt) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "address fold: no module");
  if ((st->disabled = wgc_trap_proof_unmet(opt->guard_pages, opt->memory_max_pages)) != NULL)
    return WASMGRAPH_OK;
  wgc_barrier_cache_reset(); /* a new module: forget another context's asm */
  af_state s = {0};
  s.st = st;
  s.b = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
  s.i64 = LLVMInt64TypeInContext(LLVMGetModuleContext(m));
  bool ok = wgc_for_each_block(m, fold_block, &s, &st->functions);
  LLVMDisposeBuilder(s.b);
  free(s.loads);
  if (!ok) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "address fold: out of memory");
  return wgc_verify_after(ctx, m, verify, "address fold");
}
