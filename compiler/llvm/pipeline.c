/*
 * pipeline.c — the LLVM half of `wasmgraph compile` (-O2 and above): clang
 * has turned wasm2c's C into unoptimized bitcode; this file optimizes it,
 * runs our passes and writes the object. The table below is the pipeline,
 * in order; each line is one pass with its own switch
 * (`wasmgraph compile --disable-pass=NAME`, --dump-ir-after=NAME).
 *
 * Every pass keeps the translated module's meaning exactly: outputs are
 * bit-identical with any subset of the passes disabled, and every load that
 * traps in the wasm still traps (docs/security.md). The passes that move or
 * widen loads prove it under two conditions (pass_util.h,
 * wgc_trap_proof_unmet): guard pages, and a memory maximum of at most 65535
 * pages; without them they log why they did nothing.
 */
#include "pipeline.h"

#include <llvm-c/BitReader.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdlib.h>
#include <string.h>

#include "address_fold.h"
#include "fp_contract.h"
#include "half_pair.h"
#include "lane_casts.h"
#include "round_lanes.h"
#include "trunc_guards.h"
#include "inline_round.h"
#include "int_dot.h"
#include "interrupt_checks.h"
#include "load_barriers.h"
#include "pass_util.h"
#include "select_minmax.h"
#include "channel_jam.h"
#include "short_loops.h"
#include "splat_window.h"
#include "stream_widen.h"
#include "tile_vectorize.h"
#include "v128_pair.h"

#ifndef WGC_GUARD_PAGES
#error "WGC_GUARD_PAGES (the build's memory mode) must be defined by compiler/CMakeLists.txt"
#endif

/* What every pass gets: the module and how it will be compiled. */
typedef struct wgc_llvm_job {
  wgc_ctx *ctx;
  LLVMModuleRef m;
  LLVMTargetMachineRef tm;
  const wgc_target *t;
  int opt_level;
  uint32_t memory_max_pages; /* the module's declared maximum (65536: none) */
  bool verbose;
  /* A scalar module (no SIMD in the wasm) whose integer tiles int-tile
   * packs: the -O2 runs before it leave LLVM's vectorizers out
   * (hold_vectorizers), which would otherwise split those tiles into
   * partial vectors int-tile cannot read. They are not run later either:
   * on the scalar fixtures, fp32 and int8, SLP after int-dot changed
   * nothing measurable (1 thread, 3 rounds, within 1%). */
  bool no_vectorizers;
} wgc_llvm_job;

typedef wasmgraph_status (*wgc_pass_fn)(wgc_llvm_job *j);

static wasmgraph_status run_mark_barriers(wgc_llvm_job *j);
static wasmgraph_status run_inline_round(wgc_llvm_job *j);
static wasmgraph_status run_optimize(wgc_llvm_job *j);
static wasmgraph_status run_prune_barriers(wgc_llvm_job *j);
static wasmgraph_status run_round_lanes(wgc_llvm_job *j);
static wasmgraph_status run_lane_casts(wgc_llvm_job *j);
static wasmgraph_status run_trunc_guards(wgc_llvm_job *j);
static wasmgraph_status run_int_tile(wgc_llvm_job *j);
static wasmgraph_status run_int_dot(wgc_llvm_job *j);
static wasmgraph_status run_tile_vectorize(wgc_llvm_job *j);
static wasmgraph_status run_v128_quad(wgc_llvm_job *j);
static wasmgraph_status run_v128_pair(wgc_llvm_job *j);
static wasmgraph_status run_splat_window(wgc_llvm_job *j);
static wasmgraph_status run_channel_jam(wgc_llvm_job *j);
static wasmgraph_status run_short_loops(wgc_llvm_job *j);
static wasmgraph_status run_select_minmax(wgc_llvm_job *j);
static wasmgraph_status run_half_pair(wgc_llvm_job *j);
static wasmgraph_status run_stream_widen(wgc_llvm_job *j);
static wasmgraph_status run_address_fold(wgc_llvm_job *j);
static wasmgraph_status run_fp_contract(wgc_llvm_job *j);
static wasmgraph_status run_interrupt_checks(wgc_llvm_job *j);
static wasmgraph_status run_adce(wgc_llvm_job *j);

