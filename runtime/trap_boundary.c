/*
 * trap_boundary.c — the protected boundary around every entry into guest
 * code (instantiation, constructors, kernels, parallel lambdas), in the
 * spirit of Lua's luaD_rawrunprotected.
 *
 * A boundary saves the thread's previous trap target, installs its own
 * jmp_buf, runs the body and restores everything on the way out, whether the
 * body returned or a trap (wasm_rt_trap, or a fault turned into one by the
 * guard-page signal handler) unwound it. Boundaries nest, so a parallel
 * launch can run lambdas under their own boundary inside a kernel's.
 * Nothing outside this file calls setjmp/longjmp.
 */
#include "trap_boundary.h"

#include "wasm_rt_internal.h"

/* ThreadSanitizer runs every signal handler with all signals blocked, whatever
 * its sa_mask says, so a jump out of the fault handler would leave SIGSEGV
 * blocked and the next guard-page fault would kill the process. Under TSan
 * the boundary saves and restores the signal mask. */
#if defined(__SANITIZE_THREAD__)
#define WG_SAVE_SIGMASK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WG_SAVE_SIGMASK 1
#endif
#endif
#ifndef WG_SAVE_SIGMASK
#define WG_SAVE_SIGMASK 0
#endif

wasm_rt_trap_t wg_protected_call(void (*body)(void *ctx), void *ctx, int *host_oom) {
  if (host_oom) *host_oom = 0;
  if (!wg_rt_prepare_thread()) {
    if (host_oom) *host_oom = 1;
    return WASM_RT_TRAP_EXHAUSTION;
  }
  wg_thread_state *ts = &wg_tls_thread;
  jmp_buf buf;
  jmp_buf *volatile prev_trap = wg_rt_get_trap_target();
  jmp_buf *volatile prev_unwind = wasm_rt_get_unwind_target();
  volatile int prev_depth = ts->guest_depth;
#if WASM_RT_USE_STACK_DEPTH_COUNT
  volatile uint32_t prev_calls = wasm_rt_call_stack_depth;
#endif
  volatile wasm_rt_trap_t result = WASM_RT_TRAP_NONE;

  /* The signal mask is not saved: the fault handler is installed with
   * SA_NODEFER and an empty sa_mask, so jumping out of it leaves the mask as
   * it was, and saving it would cost a system call per boundary (except
   * under TSan, above). */
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  int code = sigsetjmp(buf, WG_SAVE_SIGMASK);
#else
  int code = setjmp(buf);
#endif
  if (code == 0) {
    wg_rt_set_trap_target(&buf);
    wasm_rt_set_unwind_target(&buf);
    ts->guest_depth = prev_depth + 1;
    body(ctx);
  } else {
    result = (wasm_rt_trap_t)code;
    if (host_oom) *host_oom = wg_rt_take_host_oom();
  }
  ts->guest_depth = prev_depth;
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = prev_calls;
#endif
  wasm_rt_set_unwind_target(prev_unwind);
  wg_rt_set_trap_target(prev_trap);
  return result;
}

wasmgraph_trap_kind wg_trap_kind(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE:
      return WASMGRAPH_TRAP_NONE;
    case WASM_RT_TRAP_OOB:
      return WASMGRAPH_TRAP_OUT_OF_BOUNDS;
    case WASM_RT_TRAP_INT_OVERFLOW:
      return WASMGRAPH_TRAP_INTEGER_OVERFLOW;
    case WASM_RT_TRAP_DIV_BY_ZERO:
      return WASMGRAPH_TRAP_DIVIDE_BY_ZERO;
    case WASM_RT_TRAP_INVALID_CONVERSION:
      return WASMGRAPH_TRAP_INVALID_CONVERSION;
    case WASM_RT_TRAP_UNREACHABLE:
      return WASMGRAPH_TRAP_UNREACHABLE;
    case WASM_RT_TRAP_CALL_INDIRECT:
      return WASMGRAPH_TRAP_INDIRECT_CALL;
    case WASM_RT_TRAP_EXHAUSTION:
      return WASMGRAPH_TRAP_STACK_EXHAUSTED;
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
      return WASMGRAPH_TRAP_OTHER;
    case WASM_RT_TRAP_INTERRUPTED:
      return WASMGRAPH_TRAP_INTERRUPTED; /* the executor tells a deadline apart */
  }
  return WASMGRAPH_TRAP_OTHER;
}
