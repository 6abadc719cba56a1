/*
 * test_compiler_units.c — unit tests of the translator's pieces that need no
 * external tool: the wasm reader (hand-built modules, LEB128 limits, hostile
 * counts, a truncation sweep and a byte-flip sweep), the ar reader, the
 * pre-/post-link checks, the import list, the glue text, the memory rewrite of
 * wasm2c output (memory_rewrite.c, on hand-written text in wasm2c 1.0.39's
 * shapes) and the small public helpers (output kind, NAME rules, default
 * NAME, wasm2c name mangling).
 *
 * argv[1] (optional) is the fixtures dir: when it holds mlp/wasm32/graph.o,
 * every fixture object (scalar and SIMD) is also swept, every cut in its
 * first 4 KiB and about 2000 spread over the rest; without the folder that
 * part prints a SKIP line, and a folder without mlp fails.
 * Prints "N passed, M failed" and exits 1 if anything failed.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/ar_reader.h"
#include "compiler_internal.h"
#include "wasm/wasm_reader.h"
#include "wasmgraph_compiler.h"

static int passed, failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                          \
  do {                                                                           \
    const char *h_ = (hay);                                                      \
    if (h_ && strstr(h_, needle)) {                                              \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__, \
              h_ ? h_ : "(null)", needle);                                       \
    }                                                                            \
  } while (0)

/* ---- building modules by hand ------------------------------------------- */

typedef struct bytes {
  uint8_t d[4096];
  size_t n;
} bytes;

static void put(bytes *b, const void *p, size_t n) {
  memcpy(b->d + b->n, p, n);
  b->n += n;
}
static void u8(bytes *b, uint8_t v) { b->d[b->n++] = v; }
static void leb(bytes *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    u8(b, (uint8_t)(c | (v ? 0x80 : 0)));
  } while (v);
}
static void str(bytes *b, const char *s) {
  leb(b, strlen(s));
  put(b, s, strlen(s));
}
static void section(bytes *m, uint8_t id, const bytes *body) {
  u8(m, id);
  leb(m, body->n);
  put(m, body->d, body->n);
}
static void custom(bytes *m, const char *name, const bytes *body) {
  bytes c = {.n = 0};
  str(&c, name);
  put(&c, body->d, body->n);
  section(m, 0, &c);
}
static void header(bytes *m) { put(m, "\0asm\1\0\0\0", 8); }

/* A linked-looking module with everything wgc_check_linked wants. */
static void build_linked(bytes *m, const char *extra_import, const char *feature) {
  bytes s;
  header(m);
  /* types: 0 (i32,i32)->i32, 1 ()->(), 2 (i32)->i32, 3 (i32 x6)->i32 */
  s.n = 0;
  leb(&s, 4);
  u8(&s, 0x60);
  leb(&s, 2);
  u8(&s, 0x7F);
  u8(&s, 0x7F);
  leb(&s, 1);
  u8(&s, 0x7F);
  u8(&s, 0x60);
  leb(&s, 0);
  leb(&s, 0);
  u8(&s, 0x60);
  leb(&s, 1);
  u8(&s, 0x7F);
  leb(&s, 1);
  u8(&s, 0x7F);
  u8(&s, 0x60);
  leb(&s, 6);
  for (int i = 0; i < 6; i++) u8(&s, 0x7F);
  leb(&s, 1);
  u8(&s, 0x7F);
  section(m, 1, &s);
  /* imports */
  s.n = 0;
  leb(&s, extra_import ? 3 : 2);
  str(&s, "env");
  str(&s, "memory");
  u8(&s, 2);
  u8(&s, 1);
  leb(&s, 2);
  leb(&s, 65536);
  str(&s, "env");
  str(&s, "TVMBackendRegisterSystemLibSymbol");
  u8(&s, 0);
  leb(&s, 0);
  if (extra_import) {
    str(&s, "env");
    str(&s, extra_import);
    u8(&s, 0);
    leb(&s, 2);
  }
  section(m, 2, &s);
  /* functions: ctors ()->(), kernel (i32 x6)->i32 */
  s.n = 0;
  leb(&s, 2);
  leb(&s, 1);
  leb(&s, 3);
  section(m, 3, &s);
  /* table: funcref min 3 max 3 */
  s.n = 0;
  leb(&s, 1);
  u8(&s, 0x70);
  u8(&s, 1);
  leb(&s, 3);
  leb(&s, 3);
  section(m, 4, &s);
  /* globals: __stack_pointer (mut) 65536, __data_end 66000, __heap_base 66016 */
  s.n = 0;
  leb(&s, 3);
  u8(&s, 0x7F);
  u8(&s, 1);
  u8(&s, 0x41);
  put(&s, "\x80\x80\x04", 3);
  u8(&s, 0x0B);
  u8(&s, 0x7F);
  u8(&s, 0);
  u8(&s, 0x41);
  put(&s, "\xd0\x83\x04", 3);
  u8(&s, 0x0B);
  u8(&s, 0x7F);
  u8(&s, 0);
  u8(&s, 0x41);
  put(&s, "\xe0\x83\x04", 3);
  u8(&s, 0x0B);
  section(m, 6, &s);
  /* exports */
  s.n = 0;
  leb(&s, 4);
  str(&s, "__wasm_call_ctors");
  u8(&s, 0);
  leb(&s, extra_import ? 2 : 1);
  str(&s, "__indirect_function_table");
  u8(&s, 1);
  leb(&s, 0);
  str(&s, "__data_end");
  u8(&s, 3);
  leb(&s, 1);
  str(&s, "__heap_base");
  u8(&s, 3);
  leb(&s, 2);
  section(m, 7, &s);
  /* code: two empty bodies */
  s.n = 0;
  leb(&s, 2);
  leb(&s, 2);
  u8(&s, 0);
  u8(&s, 0x0B);
  leb(&s, 4);
  u8(&s, 0);
  u8(&s, 0x41);
  u8(&s, 0);
  u8(&s, 0x0B);
  section(m, 10, &s);
  /* name: functions and globals */
  bytes names = {.n = 0}, sub = {.n = 0};
  uint32_t nimports = extra_import ? 2 : 1;
  leb(&sub, 2);
  leb(&sub, nimports);
  str(&sub, "__wasm_call_ctors");
  leb(&sub, nimports + 1);
  str(&sub, "my_kernel");
  u8(&names, 1);
  leb(&names, sub.n);
  put(&names, sub.d, sub.n);
  sub.n = 0;
  leb(&sub, 1);
  leb(&sub, 0);
  str(&sub, "__stack_pointer");
  u8(&names, 7);
  leb(&names, sub.n);
  put(&names, sub.d, sub.n);
  custom(m, "name", &names);
  if (feature) {
    s.n = 0;
    leb(&s, 1);
    u8(&s, '+');
    str(&s, feature);
    custom(m, "target_features", &s);
  }
}