/* The pipeline. `kernel_shape` passes are also turned off together by
 * wasmgraph_compile_options.no_tile_vectorize. */
static const struct {
  wgc_llvm_pass_info info;
  wgc_pass_fn run;
} k_pipeline[] = {
    {{"mark-barriers",
      "declare wasm2c's load barriers opaque to program memory only, so the "
      "optimizer sees through them (load_barriers.c)",
      false},
     run_mark_barriers},
    {{"inline-round",
      "the roundf/round imports as inline code instead of a host call per element "
      "(inline_round.c)",
      false},
     run_inline_round},
    {{"optimize", "clang's -O2/-O3 module pipeline, every load barrier in place", false},
     run_optimize},
    {{"prune-barriers",
      "drop the barriers of loads whose every bit has a use that keeps the "
      "trap (load_barriers.c)",
      false},
     run_prune_barriers},
    {{"trunc-guards",
      "float-to-int conversions the wasm backend guarded around wasm2c's trapping one, "
      "without branches (trunc_guards.c)",
      true},
     run_trunc_guards},
    {{"reoptimize", "-O2/-O3 again: the barriers had made loops look call-heavy", false},
     run_optimize},
    {{"round-lanes",
      "a float vector rounded lane by lane (TVM's round on wasm SIMD, inlined) as one "
      "vector round, and its lanes' x86 conversions as one cvttps2dq (round_lanes.c)",
      true},
     run_round_lanes},
    {{"lane-casts",
      "a vector built lane by lane from casts of other vectors' lanes (TVM's int8 <-> "
      "float casts on wasm SIMD) as the same casts on whole vectors (lane_casts.c)",
      true},
     run_lane_casts},
    {{"int-tile",
      "pack scalar integer conv tiles (sign-extended i8/i16 operands) into <4 x i32> "
      "multiply-adds, the shape int-dot reads (tile_vectorize.c)",
      true},
     run_int_tile},
    {{"int-dot",
      "int8/int16 conv reductions as dot products: vpdpbusd, vpdpwssd, pmaddwd "
      "(int_dot.c)",
      true},
     run_int_dot},
    {{"tile-vectorize",
      "pack scalar conv register tiles into vector multiply-adds "
      "(tile_vectorize.c)",
      true},
     run_tile_vectorize},
    {{"channel-jam",
      "with AVX-512, run 4 output-channel blocks of a conv item loop together, 16 "
      "channels per register, behind a run-time bounds and overlap check (channel_jam.c)",
      true},
     run_channel_jam},
    {{"v128-quad",
      "group four f32x4 accumulators that share a weight into 16-lane AVX-512 "
      "operations (v128_pair.c)",
      true},
     run_v128_quad},
    {{"v128-pair",
      "pair the f32x4 accumulators left that share a weight into 8-lane AVX "
      "operations (v128_pair.c)",
      true},
     run_v128_pair},
    {{"splat-window",
      "read a quad's (pair's) splat inputs through 64-byte (32-byte) loads and a "
      "shuffle (splat_window.c)",
      true},
     run_splat_window},
    {{"short-loops",
      "with AVX-512, fully unroll the single-block loops of 2 to 4 iterations that hold "
      "the passes' 256- and 512-bit operations (short_loops.c)",
      true},
     run_short_loops},
    {{"select-minmax",
      "a float compare and a bitwise select of its operands (TVM's max and relu on wasm "
      "SIMD) as one SSE max or min (select_minmax.c)",
      true},
     run_select_minmax},
    {{"half-pair",
      "compute two 128-bit integer halves that one shuffle joins (TVM's requantize) "
      "as one 256-bit computation (half_pair.c)",
      true},
     run_half_pair},
    {{"stream-widen",
      "run load-compute-store loops of 128-bit vectors (TVM's requantize, pad/cast, "
      "float bias and activation) 4 (AVX-512) or 2 (AVX2) iterations at a time, behind a run-time "
      "bounds and overlap check (stream_widen.c)",
      true},
     run_stream_widen},
    {{"address-fold",
      "address loads at zext(x + k) as zext(x) + k next to an anchor load "
      "(address_fold.c)",
      true},
     run_address_fold},
    {{"fp-contract",
      "only with --fp-contract=fast: a multiply whose only use is an add becomes one "
      "FMA; leaves exact wasm rounding (fp_contract.c)",
      false},
     run_fp_contract},
    {{"interrupt-checks",
      "check the interrupt word on loop back edges, or once before loops with a small "
      "proven trip count (interrupt_checks.c); off: no interrupt checks at all, and the "
      "runtime refuses deadlines",
      false},
     run_interrupt_checks},
    {{"adce", "drop the address arithmetic and induction variables the passes above left dead",
      false},
     run_adce},
};

