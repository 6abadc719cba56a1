/*
 * pass_util.h — what every LLVM pass of the compiler shares, and the one
 * definition of each rule the trap proofs rest on:
 *   - wasm2c's load barrier, as a pattern (wgc_is_load_barrier);
 *   - what counts as an effect the host could observe before a trap
 *     (wgc_has_effect);
 *   - the two memory conditions under which a pass may move, widen or
 *     re-address a load (wgc_trap_proof_unmet, WGC_MAX_MEMORY_PAGES).
 * Plus the scaffolding around each pass: a per-block driver and the closing
 * module verification. No pass logic lives here. Internal to the compiler.
 */
#ifndef WASMGRAPH_PASS_UTIL_H_
#define WASMGRAPH_PASS_UTIL_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "compiler_internal.h"

/* The largest linear memory, in 64 KiB pages, for which a pass may address a
 * load as zext(x) + k instead of zext(x + k) (or read a window around it):
 * when x + k wraps, x is then past the end of memory, so the original
 * program traps at an anchor load at x and the rewritten load faults in the
 * guard region (docs/security.md). link.c links modules with this maximum. */
#define WGC_MAX_MEMORY_PAGES 65535u

/* The largest constant k (exclusive) a pass may move out of zext(x + k), an
 * i32 add that wraps: with memory capped at WGC_MAX_MEMORY_PAGES, a wrapping
 * x + k means x >= 2^32 - 64 KiB, past the end of memory, and zext(x) + k
 * stays below 4 GiB + 64 KiB, inside the guard reservation. */
#define WGC_FOLD_LIMIT 65536u

/* A string literal and its length, for the LLVM C API's (name, length)
 * pairs: WGC_LIT("strictfp") is `"strictfp", 8`. */
#define WGC_LIT(s) ("" s ""), (sizeof(s) - 1)

/* True if `s` (may be NULL) starts with the literal `prefix`. */
#define wgc_has_prefix(s, prefix) ((s) && strncmp((s), (prefix), sizeof(prefix) - 1) == 0)

/* NULL if a pass that reads or moves memory accesses may run: guard pages
 * behind linear memory and a memory maximum of at most WGC_MAX_MEMORY_PAGES.
 * Otherwise why not, for the pass's stats and the log. */
const char *wgc_trap_proof_unmet(bool guard_pages, uint32_t memory_max_pages);

/* wasm2c's keep-alive barrier after a load (FORCE_READ_INT, FORCE_READ_FLOAT,
 * SIMD_FORCE_READ): a call of an inline-asm value with an empty template,
 * returning void, with exactly one argument. Asm of any other shape is not
 * one (and counts as an effect). */
bool wgc_is_load_barrier(LLVMValueRef inst);
/* Builds such a barrier on loaded value v at the builder's position: a
 * general register for up to 64 bits, an xmm register (as <2 x i64>, like
 * wasm2c's SIMD_FORCE_READ) for 128, a ymm for 256 and a zmm ("v", AVX-512
 * functions only) for 512. */
void wgc_build_load_barrier(LLVMBuilderRef bd, LLVMValueRef v);
/* Forgets the barrier recognizer's per-thread cache of inline-asm values.
 * Call at the start of every pass entry point: asm values are uniqued per
 * LLVM context, and a new context may reuse an old one's addresses. */
void wgc_barrier_cache_reset(void);

/* True if `inst` may have an effect the host could observe before a trap
 * ends the call: a store, fence, atomic or volatile access, invoke, callbr,
 * va_arg, or a call other than a constrained FP intrinsic or a load barrier.
 * Every proof that moves a load or reads more bytes than the wasm did needs
 * a stretch of code without any. */
bool wgc_has_effect(LLVMValueRef inst);

/* The name of the callee if `call` is a call of a function (intrinsics
 * included), else NULL. */
const char *wgc_callee_name(LLVMValueRef call);

/* A linear-memory address as wasm2c's accessors compile it: an i8 GEP
 * with one i64 index,
 *   base + index,   index = [zext(x)] [+ c]   (c: 64-bit memarg offset),
 *                   x     = root [+ k]        (k: i32 add, may wrap)
 * wgc_address_parse fills it from a load's or store's pointer operand
 * (bitcasts stripped). c is set when the index is an add of a constant
 * below 2^32 (a memarg offset, which cannot wrap in 64 bits); k when x is
 * an i32 add of a constant with 0 < k < WGC_FOLD_LIMIT (else root = x, k =
 * 0). When the index holds no zext, x is NULL and root is the rest of the
 * index (an i64). False if the pointer has another shape. */
