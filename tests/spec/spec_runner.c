/*
 * spec_runner.c — runs the commands of one .wast against the modules that
 * spec_cc compiled into a single .so, with wasmgraph's own runtime layer
 * (runtime/wasm_rt_impl.c, runtime/trap_boundary.c) linked in.
 *
 *   spec_runner MODULES.so PLAN.txt
 *
 * The plan (written by run_wast.py) has one command per line:
 *   module <line> <idx> <nimports>             + nimports "import" lines
 *   uninstantiable <line> <idx> <trap> <nimports>  + import lines
 *   unlinkable <line> <nimports>               + import lines
 *   register <line> <idx> h:<name>
 *   host <line> h:<name> <symbol>     register a wgs_module the .so defines
 *                                     (the differential fuzzer's imports)
 *   call <line> <idx> h:<field> <nargs> <args>   run and print, no check
 *   invoke|get <line> <mode> <idx> h:<field> <nargs> <args> <nres> <results>
 *   import <func|table|memory|global> h:<module> h:<field> <type> <min> <max>
 * where mode is return, action, exhaustion or trap:<kind>, names are hex,
 * values are spec_values.h tokens and '-' stands for "none".
 *
 * "call" prints "result <field> <values>" or "trap <field> <kind>" for the
 * differential fuzzer to compare with V8. Otherwise the output is one line
 * per command that is an assertion: "PASS <line>" or
 * "FAIL <line> <reason>"; a plain module command that cannot be linked or
 * instantiated prints "MODULE_FAIL <line> <reason>". Every entry into guest
 * code (instantiation and each invoke) goes through wg_protected_call, the
 * runtime's only trap boundary, so traps are classified by the same code
 * that classifies a model kernel's traps.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_abi.h"
#include "spec_store.h"
#include "spec_values.h"
#include "spectest_host.h"
#include "trap_boundary.h"

#define MAX_VALUES 64
#define MAX_IMPORTS 512

typedef struct runner {
  void *so;
  char so_error[512];
  spec_store store;
  FILE *plan;
  char line[1 << 16];
} runner;

/* ---- small parsing helpers ---------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* "h:<hex>" into buf; false if malformed or too long. */
static bool parse_hex_name(const char *tok, uint8_t *buf, size_t cap, size_t *len) {
  if (!tok || strncmp(tok, "h:", 2) != 0) return false;
  const char *p = tok + 2;
  size_t n = strlen(p);
  if (n % 2 || n / 2 > cap) return false;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    buf[i] = (uint8_t)(hi * 16 + lo);
  }
  *len = n / 2;
  return true;
}

static const char *next_tok(char **save) { return strtok_r(NULL, " \t\r\n", save); }

static bool tok_int(const char *t, long *out) {
  if (!t) return false;
  char *end;
  long v = strtol(t, &end, 10);
  if (*end) return false;
  *out = v;
  return true;
}

static bool trap_from_name(const char *name, wasm_rt_trap_t *out) {
  static const struct {
    const char *name;
    wasm_rt_trap_t trap;
  } names[] = {{"oob", WASM_RT_TRAP_OOB},
               {"int_overflow", WASM_RT_TRAP_INT_OVERFLOW},
               {"div_by_zero", WASM_RT_TRAP_DIV_BY_ZERO},
               {"invalid_conversion", WASM_RT_TRAP_INVALID_CONVERSION},
               {"unreachable", WASM_RT_TRAP_UNREACHABLE},
               {"call_indirect", WASM_RT_TRAP_CALL_INDIRECT},
               {"uncaught_exception", WASM_RT_TRAP_UNCAUGHT_EXCEPTION},
               {"exhaustion", WASM_RT_TRAP_EXHAUSTION}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(name, names[i].name)) {
      *out = names[i].trap;
      return true;
    }
  return false;
}