enum { PASS_COUNT = sizeof k_pipeline / sizeof k_pipeline[0] };

const wgc_llvm_pass_info *wgc_llvm_pass(size_t i) {
  return i < PASS_COUNT ? &k_pipeline[i].info : NULL;
}

/* ---- pass names in options ---------------------------------------------- */

/* True if `name` (len bytes) is in the comma-separated `list`; "all" matches
 * every name. */
static bool in_list(const char *list, const char *name) {
  size_t len = strlen(name);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if ((n == len && strncmp(p, name, n) == 0) || (n == 3 && strncmp(p, "all", 3) == 0))
      return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

wasmgraph_status wgc_llvm_check_pass_list(wgc_ctx *ctx, const char *option, const char *list) {
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    bool known = n == 3 && strncmp(p, "all", 3) == 0;
    for (size_t i = 0; i < PASS_COUNT && !known; i++)
      known = strlen(k_pipeline[i].info.name) == n && strncmp(p, k_pipeline[i].info.name, n) == 0;
    if (!known) {
      char names[512] = "";
      for (size_t i = 0; i < PASS_COUNT; i++) {
        strncat(names, k_pipeline[i].info.name, sizeof names - strlen(names) - 1);
        if (i + 1 < PASS_COUNT) strncat(names, ", ", sizeof names - strlen(names) - 1);
      }
      return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                      "%s: unknown pass '%.*s' (the passes are: %s; or all)", option, (int)n, p,
                      names);
    }
    p = end ? end + 1 : NULL;
  }
  return WASMGRAPH_OK;
}

/* Why pass i does not run, or NULL. */
static const char *switched_off(const wgc_ctx *ctx, size_t i) {
  const wasmgraph_compile_options *o = ctx->opts;
  if (!o) return NULL;
  if (in_list(o->disable_passes, k_pipeline[i].info.name)) return "disabled by the caller";
  if (k_pipeline[i].info.kernel_shape && o->no_tile_vectorize) return "disabled by the caller";
  return NULL;
}

/* ---- the passes --------------------------------------------------------- */

/* Runs an LLVM pass pipeline (new pass manager syntax) on m. */
static wasmgraph_status run_passes(wgc_llvm_job *j, const char *pipeline) {
  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  LLVMErrorRef err = LLVMRunPasses(j->m, pipeline, j->tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (!err) return WASMGRAPH_OK;
  char *e = LLVMGetErrorMessage(err);
  wasmgraph_status st = wgc_fail(j->ctx, WASMGRAPH_ERR_UNSUPPORTED, "LLVM passes failed: %s", e);
  LLVMDisposeErrorMessage(e);
  return st;
}

static wasmgraph_status run_mark_barriers(wgc_llvm_job *j) {
  wgc_barriers_mark(j->m);
  return WASMGRAPH_OK;
}

static wasmgraph_status run_inline_round(wgc_llvm_job *j) {
  unsigned calls = 0;
  wasmgraph_status st = wgc_inline_round(j->ctx, j->m, false, &calls);
  if (st == WASMGRAPH_OK && j->verbose) wgc_log(j->ctx, "inline round: %u calls", calls);
  return st;
}

/* The -O2 (or -O3) module pipeline, as clang would run it. The second run
 * (after pruning) reshapes loops; every value fold was already done by the
 * first, so it finds no load newly irrelevant. */
static wasmgraph_status run_optimize(wgc_llvm_job *j) {
  return run_passes(j, j->opt_level >= 3 ? "default<O3>" : "default<O2>");
}

static wasmgraph_status run_prune_barriers(wgc_llvm_job *j) {
  unsigned kept = 0, removed = wgc_barriers_prune(j->m, &kept);
  if (j->verbose)
    wgc_log(j->ctx, "load barriers: removed %u, kept %u (loads whose value is otherwise unused)",
            removed, kept);
  return WASMGRAPH_OK;
}

/* Holds LLVM's vectorizers back from every function of m (on) or lets them
 * run again (off). LLVM 14's pass builder runs SLP whatever its tuning
 * options say, but neither vectorizer touches a function marked
 * noimplicitfloat; the mark is ours only while the string attribute below
 * says so, and it is gone before code generation. */
static void hold_vectorizers(LLVMModuleRef m, bool on) {
#define K_OURS "wasmgraph-held-vectorizers"
  LLVMContextRef lc = LLVMGetModuleContext(m);
  unsigned kind = LLVMGetEnumAttributeKindForName(WGC_LIT("noimplicitfloat"));
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    bool ours = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, WGC_LIT(K_OURS));
    if (on && !ours && !LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, kind)) {
      LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(lc, kind, 0));
      LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                              LLVMCreateStringAttribute(lc, WGC_LIT(K_OURS), "", 0));
    } else if (!on && ours) {
      LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, kind);
      LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, WGC_LIT(K_OURS));
    }
  }
