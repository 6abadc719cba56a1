/*
 * input.c — decides what INPUT is, by content and never by extension.
 *
 *   folder              holds graph.o (or lib/graph.o, or wasm32/graph.o as in
 *                       the shared fixtures), graph.json and graph.params;
 *                       graph.o itself is then classified below (without
 *                       graph.json, an object of TVM 0.21+ is named as such)
 *   tar                 a model package (package.c): Model Library Format or
 *                       tvmc's classic package. Its library, graph.json and
 *                       params are extracted into <tmpdir>/package/ (several
 *                       objects become one ar archive there) and the input is
 *                       then treated exactly like a folder; messages about
 *                       its objects name them "model.tar(codegen/host/lib/x.o)"
 *   "!<arch>\n"         an ar archive: every member must be a wasm object
 *   "\0asm" + linking   a relocatable wasm object (what TVM's lib.save writes)
 *   "\0asm", no linking an already linked module, written by wasm-ld with any
 *                       flags: link.c adapts it (wasm/wasm_adapt.c)
 *
 * The file is read into memory once; wgc_input.objects points into that
 * buffer (one entry per archive member, or the file itself). Anything else
 * (ELF, empty, random bytes) fails here with "not a wasm file" so that no
 * tool ever sees it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "ar_reader.h"
#include "compiler_internal.h"
#include "package.h"

static wasmgraph_status find_folder_files(wgc_ctx *ctx, const char *dir, wgc_input *in) {
  static const char *const candidates[] = {"graph.o", "lib/graph.o", "wasm32/graph.o"};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !in->wasm_path; i++) {
    char *p = wgc_path_join(dir, candidates[i]);
    if (!p) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    if (wgc_is_file(p)) in->wasm_path = p;
    else free(p);
  }
  if (!in->wasm_path)
    return wgc_fail(ctx, WASMGRAPH_ERR_IO,
                    "%s: folder has no graph.o (nor lib/graph.o, wasm32/graph.o)", dir);
  in->graph_json_path = wgc_path_join(dir, "graph.json");
  in->params_path = wgc_path_join(dir, "graph.params");
  if (!in->graph_json_path || !in->params_path)
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (!wgc_is_file(in->graph_json_path)) {
    /* TVM 0.21+ writes no graph.json at all: say which TVM made the object */
    wgc_buf b = {0};
    wgc_wasm_module m;
    char marker[200];
    wasmgraph_status st = WASMGRAPH_ERR_IO;
    if (wgc_read_file(ctx, in->wasm_path, &b) == WASMGRAPH_OK &&
        wgc_wasm_read(b.data, b.size, &m, NULL, 0) == WASMGRAPH_OK) {
      if (wgc_is_tvm_ffi(&m, marker, sizeof marker))
        st = wgc_refuse_tvm_ffi(ctx, in->wasm_path, marker);
      wgc_wasm_module_free(&m);
    }
    wgc_buf_free(&b);
    if (st != WASMGRAPH_ERR_IO) return st;
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: folder has no graph.json", dir);
  }
  if (!wgc_is_file(in->params_path))
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: folder has no graph.params", dir);
  return WASMGRAPH_OK;
}

