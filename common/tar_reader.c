/*
 * tar_reader.c — a bounds-checked reader for uncompressed tar archives.
 *
 * Layout: 512-byte blocks. Each member is one header block (name[100]@0,
 * size[12]@124, chksum[8]@148, typeflag@156, magic[6]@257, prefix[155]@345)
 * followed by its data padded to a whole block; an all-zero block ends the
 * archive. Variants handled, since Python's tarfile (tvmc, MLF) writes pax
 * and GNU tar writes GNU headers:
 *   ustar  (magic "ustar\0"): the name is prefix + "/" + name;
 *   GNU    (magic "ustar  "): a 'L' member carries the next member's long name,
 *          'K' a long link name (skipped); sizes may be base-256 (high bit set);
 *   pax    'x' records "LEN key=value\n" override path and size of the next
 *          member; 'g' global records are skipped.
 * Invariants: every header's checksum is verified (unsigned or signed sum);
 * every size is parsed with overflow checks and compared with the bytes left
 * before any pointer is formed; names are copied and capped at 4096 bytes.
 * Nothing is written to disk and member names are never used as paths.
 */
#include "tar_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAR_BLOCK 512u
#define TAR_MAX_MEMBERS 100000
#define TAR_MAX_NAME 4096u

static void fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t err_size, const char *fmt, ...) {
  if (!err || !err_size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
}

/* Octal (NUL/space padded) or GNU base-256 (first byte 0x80) number field. */
static bool parse_number(const uint8_t *f, size_t n, uint64_t *out) {
  uint64_t v = 0;
  if (f[0] & 0x80) {
    if (f[0] != 0x80) return false; /* negative or malformed */
    for (size_t i = 1; i < n; i++) {
      if (v >> 56) return false;
      v = (v << 8) | f[i];
    }
    *out = v;
    return true;
  }
  size_t i = 0;
  while (i < n && (f[i] == ' ' || f[i] == 0)) i++;
  if (i == n) { /* an empty field means 0 */
    *out = 0;
    return true;
  }
  for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 61) return false;
    v = (v << 3) | (uint64_t)(f[i] - '0');
  }
  for (; i < n; i++)
    if (f[i] != ' ' && f[i] != 0) return false;
  *out = v;
  return true;
}

static bool checksum_ok(const uint8_t *h) {
  uint64_t want;
  if (!parse_number(h + 148, 8, &want)) return false;
  uint64_t usum = 0;
  int64_t ssum = 0;
  for (size_t i = 0; i < TAR_BLOCK; i++) {
    uint8_t b = (i >= 148 && i < 156) ? (uint8_t)' ' : h[i];
    usum += b;
    ssum += (int8_t)b;
  }
  return usum == want || (ssum >= 0 && (uint64_t)ssum == want);
}

static bool all_zero(const uint8_t *h) {
  for (size_t i = 0; i < TAR_BLOCK; i++)
    if (h[i]) return false;
  return true;
}

bool wg_tar_sniff(const uint8_t *data, size_t size) {
  return data && size >= TAR_BLOCK && memcmp(data + 257, "ustar", 5) == 0 && checksum_ok(data);
}

/* malloc'd copy of s[0..n) with "./" and "/" prefixes and trailing "/"
 * removed; NULs and control bytes become '?'. */
static char *normalise(const uint8_t *s, size_t n) {
  for (;;) {
    if (n >= 2 && s[0] == '.' && s[1] == '/') {
      s += 2;
      n -= 2;
    } else if (n >= 1 && s[0] == '/') {
      s++;
      n--;
    } else {
      break;
    }
  }
  while (n && s[n - 1] == '/') n--;
  if (n == 1 && s[0] == '.') n = 0;
  char *r = malloc(n + 1);
  if (!r) return NULL;
  for (size_t i = 0; i < n; i++) r[i] = s[i] < 0x20 ? '?' : (char)s[i];
  r[n] = 0;
  return r;
}

/* The header's own name: POSIX ustar joins prefix and name. */
static char *header_name(const uint8_t *h) {
  uint8_t buf[155 + 1 + 100];
  size_t n = 0;
  if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345]) {
    const uint8_t *prefix = h + 345;
    size_t plen = 0;
    while (plen < 155 && prefix[plen]) plen++;
    memcpy(buf, prefix, plen);
    n = plen;
    buf[n++] = '/';
  }
  size_t len = 0;
  while (len < 100 && h[len]) len++;
  memcpy(buf + n, h, len);
  return normalise(buf, n + len);
}

