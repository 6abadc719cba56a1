/*
 * package.c — finds the three parts of a model package inside its tar.
 *
 * Model Library Format (python/tvm/micro/model_library_format.py, version 7
 * in TVM 0.14; the tar is made with arcname ".", so names start with "./"):
 *   metadata.json                          marks the format
 *   codegen/host/lib/<module>_lib<i>.o     LLVM objects (the wasm32 kernels)
 *   codegen/host/src/<module>_lib<i>.c     target "c" instead: refused
 *   executor-config/graph/<module>.graph   graph.json (graph executor only;
 *                                          older versions: .../graph/graph.json,
 *                                          runtime-config/graph/graph.json)
 *   parameters/<module>.params             params
 * tvmc classic package (tvmc/model.py export_classic_format): mod.json,
 * mod.params and the library mod.so (for wasm: a linked module or object),
 * mod.tar (a nested tar of objects, export_library to .tar), or mod.wasm,
 * mod.o, mod.a. A tvmc VM package (lib.so, no mod.json) is refused.
 * Whether a library really is wasm32 is decided later by the normal input
 * checks (input.c), which name the member in their messages.
 * Invariants: every file pointer refers into the caller's buffer (or a
 * nested tar inside it) and was bounds-checked by wg_tar_read.
 */
#include "package.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wasmgraph_status fail(char *err, size_t err_size, wasmgraph_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static wasmgraph_status fail(char *err, size_t err_size, wasmgraph_status st, const char *fmt,
                             ...) {
  if (err && err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return st;
}

wg_package_kind wg_package_sniff(const uint8_t *data, size_t size) {
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return WG_PACKAGE_GZIP;
  return wg_tar_sniff(data, size) ? WG_PACKAGE_MLF : WG_PACKAGE_NONE;
}

const char *wg_package_kind_name(wg_package_kind kind, bool token) {
  switch (kind) {
    case WG_PACKAGE_MLF:
      return token ? "mlf-package" : "Model Library Format";
    case WG_PACKAGE_TVMC:
      return token ? "tvmc-package" : "tvmc package";
    case WG_PACKAGE_GZIP:
      return token ? "gzip" : "gzip data";
    default:
      return token ? "none" : "not a package";
  }
}

static bool has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Regular members directly inside `dir` (no deeper '/') ending in `suffix`. */
static int list_in(const wg_tar_archive *a, const char *dir, const char *suffix,
                   const wg_tar_member **out, int max) {
  int n = 0;
  size_t dlen = strlen(dir);
  for (int i = 0; i < a->count; i++) {
    const wg_tar_member *m = &a->members[i];
    if (m->type != '0' || !has_prefix(m->name, dir) || strchr(m->name + dlen, '/') ||
        !m->name[dlen] || !has_suffix(m->name, suffix))
      continue;
    if (n < max) out[n] = m;
    n++;
  }
  return n;
}

static bool set_file(wg_package_file *f, const char *prefix, const wg_tar_member *m) {
  f->member = malloc(strlen(prefix) + strlen(m->name) + 3);
  if (!f->member) return false;
  if (*prefix) sprintf(f->member, "%s(%s)", prefix, m->name);
  else strcpy(f->member, m->name);
  f->data = m->data;
  f->size = m->size;
  return true;
}

static bool add_lib(wg_package *p, const char *prefix, const wg_tar_member *m) {
  wg_package_file *v = realloc(p->libs, (size_t)(p->num_libs + 1) * sizeof *v);
  if (!v) return false;
  p->libs = v;
  memset(&v[p->num_libs], 0, sizeof v[0]);
  if (!set_file(&v[p->num_libs], prefix, m)) return false;
  p->num_libs++;
  return true;
}

static int cmp_member(const void *a, const void *b) {
  return strcmp((*(const wg_tar_member *const *)a)->name, (*(const wg_tar_member *const *)b)->name);
}

#define WGC_MAX_LISTED 64

static wasmgraph_status parse_mlf(wg_package *p, const char *display, char *err, size_t err_size) {
  const wg_tar_member *graphs[WGC_MAX_LISTED];
  int ng = list_in(&p->tar, "executor-config/graph/", ".graph", graphs, WGC_MAX_LISTED);
  const wg_tar_member *graph = ng == 1 ? graphs[0] : NULL;
  if (ng > 1)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "%s: Model Library Format with %d graph modules (%s, %s, ...): wasmgraph takes "
                "one module per package",
                display, ng, graphs[0]->name, graphs[1]->name);
  if (!graph) graph = wg_tar_find(&p->tar, "executor-config/graph/graph.json");
  if (!graph) graph = wg_tar_find(&p->tar, "runtime-config/graph/graph.json");
  if (!graph)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "%s: Model Library Format without executor-config/graph/*.graph: an AOT "
                "package? wasmgraph needs the graph executor (tvmc compile --executor graph)",
                display);
  if (ng == 1) {
    const char *base = graph->name + strlen("executor-config/graph/");
    p->module = strndup(base, strlen(base) - strlen(".graph"));
  } else {
    p->module = strdup("default");
  }
  if (!p->module || !set_file(&p->graph, "", graph))
    return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");

  char want[300];
  snprintf(want, sizeof want, "parameters/%s.params", p->module);
  const wg_tar_member *params = wg_tar_find(&p->tar, want);
  if (!params) {
    const wg_tar_member *all[2];
    if (list_in(&p->tar, "parameters/", ".params", all, 2) == 1) params = all[0];
  }
  if (!params)
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT, "%s: Model Library Format without %s", display,
                want);
  if (!set_file(&p->params, "", params))
    return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");

  const wg_tar_member *libs[WGC_MAX_LISTED];
  int nl = list_in(&p->tar, "codegen/host/lib/", ".o", libs, WGC_MAX_LISTED);
  if (nl > WGC_MAX_LISTED)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "%s: more than %d objects in codegen/host/lib", display, WGC_MAX_LISTED);
  /* Several modules' objects may sit side by side: keep <module>_lib*.o. */
  char own[300];
  snprintf(own, sizeof own, "codegen/host/lib/%s_lib", p->module);
  int mine = 0;
  for (int i = 0; i < nl; i++)
    if (has_prefix(libs[i]->name, own)) libs[mine++] = libs[i];
  if (mine) nl = mine;
  if (nl == 0) {
    const wg_tar_member *src[1];
    if (list_in(&p->tar, "codegen/host/src/", "", src, 1) > 0)
      return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                  "%s: holds C source (%s), not a wasm32 object: build with --target \"llvm "
                  "-mtriple=wasm32-unknown-unknown\" and --runtime-crt-system-lib",
                  display, src[0]->name);
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT,
                "%s: Model Library Format without codegen/host/lib/*.o", display);
  }
  qsort(libs, (size_t)nl, sizeof libs[0], cmp_member);
  for (int i = 0; i < nl; i++)
    if (!add_lib(p, "", libs[i]))
      return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  return WASMGRAPH_OK;
}