/* ---- the reader ---------------------------------------------------------- */

static void test_reader_basics(void) {
  bytes m = {.n = 0};
  wgc_wasm_module w;
  char err[256];
  header(&m);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(w.num_imports == 0 && !w.has_linking);
  wgc_wasm_module_free(&w);

  CHECK(wgc_wasm_read(m.d, 0, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "not a wasm file (the file is empty)");
  CHECK(wgc_wasm_read(m.d, 6, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "truncated");
  CHECK(wgc_wasm_read((const uint8_t *)"\x7f"
                                       "ELF\2\1\1\0",
                      8, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "not a wasm file (ELF object)");
  CHECK(wgc_wasm_read((const uint8_t *)"\0asm\2\0\0\0", 8, &w, err, sizeof err) ==
        WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "unsupported wasm binary version 2");

  bytes l = {.n = 0};
  build_linked(&l, "expf", NULL);
  CHECK(wgc_wasm_read(l.d, l.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(w.num_types == 4 && w.num_imports == 3 && w.num_func_imports == 2);
  CHECK(w.num_memory_imports == 1 && w.imports[0].limits.min == 2 &&
        w.imports[0].limits.max == 65536 && w.imports[0].limits.has_max);
  CHECK(w.num_funcs == 2 && w.num_tables == 1 && w.tables[0].min == 3);
  CHECK(w.num_globals == 3 && w.globals[0].mutable_ && w.globals[0].has_i32_init &&
        w.globals[0].i32_init == 65536);
  CHECK(w.globals[2].i32_init == 66016);
  CHECK(wgc_wasm_find_export(&w, "__heap_base", WASM_EXT_GLOBAL) != NULL);
  CHECK(wgc_wasm_find_export(&w, "__heap_base", WASM_EXT_FUNC) == NULL);
  CHECK(strcmp(wgc_wasm_func_name(&w, 3), "my_kernel") == 0);
  CHECK(strcmp(wgc_wasm_global_name(&w, 0), "__stack_pointer") == 0);
  char t[64];
  wgc_wasm_functype_format(wgc_wasm_func_type(&w, 3), t, sizeof t);
  CHECK(strcmp(t, "(i32,i32,i32,i32,i32,i32)->i32") == 0);
  wgc_wasm_functype_format(wgc_wasm_func_type(&w, 2), t, sizeof t);
  CHECK(strcmp(t, "()->()") == 0);
  wgc_wasm_functype_format(wgc_wasm_func_type(&w, 0), t, 8); /* truncated output stays terminated */
  CHECK(strlen(t) == 7);
  CHECK(wgc_wasm_func_type(&w, 4) == NULL);
  int nk = 0;
  const char **k = wgc_list_kernels(&w, &nk);
  CHECK(nk == 1 && k && strcmp(k[0], "my_kernel") == 0);
  free(k);
  wgc_wasm_module_free(&w);
}

static void test_reader_hostile(void) {
  wgc_wasm_module w;
  char err[256];
  bytes m = {.n = 0};
  /* a type count of 2^32-1 in a 6-byte section: refused before allocating */
  header(&m);
  put(&m, "\x01\x06\xff\xff\xff\xff\x0f\x60", 8);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "count 4294967295");
  /* a 6-byte LEB128 for a u32 */
  m.n = 0;
  header(&m);
  put(&m, "\x01\x07\x80\x80\x80\x80\x80\x00\x00", 9);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "too long");
  /* 5-byte u32 with bits above 32 set */
  m.n = 0;
  header(&m);
  put(&m, "\x01\x05\x80\x80\x80\x80\x10", 7);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  /* a section longer than the file */
  m.n = 0;
  header(&m);
  put(&m, "\x01\x40\x00", 3);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "truncated wasm file: type section at offset 0x8 declares 64 bytes");
  /* unknown section id, and sections out of order */
  m.n = 0;
  header(&m);
  put(&m, "\x20\x00", 2);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "unknown section id 32");
  m.n = 0;
  header(&m);
  put(&m, "\x03\x01\x00\x01\x01\x00", 6);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "out of order");
  /* an import name with a NUL byte */
  m.n = 0;
  header(&m);
  put(&m,
      "\x02\x0a\x01\x03"
      "e\0v"
      "\x01m\x02\x00\x01",
      12);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "NUL");
  /* trailing bytes inside a known section */
  m.n = 0;
  header(&m);
  put(&m, "\x01\x02\x00\x00", 4);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "trailing");
  /* memory64 limits are read as 64-bit and flagged */
  m.n = 0;
  header(&m);
  bytes s = {.n = 0};
  leb(&s, 1);
  str(&s, "env");
  str(&s, "__linear_memory");
  u8(&s, 2);
  u8(&s, 4);
  leb(&s, 1ull << 40);
  section(&m, 2, &s);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(w.num_imports == 1 && w.imports[0].limits.is64 && w.imports[0].limits.min == 1ull << 40);
  wgc_wasm_module_free(&w);
}

