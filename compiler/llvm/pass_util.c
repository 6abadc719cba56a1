/*
 * pass_util.c — the trap-proof rules and scaffolding shared by every LLVM
 * pass (see pass_util.h). No pass logic lives here.
 */
#include "pass_util.h"

#include <llvm-c/Analysis.h>
#include <stdio.h>
#include <stdlib.h>

const char *wgc_trap_proof_unmet(bool guard_pages, uint32_t memory_max_pages) {
  if (!guard_pages) return "bounds-check mode";
  if (memory_max_pages > WGC_MAX_MEMORY_PAGES) return "memory maximum above 65535 pages";
  return NULL;
}

/* Inline-asm values are uniqued per context, so the few distinct ones are
 * classified once: a barrier's template is empty ("asm sideeffect \"\", ...");
 * LLVM 14's C API has no accessor for the template, hence the printing. Per
 * thread, so that compiles on several threads never share it. */
typedef struct asm_cache {
  LLVMValueRef seen[16];
  bool empty[16];
  int n;
} asm_cache;

static _Thread_local asm_cache g_asm;

void wgc_barrier_cache_reset(void) { g_asm.n = 0; }

static bool asm_is_empty(LLVMValueRef callee) {
  for (int i = 0; i < g_asm.n; i++)
    if (g_asm.seen[i] == callee) return g_asm.empty[i];
  char *text = LLVMPrintValueToString(callee);
  bool empty = text && strstr(text, "asm sideeffect \"\", \"") != NULL;
  LLVMDisposeMessage(text);
  if (g_asm.n < 16) {
    g_asm.seen[g_asm.n] = callee;
    g_asm.empty[g_asm.n++] = empty;
  }
  return empty;
}

void wgc_build_load_barrier(LLVMBuilderRef bd, LLVMValueRef v) {
  LLVMContextRef lc = LLVMGetTypeContext(LLVMTypeOf(v));
  unsigned bits = wgc_int_bytes(LLVMTypeOf(v)) * 8;
  bool vec = bits >= 128;
  LLVMTypeRef t =
      vec ? LLVMVectorType(LLVMInt64TypeInContext(lc), bits / 64) : LLVMIntTypeInContext(lc, bits);
  if (LLVMTypeOf(v) != t) v = LLVMBuildBitCast(bd, v, t, "");
  char cons[] = "r,~{dirflag},~{fpsr},~{flags}";
  /* xmm/ymm: "x"; zmm needs an EVEX register class: "v" */
  if (vec) cons[0] = bits == 512 ? 'v' : 'x';
  LLVMTypeRef ft = LLVMFunctionType(LLVMVoidTypeInContext(lc), &t, 1, 0);
  LLVMValueRef as =
      LLVMGetInlineAsm(ft, (char *)"", 0, cons, strlen(cons), 1, 0, LLVMInlineAsmDialectATT, 0);
  LLVMBuildCall2(bd, ft, as, &v, 1, "");
}

bool wgc_is_load_barrier(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst)) return false;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  return callee && LLVMGetValueKind(callee) == LLVMInlineAsmValueKind &&
         LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMVoidTypeKind &&
         LLVMGetNumArgOperands(inst) == 1 && asm_is_empty(callee);
}

const char *wgc_callee_name(LLVMValueRef call) {
  if (!LLVMIsACallInst(call)) return NULL;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee)) return NULL;
  size_t len = 0;
  return LLVMGetValueName2(callee, &len);
}

bool wgc_has_effect(LLVMValueRef i) {
  switch (LLVMGetInstructionOpcode(i)) {
    case LLVMStore:
    case LLVMFence:
    case LLVMAtomicRMW:
    case LLVMAtomicCmpXchg:
    case LLVMInvoke:
    case LLVMCallBr:
    case LLVMVAArg:
      return true;
    case LLVMLoad:
      return !wgc_is_plain_access(i);
    case LLVMCall:
      if (wgc_is_load_barrier(i)) return false;
      return !wgc_has_prefix(wgc_callee_name(i), "llvm.experimental.constrained.");
    default:
      return false;
  }
}

static bool const_int(LLVMValueRef v, uint64_t *c) {
  if (!LLVMIsAConstantInt(v)) return false;
  *c = LLVMConstIntGetZExtValue(v);
  return true;
}