#undef K_OURS
}

static wasmgraph_status run_int_tile(wgc_llvm_job *j) {
  if (j->no_vectorizers) hold_vectorizers(j->m, false);
  wgc_tile_options to;
  wgc_tile_options_init(&to);
  to.guard_pages = WGC_GUARD_PAGES;
  to.memory_max_pages = j->memory_max_pages;
  to.ints = true;
  to.max_lanes = 4; /* int-dot reads <4 x i32> */
  wgc_tile_stats ts;
  wasmgraph_status st = wgc_tile_vectorize(j->ctx, j->m, &to, &ts);
  /* Positions of one tile load the same weight row: one load, one sext
   * (int-dot wants the row shared), and the lanes' scalar sexts go. */
  if (st == WASMGRAPH_OK && ts.groups) st = run_passes(j, "function(early-cse<memssa>)");
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (ts.disabled) wgc_log(j->ctx, "int tile: off (%s)", ts.disabled);
  else
    wgc_log(j->ctx, "int tile: %u groups in %u functions, %u rejected%s", ts.groups, ts.functions,
            ts.rejected, j->no_vectorizers ? " (vectorizers held back)" : "");
  return st;
}

static wasmgraph_status run_int_dot(wgc_llvm_job *j) {
  wgc_dot_options o;
  wgc_dot_options_init(&o);
  o.guard_pages = WGC_GUARD_PAGES;
  o.memory_max_pages = j->memory_max_pages;
  wgc_dot_stats ds;
  wasmgraph_status st = wgc_int_dot(j->ctx, j->m, &o, &ds);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (ds.disabled) wgc_log(j->ctx, "int dot: off (%s)", ds.disabled);
  else
    wgc_log(j->ctx,
            "int dot: %u loops (%u int8, %u int16; %u with VNNI), %u positions (%u groups in "
            "512-bit registers, %u of them pair windows; %u pairs in 256-bit registers), %u "
            "groups, %u single steps, in %u functions; %u left alone%s%s",
            ds.loops, ds.loops_i8, ds.loops_i16, ds.vnni, ds.positions, ds.wide_groups,
            ds.pair_windows, ds.ymm_pairs, ds.groups, ds.single_steps, ds.functions, ds.rejected,
            ds.first_reject ? ", first: " : "", ds.first_reject ? ds.first_reject : "");
  return st;
}

/* 8 lanes only where one register holds them (x86 AVX); elsewhere 4. */
static unsigned max_float_lanes(const wgc_llvm_job *j) {
  return strstr(j->t->llvm_triple, "x86_64") ? 8 : 4;
}

static wasmgraph_status run_tile_vectorize(wgc_llvm_job *j) {
  wgc_tile_options to;
  wgc_tile_options_init(&to);
  to.guard_pages = WGC_GUARD_PAGES;
  to.memory_max_pages = j->memory_max_pages;
  to.max_lanes = max_float_lanes(j);
  wgc_tile_stats ts;
  wasmgraph_status st = wgc_tile_vectorize(j->ctx, j->m, &to, &ts);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (ts.disabled) wgc_log(j->ctx, "tile vectorizer: off (%s)", ts.disabled);
  else
    wgc_log(j->ctx, "tile vectorizer: %u groups (%u x4, %u x8) in %u functions, %u rejected",
            ts.groups, ts.groups_by_lanes[4], ts.groups_by_lanes[8], ts.functions, ts.rejected);
  return st;
}

