/*
 * ir_test_util.h — scaffolding shared by the unit tests of the LLVM IR
 * passes (tests/compiler/tile_vectorize, v128_pair, splat_window, ...): a
 * growing printf buffer to generate IR text, parsing it (open_case), an
 * MCJIT engine to run it (jit), counting substrings of printed IR,
 * pass/fail bookkeeping (check, finish_case), the two copies of a
 * differential case (ir_pair), a wgc_ctx with an error buffer, module
 * verification, calls that survive a fault (ir_call_guarded), the host's
 * target attributes (jit_init_host) and memory ending in a PROT_NONE page
 * (guarded_memory). Header-only (static inline): each test is one
 * translation unit. Test code: aborts on out-of-memory.
 */
#ifndef WASMGRAPH_IR_TEST_UTIL_H
#define WASMGRAPH_IR_TEST_UTIL_H

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compiler_internal.h"

/* Initialises MCJIT and the host target, and writes into attrs the
 * attribute group body `"target-cpu"="..." "target-features"="..."` of
 * this CPU, for the kernels' IR. Returns the host's feature string (free
 * it with LLVMDisposeMessage). */
static inline char *jit_init_host(char *attrs, size_t size) {
  LLVMLinkInMCJIT();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  snprintf(attrs, size, "\"target-cpu\"=\"%s\" \"target-features\"=\"%s\"", cpu, feat);
  LLVMDisposeMessage(cpu);
  return feat;
}

/* `size` readable and writable bytes followed by a PROT_NONE page, where an
 * access faults as one past a guarded linear memory does; NULL if the
 * mapping fails. */
static inline uint8_t *guarded_memory(size_t size) {
  long ps = sysconf(_SC_PAGESIZE);
  size_t page = ps > 0 ? (size_t)ps : 4096;
  void *m = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return NULL;
  if (mprotect((uint8_t *)m + size, page, PROT_NONE) != 0) return NULL;
  return m;
}

/* Appends printf output to a growing buffer (test code: abort on OOM); an
 * sbuf may start empty ({0}). */
typedef struct sbuf {
  char *p;
  size_t n, cap;
} sbuf;

static inline void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void put(sbuf *b, const char *fmt, ...) {
  if (!b->p) { /* an empty sbuf ({0}) */
    b->n = 0, b->cap = 256;
    if (!(b->p = malloc(b->cap))) abort();
  }
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (k < 0) abort();
    if ((size_t)k < b->cap - b->n) {
      b->n += (size_t)k;
      return;
    }
    b->cap = b->cap * 2 + (size_t)k + 256;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
}

/* The module in `ir`, or NULL (the reason and the IR go to stderr). */
static inline LLVMModuleRef parse(LLVMContextRef c, const char *ir) {
  LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRangeCopy(ir, strlen(ir), "kernel");
  LLVMModuleRef m = NULL;
  char *msg = NULL;
  if (LLVMParseIRInContext(c, mb, &m, &msg)) {
    fprintf(stderr, "test IR does not parse: %s\n%s\n", msg ? msg : "", ir);
    LLVMDisposeMessage(msg);
    return NULL;
  }
  return m;
}

