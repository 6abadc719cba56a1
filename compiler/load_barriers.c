/*
 * load_barriers.c — removes wasm2c's load keep-alive barriers that the
 * optimizer has proven unnecessary, then generates the object (LLVM C API).
 *
 * Why: wasm says every executed out-of-bounds load traps, even one whose
 * value is never used. With guard pages the trap comes from the access
 * itself, so a load the C compiler deletes as dead would not trap. wasm2c
 * therefore follows every load with `asm("" :: "r"(value))`, which keeps the
 * load alive but also pins every load in program order, forces floats
 * through integer registers and blocks scheduling: about a third of the
 * instructions of a CNN kernel.
 *
 * How: clang translates the wasm2c output to unoptimized bitcode. Here every
 * barrier is declared to touch only inaccessible memory, so the optimizer
 * merges, forwards and folds loads across it as if it were not there, while
 * the barrier itself (a side effect) keeps each load it names alive. After
 * the full -O2/-O3 pipeline every simplification that can make a loaded value
 * irrelevant (x*0, x-x of two loads of one address, a local overwritten
 * before use, a dropped value) has happened and dead code is gone. A load
 * whose every bit then feeds, in its own basic block, something that must
 * run whenever the load does (a store, a call with effects such as every
 * strict FP operation, another load, a branch condition or return value; see
 * anchored()) cannot be deleted, sunk or narrowed, so its barrier is removed.
 * Every other load keeps its barrier and still traps, e.g. one whose value
 * only feeds a select (which may become a branch), a use in another block, or
 * a use of some of its bits (a trunc, a mask, one vector lane: LLVM would
 * shrink the load to those bytes, and a shrunk load straddling the end of
 * memory no longer faults). A
 * second optimization pass then reshapes the loops the barriers had made
 * look call-heavy. A barrier is recognised as a call of an inline-asm
 * value with an empty template, returning void, with exactly one argument.
 * In wasm2c 1.0.39 output those are FORCE_READ_INT and FORCE_READ_FLOAT
 * (`"r"` constraint) and SIMD_FORCE_READ (`"x"`, a v128 in a vector
 * register); the rule above looks only at uses, not types, so SIMD loads are
 * pruned the same way, and a splat load's barrier (on the splatted vector)
 * goes when its scalar load is anchored (sources_anchored()). The generated code has no other inline asm (Segue,
 * which would add some, is off in our wasm-rt.h), and asm of any other shape
 * is left alone.
 */
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "splat_window.h"
#include "tile_vectorize.h"
#include "address_fold.h"
#include "v128_pair.h"

#ifndef WGC_GUARD_PAGES
#error "WGC_GUARD_PAGES (the build's memory mode) must be defined by compiler/CMakeLists.txt"
#endif

/* Inline-asm values are uniqued per context, so the few distinct ones are
 * classified once: a barrier's template is empty ("asm sideeffect \"\", ...");
 * any other asm (none in wasm2c 1.0.39 output, SIMDe or our headers) is
 * never treated as one. */
typedef struct asm_cache {
  LLVMValueRef seen[16];
  bool empty[16];
  int n;
} asm_cache;

/* per thread, reset for each module in wgc_codegen_pruned */
static _Thread_local asm_cache g_asm;

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

static bool is_barrier(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst)) return false;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  return callee && LLVMGetValueKind(callee) == LLVMInlineAsmValueKind &&
         LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMVoidTypeKind &&
         LLVMGetNumArgOperands(inst) == 1 && asm_is_empty(callee);
}

/* True if `call` is a call the optimizer may move or delete when its result
 * is unused: one whose callee is declared readnone (pure intrinsics such as
 * llvm.fabs). Constrained FP intrinsics, imports and guest functions are not. */
static bool is_pure_call(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee)) return false;
  unsigned readnone = LLVMGetEnumAttributeKindForName("readnone", 8);
  return LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, readnone) != NULL;
}

/* Where a value's bits go, for anchored(): ALL_LANES means every bit of `v`
 * matters; a lane index k means `v` is a vector of which only lane k holds
 * the loaded bits (a scalar inserted for a splat), so only that lane must
 * be consumed in full. */