/* Groups of f32x4 accumulators: x86 only (elsewhere nothing wider than 128
 * bits is native), and in each function only where its target-features
 * have the width (v128_pair.c: +avx512f for quads, +avx for pairs): an
 * operation wider than the target's vectors is split back, and pairing
 * would only add shuffles. It touches no memory access, so it needs neither
 * guard pages nor a memory cap. */
static wasmgraph_status run_v128_group(wgc_llvm_job *j, wgc_v128_group group) {
  const char *what = group == WGC_V128_QUAD ? "v128 quads" : "v128 pairing";
  const char *unit = group == WGC_V128_QUAD ? "quads" : "pairs";
  const char *width = group == WGC_V128_QUAD ? "512-bit" : "256-bit";
  if (max_float_lanes(j) != 8) {
    if (j->verbose) wgc_log(j->ctx, "%s: off (the target has no %s vectors)", what, width);
    return WASMGRAPH_OK;
  }
  wgc_v128_pair_stats ps = {0};
  wasmgraph_status st = wgc_v128_pair(j->ctx, j->m, group, false, &ps);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (!ps.functions && ps.skipped_functions)
    wgc_log(j->ctx, "%s: off (the target has no %s vectors)", what, width);
  else
    wgc_log(j->ctx, "%s: %u %s in %u functions, %u rejected", what, ps.groups, unit, ps.functions,
            ps.rejected);
  return st;
}

/* Quads pay only with their operands read through 64-byte splat windows
 * (v128_pair.c forms them for exactly that shape); without the windows
 * each operand costs three inserts where two pairs cost two, so the
 * accumulators stay pairs. */
static wasmgraph_status run_v128_quad(wgc_llvm_job *j) {
  const wasmgraph_compile_options *o = j->ctx->opts;
  const char *why = wgc_trap_proof_unmet(WGC_GUARD_PAGES, j->memory_max_pages);
  if (!why && o && in_list(o->disable_passes, "splat-window")) why = "splat-window disabled";
  if (why) {
    if (j->verbose) wgc_log(j->ctx, "v128 quads: off (no splat windows: %s)", why);
    return WASMGRAPH_OK;
  }
  return run_v128_group(j, WGC_V128_QUAD);
}

static wasmgraph_status run_v128_pair(wgc_llvm_job *j) { return run_v128_group(j, WGC_V128_PAIR); }

/* Marks the loops, then runs LLVM's full unroller, which unrolls what is
 * marked (and what its own threshold allows, as -O2 already did). */
static wasmgraph_status run_channel_jam(wgc_llvm_job *j) {
  wgc_channel_jam_stats cs;
  wasmgraph_status st = wgc_channel_jam(j->ctx, j->m, false, &cs);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx,
            "channel jam: %u item loops in %u functions; before it, %u loops leaving from the "
            "header peeled, %u workspace blocks allocated once per loop, %u memsets as stores",
            cs.jammed, cs.functions, cs.peeled, cs.hoisted, cs.cleared);
  return st;
}

static wasmgraph_status run_short_loops(wgc_llvm_job *j) {
  wgc_short_loop_stats ss;
  wasmgraph_status st = wgc_short_loops_mark(j->ctx, j->m, false, &ss);
  if (st == WASMGRAPH_OK && ss.marked) st = run_passes(j, "function(loop(loop-unroll-full))");
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx, "short loops: %u unrolled in %u functions", ss.marked, ss.functions);
  return st;
}

/* No memory access: x86-64 only (it builds SSE intrinsics). */
static wasmgraph_status run_select_minmax(wgc_llvm_job *j) {
  wgc_select_minmax_stats ss;
  wasmgraph_status st = wgc_select_minmax(j->ctx, j->m, false, &ss);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx, "select min/max: %u max, %u min in %u functions", ss.max, ss.min, ss.functions);
  return st;
}