static const char *trap_name(wasm_rt_trap_t t) {
  switch (t) {
    case WASM_RT_TRAP_NONE:
      return "none";
    case WASM_RT_TRAP_OOB:
      return "oob";
    case WASM_RT_TRAP_INT_OVERFLOW:
      return "int_overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO:
      return "div_by_zero";
    case WASM_RT_TRAP_INVALID_CONVERSION:
      return "invalid_conversion";
    case WASM_RT_TRAP_UNREACHABLE:
      return "unreachable";
    case WASM_RT_TRAP_CALL_INDIRECT:
      return "call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
      return "uncaught_exception";
    case WASM_RT_TRAP_EXHAUSTION:
      return "exhaustion";
    case WASM_RT_TRAP_INTERRUPTED:
      return "interrupted";
  }
  return "?";
}

/* ---- imports ------------------------------------------------------------ */

/* Reads n "import" lines; returns false (with why) on a malformed plan. */
static bool read_imports(runner *r, long n, spec_import *imps, char *why, size_t wn) {
  if (n < 0 || n > MAX_IMPORTS) {
    snprintf(why, wn, "bad import count %ld", n);
    return false;
  }
  for (long i = 0; i < n; i++) {
    char buf[4096];
    if (!fgets(buf, sizeof buf, r->plan)) {
      snprintf(why, wn, "plan ends inside an import list");
      return false;
    }
    char *save;
    const char *t = strtok_r(buf, " \t\r\n", &save);
    spec_import *imp = &imps[i];
    memset(imp, 0, sizeof *imp);
    const char *kind = next_tok(&save);
    if (!t || strcmp(t, "import") != 0 || !kind) goto bad;
    if (!strcmp(kind, "func")) imp->kind = WGS_FUNC;
    else if (!strcmp(kind, "table")) imp->kind = WGS_TABLE;
    else if (!strcmp(kind, "memory")) imp->kind = WGS_MEMORY;
    else if (!strcmp(kind, "global")) imp->kind = WGS_GLOBAL;
    else goto bad;
    if (!parse_hex_name(next_tok(&save), imp->module, sizeof imp->module, &imp->module_len) ||
        !parse_hex_name(next_tok(&save), imp->field, sizeof imp->field, &imp->field_len))
      goto bad;
    const char *type = next_tok(&save), *mn = next_tok(&save), *mx = next_tok(&save);
    if (!type || !mn || !mx || strlen(type) >= sizeof imp->type) goto bad;
    snprintf(imp->type, sizeof imp->type, "%s", strcmp(type, "-") ? type : "");
    long v;
    if (strcmp(mn, "-")) {
      if (!tok_int(mn, &v)) goto bad;
      imp->min = (uint32_t)v;
    }
    if (strcmp(mx, "-")) {
      if (!tok_int(mx, &v)) goto bad;
      imp->max = (uint32_t)v;
      imp->has_max = true;
    }
    continue;
  bad:
    snprintf(why, wn, "malformed import line");
    return false;
  }
  return true;
}

static bool link_all(runner *r, const spec_import *imps, long n, char *why, size_t wn) {
  for (long i = 0; i < n; i++)
    if (!spec_link_check(&r->store, &imps[i], why, wn)) return false;
  return true;
}

/* ---- instantiation ------------------------------------------------------- */

typedef struct inst_call {
  const wgs_module *mod;
  void *inst;
  runner *r;
} inst_call;

static void *lookup_instance(void *user, const char *name, uint32_t len) {
  runner *r = user;
  const spec_registration *reg = spec_store_lookup(&r->store, name, len);
  return reg ? reg->inst : NULL;
}

static void instantiate_body(void *ctx) {
  inst_call *c = ctx;
  c->mod->instantiate(c->inst, lookup_instance, c->r);
}

/* Links and instantiates module idx. Returns the trap (NONE on success);
 * *linked is false when the link check failed or the module is missing
 * (message in why). The slot keeps the instance even after a trap. */
