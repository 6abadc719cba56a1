/*
 * translate.c — runs wasm2c on the linked module.
 *
 * Only wabt 1.0.32 (Debian 12) is accepted: the glue relies on its exact
 * output shape — the names Z_<M>_init_module / Z_<M>_instantiate / Z_<M>_free,
 * export accessors Z_<M>Z_<export>, the instance struct field
 * w2c___stack_pointer and the funcref layout {func_type, func,
 * module_instance}. Later wabt releases changed all of these. After
 * translation the generated header is searched for each declaration the glue
 * uses, so a mismatch fails here with a clear message rather than as a C
 * compile error in generated code.
 *
 * <M> is NAME as wasm2c 1.0.32 mangles a module name: every 'Z' becomes "Z5A"
 * (NAME is already a C identifier, so nothing else changes).
 */
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"

char *wgc_w2c_mangle(const char *name) {
  size_t n = 0;
  for (const char *c = name; *c; c++) n += *c == 'Z' ? 3 : 1;
  char *out = malloc(n + 1);
  if (!out) return NULL;
  char *o = out;
  for (const char *c = name; *c; c++) {
    if (*c == 'Z') {
      memcpy(o, "Z5A", 3);
      o += 3;
    } else {
      *o++ = *c;
    }
  }
  *o = 0;
  return out;
}

/* Runs `wasm2c --version` and returns its first line in buf. */
static wasmgraph_status wasm2c_version(wgc_ctx *ctx, char *buf, size_t size) {
  const char *w2c, *tmp;
  wasmgraph_status st;
  if ((st = wgc_tool_require(ctx, WG_TOOL_WASM2C, &w2c)) != WASMGRAPH_OK ||
      (st = wgc_tmpdir(ctx, &tmp)) != WASMGRAPH_OK)
    return st;
  char *out_path = wgc_path_join(tmp, "wasm2c-version.txt");
  if (!out_path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  char *argv[] = {(char *)w2c, "--version", NULL};
  int code = 0;
  st = wgc_run(ctx, argv, out_path, out_path, &code);
  wgc_buf out = {0};
  if (st == WASMGRAPH_OK) st = wgc_read_file(ctx, out_path, &out);
  free(out_path);
  if (st != WASMGRAPH_OK) return st;
  size_t n = 0;
  while (n < out.size && n + 1 < size && out.data[n] != '\n' && out.data[n] != '\r' &&
         out.data[n] != 0)
    n++;
  memcpy(buf, out.data, n);
  buf[n] = 0;
  wgc_buf_free(&out);
  if (code != 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "cannot run '%s --version' (exit %d)", w2c, code);
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_wasm2c_check_version(wgc_ctx *ctx) {
  char version[128];
  wasmgraph_status st = wasm2c_version(ctx, version, sizeof version);
  if (st != WASMGRAPH_OK) return st;
  if (strcmp(version, WG_WASM2C_VERSION) != 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                   "%s: wasm2c version '%s' is not supported: wasmgraph needs wabt %s (Debian 12 "
                   "package wabt)", ctx->tool_path[WG_TOOL_WASM2C], version, WG_WASM2C_VERSION);
  return WASMGRAPH_OK;
}

/* The declarations the glue depends on, as wasm2c 1.0.32 prints them. */
static wasmgraph_status check_header(wgc_ctx *ctx, const char *header_path, const char *m) {
  wgc_buf h;
  wasmgraph_status st = wgc_read_file(ctx, header_path, &h);
  if (st != WASMGRAPH_OK) return st;
  char *text = malloc(h.size + 1);
  if (!text) {
    wgc_buf_free(&h);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  memcpy(text, h.data, h.size);
  text[h.size] = 0;
  wgc_buf_free(&h);
  char *want[] = {
      wgc_strdup_printf("typedef struct Z_%s_instance_t {", m),
      wgc_strdup_printf("  u32 w2c___stack_pointer;"),
      wgc_strdup_printf("void Z_%s_init_module(void);", m),
      wgc_strdup_printf("void Z_%s_instantiate(Z_%s_instance_t*, struct Z_env_instance_t*);", m, m),
      wgc_strdup_printf("void Z_%s_free(Z_%s_instance_t*);", m, m),
      wgc_strdup_printf("void Z_%sZ___wasm_call_ctors(Z_%s_instance_t*);", m, m),
      wgc_strdup_printf("wasm_rt_funcref_table_t* Z_%sZ___indirect_function_table(Z_%s_instance_t* "
                       "instance);", m, m),
  };
  size_t n = sizeof want / sizeof want[0];
  st = WASMGRAPH_OK;
  for (size_t i = 0; i < n; i++) {
    if (!want[i]) {
      st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
      break;
    }
    if (!strstr(text, want[i])) {
      st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                   "%s: wasm2c output lacks '%s'; this wasm2c is not compatible", header_path,
                   want[i]);
      break;
    }
  }
  for (size_t i = 0; i < n; i++) free(want[i]);
  free(text);
  return st;
}

wasmgraph_status wgc_translate(wgc_ctx *ctx, const char *linked_path, const char *name) {
  const char *w2c, *tmp;
  wasmgraph_status st;
  if ((st = wgc_tool_require(ctx, WG_TOOL_WASM2C, &w2c)) != WASMGRAPH_OK ||
      (st = wgc_tmpdir(ctx, &tmp)) != WASMGRAPH_OK)
    return st;
  char *c_path = wgc_strdup_printf("%s/%s_w2c.c", tmp, name);
  char *h_path = wgc_strdup_printf("%s/%s_w2c.h", tmp, name);
  char *mangled = wgc_w2c_mangle(name);
  if (!c_path || !h_path || !mangled) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  } else {
    char *argv[] = {(char *)w2c, "-n", (char *)name, (char *)linked_path, "-o", c_path, NULL};
    st = wgc_run_checked(ctx, linked_path, argv);
    if (st == WASMGRAPH_OK) st = check_header(ctx, h_path, mangled);
  }
  free(c_path);
  free(h_path);
  free(mangled);
  return st;
}