static bool is_int(LLVMTypeRef t, unsigned bits) {
  return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == bits;
}

static bool is_add(LLVMValueRef v) {
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == LLVMAdd;
}

bool wgc_address_parse(LLVMValueRef ptr, wgc_address *out) {
  LLVMValueRef gep = wgc_strip_bitcasts(ptr);
  if (!gep || !LLVMIsAGetElementPtrInst(gep) || LLVMGetNumOperands(gep) != 2) return false;
  LLVMValueRef base = LLVMGetOperand(gep, 0);
  LLVMTypeRef bt = LLVMTypeOf(base);
  if (LLVMGetTypeKind(bt) != LLVMPointerTypeKind || !is_int(LLVMGetElementType(bt), 8))
    return false;
  LLVMValueRef idx = LLVMGetOperand(gep, 1);
  if (!is_int(LLVMTypeOf(idx), 64)) return false;
  memset(out, 0, sizeof *out);
  out->base = base;
  uint64_t c;
  if (is_add(idx) && const_int(LLVMGetOperand(idx, 1), &c) && c < (UINT64_C(1) << 32)) {
    out->c = c;
    idx = LLVMGetOperand(idx, 0);
  }
  out->root = idx;
  if (!LLVMIsAZExtInst(idx) || !is_int(LLVMTypeOf(LLVMGetOperand(idx, 0)), 32)) return true;
  LLVMValueRef x = LLVMGetOperand(idx, 0);
  out->x = out->root = x;
  if (is_add(x) && const_int(LLVMGetOperand(x, 1), &c) && c > 0 && c < WGC_FOLD_LIMIT) {
    out->root = LLVMGetOperand(x, 0);
    out->k = (uint32_t)c;
  }
  return true;
}

/* <4 x float> or <4 x i32>. */
static bool is_lane32_x4(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind || LLVMGetVectorSize(t) != 4) return false;
  LLVMTypeRef e = LLVMGetElementType(t);
  return LLVMGetTypeKind(e) == LLVMFloatTypeKind || is_int(e, 32);
}

LLVMValueRef wgc_splat_load(LLVMValueRef v) {
  if (!v || !LLVMIsAShuffleVectorInst(v)) return NULL;
  unsigned n = LLVMGetNumMaskElements(v);
  if (n != 4) return NULL;
  for (unsigned i = 0; i < n; i++)
    if (LLVMGetMaskValue(v, i) != 0) return NULL;
  /* lane 0 of the splat must be the load's 4 bytes: no lane-width change
   * between the insert and the splat */
  if (!is_lane32_x4(LLVMTypeOf(LLVMGetOperand(v, 0)))) return NULL;
  LLVMValueRef ins = wgc_strip_bitcasts(LLVMGetOperand(v, 0));
  if (!ins || !LLVMIsAInsertElementInst(ins)) return NULL;
  LLVMValueRef idx = LLVMGetOperand(ins, 2);
  if (!LLVMIsAConstantInt(idx) || LLVMConstIntGetZExtValue(idx) != 0) return NULL;
  if (!is_lane32_x4(LLVMTypeOf(ins))) return NULL;
  LLVMValueRef l = LLVMGetOperand(ins, 1);
  if (!LLVMIsALoadInst(l)) return NULL;
  LLVMTypeRef lt = LLVMTypeOf(l);
  return LLVMGetTypeKind(lt) == LLVMFloatTypeKind || is_int(lt, 32) ? l : NULL;
}

bool wgc_is_int_vector(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind &&
         LLVMGetTypeKind(LLVMGetElementType(t)) == LLVMIntegerTypeKind;
}

unsigned wgc_int_bytes(LLVMTypeRef t) {
  unsigned n = 1;
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
    n = LLVMGetVectorSize(t);
    t = LLVMGetElementType(t);
  }
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind || LLVMGetIntTypeWidth(t) % 8) return 0;
  return n * LLVMGetIntTypeWidth(t) / 8;
}

LLVMValueRef wgc_strip_bitcasts(LLVMValueRef v) {
  while (v && LLVMIsABitCastInst(v)) v = LLVMGetOperand(v, 0);
  return v;
}

