/*
 * translate.c — finds and runs wasm2c on the linked module.
 *
 * wasm2c is wabt 1.0.39's npm build: one self-contained JavaScript file
 * (tools/wasm2c-npm, pinned by package-lock.json) that we run as
 * `node <script>`, never through its shebang. The script is, in order:
 * $WASMGRAPH_WASM2C when set (an explicit choice: if it is missing that is
 * the error, no fallback); the installed copy next to the executable,
 * <bindir>/../libexec/wasmgraph/wasm2c.js (an installed compiler uses what
 * was installed with it, even if its source tree still exists); the copy
 * this build was configured with (the source tree's tools/wasm2c-npm).
 * Only version 1.0.39 is accepted: the glue (glue_emit.c) and the rewrites
 * (memory_rewrite.c, load_barriers.c) rely on its exact output.
 *
 * After translation the module name is read back from the generated header
 * (`void wasm2c_<M>_instantiate(`), so the glue uses wasm2c's own spelling of
 * NAME rather than a reimplementation of its mangling, and the header is
 * searched for every declaration the glue uses, so a mismatch fails here with
 * a clear message rather than as a C compile error in generated code.
 * wgc_w2c_mangle() is the documented rule, kept as a cross-check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler_internal.h"

#define NPM_HINT "run `npm ci --prefix tools/wasm2c-npm` in the wasmgraph source tree"

char *wgc_w2c_mangle(const char *name) {
  size_t n = strlen(name);
  char *out = malloc(n * 4 + 1); /* every character becomes at most 4 */
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (c == '_') {
      if (i == 0 || i + 1 == n || (o && out[o - 1] == '_')) {
        memcpy(out + o, "0x5F", 4);
        o += 4;
      } else {
        out[o++] = '_';
        out[o++] = '_';
      }
    } else if (c >= 'A' && c <= 'F' && o >= 2 && out[o - 2] == '0' && out[o - 1] == 'x') {
      static const char hex[] = "0123456789ABCDEF";
      out[o++] = '0';
      out[o++] = 'x';
      out[o++] = hex[(unsigned char)c >> 4];
      out[o++] = hex[(unsigned char)c & 15];
    } else {
      out[o++] = c;
    }
  }
  out[o] = 0;
  return out;
}

/* ---- finding node and the script ----------------------------------------- */

/* `rel` resolved against the directory of the running executable (absolute
 * paths unchanged). NULL if /proc/self/exe is unreadable or on OOM. */
static char *next_to_exe(const char *rel) {
  if (rel[0] == '/') return strdup(rel);
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  *slash = 0;
  return wgc_strdup_printf("%s/%s", exe, rel);
}

static wasmgraph_status find_script(wgc_ctx *ctx) {
  const char *env = getenv("WASMGRAPH_WASM2C");
  if (env && *env) {
    if (!wgc_is_file(env))
      return wgc_fail(ctx, WASMGRAPH_ERR_IO,
                      "WASMGRAPH_WASM2C=%s: no such file (it must name wabt %s's wasm2c script, "
                      "tools/wasm2c-npm/node_modules/wabt/bin/wasm2c)",
                      env, WG_WASM2C_VERSION);
    ctx->wasm2c_script = strdup(env);
  } else {
    char *installed = next_to_exe(wgc_wasm2c_installed);
    if (installed && wgc_is_file(installed)) {
      ctx->wasm2c_script = installed;
    } else if (wgc_wasm2c_default[0] && wgc_is_file(wgc_wasm2c_default)) {
      free(installed);
      ctx->wasm2c_script = strdup(wgc_wasm2c_default);
    } else {
      wasmgraph_status st =
          wgc_fail(ctx, WASMGRAPH_ERR_IO,
                   "cannot find wasm2c %s (npm package wabt@%s): not at %s nor %s; " NPM_HINT
                   ", or set WASMGRAPH_WASM2C to the script",
                   WG_WASM2C_VERSION, WG_WASM2C_VERSION,
                   installed ? installed : wgc_wasm2c_installed, wgc_wasm2c_default);
      free(installed);
      return st;
    }
  }
  return ctx->wasm2c_script ? WASMGRAPH_OK
                            : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
}

wasmgraph_status wgc_wasm2c_require(wgc_ctx *ctx, const char **node, const char **script) {
  wasmgraph_status st = wgc_tool_require(ctx, WG_TOOL_NODE, node);
  if (st == WASMGRAPH_OK && !ctx->wasm2c_script) st = find_script(ctx);
  if (st == WASMGRAPH_OK && script) *script = ctx->wasm2c_script;
  return st;
}

