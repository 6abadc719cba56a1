/*
 * memory_rewrite.c — two text rewrites of wasm2c 1.0.39's output, applied
 * right after translation, before clang sees it.
 *
 * splat: wasm2c calls the general range-checked helper (64-bit overflow
 *   check, then a compare against size) for the SIMD splat, zero, lane and
 *   extending loads and the lane stores, where plain v128.load/store already
 *   use the `_default32` helper (no check with guard pages; one compare
 *   without). For a single unshared 32-bit memory with 64 KiB pages both
 *   helpers trap on exactly the same accesses (the address is a u32 plus a
 *   u32 offset, so nothing overflows 64 bits), so those calls are renamed to
 *   the `_default32` twin, which every DEFINE_SIMD_* macro defines.
 * copyr: every guest function copies the memory struct into a local
 *   (`wg_memv`) and passes `wg_mem = &wg_memv` to every access. The local's
 *   address never escapes, so clang keeps `data` in a register, whereas
 *   wasm2c's keep-alive asm barriers otherwise force a reload of
 *   instance->w2c_env_memory and ->data after every load. The memory can only
 *   move or grow inside a call (guest, host import, call_indirect) or
 *   memory.grow, so the copy is refreshed after every statement holding one
 *   (but for the workspace imports, which do neither); the argument of
 *   wasm_rt_grow_memory stays the real struct.
 *
 * Fail-safe: the rewrite knows the shapes wasm2c 1.0.39 emits and nothing
 * else. A file without the expected anchors is left unchanged; a function
 * with anything unexpected (a call in a line that does not end a statement,
 * a call and a memory access in one line, the memory used other than as an
 * argument, exceptions or tail calls, preprocessor lines other than Segue's)
 * is left as it was. Both are logged and counted, never errors: the result
 * is then only slower. Lines inside `#if ...SEGUE...` blocks are never
 * touched (Segue is off in our wasm-rt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "text_buf.h"

#define MEM "instance->w2c_env_memory"
#define MEM_LEN (sizeof MEM - 1)

/* ---- small text helpers ------------------------------------------------- */

static bool starts_with(const char *s, size_t n, const char *p) {
  size_t k = strlen(p);
  return n >= k && memcmp(s, p, k) == 0;
}

/* The host imports that neither run guest code nor move or grow the memory
 * (runtime/workspace.c): a call of one needs no refresh after it. */
static bool still_import(const char *name, size_t n) {
  static const char *const names[] = {"w2c_env_TVMBackendAllocWorkspace",
                                      "w2c_env_TVMBackendFreeWorkspace"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) return true;
  return false;
}

/* True if [s, s+n) calls something that may run guest or host code or move
 * the memory: w2c_<anything>( (guest functions and host imports),
 * CALL_INDIRECT( or wasm_rt_grow_memory(; with `moving`, only what may move
 * the memory (not the still imports). */
static bool has_call_of(const char *s, size_t n, bool moving) {
  for (size_t i = 0; i < n; i++) {
    if (i && wgc_ident_char(s[i - 1])) continue;
    size_t k = 0;
    if (starts_with(s + i, n - i, "w2c_")) k = 4;
    else if (starts_with(s + i, n - i, "CALL_INDIRECT(")) return true;
    else if (starts_with(s + i, n - i, "wasm_rt_grow_memory(")) return true;
    if (!k) continue;
    while (i + k < n && wgc_ident_char(s[i + k])) k++;
    if (i + k < n && s[i + k] == '(' && !(moving && still_import(s + i, k))) return true;
  }
  return false;
}

static bool has_call(const char *s, size_t n) { return has_call_of(s, n, false); }

/* ---- the file-level anchors --------------------------------------------- */

/* The SIMD helpers wasm2c calls with the general check that have a
 * _default32 twin: *_splat, *_zero, *_lane<N>, and the extending loads. */
static size_t simd_general_name(const char *s, size_t n) {
  size_t k = 0;
  while (k < n && wgc_ident_char(s[k])) k++;
  if (k < 6) return 0;
  char name[64];
  if (k >= sizeof name) return 0;
  memcpy(name, s, k);
  name[k] = 0;
  bool v128 = strncmp(name, "v128_load", 9) == 0 || strncmp(name, "v128_store", 10) == 0;
  const char *lane = strstr(name, "_lane");
  if (v128 && (strstr(name, "_splat") || strstr(name, "_zero"))) return k;
  if (v128 && lane && lane[5] >= '0' && lane[5] <= '9') return k;
  /* i16x8_load8x8, u32x4_load16x4, i64x2_load32x2, ... */
  if ((name[0] == 'i' || name[0] == 'u') && strstr(name, "x") && strstr(name, "_load") &&
      name[k - 2] == 'x')
    return k;
  return 0;
}