static wasmgraph_status parse_tvmc(wg_package *p, const char *display, char *err, size_t err_size) {
  const wg_tar_member *graph = wg_tar_find(&p->tar, "mod.json");
  const wg_tar_member *params = wg_tar_find(&p->tar, "mod.params");
  static const char *const lib_names[] = {"mod.so", "mod.tar", "mod.wasm", "mod.o", "mod.a"};
  const wg_tar_member *lib = NULL;
  for (size_t i = 0; i < sizeof lib_names / sizeof lib_names[0] && !lib; i++)
    lib = wg_tar_find(&p->tar, lib_names[i]);
  if (!graph) {
    if (wg_tar_find(&p->tar, "lib.so") || wg_tar_find(&p->tar, "lib.tar"))
      return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                  "%s: a tvmc VM package (lib.so without mod.json): wasmgraph needs the graph "
                  "executor",
                  display);
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT,
                "%s: a tar archive, but neither a Model Library Format (metadata.json) nor a "
                "tvmc package (mod.json, mod.params, mod.so)",
                display);
  }
  if (!params)
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT, "%s: tvmc package without mod.params",
                display);
  if (!lib)
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT,
                "%s: tvmc package without a library (mod.so, mod.tar, mod.wasm, mod.o or mod.a)",
                display);
  p->module = strdup("mod");
  if (!p->module || !set_file(&p->graph, "", graph) || !set_file(&p->params, "", params))
    return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (strcmp(lib->name, "mod.tar") != 0) {
    if (!add_lib(p, "", lib)) return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    return WASMGRAPH_OK;
  }
  char msg[300];
  wasmgraph_status st = wg_tar_read(lib->data, lib->size, &p->nested, msg, sizeof msg);
  if (st != WASMGRAPH_OK) return fail(err, err_size, st, "%s(mod.tar): %s", display, msg);
  for (int i = 0; i < p->nested.count; i++)
    if (p->nested.members[i].type == '0' && !add_lib(p, "mod.tar", &p->nested.members[i]))
      return fail(err, err_size, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (p->num_libs == 0)
    return fail(err, err_size, WASMGRAPH_ERR_FORMAT, "%s(mod.tar): holds no file", display);
  return WASMGRAPH_OK;
}