enum { ALL_LANES = -1 };

static bool is_const_operand(LLVMValueRef inst, unsigned i) {
  LLVMValueRef op = LLVMGetOperand(inst, i);
  return LLVMIsAConstant(op) != NULL;
}

static unsigned vector_width(LLVMValueRef v) {
  LLVMTypeRef t = LLVMTypeOf(v);
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind ? LLVMGetVectorSize(t) : 0;
}

/* For a pure `user` of `v` (operand `op`): the lane of `user` that carries
 * v's bits (ALL_LANES for all of them), or -2 if `user` may drop some of
 * those bits. Dropping bits is what lets the optimizer or the code
 * generator narrow a load (trunc or `and` of a load becomes a smaller load,
 * an extracted lane a scalar load, a splat of a lane a broadcast from that
 * lane's address), and a narrowed load no longer traps when the original
 * straddles the end of memory; such uses therefore never anchor a load. */
static int carried_lane(LLVMValueRef user, unsigned op, int lane) {
  switch (LLVMGetInstructionOpcode(user)) {
    case LLVMBitCast:
      if (lane == ALL_LANES || vector_width(user) == vector_width(LLVMGetOperand(user, 0)))
        return lane;
      return -2;
    case LLVMZExt: case LLVMSExt: case LLVMFPExt: case LLVMSIToFP: case LLVMUIToFP:
    case LLVMFPToSI: case LLVMFPToUI: case LLVMIntToPtr: case LLVMPtrToInt:
    case LLVMGetElementPtr: case LLVMICmp: case LLVMFCmp:
    case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMXor:
    case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFDiv: case LLVMFNeg:
    case LLVMUDiv: case LLVMSDiv: case LLVMURem: case LLVMSRem:
      return lane; /* every input bit can change the result */
    case LLVMAnd: case LLVMOr:
      /* a constant mask ignores bits; an unknown one does not */
      return is_const_operand(user, 0) || is_const_operand(user, 1) ? -2 : lane;
    case LLVMShl: case LLVMLShr: case LLVMAShr:
      /* a constant shift drops bits; a shift amount is used mod the width */
      return op == 0 && !is_const_operand(user, 1) ? lane : -2;
    case LLVMInsertElement: {
      LLVMValueRef idx = LLVMGetOperand(user, 2);
      if (!LLVMIsAConstantInt(idx)) return -2;
      int k = (int)LLVMConstIntGetZExtValue(idx);
      if (op == 1) return lane == ALL_LANES ? k : -2;             /* the inserted scalar */
      return lane != ALL_LANES && lane != k && op == 0 ? lane : -2; /* lane k is replaced */
    }
    case LLVMShuffleVector: {
      unsigned n = vector_width(LLVMGetOperand(user, 0)), out = LLVMGetNumMaskElements(user);
      int first = -2;
      unsigned seen = 0;
      for (unsigned p = 0; p < out; p++) {
        int m = LLVMGetMaskValue(user, p);
        if (m < 0 || (unsigned)m / n != op) continue;
        int src = m % (int)n;
        if (lane != ALL_LANES && src == lane && first < 0) first = (int)p;
        if (src < 32) seen |= 1u << src;
      }
      if (lane != ALL_LANES) return first;
      /* all lanes of the operand must survive; then all of the result matters */
      return n <= 32 && seen == (n == 32 ? 0xffffffffu : (1u << n) - 1) ? ALL_LANES : -2;
    }
    case LLVMExtractElement: {
      LLVMValueRef idx = LLVMGetOperand(user, 1);
      if (op != 0 || lane == ALL_LANES || !LLVMIsAConstantInt(idx)) return -2;
      return (int)LLVMConstIntGetZExtValue(idx) == lane ? ALL_LANES : -2;
    }
    default:
      return -2; /* trunc, fptrunc, extractvalue, ...: may drop bits */
  }
}

