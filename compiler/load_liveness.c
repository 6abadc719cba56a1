/*
 * load_liveness.c — which functions of a linked module may contain a load
 * whose value is never used.
 *
 * Why: wasm says every executed out-of-bounds load traps, even one whose
 * value is dropped. With guard pages the trap comes from the memory access
 * itself, so a load the C compiler deletes as dead would no longer trap.
 * wasm2c keeps every load alive with an empty asm statement that takes the
 * loaded value, but that statement pins each load in program order and costs
 * about a third of the instructions of a CNN (it also forces floats through
 * integer registers). TVM's kernels come out of LLVM, which already deleted
 * every dead load, so in practice no kernel needs the barrier.
 *
 * This pass decides per defined function, conservatively: a function is
 * "risky" (keeps the barrier on every load) if it contains
 *   - a `drop` of a load-derived value (a dropped sum of loads is a dead
 *     load too; dropping a call's result is harmless),
 *   - a `select` with an operand computed from a load (a select may become a
 *     branch and the load sink into one arm),
 *   - a `local.set`/`local.tee` of a load-derived value to a local the
 *     function never reads,
 *   - any instruction this scanner does not know (SIMD, exceptions, ...).
 * "Load-derived" follows values through pure operators on the operand stack,
 * not through locals: a value read from a local that is also read elsewhere
 * is used. Any malformed or unknown input makes every function risky.
 */
#include <stdlib.h>
#include <string.h>

#include "load_liveness.h"

typedef struct {
  const uint8_t *p, *end;
  int ok;
} cursor;

static uint64_t read_uleb(cursor *c) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (c->p >= c->end) break;
    uint8_t b = *c->p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  c->ok = 0;
  return 0;
}

static int64_t read_sleb(cursor *c) {
  int64_t v = 0;
  int shift = 0;
  for (; shift < 64; shift += 7) {
    if (c->p >= c->end) break;
    uint8_t b = *c->p++;
    v |= (int64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (shift + 7 < 64 && (b & 0x40)) v |= -((int64_t)1 << (shift + 7));
      return v;
    }
  }
  c->ok = 0;
  return 0;
}

static void skip(cursor *c, uint64_t n) {
  if ((uint64_t)(c->end - c->p) < n) {
    c->ok = 0;
    c->p = c->end;
  } else {
    c->p += n;
  }
}

typedef struct {
  uint32_t params, results;
} func_type;

typedef struct {
  func_type *types;
  uint32_t num_types;
  uint32_t *func_type_of; /* all functions, imports first */
  uint32_t num_funcs, num_imported_funcs;
} module_info;

/* ---- operand stack of "load-derived" flags ------------------------------- */

typedef struct {
  uint8_t *v;
  size_t n, cap;
} stack;

typedef struct {
  size_t base;     /* stack height at block entry (after params popped) */
  uint32_t params, results;
  int unreachable; /* stack-polymorphic after br/return/unreachable */
  int is_if;
} frame;

typedef struct {
  stack s;
  frame *f;
  size_t nf, capf;
  int risky;
} sim;

static int push(sim *m, uint8_t flag) {
  if (m->s.n == m->s.cap) {
    size_t cap = m->s.cap ? m->s.cap * 2 : 64;
    uint8_t *g = realloc(m->s.v, cap);
    if (!g) return 0;
    m->s.v = g;
    m->s.cap = cap;
  }
  m->s.v[m->s.n++] = flag;
  return 1;
}

static uint8_t pop(sim *m) {
  frame *top = &m->f[m->nf - 1];
  if (m->s.n <= top->base) return 0; /* polymorphic stack, or invalid code */
  return m->s.v[--m->s.n];
}

/* Pops n operands and returns whether any was load-derived. */
static uint8_t pop_n(sim *m, uint32_t n) {
  uint8_t any = 0;
  while (n--) any |= pop(m);
  return any;
}

static int push_frame(sim *m, uint32_t params, uint32_t results, int is_if) {
  if (m->nf == m->capf) {
    size_t cap = m->capf ? m->capf * 2 : 16;
    frame *g = realloc(m->f, cap * sizeof *g);
    if (!g) return 0;
    m->f = g;
    m->capf = cap;
  }
  size_t base = m->s.n >= params ? m->s.n - params : 0;
  m->f[m->nf++] = (frame){base, params, results, 0, is_if};
  return 1;
}

static void set_unreachable(sim *m) {
  frame *top = &m->f[m->nf - 1];
  m->s.n = top->base;
  top->unreachable = 1;
}

