/*
 * compile.c — `wasmgraph compile` as a sequence of stages. Read
 * wasmgraph_compile() top to bottom for the whole pipeline:
 *
 *   1. options      OUTPUT kind from its extension, NAME, -O level, --embed
 *   2. input        object / archive / linked module / folder (input.c)
 *   3. objects      each object read and checked (wasm_reader.c, wasm_check.c)
 *   4. tools        wasm-ld, node + wasm2c 1.0.39, clang, llvm-ar found up front
 *   5. target       --target/--cpu resolved with LLVM (target.c)
 *   6. link         wasm-ld (link.c)
 *   7. module       the linked module checked, layout read (wasm_check.c)
 *   8. translate    wasm2c (translate.c), then the memory rewrites of its
 *                   output (memory_rewrite.c) and its interrupt checks
 *                   (interrupt_rewrite.c)
 *   9. glue         descriptor C + header (glue_emit.c)
 *  10. build        clang, LLVM data object, packaging (cc.c, target.c)
 *  11. output       atomic placement of every file (output.c)
 *
 * Everything happens in a private temp dir; OUTPUT appears only after the
 * last stage succeeded. Each stage returns a status and leaves its message
 * in ctx.err; the first failure ends the pipeline and the cleanup at the
 * bottom runs on every path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler_internal.h"
#include "llvm/pipeline.h"
#include "translate/interrupt_rewrite.h"
#include "translate/model_header.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- public helpers ----------------------------------------------------- */

const char *wasmgraph_compile_pass(size_t i, const char **what) {
  const wgc_llvm_pass_info *p = wgc_llvm_pass(i);
  if (what) *what = p ? p->what : NULL;
  return p ? p->name : NULL;
}

void wasmgraph_compile_options_init(wasmgraph_compile_options *o) {
  memset(o, 0, sizeof *o);
  o->struct_size = sizeof *o;
  o->opt_level = 2;
}

wasmgraph_output_kind wasmgraph_output_kind_from_path(const char *path) {
  static const struct {
    const char *ext;
    wasmgraph_output_kind kind;
  } table[] = {{".so", WASMGRAPH_OUTPUT_SHARED},
               {".o", WASMGRAPH_OUTPUT_OBJECT},
               {".a", WASMGRAPH_OUTPUT_ARCHIVE},
               {".c", WASMGRAPH_OUTPUT_C},
               {".wasm", WASMGRAPH_OUTPUT_WASM}};
  if (!path) return WASMGRAPH_OUTPUT_UNKNOWN;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base) return WASMGRAPH_OUTPUT_UNKNOWN;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(dot, table[i].ext) == 0) return table[i].kind;
  return WASMGRAPH_OUTPUT_UNKNOWN;
}

bool wasmgraph_name_is_valid(const char *name) {
  if (!name || !*name || strlen(name) > 64) return false;
  if (!(isalpha((unsigned char)name[0]) || name[0] == '_')) return false;
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_'))
      return false;
  return true;
}