wasmgraph_status wg_package_parse(const uint8_t *data, size_t size, const char *display,
                                  wg_package *out, char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  if (wg_package_sniff(data, size) == WG_PACKAGE_GZIP)
    return fail(err, err_size, WASMGRAPH_ERR_UNSUPPORTED,
                "%s: gzip-compressed; decompress the package first (gunzip)", display);
  char msg[300];
  wasmgraph_status st = wg_tar_read(data, size, &out->tar, msg, sizeof msg);
  if (st != WASMGRAPH_OK) return fail(err, err_size, st, "%s: %s", display, msg);
  if (wg_tar_find(&out->tar, "metadata.json")) {
    out->kind = WG_PACKAGE_MLF;
    st = parse_mlf(out, display, err, err_size);
  } else {
    out->kind = WG_PACKAGE_TVMC;
    st = parse_tvmc(out, display, err, err_size);
  }
  if (st != WASMGRAPH_OK) wg_package_free(out);
  return st;
}

void wg_package_free(wg_package *p) {
  if (!p) return;
  free(p->module);
  for (int i = 0; i < p->num_libs; i++) free(p->libs[i].member);
  free(p->libs);
  free(p->graph.member);
  free(p->params.member);
  wg_tar_archive_free(&p->tar);
  wg_tar_archive_free(&p->nested);
  memset(p, 0, sizeof *p);
}

uint8_t *wg_package_libs_archive(const wg_package *p, size_t *size) {
  size_t total = 8;
  for (int i = 0; i < p->num_libs; i++) {
    size_t add = 60 + p->libs[i].size + (p->libs[i].size & 1);
    if (p->libs[i].size > 9999999999ull || total > SIZE_MAX - add) return NULL;
    total += add;
  }
  uint8_t *buf = malloc(total);
  if (!buf) return NULL;
  memcpy(buf, "!<arch>\n", 8);
  size_t pos = 8;
  for (int i = 0; i < p->num_libs; i++) {
    char hdr[61];
    char name[17];
    snprintf(name, sizeof name, "%d.o/", i);
    snprintf(hdr, sizeof hdr, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "644",
             p->libs[i].size);
    memcpy(buf + pos, hdr, 60);
    pos += 60;
    memcpy(buf + pos, p->libs[i].data, p->libs[i].size);
    pos += p->libs[i].size;
    if (p->libs[i].size & 1) buf[pos++] = '\n';
  }
  *size = pos;
  return buf;
}