/* Runs `node <script> --version` and returns its first line in buf. */
static wasmgraph_status wasm2c_version(wgc_ctx *ctx, char *buf, size_t size) {
  const char *node, *script, *tmp;
  wasmgraph_status st;
  if ((st = wgc_wasm2c_require(ctx, &node, &script)) != WASMGRAPH_OK ||
      (st = wgc_tmpdir(ctx, &tmp)) != WASMGRAPH_OK)
    return st;
  char *out_path = wgc_path_join(tmp, "wasm2c-version.txt");
  if (!out_path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  char *argv[] = {(char *)node, (char *)script, "--version", NULL};
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
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "cannot run '%s %s --version' (exit %d)%s%s", node,
                    script, code, buf[0] ? ": " : "", buf);
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_wasm2c_check_version(wgc_ctx *ctx) {
  char version[128];
  wasmgraph_status st = wasm2c_version(ctx, version, sizeof version);
  if (st != WASMGRAPH_OK) return st;
  if (strcmp(version, WG_WASM2C_VERSION) != 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: wasm2c version '%s' is not supported: wasmgraph needs wabt %s (npm "
                    "package wabt@%s; " NPM_HINT ")",
                    ctx->wasm2c_script, version, WG_WASM2C_VERSION, WG_WASM2C_VERSION);
  return WASMGRAPH_OK;
}

/* ---- after translation --------------------------------------------------- */

/* Reads a whole file as a NUL-terminated string. */
static wasmgraph_status read_text(wgc_ctx *ctx, const char *path, char **out, size_t *len) {
  wgc_buf b;
  wasmgraph_status st = wgc_read_file(ctx, path, &b);
  if (st != WASMGRAPH_OK) return st;
  char *text = malloc(b.size + 1);
  if (!text) {
    wgc_buf_free(&b);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  if (b.size) memcpy(text, b.data, b.size);
  text[b.size] = 0;
  *len = b.size;
  wgc_buf_free(&b);
  *out = text;
  return WASMGRAPH_OK;
}

static bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The <M> of the one line "void wasm2c_<M>_instantiate(" in the header. */
static wasmgraph_status read_mangled(wgc_ctx *ctx, const char *header_path, const char *text,
                                     char *out, size_t size) {
  static const char prefix[] = "\nvoid wasm2c_", suffix[] = "_instantiate(";
  const size_t np = sizeof prefix - 1, ns = sizeof suffix - 1;
  int found = 0;
  for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
    const char *id = p + np, *e = id;
    while (ident_char(*e)) e++;
    /* the identifier ends right before '(' and carries the suffix */
    if (*e != '(' || (size_t)(e + 1 - id) <= ns || strncmp(e + 1 - ns, suffix, ns) != 0) continue;
    size_t len = (size_t)(e + 1 - ns - id);
    if (++found > 1 || len >= size) break;
    memcpy(out, id, len);
    out[len] = 0;
  }
  if (found != 1 || !out[0])
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: wasm2c output declares %s 'void wasm2c_<name>_instantiate(' line; this "
                    "wasm2c is not compatible",
                    header_path, found ? "more than one" : "no");
  return WASMGRAPH_OK;
}

/* The declarations the glue depends on, as wasm2c 1.0.39 prints them. */
static wasmgraph_status check_header(wgc_ctx *ctx, const char *header_path, const char *text,
                                     const char *m) {
  char *want[] = {
      wgc_strdup_printf("typedef struct w2c_%s {", m),
      wgc_strdup_printf("  u32 w2c_0x5F_stack_pointer;"),
      wgc_strdup_printf("void wasm2c_%s_instantiate(w2c_%s*, struct w2c_env*);", m, m),
      wgc_strdup_printf("void wasm2c_%s_free(w2c_%s*);", m, m),
      wgc_strdup_printf("wasm_rt_func_type_t wasm2c_%s_get_func_type(uint32_t param_count, "
                        "uint32_t result_count, ...);",
                        m),
      wgc_strdup_printf("void w2c_%s_0x5F_wasm_call_ctors(w2c_%s*);", m, m),
      wgc_strdup_printf("wasm_rt_funcref_table_t* w2c_%s_0x5F_indirect_function_table(w2c_%s* "
                        "instance);",
                        m, m),
      wgc_strdup_printf("extern wasm_rt_memory_t* w2c_env_memory(struct w2c_env*);"),
  };
  size_t n = sizeof want / sizeof want[0];
  wasmgraph_status st = WASMGRAPH_OK;
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
  return st;
}

wasmgraph_status wgc_translate(wgc_ctx *ctx, const char *linked_path, const char *name,
                               wgc_w2c_info *info) {
  const char *node, *script, *tmp;
  wasmgraph_status st;
  memset(info, 0, sizeof *info);
  if ((st = wgc_wasm2c_require(ctx, &node, &script)) != WASMGRAPH_OK ||
      (st = wgc_tmpdir(ctx, &tmp)) != WASMGRAPH_OK)
    return st;
  char *c_path = wgc_strdup_printf("%s/%s_w2c.c", tmp, name);
  char *h_path = wgc_strdup_printf("%s/%s_w2c.h", tmp, name);
  char *expected = wgc_w2c_mangle(name);
  char *header = NULL, *source = NULL;
  size_t hlen = 0, clen = 0;
  if (!c_path || !h_path || !expected) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  } else {
    /* extended-const (LLVM 15+; wasm2c's default leaves it off) only widens
     * what a constant initialiser may hold: i32.add/sub/mul of constants */
    char *argv[] = {
        (char *)node,        (char *)script, "-n",   (char *)name, "--enable-extended-const",
        (char *)linked_path, "-o",           c_path, NULL};
    st = wgc_run_checked_as(ctx, linked_path, "wasm2c", argv);
  }
  if (st == WASMGRAPH_OK) st = read_text(ctx, h_path, &header, &hlen);
  if (st == WASMGRAPH_OK)
    st = read_mangled(ctx, h_path, header, info->mangled, sizeof info->mangled);
  if (st == WASMGRAPH_OK) st = check_header(ctx, h_path, header, info->mangled);
  if (st == WASMGRAPH_OK && strcmp(info->mangled, expected) != 0)
    wgc_log(ctx, "note: wasm2c spells module '%s' as '%s' (wasmgraph's rule gives '%s')", name,
            info->mangled, expected);
  if (st == WASMGRAPH_OK) st = read_text(ctx, c_path, &source, &clen);
  /* wasm2c includes SIMDe exactly when the module uses v128: in the .c, or
   * only in the .h when v128 appears just in exported/imported signatures. */
  static const char simde_include[] = "\n#include <simde/wasm/simd128.h>\n";
  if (st == WASMGRAPH_OK)
    info->uses_simd = strstr(source, simde_include) || strstr(header, simde_include);
  free(header);
  free(source);
  free(c_path);
  free(h_path);
  free(expected);
  return st;
}
