/*
 * test_dtype.c — wg_dtype_parse / wg_dtype_format / wg_dtype_elem_bytes / wg_shape_numel.
 *
 * Every accepted spelling is checked against the DLPack triple TVM's
 * String2DLDataType gives it, then formatted and parsed back; a list of
 * near-misses must be rejected. wg_shape_numel is checked at the int64/uint64
 * overflow edges.
 */
#include <stdint.h>

#include "check.h"
#include "dtype.h"

static void check_ok(const char *s, int code, int bits, int lanes, size_t bytes) {
  wasmgraph_dtype t = {99, 99, 99}, back;
  char buf[32], ctx[96];
  snprintf(ctx, sizeof ctx, "dtype \"%s\"", s);
  CHECK_MSG(wg_dtype_parse(s, &t), ctx);
  CHECK_MSG(t.code == code && t.bits == bits && t.lanes == lanes, ctx);
  CHECK_MSG(wg_dtype_elem_bytes(t) == bytes, ctx);
  wg_dtype_format(t, buf, sizeof buf);
  CHECK_MSG(wg_dtype_parse(buf, &back) && wg_dtype_equal(back, t), ctx);
}

int main(void) {
  static const char *bad[] = {
      "",          "void",          "float",      "float31",     "float128",
      "int",       "int0",          "int1",       "int4",        "int128",
      "uint4",     "uint2",         "bfloat32",   "bfloat8",     "float32x",
      "float32x0", "float32x65536", "float32x-1", "float032",    "int08",
      "Float32",   "float32 ",      " float32",   "float32x4x4", "custom[x]32",
      "handle64",  "e4m3_float16",  "int+8",      "uint-8",      "float32x04",
      "boo",       "int32\n",       "float8e4m3",
  };
  char buf[8];
  uint64_t n = 7;
  int64_t shape[4];

  check_ok("float32", 2, 32, 1, 4);
  check_ok("float16", 2, 16, 1, 2);
  check_ok("float64", 2, 64, 1, 8);
  check_ok("float8", 2, 8, 1, 1);
  check_ok("bfloat16", 4, 16, 1, 2);
  check_ok("int8", 0, 8, 1, 1);
  check_ok("int16", 0, 16, 1, 2);
  check_ok("int32", 0, 32, 1, 4);
  check_ok("int64", 0, 64, 1, 8);
  check_ok("uint8", 1, 8, 1, 1);
  check_ok("uint16", 1, 16, 1, 2);
  check_ok("uint32", 1, 32, 1, 4);
  check_ok("uint64", 1, 64, 1, 8);
  check_ok("uint1", 1, 1, 1, 1);
  check_ok("bool", 1, 1, 1, 1);
  check_ok("handle", 3, 64, 1, 8);
  check_ok("e4m3_float8", 6, 8, 1, 1);
  check_ok("e5m2_float8", 7, 8, 1, 1);
  check_ok("float32x4", 2, 32, 4, 16);
  check_ok("int8x16", 0, 8, 16, 16);
  check_ok("uint1x8", 1, 1, 8, 1);
  check_ok("uint1x9", 1, 1, 9, 2);
  check_ok("boolx3", 1, 1, 3, 1);
  check_ok("float16x65535", 2, 16, 65535, 131070);

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wasmgraph_dtype t;
    CHECK_MSG(!wg_dtype_parse(bad[i], &t), bad[i]);
  }
  CHECK(!wg_dtype_parse(NULL, NULL));

  /* Canonical names: bool prints as TVM writes it. */
  {
    wasmgraph_dtype b = {1, 1, 1}, v = {2, 32, 4};
    char name[32];
    wg_dtype_format(b, name, sizeof name);
    CHECK(strcmp(name, "uint1") == 0);
    wg_dtype_format(v, name, sizeof name);
    CHECK(strcmp(name, "float32x4") == 0);
    wg_dtype_format(v, buf, sizeof buf); /* truncated, still terminated */
    CHECK(strlen(buf) == sizeof buf - 1);
    CHECK(!wg_dtype_equal(b, v));
  }

  /* wg_shape_numel */
  CHECK(wg_shape_numel(NULL, 0, &n) && n == 1);
  shape[0] = 1;
  shape[1] = 3;
  shape[2] = 224;
  shape[3] = 224;
  CHECK(wg_shape_numel(shape, 4, &n) && n == 150528);
  shape[2] = 0;
  CHECK(wg_shape_numel(shape, 4, &n) && n == 0);
  shape[2] = -1;
  CHECK(!wg_shape_numel(shape, 4, &n));
  shape[0] = INT64_MAX;
  shape[1] = 2;
  CHECK(wg_shape_numel(shape, 1, &n) && n == (uint64_t)INT64_MAX);
  CHECK(wg_shape_numel(shape, 2, &n) && n == (uint64_t)INT64_MAX * 2);
  shape[1] = 3;
  CHECK(!wg_shape_numel(shape, 2, &n));
  shape[0] = (int64_t)1 << 32;
  shape[1] = (int64_t)1 << 32;
  CHECK(!wg_shape_numel(shape, 2, &n));
  shape[1] = ((int64_t)1 << 32) - 1;
  CHECK(wg_shape_numel(shape, 2, &n) && n == (((uint64_t)1 << 32) - 1) << 32);
  CHECK(!wg_shape_numel(shape, -1, &n));
  CHECK(!wg_shape_numel(NULL, 2, &n));
  return check_report("parsers_dtype");
}