static wasmgraph_status add_object(wgc_ctx *ctx, wgc_input *in, char *display, const uint8_t *data,
                                   size_t size) {
  if (!display) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  wgc_object *o = realloc(in->objects, (size_t)(in->num_objects + 1) * sizeof *o);
  if (!o) {
    free(display);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  in->objects = o;
  o[in->num_objects++] = (wgc_object){display, data, size};
  return WASMGRAPH_OK;
}

/* Describes the first bytes of a non-wasm file for the error message. */
static wasmgraph_status not_wasm(wgc_ctx *ctx, const char *display, const uint8_t *d, size_t n) {
  char msg[256];
  wgc_wasm_module m;
  wgc_wasm_read(d, n, &m, msg, sizeof msg); /* fails: gives the standard wording */
  return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: %s", display, msg);
}

/* Display names of a package's libraries, "model.tar(codegen/host/lib/x.o)",
 * used instead of the extracted temp files in every message. */
typedef struct shown_names {
  int count;
  char **v;
} shown_names;

static void shown_names_free(shown_names *s) {
  for (int i = 0; i < s->count; i++) free(s->v[i]);
  free(s->v);
  memset(s, 0, sizeof *s);
}

/* A file name for an extracted library: the member's last component, with
 * anything but [A-Za-z0-9._-] replaced, never "", "." or "..". */
static char *extract_name(const char *member) {
  const char *s = member;
  size_t n = strlen(s);
  const char *open = strrchr(s, '(');
  if (open && n && s[n - 1] == ')') { /* "mod.tar(lib0.o)" */
    s = open + 1;
    n = strlen(s) - 1;
  }
  for (const char *p = s; p < s + n; p++)
    if (*p == '/') {
      n -= (size_t)(p + 1 - s);
      s = p + 1;
    }
  if (n == 0 || n > 100 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
    return strdup("library");
  char *r = strndup(s, n);
  for (char *p = r; p && *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '-' || *p == '_'))
      *p = '_';
  return r;
}

/* Replaces in->file (the tar) by the package's library, extracted with
 * graph.json and params into <tmpdir>/package/. */
static wasmgraph_status load_package(wgc_ctx *ctx, wgc_input *in, shown_names *shown) {
  wg_package pkg;
  wasmgraph_status st =
      wg_package_parse(in->file.data, in->file.size, in->path, &pkg, ctx->err, ctx->err_size);
  if (st != WASMGRAPH_OK) return st;
  const char *tmp;
  char *dir = NULL, *lib_name = NULL;
  uint8_t *lib = NULL;
  size_t lib_size = 0;
  if ((st = wgc_tmpdir(ctx, &tmp)) != WASMGRAPH_OK) goto done;
  dir = wgc_path_join(tmp, "package");
  shown->v = calloc((size_t)pkg.num_libs, sizeof *shown->v);
  if (!dir || !shown->v) goto oom;
  for (int i = 0; i < pkg.num_libs; i++, shown->count++)
    if (!(shown->v[i] = wgc_strdup_printf("%s(%s)", in->path, pkg.libs[i].member))) goto oom;
  if (mkdir(dir, 0700) != 0) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    goto done;
  }
  if (pkg.num_libs == 1) {
    lib_name = extract_name(pkg.libs[0].member);
    lib = malloc(pkg.libs[0].size ? pkg.libs[0].size : 1);
    if (!lib_name || !lib) goto oom;
    memcpy(lib, pkg.libs[0].data, pkg.libs[0].size);
    lib_size = pkg.libs[0].size;
  } else {
    lib_name = strdup("libpackage.a");
    lib = wg_package_libs_archive(&pkg, &lib_size);
    if (!lib_name || !lib) goto oom;
  }
  free(in->wasm_path);
  in->wasm_path = wgc_path_join(dir, lib_name);
  in->graph_json_path = wgc_path_join(dir, "graph.json");
  in->params_path = wgc_path_join(dir, "graph.params");
  if (!in->wasm_path || !in->graph_json_path || !in->params_path) goto oom;
  in->is_folder = true;
  if ((st = wgc_write_file(ctx, in->graph_json_path, pkg.graph.data, pkg.graph.size)) ||
      (st = wgc_write_file(ctx, in->params_path, pkg.params.data, pkg.params.size)) ||
      (st = wgc_write_file(ctx, in->wasm_path, lib, lib_size)))
    goto done;
  if (ctx->opts && ctx->opts->verbose > 0)
    wgc_log(ctx, "%s: %s, module '%s': library %s (%d object%s), graph %s, params %s", in->path,
            wg_package_kind_name(pkg.kind, false), pkg.module, pkg.libs[0].member, pkg.num_libs,
            pkg.num_libs == 1 ? "" : "s", pkg.graph.member, pkg.params.member);
  wgc_buf_free(&in->file);
  in->file = (wgc_buf){lib, lib_size};
  lib = NULL;
  goto done;
oom:
  st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
done:
  free(lib);
  free(lib_name);
  free(dir);
  wg_package_free(&pkg);
  return st;
}