/* True if the preamble defines `name` through a DEFINE_SIMD_* macro (which
 * also defines name##_default32). */
static bool has_default32_twin(const char *text, size_t len, const char *name, size_t n) {
  static const char *const macros[] = {"DEFINE_SIMD_LOAD_FUNC(", "DEFINE_SIMD_LOAD_LANE(",
                                       "DEFINE_SIMD_STORE_LANE("};
  char want[128];
  for (size_t m = 0; m < sizeof macros / sizeof macros[0]; m++) {
    int w = snprintf(want, sizeof want, "%s%.*s,", macros[m], (int)n, name);
    if (w > 0 && (size_t)w < sizeof want && wgc_text_find(text, len, want)) return true;
  }
  return false;
}

/* Why splat may not run on this file, or NULL. */
static const char *splat_blocker(const char *text, size_t len, const char *m) {
  char want[300];
  if (!wgc_text_find(text, len, "\n#define IS_SINGLE_UNSHARED_MEMORY 1\n"))
    return "not a single unshared memory";
  snprintf(want, sizeof want, "\nconst u8 wasm2c_%s_is64_env_memory = 0;\n", m);
  if (!wgc_text_find(text, len, want)) return "the memory is not 32-bit";
  snprintf(want, sizeof want, "\nconst u32 wasm2c_%s_pagesize_env_memory = 65536;\n", m);
  if (!wgc_text_find(text, len, want)) return "the memory does not have 64 KiB pages";
  if (!wgc_text_find(
          text, len,
          "  static inline return_type name##_default32(wasm_rt##shared##memory_t* mem,"))
    return "no _default32 helpers (DEF_MEM_CHECKS changed)";
  return NULL;
}

/* ---- one function ------------------------------------------------------- */

typedef struct line {
  const char *s;
  size_t n;   /* without the newline */
  bool segue; /* inside an #if ...SEGUE... block */
} line;

/* Why copyr may not rewrite this function, or NULL. `*uses` counts the
 * memory uses it would replace. */
static const char *copy_blocker(const line *l, size_t count, unsigned *uses) {
  *uses = 0;
  for (size_t i = 0; i < count; i++) {
    const char *s = l[i].s;
    size_t n = l[i].n;
    if (l[i].segue) continue;
    size_t lead = 0;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t')) lead++;
    if (lead < n && s[lead] == '#') return "a preprocessor line";
    if (wgc_text_find(s, n, "wg_mem")) return "a name clash with wg_mem";
    if (wgc_text_find(s, n, "wasm_rt_try") || wgc_text_find(s, n, "setjmp") ||
        wgc_text_find(s, n, "->fn(") || wgc_text_find(s, n, "tail_call_stack"))
      return "exceptions or tail calls";
    bool call = has_call(s, n);
    unsigned here = 0;
    for (const char *p = wgc_text_find(s, n, MEM); p;
         p = wgc_text_find(p + 1, (size_t)(s + n - p - 1), MEM)) {
      size_t at = (size_t)(p - s);
      char after = at + MEM_LEN < n ? s[at + MEM_LEN] : 0;
      if (after != ',' && after != ')') return "the memory used other than as an argument";
      bool grow = at >= 20 && memcmp(p - 20, "wasm_rt_grow_memory(", 20) == 0;
      if (grow) continue;
      bool arg = (at >= 1 && p[-1] == '(') || (at >= 2 && p[-2] == '(' && p[-1] == '*') ||
                 (at >= 2 && p[-2] == ',' && p[-1] == ' ');
      if (!arg) return "the memory used other than as an argument";
      here++;
    }
    if (call) {
      size_t end = n;
      while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) end--;
      if (!end || s[end - 1] != ';') return "a call in a line that does not end a statement";
      if (here) return "a call and a memory access in one line";
    }
    *uses += here;
  }
  return NULL;
}

