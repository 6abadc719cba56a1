/*
 * interrupt_rewrite.c — interrupt checks in wasm2c 1.0.39's output, so that
 * a run can be stopped by a deadline or wasmgraph_executor_interrupt
 * (docs/security.md#deadlines). Applied after memory_rewrite.c.
 *
 * In every guest function (a function body with wasm2c's `FUNC_PROLOGUE;`
 * line: every wasm function has one, nothing else does) it adds
 *   - WASM_RT_CHECK_INTERRUPT(instance->w2c_env_memory); after the prologue:
 *     any recursion, direct or through call_indirect, passes it;
 *   - the same check on the line after every call of a host import
 *     (w2c_env_NAME(instance->w2c_env_instance, ...)): a host import is never
 *     stopped in the middle, so the check follows its return. Not after
 *     roundf and round: they return in constant time, the pipeline inlines
 *     them (compiler/llvm/inline_round.c), and a check after each would only
 *     split the caller's code between the four lanes of a vector that TVM
 *     rounds one by one, which round_lanes.c then cannot join; nor after
 *     TVMBackendAllocWorkspace and TVMBackendFreeWorkspace, which return in
 *     constant time too and would otherwise split a kernel's item loop
 *     (compiler/llvm/jam_prep.c); the next loop edge or function entry still
 *     checks. (memset no longer appears as an import call: memory_rewrite.c
 *     writes it inline);
 *   - WASM_RT_CHECK_INTERRUPT_LOOP(...) right after every loop label
 *     (`var_L<n>:`). wasm2c's C has no other cycles: a wasm `loop` is a label
 *     at its start and `goto`s back to it, `block` labels sit at the block's
 *     end, so every backward goto targets a loop label. The rewrite checks
 *     that (every goto to a label above it names a var_L label; no C loop
 *     keyword appears) and refuses anything else.
 * At -O2 and above the loop macro expands to nothing and
 * compiler/llvm/interrupt_checks.c places loop checks after optimization
 * instead (WASM_RT_LATE_LOOP_CHECKS, cc.c); the macros are in wasm-rt.h.
 *
 * Unlike memory_rewrite.c this rewrite is not optional: a module whose text
 * it does not understand is refused, because an unchecked loop could never
 * be stopped.
 */
#include "interrupt_rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_buf.h"

#define MEM "instance->w2c_env_memory"
#define ENTRY_CHECK "  WASM_RT_CHECK_INTERRUPT(" MEM ");"
#define LOOP_CHECK " WASM_RT_CHECK_INTERRUPT_LOOP(" MEM ");"

/* [s, s+n) without leading and trailing blanks. */
static void trim(const char **s, size_t *n) {
  while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
  while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r')) (*n)--;
}

/* The length of a label definition `var_X...:` (with optional `;`) that is
 * the whole trimmed line, else 0; *name_len is the label's length. */
static size_t label_def(const char *s, size_t n, size_t *name_len) {
  if (n < 6 || memcmp(s, "var_", 4) != 0) return 0;
  size_t k = 4;
  while (k < n && wgc_ident_char(s[k])) k++;
  if (k == n || s[k] != ':') return 0;
  if (k + 1 != n && !(k + 2 == n && s[k + 1] == ';')) return 0;
  *name_len = k;
  return n;
}