bool wgc_module_is_x86_64(LLVMModuleRef m) { return wgc_has_prefix(LLVMGetTarget(m), "x86_64"); }

bool wgc_const_int(LLVMValueRef v, int64_t *out) {
  if (!v || !LLVMIsAConstantInt(v)) return false;
  *out = LLVMConstIntGetSExtValue(v);
  return true;
}

/* i + step or step + i, with a constant step: the induction i, or NULL. */
static LLVMValueRef induction_of_next(LLVMValueRef next, int64_t *step) {
  if (!LLVMIsAInstruction(next) || LLVMGetInstructionOpcode(next) != LLVMAdd) return NULL;
  for (unsigned k = 0; k < 2; k++)
    if (wgc_const_int(LLVMGetOperand(next, 1 - k), step)) return LLVMGetOperand(next, k);
  return NULL;
}

size_t wgc_hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 17;
  x *= UINT64_C(0x9E3779B97F4A7C15);
  return (size_t)(x ^ (x >> 29));
}

int64_t wgc_loop_trip_count(LLVMBasicBlockRef bb, LLVMValueRef br, LLVMValueRef *induction) {
  return wgc_loop_trip_count_at(bb, bb, br, induction);
}

int64_t wgc_loop_trip_count_at(LLVMBasicBlockRef header, LLVMBasicBlockRef latch, LLVMValueRef br,
                               LLVMValueRef *induction) {
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return 0;
  LLVMValueRef cmp = LLVMGetCondition(br);
  if (!LLVMIsAICmpInst(cmp)) return 0;
  LLVMIntPredicate pred = LLVMGetICmpPredicate(cmp);
  bool back_on_true = LLVMGetSuccessor(br, 0) == header;
  if (!back_on_true && LLVMGetSuccessor(br, 1) != header) return 0;
  /* stay in the loop while next != end */
  if (!((pred == LLVMIntNE && back_on_true) || (pred == LLVMIntEQ && !back_on_true))) return 0;
  LLVMValueRef next = LLVMGetOperand(cmp, 0);
  LLVMTypeRef t = LLVMTypeOf(next);
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind) return 0; /* icmp also compares pointers */
  unsigned width = LLVMGetIntTypeWidth(t);
  if (width != 32 && width != 64) return 0;
  int64_t end, step = 0, start = 0;
  if (!wgc_const_int(LLVMGetOperand(cmp, 1), &end)) return 0;
  LLVMValueRef phi = induction_of_next(next, &step);
  if (!phi || step == 0 || !LLVMIsAPHINode(phi) || LLVMGetInstructionParent(phi) != header ||
      LLVMCountIncoming(phi) != 2)
    return 0;
  bool found_start = false, found_next = false;
  for (unsigned k = 0; k < 2; k++) {
    LLVMValueRef v = LLVMGetIncomingValue(phi, k);
    if (LLVMGetIncomingBlock(phi, k) == latch) found_next = v == next;
    else found_start = wgc_const_int(v, &start);
  }
  if (!found_start || !found_next) return 0;
  /* 64-bit constants could overflow this arithmetic: such loops are refused */
  const int64_t big = 1LL << 40, far = 1LL << 20;
  if (start < -big || start > big || end < -big || end > big || step < -far || step > far) return 0;
  int64_t span = end - start;
  if (span % step != 0 || span / step <= 0) return 0;
  if (induction) *induction = phi;
  return span / step;
}

/* The slot a wasm_rt_memory_t pointer was loaded from, for a data pointer
 * loaded through it (`load i8*, P` with P that struct pointer, a GEP to
 * its field 0 or a bitcast of it), or NULL. */
static LLVMValueRef struct_slot(LLVMValueRef data) {
  if (!LLVMIsALoadInst(data)) return NULL;
  LLVMValueRef p = wgc_strip_bitcasts(LLVMGetOperand(data, 0));
  if (LLVMIsAGetElementPtrInst(p) && LLVMGetNumOperands(p) == 3) {
    int64_t i0, i1;
    if (!wgc_const_int(LLVMGetOperand(p, 1), &i0) || !wgc_const_int(LLVMGetOperand(p, 2), &i1) ||
        i0 || i1)
      return NULL;
    p = wgc_strip_bitcasts(LLVMGetOperand(p, 0));
  }
  return LLVMIsALoadInst(p) ? wgc_strip_bitcasts(LLVMGetOperand(p, 0)) : NULL;
}

