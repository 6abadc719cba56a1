/*
 * simd_cases.h — the SIMD semantics cases (tests/simd): which kernel of
 * modules/simd_sem.wat runs on which input, and the result the WebAssembly
 * spec requires, lane by lane.
 */
#ifndef SIMD_CASES_H_
#define SIMD_CASES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An expected output word: a value below 2^32 must match exactly; the tags
 * above accept a class of values the spec leaves open. */
#define SIMD_WANT_CNAN ((uint64_t)1 << 32) /* canonical NaN, either sign */
#define SIMD_WANT_ANAN ((uint64_t)2 << 32) /* arithmetic NaN: quiet bit set */
#define SIMD_WANT_ANY ((uint64_t)3 << 32)  /* not checked (e.g. an address) */

/* One run of a kernel: x (16 words) in, y (16 words) expected, or an
 * out-of-bounds trap (then y is not looked at). */
typedef struct simd_run {
  uint32_t in[16];
  uint64_t want[16];
  bool trap;
} simd_run;

/* One kernel and its runs, all on ONE executor, in order (memory written by
 * one run is seen by the next: that is how "a trapping store writes
 * nothing" is observed). */
typedef struct simd_case {
  const char *group;  /* float, convert, lanes, memory */
  const char *kernel; /* registered name in simd_sem.wat */
  const char *what;   /* what the runs cover */
  const simd_run *runs;
  size_t num_runs;
} simd_case;

extern const simd_case simd_cases[];
extern const size_t simd_num_cases;

/* true if `got` satisfies `want` (see SIMD_WANT_*). */
bool simd_word_ok(uint32_t got, uint64_t want);

#endif
