/*
 * load_barriers.c — wasm2c's load keep-alive barriers: declared transparent
 * to the optimizer before it runs (wgc_barriers_mark), and removed where the
 * optimized code keeps every bit of the load in use (wgc_barriers_prune).
 * pipeline.c runs both around clang's -O2/-O3 pipeline.
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
 * look call-heavy. A barrier is recognised by wgc_is_load_barrier (pass_util.c): a
 * call of an inline-asm value with an empty template, returning void, with
 * exactly one argument.
 * In wasm2c 1.0.39 output those are FORCE_READ_INT and FORCE_READ_FLOAT
 * (`"r"` constraint) and SIMD_FORCE_READ (`"x"`, a v128 in a vector
 * register); the rule above looks only at uses, not types, so SIMD loads are
 * pruned the same way, and a splat load's barrier (on the splatted vector)
 * goes when its scalar load is anchored (sources_anchored()). The generated code has no other
 * inline asm (Segue, which would add some, is off in our wasm-rt.h), and asm of any other shape is
 * left alone.
 */
#include "load_barriers.h"

#include <string.h>

#include "pass_util.h"

/* True if `call` is a call the optimizer may move or delete when its result
 * is unused: one whose callee is declared readnone (pure intrinsics such as
 * llvm.fabs). Constrained FP intrinsics, imports and guest functions are not. */
static bool is_pure_call(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee)) return false;
  unsigned readnone = LLVMGetEnumAttributeKindForName(WGC_LIT("readnone"));
  return LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, readnone) != NULL;
}

/* Where a value's bits go, for anchored(): ALL_LANES means every bit of `v`
 * matters; a lane index k means `v` is a vector of which only lane k holds
 * the loaded bits (a scalar inserted for a splat), so only that lane must
 * be consumed in full; DROPS_BITS means a use may drop some of them. */
enum { ALL_LANES = -1, DROPS_BITS = -2 };

static bool is_const_operand(LLVMValueRef inst, unsigned i) {
  LLVMValueRef op = LLVMGetOperand(inst, i);
  return LLVMIsAConstant(op) != NULL;
}

static unsigned vector_width(LLVMValueRef v) {
  LLVMTypeRef t = LLVMTypeOf(v);
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind ? LLVMGetVectorSize(t) : 0;
}

/* For a pure `user` of `v` (operand `op`): the lane of `user` that carries
 * v's bits (ALL_LANES for all of them), or DROPS_BITS if `user` may drop some of
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
      return DROPS_BITS;
    case LLVMZExt:
    case LLVMSExt:
    case LLVMFPExt:
    case LLVMSIToFP:
    case LLVMUIToFP:
    case LLVMFPToSI:
    case LLVMFPToUI:
    case LLVMIntToPtr:
    case LLVMPtrToInt:
    case LLVMGetElementPtr:
    case LLVMICmp:
    case LLVMFCmp:
    case LLVMAdd:
    case LLVMSub:
    case LLVMMul:
    case LLVMXor:
    case LLVMFAdd:
    case LLVMFSub:
    case LLVMFMul:
    case LLVMFDiv:
    case LLVMFNeg:
    case LLVMUDiv:
    case LLVMSDiv:
    case LLVMURem:
    case LLVMSRem:
      return lane; /* every input bit can change the result */
    case LLVMAnd:
    case LLVMOr:
      /* a constant mask ignores bits; an unknown one does not */
      return is_const_operand(user, 0) || is_const_operand(user, 1) ? DROPS_BITS : lane;
    case LLVMShl:
    case LLVMLShr:
    case LLVMAShr:
      /* a constant shift drops bits; a shift amount is used mod the width */
      return op == 0 && !is_const_operand(user, 1) ? lane : DROPS_BITS;
    case LLVMInsertElement: {
      LLVMValueRef idx = LLVMGetOperand(user, 2);
      if (!LLVMIsAConstantInt(idx)) return DROPS_BITS;
      int k = (int)LLVMConstIntGetZExtValue(idx);
      if (op == 1) return lane == ALL_LANES ? k : DROPS_BITS; /* the inserted scalar */
      return lane != ALL_LANES && lane != k && op == 0 ? lane : DROPS_BITS; /* lane k is replaced */
    }
    case LLVMShuffleVector: {
      unsigned n = vector_width(LLVMGetOperand(user, 0)), out = LLVMGetNumMaskElements(user);
      int first = DROPS_BITS;
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
      return n <= 32 && seen == (n == 32 ? 0xffffffffu : (1u << n) - 1) ? ALL_LANES : DROPS_BITS;
    }
    case LLVMExtractElement: {
      LLVMValueRef idx = LLVMGetOperand(user, 1);
      if (op != 0 || lane == ALL_LANES || !LLVMIsAConstantInt(idx)) return DROPS_BITS;
      return (int)LLVMConstIntGetZExtValue(idx) == lane ? ALL_LANES : DROPS_BITS;
    }
    default:
      return DROPS_BITS; /* trunc, fptrunc, extractvalue, ...: may drop bits */
  }
}