/* Every prefix and every single-byte corruption must be handled without a
 * crash (run under ASan to catch reads out of bounds); prefixes that cut a
 * section must fail with a message. */
static void sweep(const uint8_t *data, size_t size, const char *what) {
  wgc_wasm_module w;
  char err[256];
  int ok_prefixes = 0, bad_without_message = 0, tested = 0;
  uint8_t *copy = malloc(size);
  /* every cut in the first 4 KiB, then about 2000 evenly spread ones */
  size_t far_step = size > 4096 ? (size - 4096) / 2000 + 1 : 1;
  for (size_t n = 0; n < size; n += n < 4096 ? 1 : far_step) {
    tested++;
    uint8_t *exact /* exact size: ASan sees any overread */ = malloc(n ? n : 1);
    memcpy(exact, data, n);
    err[0] = 0;
    if (wgc_wasm_read(exact, n, &w, err, sizeof err) == WASMGRAPH_OK) {
      ok_prefixes++;
      wgc_wasm_module_free(&w);
    } else if (!err[0]) {
      bad_without_message++;
    }
    free(exact);
  }
  /* byte flips: at most 4096 positions spread over the file */
  size_t step = size > 4096 ? size / 4096 : 1;
  for (size_t i = 0; i < size; i += step) {
    memcpy(copy, data, size);
    copy[i] ^= 0xFF;
    if (wgc_wasm_read(copy, size, &w, err, sizeof err) == WASMGRAPH_OK) wgc_wasm_module_free(&w);
  }
  free(copy);
  printf("  %s: %d of %zu prefixes, %d parse (cut at a section boundary)\n", what, tested, size,
         ok_prefixes);
  CHECK(bad_without_message == 0);
  CHECK(ok_prefixes < tested / 4); /* almost every cut must be detected */
}

