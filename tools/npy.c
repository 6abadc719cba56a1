/*
 * npy.c — NumPy .npy reader (format 1.0, 2.0, 3.0) and writer (1.0).
 *
 * Layout: "\x93NUMPY", major, minor, header length (u16 LE for 1.x, u32 LE
 * for 2.x/3.x), then an ASCII Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
 * padded with spaces and '\n', then the raw data.
 *
 * The header is not evaluated as Python: a small recursive-descent reader
 * accepts exactly the dict grammar NumPy writers produce — keys in any order,
 * single or double quotes, optional trailing commas, any whitespace (also
 * after the closing brace) — with the three keys descr, fortran_order and
 * shape, each exactly once. Supported: little-endian or byte-order-free
 * f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, C order. The data must be exactly
 * prod(shape) * itemsize bytes (overflow-checked); the reader never reads
 * outside (buf, size). The writer emits version 1.0 with the header padded
 * so that the data starts at a multiple of 64, as NumPy does.
 */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#include "npy.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* wasmgraph_npy links nothing but libc (tools/CMakeLists.txt), so the two
 * dtype helpers it needs are local rather than taken from common/dtype.c. */
static size_t elem_bytes(wasmgraph_dtype t) { return ((size_t)t.bits * t.lanes + 7) / 8; }

static bool numel_of(const int64_t *shape, int ndim, uint64_t *out) {
  uint64_t n = 1;
  if (ndim < 0 || (ndim > 0 && !shape)) return false;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0 || (shape[i] != 0 && n > UINT64_MAX / (uint64_t)shape[i])) return false;
    n *= (uint64_t)shape[i];
  }
  *out = n;
  return true;
}