/* The readnone intrinsics whose result depends on every bit of their
 * operands (or, for fabs, on every bit a load of that type could be
 * narrowed to). Others, e.g. copysign (which ignores all but the sign of
 * one operand), do not pass a load's anchoring on. */
static bool keeps_all_bits(LLVMValueRef call) {
  static const char *const prefixes[] = {"llvm.fabs.", "llvm.smax.", "llvm.smin.", "llvm.umax.",
                                         "llvm.umin.", "llvm.abs.", "llvm.ctpop.", "llvm.ctlz.",
                                         "llvm.cttz.", "llvm.bswap.", "llvm.bitreverse."};
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = callee ? LLVMGetValueName2(callee, &len) : NULL;
  if (!name) return false;
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) return true;
  return false;
}

/* True if `v` is consumed, in basic block `bb`, in full by an instruction
 * that runs whenever `v` does and that the optimizer can neither delete nor
 * move away from it: a store, a call with effects (constrained FP
 * operations, host imports, guest functions), a load (every load is itself
 * kept alive, by its barrier or by this same rule), or a terminator (a
 * branch condition, a return value). Pure instructions in the same block
 * pass the property on only if they keep every bit of `v` (`lane` says
 * which lane of a vector holds them; see carried_lane()). Selects and phis
 * do not: a select may become a branch and the load sink into the arm that
 * uses it. */
static bool anchored(LLVMValueRef v, LLVMBasicBlockRef bb, int depth, int lane) {
  if (depth > 16) return false;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user) || LLVMGetInstructionParent(user) != bb || is_barrier(user))
      continue;
    switch (LLVMGetInstructionOpcode(user)) {
      case LLVMStore:
      case LLVMLoad:
      case LLVMRet:
      case LLVMBr:
      case LLVMSwitch:
      case LLVMIndirectBr:
        return true;
      case LLVMCall:
        if (!is_pure_call(user)) return true;
        if (keeps_all_bits(user) && anchored(user, bb, depth + 1, lane)) return true;
        break;
      case LLVMSelect:
      case LLVMPHI:
        break;
      default: {
        unsigned op = 0, n = (unsigned)LLVMGetNumOperands(user);
        while (op < n && LLVMGetOperand(user, op) != v) op++;
        int next = op < n ? carried_lane(user, op, lane) : -2;
        if (next != -2 && anchored(user, bb, depth + 1, next)) return true;
      }
    }
  }
  return false;
}

/* Declares every barrier as touching only memory the program cannot see.
 * The barrier stays (it still has a side effect, so its load stays alive),
 * but it no longer hides program memory from the optimizer: loads are
 * merged, forwarded and folded across it exactly as without it. */
static void mark_barriers(LLVMContextRef c, LLVMModuleRef m) {
  /* ...and as always returning, so that code after it counts as executed
   * whenever code before it is (loads may be hoisted past it). */
  static const char *const names[] = {"inaccessiblememonly", "willreturn", "nounwind", "nosync"};
  LLVMAttributeRef attrs[4];
  for (int k = 0; k < 4; k++)
    attrs[k] = LLVMCreateEnumAttribute(
        c, LLVMGetEnumAttributeKindForName(names[k], strlen(names[k])), 0);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
      for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
        if (is_barrier(i))
          for (int k = 0; k < 4; k++) LLVMAddCallSiteAttribute(i, LLVMAttributeFunctionIndex, attrs[k]);
}

/* True if every load that `v` is computed from, through pure lane and cast
 * operations (a SIMD splat or lane insert: insertelement, shufflevector,
 * bitcast, extends), is anchored on its own. A barrier on such a value only
 * exists to keep those loads alive (wasm2c puts SIMD_FORCE_READ on the
 * splatted result of v128.load32_splat, not on the scalar load), so it may
 * go when they need no help. Any other leaf (phi, argument, call) or a
 * tree without a load keeps the barrier. */
