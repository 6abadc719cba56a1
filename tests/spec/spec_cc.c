/*
 * spec_cc.c — compiles spec-test C sources with the compiler library's own
 * build stage, so the spec suite tests exactly what models get.
 *
 *   spec_cc [-O N] [-v] -c SRC.c...        wasm2c output: SRC.c -> SRC.o
 *   spec_cc [-O N] [-v] -g SRC.c...        harness glue: SRC.c -> SRC.o
 *   spec_cc [-v] -l OUT.so OBJ.o...        link a shared object
 *
 * The host target is resolved by wgc_target_resolve (so -march=native) and
 * the level is the library's default (-O2) unless -O says otherwise. A
 * wasm2c output (-c) goes through wgc_cc_compile_translated, the function
 * `wasmgraph compile` uses for a model's <NAME>_w2c.c: the same clang flags
 * (the memory-mode -DWASM_RT_* of this build, -fno-optimize-sibling-calls,
 * -frounding-math, the wasm-rt.h embedded in the library) and, at -O2 and
 * above, the LLVM pipeline of load_barriers.c that removes the load barriers
 * it proves unnecessary. Harness glue (-g) goes through wgc_cc_compile, as a
 * model's descriptor glue does. Objects are linked with wgc_cc_link_shared,
 * as a model .so is.
 *
 * Output, one line per source: "ok SRC" or "error SRC: <message>" (exit 0
 * even if some failed: the harness leaves a failed module out of the link
 * so the other modules of the .wast still run, and reports it), or for -l
 * "link ok" / "link error: <message>" (exit 1 on error). Exit 2: usage or
 * setup failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"

static void log_line(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "spec_cc: %s\n", line);
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
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-O") == 0 && i + 1 < argc) {
      opts.opt_level = atoi(argv[++i]);
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
    fprintf(stderr, "usage: spec_cc [-O N] [-v] -c|-g SRC.c... | spec_cc [-v] -l OUT.so OBJ.o...\n");
    return 2;
  }

  char err[2048] = "";
  wgc_ctx ctx = {.opts = &opts, .err = err, .err_size = sizeof err};
  wgc_target target;
  memset(&target, 0, sizeof target);
  int rc = 2;
  wasmgraph_status st = wgc_target_resolve(&ctx, NULL, NULL, &target);
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
      else if (mode == 'c') st = wgc_cc_compile_translated(&ctx, &target, argv[i], obj);
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
  return rc;
}
