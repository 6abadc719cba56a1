/*
 * wasm_rt_impl.c — our implementation of the wasm-rt API that wasm2c-generated
 * code calls (runtime/wasm-rt/wasm-rt.h): traps, function-type ids, tables,
 * memories, exceptions and the guard-page signal handler.
 *
 * Invariants:
 * - Trap and exception state is thread-local. wasm_rt_trap() jumps to the
 *   calling thread's innermost trap boundary (trap_boundary.c), which is the
 *   only code that sets it; guest code never runs outside such a boundary.
 * - Nothing here prints or aborts. An allocation failure while guest code or
 *   instantiation runs is reported as a trap with wg_rt_take_host_oom() set,
 *   so the boundary can tell "out of memory" from a guest fault.
 * - In guard-page mode each memory reserves 8 GiB of address space (any u32
 *   address plus any u32 offset), of which only `size` bytes are accessible.
 *   The SIGSEGV/SIGBUS handler claims a fault only while the faulting thread
 *   runs guest code; otherwise the application's previous handler runs.
 */
#include "wasm_rt_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#define WG_PAGE_SIZE 65536u
#define WG_MAX_PAGES 65536u
#define WG_MAX_EXCEPTION_SIZE 256u

#if WASM_RT_USE_STACK_DEPTH_COUNT
WASM_RT_THREAD_LOCAL uint32_t wasm_rt_call_stack_depth;
#endif

/* Per-thread guest state. */
static _Thread_local jmp_buf *tls_trap_target;
static _Thread_local jmp_buf *tls_unwind_target;
static _Thread_local int tls_host_oom;
static _Thread_local uint32_t tls_exception_tag;
static _Thread_local uint32_t tls_exception_size;
static _Thread_local uint8_t tls_exception[WG_MAX_EXCEPTION_SIZE];
_Thread_local wg_thread_state wg_tls_thread;

/* ---- traps ------------------------------------------------------------ */

void wasm_rt_trap(wasm_rt_trap_t code) {
  jmp_buf *target = tls_trap_target;
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = 0; /* the boundary restores its own saved value */
#endif
  if (!target) {
    /* Guest code is only ever entered through trap_boundary.c, which sets a
     * target first; reaching this is a wasmgraph bug, not bad input. */
    __builtin_trap();
  }
  if (code == WASM_RT_TRAP_NONE) code = WASM_RT_TRAP_UNREACHABLE;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  siglongjmp(*target, (int)code);
#else
  longjmp(*target, (int)code);
#endif
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE:
      return "No error";
    case WASM_RT_TRAP_OOB:
      return "Out-of-bounds access in linear memory or a table";
    case WASM_RT_TRAP_INT_OVERFLOW:
      return "Integer overflow on divide or truncation";
    case WASM_RT_TRAP_DIV_BY_ZERO:
      return "Integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION:
      return "Conversion from NaN to integer";
    case WASM_RT_TRAP_UNREACHABLE:
      return "Unreachable instruction executed";
    case WASM_RT_TRAP_CALL_INDIRECT:
      return "Invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
      return "Uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION:
      return "Call stack exhausted";
    case WASM_RT_TRAP_INTERRUPTED:
      return "Interrupted";
  }
  return "invalid trap code";
}

/* The slow path of WASM_RT_CHECK_INTERRUPT and of the loop checks that
 * compiler/llvm/interrupt_checks.c inserts: the run is being stopped. */
void wasm_rt_interrupt_trap(void) { wasm_rt_trap(WASM_RT_TRAP_INTERRUPTED); }

void wg_rt_set_trap_target(jmp_buf *target) { tls_trap_target = target; }
jmp_buf *wg_rt_get_trap_target(void) { return tls_trap_target; }

int wg_rt_take_host_oom(void) {
  int v = tls_host_oom;
  tls_host_oom = 0;
  return v;
}

static WASM_RT_NO_RETURN void trap_host_oom(void) {
  tls_host_oom = 1;
  wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
}

/* ---- exceptions (wasm2c exception-handling API) ------------------------ */

static atomic_uint g_tag_count;

uint32_t wasm_rt_register_tag(uint32_t size) {
  if (size > WG_MAX_EXCEPTION_SIZE) trap_host_oom();
  return atomic_fetch_add(&g_tag_count, 1u);
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void *values) {
  if (size > WG_MAX_EXCEPTION_SIZE) trap_host_oom();
  tls_exception_tag = tag;
  tls_exception_size = size;
  if (size) memcpy(tls_exception, values, size);
}

