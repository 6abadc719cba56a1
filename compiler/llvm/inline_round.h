/*
 * inline_round.h — the roundf/round imports as inline code (inline_round.c
 * explains why and why it is exact).
 */
#ifndef WASMGRAPH_INLINE_ROUND_H_
#define WASMGRAPH_INLINE_ROUND_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

/* Redirects every call of w2c_env_roundf / w2c_env_round in m to an
 * internal always-inline definition; *calls counts them. OK, or
 * UNSUPPORTED if the verifier rejects the result (a bug). */
wasmgraph_status wgc_inline_round(wgc_ctx *ctx, LLVMModuleRef m, bool verify, unsigned *calls);

#endif