static wasmgraph_status run_splat_window(wgc_llvm_job *j) {
  wgc_window_options wo = {.guard_pages = WGC_GUARD_PAGES, .memory_max_pages = j->memory_max_pages};
  wgc_window_stats ws;
  wasmgraph_status st = wgc_splat_window(j->ctx, j->m, &wo, false, &ws);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (ws.disabled) wgc_log(j->ctx, "splat windows: off (%s)", ws.disabled);
  else
    wgc_log(j->ctx,
            "splat windows: %u pairs (%u split, %u in-lane) in %u functions, %u without "
            "a window; %u quads (%u from two windows, %u in-lane), %u without",
            ws.windows, ws.split, ws.in_lane, ws.functions, ws.no_window, ws.quads, ws.quad_two,
            ws.quad_in_lane, ws.quad_no_window);
  return st;
}

/* No memory access: any target (the shapes it reads exist on x86 only). */
static wasmgraph_status run_trunc_guards(wgc_llvm_job *j) {
  wgc_trunc_guards_stats ts;
  wasmgraph_status st = wgc_trunc_guards(j->ctx, j->m, false, &ts);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx, "trunc guards: %u signed, %u unsigned, in %u functions", ts.signed_guards,
            ts.unsigned_guards, ts.functions);
  return st;
}

/* No memory access either: any target (the backend lowers the vector
 * round to vroundps on SSE4.1, frintz on Arm). */
static wasmgraph_status run_round_lanes(wgc_llvm_job *j) {
  wgc_round_lanes_stats rs;
  wasmgraph_status st = wgc_round_lanes(j->ctx, j->m, false, &rs);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx,
            "round lanes: %u vector rounds (%u scalar rounds) in %u functions; %u vector "
            "conversions (%u lane conversions) in %u functions",
            rs.vectors, rs.lanes, rs.functions, rs.cvt_vectors, rs.cvt_lanes, rs.cvt_functions);
  return st;
}

/* No memory access: any target (vector casts are generic IR). */
static wasmgraph_status run_lane_casts(wgc_llvm_job *j) {
  wgc_lane_casts_stats ls;
  wasmgraph_status st = wgc_lane_casts(j->ctx, j->m, false, &ls);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx, "lane casts: %u vectors (%u lanes; %u int-to-float) in %u functions",
            ls.vectors, ls.lanes, ls.conversions, ls.functions);
  return st;
}

/* It touches no memory access, so it needs neither guard pages nor a memory
 * cap; the functions' target-features decide (+avx2). */
static wasmgraph_status run_half_pair(wgc_llvm_job *j) {
  wgc_half_pair_stats hs;
  wasmgraph_status st = wgc_half_pair(j->ctx, j->m, false, &hs);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (!hs.functions && hs.skipped_functions)
    wgc_log(j->ctx, "half pairs: off (the target has no 256-bit integer vectors)");
  else
    wgc_log(j->ctx, "half pairs: %u joins (%u instruction pairs, %u concats) in %u functions",
            hs.pairs, hs.paired_insts, hs.concats, hs.functions);
  return st;
}

/* Its own run-time check proves every access in bounds, so it needs
 * neither guard pages nor a memory cap (bounds-check builds have none of
 * its single-block loops); the functions' target-features decide. */
static wasmgraph_status run_stream_widen(wgc_llvm_job *j) {
  wgc_stream_stats ss;
  wasmgraph_status st = wgc_stream_widen(j->ctx, j->m, false, &ss);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  wgc_log(j->ctx,
          "stream widening: %u loops (%u by 4, %u by 2; %u streams, %u interleaved groups) in %u "
          "functions; %u left alone%s%s",
          ss.loops, ss.by4, ss.by2, ss.streams, ss.groups, ss.functions, ss.rejected,
          ss.first_reject ? ", first: " : "", ss.first_reject ? ss.first_reject : "");
  return st;
}

static wasmgraph_status run_address_fold(wgc_llvm_job *j) {
  wgc_fold_options fo = {.guard_pages = WGC_GUARD_PAGES, .memory_max_pages = j->memory_max_pages};
  wgc_fold_stats fs;
  wasmgraph_status st = wgc_address_fold(j->ctx, j->m, &fo, false, &fs);
  if (st != WASMGRAPH_OK || !j->verbose) return st;
  if (fs.disabled) wgc_log(j->ctx, "address fold: off (%s)", fs.disabled);
  else
    wgc_log(j->ctx, "address fold: %u loads in %u functions, %u without an anchor", fs.folded,
            fs.functions, fs.no_anchor);
  return st;
}

