/*
 * spec_values.h — wasm values as the runner's plan spells them
 * ("i32:42", "f64:<bits>", "f32:nan:canonical", "externref:null",
 * "externref:7", "funcref:null", "v128:i16:1,2,3,4,5,6,7,65535",
 * "v128:f32:0,nan:canonical,1065353216,nan:arithmetic") and the spec's
 * rules for comparing them.
 */
#ifndef WASMGRAPH_SPEC_VALUES_H_
#define WASMGRAPH_SPEC_VALUES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec_abi.h"

typedef enum { SV_EXACT, SV_NAN_CANONICAL, SV_NAN_ARITHMETIC } spec_pattern;

typedef struct spec_value {
  char type;            /* i I f F v r x (spec_abi.h letters) */
  spec_pattern pattern; /* NaN patterns only for f and F */
  /* v128 only: the lane shape the .wast wrote the value in (1, 2, 4 or 8
   * bytes per lane; float lanes may carry a NaN pattern each). */
  uint8_t lane_bytes;
  bool lane_float;
  spec_pattern lane_pattern[4];
  wgs_val v;
} spec_value;

/* Parses one token; false if malformed. */
bool spec_value_parse(const char *tok, spec_value *out);
/* The spec's assert_return rule: integers and floats bit-exact (so NaN
 * payloads and the sign of zero count), nan:canonical = exactly the
 * canonical NaN of either sign, nan:arithmetic = any NaN with the quiet
 * bit set, references by identity; a v128 lane by lane with the same rules
 * (float lanes) or all 16 bytes exactly (integer lanes). `got` holds a
 * value of e->type. */
bool spec_value_matches(const spec_value *e, const wgs_val *got);
/* "i32:0x0000002a", "f32:0x7fc00000 (nan)", "v128:i32[0x... x4]" ... for
 * failure messages. */
void spec_value_format(char type, const wgs_val *v, char *buf, size_t size);
/* `got` formatted in the shape of the expected value e (a v128 in e's lanes). */
void spec_value_format_like(const spec_value *e, const wgs_val *got, char *buf, size_t size);
void spec_expected_format(const spec_value *e, char *buf, size_t size);

/* The differential fuzzer's spelling, shared with difffuzz/harness.js:
 * "i32:0x0000002a", "f64:0x3ff0000000000000", any NaN as "f32:nan". */
void spec_value_format_bits(char type, const wgs_val *v, char *buf, size_t size);

/* The host's encoding of (ref.extern N): a non-null pointer unique per N. */
wasm_rt_externref_t spec_externref(unsigned long long n);

#endif