static wasm_rt_trap_t instantiate(runner *r, int idx, const spec_import *imps, long nimp,
                                  bool *linked, char *why, size_t wn) {
  *linked = false;
  spec_instance *slot = spec_store_slot(&r->store, idx);
  if (!slot) {
    snprintf(why, wn, "out of memory");
    return WASM_RT_TRAP_NONE;
  }
  if (!link_all(r, imps, nimp, why, wn)) {
    snprintf(slot->why, sizeof slot->why, "module #%d did not link: %s", idx, why);
    return WASM_RT_TRAP_NONE;
  }
  char sym[64];
  snprintf(sym, sizeof sym, "wgs_module_%d", idx);
  const wgs_module *mod = r->so ? dlsym(r->so, sym) : NULL;
  if (!mod) {
    snprintf(why, wn, "module #%d is not in the compiled .so (%s)", idx,
             r->so ? "its translation or compilation failed" : r->so_error);
    snprintf(slot->why, sizeof slot->why, "%s", why);
    return WASM_RT_TRAP_NONE;
  }
  void *inst = calloc(1, mod->instance_size ? mod->instance_size : 1);
  if (!inst) {
    snprintf(why, wn, "out of memory");
    return WASM_RT_TRAP_NONE;
  }
  *linked = true;
  slot->mod = mod;
  slot->inst = inst;
  inst_call c = {mod, inst, r};
  int oom = 0;
  wasm_rt_trap_t trap = wg_protected_call(instantiate_body, &c, &oom);
  slot->usable = trap == WASM_RT_TRAP_NONE;
  if (!slot->usable) {
    snprintf(why, wn, "instantiation trapped (%s%s)", trap_name(trap), oom ? ", host OOM" : "");
    snprintf(slot->why, sizeof slot->why, "module #%d: %s", idx, why);
  }
  return trap;
}

/* ---- invoke / get --------------------------------------------------------- */

typedef struct call_ctx {
  const wgs_export *e;
  void *inst;
  const wgs_val *args;
  wgs_val *results;
} call_ctx;

static void call_body(void *ctx) {
  call_ctx *c = ctx;
  c->e->call(c->inst, c->args, c->results);
}

static void read_global(const wgs_export *e, void *inst, wgs_val *out) {
  const char *t = e->type[0] == 'm' ? e->type + 1 : e->type;
  void *p = e->get(inst);
  switch (t[0]) {
    case 'i':
      memcpy(&out->i32, p, 4);
      break;
    case 'I':
      memcpy(&out->i64, p, 8);
      break;
    case 'f':
      memcpy(&out->f32, p, 4);
      break;
    case 'F':
      memcpy(&out->f64, p, 8);
      break;
    case 'v':
      memcpy(out->v128, p, 16);
      break;
    case 'r':
      memcpy(&out->funcref, p, sizeof out->funcref);
      break;
    case 'x':
      memcpy(&out->externref, p, sizeof out->externref);
      break;
  }
}