#define NPY_MAX_HEADER (1u << 20)

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static wasmgraph_status
failf(char *err, size_t err_size, const char *fmt, ...) {
  if (err && err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return WASMGRAPH_ERR_FORMAT;
}

/* ---- header dict ------------------------------------------------------ */

typedef struct hdr {
  const char *s;
  size_t n, i;
  char *err;
  size_t err_size;
} hdr;

static void skip_ws(hdr *h) {
  while (h->i < h->n &&
         (h->s[h->i] == ' ' || h->s[h->i] == '\t' || h->s[h->i] == '\n' || h->s[h->i] == '\r'))
    h->i++;
}

static bool peek(const hdr *h, char ch) { return h->i < h->n && h->s[h->i] == ch; }

static bool accept(hdr *h, char ch) {
  if (!peek(h, ch)) return false;
  h->i++;
  return true;
}

static bool accept_word(hdr *h, const char *w) {
  size_t n = strlen(w);
  if (h->n - h->i < n || memcmp(h->s + h->i, w, n) != 0) return false;
  h->i += n;
  return true;
}

/* A quoted string without escapes into buf (size cap). */
static wasmgraph_status quoted(hdr *h, char *buf, size_t cap, const char *what) {
  char q;
  size_t len = 0;
  if (!peek(h, '\'') && !peek(h, '"'))
    return failf(h->err, h->err_size, "header: expected a quoted %s at offset %zu", what, h->i);
  q = h->s[h->i++];
  while (h->i < h->n && h->s[h->i] != q) {
    char ch = h->s[h->i++];
    if (ch == '\\' || ch == '\0' || ch == '\n')
      return failf(h->err, h->err_size, "header: unsupported character in %s", what);
    if (len + 1 >= cap) return failf(h->err, h->err_size, "header: %s too long", what);
    buf[len++] = ch;
  }
  if (!accept(h, q)) return failf(h->err, h->err_size, "header: unterminated %s", what);
  buf[len] = '\0';
  return WASMGRAPH_OK;
}

/* (d0, d1, ...) — a 1-tuple needs its trailing comma, as in Python. */
static wasmgraph_status shape_tuple(hdr *h, npy_array *out) {
  int n = 0;
  bool comma = false;
  if (!accept(h, '('))
    return failf(h->err, h->err_size, "header: 'shape' must be a tuple such as (1, 3)");
  skip_ws(h);
  while (!peek(h, ')')) {
    uint64_t v = 0;
    size_t start = h->i;
    if (n > 0 && !comma)
      return failf(h->err, h->err_size, "header: expected ',' or ')' in 'shape' at offset %zu",
                   h->i);
    while (h->i < h->n && h->s[h->i] >= '0' && h->s[h->i] <= '9') {
      unsigned dgt = (unsigned)(h->s[h->i] - '0');
      if (v > ((uint64_t)INT64_MAX - dgt) / 10)
        return failf(h->err, h->err_size, "header: dimension in 'shape' overflows int64");
      v = v * 10 + dgt;
      h->i++;
    }
    if (h->i == start)
      return failf(h->err, h->err_size,
                   "header: 'shape' must hold non-negative integers (offset %zu)", h->i);
    accept(h, 'L'); /* Python 2 longs: "3L" */
    if (n == WASMGRAPH_MAX_NDIM)
      return failf(h->err, h->err_size, "header: 'shape' has more than %d dimensions",
                   WASMGRAPH_MAX_NDIM);
    out->shape[n++] = (int64_t)v;
    skip_ws(h);
    comma = accept(h, ',');
    skip_ws(h);
  }
  h->i++; /* ')' */
  if (n == 1 && !comma)
    return failf(h->err, h->err_size, "header: 'shape' (d) is not a tuple; expected (d,)");
  out->ndim = n;
  return WASMGRAPH_OK;
}

static wasmgraph_status descr_to_dtype(const char *d, wasmgraph_dtype *t, char *err,
                                       size_t err_size) {
  static const struct {
    char kind, size;
    uint8_t code, bits;
  } table[] = {
      {'f', '2', WASMGRAPH_DTYPE_FLOAT, 16}, {'f', '4', WASMGRAPH_DTYPE_FLOAT, 32},
      {'f', '8', WASMGRAPH_DTYPE_FLOAT, 64}, {'i', '1', WASMGRAPH_DTYPE_INT, 8},
      {'i', '2', WASMGRAPH_DTYPE_INT, 16},   {'i', '4', WASMGRAPH_DTYPE_INT, 32},
      {'i', '8', WASMGRAPH_DTYPE_INT, 64},   {'u', '1', WASMGRAPH_DTYPE_UINT, 8},
      {'u', '2', WASMGRAPH_DTYPE_UINT, 16},  {'u', '4', WASMGRAPH_DTYPE_UINT, 32},
      {'u', '8', WASMGRAPH_DTYPE_UINT, 64},  {'b', '1', WASMGRAPH_DTYPE_UINT, 1},
  };
  if (d[0] == '>')
    return failf(err, err_size,
                 "big-endian arrays are not supported (descr '%s'); save a "
                 "little-endian array (arr.astype(arr.dtype.newbyteorder('<')))",
                 d);
  if ((d[0] == '<' || d[0] == '|' || d[0] == '=') && strlen(d) == 3) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
      if (d[1] == table[i].kind && d[2] == table[i].size) {
        t->code = table[i].code;
        t->bits = table[i].bits;
        t->lanes = 1;
        return WASMGRAPH_OK;
      }
    }
  }
  if (strchr(d, 'O'))
    return failf(err, err_size, "object arrays are not supported (descr '%s')", d);
  return failf(err, err_size,
               "unsupported dtype descr '%s' (supported: f2 f4 f8 i1 i2 i4 i8 "
               "u1 u2 u4 u8 b1, little-endian)",
               d);
}

static wasmgraph_status parse_header(hdr *h, npy_array *out) {
  bool have_descr = false, have_fortran = false, have_shape = false, fortran = false;
  wasmgraph_status st;
  skip_ws(h);
  if (!accept(h, '{')) return failf(h->err, h->err_size, "header: expected '{'");
  skip_ws(h);
  while (!accept(h, '}')) {
    char key[32];
    if ((st = quoted(h, key, sizeof key, "key"))) return st;
    skip_ws(h);
    if (!accept(h, ':')) return failf(h->err, h->err_size, "header: expected ':' after '%s'", key);
    skip_ws(h);
    if (strcmp(key, "descr") == 0) {
      if (have_descr) return failf(h->err, h->err_size, "header: duplicate key 'descr'");
      if (peek(h, '[')) return failf(h->err, h->err_size, "structured dtypes are not supported");
      if ((st = quoted(h, out->descr, sizeof out->descr, "descr"))) return st;
      have_descr = true;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (have_fortran) return failf(h->err, h->err_size, "header: duplicate key 'fortran_order'");
      if (accept_word(h, "True")) fortran = true;
      else if (!accept_word(h, "False"))
        return failf(h->err, h->err_size, "header: 'fortran_order' must be True or False");
      have_fortran = true;
    } else if (strcmp(key, "shape") == 0) {
      if (have_shape) return failf(h->err, h->err_size, "header: duplicate key 'shape'");
      if ((st = shape_tuple(h, out))) return st;
      have_shape = true;
    } else {
      return failf(h->err, h->err_size, "header: unexpected key '%s'", key);
    }
    skip_ws(h);
    if (accept(h, ',')) {
      skip_ws(h);
    } else if (!peek(h, '}')) {
      return failf(h->err, h->err_size, "header: expected ',' or '}' at offset %zu", h->i);
    }
  }
  skip_ws(h);
  if (h->i != h->n)
    return failf(h->err, h->err_size, "header: unexpected data after '}' at offset %zu", h->i);
  if (!have_descr) return failf(h->err, h->err_size, "header: missing 'descr'");
  if (!have_fortran) return failf(h->err, h->err_size, "header: missing 'fortran_order'");
  if (!have_shape) return failf(h->err, h->err_size, "header: missing 'shape'");
  if (fortran)
    return failf(h->err, h->err_size,
                 "fortran_order: True is not supported (Fortran-ordered "
                 "array); save a C-ordered array (np.ascontiguousarray)");
  return descr_to_dtype(out->descr, &out->dtype, h->err, h->err_size);
}

