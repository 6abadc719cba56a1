/*
 * test_npy.c — npy_parse / npy_load / npy_save without fixtures.
 *
 * 1. npy_save -> npy_load round trips for every supported dtype and several
 *    ranks, checking NumPy's layout rules (64-byte aligned data start, the
 *    worked example of a 128-byte preamble for (1, 3, 224, 224) float32).
 * 2. Headers written the ways other NumPy versions/writers do (key order,
 *    quotes, trailing commas, growth padding, v2/v3 preambles) are accepted.
 * 3. A table of malformed files fails with WASMGRAPH_ERR_FORMAT and the
 *    expected message; npy_save/npy_load report bad arguments and I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "npy.h"
#include "test_util.h"

static char tmpdir[256];

/* A .npy image with the given version, header text and data. */
static size_t make_npy(uint8_t *out, size_t cap, int major, const char *header, const void *data,
                       size_t nbytes) {
  size_t hl = strlen(header), n = 0;
  size_t pre = major == 1 ? 10 : 12;
  if (pre + hl + nbytes > cap) return 0;
  memcpy(out, "\x93NUMPY", 6);
  out[6] = (uint8_t)major;
  out[7] = 0;
  out[8] = (uint8_t)hl;
  out[9] = (uint8_t)(hl >> 8);
  if (major != 1) {
    out[10] = (uint8_t)(hl >> 16);
    out[11] = (uint8_t)(hl >> 24);
  }
  n = pre;
  memcpy(out + n, header, hl);
  n += hl;
  if (nbytes) memcpy(out + n, data, nbytes);
  return n + nbytes;
}

static void test_round_trip(void) {
  static const struct {
    wasmgraph_dtype t;
    const char *descr;
    size_t item;
  } types[] = {
      {{2, 16, 1}, "<f2", 2}, {{2, 32, 1}, "<f4", 4}, {{2, 64, 1}, "<f8", 8}, {{0, 8, 1}, "|i1", 1},
      {{0, 16, 1}, "<i2", 2}, {{0, 32, 1}, "<i4", 4}, {{0, 64, 1}, "<i8", 8}, {{1, 8, 1}, "|u1", 1},
      {{1, 16, 1}, "<u2", 2}, {{1, 32, 1}, "<u4", 4}, {{1, 64, 1}, "<u8", 8}, {{1, 1, 1}, "|b1", 1},
  };
  static const struct {
    int ndim;
    int64_t shape[4];
    size_t numel;
  } shapes[] = {{0, {0}, 1}, {1, {7}, 7}, {2, {3, 5}, 15}, {4, {2, 1, 3, 2}, 12}, {2, {4, 0}, 0}};
  char path[512], err[256];
  uint8_t data[8 * 16];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 37 + 11);
  snprintf(path, sizeof path, "%s/rt.npy", tmpdir);
  for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
      npy_array a;
      size_t nbytes = shapes[si].numel * types[ti].item, fsize = 0;
      unsigned char *file;
      char ctx[128];
      wasmgraph_status st;
      snprintf(ctx, sizeof ctx, "%s ndim %d", types[ti].descr, shapes[si].ndim);
      st = npy_save(path, types[ti].t, shapes[si].ndim, shapes[si].shape, data, nbytes, err,
                    sizeof err);
      CHECK_MSG(st == WASMGRAPH_OK, err);
      st = npy_load(path, &a, err, sizeof err);
      CHECK_MSG(st == WASMGRAPH_OK, err);
      if (st) continue;
      CHECK_MSG(strcmp(a.descr, types[ti].descr) == 0, ctx);
      CHECK_MSG(a.dtype.code == types[ti].t.code && a.dtype.bits == types[ti].t.bits &&
                    a.dtype.lanes == 1,
                ctx);
      CHECK_MSG(a.ndim == shapes[si].ndim, ctx);
      for (int d = 0; d < a.ndim; d++) CHECK_MSG(a.shape[d] == shapes[si].shape[d], ctx);
      CHECK_MSG(a.nbytes == nbytes && a.data != NULL, ctx);
      CHECK_MSG(nbytes == 0 || memcmp(a.data, data, nbytes) == 0, ctx);
      npy_free(&a);
      CHECK(a.data == NULL);
      file = tu_read_file(path, &fsize);
      CHECK_MSG(file && fsize >= nbytes && (fsize - nbytes) % 64 == 0, ctx);
      CHECK_MSG(file && file[6] == 1 && file[7] == 0 && file[fsize - nbytes - 1] == '\n', ctx);
      free(file);
    }
  }
  /* NumPy's worked example: (1, 3, 224, 224) float32 -> 128-byte preamble,
   * HEADER_LEN 118, bytes 93 4E 55 4D 50 59 01 00 76 00 7B 27. */
  {
    static const uint8_t want[12] = {0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59,
                                     0x01, 0x00, 0x76, 0x00, 0x7B, 0x27};
    static const char hdr[] =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }";
    int64_t shape[4] = {1, 3, 224, 224};
    size_t nbytes = (size_t)3 * 224 * 224 * 4, fsize = 0;
    float *big = calloc(nbytes, 1);
    unsigned char *file;
    wasmgraph_dtype f32 = {2, 32, 1};
    big[1] = 1.5f;
    CHECK(npy_save(path, f32, 4, shape, big, nbytes, err, sizeof err) == WASMGRAPH_OK);
    file = tu_read_file(path, &fsize);
    CHECK(file && fsize == 128 + nbytes && memcmp(file, want, 12) == 0);
    CHECK(file && memcmp(file + 10, hdr, sizeof hdr - 1) == 0 && file[127] == '\n');
    CHECK(file && file[126] == ' ' && file[10 + sizeof hdr - 1] == ' ');
    free(file);
    free(big);
  }
}