static void do_action(runner *r, char *save, bool is_get, long line) {
  const char *mode = next_tok(&save);
  long idx, nargs, nres;
  uint8_t field[1024];
  size_t field_len;
  spec_value args[MAX_VALUES], exp[MAX_VALUES];
  wgs_val argv[MAX_VALUES], res[MAX_VALUES];
  if (!mode || !tok_int(next_tok(&save), &idx) ||
      !parse_hex_name(next_tok(&save), field, sizeof field, &field_len) ||
      !tok_int(next_tok(&save), &nargs) || nargs < 0 || nargs > MAX_VALUES) {
    printf("FAIL %ld harness: malformed plan line\n", line);
    return;
  }
  for (long i = 0; i < nargs; i++) {
    const char *t = next_tok(&save);
    if (!t || !spec_value_parse(t, &args[i])) {
      printf("FAIL %ld harness: bad argument %s\n", line, t ? t : "(missing)");
      return;
    }
    argv[i] = args[i].v;
  }
  if (!tok_int(next_tok(&save), &nres) || nres < 0 || nres > MAX_VALUES) {
    printf("FAIL %ld harness: malformed result count\n", line);
    return;
  }
  for (long i = 0; i < nres; i++) {
    const char *t = next_tok(&save);
    if (!t || !spec_value_parse(t, &exp[i])) {
      printf("FAIL %ld harness: bad expected value %s\n", line, t ? t : "(missing)");
      return;
    }
  }
  bool want_return = !strcmp(mode, "return"), want_action = !strcmp(mode, "action");
  wasm_rt_trap_t want_trap = WASM_RT_TRAP_NONE;
  if (!want_return && !want_action) {
    if (!strcmp(mode, "exhaustion")) want_trap = WASM_RT_TRAP_EXHAUSTION;
    else if (strncmp(mode, "trap:", 5) || !trap_from_name(mode + 5, &want_trap)) {
      printf("FAIL %ld harness: unknown mode %s\n", line, mode);
      return;
    }
  }

  spec_instance *slot = spec_store_slot(&r->store, (int)idx);
  if (!slot || !slot->usable) {
    printf("FAIL %ld %s\n", line, slot ? slot->why : "out of memory");
    return;
  }
  const wgs_export *e = spec_find_export(slot->mod, field, field_len);
  if (!e || e->kind != (is_get ? WGS_GLOBAL : WGS_FUNC)) {
    printf("FAIL %ld no exported %s '%.*s'\n", line, is_get ? "global" : "function", (int)field_len,
           (const char *)field);
    return;
  }
  const char *rtypes = "";
  wasm_rt_trap_t trap = WASM_RT_TRAP_NONE;
  int oom = 0;
  if (is_get) {
    rtypes = e->type[0] == 'm' ? e->type + 1 : e->type;
    read_global(e, slot->inst, &res[0]);
  } else {
    const char *arrow = strchr(e->type, '>');
    rtypes = arrow + 1;
    if ((long)(arrow - e->type) != nargs) {
      printf("FAIL %ld harness: %ld arguments for type %s\n", line, nargs, e->type);
      return;
    }
    call_ctx c = {e, slot->inst, argv, res};
    trap = wg_protected_call(call_body, &c, &oom);
  }
  if (oom) {
    printf("FAIL %ld host out of memory\n", line);
    return;
  }
  if (want_return || want_action) {
    if (trap != WASM_RT_TRAP_NONE) {
      printf("FAIL %ld unexpected trap: %s\n", line, trap_name(trap));
      return;
    }
    if (want_action) {
      printf("PASS %ld\n", line);
      return;
    }
    if ((long)strlen(rtypes) != nres) {
      printf("FAIL %ld %zu results, expected %ld\n", line, strlen(rtypes), nres);
      return;
    }
    for (long i = 0; i < nres; i++) {
      if (exp[i].type != rtypes[i] || !spec_value_matches(&exp[i], &res[i])) {
        char got[256], want[256];
        if (exp[i].type == rtypes[i]) spec_value_format_like(&exp[i], &res[i], got, sizeof got);
        else spec_value_format(rtypes[i], &res[i], got, sizeof got);
        spec_expected_format(&exp[i], want, sizeof want);
        printf("FAIL %ld result %ld: got %s, expected %s\n", line, i, got, want);
        return;
      }
    }
    printf("PASS %ld\n", line);
    return;
  }
  if (trap == want_trap) printf("PASS %ld\n", line);
  else if (trap == WASM_RT_TRAP_NONE)
    printf("FAIL %ld returned, expected trap %s\n", line, trap_name(want_trap));
  else printf("FAIL %ld trap %s, expected %s\n", line, trap_name(trap), trap_name(want_trap));
}

/* ---- differential fuzzer commands ------------------------------------------ */