/* A loop label: var_L<digits>. */
static bool is_loop_label(const char *s, size_t n) {
  if (n < 6 || memcmp(s, "var_L", 5) != 0) return false;
  for (size_t i = 5; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* True if [s, s+n) holds the C keyword `kw` as a whole word. */
static bool has_word(const char *s, size_t n, const char *kw) {
  size_t k = strlen(kw);
  for (const char *p = wgc_text_find(s, n, kw); p;
       p = wgc_text_find(p + 1, (size_t)(s + n - p - 1), kw)) {
    bool before = p > s && wgc_ident_char(p[-1]);
    bool after = p + k < s + n && wgc_ident_char(p[k]);
    if (!before && !after) return true;
  }
  return false;
}

/* Calls of host imports in the line: w2c_env_NAME(instance->w2c_env_instance. */
static unsigned import_calls(const char *s, size_t n) {
  unsigned count = 0;
  for (const char *p = wgc_text_find(s, n, "w2c_env_"); p;
       p = wgc_text_find(p + 1, (size_t)(s + n - p - 1), "w2c_env_")) {
    if (p > s && wgc_ident_char(p[-1])) continue;
    const char *q = p + 8;
    while (q < s + n && wgc_ident_char(*q)) q++;
    static const char arg[] = "(instance->w2c_env_instance";
    if ((size_t)(s + n - q) >= sizeof arg - 1 && memcmp(q, arg, sizeof arg - 1) == 0) count++;
  }
  return count;
}

/* Whether the line's host import call is one of the constant-time imports
 * that get no check after them (see the top of the file). */
static bool unchecked_import(const char *s, size_t n) {
  static const char *const names[] = {"w2c_env_roundf(instance->w2c_env_instance",
                                      "w2c_env_round(instance->w2c_env_instance",
                                      "w2c_env_TVMBackendAllocWorkspace(instance->w2c_env_instance",
                                      "w2c_env_TVMBackendFreeWorkspace(instance->w2c_env_instance"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *p = wgc_text_find(s, n, names[i]);
    if (p && (p == s || !wgc_ident_char(p[-1]))) return true;
  }
  return false;
}

/* The length of the function definition header at p: "<type> w2c_<M>_<name>(w2c_<M>*
 * instance...) {" (<type> is a C type or, for several results,
 * "struct wasm_multi_<types>") on one line, or continued on indented lines when wasm2c
 * wraps a long parameter list (its last line ends in ") {"); 0 if p is no
 * such header. */
static size_t function_header(const char *start, const char *end, const char *m) {
  const char *p = start, *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  size_t i = 0;
  /* a function with several results returns `struct wasm_multi_<types>` */
  static const char multi[] = "struct wasm_multi_";
  if (n > sizeof multi - 1 && memcmp(p, multi, sizeof multi - 1) == 0) i = sizeof multi - 1;
  while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '*'))
    i++;
  if (!i || i >= n || p[i] != ' ') return 0;
  char head[300];
  int w = snprintf(head, sizeof head, " w2c_%s_", m);
  if (w <= 0 || (size_t)w >= sizeof head || n - i < (size_t)w || memcmp(p + i, head, (size_t)w))
    return 0;
  w = snprintf(head, sizeof head, "(w2c_%s* instance", m);
  if (w <= 0 || (size_t)w >= sizeof head || !wgc_text_find(p, n, head) || memchr(p, ';', n))
    return 0;
  for (int lines = 0; lines < 64; lines++) {
    if (n >= 3 && memcmp(p + n - 3, ") {", 3) == 0) return (size_t)(p + n - start);
    if (memchr(p, '{', n) || !nl) return 0;
    /* a continuation line: indented parameters, no statement */
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (!n || p[0] != ' ' || memchr(p, ';', n)) return 0;
  }
  return 0;
}

typedef struct line {
  const char *s;
  size_t n;
} line;

/* A label defined in a function body: its name and line. */
typedef struct label {
  const char *name;
  size_t len, at;
} label;

/* Why the guest function body l[0..count) cannot be instrumented, or NULL.
 * `labels` has room for `count` entries. */
static const char *body_blocker(const line *l, size_t count, label *labels) {
  size_t nlabels = 0;
  for (size_t i = 0; i < count; i++) {
    const char *s = l[i].s;
    size_t n = l[i].n, name_len;
    trim(&s, &n);
    if (label_def(s, n, &name_len)) labels[nlabels++] = (label){s, name_len, i};
  }
  for (size_t i = 0; i < count; i++) {
    const char *s = l[i].s;
    size_t n = l[i].n;
    trim(&s, &n);
    if (has_word(s, n, "while") || has_word(s, n, "for") || has_word(s, n, "do"))
      return "a C loop statement";
    if (wgc_text_find(s, n, "setjmp") || wgc_text_find(s, n, "wasm_rt_try") ||
        wgc_text_find(s, n, "tail_call_stack"))
      return "exceptions or tail calls";
    if (import_calls(s, n)) {
      if (import_calls(s, n) > 1 || !n || s[n - 1] != ';' || memchr(s, '{', n) || memchr(s, '}', n))
        return "a host import call that is not a statement of its own";
    }
    /* every goto to a label defined above it must name a loop label */
    for (const char *g = wgc_text_find(s, n, "goto "); g;
         g = wgc_text_find(g + 1, (size_t)(s + n - g - 1), "goto ")) {
      const char *t = g + 5, *e = t;
      while (e < s + n && wgc_ident_char(*e)) e++;
      size_t tn = (size_t)(e - t);
      for (size_t j = 0; j < nlabels && labels[j].at <= i; j++)
        if (labels[j].len == tn && memcmp(labels[j].name, t, tn) == 0 && !is_loop_label(t, tn))
          return "a backward goto to a label that is not a loop label";
    }
  }
  return NULL;
}

/* Writes the body with its checks; counts them. */
static void emit_body(wgc_text_buf *o, const line *l, size_t count, wgc_interrupt_stats *st) {
  for (size_t i = 0; i < count; i++) {
    const char *s = l[i].s;
    size_t n = l[i].n, name_len;
    trim(&s, &n);
    if (label_def(s, n, &name_len) && is_loop_label(s, name_len)) {
      wgc_text_put(o, l[i].s,
                   (size_t)(s + n - l[i].s)); /* "  var_L1:" without the blank after it */
      wgc_text_puts(o, LOOP_CHECK);
      st->loops++;
    } else {
      wgc_text_put(o, l[i].s, l[i].n);
    }
    wgc_text_put(o, "\n", 1);
    if (n == 14 && memcmp(s, "FUNC_PROLOGUE;", 14) == 0) {
      wgc_text_puts(o, ENTRY_CHECK "\n");
      st->functions++;
    } else if (import_calls(s, n) && !unchecked_import(s, n)) {
      wgc_text_puts(o, ENTRY_CHECK "\n");
      st->imports++;
    }
  }
}