/* Writes line `l` with the splat and copy replacements; counts both. */
static void emit_line(wgc_text_buf *o, const line *l, bool splat, bool copy, const char *text,
                      size_t len, wgc_rewrite_stats *st, bool *splat_ok) {
  const char *s = l->s, *e = l->s + l->n;
  if (l->segue || (!splat && !copy)) {
    wgc_text_put(o, s, l->n);
    return;
  }
  while (s < e) {
    const char *p = wgc_text_find(s, (size_t)(e - s), MEM);
    if (!p) break;
    /* the callee name right before "(instance->w2c_env_memory" */
    const char *name_end = p > l->s && p[-1] == '(' ? p - 1 : p, *name = name_end;
    while (name_end < p && name > l->s && wgc_ident_char(name[-1])) name--;
    size_t nlen = (size_t)(name_end - name);
    bool grow = nlen == 19 && memcmp(name, "wasm_rt_grow_memory", 19) == 0;
    if (splat && name_end < p && name >= s && nlen && simd_general_name(name, nlen) == nlen &&
        p[MEM_LEN] == ',') {
      if (has_default32_twin(text, len, name, nlen)) {
        wgc_text_put(o, s, (size_t)(name_end - s));
        wgc_text_puts(o, "_default32(");
        st->simd_accesses++;
      } else {
        *splat_ok = false; /* caller discards the result */
        wgc_text_put(o, s, (size_t)(p - s));
      }
    } else {
      wgc_text_put(o, s, (size_t)(p - s));
    }
    wgc_text_puts(o, copy && !grow ? "wg_mem" : MEM);
    s = p + MEM_LEN;
  }
  wgc_text_put(o, s, (size_t)(e - s));
}

/* memset: a statement `X = w2c_env_memset(instance->w2c_env_instance, D, V, N);`
 * becomes `X = WG_MEMSET(wg_mem, instance->w2c_env_instance, D, V, N);`
 * (wasm-rt.h): the host import's range check against the copy, then libc's
 * memset on the guest's bytes, which LLVM sees as llvm.memset. The host
 * import can neither move the memory nor run guest code, so the line needs
 * no refresh, and interrupt_rewrite.c, no longer seeing an import call, puts
 * no check after it (a memset returns in time bounded by its length; the
 * next loop edge or function entry checks). A bad range still calls the
 * import, which records its error and traps exactly as before. Only a line
 * whose one call is the memset is rewritten. */
static bool inline_memset(wgc_text_buf *o, const line *l) {
  static const char call[] = "w2c_env_memset(instance->w2c_env_instance,";
  const char *s = l->s, *e = l->s + l->n;
  const char *p = wgc_text_find(s, l->n, call);
  if (!p || (p > s && wgc_ident_char(p[-1])) || l->n == 0 || e[-1] != ';') return false;
  const char *rest = p + sizeof call - 1;
  if (has_call(s, (size_t)(p - s)) || has_call(rest, (size_t)(e - rest))) return false;
  wgc_text_put(o, s, (size_t)(p - s));
  wgc_text_puts(o, "WG_MEMSET(wg_mem, instance->w2c_env_instance,");
  wgc_text_put(o, rest, (size_t)(e - rest));
  wgc_text_put(o, "\n", 1);
  return true;
}

/* ---- the whole file ----------------------------------------------------- */

/* Function definitions: "<type> w2c_<M>_<name>(w2c_<M>* instance...) {". */
static bool is_function_start(const char *s, size_t n, const char *m) {
  size_t i = 0;
  while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) i++;
  if (!i || i >= n || s[i] != ' ') return false;
  char head[300];
  int w = snprintf(head, sizeof head, " w2c_%s_", m);
  if (w <= 0 || (size_t)w >= sizeof head || !starts_with(s + i, n - i, head)) return false;
  w = snprintf(head, sizeof head, "(w2c_%s* instance", m);
  if (w <= 0 || (size_t)w >= sizeof head || !wgc_text_find(s, n, head)) return false;
  return n >= 3 && memcmp(s + n - 3, ") {", 3) == 0;
}

/* One pass over the file; *splat_ok turns false when splat met a helper
 * without a _default32 twin (the caller then redoes it without splat). */