static void do_call(runner *r, char *save) {
  long idx, nargs;
  uint8_t field[1024];
  size_t field_len;
  spec_value args[MAX_VALUES];
  wgs_val argv[MAX_VALUES], res[MAX_VALUES];
  if (!tok_int(next_tok(&save), &idx) ||
      !parse_hex_name(next_tok(&save), field, sizeof field, &field_len) ||
      !tok_int(next_tok(&save), &nargs) || nargs < 0 || nargs > MAX_VALUES) {
    printf("error malformed call line\n");
    return;
  }
  for (long i = 0; i < nargs; i++) {
    const char *t = next_tok(&save);
    if (!t || !spec_value_parse(t, &args[i])) {
      printf("error bad argument\n");
      return;
    }
    argv[i] = args[i].v;
  }
  int fl = (int)field_len;
  const char *fname = (const char *)field;
  spec_instance *slot = spec_store_slot(&r->store, (int)idx);
  const wgs_export *e = slot && slot->usable ? spec_find_export(slot->mod, field, field_len) : NULL;
  if (!e || e->kind != WGS_FUNC || (long)(strchr(e->type, '>') - e->type) != nargs) {
    printf("error %.*s: no such function (%s)\n", fl, fname, slot ? slot->why : "no module");
    return;
  }
  fflush(stdout); /* the host imports print from the .so */
  call_ctx c = {e, slot->inst, argv, res};
  int oom = 0;
  wasm_rt_trap_t trap = wg_protected_call(call_body, &c, &oom);
  if (trap != WASM_RT_TRAP_NONE) {
    printf("trap %.*s %s\n", fl, fname, oom ? "host_oom" : trap_name(trap));
    return;
  }
  printf("result %.*s", fl, fname);
  const char *rt = strchr(e->type, '>') + 1;
  for (int i = 0; rt[i]; i++) {
    char buf[256];
    spec_value_format_bits(rt[i], &res[i], buf, sizeof buf);
    printf(" %s", buf);
  }
  printf("\n");
}

void wgs_host_log(const char *label, const char *types, const wgs_val *values) {
  printf("log %s", label);
  for (int i = 0; types[i]; i++) {
    char buf[256];
    spec_value_format_bits(types[i], &values[i], buf, sizeof buf);
    printf(" %s", buf);
  }
  printf("\n");
}

static void do_host(runner *r, char *save, long line) {
  uint8_t name[1024];
  size_t len;
  const char *sym;
  if (!parse_hex_name(next_tok(&save), name, sizeof name, &len) || !(sym = next_tok(&save))) {
    printf("MODULE_FAIL %ld harness: malformed host line\n", line);
    return;
  }
  const wgs_module *mod = r->so ? dlsym(r->so, sym) : NULL;
  void *inst = mod ? calloc(1, mod->instance_size ? mod->instance_size : 1) : NULL;
  if (!inst || !spec_store_register(&r->store, name, len, mod, inst)) {
    printf("MODULE_FAIL %ld host module %s: %s\n", line, sym,
           mod ? "out of memory" : "not in the .so");
    free(inst);
    return;
  }
  r->store.reg[r->store.num_reg - 1].owned = true;
}

/* ---- main loop ------------------------------------------------------------ */

