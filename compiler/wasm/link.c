/*
 * link.c — turns the relocatable input into one linked module with wasm-ld
 * (docs/tvm-wasm-abi.md §4 "Translator recipe"):
 *
 *   --whole-archive      nothing references graph.o's symbols; without it the
 *                        archive member (and its registration ctor) is dropped
 *   --allow-undefined    the TVM backend API and libcalls become env.* imports
 *   --export=...         __wasm_call_ctors (runs the system-lib registration),
 *                        __heap_base and __data_end (layout for the host)
 *   --export-table       the host calls kernels by table index
 *   --import-memory      the runtime owns the linear memory (env.memory)
 *   --stack-first -z stack-size=N
 *                        an overflowing shadow stack runs below 0 and traps
 *                        instead of silently corrupting static data
 *   --max-memory=4 GiB - 64 KiB
 *                        one page short of the 32-bit space: then any i32
 *                        address within 64 KiB of 2^32 is out of bounds, which
 *                        lets tile_vectorize.c fold small constant offsets
 *                        into vector loads without changing which accesses trap
 *   --strip-debug        DWARF is useless after translation; "name" stays
 *
 * Garbage collection stays on: wasm-ld keeps init functions (the TVM ctor)
 * alive through __wasm_call_ctors, and the ctor reaches every kernel.
 * A linked module given as input is copied into the temp dir as is.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"

wasmgraph_status wgc_link(wgc_ctx *ctx, const wgc_input *in, const char *base, char **linked_path) {
  *linked_path = NULL;
  const char *ld, *tmp;
  wasmgraph_status st = wgc_tmpdir(ctx, &tmp);
  if (st != WASMGRAPH_OK) return st;
  if (in->kind == WG_INPUT_MODULE) {
    /* a private copy: later stages may move the linked file into OUTPUT */
    char *copy = wgc_strdup_printf("%s/%s.wasm", tmp, base);
    if (!copy) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    st = wgc_write_file(ctx, copy, in->file.data, in->file.size);
    if (st != WASMGRAPH_OK) {
      free(copy);
      return st;
    }
    *linked_path = copy;
    return WASMGRAPH_OK;
  }
  if ((st = wgc_tool_require(ctx, WG_TOOL_WASM_LD, &ld)) != WASMGRAPH_OK) return st;
  uint32_t stack =
      ctx->opts && ctx->opts->stack_size ? ctx->opts->stack_size : WG_DEFAULT_STACK_SIZE;
  char *file = wgc_strdup_printf("%s/%s.wasm", tmp, base);
  char *zstack = wgc_strdup_printf("stack-size=%u", stack);
  if (!file || !zstack) {
    free(file);
    free(zstack);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  char *argv[] = {(char *)ld,
                  "--no-entry",
                  "--whole-archive",
                  in->wasm_path,
                  "--no-whole-archive",
                  "--allow-undefined",
                  "--export=__wasm_call_ctors",
                  "--export=__heap_base",
                  "--export=__data_end",
                  "--export-table",
                  "--stack-first",
                  "-z",
                  zstack,
                  "--import-memory",
                  "--max-memory=4294901760",
                  "--strip-debug",
                  "-o",
                  file,
                  NULL};
  st = wgc_run_checked(ctx, in->wasm_path, argv);
  free(zstack);
  if (st != WASMGRAPH_OK) {
    free(file);
    return st;
  }
  *linked_path = file;
  return WASMGRAPH_OK;
}
