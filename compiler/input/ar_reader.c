/*
 * ar_reader.c — a bounds-checked reader for `ar` archives.
 *
 * Layout: the 8-byte magic "!<arch>\n", then members, each a 60-byte ASCII
 * header (name[16] date[12] uid[6] gid[6] mode[8] size[10] "`\n") followed by
 * `size` bytes and one pad byte when `size` is odd. Special members:
 * "/" and "/SYM64/" (symbol index, skipped), "//" (GNU long-name table:
 * names end in "/\n"; a member named "/123" takes its name from offset 123),
 * "__.SYMDEF*" (BSD index, skipped) and "#1/N" (BSD: the first N data bytes
 * hold the name). Every size is parsed as decimal with an overflow check and
 * compared with the bytes left before use.
 */
#include "ar_reader.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(char *err, size_t err_size, const char *fmt, ...) {
  if (!err || !err_size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
}

/* Parses a space-padded decimal field. */
static bool parse_dec(const uint8_t *f, size_t n, size_t *out) {
  size_t v = 0, i = 0;
  while (i < n && f[i] == ' ') i++;
  if (i == n || f[i] < '0' || f[i] > '9') return false;
  for (; i < n && f[i] >= '0' && f[i] <= '9'; i++) {
    if (v > (SIZE_MAX - 9) / 10) return false;
    v = v * 10 + (size_t)(f[i] - '0');
  }
  for (; i < n; i++)
    if (f[i] != ' ') return false;
  *out = v;
  return true;
}

static char *dup_trimmed(const uint8_t *s, size_t n) {
  while (n && (s[n - 1] == ' ' || s[n - 1] == '/' || s[n - 1] == '\n')) n--;
  char *r = malloc(n + 1);
  if (!r) return NULL;
  memcpy(r, s, n);
  r[n] = 0;
  for (size_t i = 0; i < n; i++)
    if (!r[i]) r[i] = '?';
  return r;
}

wasmgraph_status wgc_ar_read(const uint8_t *data, size_t size, wgc_ar_archive *out, char *err,
                             size_t err_size) {
  memset(out, 0, sizeof *out);
  if (size < 8 || memcmp(data, "!<arch>\n", 8) != 0) {
    fail(err, err_size, "not an ar archive");
    return WASMGRAPH_ERR_FORMAT;
  }
  const uint8_t *longnames = NULL;
  size_t longnames_size = 0;
  size_t pos = 8;
  int cap = 0, index = 0;
  while (pos < size) {
    index++;
    if (size - pos < 60) {
      fail(err, err_size,
           "truncated archive: member %d header at offset 0x%zx needs 60 bytes, "
           "%zu left",
           index, pos, size - pos);
      goto bad;
    }
    const uint8_t *h = data + pos;
    size_t msize;
    if (h[58] != '`' || h[59] != '\n' || !parse_dec(h + 48, 10, &msize)) {
      fail(err, err_size, "malformed archive: member %d header at offset 0x%zx", index, pos);
      goto bad;
    }
    pos += 60;
    if (msize > size - pos) {
      fail(err, err_size,
           "truncated archive: member %d at offset 0x%zx needs %zu bytes, %zu "
           "left",
           index, pos, msize, size - pos);
      goto bad;
    }
    const uint8_t *body = data + pos;
    size_t body_size = msize;
    char *name = NULL;
    bool skip = false;
    if (memcmp(h, "/               ", 16) == 0 || memcmp(h, "/SYM64/         ", 16) == 0 ||
        memcmp(h, "__.SYMDEF", 9) == 0) {
      skip = true;
    } else if (memcmp(h, "//              ", 16) == 0) {
      longnames = body;
      longnames_size = body_size;
      skip = true;
    } else if (h[0] == '/' && h[1] >= '0' && h[1] <= '9') {
      size_t off;
      if (!parse_dec(h + 1, 15, &off) || !longnames || off >= longnames_size) {
        fail(err, err_size, "malformed archive: member %d has a bad long-name reference", index);
        goto bad;
      }
      const uint8_t *s = longnames + off;
      size_t n = 0;
      while (off + n < longnames_size && s[n] != '\n') n++;
      name = dup_trimmed(s, n);
    } else if (memcmp(h, "#1/", 3) == 0) {
      size_t n;
      if (!parse_dec(h + 3, 13, &n) || n > body_size) {
        fail(err, err_size, "malformed archive: member %d has a bad BSD name length", index);
        goto bad;
      }
      name = dup_trimmed(body, n);
      body += n;
      body_size -= n;
    } else {
      name = dup_trimmed(h, 16);
    }
    if (!skip) {
      if (!name) goto oom;
      if (out->count == cap) {
        int ncap = cap ? cap * 2 : 4;
        wgc_ar_member *m = realloc(out->members, (size_t)ncap * sizeof *m);
        if (!m) {
          free(name);
          goto oom;
        }
        out->members = m;
        cap = ncap;
      }
      out->members[out->count++] = (wgc_ar_member){name, body, body_size};
    }
    pos += msize;
    if ((msize & 1) && pos < size) pos++; /* pad byte */
  }
  return WASMGRAPH_OK;
oom:
  fail(err, err_size, "out of memory");
  wgc_ar_archive_free(out);
  return WASMGRAPH_ERR_NO_MEMORY;
bad:
  wgc_ar_archive_free(out);
  return WASMGRAPH_ERR_FORMAT;
}

void wgc_ar_archive_free(wgc_ar_archive *a) {
  if (!a) return;
  for (int i = 0; i < a->count; i++) free(a->members[i].name);
  free(a->members);
  memset(a, 0, sizeof *a);
}