/* ---- whole file ------------------------------------------------------- */

wasmgraph_status npy_parse(const uint8_t *buf, size_t size, npy_array *out, char *err,
                           size_t err_size) {
  size_t hlen, hstart, avail;
  uint64_t numel, need;
  hdr h;
  wasmgraph_status st;
  if (err && err_size) err[0] = '\0';
  if (!out) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  if (!buf) size = 0;
  if (memcmp(buf ? buf : npy_magic, npy_magic, size < 6 ? size : 6) != 0 || size == 0)
    return failf(err, err_size, "bad magic (not a .npy file)");
  if (size < 8) return failf(err, err_size, "truncated: %zu bytes, no room for the version", size);
  if (buf[6] == 1) {
    hstart = 10;
  } else if (buf[6] == 2 || buf[6] == 3) {
    hstart = 12;
  } else {
    return failf(err, err_size, "unsupported .npy format version %u.%u", (unsigned)buf[6],
                 (unsigned)buf[7]);
  }
  if (size < hstart)
    return failf(err, err_size, "truncated: %zu bytes, the preamble needs %zu", size, hstart);
  hlen = hstart == 10
             ? (size_t)buf[8] | (size_t)buf[9] << 8
             : (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
  if (hlen > NPY_MAX_HEADER)
    return failf(err, err_size, "header too long (%zu bytes, at most %u)", hlen, NPY_MAX_HEADER);
  if (size - hstart < hlen)
    return failf(err, err_size, "truncated header: need %zu bytes, have %zu", hlen, size - hstart);
  h.s = (const char *)buf + hstart;
  h.n = hlen;
  h.i = 0;
  h.err = err;
  h.err_size = err_size;
  if ((st = parse_header(&h, out))) {
    memset(out, 0, sizeof *out);
    return st;
  }

  if (!numel_of(out->shape, out->ndim, &numel) || numel > UINT64_MAX / elem_bytes(out->dtype)) {
    memset(out, 0, sizeof *out);
    return failf(err, err_size, "shape overflows");
  }
  need = numel * elem_bytes(out->dtype);
  avail = size - hstart - hlen;
  if (need > avail) {
    memset(out, 0, sizeof *out);
    return failf(err, err_size, "data truncated: need %llu bytes, have %zu",
                 (unsigned long long)need, avail);
  }
  if (need < avail) {
    memset(out, 0, sizeof *out);
    return failf(err, err_size, "%zu trailing bytes after the data", avail - (size_t)need);
  }
  out->nbytes = (size_t)need;
  out->data = malloc(need ? (size_t)need : 1);
  if (!out->data) {
    memset(out, 0, sizeof *out);
    if (err && err_size)
      snprintf(err, err_size, "out of memory (%llu bytes)", (unsigned long long)need);
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  if (need) memcpy(out->data, buf + hstart + hlen, (size_t)need);
  return WASMGRAPH_OK;
}

wasmgraph_status npy_load(const char *path, npy_array *out, char *err, size_t err_size) {
  FILE *f;
  uint8_t *buf = NULL;
  struct stat sb;
  size_t len;
  char msg[256];
  wasmgraph_status st;
  if (err && err_size) err[0] = '\0';
  if (!out || !path) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  f = fopen(path, "rb");
  if (!f) {
    if (err && err_size) snprintf(err, err_size, "%s: %s", path, strerror(errno));
    return WASMGRAPH_ERR_IO;
  }
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (err && err_size) snprintf(err, err_size, "%s: not a regular file", path);
    fclose(f);
    return WASMGRAPH_ERR_IO;
  }
  len = (size_t)sb.st_size;
  buf = malloc(len ? len : 1);
  if (!buf) {
    fclose(f);
    if (err && err_size) snprintf(err, err_size, "%s: out of memory", path);
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  if (fread(buf, 1, len, f) != len) {
    if (err && err_size) snprintf(err, err_size, "%s: read error: %s", path, strerror(errno));
    free(buf);
    fclose(f);
    return WASMGRAPH_ERR_IO;
  }
  fclose(f);
  st = npy_parse(buf, len, out, msg, sizeof msg);
  free(buf);
  if (st && err && err_size) snprintf(err, err_size, "%s: %s", path, msg);
  return st;
}

static const char *dtype_to_descr(wasmgraph_dtype t) {
  if (t.lanes != 1) return NULL;
  switch (t.code) {
    case WASMGRAPH_DTYPE_FLOAT:
      return t.bits == 16 ? "<f2" : t.bits == 32 ? "<f4" : t.bits == 64 ? "<f8" : NULL;
    case WASMGRAPH_DTYPE_INT:
      return t.bits == 8    ? "|i1"
             : t.bits == 16 ? "<i2"
             : t.bits == 32 ? "<i4"
             : t.bits == 64 ? "<i8"
                            : NULL;
    case WASMGRAPH_DTYPE_UINT:
      return t.bits == 1    ? "|b1"
             : t.bits == 8  ? "|u1"
             : t.bits == 16 ? "<u2"
             : t.bits == 32 ? "<u4"
             : t.bits == 64 ? "<u8"
                            : NULL;
    default:
      return NULL;
  }
}

wasmgraph_status npy_save(const char *path, wasmgraph_dtype dtype, int ndim, const int64_t *shape,
                          const void *data, size_t nbytes, char *err, size_t err_size) {
  const char *descr = dtype_to_descr(dtype);
  char header[1024];
  size_t len, total;
  uint64_t numel;
  FILE *f;
  int n;
  if (err && err_size) err[0] = '\0';
  if (!path) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  if (!descr) {
    if (err && err_size)
      snprintf(err, err_size, "%s: no .npy type for dtype (code %u, bits %u, lanes %u)", path,
               (unsigned)dtype.code, (unsigned)dtype.bits, (unsigned)dtype.lanes);
    return WASMGRAPH_ERR_UNSUPPORTED;
  }
  if (ndim < 0 || ndim > WASMGRAPH_MAX_NDIM || !numel_of(shape, ndim, &numel) ||
      numel > SIZE_MAX / elem_bytes(dtype) || numel * elem_bytes(dtype) != nbytes ||
      (!data && nbytes)) {
    if (err && err_size)
      snprintf(err, err_size, "%s: shape, data and size (%zu bytes) do not agree", path, nbytes);
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }

  /* 10-byte preamble + dict + spaces + '\n', a multiple of 64 in total. */
  n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int i = 0; i < ndim; i++)
    n += snprintf(header + n, sizeof header - (size_t)n, "%s%lld", i ? ", " : "",
                  (long long)shape[i]);
  n += snprintf(header + n, sizeof header - (size_t)n, "%s), }", ndim == 1 ? "," : "");
  len = (size_t)n;
  total = (10 + len + 1 + 63) / 64 * 64;
  while (10 + len + 1 < total) header[len++] = ' ';
  header[len++] = '\n';

  f = fopen(path, "wb");
  if (!f) {
    if (err && err_size) snprintf(err, err_size, "%s: %s", path, strerror(errno));
    return WASMGRAPH_ERR_IO;
  }
  {
    uint8_t pre[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(len & 0xff), (uint8_t)(len >> 8)};
    bool ok = fwrite(pre, 1, sizeof pre, f) == sizeof pre && fwrite(header, 1, len, f) == len &&
              (nbytes == 0 || fwrite(data, 1, nbytes, f) == nbytes);
    int saved = errno;
    if (fclose(f) != 0 && ok) {
      ok = false;
      saved = errno;
    }
    if (!ok) {
      remove(path);
      if (err && err_size) snprintf(err, err_size, "%s: write failed: %s", path, strerror(saved));
      return WASMGRAPH_ERR_IO;
    }
  }
  return WASMGRAPH_OK;
}

void npy_free(npy_array *a) {
  if (!a) return;
  free(a->data);
  memset(a, 0, sizeof *a);
}