/* Collects the loads behind a data pointer that phis merge (a function
 * reloads it after a call that may grow memory, and loops carry it); false
 * if anything else is behind it. */
typedef struct data_walk {
  LLVMValueRef loads[8], phis[8];
  unsigned nloads, nphis;
} data_walk;

static bool data_loads(LLVMValueRef v, data_walk *w) {
  if (LLVMIsALoadInst(v)) {
    for (unsigned i = 0; i < w->nloads; i++)
      if (w->loads[i] == v) return true;
    if (w->nloads == 8) return false;
    w->loads[w->nloads++] = v;
    return true;
  }
  if (!LLVMIsAPHINode(v)) return false;
  for (unsigned i = 0; i < w->nphis; i++)
    if (w->phis[i] == v) return true;
  if (w->nphis == 8) return false;
  w->phis[w->nphis++] = v;
  for (unsigned i = 0, k = LLVMCountIncoming(v); i < k; i++)
    if (!data_loads(LLVMGetIncomingValue(v, i), w)) return false;
  return true;
}

/* Where the memory's size is. wasm2c's accessors only ever address linear
 * memory from the `data` field (field 0) of a wasm_rt_memory_t, so when
 * `data` is `load i8*, P`, P points to one (the instance's, or a copy of
 * it: memory_rewrite.c); the size is field 3 of the module's
 * struct.wasm_rt_memory_t (wasm-rt.h), checked here. When phis merge
 * several loads of the data pointer, all through a struct pointer loaded
 * from one slot defined in the entry block (the instance's memory field),
 * the preheader reloads the struct pointer from that slot (*slot). */
LLVMValueRef wgc_memory_of(LLVMModuleRef m, LLVMValueRef data, LLVMTypeRef *st_out,
                           LLVMValueRef *slot) {
  LLVMTypeRef st = LLVMGetTypeByName2(LLVMGetModuleContext(m), "struct.wasm_rt_memory_t");
  if (!st || LLVMCountStructElementTypes(st) < 4) return NULL;
  LLVMTypeRef f0 = LLVMStructGetTypeAtIndex(st, 0), f3 = LLVMStructGetTypeAtIndex(st, 3);
  if (LLVMGetTypeKind(f0) != LLVMPointerTypeKind || LLVMGetTypeKind(f3) != LLVMIntegerTypeKind ||
      LLVMGetIntTypeWidth(f3) != 64)
    return NULL;
  *st_out = st;
  *slot = NULL;
  if (!data) return NULL;
  if (LLVMIsALoadInst(data)) return LLVMGetOperand(data, 0);
  data_walk w = {.nloads = 0};
  if (!data_loads(data, &w) || !w.nloads) return NULL;
  LLVMValueRef sl = struct_slot(w.loads[0]);
  for (unsigned i = 1; sl && i < w.nloads; i++)
    if (struct_slot(w.loads[i]) != sl) sl = NULL;
  if (!sl) return NULL;
  bool entry = LLVMIsAArgument(sl) || LLVMIsAGlobalValue(sl) ||
               (LLVMIsAInstruction(sl) &&
                LLVMGetInstructionParent(sl) ==
                    LLVMGetEntryBasicBlock(LLVMGetBasicBlockParent(LLVMGetInstructionParent(sl))));
  if (!entry || LLVMGetTypeKind(LLVMTypeOf(sl)) != LLVMPointerTypeKind) return NULL;
  *slot = sl;
  return data;
}

LLVMValueRef wgc_first_non_phi(LLVMBasicBlockRef bb) {
  LLVMValueRef i = LLVMGetFirstInstruction(bb);
  while (i && LLVMIsAPHINode(i)) i = LLVMGetNextInstruction(i);
  return i;
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

bool wgc_fn_has_feature(LLVMValueRef fn, const char *feature, bool prefix) {
  LLVMAttributeRef a =
      LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, WGC_LIT("target-features"));
  unsigned len = 0;
  const char *v = a ? LLVMGetStringAttributeValue(a, &len) : NULL;
  size_t fl = strlen(feature);
  for (unsigned i = 0; v && i + fl <= len; i++) {
    if ((i > 0 && v[i - 1] != ',') || memcmp(v + i, feature, fl) != 0) continue;
    if (prefix || i + fl == len || v[i + fl] == ',') return true;
  }
  return false;
}