void wasmgraph_default_name(const char *output, char *buf, size_t size) {
  if (!size) return;
  const char *base = output ? strrchr(output, '/') : NULL;
  base = base ? base + 1 : output ? output : "";
  size_t len = strlen(base);
  const char *dot = strrchr(base, '.');
  if (dot && dot != base) len = (size_t)(dot - base);
  wasmgraph_output_kind k = wasmgraph_output_kind_from_path(output);
  if ((k == WASMGRAPH_OUTPUT_ARCHIVE || k == WASMGRAPH_OUTPUT_SHARED) && len > 3 &&
      strncmp(base, "lib", 3) == 0) {
    base += 3;
    len -= 3;
  }
  size_t o = 0;
  if (len && isdigit((unsigned char)base[0]) && o + 1 < size) buf[o++] = '_';
  for (size_t i = 0; i < len && o + 1 < size && o < 64; i++) {
    char c = base[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    buf[o++] = ok ? c : '_';
  }
  buf[o] = 0;
  if (!o) snprintf(buf, size, "model");
}

/* ---- 1. options --------------------------------------------------------- */

typedef struct job {
  wasmgraph_output_kind kind;
  char name[72];
  char *out_dir; /* directory of OUTPUT */
  wgc_input in;
  bool embed;
  wgc_buf graph_json, params;
  wgc_target target;
  char *linked; /* linked module in the temp dir */
  wgc_layout layout;
  wgc_w2c_info w2c; /* from translate.c */
  wgc_outputs outputs;
} job;

static wasmgraph_status check_options(wgc_ctx *ctx, job *j) {
  const wasmgraph_compile_options *o = ctx->opts;
  if (!o || o->struct_size < sizeof *o)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "options not initialised");
  if (!o->input || !*o->input)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "no input given");
  if (!o->output || !*o->output)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "no output given (-o)");
  j->kind = wasmgraph_output_kind_from_path(o->output);
  if (j->kind == WASMGRAPH_OUTPUT_UNKNOWN)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "%s: unknown output kind: the extension must be .so, .o, .a, .c or .wasm",
                    o->output);
  if (o->name) {
    if (!wasmgraph_name_is_valid(o->name))
      return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                      "invalid name '%s': NAME must be a C identifier of at most 64 characters",
                      o->name);
    snprintf(j->name, sizeof j->name, "%s", o->name);
  } else {
    wasmgraph_default_name(o->output, j->name, sizeof j->name);
  }
  wasmgraph_status st = wgc_llvm_check_pass_list(ctx, "--disable-pass", o->disable_passes);
  if (st == WASMGRAPH_OK) st = wgc_llvm_check_pass_list(ctx, "--dump-ir-after", o->dump_ir_after);
  if (st != WASMGRAPH_OK) return st;
  if (o->opt_level < 0 || o->opt_level > 3)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "optimisation level %d is not 0..3",
                    o->opt_level);
  if (o->fp_contract != WASMGRAPH_FP_CONTRACT_OFF && o->fp_contract != WASMGRAPH_FP_CONTRACT_FAST)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "fp_contract %d is not WASMGRAPH_FP_CONTRACT_OFF or _FAST",
                    (int)o->fp_contract);
  /* the contraction is a pass of the LLVM pipeline, which runs from -O2 */
  if (o->fp_contract == WASMGRAPH_FP_CONTRACT_FAST && o->opt_level < 2)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "--fp-contract=fast needs -O2 or -O3 (got -O%d)", o->opt_level);
  if (!o->embed_graph != !o->embed_params)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "--embed needs both GRAPH.json and PARAMS");
  if (o->stack_size % 16 || (o->stack_size && o->stack_size < 65536))
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "stack size %u must be a multiple of 16 and at least 64 KiB", o->stack_size);
  if (wgc_is_dir(o->output))
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "%s: is a directory", o->output);
  const char *slash = strrchr(o->output, '/');
  j->out_dir =
      slash ? strndup(o->output, (size_t)(slash - o->output) + (slash == o->output)) : strdup(".");
  if (!j->out_dir) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (!wgc_is_dir(j->out_dir) || access(j->out_dir, W_OK) != 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_IO,
                    "%s: output directory %s does not exist or is not "
                    "writable",
                    o->output, j->out_dir);
  return WASMGRAPH_OK;
}

/* ---- 3. objects --------------------------------------------------------- */

static wasmgraph_status check_objects(wgc_ctx *ctx, wgc_input *in) {
  for (int i = 0; i < in->num_objects; i++) {
    wgc_object *obj = &in->objects[i];
    wgc_wasm_module m;
    char msg[512];
    wasmgraph_status st = wgc_wasm_read(obj->data, obj->size, &m, msg, sizeof msg);
    if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s: %s", obj->display, msg);
    st = wgc_check_object(ctx, obj->display, &m);
    bool relocatable = m.has_linking;
    wgc_wasm_module_free(&m);
    if (st != WASMGRAPH_OK) return st;
    if (in->kind == WG_INPUT_ARCHIVE && !relocatable)
      return wgc_fail(ctx, WASMGRAPH_ERR_FORMAT,
                      "%s: not a relocatable wasm object (an archive must hold objects)",
                      obj->display);
    if (in->kind == WG_INPUT_OBJECT && !relocatable) in->kind = WG_INPUT_MODULE;
  }
  return WASMGRAPH_OK;
}