typedef struct wgc_address {
  LLVMValueRef base; /* the memory's data pointer */
  LLVMValueRef x;    /* the i32 under zext, or NULL */
  LLVMValueRef root; /* x without k (or the i64 index without c) */
  uint32_t k;
  uint64_t c;
} wgc_address;
bool wgc_address_parse(LLVMValueRef ptr, wgc_address *out);

/* The scalar i32/f32 load that `v` splats to all 4 lanes of an i32x4/f32x4
 * (shufflevector with an all-zero mask of insertelement(_, load, 0), with no
 * lane-width change between), or NULL. Lane 0 then holds exactly the
 * load's 4 bytes. */
LLVMValueRef wgc_splat_load(LLVMValueRef v);

/* The size in bytes of an integer type or a vector of integers (0 for any
 * other type, or a width that is not whole bytes). */
unsigned wgc_int_bytes(LLVMTypeRef t);

/* True if t is a vector of integers (of any width, i1 included). */
bool wgc_is_int_vector(LLVMTypeRef t);

/* True if fn's "target-features" attribute lists `feature` (e.g. "+fma") as
 * a whole entry, or with `prefix`, an entry that starts with it ("+avx"
 * matches "+avx2"). The passes that choose instructions per function ask
 * this: clang records the target's features on every function it defines. */
bool wgc_fn_has_feature(LLVMValueRef fn, const char *feature, bool prefix);

/* Lets the backend keep fn's 512-bit vector operations whole: raises its
 * "min-legal-vector-width" to 512 (clang writes 0 or 128 on the translated
 * functions, and LLVM 14 follows the prefer-256-bit tuning of Intel's
 * server cores, so each 512-bit operation would become two 256-bit ones). */
void wgc_fn_allow_512(LLVMValueRef fn);

/* True for the integer opcodes whose vector form is lane-wise (lane i of the
 * result depends only on lane i of the operands) and cannot trap: the
 * arithmetic and bitwise operators without division or remainder, shifts,
 * integer casts and bitcasts, compares and selects. The passes that widen
 * vector code (half_pair.c, stream_widen.c) widen these and no others,
 * besides shuffles and lane inserts/extracts, which they rebase themselves. */
bool wgc_is_lanewise_int_op(LLVMOpcode op);

/* A load or store that is neither volatile nor atomic: the only memory
 * accesses a pass may merge, widen, re-address or move (an atomic or
 * volatile one counts as an effect, wgc_has_effect). */
bool wgc_is_plain_access(LLVMValueRef inst);

/* A load for which wgc_is_plain_access holds. */
bool wgc_is_plain_load(LLVMValueRef v);

/* The name of the lane-wise integer intrinsic `call` invokes (llvm.smin,
 * smax, umin, umax and the saturating add/sub, overloaded on one vector
 * type), or NULL. Lane i of its result depends only on lane i of its
 * operands, so the passes that widen vector code may widen it. */
const char *wgc_lanewise_int_intrinsic(LLVMValueRef call);

/* The vector V whose lane *k is lane 0 of vector s, as wasm2c's scalar
 * operations on one lane read it after -O2: a shufflevector of V whose mask
 * starts with k (a lane of V), an insertelement at 0 of lane k of V
 * (extractelement), or s itself (k = 0). NULL for an insertelement of
 * anything else, or a mask that starts with undef or the second operand. */
LLVMValueRef wgc_lane0_source(LLVMValueRef s, unsigned *k);

/* The scalar that lane `lane` of v gets in a tree of insertelement and
 * shufflevector instructions (constant lane indices) over undef/poison;
 * NULL if the lane is undef (*undef set), or if the walk meets anything
 * else (another vector, a variable index) or goes deeper than 64 nodes. */
LLVMValueRef wgc_tree_lane(LLVMValueRef v, unsigned lane, bool *undef);

/* Whether m is compiled for x86-64 (its triple), where the passes may
 * build x86 intrinsics. */
bool wgc_module_is_x86_64(LLVMModuleRef m);

/* A hash of a pointer for the passes' open-addressing maps (mask it by a
 * power-of-two table size): every bit of the pointer reaches the low bits. */
size_t wgc_hash_ptr(const void *p);

/* Whether v is an integer constant; *out gets its value sign-extended
 * (a NULL v is not one). */
bool wgc_const_int(LLVMValueRef v, int64_t *out);

