/*
 * cc.c — compiles the generated C with clang and packages the objects.
 *
 * Flags for every translation unit:
 *   -O<n> -fPIC -DNDEBUG  the usual; NDEBUG drops wasm2c's init asserts
 *   -fno-optimize-sibling-calls -frounding-math
 *                         what wabt's wasm2c README requires of clang at
 *                         -O2 for spec conformance: infinite
 *                         guest recursion must trap (no tail calls turning
 *                         it into a loop) and NaN/rounding behaviour must not
 *                         be folded away
 *   -D<WASM_RT_*>         the build's memory mode (WASMGRAPH_MEMORY_MODE),
 *                         identical to what the runtime was compiled with;
 *                         WASM_RT_LATE_LOOP_CHECKS / WASM_RT_NO_INTERRUPT_CHECKS
 *                         (where the interrupt checks come from)
 *   --target= -march=/-mcpu=   from target.c
 *   -I<tempdir>           wasm-rt.h and wasmgraph_module.h as embedded in
 *                         this binary, so no source tree is needed
 *   -include <tempdir>/wg_simd_fixups.h
 *                         modules that use SIMD only: corrections to SIMDe
 *                         (Debian libsimde-dev, found in /usr/include) that
 *                         wasm2c's output uses for v128
 *   -w                    generated code; warnings are not actionable
 * Shared objects link with `clang -shared`; .o outputs merge with
 * `clang -r -nostdlib` (lld for cross targets); archives use llvm-ar (or ar).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler_internal.h"
#include "llvm/pipeline.h"

wasmgraph_status wgc_write_headers(wgc_ctx *ctx) {
  const char *tmp;
  wasmgraph_status st = wgc_tmpdir(ctx, &tmp);
  if (st != WASMGRAPH_OK) return st;
  char *a = wgc_path_join(tmp, "wasm-rt.h");
  char *b = wgc_path_join(tmp, "wasmgraph_module.h");
  char *c = wgc_path_join(tmp, "wg_simd_fixups.h");
  if (!a || !b || !c) st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (st == WASMGRAPH_OK)
    st = wgc_write_file(ctx, a, wgc_embedded_wasm_rt_h, wgc_embedded_wasm_rt_h_size);
  if (st == WASMGRAPH_OK)
    st = wgc_write_file(ctx, b, wgc_embedded_wasmgraph_module_h,
                        wgc_embedded_wasmgraph_module_h_size);
  if (st == WASMGRAPH_OK)
    st = wgc_write_file(ctx, c, wgc_embedded_wg_simd_fixups_h, wgc_embedded_wg_simd_fixups_h_size);
  free(a);
  free(b);
  free(c);
  return st;
}

/* A growable argv; every string is owned. */
typedef struct args {
  char **v;
  int n, cap;
  bool oom;
} args;

static void add(args *a, const char *s) {
  if (a->oom) return;
  if (a->n + 2 > a->cap) {
    int ncap = a->cap ? a->cap * 2 : 32;
    char **v = realloc(a->v, (size_t)ncap * sizeof *v);
    if (!v) {
      a->oom = true;
      return;
    }
    a->v = v;
    a->cap = ncap;
  }
  char *d = strdup(s);
  if (!d) {
    a->oom = true;
    return;
  }
  a->v[a->n++] = d;
  a->v[a->n] = NULL;
}

static void addf(args *a, char *owned) {
  if (!owned) {
    a->oom = true;
    return;
  }
  add(a, owned);
  free(owned);
}

static void args_free(args *a) {
  for (int i = 0; i < a->n; i++) free(a->v[i]);
  free(a->v);
}

static wasmgraph_status run_args(wgc_ctx *ctx, args *a, const char *subject) {
  wasmgraph_status st = a->oom ? wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory")
                               : wgc_run_checked(ctx, subject, a->v);
  args_free(a);
  return st;
}