void wgc_fn_allow_512(LLVMValueRef fn) {
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                                     WGC_LIT("min-legal-vector-width"));
  unsigned len = 0;
  const char *v = a ? LLVMGetStringAttributeValue(a, &len) : NULL;
  if (v && len < 16) {
    char num[16];
    memcpy(num, v, len);
    num[len] = 0;
    if (strtoul(num, NULL, 10) >= 512) return;
  }
  if (a)
    LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                     WGC_LIT("min-legal-vector-width"));
  LLVMContextRef lc = LLVMGetModuleContext(LLVMGetGlobalParent(fn));
  LLVMAddAttributeAtIndex(
      fn, LLVMAttributeFunctionIndex,
      LLVMCreateStringAttribute(lc, WGC_LIT("min-legal-vector-width"), WGC_LIT("512")));
}

bool wgc_is_lanewise_int_op(LLVMOpcode op) {
  switch (op) {
    case LLVMAdd:
    case LLVMSub:
    case LLVMMul:
    case LLVMShl:
    case LLVMLShr:
    case LLVMAShr:
    case LLVMAnd:
    case LLVMOr:
    case LLVMXor:
    case LLVMSExt:
    case LLVMZExt:
    case LLVMTrunc:
    case LLVMBitCast:
    case LLVMICmp:
    case LLVMSelect:
      return true;
    default:
      return false;
  }
}

const char *wgc_lanewise_int_intrinsic(LLVMValueRef call) {
  static const char *const lanewise[] = {"llvm.smin.",     "llvm.smax.",     "llvm.umin.",
                                         "llvm.umax.",     "llvm.sadd.sat.", "llvm.uadd.sat.",
                                         "llvm.ssub.sat.", "llvm.usub.sat."};
  const char *name = wgc_callee_name(call);
  if (!name) return NULL;
  for (size_t i = 0; i < sizeof lanewise / sizeof *lanewise; i++)
    if (strncmp(name, lanewise[i], strlen(lanewise[i])) == 0) return name;
  return NULL;
}

LLVMValueRef wgc_build_intrinsic(LLVMModuleRef m, LLVMBuilderRef b, const char *name, LLVMTypeRef t,
                                 LLVMValueRef *args, unsigned n, bool strict) {
  return wgc_build_intrinsic_n(m, b, name, t ? &t : NULL, t ? 1 : 0, args, n, strict);
}

LLVMValueRef wgc_build_intrinsic_n(LLVMModuleRef m, LLVMBuilderRef b, const char *name,
                                   LLVMTypeRef *types, unsigned ntypes, LLVMValueRef *args,
                                   unsigned n, bool strict) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m, id, types, ntypes);
  LLVMTypeRef ft = LLVMIntrinsicGetType(c, id, types, ntypes);
  LLVMValueRef call = LLVMBuildCall2(b, ft, fn, args, n, "");
  if (strict)
    LLVMAddCallSiteAttribute(
        call, LLVMAttributeFunctionIndex,
        LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(WGC_LIT("strictfp")), 0));
  return call;
}

LLVMValueRef wgc_md_string(LLVMContextRef c, const char *s) {
  return LLVMMetadataAsValue(c, LLVMMDStringInContext2(c, s, strlen(s)));
}

LLVMValueRef wgc_lane0_source(LLVMValueRef s, unsigned *k) {
  if (LLVMIsAShuffleVectorInst(s)) {
    LLVMValueRef v = LLVMGetOperand(s, 0);
    int m = LLVMGetMaskValue(s, 0);
    if (m < 0 || (unsigned)m >= LLVMGetVectorSize(LLVMTypeOf(v))) return NULL;
    *k = (unsigned)m;
    return v;
  }
  if (LLVMIsAInsertElementInst(s)) {
    LLVMValueRef e = LLVMGetOperand(s, 1);
    uint64_t i, lane;
    if (!const_int(LLVMGetOperand(s, 2), &i) || i != 0 || !LLVMIsAExtractElementInst(e) ||
        !const_int(LLVMGetOperand(e, 1), &lane))
      return NULL;
    LLVMValueRef v = LLVMGetOperand(e, 0);
    if (lane >= LLVMGetVectorSize(LLVMTypeOf(v))) return NULL;
    *k = (unsigned)lane;
    return v;
  }
  *k = 0;
  return s;
}

