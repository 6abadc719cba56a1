/*
 * w2c_stage.c — the translation stages of `wasmgraph compile` on any wasm
 * module, for tests that need a hand-written module (no TVM structure, so
 * wasmgraph_compile() itself would refuse it):
 *
 *   w2c_stage IN.wasm NAME OUT_DIR
 *
 * runs wasm2c 1.0.39 (translate.c: version check, -n NAME, header checks
 * that apply to any module are skipped), the memory rewrite
 * (memory_rewrite.c) and the clang + load-barrier build of the translation
 * (cc.c, load_barriers.c) exactly as for a model, and leaves OUT_DIR/NAME.o
 * and OUT_DIR/NAME_w2c.h. Prints the rewrite's counts as
 * "rewrite: applied=1 functions=N skipped=N simd=N refreshes=N" and the
 * library's log lines (-v). Exit 0 on success, 1 with the message otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "wasm/wasm_reader.h"

/* The module's memory maximum in pages (65536 when it declares none), as
 * wasm_check.c reads it for a model: the tile vectorizer and the address
 * fold only act below 65536. */
static uint32_t memory_max_pages(wgc_ctx *ctx, const char *path) {
  wgc_buf file = {0};
  wgc_wasm_module m;
  uint32_t max = 65536;
  if (wgc_read_file(ctx, path, &file) != WASMGRAPH_OK) return max;
  if (wgc_wasm_read(file.data, file.size, &m, NULL, 0) == WASMGRAPH_OK) {
    const wgc_wasm_limits *l = NULL;
    for (uint32_t i = 0; i < m.num_imports && !l; i++)
      if (m.imports[i].kind == WASM_EXT_MEMORY) l = &m.imports[i].limits;
    if (!l && m.num_memories) l = &m.memories[0];
    if (l && l->has_max && l->max < 65536) max = (uint32_t)l->max;
    wgc_wasm_module_free(&m);
  }
  wgc_buf_free(&file);
  return max;
}

static void log_line(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "%s\n", line);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: w2c_stage IN.wasm NAME OUT_DIR\n");
    return 2;
  }
  const char *in = argv[1], *name = argv[2], *out_dir = argv[3];
  wasmgraph_compile_options opts;
  wasmgraph_compile_options_init(&opts);
  opts.verbose = 1;
  opts.log = log_line;
  char err[2048] = "";
  wgc_ctx ctx = {.opts = &opts, .err = err, .err_size = sizeof err};
  wgc_target target;
  memset(&target, 0, sizeof target);
  wgc_w2c_info info;
  wgc_rewrite_stats rw;
  memset(&rw, 0, sizeof rw);
  const char *tmp = NULL;
  char *c_path = NULL, *h_path = NULL, *obj = NULL, *h_out = NULL;
  wasmgraph_status st = wgc_wasm2c_check_version(&ctx);
  /* wgc_translate's header checks are for linked TVM modules (a table, a
   * stack pointer, ...); a hand-written module lacks some of them, so a
   * failure there is tolerated once the C files exist. */
  if (st == WASMGRAPH_OK) {
    st = wgc_translate(&ctx, in, name, &info);
    if (st == WASMGRAPH_ERR_UNSUPPORTED && strstr(err, "lacks '")) st = WASMGRAPH_OK;
  }
  if (st == WASMGRAPH_OK) st = wgc_tmpdir(&ctx, &tmp);
  if (st == WASMGRAPH_OK) {
    c_path = wgc_strdup_printf("%s/%s_w2c.c", tmp, name);
    h_path = wgc_strdup_printf("%s/%s_w2c.h", tmp, name);
    obj = wgc_strdup_printf("%s/%s.o", out_dir, name);
    h_out = wgc_strdup_printf("%s/%s_w2c.h", out_dir, name);
    if (!c_path || !h_path || !obj || !h_out) st = WASMGRAPH_ERR_NO_MEMORY;
  }
  /* the SIMD flag as translate.c reads it, also when its header check failed */
  wgc_buf src = {0};
  if (st == WASMGRAPH_OK) st = wgc_read_file(&ctx, c_path, &src);
  bool simd = st == WASMGRAPH_OK &&
              memmem(src.data, src.size, "\n#include <simde/wasm/simd128.h>\n", 33) != NULL;
  wgc_buf_free(&src);
  char mangled[200] = "";
  if (st == WASMGRAPH_OK) {
    char *m = wgc_w2c_mangle(name);
    if (!m) st = WASMGRAPH_ERR_NO_MEMORY;
    else snprintf(mangled, sizeof mangled, "%s", m);
    free(m);
  }
  if (st == WASMGRAPH_OK) st = wgc_memory_rewrite(&ctx, c_path, mangled, &rw);
  if (st == WASMGRAPH_OK)
    printf("rewrite: applied=%d functions=%u skipped=%u simd=%u refreshes=%u\n", rw.applied,
           rw.functions, rw.skipped, rw.simd_accesses, rw.refreshes);
  if (st == WASMGRAPH_OK) st = wgc_target_resolve(&ctx, NULL, NULL, &target);
  if (st == WASMGRAPH_OK) st = wgc_write_headers(&ctx);
  /* the module's own memory maximum, as for a model (link.c caps models at
   * 65535 pages): below 65536 the address fold and tile vectorizer may act */
  if (st == WASMGRAPH_OK)
    st = wgc_cc_compile_translated(&ctx, &target, c_path, obj, simd, memory_max_pages(&ctx, in));
  if (st == WASMGRAPH_OK) st = wgc_copy_file(&ctx, h_path, h_out);
  if (st != WASMGRAPH_OK) fprintf(stderr, "w2c_stage: %s\n", err[0] ? err : "failed");
  free(c_path);
  free(h_path);
  free(obj);
  free(h_out);
  wgc_target_free(&target);
  wgc_tmpdir_cleanup(&ctx);
  for (int i = 0; i < WG_TOOL_COUNT; i++) free(ctx.tool_path[i]);
  free(ctx.wasm2c_script);
  return st == WASMGRAPH_OK ? 0 : 1;
}