static wasmgraph_status start_clang(wgc_ctx *ctx, const wgc_target *t, args *a) {
  const char *clang;
  memset(a, 0, sizeof *a);
  wasmgraph_status st = wgc_tool_require(ctx, WG_TOOL_CLANG, &clang);
  if (st != WASMGRAPH_OK) return st;
  add(a, clang);
  addf(a, wgc_strdup_printf("--target=%s", t->triple));
  if (t->cpu) addf(a, wgc_strdup_printf("-%s=%s", t->cpu_is_march ? "march" : "mcpu", t->cpu));
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_cc_probe(wgc_ctx *ctx, const wgc_target *t) {
  args a;
  wasmgraph_status st = start_clang(ctx, t, &a);
  if (st != WASMGRAPH_OK) return st;
  add(&a, "-fsyntax-only");
  add(&a, "-x");
  add(&a, "c");
  add(&a, "/dev/null");
  char subject[300];
  if (t->cpu) snprintf(subject, sizeof subject, "--cpu=%s (target %s)", t->cpu, t->triple);
  else snprintf(subject, sizeof subject, "--target=%s", t->triple);
  return run_args(ctx, &a, subject);
}

static wasmgraph_status cc_compile(wgc_ctx *ctx, const wgc_target *t, const char *src,
                                   const char *out, bool shared_entry, bool bitcode, bool simd) {
  const char *tmp;
  args a;
  wasmgraph_status st = wgc_tmpdir(ctx, &tmp);
  if (st == WASMGRAPH_OK) st = start_clang(ctx, t, &a);
  if (st != WASMGRAPH_OK) return st;
  int level = ctx->opts ? ctx->opts->opt_level : 2;
  addf(&a, wgc_strdup_printf("-O%d", level));
  add(&a, "-fPIC");
  add(&a, "-pthread");
  add(&a, "-DNDEBUG");
  add(&a, "-fno-optimize-sibling-calls");
  add(&a, "-frounding-math");
  add(&a, "-ffp-contract=off"); /* wasm rounds every operation: no fused multiply-add */
  for (int i = 0; wgc_wasm_rt_defines[i]; i++) add(&a, wgc_wasm_rt_defines[i]);
  /* Interrupt checks (wasm-rt.h): none when their pass is switched off (the
   * glue then says so); loop checks left to the pass when the translation
   * goes through the LLVM pipeline. */
  if (!wgc_llvm_pass_enabled(ctx, "interrupt-checks")) add(&a, "-DWASM_RT_NO_INTERRUPT_CHECKS=1");
  else if (bitcode) add(&a, "-DWASM_RT_LATE_LOOP_CHECKS=1");
  if (shared_entry) add(&a, "-DWASMGRAPH_SHARED_ENTRY=1");
  addf(&a, wgc_strdup_printf("-I%s", tmp));
  if (simd) {
    add(&a, "-include");
    addf(&a, wgc_path_join(tmp, "wg_simd_fixups.h"));
  }
  add(&a, "-w");
  if (bitcode) {
    /* front end only: llvm/pipeline.c runs the optimizer itself */
    add(&a, "-Xclang");
    add(&a, "-disable-llvm-optzns");
    add(&a, "-emit-llvm");
  }
  add(&a, "-c");
  add(&a, src);
  add(&a, "-o");
  add(&a, out);
  return run_args(ctx, &a, src);
}

wasmgraph_status wgc_cc_compile(wgc_ctx *ctx, const wgc_target *t, const char *src, const char *obj,
                                bool shared_entry) {
  return cc_compile(ctx, t, src, obj, shared_entry, false, false);
}

/* The wasm2c output: at -O2 and above, unoptimized bitcode from clang, then
 * the LLVM pass pipeline (llvm/pipeline.c) and code generation. The bitcode
 * stays in the temp dir with --save-temps. */
wasmgraph_status wgc_cc_compile_translated(wgc_ctx *ctx, const wgc_target *t, const char *src,
                                           const char *obj, bool simd, uint32_t memory_max_pages) {
  int level = ctx->opts ? ctx->opts->opt_level : 2;
  if (level < 2) return cc_compile(ctx, t, src, obj, false, false, simd);
  char *bc = wgc_strdup_printf("%s.bc", obj);
  if (!bc) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  wasmgraph_status st = cc_compile(ctx, t, src, bc, false, true, simd);
  if (st == WASMGRAPH_OK) st = wgc_llvm_codegen(ctx, t, bc, obj, level, memory_max_pages, simd);
  if (!ctx->opts || !ctx->opts->save_temps) remove(bc);
  free(bc);
  return st;
}

wasmgraph_status wgc_cc_link_shared(wgc_ctx *ctx, const wgc_target *t, char *const objs[], int n,
                                    const char *out) {
  args a;
  wasmgraph_status st = start_clang(ctx, t, &a);
  if (st != WASMGRAPH_OK) return st;
  add(&a, "-shared");
  add(&a, "-pthread");
  add(&a, "-Wl,-z,noexecstack");
  add(&a, "-o");
  add(&a, out);
  for (int i = 0; i < n; i++) add(&a, objs[i]);
  /* wasm2c lowers f32.sqrt, f64.floor, ... to libm calls; record the
   * dependency so the .so loads into processes that do not link libm. */
  add(&a, "-lm");
  return run_args(ctx, &a, out);
}

wasmgraph_status wgc_cc_link_relocatable(wgc_ctx *ctx, const wgc_target *t, char *const objs[],
                                         int n, const char *out) {
  args a;
  wasmgraph_status st = start_clang(ctx, t, &a);
  if (st != WASMGRAPH_OK) return st;
  add(&a, "-r");
  add(&a, "-nostdlib");
  if (!t->is_host) add(&a, "-fuse-ld=lld");
  add(&a, "-o");
  add(&a, out);
  for (int i = 0; i < n; i++) add(&a, objs[i]);
  return run_args(ctx, &a, out);
}

wasmgraph_status wgc_ar_create(wgc_ctx *ctx, char *const objs[], int n, const char *out) {
  const char *ar;
  args a = {0};
  wasmgraph_status st = wgc_tool_require(ctx, WG_TOOL_AR, &ar);
  if (st != WASMGRAPH_OK) return st;
  unlink(out); /* `ar r` would add to an existing archive */
  add(&a, ar);
  add(&a, "rcs");
  add(&a, out);
  for (int i = 0; i < n; i++) add(&a, objs[i]);
  return run_args(ctx, &a, out);
}