/* Pax extended header records: "LEN key=value\n"; keeps path and size. */
static bool parse_pax(const uint8_t *d, size_t n, char **path, bool *has_size, uint64_t *size) {
  size_t pos = 0;
  while (pos < n) {
    size_t len = 0, i = pos;
    while (i < n && d[i] >= '0' && d[i] <= '9') {
      if (len > TAR_MAX_NAME * 4) return false;
      len = len * 10 + (size_t)(d[i] - '0');
      i++;
    }
    if (i == pos || i >= n || d[i] != ' ' || len < i - pos + 3 || len > n - pos) return false;
    size_t end = pos + len; /* one past the '\n' */
    if (d[end - 1] != '\n') return false;
    const uint8_t *key = d + i + 1;
    const uint8_t *eq = memchr(key, '=', (size_t)(d + end - 1 - key));
    if (!eq) return false;
    size_t klen = (size_t)(eq - key), vlen = (size_t)(d + end - 1 - (eq + 1));
    if (klen == 4 && memcmp(key, "path", 4) == 0) {
      if (vlen > TAR_MAX_NAME) return false;
      free(*path);
      if (!(*path = normalise(eq + 1, vlen))) return false;
    } else if (klen == 4 && memcmp(key, "size", 4) == 0) {
      uint64_t v = 0;
      if (vlen == 0 || vlen > 19) return false;
      for (size_t k = 0; k < vlen; k++) {
        uint8_t c = eq[1 + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (uint64_t)(c - '0');
      }
      *has_size = true;
      *size = v;
    }
    pos = end;
  }
  return true;
}

static bool add_member(wg_tar_archive *a, char *name, char type, const uint8_t *data, size_t size) {
  wg_tar_member *m = realloc(a->members, (size_t)(a->count + 1) * sizeof *m);
  if (!m) return false;
  a->members = m;
  m[a->count++] = (wg_tar_member){name, type, data, size};
  return true;
}

wasmgraph_status wg_tar_read(const uint8_t *data, size_t size, wg_tar_archive *out, char *err,
                             size_t err_size) {
  memset(out, 0, sizeof *out);
  char *pending_name = NULL; /* from a GNU 'L' member or a pax "path" */
  bool pending_has_size = false, pending_meta = false;
  uint64_t pending_size = 0;
  wasmgraph_status st = WASMGRAPH_ERR_FORMAT;
  size_t pos = 0;
  if (!data || size < TAR_BLOCK || memcmp(data + 257, "ustar", 5) != 0) {
    fail(err, err_size, "not a tar archive (no ustar header)");
    return WASMGRAPH_ERR_FORMAT;
  }
  while (pos < size) {
    if (size - pos < TAR_BLOCK) {
      fail(err, err_size, "truncated tar: header at offset 0x%zx needs 512 bytes, %zu left", pos,
           size - pos);
      goto fail;
    }
    const uint8_t *h = data + pos;
    if (all_zero(h)) break;
    if (!checksum_ok(h)) {
      fail(err, err_size, "bad tar header checksum at offset 0x%zx", pos);
      goto fail;
    }
    uint64_t fsize;
    if (!parse_number(h + 124, 12, &fsize)) {
      fail(err, err_size, "bad tar size field at offset 0x%zx", pos);
      goto fail;
    }
    char type = (char)h[156];
    if (pending_has_size && type != 'L' && type != 'x' && type != 'K' && type != 'g')
      fsize = pending_size;
    size_t data_off = pos + TAR_BLOCK;
    size_t left = size - data_off;
    if (fsize > left) {
      char *shown = pending_name ? NULL : header_name(h);
      fail(err, err_size, "truncated tar: member '%s' at offset 0x%zx needs %llu bytes, %zu left",
           pending_name ? pending_name
           : shown      ? shown
                        : "?",
           pos, (unsigned long long)fsize, left);
      free(shown);
      goto fail;
    }
    size_t n = (size_t)fsize;
    const uint8_t *body = data + data_off;
    size_t padded = n + (TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK;
    switch (type) {
      case 'L': {
        size_t len = 0;
        while (len < n && body[len]) len++;
        if (len > TAR_MAX_NAME) {
          fail(err, err_size, "tar: long name at offset 0x%zx exceeds %u bytes", pos, TAR_MAX_NAME);
          goto fail;
        }
        free(pending_name);
        if (!(pending_name = normalise(body, len))) goto oom;
        pending_meta = true;
        break;
      }
      case 'x':
        if (!parse_pax(body, n, &pending_name, &pending_has_size, &pending_size)) {
          fail(err, err_size, "tar: malformed pax header at offset 0x%zx", pos);
          goto fail;
        }
        pending_meta = true;
        break;
      case 'K': /* long link name: irrelevant here */
      case 'g': /* pax global header */
        break;
      default: {
        if (out->count >= TAR_MAX_MEMBERS) {
          fail(err, err_size, "tar: more than %d members", TAR_MAX_MEMBERS);
          goto fail;
        }
        char *name = pending_name ? pending_name : header_name(h);
        pending_name = NULL;
        if (!name) goto oom;
        if (type == 0 || type == '7') type = '0';
        if (!add_member(out, name, type, body, n)) {
          free(name);
          goto oom;
        }
        pending_meta = pending_has_size = false;
        break;
      }
    }
    /* A missing final padding is tolerated: the member itself is complete. */
    pos = padded <= left ? data_off + padded : size;
  }
  if (pending_meta) {
    fail(err, err_size, "truncated tar: a long-name or pax header is not followed by a member");
    goto fail;
  }
  free(pending_name);
  return WASMGRAPH_OK;
oom:
  fail(err, err_size, "out of memory");
  st = WASMGRAPH_ERR_NO_MEMORY;
fail:
  free(pending_name);
  wg_tar_archive_free(out);
  return st;
}

void wg_tar_archive_free(wg_tar_archive *a) {
  if (!a) return;
  for (int i = 0; i < a->count; i++) free(a->members[i].name);
  free(a->members);
  memset(a, 0, sizeof *a);
}

const wg_tar_member *wg_tar_find(const wg_tar_archive *a, const char *name) {
  for (int i = 0; i < a->count; i++)
    if (a->members[i].type == '0' && strcmp(a->members[i].name, name) == 0) return &a->members[i];
  return NULL;
}