static void test_accepted(void) {
  static const struct {
    int major;
    const char *header;
    int code, bits, ndim;
    int64_t d0;
  } ok[] = {
      {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }  \n", 2, 32, 2, 2},
      {1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}\n", 2, 32, 2, 2},
      {1, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3,)}", 2, 32, 2, 2},
      {1, "  {'descr':'<f4','fortran_order':False,'shape':(2,3)}                    \n", 2, 32, 2,
       2},
      {1, "{'descr': '<i2', 'fortran_order': False, 'shape': (12L, 1L), }\n", 0, 16, 2, 12},
      {2, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n", 2, 32, 1, 6},
      {3, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n", 2, 32, 1, 6},
      {1, "{'descr': '=f4', 'fortran_order': False, 'shape': (1, 6), }\n", 2, 32, 2, 1},
      {1, "{'descr': '|f4', 'fortran_order': False, 'shape': (6, 1), }\n", 2, 32, 2, 6},
      {1, "{'descr': '<u1', 'fortran_order': False, 'shape': (24,), }\n", 1, 8, 1, 24},
      {1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4, 6), }\n", 1, 1, 2, 4},
      {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }\n", 0, 64, 1, 3},
      {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", 2, 64, 1, 3},
      {1, "{'descr': '<u8', 'fortran_order': False, 'shape': (), }\n", 1, 64, 0, 0},
      {1, "{'descr': '<f2', 'fortran_order': False, 'shape': ( 3 , 4 , ) , }\n", 2, 16, 2, 3},
  };
  uint8_t data[24], file[512];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)i;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    npy_array a;
    char err[256], ctx[400];
    size_t nbytes = ok[i].ndim == 0 ? 8 : 24; /* the scalar case is one u8 */
    size_t n = make_npy(file, sizeof file, ok[i].major, ok[i].header, data, nbytes);
    wasmgraph_status st = npy_parse(file, n, &a, err, sizeof err);
    snprintf(ctx, sizeof ctx, "header %s: %s", ok[i].header, err);
    CHECK_MSG(st == WASMGRAPH_OK, ctx);
    if (st) continue;
    CHECK_MSG(a.dtype.code == ok[i].code && a.dtype.bits == ok[i].bits, ctx);
    CHECK_MSG(a.ndim == ok[i].ndim && (a.ndim == 0 || a.shape[0] == ok[i].d0), ctx);
    CHECK_MSG(a.nbytes == nbytes && memcmp(a.data, data, nbytes) == 0, ctx);
    npy_free(&a);
  }
}

