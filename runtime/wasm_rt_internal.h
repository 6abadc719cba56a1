/*
 * wasm_rt_internal.h — what the runtime needs from wasm_rt_impl.c beyond the
 * wasm-rt API that generated code uses.
 */
#ifndef WASMGRAPH_WASM_RT_INTERNAL_H_
#define WASMGRAPH_WASM_RT_INTERNAL_H_

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasm-rt.h"

#define WG_ALTSTACK_SIZE (64u << 10)

/* Per-thread guest bookkeeping, owned by trap_boundary.c. */
typedef struct wg_thread_state {
  int prepared;       /* alternate signal stack installed */
  int guest_depth;    /* > 0 while this thread runs guest code */
  uintptr_t stack_lo; /* lowest address of this thread's native stack */
} wg_thread_state;

extern _Thread_local wg_thread_state wg_tls_thread;

/* Makes the calling thread able to run guest code (alternate signal stack,
 * stack bounds). Idempotent; false if the OS refused. */
bool wg_rt_prepare_thread(void);
void wg_rt_set_trap_target(jmp_buf *target);
jmp_buf *wg_rt_get_trap_target(void);
/* True (once) if the last trap was a host allocation failure. */
int wg_rt_take_host_oom(void);

/* A linear memory the runtime owns, with a status instead of a trap. */
bool wg_memory_init(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages);
void wg_memory_release(wasm_rt_memory_t *mem);

#endif