static bool sources_anchored(LLVMValueRef v, int depth, int *loads) {
  if (depth > 8 || !LLVMIsAInstruction(v)) return false;
  if (LLVMIsALoadInst(v)) {
    (*loads)++;
    return anchored(v, LLVMGetInstructionParent(v), 0, ALL_LANES);
  }
  int to; /* operands 0..to-1 carry lane values */
  if (LLVMIsACastInst(v))
    to = 1;
  else if (LLVMIsAShuffleVectorInst(v) || LLVMIsAInsertElementInst(v))
    to = 2;
  else
    return false;
  for (int i = 0; i < to; i++) {
    LLVMValueRef op = LLVMGetOperand(v, (unsigned)i);
    if (LLVMIsAConstant(op) || LLVMIsUndef(op)) continue; /* undef/poison/zero lanes */
    if (!sources_anchored(op, depth + 1, loads)) return false;
  }
  return true;
}

/* Returns how many barriers were removed; *kept counts the others. */
static unsigned prune(LLVMModuleRef m, unsigned *kept) {
  unsigned removed = 0;
  *kept = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) {
      LLVMValueRef inst = LLVMGetFirstInstruction(b);
      while (inst) {
        LLVMValueRef next = LLVMGetNextInstruction(inst);
        if (is_barrier(inst)) {
          LLVMValueRef v = LLVMGetOperand(inst, 0);
          int loads = 0;
          if (LLVMIsAInstruction(v) &&
              (anchored(v, LLVMGetInstructionParent(v), 0, ALL_LANES) ||
               (sources_anchored(v, 0, &loads) && loads > 0))) {
            LLVMInstructionEraseFromParent(inst);
            removed++;
          } else {
            (*kept)++;
          }
        }
        inst = next;
      }
    }
  }
  return removed;
}

/* Runs an LLVM pass pipeline (new pass manager syntax) on m. */
static wasmgraph_status run_passes(wgc_ctx *ctx, LLVMModuleRef m, LLVMTargetMachineRef tm,
                                   const char *pipeline) {
  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  LLVMErrorRef err = LLVMRunPasses(m, pipeline, tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (!err) return WASMGRAPH_OK;
  char *e = LLVMGetErrorMessage(err);
  wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "LLVM passes failed: %s", e);
  LLVMDisposeErrorMessage(e);
  return st;
}

/* The -O2 (or -O3) module pipeline, as clang would run it. */
static wasmgraph_status optimize(wgc_ctx *ctx, LLVMModuleRef m, LLVMTargetMachineRef tm,
                                 int opt_level) {
  return run_passes(ctx, m, tm, opt_level >= 3 ? "default<O3>" : "default<O2>");
}

/* True if the functions are compiled for a CPU with 256-bit float vectors:
 * clang records the target's features on every function it defines ("+avx"
 * also matches +avx2 and +avx512*). Without them an 8-lane operation is
 * split back into two 4-lane ones, so pairing f32x4 values only adds
 * shuffles. */
static bool module_has_avx(LLVMModuleRef m) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    LLVMAttributeRef a =
        LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "target-features", 15);
    unsigned len = 0;
    const char *v = a ? LLVMGetStringAttributeValue(a, &len) : NULL;
    if (!v) return false;
    for (unsigned i = 0; i + 4 <= len; i++)
      if (memcmp(v + i, "+avx", 4) == 0) return true;
    return false;
  }
  return false;
}

/* Packs TVM's scalar register tiles into vectors (tile_vectorize.c), unless
 * the caller turned it off. Needs guard pages and a memory maximum below
 * 65536 pages (link.c); otherwise the pass says why it did nothing. */
