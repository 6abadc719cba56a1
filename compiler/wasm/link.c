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
 *
 * Which wasm-ld: each TVM links the LLVM its builder chose, and an object
 * from a newer LLVM may need a newer wasm-ld. The object's "producers"
 * section names the clang that made it when there is one (TVM's own
 * objects carry none). The PATH's wasm-ld is used when its LLVM is at least
 * that version (or either is unknown); otherwise wasm-ld-N of exactly that
 * LLVM, else the oldest newer one (wasm-ld-N on PATH, /usr/lib/llvm-N/bin).
 * If the link fails and a newer wasm-ld exists, it is tried once more with
 * the newest; a failure names the LLVM the object needs.
 *
 * A linked module given as input is not linked again: wasm_adapt.c brings
 * it into the shape above (memory import, table and ctors exports, stack
 * pointer name, layout globals) and the result goes into the temp dir.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "wasm_adapt.h"

/* ---- a linked module as input ------------------------------------------- */

static wasmgraph_status adapt_module(wgc_ctx *ctx, const wgc_input *in, const char *file) {
  const char *display = in->num_objects ? in->objects[0].display : in->wasm_path;
  wgc_adapt_result r;
  char msg[512];
  wasmgraph_status st = wgc_adapt_module(in->file.data, in->file.size, &r, msg, sizeof msg);
  if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s: %s", display, msg);
  if (r.data && ctx->opts && ctx->opts->verbose > 0) wgc_log(ctx, "%s: %s", display, r.summary);
  st = r.data ? wgc_write_file(ctx, file, r.data, r.size)
              : wgc_write_file(ctx, file, in->file.data, in->file.size);
  wgc_adapt_result_free(&r);
  return st;
}

/* ---- choosing wasm-ld --------------------------------------------------- */

typedef struct ld_tool {
  char *path;
  int major; /* LLVM major version, 0 when unknown */
} ld_tool;

/* The LLVM version of a wasm-ld from where it really lives: Debian installs
 * /usr/lib/llvm-N/bin/wasm-ld and links wasm-ld-N (and wasm-ld) to it. */
static int ld_major(const char *path) {
  char real[PATH_MAX];
  const char *p = realpath(path, real) ? real : path;
  const char *hit = strstr(p, "llvm-");
  if (hit) return atoi(hit + 5);
  hit = strstr(p, "wasm-ld-");
  return hit ? atoi(hit + 8) : 0;
}

#define LD_MAX_TOOLS 24

/* The PATH's wasm-ld first, then every versioned one found, newest first;
 * the same file is listed once. */
static int find_ld_tools(wgc_ctx *ctx, ld_tool *tools) {
  int n = 0;
  const char *def = NULL;
  if (wgc_tool_require(ctx, WG_TOOL_WASM_LD, &def) == WASMGRAPH_OK && (tools[n].path = strdup(def)))
    tools[n].major = ld_major(tools[n].path), n++;
  for (int v = 40; v >= 11 && n < LD_MAX_TOOLS; v--) {
    char name[32], lib[64];
    snprintf(name, sizeof name, "wasm-ld-%d", v);
    snprintf(lib, sizeof lib, "/usr/lib/llvm-%d/bin/wasm-ld", v);
    char *p = wgc_find_on_path(name);
    if (!p && wgc_is_file(lib)) p = strdup(lib);
    if (!p) continue;
    char a[PATH_MAX], b[PATH_MAX];
    bool dup = false;
    for (int i = 0; i < n && !dup; i++)
      dup = realpath(p, a) && realpath(tools[i].path, b) && strcmp(a, b) == 0;
    if (dup) {
      free(p);
      continue;
    }
    tools[n].path = p;
    tools[n].major = v;
    n++;
  }
  return n;
}

/* The newest LLVM any input object names in its producers section (0:
 * none); `shown` receives that producer entry ("" when none). */
static int objects_llvm_major(const wgc_input *in, char *shown, size_t shown_size) {
  int major = 0;
  shown[0] = 0;
  for (int i = 0; i < in->num_objects; i++) {
    wgc_wasm_module m;
    if (wgc_wasm_read(in->objects[i].data, in->objects[i].size, &m, NULL, 0) != WASMGRAPH_OK)
      continue;
    if (m.producer && m.producer_llvm_major > major) {
      major = m.producer_llvm_major;
      snprintf(shown, shown_size, "%s", m.producer);
    }
    wgc_wasm_module_free(&m);
  }
  return major;
}