/* Opt-in (wasmgraph_compile_options.fp_contract): it changes results, so it
 * runs only when asked, after the kernel-shape passes so their wide
 * operations are fused too. Memory accesses are untouched. */
static wasmgraph_status run_fp_contract(wgc_llvm_job *j) {
  if (!j->ctx->opts || j->ctx->opts->fp_contract != WASMGRAPH_FP_CONTRACT_FAST) {
    if (j->verbose)
      wgc_log(j->ctx, "fp contraction: off (exact wasm rounding; --fp-contract=fast)");
    return WASMGRAPH_OK;
  }
  wgc_fp_contract_stats cs;
  wasmgraph_status st = wgc_fp_contract(j->ctx, j->m, false, &cs);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx,
            "fp contraction: %u multiply-adds fused into FMA (%u vector) in %u functions, %u "
            "functions without FMA on their target",
            cs.fused, cs.vector, cs.functions, cs.skipped_functions);
  return st;
}

/* Code generation keeps dead phi cycles, so every inner loop would still
 * step the induction variables that only fed replaced addresses
 * (squeezenet1_1 simd128: ten dead adds per 4-iteration conv loop). ADCE
 * removes them; it keeps loops and every instruction with an effect, and
 * the loads whose trap matters are alive through their barriers. */
static wasmgraph_status run_adce(wgc_llvm_job *j) { return run_passes(j, "function(adce)"); }

/* Placed after every optimization, so no loop transform sees a check. cc.c
 * compiles the C without loop checks when this pass runs, and without any
 * check when it is switched off (wgc_llvm_pass_enabled). */
static wasmgraph_status run_interrupt_checks(wgc_llvm_job *j) {
  wgc_loop_check_stats s;
  bool explain = j->ctx->opts && j->ctx->opts->verbose > 1; /* -v -v */
  wasmgraph_status st = wgc_interrupt_checks(j->ctx, j->m, false, explain, &s);
  if (st == WASMGRAPH_OK && j->verbose)
    wgc_log(j->ctx,
            "interrupt checks: %u back edges (%u more covered by other checks), %u bounded loop "
            "nests checked on entry (%u entry edges, %u loops inside, at most %llu IR "
            "instructions each), in %u functions",
            s.back_edges, s.covered_edges, s.bounded_nests, s.entry_checks, s.bounded_loops,
            (unsigned long long)s.max_work, s.functions);
  return st;
}

bool wgc_llvm_pass_enabled(const wgc_ctx *ctx, const char *name) {
  for (size_t i = 0; i < PASS_COUNT; i++)
    if (strcmp(k_pipeline[i].info.name, name) == 0) return switched_off(ctx, i) == NULL;
  return false;
}

/* ---- driver ------------------------------------------------------------- */

/* Writes the module's IR after pass i to <obj>.<i>-<name>.ll and keeps the
 * temp dir so the user can read it. */