static char *rewrite(const char *text, size_t len, const char *m, bool splat, wgc_rewrite_stats *st,
                     const char **why, bool *splat_ok) {
  memset(st, 0, sizeof *st);
  *splat_ok = true;
  wgc_text_buf o = {0};
  line *body = NULL;
  size_t body_cap = 0;
  const char *p = text, *end = text + len;
  while (p < end && !o.oom) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (!nl || !is_function_start(p, n, m)) {
      wgc_text_put(&o, p, nl ? n + 1 : n);
      p = nl ? nl + 1 : end;
      continue;
    }
    /* collect the body up to the closing "}" in column 0 */
    wgc_text_put(&o, p, n + 1);
    const char *q = nl + 1;
    size_t count = 0;
    int segue_depth = 0;
    bool closed = false;
    while (q < end) {
      const char *qn = memchr(q, '\n', (size_t)(end - q));
      size_t k = qn ? (size_t)(qn - q) : (size_t)(end - q);
      if (k == 1 && q[0] == '}') {
        closed = true;
        break;
      }
      bool directive = k && q[0] == '#';
      /* wasm2c indents every body line; anything else ends the body early */
      if (!directive && (!k || (q[0] != ' ' && q[0] != '\t'))) break;
      if (directive && starts_with(q, k, "#if") && (segue_depth || wgc_text_find(q, k, "SEGUE")))
        segue_depth++;
      if (count == body_cap) {
        size_t cap = body_cap ? body_cap * 2 : 256;
        line *nb = realloc(body, cap * sizeof *nb);
        if (!nb) {
          o.oom = true;
          break;
        }
        body = nb;
        body_cap = cap;
      }
      body[count++] = (line){q, k, segue_depth > 0};
      if (directive && starts_with(q, k, "#endif") && segue_depth) segue_depth--;
      q = qn ? qn + 1 : end;
    }
    if (o.oom) break;
    if (!closed || segue_depth) {
      free(body);
      free(o.d);
      memset(st, 0, sizeof *st);
      *why = "a function body not closed by \"}\" in column 0";
      return NULL;
    }
    unsigned uses = 0;
    const char *blocked = copy_blocker(body, count, &uses);
    bool copy = !blocked && uses > 0;
    if (blocked) {
      st->skipped++;
      if (!st->first_skip) st->first_skip = blocked;
    }
    if (copy) {
      st->functions++;
      wgc_text_puts(&o, "  wasm_rt_memory_t wg_memv = *" MEM
                        "; wasm_rt_memory_t *const wg_mem = &wg_memv;\n");
    }
    for (size_t i = 0; i < count; i++) {
      if (copy && !body[i].segue && inline_memset(&o, &body[i])) {
        st->memsets++;
        continue;
      }
      emit_line(&o, &body[i], splat, copy, text, len, st, splat_ok);
      wgc_text_put(&o, "\n", 1);
      if (copy && !body[i].segue && has_call_of(body[i].s, body[i].n, true)) {
        wgc_text_puts(&o, "  wg_memv = *" MEM ";\n");
        st->refreshes++;
      }
    }
    wgc_text_put(&o, "}", 1); /* the closing line; its newline is copied with the next line */
    p = q + 1;
  }
  free(body);
  if (o.oom) {
    free(o.d);
    memset(st, 0, sizeof *st);
    return NULL;
  }
  st->applied = true;
  return o.d ? o.d : strdup("");
}

char *wgc_memory_rewrite_text(const char *text, size_t len, const char *m, wgc_rewrite_stats *st,
                              const char **why) {
  memset(st, 0, sizeof *st);
  *why = NULL;
  if (strlen(m) > 200) {
    *why = "the module name is too long";
    return NULL;
  }
  if (!wgc_text_find(text, len, "\n  " MEM " = w2c_env_memory(w2c_env_instance);\n")) {
    *why = "the memory import is not instance->w2c_env_memory";
    return NULL;
  }
  const char *no_splat = splat_blocker(text, len, m);
  bool splat_ok = true;
  char *out = rewrite(text, len, m, no_splat == NULL, st, why, &splat_ok);
  if (out && !splat_ok) {
    /* a SIMD helper without a _default32 twin: everything again without splat */
    free(out);
    no_splat = "a SIMD access helper without a _default32 twin";
    out = rewrite(text, len, m, false, st, why, &splat_ok);
  }
  if (out) st->no_splat = no_splat;
  return out;
}

wasmgraph_status wgc_memory_rewrite(wgc_ctx *ctx, const char *c_path, const char *mangled,
                                    wgc_rewrite_stats *stats) {
  wgc_buf b;
  memset(stats, 0, sizeof *stats);
  wasmgraph_status st = wgc_read_file(ctx, c_path, &b);
  if (st != WASMGRAPH_OK) return st;
  const char *why = NULL;
  char *out = wgc_memory_rewrite_text((const char *)b.data, b.size, mangled, stats, &why);
  wgc_buf_free(&b);
  if (!out && !why) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (!out) {
    wgc_log(ctx, "memory rewrite: not applied (%s); %s left as wasm2c wrote it", why, c_path);
    return WASMGRAPH_OK;
  }
  if (stats->skipped)
    wgc_log(ctx, "memory rewrite: %u function%s left as wasm2c wrote %s (first: %s)",
            stats->skipped, stats->skipped == 1 ? "" : "s", stats->skipped == 1 ? "it" : "them",
            stats->first_skip);
  if (stats->no_splat && stats->functions)
    wgc_log(ctx, "memory rewrite: SIMD accesses keep the general check (%s)", stats->no_splat);
  st = wgc_write_file(ctx, c_path, out, strlen(out));
  free(out);
  return st;
}