/* Block type: 0x40, a value type, or a type index (s33). */
static int read_blocktype(cursor *c, const module_info *mi, uint32_t *params, uint32_t *results) {
  if (c->p >= c->end) return 0;
  uint8_t b = *c->p;
  if (b == 0x40) {
    c->p++;
    *params = *results = 0;
    return 1;
  }
  if (b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x70 || b == 0x6f || b == 0x7b) {
    c->p++;
    *params = 0;
    *results = 1;
    return 1;
  }
  int64_t idx = read_sleb(c);
  if (!c->ok || idx < 0 || (uint64_t)idx >= mi->num_types) return 0;
  *params = mi->types[idx].params;
  *results = mi->types[idx].results;
  return 1;
}

static void skip_memarg(cursor *c) {
  read_uleb(c);
  read_uleb(c);
}

/* Simulates one function body; returns 1 if it is risky (or not understood). */
static int scan_body(const uint8_t *body, size_t size, const module_info *mi, uint32_t type_idx) {
  cursor c = {body, body + size, 1};
  uint32_t num_locals = mi->types[type_idx].params;
  uint64_t groups = read_uleb(&c);
  for (uint64_t g = 0; g < groups && c.ok; g++) {
    uint64_t n = read_uleb(&c);
    skip(&c, 1);
    if (n > 50000 || num_locals + n > 50000) return 1;
    num_locals += (uint32_t)n;
  }
  if (!c.ok) return 1;
  uint8_t *read_local = calloc(num_locals ? num_locals : 1, 1);
  uint8_t *set_derived = calloc(num_locals ? num_locals : 1, 1);
  sim m = {{NULL, 0, 0}, NULL, 0, 0, 0};
  int unknown = !read_local || !set_derived ||
                !push_frame(&m, 0, mi->types[type_idx].results, 0);

  while (!unknown && c.ok && c.p < c.end && m.nf > 0) {
    uint8_t op = *c.p++;
    uint32_t params, results, idx;
    uint8_t d;
    switch (op) {
      case 0x00: set_unreachable(&m); break;                    /* unreachable */
      case 0x01: break;                                          /* nop */
      case 0x02: case 0x03:                                      /* block, loop */
        if (!read_blocktype(&c, mi, &params, &results)) { unknown = 1; break; }
        unknown = !push_frame(&m, params, results, 0);
        break;
      case 0x04:                                                 /* if */
        if (!read_blocktype(&c, mi, &params, &results)) { unknown = 1; break; }
        pop(&m);
        unknown = !push_frame(&m, params, results, 1);
        break;
      case 0x05: {                                               /* else */
        frame *t = &m.f[m.nf - 1];
        m.s.n = t->base;
        for (uint32_t i = 0; i < t->params && !unknown; i++) unknown = !push(&m, 0);
        t->unreachable = 0;
        break;
      }
      case 0x0B: {                                               /* end */
        frame t = m.f[--m.nf];
        m.s.n = t.base;
        if (m.nf > 0)
          for (uint32_t i = 0; i < t.results && !unknown; i++) unknown = !push(&m, 0);
        break;
      }
      case 0x0C: read_uleb(&c); set_unreachable(&m); break;      /* br */
      case 0x0D: read_uleb(&c); pop(&m); break;                  /* br_if */
      case 0x0E: {                                               /* br_table */
        uint64_t n = read_uleb(&c);
        for (uint64_t i = 0; i <= n && c.ok; i++) read_uleb(&c);
        set_unreachable(&m);
        break;
      }
      case 0x0F: set_unreachable(&m); break;                     /* return */
      case 0x10:                                                 /* call */
        idx = (uint32_t)read_uleb(&c);
        if (idx >= mi->num_funcs) { unknown = 1; break; }
        pop_n(&m, mi->types[mi->func_type_of[idx]].params);
        for (uint32_t i = 0; i < mi->types[mi->func_type_of[idx]].results && !unknown; i++)
          unknown = !push(&m, 0);
        break;
      case 0x11:                                                 /* call_indirect */
        idx = (uint32_t)read_uleb(&c);
        read_uleb(&c);
        if (idx >= mi->num_types) { unknown = 1; break; }
        pop(&m);
        pop_n(&m, mi->types[idx].params);
        for (uint32_t i = 0; i < mi->types[idx].results && !unknown; i++) unknown = !push(&m, 0);
        break;
      case 0x1A:                                                 /* drop */
        if (pop(&m)) m.risky = 1;
        break;
      case 0x1B:                                                 /* select */
        pop(&m);
        d = pop_n(&m, 2);
        if (d) m.risky = 1;
        unknown = !push(&m, d);
        break;
      case 0x1C: {                                               /* select t* */
        uint64_t n = read_uleb(&c);
        skip(&c, n);
        pop(&m);
        d = pop_n(&m, 2);
        if (d) m.risky = 1;
        unknown = !push(&m, d);
        break;
      }
      case 0x20:                                                 /* local.get */
        idx = (uint32_t)read_uleb(&c);
        if (idx >= num_locals) { unknown = 1; break; }
        read_local[idx] = 1;
        unknown = !push(&m, 0);
        break;
      case 0x21: case 0x22:                                      /* local.set/tee */
        idx = (uint32_t)read_uleb(&c);
        if (idx >= num_locals) { unknown = 1; break; }
        d = pop(&m);
        set_derived[idx] |= d;
        if (op == 0x22) unknown = !push(&m, 0);
        break;
      case 0x23: read_uleb(&c); unknown = !push(&m, 0); break;   /* global.get */
      case 0x24: read_uleb(&c); pop(&m); break;                  /* global.set */
      case 0x25: read_uleb(&c); pop(&m); unknown = !push(&m, 0); break; /* table.get */
      case 0x26: read_uleb(&c); pop_n(&m, 2); break;             /* table.set */
      case 0x3F: read_uleb(&c); unknown = !push(&m, 0); break;   /* memory.size */
      case 0x40: read_uleb(&c); pop(&m); unknown = !push(&m, 0); break; /* memory.grow */
      case 0x41: read_sleb(&c); unknown = !push(&m, 0); break;   /* i32.const */
      case 0x42: read_sleb(&c); unknown = !push(&m, 0); break;   /* i64.const */
      case 0x43: skip(&c, 4); unknown = !push(&m, 0); break;     /* f32.const */
      case 0x44: skip(&c, 8); unknown = !push(&m, 0); break;     /* f64.const */
      case 0xD0: skip(&c, 1); unknown = !push(&m, 0); break;     /* ref.null */
      case 0xD1: d = pop(&m); unknown = !push(&m, d); break;     /* ref.is_null */
      case 0xD2: read_uleb(&c); unknown = !push(&m, 0); break;   /* ref.func */
      case 0xFC: {
        uint64_t sub = read_uleb(&c);
        if (sub <= 7) {                                           /* trunc_sat */
          d = pop(&m);
          unknown = !push(&m, d);
        } else if (sub == 8) { read_uleb(&c); skip(&c, 1); pop_n(&m, 3); }   /* memory.init */
        else if (sub == 9) { read_uleb(&c); }                                 /* data.drop */
        else if (sub == 10) { skip(&c, 2); pop_n(&m, 3); }                   /* memory.copy */
        else if (sub == 11) { skip(&c, 1); pop_n(&m, 3); }                   /* memory.fill */
        else if (sub == 12) { read_uleb(&c); read_uleb(&c); pop_n(&m, 3); }  /* table.init */
        else if (sub == 13) { read_uleb(&c); }                                /* elem.drop */
        else if (sub == 14) { read_uleb(&c); read_uleb(&c); pop_n(&m, 3); }  /* table.copy */
        else if (sub == 15) { read_uleb(&c); pop_n(&m, 2); unknown = !push(&m, 0); } /* table.grow */
        else if (sub == 16) { read_uleb(&c); unknown = !push(&m, 0); }       /* table.size */
        else if (sub == 17) { read_uleb(&c); pop_n(&m, 3); }                 /* table.fill */
        else unknown = 1;
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x35) {                          /* loads */
          skip_memarg(&c);
          pop(&m);
          unknown = !push(&m, 1);
        } else if (op >= 0x36 && op <= 0x3E) {                   /* stores */
          skip_memarg(&c);
          pop_n(&m, 2);
        } else if (op == 0x45 || op == 0x50 || (op >= 0x67 && op <= 0x69) ||
                   (op >= 0x79 && op <= 0x7B) || (op >= 0x8B && op <= 0x91) ||
                   (op >= 0x99 && op <= 0x9F) || (op >= 0xA7 && op <= 0xC4)) {
          d = pop(&m);                                           /* unary */
          unknown = !push(&m, d);
        } else if ((op >= 0x46 && op <= 0x4F) || (op >= 0x51 && op <= 0x66) ||
                   (op >= 0x6A && op <= 0x78) || (op >= 0x7C && op <= 0x8A) ||
                   (op >= 0x92 && op <= 0x98) || (op >= 0xA0 && op <= 0xA6)) {
          d = pop_n(&m, 2);                                      /* binary */
          unknown = !push(&m, d);
        } else {
          unknown = 1; /* SIMD, exceptions, tail calls, threads, ... */
        }
    }
  }
  if (!c.ok || m.nf != 0 || c.p != c.end) unknown = 1;
  for (uint32_t i = 0; !unknown && i < num_locals; i++)
    if (set_derived[i] && !read_local[i]) m.risky = 1;
  free(read_local);
  free(set_derived);
  free(m.s.v);
  free(m.f);
  return unknown || m.risky;
}