/* Index of the wasm-ld to try first for objects of LLVM `need` (0: any). */
static int pick_ld(const ld_tool *tools, int n, int need) {
  if (n == 0) return -1;
  if (need == 0 || tools[0].major == 0 || tools[0].major >= need) return 0;
  int best = -1;
  for (int i = 1; i < n; i++)
    if (tools[i].major >= need && (best < 0 || tools[i].major < tools[best].major)) best = i;
  return best >= 0 ? best : 0;
}

static wasmgraph_status run_ld(wgc_ctx *ctx, const wgc_input *in, const char *ld,
                               const char *zstack, const char *file) {
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
                  (char *)zstack,
                  "--import-memory",
                  "--max-memory=4294901760",
                  "--strip-debug",
                  "-o",
                  (char *)file,
                  NULL};
  return wgc_run_checked(ctx, in->wasm_path, argv);
}

static wasmgraph_status link_objects(wgc_ctx *ctx, const wgc_input *in, const char *zstack,
                                     const char *file) {
  ld_tool tools[LD_MAX_TOOLS];
  int n = find_ld_tools(ctx, tools);
  char producer[96];
  int need = objects_llvm_major(in, producer, sizeof producer);
  int first = pick_ld(tools, n, need);
  wasmgraph_status st;
  if (first < 0) {
    st = wgc_tool_require(ctx, WG_TOOL_WASM_LD, NULL); /* the standard "not found" message */
    goto done;
  }
  if (ctx->opts && ctx->opts->verbose > 0 && (first != 0 || need))
    wgc_log(ctx, "wasm-ld: %s (LLVM %d)%s%s", tools[first].path, tools[first].major,
            producer[0] ? " for objects from " : "", producer);
  st = run_ld(ctx, in, tools[first].path, zstack, file);
  int newest = -1;
  for (int i = 0; i < n; i++)
    if (tools[i].major > tools[first].major && (newest < 0 || tools[i].major > tools[newest].major))
      newest = i;
  if (st != WASMGRAPH_OK && st != WASMGRAPH_ERR_NO_MEMORY && newest >= 0) {
    char first_err[512];
    snprintf(first_err, sizeof first_err, "%s", ctx->err ? ctx->err : "");
    st = run_ld(ctx, in, tools[newest].path, zstack, file);
    if (st == WASMGRAPH_OK)
      wgc_log(ctx, "note: %s (LLVM %d) could not link: %s; linked with %s (LLVM %d)",
              tools[first].path, tools[first].major, first_err, tools[newest].path,
              tools[newest].major);
    else first = newest;
  }
  if (st != WASMGRAPH_OK && st != WASMGRAPH_ERR_NO_MEMORY && need > tools[first].major &&
      tools[first].major && ctx->err && strlen(ctx->err) + 1 < ctx->err_size)
    snprintf(ctx->err + strlen(ctx->err), ctx->err_size - strlen(ctx->err),
             " (the object was made by %s; the newest wasm-ld found is LLVM %d: install "
             "lld-%d for its wasm-ld-%d)",
             producer, tools[first].major, need, need);
done:
  for (int i = 0; i < n; i++) free(tools[i].path);
  return st;
}

/* ---- the stage ---------------------------------------------------------- */

wasmgraph_status wgc_link(wgc_ctx *ctx, const wgc_input *in, const char *base, char **linked_path) {
  *linked_path = NULL;
  const char *tmp;
  wasmgraph_status st = wgc_tmpdir(ctx, &tmp);
  if (st != WASMGRAPH_OK) return st;
  char *file = wgc_strdup_printf("%s/%s.wasm", tmp, base);
  if (!file) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (in->kind == WG_INPUT_MODULE) {
    /* a private copy, adapted: later stages may move it into OUTPUT */
    st = adapt_module(ctx, in, file);
  } else {
    uint32_t stack =
        ctx->opts && ctx->opts->stack_size ? ctx->opts->stack_size : WG_DEFAULT_STACK_SIZE;
    char *zstack = wgc_strdup_printf("stack-size=%u", stack);
    st = zstack ? link_objects(ctx, in, zstack, file)
                : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    free(zstack);
  }
  if (st != WASMGRAPH_OK) {
    free(file);
    return st;
  }
  *linked_path = file;
  return WASMGRAPH_OK;
}