static const struct {
  const char *name;
  int major;
  const char *header;
  size_t data_len;
  const char *msg;
} bad[] = {
    {"fortran", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", 24,
     "fortran_order: True is not supported"},
    {"big-endian", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24,
     "big-endian arrays are not supported (descr '>f4')"},
    {"big-endian byte", 1, "{'descr': '>u1', 'fortran_order': False, 'shape': (2, 3), }\n", 6,
     "big-endian"},
    {"object", 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }\n", 48,
     "object arrays are not supported"},
    {"structured", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 3), }\n", 24,
     "structured dtypes are not supported"},
    {"complex", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }\n", 24,
     "unsupported dtype descr '<c8'"},
    {"unicode", 1, "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }\n", 24,
     "unsupported dtype descr '<U3'"},
    {"no byte order", 1, "{'descr': 'f4', 'fortran_order': False, 'shape': (6,), }\n", 24,
     "unsupported dtype descr 'f4'"},
    {"missing shape", 1, "{'descr': '<f4', 'fortran_order': False, }\n", 24,
     "header: missing 'shape'"},
    {"missing descr", 1, "{'fortran_order': False, 'shape': (6,), }\n", 24,
     "header: missing 'descr'"},
    {"missing fortran", 1, "{'descr': '<f4', 'shape': (6,), }\n", 24,
     "header: missing 'fortran_order'"},
    {"unknown key", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}\n", 24,
     "header: unexpected key 'x'"},
    {"duplicate key", 1,
     "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}\n", 24,
     "header: duplicate key 'descr'"},
    {"not a dict", 1, "[1, 2]\n", 24, "header: expected '{'"},
    {"empty header", 1, "", 24, "header: expected '{'"},
    {"unterminated dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)", 24,
     "header: expected ',' or '}'"},
    {"dict ends after comma", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,),", 24,
     "header: expected a quoted key"},
    {"missing comma", 1, "{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}\n", 24,
     "header: expected ',' or '}'"},
    {"missing colon", 1, "{'descr' '<f4', 'fortran_order': False, 'shape': (6,)}\n", 24,
     "header: expected ':' after 'descr'"},
    {"unterminated string", 1, "{'descr': '<f4", 24, "header: unterminated descr"},
    {"descr too long", 1,
     "{'descr': '<f4xxxxxxxxxxxxxxxxxxxxxxxxxx', 'fortran_order': False, 'shape': (6,)}", 24,
     "header: descr too long"},
    {"unterminated key", 1, "{'descr", 24, "header: unterminated key"},
    {"bad bool", 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}\n", 24,
     "header: 'fortran_order' must be True or False"},
    {"shape list", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': [6]}\n", 24,
     "header: 'shape' must be a tuple"},
    {"shape not tuple", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}\n", 24,
     "header: 'shape' (d) is not a tuple"},
    {"shape negative", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}\n", 24,
     "header: 'shape' must hold non-negative integers"},
    {"shape float", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,)}\n", 24,
     "header: expected ',' or ')' in 'shape'"},
    {"shape double comma", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,,)}\n", 24,
     "non-negative integers"},
    {"shape unclosed", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,", 24,
     "non-negative integers"},
    {"shape 17 dims", 1,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,6)}\n", 24,
     "header: 'shape' has more than 16 dimensions"},
    {"dim overflow", 1,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}\n", 24,
     "overflows int64"},
    {"numel overflow", 1,
     "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}\n",
     24, "shape overflows"},
    {"bytes overflow", 1,
     "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807,)}\n", 24,
     "shape overflows"},
    {"huge but fits", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,)}\n",
     24, "data truncated: need 8000000000000 bytes, have 24"},
    {"data truncated", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 20,
     "data truncated: need 24 bytes, have 20"},
    {"trailing data", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }\n", 24,
     "4 trailing bytes after the data"},
    {"garbage after dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), } x\n", 24,
     "header: unexpected data after '}'"},
    {"second dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}{}", 24,
     "unexpected data after '}'"},
    {"escape in string", 1, "{'de\\scr': '<f4', 'fortran_order': False, 'shape': (6,)}", 24,
     "header: unsupported character in key"},
    {"version 4", 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", 24,
     "unsupported .npy format version 4.0"},
    {"version 0", 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", 24,
     "unsupported .npy format version 0.0"},
};

static void check_bad(const char *name, const uint8_t *buf, size_t n, const char *msg) {
  npy_array a;
  char err[256], ctx[600];
  wasmgraph_status st = npy_parse(buf, n, &a, err, sizeof err);
  snprintf(ctx, sizeof ctx, "case '%s': status %d, message \"%s\", want \"%s\"", name, (int)st, err,
           msg);
  CHECK_MSG(st == WASMGRAPH_ERR_FORMAT, ctx);
  CHECK_MSG(check_contains(err, msg), ctx);
  CHECK_MSG(a.data == NULL && a.ndim == 0 && a.nbytes == 0, ctx);
  CHECK_MSG(npy_parse(buf, n, &a, NULL, 0) == st, ctx);
}