void wasm_rt_throw(void) {
  jmp_buf *target = tls_unwind_target;
  if (!target || target == tls_trap_target) wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  siglongjmp(*target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
#else
  longjmp(*target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
#endif
}

WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return tls_unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { tls_unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return tls_exception_tag; }
uint32_t wasm_rt_exception_size(void) { return tls_exception_size; }
void *wasm_rt_exception(void) { return tls_exception; }

/* ---- memories ---------------------------------------------------------- */

/* The stop word of memories no executor owns (the module's own memories, test
 * harnesses): never set, so their checks never fire. */
static const uint32_t g_never_interrupted;

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
/* Any u32 address plus any u32 offset plus the access size (up to 16
 * bytes) stays inside the reservation. */
#define WG_RESERVATION (((size_t)8 << 30) + WG_PAGE_SIZE)
#endif

#if !WASM_RT_MEMCHECK_SIGNAL_HANDLER
/* Address space reserved for a bounds-checked memory: its maximum size, at
 * least one page so that data is never NULL. */
static size_t reservation_bytes(uint32_t max_pages) {
  return (size_t)(max_pages ? max_pages : 1) * WG_PAGE_SIZE;
}
#endif

bool wg_memory_init(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  memset(mem, 0, sizeof *mem);
  if (max_pages > WG_MAX_PAGES) max_pages = WG_MAX_PAGES;
  if (initial_pages > max_pages) return false;
  size_t bytes = (size_t)initial_pages * WG_PAGE_SIZE;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  void *base =
      mmap(NULL, WG_RESERVATION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return false;
  if (bytes && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, WG_RESERVATION);
    return false;
  }
  mem->data = base;
#else
  /* Reserve the memory's whole maximum (at most 4 GiB) and commit pages as
   * it grows, so data never moves: pointers the host holds (the run loop,
   * zero-copy buffers, pool threads) stay valid. Where the address space is
   * too small for that, only the initial size is reserved and the maximum
   * lowered to it: memory.grow then fails rather than moving the memory. */
  void *base = mmap(NULL, reservation_bytes(max_pages), PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    max_pages = initial_pages;
    base = mmap(NULL, reservation_bytes(max_pages), PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return false;
  }
  if (bytes && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, reservation_bytes(max_pages));
    return false;
  }
  mem->data = base;
#endif
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = bytes;
  mem->interrupt = &g_never_interrupted;
  return true;
}

void wg_memory_release(wasm_rt_memory_t *mem) {
  if (!mem->data) return;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  munmap(mem->data, WG_RESERVATION);
#else
  munmap(mem->data, reservation_bytes(mem->max_pages));
#endif
  memset(mem, 0, sizeof *mem);
}

/* Only memories a module defines itself come here (TVM's modules import
 * theirs from the runtime); memory64 and custom page sizes are refused by
 * the compiler, so reaching them here is a host error. */
void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint64_t initial, uint64_t max, bool is64,
                             uint32_t page_size) {
  if (is64 || page_size != WG_PAGE_SIZE || initial > WG_MAX_PAGES) trap_host_oom();
  if (max > WG_MAX_PAGES) max = WG_MAX_PAGES;
  if (!wg_memory_init(mem, (uint32_t)initial, (uint32_t)max)) trap_host_oom();
}

uint64_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint64_t delta) {
  uint64_t old = mem->pages;
  if (delta > WG_MAX_PAGES) return UINT64_MAX;
  uint64_t want = old + delta;
  if (want > mem->max_pages || want > WG_MAX_PAGES) return UINT64_MAX;
  if (delta == 0) return old;
  size_t old_bytes = (size_t)old * WG_PAGE_SIZE;
  size_t new_bytes = (size_t)want * WG_PAGE_SIZE;
  /* Both modes reserved the maximum up front: growing commits pages in
   * place and data never moves. */
  if (mprotect(mem->data + old_bytes, new_bytes - old_bytes, PROT_READ | PROT_WRITE) != 0)
    return UINT64_MAX;
  mem->pages = want;
  mem->size = new_bytes;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) { wg_memory_release(mem); }

/* ---- tables ------------------------------------------------------------ */

