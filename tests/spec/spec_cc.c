/*
 * spec_cc.c — compiles spec-test C sources with the compiler library's own
 * build stage, so the spec suite tests exactly what models get.
 *
 *   spec_cc [-O N] [-m CPU] [-v] -c SRC.c...   wasm2c output: SRC.c -> SRC.o
 *   spec_cc [-O N] [-m CPU] [-v] -g SRC.c...   harness glue: SRC.c -> SRC.o
 *   spec_cc [-v] -l OUT.so OBJ.o...            link a shared object
 *
 * The host target is resolved by wgc_target_resolve (so -march=native, or
 * the CPU of -m, as `wasmgraph compile --cpu` would: e.g. -m x86-64 builds
 * for the baseline SSE2-only CPU and so takes SIMDe's other code paths) and
 * the level is the library's default (-O2) unless -O says otherwise. A
 * wasm2c output (-c) goes through the stages `wasmgraph compile` applies to
 * a model's <NAME>_w2c.c after translation: wgc_memory_rewrite
 * (memory_rewrite.c; it only rewrites modules whose memory is the import
 * env.memory, which spec modules never have, so it leaves them unchanged and
 * says so with -v), then wgc_cc_compile_translated: the same clang flags (the
 * memory-mode -DWASM_RT_* of this build, -fno-optimize-sibling-calls,
 * -frounding-math, the wasm-rt.h embedded in the library, and for modules
 * that include SIMDe the forced include of wg_simd_fixups.h) and, at -O2 and
 * above, the LLVM pipeline of load_barriers.c that removes the load barriers
 * it proves unnecessary. Whether a module uses SIMD is read off its
 * translation exactly as translate.c does (wasm2c includes SIMDe exactly
 * then). Harness glue (-g) goes through wgc_cc_compile, as a model's
 * descriptor glue does. Objects are linked with wgc_cc_link_shared, as a
 * model .so is.
 *
 * Output, one line per source: "ok SRC" or "error SRC: <message>" (exit 0
 * even if some failed: the harness leaves a failed module out of the link
 * so the other modules of the .wast still run, and reports it), plus
 * "rewritten SRC <functions>" before "ok" when the memory rewrite changed
 * it; for -l "link ok" / "link error: <message>" (exit 1 on error). Exit 2:
 * usage or setup failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"

static void log_line(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "spec_cc: %s\n", line);
}

/* The wasm2c output's "void wasm2c_<M>_instantiate(" gives <M>, the module
 * name as the C symbols spell it (from SRC.h, beside SRC.c). */
static wasmgraph_status mangled_name(wgc_ctx *ctx, const char *src, char *out, size_t size) {
  size_t n = strlen(src);
  char *h = malloc(n + 1);
  if (!h) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  memcpy(h, src, n + 1);
  if (n > 2 && strcmp(h + n - 2, ".c") == 0) h[n - 1] = 'h';
  wgc_buf b;
  wasmgraph_status st = wgc_read_file(ctx, h, &b);
  free(h);
  if (st != WASMGRAPH_OK) return st;
  static const char prefix[] = "\nvoid wasm2c_", suffix[] = "_instantiate(";
  const char *text = (const char *)b.data, *end = text + b.size;
  const char *p = memmem(text, b.size, prefix, sizeof prefix - 1);
  st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "%s: no wasm2c_<M>_instantiate declaration", src);
  if (p) {
    const char *id = p + sizeof prefix - 1;
    const char *q = memmem(id, (size_t)(end - id), suffix, sizeof suffix - 1);
    const char *nl = memchr(id, '\n', (size_t)(end - id));
    if (q && (!nl || q < nl) && (size_t)(q - id) < size && q > id) {
      memcpy(out, id, (size_t)(q - id));
      out[q - id] = 0;
      st = WASMGRAPH_OK;
    }
  }
  wgc_buf_free(&b);
  return st;
}

/* wasm2c includes SIMDe exactly when the module uses v128 (translate.c reads
 * it off the output the same way). */