/* The readnone intrinsics whose result depends on every bit of their
 * operands (or, for fabs, on every bit a load of that type could be
 * narrowed to). Others, e.g. copysign (which ignores all but the sign of
 * one operand), do not pass a load's anchoring on. */
static bool keeps_all_bits(LLVMValueRef call) {
  static const char *const prefixes[] = {
      "llvm.fabs.",  "llvm.smax.", "llvm.smin.", "llvm.umax.",  "llvm.umin.",      "llvm.abs.",
      "llvm.ctpop.", "llvm.ctlz.", "llvm.cttz.", "llvm.bswap.", "llvm.bitreverse."};
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
    if (!LLVMIsAInstruction(user) || LLVMGetInstructionParent(user) != bb ||
        wgc_is_load_barrier(user))
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
        int next = op < n ? carried_lane(user, op, lane) : DROPS_BITS;
        if (next != DROPS_BITS && anchored(user, bb, depth + 1, next)) return true;
      }
    }
  }
  return false;
}

/* Declares every barrier as touching only memory the program cannot see.
 * The barrier stays (it still has a side effect, so its load stays alive),
 * but it no longer hides program memory from the optimizer: loads are
 * merged, forwarded and folded across it exactly as without it. */
void wgc_barriers_mark(LLVMModuleRef m) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  wgc_barrier_cache_reset();
  /* ...and as always returning, so that code after it counts as executed
   * whenever code before it is (loads may be hoisted past it). */
  static const char *const names[] = {"inaccessiblememonly", "willreturn", "nounwind", "nosync"};
  LLVMAttributeRef attrs[4];
  for (int k = 0; k < 4; k++)
    attrs[k] =
        LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(names[k], strlen(names[k])), 0);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
      for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
        if (wgc_is_load_barrier(i))
          for (int k = 0; k < 4; k++)
            LLVMAddCallSiteAttribute(i, LLVMAttributeFunctionIndex, attrs[k]);
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
  if (LLVMIsACastInst(v)) to = 1;
  else if (LLVMIsAShuffleVectorInst(v) || LLVMIsAInsertElementInst(v)) to = 2;
  else return false;
  for (int i = 0; i < to; i++) {
    LLVMValueRef op = LLVMGetOperand(v, (unsigned)i);
    if (LLVMIsAConstant(op) || LLVMIsUndef(op)) continue; /* undef/poison/zero lanes */
    if (!sources_anchored(op, depth + 1, loads)) return false;
  }
  return true;
}

unsigned wgc_barriers_prune(LLVMModuleRef m, unsigned *kept) {
  wgc_barrier_cache_reset();
  unsigned removed = 0;
  *kept = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) {
      LLVMValueRef inst = LLVMGetFirstInstruction(b);
      while (inst) {
        LLVMValueRef next = LLVMGetNextInstruction(inst);
        if (wgc_is_load_barrier(inst)) {
          LLVMValueRef v = LLVMGetOperand(inst, 0);
          int loads = 0;
          if (LLVMIsAInstruction(v) && (anchored(v, LLVMGetInstructionParent(v), 0, ALL_LANES) ||
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