char *wgc_interrupt_rewrite_text(const char *text, size_t len, const char *m,
                                 wgc_interrupt_stats *st, const char **why) {
  memset(st, 0, sizeof *st);
  *why = NULL;
  if (strlen(m) > 200) {
    *why = "the module name is too long";
    return NULL;
  }
  if (!wgc_text_find(text, len, "\n  " MEM " = w2c_env_memory(w2c_env_instance);\n")) {
    *why = "the module does not import its memory as env.memory";
    return NULL;
  }
  wgc_text_buf o = {0};
  line *body = NULL;
  label *labels = NULL;
  size_t body_cap = 0;
  const char *p = text, *end = text + len;
  while (p < end && !o.oom && !*why) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    size_t header = nl ? function_header(p, end, m) : 0;
    if (header) {
      n = header; /* the whole header, wrapped or not */
      nl = p + header < end && p[header] == '\n' ? p + header : NULL;
    }
    if (!nl || !header) {
      const char *s = p;
      size_t k = n;
      trim(&s, &k);
      if (k >= 14 && memcmp(s, "FUNC_PROLOGUE;", 14) == 0)
        *why = "a function wasm2c wrote in an unknown shape";
      if (wgc_text_find(p, n, "wasm_tailcall_w2c_")) *why = "tail calls";
      wgc_text_put(&o, p, nl ? n + 1 : n);
      p = nl ? nl + 1 : end;
      continue;
    }
    wgc_text_put(&o, p, n + 1);
    const char *q = nl + 1;
    size_t count = 0;
    bool closed = false, guest = false;
    while (q < end) {
      const char *qn = memchr(q, '\n', (size_t)(end - q));
      size_t k = qn ? (size_t)(qn - q) : (size_t)(end - q);
      if (k == 1 && q[0] == '}') {
        closed = true;
        break;
      }
      if (count == body_cap) {
        size_t cap = body_cap ? body_cap * 2 : 256;
        line *nb = realloc(body, cap * sizeof *nb);
        if (nb) body = nb;
        label *nl = nb ? realloc(labels, cap * sizeof *nl) : NULL;
        if (nl) labels = nl;
        if (!nb || !nl) {
          o.oom = true;
          break;
        }
        body_cap = cap;
      }
      body[count++] = (line){q, k};
      const char *s = q;
      size_t t = k;
      trim(&s, &t);
      if (t == 14 && memcmp(s, "FUNC_PROLOGUE;", 14) == 0) guest = true;
      q = qn ? qn + 1 : end;
    }
    if (o.oom) break;
    if (!closed) {
      *why = "a function body not closed by \"}\" in column 0";
      break;
    }
    if (guest) {
      const char *blocked = body_blocker(body, count, labels);
      if (blocked) {
        *why = blocked;
        break;
      }
      emit_body(&o, body, count, st);
    } else {
      for (size_t i = 0; i < count; i++) {
        wgc_text_put(&o, body[i].s, body[i].n);
        wgc_text_put(&o, "\n", 1);
      }
    }
    wgc_text_put(&o, "}", 1); /* the closing line; its newline is copied with the next line */
    p = q + 1;
  }
  free(body);
  free(labels);
  if (!*why && !o.oom && st->functions == 0) *why = "no guest function (no FUNC_PROLOGUE line)";
  if (o.oom || *why) {
    free(o.d);
    memset(st, 0, sizeof *st);
    return NULL;
  }
  return o.d ? o.d : strdup("");
}

wasmgraph_status wgc_interrupt_rewrite(wgc_ctx *ctx, const char *c_path, const char *m,
                                       wgc_interrupt_stats *st) {
  wgc_buf b;
  memset(st, 0, sizeof *st);
  wasmgraph_status rc = wgc_read_file(ctx, c_path, &b);
  if (rc != WASMGRAPH_OK) return rc;
  const char *why = NULL;
  char *out = wgc_interrupt_rewrite_text((const char *)b.data, b.size, m, st, &why);
  wgc_buf_free(&b);
  if (!out && !why) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (!out)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "%s: cannot add interrupt checks to wasm2c's output (%s); without them a run "
                    "of this module could not be stopped",
                    c_path, why);
  rc = wgc_write_file(ctx, c_path, out, strlen(out));
  free(out);
  return rc;
}