static wasmgraph_status tile_vectorize(wgc_ctx *ctx, LLVMModuleRef m, const wgc_target *t,
                                       uint32_t memory_max_pages) {
  bool verbose = ctx->opts && ctx->opts->verbose > 0;
  if (ctx->opts && ctx->opts->no_tile_vectorize) {
    if (verbose) wgc_log(ctx, "tile vectorizer: off (disabled by the caller)");
    return WASMGRAPH_OK;
  }
  wgc_tile_options to;
  wgc_tile_options_init(&to);
  to.guard_pages = WGC_GUARD_PAGES;
  to.memory_max_pages = memory_max_pages;
  /* 8 lanes only where one register holds them (x86 AVX); elsewhere 4. */
  to.max_lanes = strstr(t->llvm_triple, "x86_64") ? 8 : 4;
  wgc_tile_stats ts;
  wasmgraph_status st = wgc_tile_vectorize(ctx, m, &to, &ts);
  if (st != WASMGRAPH_OK) return st;
  /* SIMD kernels: f32x4 accumulators paired into AVX registers (v128_pair.c;
   * it touches no memory access, so it needs no guard pages or memory cap). */
  wgc_v128_pair_stats ps = {0};
  bool pair = to.max_lanes == 8 && module_has_avx(m);
  if (pair && (st = wgc_v128_pair(ctx, m, false, &ps)) != WASMGRAPH_OK) return st;
  if (!verbose) return st;
  if (ts.disabled)
    wgc_log(ctx, "tile vectorizer: off (%s)", ts.disabled);
  else
    wgc_log(ctx, "tile vectorizer: %u groups (%u x4, %u x8) in %u functions, %u rejected",
            ts.groups, ts.groups_by_lanes[4], ts.groups_by_lanes[8], ts.functions, ts.rejected);
  if (pair)
    wgc_log(ctx, "v128 pairing: %u pairs in %u functions, %u rejected", ps.pairs, ps.functions,
            ps.rejected);
  else
    wgc_log(ctx, "v128 pairing: off (the target has no 256-bit vectors)");
  return WASMGRAPH_OK;
}

/* The two passes that rewrite memory accesses: paired splat operands read
 * through one 32-byte window (splat_window.c), then `zext(x + k)` load
 * addresses folded into the addressing mode next to an anchor load
 * (address_fold.c). Each is exact only with guard pages and a memory
 * maximum below 65536 pages (it then says why it did nothing); the tile
 * vectorizer's switch turns both off. */
