/*
 * text_buf.h — what the text rewrites of wasm2c's output share
 * (memory_rewrite.c, convert_rewrite.c, interrupt_rewrite.c): a growable
 * output buffer that remembers running out of memory instead of failing
 * each call, and the two scanning helpers they all use.
 */
#ifndef WASMGRAPH_TEXT_BUF_H_
#define WASMGRAPH_TEXT_BUF_H_

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The rewritten text so far, NUL-terminated; d is NULL until the first put.
 * After a failed allocation `oom` is set and every later put does nothing,
 * so a rewrite checks once, at the end. */
typedef struct wgc_text_buf {
  char *d;
  size_t n, cap;
  bool oom;
} wgc_text_buf;

static inline void wgc_text_put(wgc_text_buf *o, const char *s, size_t n) {
  if (o->oom) return;
  if (!o->d || o->n + n + 1 > o->cap) {
    size_t cap = (o->n + n + 1) * 2;
    char *d = realloc(o->d, cap);
    if (!d) {
      o->oom = true;
      return;
    }
    o->d = d;
    o->cap = cap;
  }
  memcpy(o->d + o->n, s, n);
  o->n += n;
  o->d[o->n] = 0;
}

static inline void wgc_text_puts(wgc_text_buf *o, const char *s) { wgc_text_put(o, s, strlen(s)); }

/* A character of a C identifier. */
static inline bool wgc_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* memmem over [s, s+n) for a C string. */
static inline const char *wgc_text_find(const char *s, size_t n, const char *needle) {
  return memmem(s, n, needle, strlen(needle));
}

#endif
