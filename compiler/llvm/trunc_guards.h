/*
 * trunc_guards.h — a float-to-int conversion that LLVM's wasm backend
 * guarded (|x| < 2^31 ? trunc : INT_MIN, or 0 <= x < 2^32 ? trunc : 0)
 * around wasm2c's trapping one, without its branches (trunc_guards.c
 * explains the shape and why it is exact).
 */
#ifndef WASMGRAPH_TRUNC_GUARDS_H_
#define WASMGRAPH_TRUNC_GUARDS_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_trunc_guards_stats {
  unsigned signed_guards;   /* |x| < 2^31 ? trunc_s(x) : INT_MIN, now one cvttss2si */
  unsigned unsigned_guards; /* 0 <= x < 2^32 ? trunc_u(x) : 0, now a select */
  unsigned functions;       /* functions with at least one */
} wgc_trunc_guards_stats;

/* Transforms m in place. No memory access is touched. OK, NO_MEMORY, or
 * UNSUPPORTED if the verifier rejects the result (a bug here; the module
 * must not be used). The verifier runs when `verify`, and always in builds
 * without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_trunc_guards(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                  wgc_trunc_guards_stats *stats);

#endif
