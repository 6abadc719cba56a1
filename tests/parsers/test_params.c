/*
 * test_params.c — wg_params_parse on synthetic graph.params files.
 *
 * A small writer below produces the TVM layout field by field from a spec
 * (magics, counts, names, tensor records); each malformed case changes one
 * field of a valid two-tensor spec and must fail with WASMGRAPH_ERR_FORMAT
 * and the expected message. The valid file is also cut at every length and
 * must fail cleanly each time.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "params.h"

typedef struct tspec {
  uint64_t magic, reserved;
  int32_t dev, dev_id, ndim;
  uint8_t code, bits;
  uint16_t lanes;
  int64_t shape[20];
  int64_t data_size; /* written as-is */
  size_t data_len;   /* bytes actually written */
} tspec;

typedef struct fspec {
  uint64_t magic, reserved, num_names, num_tensors;
  int n_names, n_tensors;
  const char *names[3];
  size_t name_lens[3];
  tspec t[3];
  size_t trailing; /* extra bytes appended */
  size_t cut_to;   /* if nonzero, truncate the file to this length */
} fspec;

typedef struct wbuf {
  uint8_t p[8192];
  size_t n;
} wbuf;

static void put_le(wbuf *b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes && b->n < sizeof b->p; i++) b->p[b->n++] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(wbuf *b, const void *src, size_t n) {
  for (size_t i = 0; i < n && b->n < sizeof b->p; i++) b->p[b->n++] = ((const uint8_t *)src)[i];
}

static fspec valid_spec(void) {
  fspec f;
  memset(&f, 0, sizeof f);
  f.magic = 0xF7E58D4F05049CB7ULL;
  f.num_names = f.num_tensors = 2;
  f.n_names = f.n_tensors = 2;
  f.names[0] = "p0";
  f.names[1] = "w";
  f.name_lens[0] = 2;
  f.name_lens[1] = 1;
  for (int i = 0; i < 2; i++) {
    f.t[i].magic = 0xDD5E40F096B4A13FULL;
    f.t[i].dev = 1;
  }
  /* p0: float32 [2,3] -> 24 bytes; w: int64 scalar -> 8 bytes */
  f.t[0].ndim = 2;
  f.t[0].code = 2;
  f.t[0].bits = 32;
  f.t[0].lanes = 1;
  f.t[0].shape[0] = 2;
  f.t[0].shape[1] = 3;
  f.t[0].data_size = f.t[0].data_len = 24;
  f.t[1].ndim = 0;
  f.t[1].code = 0;
  f.t[1].bits = 64;
  f.t[1].lanes = 1;
  f.t[1].data_size = f.t[1].data_len = 8;
  return f;
}

static void write_spec(const fspec *f, wbuf *b) {
  b->n = 0;
  put_le(b, f->magic, 8);
  put_le(b, f->reserved, 8);
  put_le(b, f->num_names, 8);
  for (int i = 0; i < f->n_names; i++) {
    put_le(b, f->name_lens[i], 8);
    put_bytes(b, f->names[i], f->name_lens[i]);
  }
  put_le(b, f->num_tensors, 8);
  for (int i = 0; i < f->n_tensors; i++) {
    const tspec *t = &f->t[i];
    put_le(b, t->magic, 8);
    put_le(b, t->reserved, 8);
    put_le(b, (uint32_t)t->dev, 4);
    put_le(b, (uint32_t)t->dev_id, 4);
    put_le(b, (uint32_t)t->ndim, 4);
    put_le(b, t->code, 1);
    put_le(b, t->bits, 1);
    put_le(b, t->lanes, 2);
    for (int d = 0; d < t->ndim && d < 20; d++) put_le(b, (uint64_t)t->shape[d], 8);
    put_le(b, (uint64_t)t->data_size, 8);
    for (size_t k = 0; k < t->data_len; k++) put_le(b, (uint8_t)(0x40 + i + k), 1);
  }
  for (size_t k = 0; k < f->trailing; k++) put_le(b, 0, 1);
  if (f->cut_to && f->cut_to < b->n) b->n = f->cut_to;
}