static void test_sweeps(const char *fixtures) {
  bytes l = {.n = 0};
  build_linked(&l, NULL, "sign-ext");
  sweep(l.d, l.n, "synthetic module");
  char path[1024];
  snprintf(path, sizeof path, "%s/mlp/wasm32/graph.o", fixtures ? fixtures : "");
  FILE *f = fixtures ? fopen(path, "rb") : NULL;
  if (!f) {
    DIR *dir = fixtures ? opendir(fixtures) : NULL;
    if (dir) { /* the fixtures are there, so the sweep must be too */
      closedir(dir);
      failed++;
      fprintf(stderr, "FAIL: %s not found in an existing fixtures folder\n", path);
    } else {
      printf("  SKIP: fixture %s not found; real-object sweep not run\n", path);
    }
    return;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc((size_t)size);
  CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
  fclose(f);
  wgc_wasm_module w;
  char err[256];
  CHECK(wgc_wasm_read(data, (size_t)size, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(w.has_linking && w.num_symbols > 0);
  int nk = 0;
  const char **k = wgc_list_kernels(&w, &nk);
  CHECK(nk == 5); /* mlp: flatten, 3 dense, softmax */
  free(k);
  wgc_wasm_module_free(&w);
  sweep(data, (size_t)size, "mlp/wasm32/graph.o");
  free(data);

  /* every fixture object, scalar and SIMD (sampled for the big ones) */
  static const char *const models[] = {"lenet", "multi_io", "squeezenet1_1", "mobilenet_v2",
                                       "resnet18"};
  static const char *const variants[] = {"wasm32", "wasm32-simd"};
  for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
    for (size_t v = 0; v < 2; v++) {
      snprintf(path, sizeof path, "%s/%s/%s/graph.o", fixtures, models[m], variants[v]);
      f = fopen(path, "rb");
      CHECK(f != NULL);
      if (!f) continue;
      fseek(f, 0, SEEK_END);
      size = ftell(f);
      fseek(f, 0, SEEK_SET);
      data = malloc((size_t)size);
      CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
      fclose(f);
      CHECK(wgc_wasm_read(data, (size_t)size, &w, err, sizeof err) == WASMGRAPH_OK);
      /* SIMD objects are accepted since wasm2c 1.0.39 (issue 7) */
      char cerr[256];
      wgc_ctx cctx = {.err = cerr, .err_size = sizeof cerr};
      CHECK(wgc_check_object(&cctx, "graph.o", &w) == WASMGRAPH_OK);
      CHECK(wgc_wasm_has_feature(&w, "simd128") == (v == 1));
      wgc_wasm_module_free(&w);
      char what[128];
      snprintf(what, sizeof what, "%s/%s/graph.o", models[m], variants[v]);
      sweep(data, (size_t)size, what);
      free(data);
    }
  }
}

/* ---- ar ------------------------------------------------------------------ */

static void ar_header(bytes *b, const char *name, size_t size) {
  char h[61];
  snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "644", size);
  put(b, h, 60);
}

static void test_ar(void) {
  bytes a = {.n = 0};
  wgc_ar_archive ar;
  char err[256];
  put(&a, "!<arch>\n", 8);
  ar_header(&a, "/", 4);
  put(&a, "\0\0\0\0", 4);
  const char *longnames = "a_very_long_member_name.o/\n";
  ar_header(&a, "//", strlen(longnames));
  put(&a, longnames, strlen(longnames));
  if (strlen(longnames) & 1) u8(&a, '\n');
  ar_header(&a, "short.o/", 3);
  put(&a, "abc", 3);
  u8(&a, '\n'); /* pad to even */
  ar_header(&a, "/0", 2);
  put(&a, "xy", 2);
  ar_header(&a, "#1/6", 8);
  put(&a, "bsd.o\0", 6);
  put(&a, "zz", 2);
  CHECK(wgc_ar_read(a.d, a.n, &ar, err, sizeof err) == WASMGRAPH_OK);
  CHECK(ar.count == 3);
  if (ar.count == 3) {
    CHECK(strcmp(ar.members[0].name, "short.o") == 0 && ar.members[0].size == 3 &&
          memcmp(ar.members[0].data, "abc", 3) == 0);
    CHECK(strcmp(ar.members[1].name, "a_very_long_member_name.o") == 0 && ar.members[1].size == 2 &&
          memcmp(ar.members[1].data, "xy", 2) == 0);
    CHECK(strncmp(ar.members[2].name, "bsd.o", 5) == 0 && ar.members[2].size == 2);
  }
  wgc_ar_archive_free(&ar);
  for (size_t n = 8; n < a.n; n++) { /* no cut may crash; cuts inside a member fail */
    uint8_t *exact = malloc(n);
    memcpy(exact, a.d, n);
    wasmgraph_status st = wgc_ar_read(exact, n, &ar, err, sizeof err);
    if (st == WASMGRAPH_OK) wgc_ar_archive_free(&ar);
    else CHECK(err[0] != 0);
    free(exact);
  }
  CHECK(wgc_ar_read(a.d, 100, &ar, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "truncated archive");
  CHECK(wgc_ar_read((const uint8_t *)"!<arc", 5, &ar, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
}

/* ---- checks -------------------------------------------------------------- */

static void test_checks(void) {
  char err[512];
  wgc_ctx ctx = {.err = err, .err_size = sizeof err};
  wgc_wasm_module w;
  wgc_layout lay;
  bytes l = {.n = 0};

  build_linked(&l, NULL, NULL);
  CHECK(wgc_wasm_read(l.d, l.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(wgc_check_object(&ctx, "m.wasm", &w) == WASMGRAPH_OK);
  CHECK(wgc_check_linked(&ctx, "m.wasm", &w, &lay) == WASMGRAPH_OK);
  CHECK(lay.stack_top == 65536 && lay.data_end == 66000 && lay.heap_base == 66016);
  CHECK(lay.memory_min_pages == 2 && lay.memory_max_pages == 65536 && lay.table_size == 3);
  wgc_wasm_module_free(&w);

  l.n = 0;
  build_linked(&l, "foo", NULL);
  CHECK(wgc_wasm_read(l.d, l.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(wgc_check_linked(&ctx, "graph.o", &w, &lay) == WASMGRAPH_ERR_UNSUPPORTED);
  CHECK_STR_CONTAINS(err,
                     "graph.o: unsupported import env.foo (i32)->i32: the runtime cannot serve it");
  wgc_wasm_module_free(&w);

  l.n = 0;
  build_linked(&l, "expf", NULL); /* expf with type (i32)->i32 */
  CHECK(wgc_wasm_read(l.d, l.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(wgc_check_linked(&ctx, "graph.o", &w, &lay) == WASMGRAPH_ERR_UNSUPPORTED);
  CHECK_STR_CONTAINS(err, "it serves env.expf as (f32)->f32");
  wgc_wasm_module_free(&w);

  static const struct {
    const char *feature, *message;
    wasmgraph_status st;
  } features[] = {
      {"relaxed-simd", "m.o: relaxed SIMD (relaxed-simd) modules are not supported",
       WASMGRAPH_ERR_UNSUPPORTED},
      /* clang 19 marks an object with every feature enabled, used or not:
         tail-call and atomics pass this check (wasm2c refuses their
         instructions by name); a feature no LLVM 11-20 offers does not */
      {"tail-call", "", WASMGRAPH_OK},
      {"simd128", "", WASMGRAPH_OK},
      {"atomics", "", WASMGRAPH_OK},
      {"gc", "m.o: unsupported wasm feature gc (wasm2c", WASMGRAPH_ERR_UNSUPPORTED},
      {"memory64", "wasm64 module is not supported", WASMGRAPH_ERR_UNSUPPORTED},
      {"bulk-memory", "", WASMGRAPH_OK},
      {"nontrapping-fptoint", "", WASMGRAPH_OK},
  };
  for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
    l.n = 0;
    err[0] = 0;
    build_linked(&l, NULL, features[i].feature);
    CHECK(wgc_wasm_read(l.d, l.n, &w, err, sizeof err) == WASMGRAPH_OK);
    CHECK(wgc_check_object(&ctx, "m.o", &w) == features[i].st);
    if (features[i].st != WASMGRAPH_OK) CHECK_STR_CONTAINS(err, features[i].message);
    if (features[i].st == WASMGRAPH_OK) {
      CHECK(wgc_check_linked(&ctx, "m.o", &w, &lay) == WASMGRAPH_OK);
      CHECK((strcmp(features[i].feature, "bulk-memory") == 0) ==
            ((lay.features & WASMGRAPH_FEATURE_BULK_MEMORY) != 0));
      CHECK((strcmp(features[i].feature, "simd128") == 0) ==
            ((lay.features & WASMGRAPH_FEATURE_SIMD128) != 0));
    }
    wgc_wasm_module_free(&w);
  }

  wgc_wasm_functype t = {1, 1, (uint8_t[]){WASM_F32}, (uint8_t[]){WASM_F32}};
  char other[64];
  CHECK(wgc_import_served("env", "expf", &t, other, sizeof other));
  CHECK(!wgc_import_served("wasi", "expf", &t, other, sizeof other));
  wgc_wasm_functype t2 = {1, 1, (uint8_t[]){WASM_F64}, (uint8_t[]){WASM_F64}};
  CHECK(!wgc_import_served("env", "expf", &t2, other, sizeof other));
  CHECK(strcmp(other, "(f32)->f32") == 0);
  wgc_wasm_functype t3 = {5, 1, (uint8_t[]){WASM_I32, WASM_I32, WASM_I64, WASM_I32, WASM_I32},
                          (uint8_t[]){WASM_I32}};
  CHECK(wgc_import_served("env", "TVMBackendAllocWorkspace", &t3, other, sizeof other));
}

/* ---- glue and helpers ---------------------------------------------------- */

static void test_glue_and_helpers(void) {
  CHECK(wasmgraph_output_kind_from_path("a/b.so") == WASMGRAPH_OUTPUT_SHARED);
  CHECK(wasmgraph_output_kind_from_path("b.o") == WASMGRAPH_OUTPUT_OBJECT);
  CHECK(wasmgraph_output_kind_from_path("lib.x/b.a") == WASMGRAPH_OUTPUT_ARCHIVE);
  CHECK(wasmgraph_output_kind_from_path("b.c") == WASMGRAPH_OUTPUT_C);
  CHECK(wasmgraph_output_kind_from_path("b.wasm") == WASMGRAPH_OUTPUT_WASM);
  CHECK(wasmgraph_output_kind_from_path("b.txt") == WASMGRAPH_OUTPUT_UNKNOWN);
  CHECK(wasmgraph_output_kind_from_path("dir.so/b") == WASMGRAPH_OUTPUT_UNKNOWN);
  CHECK(wasmgraph_output_kind_from_path(".so") == WASMGRAPH_OUTPUT_UNKNOWN);

  CHECK(wasmgraph_name_is_valid("mlp") && wasmgraph_name_is_valid("_x9"));
  CHECK(!wasmgraph_name_is_valid("9x") && !wasmgraph_name_is_valid("a-b") &&
        !wasmgraph_name_is_valid("") && !wasmgraph_name_is_valid(NULL));
  char long_name[80];
  memset(long_name, 'a', 65);
  long_name[65] = 0;
  CHECK(!wasmgraph_name_is_valid(long_name));

  char n[72];
  wasmgraph_default_name("out/libmlp.a", n, sizeof n);
  CHECK(strcmp(n, "mlp") == 0);
  wasmgraph_default_name("resnet-18.v1.so", n, sizeof n);
  CHECK(strcmp(n, "resnet_18_v1") == 0);
  wasmgraph_default_name("9lives.o", n, sizeof n);
  CHECK(strcmp(n, "_9lives") == 0);
  wasmgraph_default_name("lib.o", n, sizeof n);
  CHECK(strcmp(n, "lib") == 0);
  wasmgraph_default_name("", n, sizeof n);
  CHECK(strcmp(n, "model") == 0);
  CHECK(wasmgraph_name_is_valid(n));

  /* wasm2c 1.0.39's own output for these names (node wasm2c -n NAME) */
  static const char *const mangled[][2] = {{"squeezenet1_1", "squeezenet1__1"},
                                           {"_a", "0x5Fa"},
                                           {"a_", "a0x5F"},
                                           {"a__b", "a__0x5Fb"},
                                           {"My__Net", "My__0x5FNet"},
                                           {"x0xAB", "x0x0x41B"},
                                           {"x0xab", "x0xab"},
                                           {"Z", "Z"},
                                           {"a_0xF", "a__0x0x46"},
                                           {"_", "0x5F"},
                                           {"__x", "0x5F__x"},
                                           {"a___b", "a__0x5F__b"},
                                           {"x0X1", "x0X1"},
                                           {"a_b_c", "a__b__c"}};
  for (size_t i = 0; i < sizeof mangled / sizeof mangled[0]; i++) {
    char *m = wgc_w2c_mangle(mangled[i][0]);
    CHECK(m && strcmp(m, mangled[i][1]) == 0);
    if (m && strcmp(m, mangled[i][1]) != 0)
      fprintf(stderr, "  mangle(%s) = %s, want %s\n", mangled[i][0], m, mangled[i][1]);
    free(m);
  }

  wgc_layout lay = {.stack_top = 8388608,
                    .data_end = 8421896,
                    .heap_base = 8421904,
                    .memory_min_pages = 129,
                    .memory_max_pages = 65536,
                    .table_size = 9,
                    .features = WASMGRAPH_FEATURE_SIMD128};
  wgc_embed_info none = {false, 0, 0}, some = {true, 11, 22};
  char *g = wgc_glue_source("my_Z", "my__Z", &lay, &none);
  CHECK_STR_CONTAINS(g, "#include \"my_Z_w2c.h\"");
  CHECK_STR_CONTAINS(g, "typedef w2c_my__Z wgc_instance;");
  CHECK_STR_CONTAINS(g,
                     "wasm2c_my__Z_instantiate((wgc_instance *)instance, (struct w2c_env *)env);");
  CHECK_STR_CONTAINS(g, "wasm2c_my__Z_free((wgc_instance *)instance);");
  CHECK_STR_CONTAINS(g, "wasm2c_my__Z_get_func_type(6, 1, WASM_RT_I32,");
  CHECK_STR_CONTAINS(g, "wasm2c_my__Z_get_func_type(3, 1, WASM_RT_I32,");
  CHECK_STR_CONTAINS(g, "w2c_my__Z_0x5F_wasm_call_ctors((wgc_instance *)instance);");
  CHECK_STR_CONTAINS(g, "w2c_my__Z_0x5F_indirect_function_table((wgc_instance *)instance)");
  CHECK_STR_CONTAINS(g, "->w2c_0x5F_stack_pointer = sp;");
  CHECK_STR_CONTAINS(g, "memcmp(e->func_type, type, 32) == 0");
  CHECK_STR_CONTAINS(g, "8421904u, /* heap_base */");
  CHECK_STR_CONTAINS(g, "1u, /* features */");
  CHECK_STR_CONTAINS(g, "const wasmgraph_module_desc *my_Z_wasmgraph_module(void) {");
  CHECK_STR_CONTAINS(g, "#ifdef WASMGRAPH_SHARED_ENTRY");
  CHECK_STR_CONTAINS(g, "NULL, 0u, NULL, 0u,");
  CHECK_STR_CONTAINS(g, "wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT)");
  CHECK(g && !strstr(g, "Z_my") && !strstr(g, "init_module()"));
  free(g);
  g = wgc_glue_source("m", "m", &lay, &some);
  CHECK_STR_CONTAINS(g, "m_wasmgraph_graph_json,\n    11u,\n    m_wasmgraph_params,\n    22u,");
  free(g);
  g = wgc_glue_header("m", "out.c");
  CHECK_STR_CONTAINS(g, "const wasmgraph_module_desc *m_wasmgraph_module(void);");
  CHECK_STR_CONTAINS(g, "Compile out.c and m_w2c.c");
  free(g);
}

/* ---- memory rewrite --------------------------------------------------------- */

/* The parts of wasm2c 1.0.39's output the rewrite keys on, in its exact
 * shapes, around the function bodies under test. */
static const char rw_head[] =
    "/* Automatically generated by wasm2c */\n"
    "#define IS_SINGLE_UNSHARED_MEMORY 1\n"
    "  static inline return_type name##_default32(wasm_rt##shared##memory_t* mem, \\\n"
    "DEFINE_SIMD_LOAD_FUNC(v128_load32_splat, simde_wasm_v128_load32_splat, u32)\n"
    "DEFINE_SIMD_STORE_LANE(v128_store64_lane0, simde_wasm_v128_store64_lane, u64, 0)\n";
static const char rw_tail[] =
    "static void init_instance_import(w2c_my__net* instance, struct w2c_env* w2c_env_instance) {\n"
    "  instance->w2c_env_instance = w2c_env_instance;\n"
    "  instance->w2c_env_memory = w2c_env_memory(w2c_env_instance);\n"
    "}\n"
    "const u8 wasm2c_my__net_is64_env_memory = 0;\n"
    "const u32 wasm2c_my__net_pagesize_env_memory = 65536;\n";

/* Rewrites rw_head + body + rw_tail; returns the result (malloc'd) or NULL. */
static char *rewrite(const char *head, const char *body, wgc_rewrite_stats *st, const char **why) {
  size_t n = strlen(head) + strlen(body) + strlen(rw_tail);
  char *text = malloc(n + 1);
  snprintf(text, n + 1, "%s%s%s", head, body, rw_tail);
  char *out = wgc_memory_rewrite_text(text, n, "my__net", st, why);
  free(text);
  return out;
}

static int count_of(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle)) n++;
  return n;
}

static void test_memory_rewrite(void) {
  wgc_rewrite_stats st;
  const char *why;
  static const char good[] =
      "u32 w2c_my__net_f(w2c_my__net* instance, u32 var_p0) {\n"
      "  FUNC_PROLOGUE;\n"
      "  u32 var_i0, var_i1;\n"
      "  v128 var_o0;\n"
      "  var_i0 = i32_load_default32(instance->w2c_env_memory, (u64)(var_p0) + 4u);\n"
      "  var_i0 = w2c_env_TVMBackendParallelLaunch(instance->w2c_env_instance, var_i0, 1u);\n"
      "  var_i0 = w2c_env_TVMBackendAllocWorkspace(instance->w2c_env_instance, var_i0, 1u);\n"
      "  var_i1 = w2c_env_memset(instance->w2c_env_instance, var_i0, 0u, 448u);\n"
      "  var_i1 = (*instance->w2c_env_memory).pages;\n"
      "  var_i1 = wasm_rt_grow_memory(instance->w2c_env_memory, var_i1);\n"
      "  var_o0 = v128_load32_splat(instance->w2c_env_memory, (u64)(var_i1));\n"
      "  v128_store64_lane0(instance->w2c_env_memory, (u64)(var_i0), var_o0);\n"
      "  memory_copy(instance->w2c_env_memory, instance->w2c_env_memory, var_i0, var_i1, 4u);\n"
      "  var_i1 = CALL_INDIRECT(instance->w2c_T0, u32 (*)(void*, u32), w2c_my__net_t0, var_i1, "
      "instance->w2c_T0.data[var_i1].module_instance, var_i1);\n"
      "#if WASM_RT_USE_SEGUE_FOR_THIS_MODULE\n"
      "  wasm_rt_segue_write_base((*instance->w2c_env_memory).data);\n"
      "#endif\n"
      "  w2c_my__net_g(instance);\n"
      "  FUNC_EPILOGUE;\n"
      "  return var_i0;\n"
      "}\n"
      "\n"
      "void w2c_my__net_g(w2c_my__net* instance) {\n"
      "  FUNC_PROLOGUE;\n"
      "  w2c_env_TVMAPISetLastError(instance->w2c_env_instance, 0u);\n"
      "  FUNC_EPILOGUE;\n"
      "}\n";
  char *out = rewrite(rw_head, good, &st, &why);
  CHECK(out != NULL && st.applied);
  CHECK(st.functions == 1 && st.skipped == 0); /* g touches no memory: left alone */
  CHECK(st.simd_accesses == 2 && st.refreshes == 4 && st.memsets == 1 && !st.no_splat);
  CHECK_STR_CONTAINS(out,
                     "u32 w2c_my__net_f(w2c_my__net* instance, u32 var_p0) {\n"
                     "  wasm_rt_memory_t wg_memv = *instance->w2c_env_memory; "
                     "wasm_rt_memory_t *const wg_mem = &wg_memv;\n  FUNC_PROLOGUE;\n");
  CHECK_STR_CONTAINS(out, "i32_load_default32(wg_mem, (u64)(var_p0) + 4u);\n");
  /* a host import may move the memory: refresh; the workspace imports
   * cannot, and memset runs inline on the copy */
  CHECK_STR_CONTAINS(out,
                     "ParallelLaunch(instance->w2c_env_instance, var_i0, 1u);\n"
                     "  wg_memv = *instance->w2c_env_memory;\n"
                     "  var_i0 = w2c_env_TVMBackendAllocWorkspace(instance->w2c_env_instance, "
                     "var_i0, 1u);\n"
                     "  var_i1 = WG_MEMSET(wg_mem, instance->w2c_env_instance, var_i0, 0u, 448u);\n"
                     "  var_i1 = (*wg_mem).pages;\n");
  CHECK_STR_CONTAINS(out, "var_i1 = (*wg_mem).pages;\n");
  /* memory.grow changes the real struct, then the copy is refreshed */
  CHECK_STR_CONTAINS(out,
                     "wasm_rt_grow_memory(instance->w2c_env_memory, var_i1);\n"
                     "  wg_memv = *instance->w2c_env_memory;\n");
  CHECK_STR_CONTAINS(out, "v128_load32_splat_default32(wg_mem, (u64)(var_i1));\n");
  CHECK_STR_CONTAINS(out, "v128_store64_lane0_default32(wg_mem, (u64)(var_i0), var_o0);\n");
  CHECK_STR_CONTAINS(out, "memory_copy(wg_mem, wg_mem, var_i0");
  CHECK_STR_CONTAINS(out, "module_instance, var_i1);\n  wg_memv = *instance->w2c_env_memory;\n");
  CHECK_STR_CONTAINS(out, "  wasm_rt_segue_write_base((*instance->w2c_env_memory).data);\n");
  CHECK_STR_CONTAINS(out,
                     "  w2c_my__net_g(instance);\n  wg_memv = *instance->w2c_env_memory;\n"
                     "  FUNC_EPILOGUE;\n  return var_i0;\n}\n\nvoid w2c_my__net_g(");
  CHECK_STR_CONTAINS(out,
                     "void w2c_my__net_g(w2c_my__net* instance) {\n  FUNC_PROLOGUE;\n"
                     "  w2c_env_TVMAPISetLastError(instance->w2c_env_instance, 0u);\n"
                     "  FUNC_EPILOGUE;\n}\n");
  CHECK_STR_CONTAINS(out, rw_tail); /* the rest unchanged */
  CHECK(count_of(out, "wg_memv = *") == 5);
  free(out);

  /* a call inside a condition: that function stays as it was */
  static const char in_if[] =
      "u32 w2c_my__net_h(w2c_my__net* instance, u32 var_p0) {\n"
      "  var_i0 = i32_load_default32(instance->w2c_env_memory, (u64)(var_p0));\n"
      "  if (w2c_my__net_k(instance, var_i0)) {\n"
      "    var_i0 = 1u;\n"
      "  }\n"
      "  return var_i0;\n"
      "}\n";
  out = rewrite(rw_head, in_if, &st, &why);
  CHECK(out && st.applied && st.functions == 0 && st.skipped == 1);
  CHECK_STR_CONTAINS(st.first_skip, "a call in a line that does not end a statement");
  CHECK(out && !strstr(out, "wg_mem"));
  free(out);

  /* a call and a memory access in one statement */
  static const char mixed[] =
      "u32 w2c_my__net_h(w2c_my__net* instance, u32 var_p0) {\n"
      "  var_i0 = w2c_my__net_k(instance, i32_load_default32(instance->w2c_env_memory, 0u));\n"
      "  return var_i0;\n"
      "}\n";
  out = rewrite(rw_head, mixed, &st, &why);
  CHECK(out && st.skipped == 1 && st.functions == 0);
  CHECK_STR_CONTAINS(st.first_skip, "a call and a memory access in one line");
  free(out);

  /* the memory used other than as an argument, tail calls, foreign preprocessor lines */
  static const char *const odd[] = {
      "u32 w2c_my__net_h(w2c_my__net* instance) {\n"
      "  wasm_rt_memory_t* p = instance->w2c_env_memory;\n  return 0u;\n}\n",
      "u32 w2c_my__net_h(w2c_my__net* instance) {\n"
      "  var_i0 = i32_load_default32(instance->w2c_env_memory, 0u);\n"
      "  while (next->fn) { next->fn(instance_ptr, tail_call_stack, next); }\n  return 0u;\n}\n",
      "u32 w2c_my__net_h(w2c_my__net* instance) {\n#ifdef X\n"
      "  var_i0 = i32_load_default32(instance->w2c_env_memory, 0u);\n#endif\n  return 0u;\n}\n"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    out = rewrite(rw_head, odd[i], &st, &why);
    CHECK(out && st.skipped == 1 && st.functions == 0 && !strstr(out, "wg_mem"));
    free(out);
  }

  /* a SIMD helper without a _default32 twin: no splat anywhere, copy still */
  static const char no_twin[] =
      "u32 w2c_my__net_h(w2c_my__net* instance, u32 var_p0) {\n"
      "  var_o0 = v128_load32_splat(instance->w2c_env_memory, (u64)(var_p0));\n"
      "  var_o1 = v128_load8_splat(instance->w2c_env_memory, (u64)(var_p0));\n"
      "  return 0u;\n"
      "}\n";
  out = rewrite(rw_head, no_twin, &st, &why);
  CHECK(out && st.functions == 1 && st.simd_accesses == 0 && st.no_splat);
  CHECK_STR_CONTAINS(out, "v128_load32_splat(wg_mem, (u64)(var_p0));");
  CHECK_STR_CONTAINS(out, "v128_load8_splat(wg_mem, (u64)(var_p0));");
  free(out);

  /* splat needs a single 32-bit memory */
  out = rewrite("\n#define IS_SINGLE_UNSHARED_MEMORY 0\n", good, &st, &why);
  CHECK(out && st.functions == 1 && st.simd_accesses == 0);
  CHECK_STR_CONTAINS(st.no_splat, "not a single unshared memory");
  free(out);

  /* file-level anchors missing, or a function without its end: unchanged */
  static const char plain[] = "u32 w2c_my__net_h(w2c_my__net* instance) {\n  return 0u;\n}\n";
  out = wgc_memory_rewrite_text(plain, sizeof plain - 1, "my__net", &st, &why);
  CHECK(out == NULL && why && !st.applied);
  CHECK_STR_CONTAINS(why, "memory import");
  static const char open_fn[] =
      "u32 w2c_my__net_h(w2c_my__net* instance) {\n"
      "  var_i0 = i32_load_default32(instance->w2c_env_memory, 0u);\n";
  out = rewrite(rw_head, open_fn, &st, &why);
  CHECK(out == NULL && why && !st.applied);
  CHECK_STR_CONTAINS(why, "not closed");
  /* another module's functions are not touched */
  out = rewrite(rw_head,
                "u32 w2c_other_h(w2c_other* instance) {\n"
                "  var_i0 = i32_load_default32(instance->w2c_env_memory, 0u);\n  return 0u;\n}\n",
                &st, &why);
  CHECK(out && st.functions == 0 && !strstr(out, "wg_mem"));
  free(out);
}

/* ---- reader: v128 in constant expressions --------------------------------- */

static void test_reader_v128(void) {
  bytes m = {.n = 0}, s = {.n = 0};
  wgc_wasm_module w;
  char err[256];
  header(&m);
  /* type (v128)->v128; global v128 (immutable) = v128.const 0 */
  leb(&s, 1);
  u8(&s, 0x60);
  leb(&s, 1);
  u8(&s, 0x7B);
  leb(&s, 1);
  u8(&s, 0x7B);
  section(&m, 1, &s);
  s.n = 0;
  leb(&s, 1);
  u8(&s, 0x7B);
  u8(&s, 0);
  u8(&s, 0xFD);
  leb(&s, 12);
  for (int i = 0; i < 16; i++) u8(&s, (uint8_t)i);
  u8(&s, 0x0B);
  section(&m, 6, &s);
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_OK);
  CHECK(w.num_globals == 1 && w.globals[0].type == WASM_V128 && !w.globals[0].has_i32_init);
  wgc_wasm_module_free(&w);
  /* any other 0xFD opcode is not constant */
  m.d[m.n - 18] = 13;
  CHECK(wgc_wasm_read(m.d, m.n, &w, err, sizeof err) == WASMGRAPH_ERR_FORMAT);
  CHECK_STR_CONTAINS(err, "unsupported opcode 0xfd 13");
}

int main(int argc, char **argv) {
  test_reader_basics();
  test_reader_hostile();
  test_sweeps(argc > 1 ? argv[1] : NULL);
  test_ar();
  test_checks();
  test_glue_and_helpers();
  test_memory_rewrite();
  test_reader_v128();
  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
