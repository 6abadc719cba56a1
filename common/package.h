/*
 * package.h — model packages as INPUT: TVM's Model Library Format (MLF) tar
 * and tvmc's classic package tar. Finds the wasm32 library, graph.json and
 * params inside a package held in memory; compiler/input/input.c extracts them for
 * the pipeline, tools/cmd_inspect.c reads the graph from them.
 */
#ifndef WASMGRAPH_PACKAGE_H_
#define WASMGRAPH_PACKAGE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tar_reader.h"
#include "wasmgraph.h"

typedef enum wg_package_kind {
  WG_PACKAGE_NONE = 0, /* not a tar */
  WG_PACKAGE_MLF,  /* metadata.json, codegen/host/lib/NAME.o, executor-config/graph/NAME.graph */
  WG_PACKAGE_TVMC, /* mod.json, mod.params, mod.so|mod.tar|mod.wasm|mod.o|mod.a */
  WG_PACKAGE_GZIP  /* gzip data: probably a compressed package (not read) */
} wg_package_kind;

typedef struct wg_package_file {
  char *member;        /* owned; "codegen/host/lib/default_lib0.o", "mod.tar(lib0.o)" */
  const uint8_t *data; /* into the package bytes (or a nested tar in them) */
  size_t size;
} wg_package_file;

typedef struct wg_package {
  wg_package_kind kind;
  char *module; /* owned; MLF module name ("default"), "mod" for tvmc */
  int num_libs; /* >= 1; several for MLF lib0.o, lib1.o or a nested mod.tar */
  wg_package_file *libs;
  wg_package_file graph;
  wg_package_file params;
  wg_tar_archive tar;    /* owned listings; data stays in the caller's buffer */
  wg_tar_archive nested; /* classic mod.tar */
} wg_package;

/* What the bytes are: a tar (MLF or tvmc is decided by wg_package_parse),
 * gzip data, or neither (WG_PACKAGE_NONE). For a tar returns WG_PACKAGE_MLF. */
wg_package_kind wg_package_sniff(const uint8_t *data, size_t size);

/* "Model Library Format" / "tvmc package"; short tokens "mlf-package" /
 * "tvmc-package" with `token`. */
const char *wg_package_kind_name(wg_package_kind kind, bool token);

/* Reads the package layout from `size` bytes that the caller keeps alive
 * while *out is used. Messages start with `display` (the package path), e.g.
 * "model.tar: Model Library Format without executor-config/graph/<m>.graph: an
 * AOT package? wasmgraph needs the graph executor". FORMAT, NO_MEMORY. */
wasmgraph_status wg_package_parse(const uint8_t *data, size_t size, const char *display,
                                  wg_package *out, char *err, size_t err_size);
void wg_package_free(wg_package *p);

/* A GNU-format `ar` archive of the package's libraries (members "0.o",
 * "1.o", ...), for wasm-ld --whole-archive. malloc'd; NULL on OOM. */
uint8_t *wg_package_libs_archive(const wg_package *p, size_t *size);

#endif