/* ---- module sections ------------------------------------------------------ */

static int read_types(cursor *c, module_info *mi) {
  uint64_t n = read_uleb(c);
  if (!c->ok || n > 1000000) return 0;
  mi->types = calloc(n ? n : 1, sizeof *mi->types);
  if (!mi->types) return 0;
  mi->num_types = (uint32_t)n;
  for (uint64_t i = 0; i < n && c->ok; i++) {
    if (c->p >= c->end || *c->p++ != 0x60) return 0;
    uint64_t np = read_uleb(c);
    skip(c, np);
    uint64_t nr = read_uleb(c);
    skip(c, nr);
    mi->types[i].params = (uint32_t)np;
    mi->types[i].results = (uint32_t)nr;
  }
  return c->ok;
}

static int add_func(module_info *mi, uint32_t type) {
  if (type >= mi->num_types) return 0;
  uint32_t *g = realloc(mi->func_type_of, (mi->num_funcs + 1) * sizeof *g);
  if (!g) return 0;
  mi->func_type_of = g;
  mi->func_type_of[mi->num_funcs++] = type;
  return 1;
}

static int read_imports(cursor *c, module_info *mi) {
  uint64_t n = read_uleb(c);
  for (uint64_t i = 0; i < n && c->ok; i++) {
    skip(c, read_uleb(c)); /* module */
    skip(c, read_uleb(c)); /* name */
    if (c->p >= c->end) return 0;
    uint8_t kind = *c->p++;
    if (kind == 0x00) {
      if (!add_func(mi, (uint32_t)read_uleb(c))) return 0;
      mi->num_imported_funcs++;
    } else if (kind == 0x01) { /* table: reftype + limits */
      skip(c, 1);
      uint64_t flags = read_uleb(c);
      read_uleb(c);
      if (flags & 1) read_uleb(c);
    } else if (kind == 0x02) { /* memory: limits */
      uint64_t flags = read_uleb(c);
      read_uleb(c);
      if (flags & 1) read_uleb(c);
    } else if (kind == 0x03) { /* global */
      skip(c, 2);
    } else if (kind == 0x04) { /* tag */
      skip(c, 1);
      read_uleb(c);
    } else {
      return 0;
    }
  }
  return c->ok;
}