static wasmgraph_status dump_ir(wgc_llvm_job *j, const char *obj, size_t i) {
  char *path = wgc_strdup_printf("%s.%zu-%s.ll", obj, i + 1, k_pipeline[i].info.name);
  if (!path) return wgc_fail(j->ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  char *msg = NULL;
  wasmgraph_status st = WASMGRAPH_OK;
  if (LLVMPrintModuleToFile(j->m, path, &msg))
    st = wgc_fail(j->ctx, WASMGRAPH_ERR_IO, "%s: %s", path, msg ? msg : "cannot write");
  else wgc_log(j->ctx, "IR after %s: %s", k_pipeline[i].info.name, path);
  j->ctx->keep_tmpdir = true;
  LLVMDisposeMessage(msg);
  free(path);
  return st;
}

/* A target machine for t: functions carry clang's target-cpu and
 * target-features attributes, which codegen honours; the machine's own CPU
 * only matters for module-level decisions, so give it the same one. */
static LLVMTargetMachineRef target_machine(wgc_ctx *ctx, const wgc_target *t, int opt_level,
                                           wasmgraph_status *st) {
  char *msg = NULL;
  LLVMTargetRef target;
  if (LLVMGetTargetFromTriple(t->llvm_triple, &target, &msg)) {
    *st = wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "unknown target '%s': %s", t->triple,
                   msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  char *host_cpu = NULL, *host_features = NULL;
  const char *cpu = t->cpu ? t->cpu : "", *features = "";
  if (t->is_host && t->cpu && strcmp(t->cpu, "native") == 0) {
    host_cpu = LLVMGetHostCPUName();
    host_features = LLVMGetHostCPUFeatures();
    cpu = host_cpu;
    features = host_features;
  }
  LLVMCodeGenOptLevel level = opt_level >= 3   ? LLVMCodeGenLevelAggressive
                              : opt_level == 0 ? LLVMCodeGenLevelNone
                                               : LLVMCodeGenLevelDefault;
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, t->llvm_triple, cpu, features, level,
                                                    LLVMRelocPIC, LLVMCodeModelDefault);
  LLVMDisposeMessage(host_cpu);
  LLVMDisposeMessage(host_features);
  if (!tm)
    *st = wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                   "cannot create an LLVM target machine for '%s'", t->llvm_triple);
  return tm;
}

static size_t pass_index(const char *name) {
  size_t i = 0;
  while (i < PASS_COUNT && strcmp(k_pipeline[i].info.name, name) != 0) i++;
  return i;
}

wasmgraph_status wgc_llvm_codegen(wgc_ctx *ctx, const wgc_target *t, const char *bitcode,
                                  const char *obj, int opt_level, uint32_t memory_max_pages,
                                  bool wasm_simd) {
  wgc_llvm_init();
  char *msg = NULL;
  LLVMMemoryBufferRef buf = NULL;
  if (LLVMCreateMemoryBufferWithContentsOfFile(bitcode, &buf, &msg)) {
    wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", bitcode, msg ? msg : "");
    LLVMDisposeMessage(msg);
    return st;
  }
  LLVMContextRef c = LLVMContextCreate();
  wgc_llvm_job j = {.ctx = ctx,
                    .t = t,
                    .opt_level = opt_level,
                    .memory_max_pages = memory_max_pages,
                    .verbose = ctx->opts && ctx->opts->verbose > 0};
  wasmgraph_status st = WASMGRAPH_OK;
  if (LLVMParseBitcodeInContext2(c, buf, &j.m)) {
    st = wgc_fail(ctx, WASMGRAPH_ERR_FORMAT, "%s: clang wrote bitcode LLVM cannot read", bitcode);
    goto done;
  }
  if (!(j.tm = target_machine(ctx, t, opt_level, &st))) goto done;
  /* SIMD modules keep the vectorizers: their conv tiles are vectors already;
   * so do modules int-tile will not touch (switched off, or bounds checks). */
  j.no_vectorizers = !wasm_simd && !switched_off(ctx, pass_index("int-tile")) &&
                     !wgc_trap_proof_unmet(WGC_GUARD_PAGES, memory_max_pages);
  if (j.no_vectorizers) hold_vectorizers(j.m, true);
  const char *dump = ctx->opts ? ctx->opts->dump_ir_after : NULL;
  for (size_t i = 0; i < PASS_COUNT && st == WASMGRAPH_OK; i++) {
    const char *off = switched_off(ctx, i);
    if (off) {
      if (j.verbose) wgc_log(ctx, "%s: off (%s)", k_pipeline[i].info.name, off);
    } else {
      st = k_pipeline[i].run(&j);
    }
    if (st == WASMGRAPH_OK && in_list(dump, k_pipeline[i].info.name)) st = dump_ir(&j, obj, i);
  }
  if (st == WASMGRAPH_OK &&
      LLVMTargetMachineEmitToFile(j.tm, j.m, (char *)obj, LLVMObjectFile, &msg))
    st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: code generation failed: %s", obj, msg ? msg : "");
done:
  if (msg) LLVMDisposeMessage(msg);
  if (j.tm) LLVMDisposeTargetMachine(j.tm);
  if (j.m) LLVMDisposeModule(j.m);
  LLVMContextDispose(c);
  /* LLVMParseBitcodeInContext2 does not take the buffer. */
  LLVMDisposeMemoryBuffer(buf);
  return st;
}