static wasmgraph_status uses_simd(wgc_ctx *ctx, const char *src, bool *simd) {
  size_t n = strlen(src);
  char *h = malloc(n + 1);
  if (!h) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  memcpy(h, src, n + 1);
  if (n > 2 && strcmp(h + n - 2, ".c") == 0) h[n - 1] = 'h';
  static const char inc[] = "\n#include <simde/wasm/simd128.h>\n";
  *simd = false;
  for (int i = 0; i < 2; i++) {
    wgc_buf b;
    wasmgraph_status st = wgc_read_file(ctx, i ? h : src, &b);
    if (st != WASMGRAPH_OK) {
      free(h);
      return st;
    }
    if (memmem(b.data, b.size, inc, sizeof inc - 1)) *simd = true;
    wgc_buf_free(&b);
  }
  free(h);
  return WASMGRAPH_OK;
}

/* The translated-code stages for one wasm2c output. */
static wasmgraph_status compile_translated(wgc_ctx *ctx, const wgc_target *t, const char *src,
                                           const char *obj) {
  char mangled[256];
  bool simd = false;
  wgc_rewrite_stats rs;
  wasmgraph_status st = mangled_name(ctx, src, mangled, sizeof mangled);
  if (st == WASMGRAPH_OK) st = uses_simd(ctx, src, &simd);
  if (st == WASMGRAPH_OK) st = wgc_memory_rewrite(ctx, src, mangled, &rs);
  if (st != WASMGRAPH_OK) return st;
  if (rs.applied) printf("rewritten %s %u\n", src, rs.functions);
  /* The spec modules declare their own memory limits, mostly without a
   * maximum below 65536 pages, so the tile vectorizer stays off for them. */
  return wgc_cc_compile_translated(ctx, t, src, obj, simd, 65536);
}

static char *object_path(const char *src) {
  size_t n = strlen(src);
  char *o = malloc(n + 3);
  if (!o) return NULL;
  memcpy(o, src, n + 1);
  if (n > 2 && strcmp(o + n - 2, ".c") == 0) o[n - 2] = 0;
  strcat(o, ".o");
  return o;
}

int main(int argc, char **argv) {
  wasmgraph_compile_options opts;
  wasmgraph_compile_options_init(&opts);
  int i = 1;
  char mode = 0;
  const char *cpu = NULL;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-O") == 0 && i + 1 < argc) {
      opts.opt_level = atoi(argv[++i]);
    } else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
      cpu = argv[++i];
    } else if (strcmp(argv[i], "-v") == 0) {
      opts.verbose = 1;
      opts.log = log_line;
    } else if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "-g") == 0 ||
               strcmp(argv[i], "-l") == 0) {
      mode = argv[i][1];
    } else {
      fprintf(stderr, "spec_cc: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!mode || argc - i < (mode == 'l' ? 2 : 1)) {
    fprintf(stderr,
            "usage: spec_cc [-O N] [-m CPU] [-v] -c|-g SRC.c... | "
            "spec_cc [-v] -l OUT.so OBJ.o...\n");
    return 2;
  }

  char err[2048] = "";
  wgc_ctx ctx = {.opts = &opts, .err = err, .err_size = sizeof err};
  wgc_target target;
  memset(&target, 0, sizeof target);
  int rc = 2;
  wasmgraph_status st = wgc_target_resolve(&ctx, NULL, cpu, &target);
  if (st == WASMGRAPH_OK && mode != 'l') st = wgc_write_headers(&ctx);
  if (st != WASMGRAPH_OK) {
    fprintf(stderr, "spec_cc: setup: %s\n", err);
    goto done;
  }
  if (mode != 'l') {
    for (; i < argc; i++) {
      char *obj = object_path(argv[i]);
      err[0] = 0;
      if (!obj) st = WASMGRAPH_ERR_NO_MEMORY;
      else if (mode == 'c') st = compile_translated(&ctx, &target, argv[i], obj);
      else st = wgc_cc_compile(&ctx, &target, argv[i], obj, false);
      if (st == WASMGRAPH_OK) printf("ok %s\n", argv[i]);
      else printf("error %s: %s\n", argv[i], obj ? err : "out of memory");
      fflush(stdout);
      free(obj);
    }
    rc = 0;
  } else {
    const char *out = argv[i++];
    st = wgc_cc_link_shared(&ctx, &target, argv + i, argc - i, out);
    if (st == WASMGRAPH_OK) printf("link ok\n");
    else printf("link error: %s\n", err);
    rc = st == WASMGRAPH_OK ? 0 : 1;
  }
done:
  wgc_target_free(&target);
  wgc_tmpdir_cleanup(&ctx);
  for (int t = 0; t < WG_TOOL_COUNT; t++) free(ctx.tool_path[t]);
  free(ctx.wasm2c_script);
  return rc;
}