int wg_load_liveness(const uint8_t *wasm, size_t size, uint8_t **risky_out,
                     uint32_t *count_out) {
  *risky_out = NULL;
  *count_out = 0;
  if (size < 8 || memcmp(wasm, "\0asm\1\0\0\0", 8) != 0) return 0;
  cursor c = {wasm + 8, wasm + size, 1};
  module_info mi;
  memset(&mi, 0, sizeof mi);
  uint8_t *risky = NULL;
  uint32_t defined = 0;
  int ok = 1;
  while (ok && c.ok && c.p < c.end) {
    uint8_t id = *c.p++;
    uint64_t len = read_uleb(&c);
    if (!c.ok || len > (uint64_t)(c.end - c.p)) {
      ok = 0;
      break;
    }
    cursor s = {c.p, c.p + len, 1};
    c.p += len;
    if (id == 1) ok = read_types(&s, &mi);
    else if (id == 2) ok = read_imports(&s, &mi);
    else if (id == 3) {
      uint64_t n = read_uleb(&s);
      for (uint64_t i = 0; i < n && ok && s.ok; i++) ok = add_func(&mi, (uint32_t)read_uleb(&s));
      ok = ok && s.ok;
    } else if (id == 10) {
      uint64_t n = read_uleb(&s);
      if (!s.ok || n != mi.num_funcs - mi.num_imported_funcs) {
        ok = 0;
        break;
      }
      risky = calloc(n ? n : 1, 1);
      if (!risky) {
        ok = 0;
        break;
      }
      defined = (uint32_t)n;
      for (uint64_t i = 0; i < n && s.ok; i++) {
        uint64_t body_len = read_uleb(&s);
        if (!s.ok || body_len > (uint64_t)(s.end - s.p)) {
          ok = 0;
          break;
        }
        risky[i] = (uint8_t)scan_body(s.p, body_len, &mi,
                                      mi.func_type_of[mi.num_imported_funcs + i]);
        s.p += body_len;
      }
      ok = ok && s.ok;
    }
  }
  free(mi.types);
  free(mi.func_type_of);
  if (!ok || !c.ok || !risky) {
    free(risky);
    return 0;
  }
  *risky_out = risky;
  *count_out = defined;
  return 1;
}