/* ---- 4. tools ----------------------------------------------------------- */

static wasmgraph_status require_tools(wgc_ctx *ctx, const job *j) {
  wasmgraph_status st = WASMGRAPH_OK;
  if (j->in.kind != WG_INPUT_MODULE) st = wgc_tool_require(ctx, WG_TOOL_WASM_LD, NULL);
  if (st == WASMGRAPH_OK && j->kind != WASMGRAPH_OUTPUT_WASM) {
    st = wgc_wasm2c_require(ctx, NULL, NULL);
    if (st == WASMGRAPH_OK) st = wgc_tool_require(ctx, WG_TOOL_CLANG, NULL);
    if (st == WASMGRAPH_OK) st = wgc_wasm2c_check_version(ctx);
  }
  if (st == WASMGRAPH_OK && j->kind == WASMGRAPH_OUTPUT_ARCHIVE)
    st = wgc_tool_require(ctx, WG_TOOL_AR, NULL);
  return st;
}

/* ---- 5. target and embedded data ---------------------------------------- */

static wasmgraph_status resolve_target(wgc_ctx *ctx, job *j) {
  if (j->kind == WASMGRAPH_OUTPUT_WASM) return WASMGRAPH_OK;
  const wasmgraph_compile_options *o = ctx->opts;
  wasmgraph_status st = wgc_target_resolve(ctx, o->target, o->cpu, &j->target);
  if (st == WASMGRAPH_OK && (o->target || o->cpu)) st = wgc_cc_probe(ctx, &j->target);
  return st;
}

static wasmgraph_status load_embed(wgc_ctx *ctx, job *j) {
  const wasmgraph_compile_options *o = ctx->opts;
  const char *g = o->embed_graph, *p = o->embed_params;
  if (!g && j->in.is_folder) {
    g = j->in.graph_json_path;
    p = j->in.params_path;
  }
  if (!g || j->kind == WASMGRAPH_OUTPUT_WASM) return WASMGRAPH_OK;
  wasmgraph_status st = wgc_read_file(ctx, g, &j->graph_json);
  if (st == WASMGRAPH_OK) st = wgc_read_file(ctx, p, &j->params);
  j->embed = st == WASMGRAPH_OK;
  return st;
}

/* ---- 7. the linked module ----------------------------------------------- */

static wasmgraph_status check_module(wgc_ctx *ctx, job *j) {
  wgc_buf b;
  wgc_wasm_module m;
  char msg[512];
  wasmgraph_status st = wgc_read_file(ctx, j->linked, &b);
  if (st != WASMGRAPH_OK) return st;
  st = wgc_wasm_read(b.data, b.size, &m, msg, sizeof msg);
  wgc_buf_free(&b);
  if (st != WASMGRAPH_OK) return wgc_fail(ctx, st, "%s: linked module: %s", j->in.wasm_path, msg);
  st = wgc_check_linked(ctx, j->in.wasm_path, &m, &j->layout);
  wgc_wasm_module_free(&m);
  if (st == WASMGRAPH_OK && j->embed)
    st = wgc_check_memory_fits(ctx, j->in.wasm_path, &j->layout, &j->graph_json);
  return st;
}

/* ---- 9.-11. glue, build, output ----------------------------------------- */

static char *tmp_file(wgc_ctx *ctx, const char *name, const char *suffix) {
  return wgc_strdup_printf("%s/%s%s", ctx->tmpdir, name, suffix);
}