LLVMValueRef wgc_tree_lane(LLVMValueRef v, unsigned lane, bool *undef) {
  *undef = false;
  for (unsigned depth = 0; depth < 64; depth++) {
    if (LLVMIsAUndefValue(v)) { /* poison too */
      *undef = true;
      return NULL;
    }
    if (LLVMIsAInsertElementInst(v)) {
      LLVMValueRef idx = LLVMGetOperand(v, 2);
      if (!LLVMIsAConstantInt(idx)) return NULL;
      if (LLVMConstIntGetZExtValue(idx) == lane) return LLVMGetOperand(v, 1);
      v = LLVMGetOperand(v, 0);
      continue;
    }
    if (LLVMIsAShuffleVectorInst(v)) {
      int mk = LLVMGetMaskValue(v, lane);
      if (mk == LLVMGetUndefMaskElem()) {
        *undef = true;
        return NULL;
      }
      unsigned na = LLVMGetVectorSize(LLVMTypeOf(LLVMGetOperand(v, 0)));
      v = LLVMGetOperand(v, (unsigned)mk < na ? 0 : 1);
      lane = (unsigned)mk < na ? (unsigned)mk : (unsigned)mk - na;
      continue;
    }
    return NULL;
  }
  return NULL;
}

bool wgc_is_plain_access(LLVMValueRef inst) {
  return (LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst)) && !LLVMGetVolatile(inst) &&
         LLVMGetOrdering(inst) == LLVMAtomicOrderingNotAtomic;
}

bool wgc_is_plain_load(LLVMValueRef v) { return LLVMIsALoadInst(v) && wgc_is_plain_access(v); }

bool wgc_md_arg_is(LLVMValueRef v, unsigned i, const char *s) {
  LLVMValueRef a = LLVMGetOperand(v, i);
  if (!a || !LLVMIsAMDString(a)) return false;
  unsigned len = 0;
  const char *got = LLVMGetMDString(a, &len);
  return got && len == strlen(s) && memcmp(got, s, len) == 0;
}

bool wgc_is_fp_const(LLVMValueRef v, double want) {
  if (!v || !LLVMIsAConstantFP(v)) return false;
  LLVMBool lost = 0;
  return LLVMConstRealGetDouble(v, &lost) == want && !lost;
}

/* Replaces every phi of `bb` by one that names `to` where it named `from`
 * (once: `to` has a single edge into bb). */
void wgc_retarget_phis(LLVMBuilderRef b, LLVMBasicBlockRef bb, LLVMBasicBlockRef from,
                       LLVMBasicBlockRef to) {
  LLVMValueRef i = LLVMGetFirstInstruction(bb);
  while (i && LLVMIsAPHINode(i)) {
    LLVMValueRef nexti = LLVMGetNextInstruction(i);
    LLVMPositionBuilderBefore(b, i);
    size_t len = 0;
    const char *name = LLVMGetValueName2(i, &len);
    char nm[128];
    snprintf(nm, sizeof nm, "%.*s", (int)(len < sizeof nm ? len : sizeof nm - 1), name);
    LLVMValueRef phi = LLVMBuildPhi(b, LLVMTypeOf(i), "");
    bool done = false;
    for (unsigned k = 0; k < LLVMCountIncoming(i); k++) {
      LLVMBasicBlockRef ib = LLVMGetIncomingBlock(i, k);
      LLVMValueRef iv = LLVMGetIncomingValue(i, k);
      if (ib == from) {
        if (done) continue;
        done = true;
        ib = to;
      }
      LLVMAddIncoming(phi, &iv, &ib, 1);
    }
    LLVMReplaceAllUsesWith(i, phi);
    LLVMInstructionEraseFromParent(i);
    LLVMSetValueName2(phi, nm, strlen(nm));
    i = nexti;
  }
}