wasmgraph_status wgc_input_load(wgc_ctx *ctx, const char *path, wgc_input *in) {
  memset(in, 0, sizeof *in);
  in->path = strdup(path);
  if (!in->path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  wasmgraph_status st;
  shown_names shown = {0};
  if (wgc_is_dir(path)) {
    in->is_folder = true;
    if ((st = find_folder_files(ctx, path, in)) != WASMGRAPH_OK) return st;
  } else {
    in->wasm_path = strdup(path);
    if (!in->wasm_path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  if ((st = wgc_read_file(ctx, in->wasm_path, &in->file)) != WASMGRAPH_OK) return st;
  if (!in->is_folder && wg_package_sniff(in->file.data, in->file.size) != WG_PACKAGE_NONE &&
      (st = load_package(ctx, in, &shown)) != WASMGRAPH_OK) {
    shown_names_free(&shown);
    return st;
  }
  /* What messages call the file and its members. */
  const char *file_name = shown.count == 1 ? shown.v[0] : in->wasm_path;

  switch (wgc_wasm_sniff(in->file.data, in->file.size)) {
    case WASM_SNIFF_AR: {
      wgc_ar_archive ar;
      char msg[256];
      in->kind = WG_INPUT_ARCHIVE;
      st = wgc_ar_read(in->file.data, in->file.size, &ar, msg, sizeof msg);
      if (st != WASMGRAPH_OK) {
        st = wgc_fail(ctx, st, "%s: %s", file_name, msg);
        break;
      }
      for (int i = 0; i < ar.count && st == WASMGRAPH_OK; i++) {
        char *display = shown.count > 1 && i < shown.count
                            ? strdup(shown.v[i])
                            : wgc_strdup_printf("%s(%s)", file_name, ar.members[i].name);
        if (display && wgc_wasm_sniff(ar.members[i].data, ar.members[i].size) != WASM_SNIFF_WASM) {
          st = not_wasm(ctx, display, ar.members[i].data, ar.members[i].size);
          free(display);
          break;
        }
        st = add_object(ctx, in, display, ar.members[i].data, ar.members[i].size);
      }
      wgc_ar_archive_free(&ar);
      if (st == WASMGRAPH_OK && in->num_objects == 0)
        st = wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: archive holds no object", file_name);
      break;
    }
    case WASM_SNIFF_WASM:
      /* relocatable or linked: decided by wgc_check_object's reader pass */
      in->kind = WG_INPUT_OBJECT;
      st = add_object(ctx, in, strdup(file_name), in->file.data, in->file.size);
      break;
    default:
      st = not_wasm(ctx, file_name, in->file.data, in->file.size);
      if (shown.count && ctx->err && strlen(ctx->err) + 1 < ctx->err_size)
        snprintf(ctx->err + strlen(ctx->err), ctx->err_size - strlen(ctx->err),
                 "; a package must carry a wasm32 library (target \"llvm "
                 "-mtriple=wasm32-unknown-unknown\")");
      break;
  }
  shown_names_free(&shown);
  return st;
}

void wgc_input_free(wgc_input *in) {
  if (!in) return;
  for (int i = 0; i < in->num_objects; i++) free(in->objects[i].display);
  free(in->objects);
  wgc_buf_free(&in->file);
  free(in->path);
  free(in->wasm_path);
  free(in->graph_json_path);
  free(in->params_path);
  memset(in, 0, sizeof *in);
}