/* The constant trip count of the single-block loop bb whose back edge is br
 * (a conditional branch of bb, one successor bb): an i32 or i64 induction
 * i = phi [START, outside], [i + STEP, bb] (START, STEP nonzero constants),
 * the exit test `icmp eq/ne (i + STEP), END` (END constant) that stays in
 * the loop while i + STEP != END, and END - START a positive multiple of
 * STEP; *induction (if not NULL) gets i. 0 for any other shape. At these
 * widths and with |START|, |END| <= 2^40 and |STEP| <= 2^20, no shorter
 * wrapped count exists, so the count is the loop's. */
int64_t wgc_loop_trip_count(LLVMBasicBlockRef bb, LLVMValueRef br, LLVMValueRef *induction);

/* The same for a loop of several blocks: the induction is a phi of
 * `header` whose value from `latch` (the block that ends in br, one of whose
 * successors is header) is i + STEP. */
int64_t wgc_loop_trip_count_at(LLVMBasicBlockRef header, LLVMBasicBlockRef latch, LLVMValueRef br,
                               LLVMValueRef *induction);

/* The wasm_rt_memory_t that data pointer `data` (the base of linear-memory
 * accesses) was loaded from, so that code can read the memory's current
 * size (field 3) at run time: the struct pointer, with *st_out its type and
 * *slot NULL; or, when phis merge several loads of the data pointer through
 * struct pointers loaded from one slot defined in the entry block, `data`
 * with *slot that slot (reload the struct pointer from it). NULL when the
 * module has no such struct or `data` is of another shape. */
LLVMValueRef wgc_memory_of(LLVMModuleRef m, LLVMValueRef data, LLVMTypeRef *st_out,
                           LLVMValueRef *slot);

/* v without the bitcasts in front of it (NULL stays NULL). */
LLVMValueRef wgc_strip_bitcasts(LLVMValueRef v);

/* The first instruction of bb that is not a phi: where code that runs on
 * entry to bb is inserted (NULL for a block of phis only). */
LLVMValueRef wgc_first_non_phi(LLVMBasicBlockRef bb);

/* Calls fn(state, bb, &done) on every basic block of every function of m,
 * stopping at the first false (out of memory). *functions counts the
 * functions in which some call raised `done`. */
typedef bool (*wgc_block_fn)(void *state, LLVMBasicBlockRef bb, unsigned *done);
bool wgc_for_each_block(LLVMModuleRef m, wgc_block_fn fn, void *state, unsigned *functions);

/* A call of intrinsic `name` overloaded on type t (NULL: not overloaded), at
 * the builder; with the
 * strictfp call-site attribute when `strict` (wasm2c's constrained FP, as
 * -frounding-math compiles C). */
LLVMValueRef wgc_build_intrinsic(LLVMModuleRef m, LLVMBuilderRef b, const char *name, LLVMTypeRef t,
                                 LLVMValueRef *args, unsigned n, bool strict);

/* The same for an intrinsic overloaded on several types, in the order of
 * its name's suffixes (llvm.experimental.constrained.sitofp: the result's
 * type, then the operand's). */
LLVMValueRef wgc_build_intrinsic_n(LLVMModuleRef m, LLVMBuilderRef b, const char *name,
                                   LLVMTypeRef *types, unsigned ntypes, LLVMValueRef *args,
                                   unsigned n, bool strict);

/* Whether argument i of call v is the metadata string s (a constrained
 * intrinsic's "round.dynamic", "fpexcept.ignore" or predicate). */
bool wgc_md_arg_is(LLVMValueRef v, unsigned i, const char *s);

/* Whether v is the floating-point constant `want`, exactly. */
bool wgc_is_fp_const(LLVMValueRef v, double want);

/* The metadata string s as a value (a constrained intrinsic's rounding or
 * exception argument: "round.dynamic", "fpexcept.ignore", "oge"). */
LLVMValueRef wgc_md_string(LLVMContextRef c, const char *s);

/* Replaces every phi of `bb` by one that names `to` where it named `from`
 * (once: `to` has a single edge into bb); the C API cannot change a phi's
 * incoming block. Moves the builder. */
void wgc_retarget_phis(LLVMBuilderRef b, LLVMBasicBlockRef bb, LLVMBasicBlockRef from,
                       LLVMBasicBlockRef to);

/* Verifies m when `verify` (always in builds without NDEBUG): OK, or
 * WASMGRAPH_ERR_UNSUPPORTED "<pass> produced invalid IR: ..." (a bug in the
 * pass; the module must not be used). */
wasmgraph_status wgc_verify_after(wgc_ctx *ctx, LLVMModuleRef m, bool verify, const char *pass);

#endif
