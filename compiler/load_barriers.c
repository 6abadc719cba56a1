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
 * whose value then feeds, in its own basic block, something that must run
 * whenever the load does (a store, a call with effects such as every strict
 * FP operation, another load, a branch condition or return value; see
 * anchored()) cannot be deleted or sunk, so its barrier is removed. Every
 * other load keeps its barrier and still traps, e.g. one whose value only
 * feeds a select (which may become a branch) or a use in another block. A
 * second optimization pass then reshapes the loops the barriers had made
 * look call-heavy. A barrier is recognised as a call of an inline-asm
 * value with an empty template, returning void, with exactly one argument.
 * In wasm2c 1.0.39 output those are FORCE_READ_INT and FORCE_READ_FLOAT
 * (`"r"` constraint) and SIMD_FORCE_READ (`"x"`, a v128 in a vector
 * register); the rule above looks only at uses, not types, so SIMD loads are
 * pruned the same way. The generated code has no other inline asm (Segue,
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
#include "tile_vectorize.h"

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

/* True if `v` is consumed, in basic block `bb`, by an instruction that runs
 * whenever `v` does and that the optimizer can neither delete nor move away
 * from it: a store, a call with effects (constrained FP operations, host
 * imports, guest functions), a load (every load is itself kept alive, by its
 * barrier or by this same rule), or a terminator (a branch condition, a
 * return value). Pure instructions in the same block (arithmetic, casts,
 * comparisons, address computations, readnone calls) pass the property on.
 * Selects and phis do not: a select may become a branch and the load sink
 * into the arm that uses it. */
static bool anchored(LLVMValueRef v, LLVMBasicBlockRef bb, int depth) {
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
        if (!is_pure_call(user) || anchored(user, bb, depth + 1)) return true;
        break;
      case LLVMSelect:
      case LLVMPHI:
        break;
      default:
        if (LLVMIsATerminatorInst(user) || anchored(user, bb, depth + 1)) return true;
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
          if (LLVMIsAInstruction(v) && anchored(v, LLVMGetInstructionParent(v), 0)) {
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

/* The -O2 (or -O3) module pipeline, as clang would run it. */
static wasmgraph_status optimize(wgc_ctx *ctx, LLVMModuleRef m, LLVMTargetMachineRef tm,
                                 int opt_level) {
  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  LLVMErrorRef err = LLVMRunPasses(m, opt_level >= 3 ? "default<O3>" : "default<O2>", tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (!err) return WASMGRAPH_OK;
  char *e = LLVMGetErrorMessage(err);
  wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "LLVM passes failed: %s", e);
  LLVMDisposeErrorMessage(e);
  return st;
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
  if (st != WASMGRAPH_OK || !verbose) return st;
  if (ts.disabled)
    wgc_log(ctx, "tile vectorizer: off (%s)", ts.disabled);
  else
    wgc_log(ctx, "tile vectorizer: %u groups (%u x4, %u x8) in %u functions, %u rejected",
            ts.groups, ts.groups_by_lanes[4], ts.groups_by_lanes[8], ts.functions, ts.rejected);
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