static void run_plan(runner *r) {
  static spec_import imps[MAX_IMPORTS];
  while (fgets(r->line, sizeof r->line, r->plan)) {
    char *save;
    const char *cmd = strtok_r(r->line, " \t\r\n", &save);
    if (!cmd || cmd[0] == '#') continue;
    long line = 0, idx = 0, nimp = 0;
    char why[1024] = ""; /* room for a message quoting so_error */
    bool linked;
    if (!tok_int(next_tok(&save), &line)) {
      printf("FAIL 0 harness: malformed plan line for %s\n", cmd);
      continue;
    }
    if (!strcmp(cmd, "module")) {
      if (!tok_int(next_tok(&save), &idx) || !tok_int(next_tok(&save), &nimp) ||
          !read_imports(r, nimp, imps, why, sizeof why)) {
        printf("MODULE_FAIL %ld harness: %s\n", line, why[0] ? why : "malformed plan line");
        continue;
      }
      wasm_rt_trap_t trap = instantiate(r, (int)idx, imps, nimp, &linked, why, sizeof why);
      if (!linked || trap != WASM_RT_TRAP_NONE) printf("MODULE_FAIL %ld %s\n", line, why);
    } else if (!strcmp(cmd, "uninstantiable")) {
      const char *tn = NULL;
      wasm_rt_trap_t want;
      if (!tok_int(next_tok(&save), &idx) || !(tn = next_tok(&save)) ||
          !trap_from_name(tn, &want) || !tok_int(next_tok(&save), &nimp) ||
          !read_imports(r, nimp, imps, why, sizeof why)) {
        printf("FAIL %ld harness: %s\n", line, why[0] ? why : "malformed plan line");
        continue;
      }
      wasm_rt_trap_t trap = instantiate(r, (int)idx, imps, nimp, &linked, why, sizeof why);
      if (!linked) printf("FAIL %ld %s\n", line, why);
      else if (trap == want) printf("PASS %ld\n", line);
      else if (trap == WASM_RT_TRAP_NONE)
        printf("FAIL %ld instantiated, expected trap %s\n", line, trap_name(want));
      else printf("FAIL %ld trap %s, expected %s\n", line, trap_name(trap), trap_name(want));
    } else if (!strcmp(cmd, "unlinkable")) {
      if (!tok_int(next_tok(&save), &nimp) || !read_imports(r, nimp, imps, why, sizeof why)) {
        printf("FAIL %ld harness: %s\n", line, why[0] ? why : "malformed plan line");
        continue;
      }
      if (link_all(r, imps, nimp, why, sizeof why))
        printf("FAIL %ld linked, expected a link error\n", line);
      else printf("PASS %ld\n", line);
    } else if (!strcmp(cmd, "register")) {
      uint8_t name[1024];
      size_t len;
      if (!tok_int(next_tok(&save), &idx) ||
          !parse_hex_name(next_tok(&save), name, sizeof name, &len)) {
        printf("MODULE_FAIL %ld harness: malformed register line\n", line);
        continue;
      }
      spec_instance *slot = spec_store_slot(&r->store, (int)idx);
      if (!slot || !slot->usable) {
        printf("MODULE_FAIL %ld register: %s\n", line, slot ? slot->why : "out of memory");
        continue;
      }
      if (!spec_store_register(&r->store, name, len, slot->mod, slot->inst))
        printf("MODULE_FAIL %ld register: out of memory\n", line);
    } else if (!strcmp(cmd, "call")) {
      do_call(r, save);
    } else if (!strcmp(cmd, "host")) {
      do_host(r, save, line);
    } else if (!strcmp(cmd, "invoke") || !strcmp(cmd, "get")) {
      do_action(r, save, cmd[0] == 'g', line);
    } else {
      printf("FAIL %ld harness: unknown plan command %s\n", line, cmd);
    }
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: spec_runner MODULES.so PLAN.txt\n");
    return 2;
  }
  static runner r;
  r.plan = fopen(argv[2], "r");
  if (!r.plan) {
    perror(argv[2]);
    return 2;
  }
  if (!spectest_init() || !spec_store_init(&r.store)) {
    fprintf(stderr, "spec_runner: out of memory\n");
    return 2;
  }
  /* "-" : no module compiled (a .wast with only validity assertions). */
  if (strcmp(argv[1], "-") != 0) {
    /* dlopen treats a name without '/' as a library search; make it a path. */
    char path[4096];
    snprintf(path, sizeof path, "%s%s", strchr(argv[1], '/') ? "" : "./", argv[1]);
    r.so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!r.so) snprintf(r.so_error, sizeof r.so_error, "dlopen: %s", dlerror());
  } else {
    snprintf(r.so_error, sizeof r.so_error, "no modules were compiled");
  }
  if (!r.so) printf("# %s\n", r.so_error);
  run_plan(&r);
  fclose(r.plan);
  spec_store_free(&r.store);
  spectest_fini();
  /* The .so stays loaded: instances freed above may have been referenced by
   * tables until now, and unloading buys nothing at exit. */
  return 0;
}
