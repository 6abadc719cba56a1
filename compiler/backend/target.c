/*
 * target.c — resolves --target and --cpu with the LLVM C API (libLLVM-14).
 *
 * The triple is normalized and looked up in LLVM's target registry, so a typo
 * fails at once with LLVM's own explanation instead of minutes later inside
 * clang. Defaults: the host triple (LLVMGetDefaultTargetTriple) and, when
 * the target is the host (same arch, OS and environment), CPU "native";
 * for other targets no CPU flag at all (the target's generic CPU).
 * x86 targets take the CPU as -march=, all others as -mcpu= (clang's
 * convention). An explicit --cpu is checked by the clang probe in cc.c,
 * because LLVM only prints a warning for an unknown CPU.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

#include "compiler_internal.h"

static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;

static void llvm_init(void) {
  LLVMInitializeAllTargetInfos();
  LLVMInitializeAllTargets();
  LLVMInitializeAllTargetMCs();
  LLVMInitializeAllAsmPrinters();
}

void wgc_llvm_init(void) { pthread_once(&llvm_once, llvm_init); }

/* Component k (0 arch, 1 vendor, 2 os, 3 env) of a normalized triple. */
static void component(const char *triple, int k, char *buf, size_t size) {
  const char *p = triple;
  for (int i = 0; i < k && p; i++) {
    p = strchr(p, '-');
    if (p) p++;
  }
  size_t n = p ? strcspn(p, "-") : 0;
  if (n >= size) n = size - 1;
  memcpy(buf, p ? p : "", n);
  buf[n] = 0;
}

static bool same_platform(const char *a, const char *b) {
  static const int parts[] = {0, 2, 3};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    char x[64], y[64];
    component(a, parts[i], x, sizeof x);
    component(b, parts[i], y, sizeof y);
    if (strcmp(x, y) != 0) return false;
  }
  return true;
}

static bool is_x86(const char *triple) {
  char arch[64];
  component(triple, 0, arch, sizeof arch);
  return strcmp(arch, "x86_64") == 0 || strcmp(arch, "x86") == 0 ||
         (arch[0] == 'i' && arch[1] >= '3' && arch[1] <= '6' && strcmp(arch + 2, "86") == 0);
}

static char *llvm_strdup(char *msg) {
  char *s = strdup(msg ? msg : "");
  if (msg) LLVMDisposeMessage(msg);
  return s;
}

wasmgraph_status wgc_target_resolve(wgc_ctx *ctx, const char *triple, const char *cpu,
                                    wgc_target *out) {
  memset(out, 0, sizeof *out);
  wgc_llvm_init();
  char *def = LLVMGetDefaultTargetTriple();
  char *host_norm = llvm_strdup(LLVMNormalizeTargetTriple(def));
  LLVMDisposeMessage(def);
  if (!host_norm) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");

  if (triple && !*triple) {
    free(host_norm);
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "unknown target '': empty triple");
  }
  out->llvm_triple = triple ? llvm_strdup(LLVMNormalizeTargetTriple(triple)) : strdup(host_norm);
  out->triple = strdup(triple ? triple : host_norm);
  if (!out->triple || !out->llvm_triple) {
    free(host_norm);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  LLVMTargetRef target;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(out->llvm_triple, &target, &msg)) {
    wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "unknown target '%s': %s",
                                   out->triple, msg ? msg : "not known to LLVM");
    if (msg) LLVMDisposeMessage(msg);
    free(host_norm);
    wgc_target_free(out);
    return st;
  }
  if (msg) LLVMDisposeMessage(msg);
  out->is_host = same_platform(out->llvm_triple, host_norm);
  free(host_norm);
  out->cpu_is_march = is_x86(out->llvm_triple);
  if (cpu && *cpu) out->cpu = strdup(cpu);
  else if (!cpu && out->is_host) out->cpu = strdup("native");
  if ((cpu && *cpu) || (!cpu && out->is_host)) {
    if (!out->cpu) {
      wgc_target_free(out);
      return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    }
  }
  return WASMGRAPH_OK;
}

void wgc_target_free(wgc_target *t) {
  if (!t) return;
  free(t->triple);
  free(t->llvm_triple);
  free(t->cpu);
  memset(t, 0, sizeof *t);
}

/* A target machine for data-only objects: generic CPU, PIC. */
static LLVMTargetMachineRef data_machine(wgc_ctx *ctx, const wgc_target *t) {
  LLVMTargetRef target;
  char *msg = NULL;
  wgc_llvm_init();
  if (LLVMGetTargetFromTriple(t->llvm_triple, &target, &msg)) {
    wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "unknown target '%s': %s", t->triple,
             msg ? msg : "");
    if (msg) LLVMDisposeMessage(msg);
    return NULL;
  }
  if (msg) LLVMDisposeMessage(msg);
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(
      target, t->llvm_triple, "", "", LLVMCodeGenLevelNone, LLVMRelocPIC, LLVMCodeModelDefault);
  if (!tm)
    wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
             "cannot create an LLVM target machine "
             "for '%s'",
             t->llvm_triple);
  return tm;
}

static bool add_bytes(LLVMContextRef c, LLVMModuleRef m, const char *sym, const wgc_buf *b,
                      unsigned align) {
  LLVMValueRef init =
      LLVMConstStringInContext(c, b->size ? (const char *)b->data : "", (unsigned)b->size, 1);
  LLVMValueRef g = LLVMAddGlobal(m, LLVMTypeOf(init), sym);
  if (!g) return false;
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMExternalLinkage);
  LLVMSetAlignment(g, align);
  return true;
}

wasmgraph_status wgc_emit_data_object(wgc_ctx *ctx, const wgc_target *t, const char *name,
                                      const wgc_buf *graph_json, const wgc_buf *params,
                                      const char *path) {
  if (graph_json->size > UINT32_MAX || params->size > UINT32_MAX)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "cannot embed more than 4 GiB of graph.json or params");
  LLVMTargetMachineRef tm = data_machine(ctx, t);
  if (!tm) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  wasmgraph_status st = WASMGRAPH_OK;
  LLVMContextRef c = LLVMContextCreate();
  char *mod_name = wgc_strdup_printf("%s_wasmgraph_data", name);
  char *sym_json = wgc_strdup_printf("%s_wasmgraph_graph_json", name);
  char *sym_params = wgc_strdup_printf("%s_wasmgraph_params", name);
  LLVMModuleRef m = mod_name ? LLVMModuleCreateWithNameInContext(mod_name, c) : NULL;
  if (!m || !sym_json || !sym_params) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  } else {
    LLVMSetTarget(m, t->llvm_triple);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(m, td);
    LLVMDisposeTargetData(td);
    if (!add_bytes(c, m, sym_json, graph_json, 16) || !add_bytes(c, m, sym_params, params, 64)) {
      st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    } else {
      char *msg = NULL;
      if (ctx->opts && ctx->opts->verbose > 0)
        wgc_log(ctx, "+ [llvm] emit %s (%zu + %zu bytes embedded)", path, graph_json->size,
                params->size);
      if (LLVMTargetMachineEmitToFile(tm, m, (char *)path, LLVMObjectFile, &msg))
        st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: LLVM cannot emit the data object: %s", path,
                      msg ? msg : "");
      if (msg) LLVMDisposeMessage(msg);
    }
  }
  if (m) LLVMDisposeModule(m);
  LLVMContextDispose(c);
  LLVMDisposeTargetMachine(tm);
  free(mod_name);
  free(sym_json);
  free(sym_params);
  return st;
}
