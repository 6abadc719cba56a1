/*
 * lanewise_call.c — lane-wise calls and their wider forms (lanewise_call.h
 * says which and why each is lane-wise).
 */
#include "lanewise_call.h"

#include <string.h>

#include "pass_util.h"

/* Overloaded on their result type: the wide call is the same intrinsic at
 * the wide type. */
static const char *const k_by_result[] = {
    "llvm.experimental.constrained.fadd.",
    "llvm.experimental.constrained.fsub.",
    "llvm.experimental.constrained.fmul.",
    "llvm.experimental.constrained.fdiv.",
    "llvm.experimental.constrained.sqrt.",
    "llvm.experimental.constrained.trunc.",
    "llvm.experimental.constrained.floor.",
    "llvm.experimental.constrained.ceil.",
    "llvm.experimental.constrained.rint.",
    "llvm.experimental.constrained.nearbyint.",
    "llvm.fabs.",
    "llvm.copysign.",
};

/* Overloaded on their operands' type (the result is a vector of i1). */
static const char *const k_by_operand[] = {
    "llvm.experimental.constrained.fcmp.",
    "llvm.experimental.constrained.fcmps.",
};

/* x86's 128-bit intrinsics and their 256- and 512-bit forms; the 512-bit
 * min/max take a rounding argument, 4 = the current direction (MXCSR), which
 * is what the narrow ones use. */
static const struct {
  const char *narrow, *w256, *w512;
  bool rounding_arg;
} k_x86[] = {
    {"llvm.x86.sse.min.ps", "llvm.x86.avx.min.ps.256", "llvm.x86.avx512.min.ps.512", true},
    {"llvm.x86.sse.max.ps", "llvm.x86.avx.max.ps.256", "llvm.x86.avx512.max.ps.512", true},
    {"llvm.x86.sse2.min.pd", "llvm.x86.avx.min.pd.256", "llvm.x86.avx512.min.pd.512", true},
    {"llvm.x86.sse2.max.pd", "llvm.x86.avx.max.pd.256", "llvm.x86.avx512.max.pd.512", true},
    {"llvm.x86.avx512.pternlog.d.128", "llvm.x86.avx512.pternlog.d.256",
     "llvm.x86.avx512.pternlog.d.512", false},
    {"llvm.x86.avx512.pternlog.q.128", "llvm.x86.avx512.pternlog.q.256",
     "llvm.x86.avx512.pternlog.q.512", false},
};

/* The entry of `list` that `name` starts with, or NULL. */
static const char *matched(const char *name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strncmp(name, list[i], strlen(list[i])) == 0) return list[i];
  return NULL;
}

static int x86_index(const char *name) {
  for (size_t i = 0; i < sizeof k_x86 / sizeof *k_x86; i++)
    if (strcmp(name, k_x86[i].narrow) == 0) return (int)i;
  return -1;
}

bool wgc_lanewise_call_widens(LLVMValueRef call, unsigned k) {
  const char *name = wgc_callee_name(call);
  if (!name || (k != 2 && k != 4) || LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVectorTypeKind)
    return false;
  return wgc_lanewise_int_intrinsic(call) ||
         matched(name, k_by_result, sizeof k_by_result / sizeof *k_by_result) ||
         matched(name, k_by_operand, sizeof k_by_operand / sizeof *k_by_operand) ||
         x86_index(name) >= 0;
}

LLVMValueRef wgc_build_wide_call(LLVMModuleRef m, LLVMBuilderRef b, LLVMValueRef call,
                                 LLVMValueRef *args, unsigned n, unsigned k) {
  if (!wgc_lanewise_call_widens(call, k) || n == 0) return NULL;
  const char *name = wgc_callee_name(call);
  int x = x86_index(name);
  if (x >= 0) {
    LLVMValueRef a[8];
    if (n + 1 > sizeof a / sizeof *a) return NULL;
    memcpy(a, args, n * sizeof *a);
    if (k == 4 && k_x86[x].rounding_arg)
      a[n++] = LLVMConstInt(LLVMInt32TypeInContext(LLVMGetModuleContext(m)), 4, 0);
    return wgc_build_intrinsic(m, b, k == 4 ? k_x86[x].w512 : k_x86[x].w256, NULL, a, n, false);
  }
  /* an overloaded intrinsic: its name without the type suffix, at the wide
   * type (the comparisons are overloaded on their operands' type) */
  const char *p = matched(name, k_by_result, sizeof k_by_result / sizeof *k_by_result);
  const char *q =
      p ? NULL : matched(name, k_by_operand, sizeof k_by_operand / sizeof *k_by_operand);
  const char *dot = strrchr(name, '.');
  size_t len = p ? strlen(p) - 1 : q ? strlen(q) - 1 : dot ? (size_t)(dot - name) : 0;
  char base[64];
  if (!len || len >= sizeof base) return NULL;
  memcpy(base, name, len);
  base[len] = '\0';
  LLVMTypeRef rt = LLVMTypeOf(call);
  LLVMTypeRef t =
      q ? LLVMTypeOf(args[0]) : LLVMVectorType(LLVMGetElementType(rt), LLVMGetVectorSize(rt) * k);
  return wgc_build_intrinsic(m, b, base, t, args, n,
                             wgc_has_prefix(name, "llvm.experimental.constrained."));
}