static void test_valid(void) {
  fspec f = valid_spec();
  wbuf b;
  param_list l;
  char err[256];
  wasmgraph_status st;
  write_spec(&f, &b);
  st = wg_params_parse(b.p, b.n, &l, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  if (st) return;
  CHECK(l.count == 2);
  CHECK(strcmp(l.items[0].name, "p0") == 0 && strcmp(l.items[1].name, "w") == 0);
  CHECK(l.items[0].ndim == 2 && l.items[0].shape[0] == 2 && l.items[0].shape[1] == 3);
  CHECK(l.items[0].dtype.code == 2 && l.items[0].dtype.bits == 32 && l.items[0].dtype.lanes == 1);
  CHECK(l.items[0].nbytes == 24 && l.items[1].nbytes == 8 && l.items[1].ndim == 0);
  /* data points into the caller's buffer, right after data_byte_size */
  CHECK(l.items[1].data == b.p + b.n - 8 && l.items[1].data[0] == 0x41);
  CHECK(l.items[0].data > b.p && l.items[0].data + 24 <= b.p + b.n && l.items[0].data[0] == 0x40 &&
        l.items[0].data[23] == 0x40 + 23);
  wg_param_list_free(&l);
  CHECK(l.items == NULL && l.count == 0);
  wg_param_list_free(&l);
  wg_param_list_free(NULL);

  /* An empty dict is valid. */
  f.num_names = f.num_tensors = 0;
  f.n_names = f.n_tensors = 0;
  write_spec(&f, &b);
  CHECK(wg_params_parse(b.p, b.n, &l, err, sizeof err) == WASMGRAPH_OK && l.count == 0);
  wg_param_list_free(&l);

  /* bool uses 1 byte per element; lanes are ignored by data_byte_size, as in
   * TVM; zero-size tensors are fine. */
  f = valid_spec();
  f.t[0].code = 1;
  f.t[0].bits = 1;
  f.t[0].ndim = 1;
  f.t[0].shape[0] = 5;
  f.t[0].data_size = f.t[0].data_len = 5;
  f.t[1].code = 2;
  f.t[1].bits = 32;
  f.t[1].lanes = 4;
  f.t[1].ndim = 2;
  f.t[1].shape[0] = 2;
  f.t[1].shape[1] = 0;
  f.t[1].data_size = f.t[1].data_len = 0;
  write_spec(&f, &b);
  st = wg_params_parse(b.p, b.n, &l, err, sizeof err);
  CHECK_MSG(st == WASMGRAPH_OK, err);
  CHECK(st || (l.items[0].nbytes == 5 && l.items[1].nbytes == 0 && l.items[1].dtype.lanes == 4));
  wg_param_list_free(&l);

  /* Every strict prefix of a valid file fails. */
  f = valid_spec();
  write_spec(&f, &b);
  for (size_t n = 0; n < b.n; n++) {
    char ctx[64];
    snprintf(ctx, sizeof ctx, "prefix of %zu bytes", n);
    CHECK_MSG(wg_params_parse(b.p, n, &l, err, sizeof err) == WASMGRAPH_ERR_FORMAT, ctx);
    CHECK_MSG(check_contains(err, "truncated"), ctx);
    CHECK_MSG(l.items == NULL && l.count == 0, ctx);
  }
  CHECK(wg_params_parse(NULL, 0, &l, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK(wg_params_parse(b.p, b.n, NULL, err, sizeof err) == WASMGRAPH_ERR_INVALID_ARGUMENT);
}

enum {
  BAD_MAGIC,
  BAD_RESERVED,
  HUGE_NUM_NAMES,
  NUM_TENSORS_MISMATCH,
  EMPTY_NAME,
  NUL_NAME,
  LONG_NAME,
  DUP_NAME,
  BAD_TENSOR_MAGIC,
  TENSOR_RESERVED,
  DEVICE_GPU,
  NDIM_17,
  NDIM_NEG,
  NEG_DIM,
  SIZE_MISMATCH,
  SIZE_NEG,
  SIZE_WITH_LANES,
  SHAPE_OVERFLOW,
  BITS_ZERO,
  LANES_ZERO,
  TRAILING,
  CUT_DATA,
  CUT_HEADER,
  CUT_NAME,
  CUT_COUNTS,
  CUT_SHAPE,
  EMPTY_FILE,
  TEXT_FILE
};

static const struct {
  int id;
  const char *msg;
} bad[] = {
    {BAD_MAGIC, "params: bad magic 0x0000000000001234 (not a TVM params file"},
    {BAD_RESERVED, "params: reserved field is 0x1, expected 0"},
    {HUGE_NUM_NAMES, "params: truncated or corrupt: num_names 1152921504606846976 needs at least"},
    {NUM_TENSORS_MISMATCH, "params: num_tensors 1 != num_names 2"},
    {EMPTY_NAME, "params: name 0: empty name"},
    {NUL_NAME, "params: name 1: name contains a NUL byte"},
    {LONG_NAME, "params: name 1: name length 5000 exceeds 4096"},
    {DUP_NAME, "params: duplicate name 'p0'"},
    {BAD_TENSOR_MAGIC, "params: tensor 1 ('w'): bad tensor magic 0x00000000deadbeef"},
    {TENSOR_RESERVED, "params: tensor 0 ('p0'): reserved field is 0x7, expected 0"},
    {DEVICE_GPU, "params: tensor 0 ('p0'): device_type 2 is not CPU (1)"},
    {NDIM_17, "params: tensor 0 ('p0'): ndim 17 out of range [0, 16]"},
    {NDIM_NEG, "params: tensor 0 ('p0'): ndim -1 out of range"},
    {NEG_DIM, "params: tensor 0 ('p0'): dimension 1 is negative (-3)"},
    {SIZE_MISMATCH,
     "params: tensor 0 ('p0'): data_byte_size 20 does not match the shape and dtype (24 bytes)"},
    {SIZE_NEG, "params: tensor 1 ('w'): data_byte_size -8 does not match"},
    {SIZE_WITH_LANES,
     "params: tensor 0 ('p0'): data_byte_size 96 does not match the shape and dtype (24 bytes)"},
    {SHAPE_OVERFLOW, "params: tensor 0 ('p0'): shape overflows"},
    {BITS_ZERO, "params: tensor 1 ('w'): invalid dtype (code 0, bits 0, lanes 1)"},
    {LANES_ZERO, "params: tensor 1 ('w'): invalid dtype (code 0, bits 64, lanes 0)"},
    {TRAILING, "params: 3 trailing bytes after the last tensor"},
    {CUT_DATA, "params: tensor 1 ('w'): truncated: need 8 bytes of data at offset"},
    {CUT_HEADER, "params: truncated: need 8 bytes of reserved field at offset 8, 4 left"},
    {CUT_NAME, "params: name 1: truncated: need 3000 bytes of name at offset 42, 100 left"},
    {CUT_COUNTS, "params: truncated or corrupt: num_names 2 needs at least 98 more bytes, 18 left"},
    {CUT_SHAPE,
     "params: tensor 0 ('p0'): truncated: need 16 bytes of shape at offset 3082, 0 left"},
    {EMPTY_FILE, "params: truncated: need 8 bytes of magic at offset 0, 0 left"},
    {TEXT_FILE, "params: bad magic"},
};

static char long_name[5000];

static void mutate(int id, fspec *f) {
  memset(long_name, 'a', sizeof long_name);
  switch (id) {
    case BAD_MAGIC:
      f->magic = 0x1234;
      break;
    case BAD_RESERVED:
      f->reserved = 1;
      break;
    case HUGE_NUM_NAMES:
      f->num_names = 1ULL << 60;
      break;
    case NUM_TENSORS_MISMATCH:
      f->num_tensors = 1;
      break;
    case EMPTY_NAME:
      f->name_lens[0] = 0;
      break;
    case NUL_NAME:
      f->names[1] = "a\0b";
      f->name_lens[1] = 3;
      break;
    case LONG_NAME:
      f->names[1] = long_name;
      f->name_lens[1] = 5000;
      break;
    case DUP_NAME:
      f->names[1] = "p0";
      f->name_lens[1] = 2;
      break;
    case BAD_TENSOR_MAGIC:
      f->t[1].magic = 0xdeadbeef;
      break;
    case TENSOR_RESERVED:
      f->t[0].reserved = 7;
      break;
    case DEVICE_GPU:
      f->t[0].dev = 2;
      break;
    case NDIM_17:
      f->t[0].ndim = 17;
      break;
    case NDIM_NEG:
      f->t[0].ndim = -1;
      break;
    case NEG_DIM:
      f->t[0].shape[1] = -3;
      break;
    case SIZE_MISMATCH:
      f->t[0].data_size = 20;
      f->t[0].data_len = 20;
      break;
    case SIZE_NEG:
      f->t[1].data_size = -8;
      break;
    case SIZE_WITH_LANES:
      f->t[0].lanes = 4;
      f->t[0].data_size = f->t[0].data_len = 96;
      break;
    case SHAPE_OVERFLOW:
      f->t[0].shape[0] = f->t[0].shape[1] = (int64_t)1 << 62;
      break;
    case BITS_ZERO:
      f->t[1].bits = 0;
      break;
    case LANES_ZERO:
      f->t[1].lanes = 0;
      break;
    case TRAILING:
      f->trailing = 3;
      break;
    case CUT_DATA:
      f->t[1].data_len = 4;
      break;
    case CUT_HEADER:
      f->cut_to = 12;
      break;
    /* The count check (num_names * 49 bytes must fit) would catch short
     * cuts first; a 3000-byte name makes room to reach the deeper reads. */
    case CUT_NAME: /* name 1 starts at 24 + 8+2 + 8 = 42 */
      f->names[1] = long_name;
      f->name_lens[1] = 3000;
      f->cut_to = 42 + 100;
      break;
    case CUT_SHAPE: /* p0's shape starts at 42 + 3000 + 8 + 32 */
      f->names[1] = long_name;
      f->name_lens[1] = 3000;
      f->cut_to = 42 + 3000 + 8 + 32;
      break;
    case CUT_COUNTS:
      f->cut_to = 42;
      break;
    case EMPTY_FILE:
      f->cut_to = 0;
      f->magic = 0;
      f->n_names = 0;
      f->n_tensors = 0;
      break;
    default:
      break;
  }
}

static void test_malformed(void) {
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fspec f = valid_spec();
    wbuf b;
    param_list l;
    char err[256], ctx[600];
    wasmgraph_status st;
    mutate(bad[i].id, &f);
    write_spec(&f, &b);
    if (bad[i].id == EMPTY_FILE) b.n = 0;
    if (bad[i].id == TEXT_FILE) {
      strcpy((char *)b.p, "{\"nodes\": []}");
      b.n = strlen((char *)b.p);
    }
    st = wg_params_parse(b.p, b.n, &l, err, sizeof err);
    snprintf(ctx, sizeof ctx, "case %d: status %d, message \"%s\", want \"%s\"", bad[i].id, (int)st,
             err, bad[i].msg);
    CHECK_MSG(st == WASMGRAPH_ERR_FORMAT, ctx);
    CHECK_MSG(check_contains(err, bad[i].msg), ctx);
    CHECK_MSG(l.items == NULL && l.count == 0, ctx);
    CHECK_MSG(wg_params_parse(b.p, b.n, &l, NULL, 0) == st, ctx);
    CHECK_MSG(wg_params_parse(b.p, b.n, &l, err, 3) == st && strlen(err) == 2, ctx);
  }
}

int main(void) {
  test_valid();
  test_malformed();
  return check_report("parsers_params");
}
