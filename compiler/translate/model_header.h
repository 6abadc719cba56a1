/*
 * model_header.h — the public per-model header <NAME>.h that glue_emit.c
 * writes next to a `-o NAME.c` output.
 */
#ifndef WASMGRAPH_MODEL_HEADER_H_
#define WASMGRAPH_MODEL_HEADER_H_

#include "compiler_internal.h"

/* The text of <name>.h: the descriptor NAME_wasmgraph_module(), and the
 * typed helpers NAME_create_from_files() and NAME_destroy(). When graph_json
 * and params are given (the copies embedded in the model) it adds
 * NAME_create() and NAME_create_with(), the graph's inputs and outputs as
 * constants (NAME_INPUT0_NAME, _DTYPE, _SHAPE, _SIZE, ...) and a typed
 * NAME_run(exec, inputs..., outputs...). glue_file is the glue's file name as
 * the user sees it. On success *out is malloc'd text. FORMAT (graph.json or
 * params do not parse; the message says where), NO_MEMORY. */
wasmgraph_status wgc_model_header(wgc_ctx *ctx, const char *name, const char *glue_file,
                                  const wgc_buf *graph_json, const wgc_buf *params, char **out);

#endif