/* Writes `text` (owned, freed here) to `path` (borrowed; NULL means OOM). */
static wasmgraph_status write_text(wgc_ctx *ctx, const char *path, char *text) {
  if (!path || !text) {
    free(text);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  wasmgraph_status st = wgc_write_file(ctx, path, text, strlen(text));
  free(text);
  return st;
}

/* Adds tmp/<name><suffix> to the outputs as <out_dir>/<name><suffix>. */
static wasmgraph_status add_companion(wgc_ctx *ctx, job *j, const char *suffix) {
  char *src = tmp_file(ctx, j->name, suffix);
  char *dst = wgc_strdup_printf("%s/%s%s", j->out_dir, j->name, suffix);
  wasmgraph_status st = src && dst ? wgc_output_add(ctx, &j->outputs, src, dst)
                                   : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  free(src);
  free(dst);
  return st;
}

/* A .c output of a SIMD module: the user's compiler needs the SIMDe fixes
 * too, so <NAME>_w2c.c includes wg_simd_fixups.h first and the header is
 * written next to it (the same file for every model). */
static wasmgraph_status ship_simd_fixups(wgc_ctx *ctx, job *j) {
  static const char line[] =
      "/* wasmgraph: SIMDe corrections, needed before SIMDe is used */\n"
      "#include \"wg_simd_fixups.h\"\n";
  char *w2c = tmp_file(ctx, j->name, "_w2c.c");
  char *fix = wgc_path_join(ctx->tmpdir, "wg_simd_fixups.h");
  char *dst = wgc_strdup_printf("%s/wg_simd_fixups.h", j->out_dir);
  wgc_buf b = {0};
  char *text = NULL;
  wasmgraph_status st = w2c && fix && dst ? wgc_read_file(ctx, w2c, &b)
                                          : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (st == WASMGRAPH_OK) {
    text = malloc(sizeof line - 1 + b.size);
    if (!text) st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  if (st == WASMGRAPH_OK) {
    memcpy(text, line, sizeof line - 1);
    if (b.size) memcpy(text + sizeof line - 1, b.data, b.size);
    st = wgc_write_file(ctx, w2c, text, sizeof line - 1 + b.size);
  }
  if (st == WASMGRAPH_OK)
    st =
        wgc_write_file(ctx, fix, wgc_embedded_wg_simd_fixups_h, wgc_embedded_wg_simd_fixups_h_size);
  if (st == WASMGRAPH_OK) st = wgc_output_add(ctx, &j->outputs, fix, dst);
  free(text);
  wgc_buf_free(&b);
  free(w2c);
  free(fix);
  free(dst);
  return st;
}

static wasmgraph_status build_c_output(wgc_ctx *ctx, job *j, const char *glue) {
  const char *out = ctx->opts->output;
  const char *base = strrchr(out, '/');
  base = base ? base + 1 : out;
  char w2c_name[100], data_name[100], hdr_name[100];
  snprintf(w2c_name, sizeof w2c_name, "%s_w2c.c", j->name);
  snprintf(data_name, sizeof data_name, "%s_data.c", j->name);
  snprintf(hdr_name, sizeof hdr_name, "%s_w2c.h", j->name);
  if (strcmp(base, w2c_name) == 0 || strcmp(base, data_name) == 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "%s: clashes with the generated %s; choose another OUTPUT or --name", out,
                    base);
  char *header = tmp_file(ctx, j->name, ".h");
  char *text = NULL;
  wasmgraph_status st = wgc_model_header(ctx, j->name, base, j->embed ? &j->graph_json : NULL,
                                         j->embed ? &j->params : NULL, &text);
  if (st == WASMGRAPH_OK) st = write_text(ctx, header, text);
  free(header);
  if (st == WASMGRAPH_OK && j->embed) {
    char *data = tmp_file(ctx, j->name, "_data.c");
    st = data ? wgc_emit_data_c(ctx, j->name, &j->graph_json, &j->params, data)
              : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    free(data);
    if (st == WASMGRAPH_OK) st = add_companion(ctx, j, "_data.c");
  }
  if (st == WASMGRAPH_OK && j->w2c.uses_simd) st = ship_simd_fixups(ctx, j);
  if (st == WASMGRAPH_OK) st = add_companion(ctx, j, "_w2c.c");
  if (st == WASMGRAPH_OK) st = add_companion(ctx, j, "_w2c.h");
  if (st == WASMGRAPH_OK) st = add_companion(ctx, j, ".h");
  if (st == WASMGRAPH_OK) st = wgc_output_add(ctx, &j->outputs, glue, out);
  return st;
}

static wasmgraph_status build_native(wgc_ctx *ctx, job *j, const char *glue) {
  bool shared = j->kind == WASMGRAPH_OUTPUT_SHARED;
  char *objs[3] = {tmp_file(ctx, j->name, "_w2c.o"), tmp_file(ctx, j->name, "_glue.o"),
                   j->embed ? tmp_file(ctx, j->name, "_data.o") : NULL};
  char *w2c = tmp_file(ctx, j->name, "_w2c.c");
  char *art = tmp_file(ctx, j->name,
                       shared                               ? ".so"
                       : j->kind == WASMGRAPH_OUTPUT_OBJECT ? ".o"
                                                            : ".a");
  int n = j->embed ? 3 : 2;
  wasmgraph_status st = WASMGRAPH_OK;
  if (!objs[0] || !objs[1] || (j->embed && !objs[2]) || !w2c || !art)
    st = wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  double t0 = now();
  if (st == WASMGRAPH_OK) st = wgc_write_headers(ctx);
  if (st == WASMGRAPH_OK)
    st = wgc_cc_compile_translated(ctx, &j->target, w2c, objs[0], j->w2c.uses_simd,
                                   j->layout.memory_max_pages);
  if (st == WASMGRAPH_OK) st = wgc_cc_compile(ctx, &j->target, glue, objs[1], shared);
  if (st == WASMGRAPH_OK && j->embed)
    st = wgc_emit_data_object(ctx, &j->target, j->name, &j->graph_json, &j->params, objs[2]);
  if (st == WASMGRAPH_OK && ctx->opts->verbose > 0) wgc_log(ctx, "clang: %.2f s", now() - t0);
  if (st == WASMGRAPH_OK) {
    if (shared) st = wgc_cc_link_shared(ctx, &j->target, objs, n, art);
    else if (j->kind == WASMGRAPH_OUTPUT_OBJECT)
      st = wgc_cc_link_relocatable(ctx, &j->target, objs, n, art);
    else st = wgc_ar_create(ctx, objs, n, art);
  }
  if (st == WASMGRAPH_OK) st = wgc_output_add(ctx, &j->outputs, art, ctx->opts->output);
  for (int i = 0; i < 3; i++) free(objs[i]);
  free(w2c);
  free(art);
  return st;
}

static wasmgraph_status build(wgc_ctx *ctx, job *j) {
  if (j->kind == WASMGRAPH_OUTPUT_WASM)
    return wgc_output_add(ctx, &j->outputs, j->linked, ctx->opts->output);
  double t0 = now();
  wasmgraph_status st = wgc_translate(ctx, j->linked, j->name, &j->w2c);
  if (st != WASMGRAPH_OK) return st;
  if (ctx->opts->verbose > 0) wgc_log(ctx, "wasm2c: %.2f s", now() - t0);
  if (j->w2c.uses_simd) j->layout.features |= WASMGRAPH_FEATURE_SIMD128;
  char *w2c = tmp_file(ctx, j->name, "_w2c.c");
  wgc_rewrite_stats rw;
  st = w2c ? wgc_memory_rewrite(ctx, w2c, j->w2c.mangled, &rw)
           : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  free(w2c);
  if (st != WASMGRAPH_OK) return st;
  if (ctx->opts->verbose > 0 && rw.applied)
    wgc_log(ctx, "memory rewrite: %u functions, %u SIMD accesses, %u refreshes, %u memsets inline",
            rw.functions, rw.simd_accesses, rw.refreshes, rw.memsets);
  /* the A/B switch of the kernel-shape passes also keeps wasm2c's own
   * conversions, so that build is the reference the others must equal */
  if (ctx->opts->no_tile_vectorize) {
    if (ctx->opts->verbose > 0) wgc_log(ctx, "convert rewrite: off (disabled by the caller)");
  } else {
    wgc_convert_stats cs;
    w2c = tmp_file(ctx, j->name, "_w2c.c");
    st = w2c ? wgc_convert_rewrite(ctx, w2c, &cs)
             : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    free(w2c);
    if (st != WASMGRAPH_OK) return st;
    if (ctx->opts->verbose > 0)
      wgc_log(ctx, "convert rewrite: %s, %s, %u f32 constants",
              cs.trunc ? "fast trunc" : "no trunc", cs.fabs ? "abs as a bit op" : "no abs",
              cs.constants);
  }
  wgc_interrupt_stats is;
  w2c = tmp_file(ctx, j->name, "_w2c.c");
  st = w2c ? wgc_interrupt_rewrite(ctx, w2c, j->w2c.mangled, &is)
           : wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  free(w2c);
  if (st != WASMGRAPH_OK) return st;
  if (ctx->opts->verbose > 0)
    wgc_log(ctx, "interrupt checks: %u function entries, %u loop labels, %u host import returns",
            is.functions, is.loops, is.imports);
  wgc_embed_info info = {j->embed, j->graph_json.size, j->params.size};
  char *glue = tmp_file(ctx, j->name, "_glue.c");
  st = write_text(ctx, glue, wgc_glue_source(j->name, j->w2c.mangled, &j->layout, &info));
  if (st == WASMGRAPH_OK)
    st = j->kind == WASMGRAPH_OUTPUT_C ? build_c_output(ctx, j, glue) : build_native(ctx, j, glue);
  free(glue);
  return st;
}

/* ---- the pipeline ------------------------------------------------------- */

wasmgraph_status wasmgraph_compile(const wasmgraph_compile_options *opts, char *err,
                                   size_t err_size) {
  wgc_ctx ctx = {.opts = opts, .err = err, .err_size = err_size};
  job j;
  memset(&j, 0, sizeof j);
  if (err && err_size) err[0] = 0;
  double t0 = now();

  wasmgraph_status st = check_options(&ctx, &j);                         /* 1 */
  if (st == WASMGRAPH_OK) st = wgc_input_load(&ctx, opts->input, &j.in); /* 2 */
  if (st == WASMGRAPH_OK) st = check_objects(&ctx, &j.in);               /* 3 */
  if (st == WASMGRAPH_OK) st = require_tools(&ctx, &j);                  /* 4 */
  if (st == WASMGRAPH_OK) st = resolve_target(&ctx, &j);                 /* 5 */
  if (st == WASMGRAPH_OK) st = load_embed(&ctx, &j);
  if (st == WASMGRAPH_OK) st = wgc_link(&ctx, &j.in, j.name, &j.linked); /* 6 */
  if (st == WASMGRAPH_OK) st = check_module(&ctx, &j);                   /* 7 */
  if (st == WASMGRAPH_OK) st = build(&ctx, &j);                          /* 8-10 */
  if (st == WASMGRAPH_OK) st = wgc_output_commit(&ctx, &j.outputs);      /* 11 */
  if (st == WASMGRAPH_OK && opts->verbose > 0)
    wgc_log(&ctx, "wrote %s (NAME %s) in %.2f s", opts->output, j.name, now() - t0);

  wgc_output_abort(&j.outputs);
  wgc_tmpdir_cleanup(&ctx);
  for (int i = 0; i < WG_TOOL_COUNT; i++) free(ctx.tool_path[i]);
  free(ctx.wasm2c_script);
  wgc_input_free(&j.in);
  wgc_buf_free(&j.graph_json);
  wgc_buf_free(&j.params);
  wgc_target_free(&j.target);
  free(j.linked);
  free(j.out_dir);
  return st;
}
