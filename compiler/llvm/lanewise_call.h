/*
 * lanewise_call.h — calls whose vector form is lane-wise (lane i of the
 * result depends only on lane i of each vector argument), and their forms
 * 2 or 4 times as wide, for passes that run several iterations' vectors side
 * by side (stream_widen.c).
 *
 * The calls: LLVM's lane-wise integer intrinsics (wgc_lanewise_int_intrinsic),
 * wasm2c's constrained floating-point arithmetic, comparisons and roundings
 * (the wide call gets the same rounding and exception arguments), fabs and
 * copysign, and the x86 intrinsics SIMDe's wasm SIMD code leaves in the IR:
 * SSE min/max (vminps/vmaxps, whose NaN and signed-zero rule is the same at
 * every width) and AVX-512 pternlog (bitwise, per bit).
 */
#ifndef WASMGRAPH_LANEWISE_CALL_H_
#define WASMGRAPH_LANEWISE_CALL_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

/* Whether `call` is one of those and can be built k (2 or 4) times as wide:
 * its 128-bit x86 intrinsics have 256-bit (k = 2) and 512-bit (k = 4)
 * forms; the overloaded intrinsics have any width. The caller checks that
 * the target has the width (stream_widen.c: AVX2 for 2, AVX-512 for 4). */
bool wgc_lanewise_call_widens(LLVMValueRef call, unsigned k);

/* Builds that call k times as wide at the builder: args[0..n) are its
 * arguments, each vector one already k times as wide (iteration j's lanes
 * at j * lanes ..), the others (metadata, immediates) as they were. NULL
 * if wgc_lanewise_call_widens(call, k) does not hold. */
LLVMValueRef wgc_build_wide_call(LLVMModuleRef m, LLVMBuilderRef b, LLVMValueRef call,
                                 LLVMValueRef *args, unsigned n, unsigned k);

#endif