static void test_malformed(void) {
  uint8_t data[64] = {0}, file[1024];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = make_npy(file, sizeof file, bad[i].major, bad[i].header, data, bad[i].data_len);
    check_bad(bad[i].name, file, n, bad[i].msg);
  }
  /* Preamble-level damage. */
  check_bad("not npy", (const uint8_t *)"PK\x03\x04 zip", 8, "bad magic (not a .npy file)");
  check_bad("empty", file, 0, "bad magic");
  check_bad("magic only", (const uint8_t *)"\x93NUMPY", 6, "truncated");
  check_bad("magic prefix", (const uint8_t *)"\x93NUM", 4, "truncated");
  check_bad("no header length", (const uint8_t *)"\x93NUMPY\x01\x00\x10", 9,
            "truncated: 9 bytes, the preamble needs 10");
  check_bad("v2 no header length", (const uint8_t *)"\x93NUMPY\x02\x00\x10\x00\x00", 11,
            "the preamble needs 12");
  check_bad("header past end", (const uint8_t *)"\x93NUMPY\x01\x00\xff\x00{'", 12,
            "truncated header: need 255 bytes, have 2");
  check_bad("header too long", (const uint8_t *)"\x93NUMPY\x02\x00\x00\x00\x00\x80{'", 14,
            "header too long (2147483648 bytes");
  check_bad("NULL buffer", NULL, 100, "bad magic");
  {
    npy_array a;
    CHECK(npy_parse(file, 10, NULL, NULL, 0) == WASMGRAPH_ERR_INVALID_ARGUMENT);
    npy_free(NULL);
    memset(&a, 0, sizeof a);
    npy_free(&a);
  }
}

static void test_save_load_errors(void) {
  char path[512], err[512];
  int64_t shape[2] = {2, 3};
  float data[6] = {0};
  npy_array a;
  wasmgraph_dtype f32 = {2, 32, 1}, bf16 = {4, 16, 1}, vec = {2, 32, 4};
  snprintf(path, sizeof path, "%s/e.npy", tmpdir);
  CHECK(npy_save(path, bf16, 2, shape, data, 12, err, sizeof err) == WASMGRAPH_ERR_UNSUPPORTED);
  CHECK(check_contains(err, "no .npy type"));
  CHECK(npy_save(path, vec, 2, shape, data, 96, err, sizeof err) == WASMGRAPH_ERR_UNSUPPORTED);
  CHECK(npy_save(path, f32, 2, shape, data, 20, err, sizeof err) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(check_contains(err, "do not agree"));
  CHECK(npy_save(path, f32, 17, shape, data, 24, err, sizeof err) ==
        WASMGRAPH_ERR_INVALID_ARGUMENT);
  shape[1] = -3;
  CHECK(npy_save(path, f32, 2, shape, data, 24, err, sizeof err) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  shape[1] = 3;
  CHECK(npy_save(path, f32, 2, shape, NULL, 24, err, sizeof err) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(access(path, F_OK) != 0); /* nothing written on argument errors */
  snprintf(path, sizeof path, "%s/no/such/dir/x.npy", tmpdir);
  CHECK(npy_save(path, f32, 2, shape, data, 24, err, sizeof err) == WASMGRAPH_ERR_IO);
  CHECK(strncmp(err, path, strlen(path)) == 0);
  CHECK(npy_load(path, &a, err, sizeof err) == WASMGRAPH_ERR_IO);
  CHECK(strncmp(err, path, strlen(path)) == 0 && a.data == NULL);
  CHECK(npy_load(tmpdir, &a, err, sizeof err) == WASMGRAPH_ERR_IO); /* a directory */
  CHECK(check_contains(err, "not a regular file"));
  /* A parse error from npy_load names the file. */
  {
    FILE *f;
    snprintf(path, sizeof path, "%s/text.npy", tmpdir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
      fputs("hello", f);
      fclose(f);
    }
    CHECK(npy_load(path, &a, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
    CHECK(strncmp(err, path, strlen(path)) == 0 && check_contains(err, ": bad magic"));
    remove(path);
  }
}

int main(void) {
  const char *base = getenv("TMPDIR");
  char path[600];
  snprintf(tmpdir, sizeof tmpdir, "%s/wasmgraph-npy-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_round_trip();
  test_accepted();
  test_malformed();
  test_save_load_errors();
  snprintf(path, sizeof path, "%s/rt.npy", tmpdir);
  remove(path);
  rmdir(tmpdir);
  return check_report("parsers_npy");
}
