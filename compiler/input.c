/*
 * input.c — decides what INPUT is, by content and never by extension.
 *
 *   folder              holds graph.o (or lib/graph.o, or wasm32/graph.o as in
 *                       the shared fixtures), graph.json and graph.params;
 *                       graph.o itself is then classified below
 *   "!<arch>\n"         an ar archive: every member must be a wasm object
 *   "\0asm" + linking   a relocatable wasm object (what TVM's lib.save writes)
 *   "\0asm", no linking an already linked module: used as is
 *
 * The file is read into memory once; wgc_input.objects points into that
 * buffer (one entry per archive member, or the file itself). Anything else
 * (ELF, empty, random bytes) fails here with "not a wasm file" so that no
 * tool ever sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "ar_reader.h"
#include "compiler_internal.h"

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
  if (!wgc_is_file(in->graph_json_path))
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: folder has no graph.json", dir);
  if (!wgc_is_file(in->params_path))
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: folder has no graph.params", dir);
  return WASMGRAPH_OK;
}

static wasmgraph_status add_object(wgc_ctx *ctx, wgc_input *in, char *display,
                                   const uint8_t *data, size_t size) {
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
  wasm_module m;
  wasm_read(d, n, &m, msg, sizeof msg); /* fails: gives the standard wording */
  return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: %s", display, msg);
}

wasmgraph_status wgc_input_load(wgc_ctx *ctx, const char *path, wgc_input *in) {
  memset(in, 0, sizeof *in);
  in->path = strdup(path);
  if (!in->path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  wasmgraph_status st;
  if (wgc_is_dir(path)) {
    in->is_folder = true;
    if ((st = find_folder_files(ctx, path, in)) != WASMGRAPH_OK) return st;
  } else {
    in->wasm_path = strdup(path);
    if (!in->wasm_path) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  if ((st = wgc_read_file(ctx, in->wasm_path, &in->file)) != WASMGRAPH_OK) return st;

  switch (wasm_sniff(in->file.data, in->file.size)) {
    case WASM_SNIFF_AR: {
      ar_archive ar;
      char msg[256];
      in->kind = WG_INPUT_ARCHIVE;
      st = ar_read(in->file.data, in->file.size, &ar, msg, sizeof msg);
      if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s: %s", in->wasm_path, msg);
      for (int i = 0; i < ar.count && st == WASMGRAPH_OK; i++) {
        char *display = wgc_strdup_printf("%s(%s)", in->wasm_path, ar.members[i].name);
        if (display && wasm_sniff(ar.members[i].data, ar.members[i].size) != WASM_SNIFF_WASM) {
          st = not_wasm(ctx, display, ar.members[i].data, ar.members[i].size);
          free(display);
          break;
        }
        st = add_object(ctx, in, display, ar.members[i].data, ar.members[i].size);
      }
      ar_archive_free(&ar);
      if (st != WASMGRAPH_OK) return st;
      if (in->num_objects == 0)
        return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: archive holds no object", in->wasm_path);
      return WASMGRAPH_OK;
    }
    case WASM_SNIFF_WASM:
      /* relocatable or linked: decided by wgc_check_object's reader pass */
      in->kind = WG_INPUT_OBJECT;
      return add_object(ctx, in, strdup(in->wasm_path), in->file.data, in->file.size);
    default:
      return not_wasm(ctx, in->wasm_path, in->file.data, in->file.size);
  }
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