/* Non-overlapping occurrences of needle in hay. */
static inline unsigned count(const char *hay, const char *needle) {
  unsigned n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

static int passed, failed;

/* A xorshift32 generator for test inputs: the same sequence on every run. */
static uint32_t ir_rnd_state = 2463534242u;
static inline uint32_t ir_rnd(void) {
  ir_rnd_state ^= ir_rnd_state << 13;
  ir_rnd_state ^= ir_rnd_state >> 17;
  ir_rnd_state ^= ir_rnd_state << 5;
  return ir_rnd_state;
}

static inline void check(bool ok, const char *name, const char *what) {
  if (ok) return;
  printf("FAIL %s: %s\n", name, what);
  failed++;
}

/* A context whose errors land in err[0..err_size). */
static inline wgc_ctx test_ctx(char *err, size_t err_size) {
  wgc_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.err = err;
  ctx.err_size = err_size;
  return ctx;
}

/* Opens a case: `ir` parsed into a new context *c, its printed form in
 * *orig (free with LLVMDisposeMessage). If it does not parse, the case
 * fails, the context is gone and the result is NULL. `ir` stays the
 * caller's. */
static inline LLVMModuleRef open_case(const char *name, const char *ir, LLVMContextRef *c,
                                      char **orig) {
  *c = LLVMContextCreate();
  LLVMModuleRef m = parse(*c, ir);
  if (!m) {
    check(false, name, "parse");
    LLVMContextDispose(*c);
    return NULL;
  }
  *orig = LLVMPrintModuleToString(m);
  return m;
}

/* An MCJIT engine that owns m (LLVMDisposeExecutionEngine frees both), or
 * NULL with the reason on stderr. */
static inline LLVMExecutionEngineRef jit(LLVMModuleRef m) {
  LLVMExecutionEngineRef ee;
  char *msg = NULL;
  struct LLVMMCJITCompilerOptions o;
  LLVMInitializeMCJITCompilerOptions(&o, sizeof o);
  if (LLVMCreateMCJITCompilerForModule(&ee, m, &o, sizeof o, &msg)) {
    fprintf(stderr, "MCJIT: %s\n", msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  return ee;
}

/* Runs fn(arg) with SIGSEGV and SIGBUS caught: false if it faulted (a
 * JIT-compiled kernel touched a PROT_NONE page, as a trap would with guard
 * pages). The previous handlers are restored either way. */
static sigjmp_buf ir_fault_jmp;
static inline void ir_on_fault(int sig) {
  (void)sig;
  siglongjmp(ir_fault_jmp, 1);
}
static inline bool ir_call_guarded(void (*fn)(void *), void *arg) {
  struct sigaction sa, old_segv, old_bus;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = ir_on_fault;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGBUS, &sa, &old_bus);
  volatile bool ok = true;
  if (sigsetjmp(ir_fault_jmp, 1) == 0) fn(arg);
  else ok = false;
  sigaction(SIGSEGV, &old_segv, NULL);
  sigaction(SIGBUS, &old_bus, NULL);
  return ok;
}

/* The address of function `name` in an MCJIT engine made for m (*ee; it
 * then owns m), or 0 (and *ee NULL if the engine could not be made). */
static inline uintptr_t jit_function(LLVMModuleRef m, const char *name,
                                     LLVMExecutionEngineRef *ee) {
  *ee = jit(m);
  return *ee ? (uintptr_t)LLVMGetFunctionAddress(*ee, name) : 0;
}

/* Frees a case's module (through its engine when it has one) and context. */
static inline void dispose_case(LLVMExecutionEngineRef ee, LLVMModuleRef m, LLVMContextRef c) {
  if (ee) LLVMDisposeExecutionEngine(ee);
  else LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

/* Checks that m verifies after the pass ran. */
static inline void check_verifies(LLVMModuleRef m, const char *name) {
  char *vmsg = NULL;
  bool bad = LLVMVerifyModule(m, LLVMReturnStatusAction, &vmsg); /* sets vmsg first */
  check(!bad, name, vmsg ? vmsg : "verify");
  LLVMDisposeMessage(vmsg);
}

/* Prints a case's line, "ok  " or "FAIL" and then the formatted text (the
 * case's name and what the pass did), and counts it as passed if no check
 * failed since `failed` was before_failed. */
static inline void finish_case(int before_failed, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void finish_case(int before_failed, const char *fmt, ...) {
  bool ok = failed == before_failed;
  if (ok) passed++;
  printf("%s ", ok ? "ok  " : "FAIL");
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

/* The two copies of a differential case: m[0] is the reference, left as
 * parsed; the pass runs on m[1]; both are then compiled and run on the same
 * inputs. Each copy has its own context, so the pass cannot reach the
 * reference. orig is m[1] as printed before the pass (what a negative case
 * must still print). Once jit_pair made ee[i], it owns m[i]. close_pair
 * frees everything; name is borrowed. */
typedef struct ir_pair {
  const char *name;
  LLVMContextRef c[2];
  LLVMModuleRef m[2];
  char *orig;
  LLVMExecutionEngineRef ee[2];
  int before_failed; /* `failed` once both copies parsed, for finish_case */
} ir_pair;

/* Parses ir (malloc'd, as put builds it; freed here) into both copies of
 * *p. False if either copy does not parse: the case has failed (each copy
 * that does not parse is a "parse" FAIL) and nothing is left to close. */
static inline bool open_pair(const char *name, char *ir, ir_pair *p) {
  memset(p, 0, sizeof *p);
  p->name = name;
  char *orig[2] = {NULL, NULL};
  for (int i = 0; i < 2; i++) p->m[i] = open_case(name, ir, &p->c[i], &orig[i]);
  free(ir);
  LLVMDisposeMessage(orig[0]); /* the same text as orig[1] */
  p->orig = orig[1];
  if (!p->m[0] || !p->m[1]) {
    for (int i = 0; i < 2; i++)
      if (p->m[i]) dispose_case(NULL, p->m[i], p->c[i]);
    LLVMDisposeMessage(p->orig);
    return false;
  }
  p->before_failed = failed;
  return true;
}

/* Compiles both copies with MCJIT and sets f[i] to the address of function
 * fn in copy i (0 if not there). Unless both are there the case fails
 * ("JIT failed") and the result is false. */
static inline bool jit_pair(ir_pair *p, const char *fn, uintptr_t f[2]) {
  for (int i = 0; i < 2; i++) f[i] = jit_function(p->m[i], fn, &p->ee[i]);
  check(f[0] && f[1], p->name, "JIT failed");
  return f[0] && f[1];
}

/* Frees both copies (through their engines once jitted), their contexts
 * and orig. */
static inline void close_pair(ir_pair *p) {
  for (int i = 0; i < 2; i++) dispose_case(p->ee[i], p->m[i], p->c[i]);
  LLVMDisposeMessage(p->orig);
}

#endif