#define DEFINE_TABLE(kind, elem_t, null_value)                                                     \
  void wasm_rt_allocate_##kind##_table(wasm_rt_##kind##_table_t *t, uint32_t elements,             \
                                       uint32_t max_elements) {                                    \
    t->size = elements;                                                                            \
    t->max_size = max_elements;                                                                    \
    t->data = calloc(elements ? elements : 1, sizeof(elem_t));                                     \
    if (!t->data) {                                                                                \
      t->size = 0;                                                                                 \
      trap_host_oom();                                                                             \
    }                                                                                              \
  }                                                                                                \
  void wasm_rt_free_##kind##_table(wasm_rt_##kind##_table_t *t) {                                  \
    free(t->data);                                                                                 \
    t->data = NULL;                                                                                \
    t->size = 0;                                                                                   \
  }                                                                                                \
  uint32_t wasm_rt_grow_##kind##_table(wasm_rt_##kind##_table_t *t, uint32_t delta, elem_t init) { \
    uint32_t old = t->size;                                                                        \
    uint64_t want = (uint64_t)old + delta;                                                         \
    if (want > t->max_size || want > (1u << 26)) return UINT32_MAX;                                \
    if (delta == 0) return old;                                                                    \
    elem_t *grown = realloc(t->data, (size_t)want * sizeof(elem_t));                               \
    if (!grown) return UINT32_MAX;                                                                 \
    for (uint32_t i = old; i < want; i++) grown[i] = init;                                         \
    t->data = grown;                                                                               \
    t->size = (uint32_t)want;                                                                      \
    return old;                                                                                    \
  }

DEFINE_TABLE(funcref, wasm_rt_funcref_t, wasm_rt_funcref_null_value)
DEFINE_TABLE(externref, wasm_rt_externref_t, wasm_rt_externref_null_value)

/* ---- signal handler (guard-page mode) ---------------------------------- */

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
static struct sigaction g_prev_segv, g_prev_bus;

static void pass_on(int sig, siginfo_t *si, void *ctx) {
  struct sigaction *prev = sig == SIGSEGV ? &g_prev_segv : &g_prev_bus;
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, si, ctx);
  } else if (prev->sa_handler == SIG_IGN) {
    return;
  } else if (prev->sa_handler != SIG_DFL) {
    prev->sa_handler(sig);
  } else {
    /* Default action: restore it; returning re-executes the faulting
     * instruction, which now kills the process with the right signal. */
    signal(sig, SIG_DFL);
  }
}

static void on_fault(int sig, siginfo_t *si, void *ctx) {
  wg_thread_state *ts = &wg_tls_thread;
  if (ts->guest_depth == 0 || !tls_trap_target) {
    pass_on(sig, si, ctx);
    return;
  }
  /* A fault just below this thread's stack is native stack exhaustion (deep
   * guest recursion); anything else is a guest memory access. */
  uintptr_t addr = (uintptr_t)si->si_addr;
  wasm_rt_trap_t code = WASM_RT_TRAP_OOB;
  if (ts->stack_lo && addr + (1u << 20) >= ts->stack_lo && addr < ts->stack_lo + (64u << 10))
    code = WASM_RT_TRAP_EXHAUSTION;
  siglongjmp(*tls_trap_target, (int)code);
}

static void install_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_prev_segv);
  sigaction(SIGBUS, &sa, &g_prev_bus);
}

/* Each thread that runs guest code needs an alternate signal stack, or the
 * handler could not run after a native stack overflow. */
static pthread_key_t g_altstack_key;
static void free_altstack(void *p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  munmap(p, WG_ALTSTACK_SIZE);
}
#endif

static pthread_once_t g_init_once = PTHREAD_ONCE_INIT;
static atomic_bool g_initialized;

static void init_once(void) {
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  pthread_key_create(&g_altstack_key, free_altstack);
  install_handler();
#endif
  atomic_store(&g_initialized, true);
}

void wasm_rt_init(void) { pthread_once(&g_init_once, init_once); }
bool wasm_rt_is_initialized(void) { return atomic_load(&g_initialized); }
void wasm_rt_free(void) {}

bool wg_rt_prepare_thread(void) {
  wg_thread_state *ts = &wg_tls_thread;
  if (ts->prepared) return true;
  wasm_rt_init();
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  stack_t old;
  if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
      old.ss_size >= WG_ALTSTACK_SIZE) {
    /* The application installed one already: use it. */
  } else {
    void *p =
        mmap(NULL, WG_ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = p;
    ss.ss_size = WG_ALTSTACK_SIZE;
    if (sigaltstack(&ss, NULL) != 0) {
      munmap(p, WG_ALTSTACK_SIZE);
      return false;
    }
    pthread_setspecific(g_altstack_key, p);
  }
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *lo;
    size_t size;
    if (pthread_attr_getstack(&attr, &lo, &size) == 0) ts->stack_lo = (uintptr_t)lo;
    pthread_attr_destroy(&attr);
  }
#endif
  ts->prepared = 1;
  return true;
}
