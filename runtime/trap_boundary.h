/*
 * trap_boundary.h — the one way into guest code.
 */
#ifndef WASMGRAPH_TRAP_BOUNDARY_H_
#define WASMGRAPH_TRAP_BOUNDARY_H_

#include "wasm-rt.h"

/* Runs body(ctx), which may call guest code. Returns WASM_RT_TRAP_NONE if it
 * returned normally, else the trap that unwound it. Boundaries nest: a trap
 * unwinds to the innermost one on the calling thread. *host_oom is set when
 * the "trap" was a host allocation failure inside wasm-rt. */
wasm_rt_trap_t wg_protected_call(void (*body)(void *ctx), void *ctx, int *host_oom);

/* Maps a wasm-rt trap to the public trap kind. */
#include "wasmgraph.h"
wasmgraph_trap_kind wg_trap_kind(wasm_rt_trap_t trap);

#endif