static wasmgraph_status rewrite_accesses(wgc_ctx *ctx, LLVMModuleRef m, uint32_t memory_max_pages) {
  bool verbose = ctx->opts && ctx->opts->verbose > 0;
  if (ctx->opts && ctx->opts->no_tile_vectorize) {
    if (verbose) {
      wgc_log(ctx, "splat windows: off (disabled by the caller)");
      wgc_log(ctx, "address fold: off (disabled by the caller)");
    }
    return WASMGRAPH_OK;
  }
  wgc_window_options wo = {.guard_pages = WGC_GUARD_PAGES, .memory_max_pages = memory_max_pages};
  wgc_window_stats ws;
  wasmgraph_status st = wgc_splat_window(ctx, m, &wo, false, &ws);
  if (st != WASMGRAPH_OK) return st;
  if (verbose && ws.disabled)
    wgc_log(ctx, "splat windows: off (%s)", ws.disabled);
  else if (verbose)
    wgc_log(ctx, "splat windows: %u pairs (%u split, %u in-lane) in %u functions, %u without "
            "a window", ws.windows, ws.split, ws.in_lane, ws.functions, ws.no_window);
  wgc_fold_options fo = {.guard_pages = WGC_GUARD_PAGES, .memory_max_pages = memory_max_pages};
  wgc_fold_stats fs;
  if ((st = wgc_address_fold(ctx, m, &fo, false, &fs)) != WASMGRAPH_OK) return st;
  if (verbose && fs.disabled)
    wgc_log(ctx, "address fold: off (%s)", fs.disabled);
  else if (verbose)
    wgc_log(ctx, "address fold: %u loads in %u functions, %u without an anchor", fs.folded,
            fs.functions, fs.no_anchor);
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_codegen_pruned(wgc_ctx *ctx, const wgc_target *t, const char *bitcode,
                                    const char *obj, int opt_level, uint32_t memory_max_pages) {
  wgc_llvm_init();
  memset(&g_asm, 0, sizeof g_asm);
  char *msg = NULL;
  LLVMMemoryBufferRef buf = NULL;
  if (LLVMCreateMemoryBufferWithContentsOfFile(bitcode, &buf, &msg)) {
    wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", bitcode, msg ? msg : "");
    LLVMDisposeMessage(msg);
    return st;
  }
  LLVMContextRef c = LLVMContextCreate();
  LLVMModuleRef m = NULL;
  wasmgraph_status st = WASMGRAPH_OK;
  LLVMTargetMachineRef tm = NULL;
  if (LLVMParseBitcodeInContext2(c, buf, &m)) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: clang wrote bitcode LLVM cannot read", bitcode);
    goto done;
  }
  LLVMTargetRef target;
  if (LLVMGetTargetFromTriple(t->llvm_triple, &target, &msg)) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "unknown target '%s': %s", t->triple,
                  msg ? msg : "");
    goto done;
  }
  /* Functions carry clang's target-cpu/target-features attributes, which
   * codegen honours; the machine's own CPU only matters for module-level
   * decisions, so give it the same one. */
  char *host_cpu = NULL, *host_features = NULL;
  const char *cpu = t->cpu ? t->cpu : "", *features = "";
  if (t->is_host && t->cpu && strcmp(t->cpu, "native") == 0) {
    host_cpu = LLVMGetHostCPUName();
    host_features = LLVMGetHostCPUFeatures();
    cpu = host_cpu;
    features = host_features;
  }
  LLVMCodeGenOptLevel level = opt_level >= 3   ? LLVMCodeGenLevelAggressive
                              : opt_level == 0 ? LLVMCodeGenLevelNone
                                               : LLVMCodeGenLevelDefault;
  tm = LLVMCreateTargetMachine(target, t->llvm_triple, cpu, features, level, LLVMRelocPIC,
                               LLVMCodeModelDefault);
  LLVMDisposeMessage(host_cpu);
  LLVMDisposeMessage(host_features);
  if (!tm) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "cannot create an LLVM target machine for "
                  "'%s'", t->llvm_triple);
    goto done;
  }
  /* Optimize with the barriers in place, then drop the ones whose load has
   * another use. */
  mark_barriers(c, m);
  if ((st = optimize(ctx, m, tm, opt_level)) != WASMGRAPH_OK) goto done;
  unsigned kept = 0, removed = prune(m, &kept);
  if (ctx->opts && ctx->opts->verbose > 0)
    wgc_log(ctx, "load barriers: removed %u, kept %u (loads whose value is otherwise unused)",
            removed, kept);
  /* The barriers counted as calls in the loop heuristics (unrolling, strength
   * reduction); optimize once more without them. Every value fold was
   * already done above, so this pass reshapes loops but finds no load newly
   * irrelevant. */
  if ((st = optimize(ctx, m, tm, opt_level)) != WASMGRAPH_OK) goto done;
  if ((st = tile_vectorize(ctx, m, t, memory_max_pages)) != WASMGRAPH_OK) goto done;
  if ((st = rewrite_accesses(ctx, m, memory_max_pages)) != WASMGRAPH_OK) goto done;
  /* The passes above leave the old address arithmetic dead, including
   * induction variables that only fed it; code generation keeps such phi
   * cycles, so every inner loop would still step them (squeezenet1_1
   * simd128: ten dead adds per 4-iteration conv loop). ADCE removes them;
   * it keeps loops and every instruction with an effect, and the loads
   * whose trap matters are alive through their barriers. */
  if ((st = run_passes(ctx, m, tm, "function(adce)")) != WASMGRAPH_OK) goto done;
  if (LLVMTargetMachineEmitToFile(tm, m, (char *)obj, LLVMObjectFile, &msg)) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: code generation failed: %s", obj, msg ? msg : "");
    goto done;
  }
done:
  if (msg) LLVMDisposeMessage(msg);
  if (tm) LLVMDisposeTargetMachine(tm);
  if (m) LLVMDisposeModule(m);
  LLVMContextDispose(c);
  /* LLVMParseBitcodeInContext2 does not take the buffer. */
  LLVMDisposeMemoryBuffer(buf);
  return st;
}
