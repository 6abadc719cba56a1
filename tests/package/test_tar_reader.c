/*
 * test_tar_reader.c — common/tar_reader.c and common/package.c on tars
 * built in memory, one header at a time, so every variant and every broken
 * field is exact: ustar prefix + name, GNU long names ('L') and base-256
 * sizes, pax path/size records, checksums, truncation at every byte, the
 * package layouts (MLF, tvmc, nested mod.tar) and their refusals, and the ar
 * archive made for several objects (read back with ar_reader.c).
 *
 * Prints "ok - ..." / "FAIL - ..." per check and "N passed, M failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/ar_reader.h"
#include "package.h"
#include "tar_reader.h"

static int npass, nfail;

static void check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s - ", ok ? "ok" : "FAIL");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  if (ok) npass++;
  else nfail++;
}

/* ---- building tars ------------------------------------------------------ */

typedef struct buf {
  uint8_t *d;
  size_t n;
} buf;

static void put(buf *b, const void *p, size_t n) {
  b->d = realloc(b->d, b->n + n);
  if (!b->d) abort();
  memcpy(b->d + b->n, p, n);
  b->n += n;
}

enum { USTAR, GNU };

/* One header (+ data padded to 512). `size_field` < 0: octal of n; -2:
 * base-256 of n. `breaksum`: store a wrong checksum. */
static void member(buf *b, int style, const char *prefix, const char *name, char type,
                   const void *data, size_t n, int base256, int breaksum) {
  uint8_t h[512];
  memset(h, 0, sizeof h);
  memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
  memcpy(h + 100, "0000644", 7);
  memcpy(h + 108, "0000000", 7);
  memcpy(h + 116, "0000000", 7);
  if (base256) {
    h[124] = 0x80;
    uint64_t v = n;
    for (int i = 11; i >= 1; i--, v >>= 8) h[124 + i] = (uint8_t)v;
  } else {
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)n);
  }
  memcpy(h + 136, "00000000000", 11);
  h[156] = (uint8_t)type;
  if (style == USTAR) {
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    if (prefix) memcpy(h + 345, prefix, strlen(prefix));
  } else {
    memcpy(h + 257, "ustar  \0", 8);
  }
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += h[i];
  if (breaksum) sum++;
  snprintf((char *)h + 148, 8, "%06o", sum);
  put(b, h, 512);
  put(b, data, n);
  static const uint8_t zero[512];
  if (n % 512) put(b, zero, 512 - n % 512);
}

static void file(buf *b, const char *name, const char *text) {
  member(b, USTAR, NULL, name, '0', text, strlen(text), 0, 0);
}

static void end(buf *b) {
  static const uint8_t zero[1024];
  put(b, zero, sizeof zero);
}

/* Appends one pax record "LEN key=value\n" (LEN counts itself). */
static void pax_record(char *out, size_t size, const char *key, const char *value) {
  size_t body = 1 + strlen(key) + 1 + strlen(value) + 1, len = body + 1;
  while (snprintf(NULL, 0, "%zu", len) + body != len) len++;
  size_t used = strlen(out);
  snprintf(out + used, size - used, "%zu %s=%s\n", len, key, value);
}

static void pax(buf *b, const char *records) {
  member(b, USTAR, NULL, "PaxHeaders/x", 'x', records, strlen(records), 0, 0);
}

/* ---- checks ------------------------------------------------------------- */

static void test_variants(void) {
  buf b = {0};
  char err[300];
  wg_tar_archive a;
  char long_name[200];
  memset(long_name, 'n', sizeof long_name);
  memcpy(long_name, "deep/", 5);
  long_name[150] = 0;

  member(&b, USTAR, "some/prefix", "file.txt", '0', "hello", 5, 0, 0);
  member(&b, USTAR, NULL, "./dir/", '5', "", 0, 0, 0);
  member(&b, GNU, NULL, "././@LongLink", 'L', long_name, strlen(long_name) + 1, 0, 0);
  member(&b, GNU, NULL, "truncated-short-name", '0', "long!", 5, 0, 0);
  char records[200] = "";
  pax_record(records, sizeof records, "path", "./pax/long/name.bin");
  pax_record(records, sizeof records, "size", "3");
  pax_record(records, sizeof records, "comment", "ignored");
  pax(&b, records);
  member(&b, USTAR, NULL, "pax-short", '0', "abc", 3, 0, 0);
  member(&b, GNU, NULL, "/abs/b256", '0', "0123456789", 10, 1, 0);
  member(&b, USTAR, NULL, "nul", 0, "x", 1, 0, 0);
  end(&b);

  wasmgraph_status st = wg_tar_read(b.d, b.n, &a, err, sizeof err);
  check(st == WASMGRAPH_OK && a.count == 6, "variants: 6 members read (%s)", st ? err : "ok");
  if (st == WASMGRAPH_OK && a.count == 6) {
    check(strcmp(a.members[0].name, "some/prefix/file.txt") == 0 && a.members[0].size == 5 &&
              memcmp(a.members[0].data, "hello", 5) == 0,
          "ustar prefix + name joined: '%s'", a.members[0].name);
    check(strcmp(a.members[1].name, "dir") == 0 && a.members[1].type == '5',
          "directory './dir/' normalised to 'dir'");
    check(strcmp(a.members[2].name, long_name) == 0 && memcmp(a.members[2].data, "long!", 5) == 0,
          "GNU 'L' long name (150 bytes) applies to the next member");
    check(strcmp(a.members[3].name, "pax/long/name.bin") == 0 && a.members[3].size == 3,
          "pax path and size records: '%s'", a.members[3].name);
    check(strcmp(a.members[4].name, "abs/b256") == 0 && a.members[4].size == 10 &&
              memcmp(a.members[4].data, "0123456789", 10) == 0,
          "base-256 size and leading '/' stripped");
    check(a.members[5].type == '0', "typeflag NUL is a regular file");
    check(wg_tar_find(&a, "dir") == NULL && wg_tar_find(&a, "abs/b256") == &a.members[4],
          "wg_tar_find: regular files only");
  }
  wg_tar_archive_free(&a);
  check(wg_tar_sniff(b.d, b.n) && !wg_tar_sniff(b.d, 511), "wg_tar_sniff: whole header needed");

  /* Truncation at every byte: a clean error or a shorter listing whose data
   * lies inside the cut buffer, never a crash (ASan builds check the reads). */
  int bad = 0, errors = 0;
  for (size_t cut = 0; cut < b.n; cut++) {
    st = wg_tar_read(b.d, cut, &a, err, sizeof err);
    if (st != WASMGRAPH_OK && st != WASMGRAPH_ERR_FORMAT) bad++;
    if (st != WASMGRAPH_OK) errors++;
    for (int i = 0; st == WASMGRAPH_OK && i < a.count; i++)
      if (a.members[i].data < b.d || a.members[i].data + a.members[i].size > b.d + cut) bad++;
    if (st == WASMGRAPH_OK && a.count > 6) bad++;
    wg_tar_archive_free(&a);
  }
  check(!bad && errors > (int)(b.n / 2),
        "truncation at each of %zu byte offsets: %d clean errors, listings stay in bounds", b.n,
        errors);
  free(b.d);
}

static void expect_error(const char *label, buf *b, const char *want) {
  char err[300] = "";
  wg_tar_archive a;
  wasmgraph_status st = wg_tar_read(b->d, b->n, &a, err, sizeof err);
  check(st == WASMGRAPH_ERR_FORMAT && strstr(err, want) && a.count == 0, "%s: '%s'", label, err);
  free(b->d);
  *b = (buf){0};
}

static void test_errors(void) {
  buf b = {0};
  member(&b, USTAR, NULL, "a", '0', "x", 1, 0, 1);
  end(&b);
  expect_error("bad checksum", &b, "bad tar header checksum at offset 0x0");

  file(&b, "a", "ok");
  member(&b, USTAR, NULL, "big", '0', "yy", 2, 0, 0);
  b.n -= 512; /* the data block of "big" is gone */
  expect_error("member data cut", &b,
               "truncated tar: member 'big' at offset 0x400 needs 2 bytes, 0 left");

  pax(&b, "99 path=x\n");
  file(&b, "a", "x");
  end(&b);
  expect_error("pax record longer than the header", &b, "malformed pax header");

  file(&b, "a", "x");
  member(&b, GNU, NULL, "././@LongLink", 'L', "name", 5, 0, 0);
  end(&b);
  expect_error("long name without a member", &b, "not followed by a member");

  file(&b, "a", "x");
  b.d[124] = 'Z'; /* size field, checksum recomputed below */
  memset(b.d + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += b.d[i];
  snprintf((char *)b.d + 148, 8, "%06o", sum);
  end(&b);
  expect_error("non-octal size", &b, "bad tar size field");

  uint8_t junk[1024] = {1, 2, 3};
  put(&b, junk, sizeof junk);
  expect_error("not a tar", &b, "not a tar archive");
}

/* ---- packages ----------------------------------------------------------- */

static wasmgraph_status parse(buf *b, wg_package *p, char *err, size_t n) {
  end(b);
  return wg_package_parse(b->d, b->n, "m.tar", p, err, n);
}

static void test_packages(void) {
  char err[400];
  wg_package p;
  buf b = {0};

  /* MLF v7, two objects listed out of order, another module's object beside. */
  file(&b, "./metadata.json", "{}");
  file(&b, "./codegen/host/lib/net_lib1.o", "ONE");
  file(&b, "./codegen/host/lib/net_lib0.o", "ZERO");
  file(&b, "./codegen/host/lib/other_lib0.o", "OTHER");
  file(&b, "./executor-config/graph/net.graph", "{\"g\":1}");
  file(&b, "./parameters/net.params", "PARAMS");
  file(&b, "./src/net.relay", "relay");
  wasmgraph_status st = parse(&b, &p, err, sizeof err);
  check(st == WASMGRAPH_OK && p.kind == WG_PACKAGE_MLF && strcmp(p.module, "net") == 0,
        "MLF: module 'net' found (%s)", st ? err : "ok");
  if (st == WASMGRAPH_OK) {
    check(p.num_libs == 2 && strcmp(p.libs[0].member, "codegen/host/lib/net_lib0.o") == 0 &&
              strcmp(p.libs[1].member, "codegen/host/lib/net_lib1.o") == 0,
          "MLF: the module's own objects, sorted");
    check(p.graph.size == 7 && memcmp(p.params.data, "PARAMS", 6) == 0,
          "MLF: graph and params found");
    size_t n = 0;
    uint8_t *ar = wg_package_libs_archive(&p, &n);
    wgc_ar_archive arch;
    char aerr[200];
    st = ar ? wgc_ar_read(ar, n, &arch, aerr, sizeof aerr) : WASMGRAPH_ERR_NO_MEMORY;
    check(st == WASMGRAPH_OK && arch.count == 2 && arch.members[1].size == 3 &&
              memcmp(arch.members[0].data, "ZERO", 4) == 0 &&
              memcmp(arch.members[1].data, "ONE", 3) == 0,
          "several objects become an ar archive ar_reader reads back (odd sizes padded)");
    if (st == WASMGRAPH_OK) wgc_ar_archive_free(&arch);
    free(ar);
  }
  wg_package_free(&p);
  free(b.d);
  b = (buf){0};

  /* Older MLF: executor-config/graph/graph.json and the only params file. */
  file(&b, "metadata.json", "{}");
  file(&b, "codegen/host/lib/lib0.o", "OBJ");
  file(&b, "executor-config/graph/graph.json", "{}");
  file(&b, "parameters/mymodel.params", "P");
  st = parse(&b, &p, err, sizeof err);
  check(st == WASMGRAPH_OK && p.num_libs == 1 &&
            strcmp(p.params.member, "parameters/mymodel.params") == 0,
        "MLF (older layout): graph.json and the only params file (%s)", st ? err : "ok");
  wg_package_free(&p);
  free(b.d);
  b = (buf){0};

  static const struct {
    const char *label, *files[6], *want;
    wasmgraph_status st;
  } refused[] = {
      {"MLF without a graph (AOT)",
       {"metadata.json", "codegen/host/lib/default_lib0.o", "parameters/default.params"},
       "m.tar: Model Library Format without executor-config/graph/*.graph: an AOT package?",
       WASMGRAPH_ERR_UNSUPPORTED},
      {"MLF with C sources only",
       {"metadata.json", "codegen/host/src/default_lib0.c", "executor-config/graph/default.graph",
        "parameters/default.params"},
       "m.tar: holds C source (codegen/host/src/default_lib0.c), not a wasm32 object",
       WASMGRAPH_ERR_UNSUPPORTED},
      {"MLF with two graph modules",
       {"metadata.json", "executor-config/graph/a.graph", "executor-config/graph/b.graph"},
       "with 2 graph modules",
       WASMGRAPH_ERR_UNSUPPORTED},
      {"MLF without params",
       {"metadata.json", "executor-config/graph/default.graph", "codegen/host/lib/default_lib0.o"},
       "m.tar: Model Library Format without parameters/default.params",
       WASMGRAPH_ERR_FORMAT},
      {"tvmc VM package", {"lib.so"}, "a tvmc VM package", WASMGRAPH_ERR_UNSUPPORTED},
      {"tvmc without a library",
       {"mod.json", "mod.params"},
       "tvmc package without a library",
       WASMGRAPH_ERR_FORMAT},
      {"tvmc without params",
       {"mod.json", "mod.so"},
       "tvmc package without mod.params",
       WASMGRAPH_ERR_FORMAT},
      {"unrelated tar",
       {"README", "src/x.c"},
       "neither a Model Library Format",
       WASMGRAPH_ERR_FORMAT},
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    for (int f = 0; f < 6 && refused[i].files[f]; f++) file(&b, refused[i].files[f], "x");
    err[0] = 0;
    st = parse(&b, &p, err, sizeof err);
    check(st == refused[i].st && strstr(err, refused[i].want) && p.num_libs == 0,
          "refused: %s: '%s'", refused[i].label, err);
    free(b.d);
    b = (buf){0};
  }

  /* tvmc with a nested mod.tar of objects. */
  buf inner = {0};
  file(&inner, "lib0.o", "K0");
  file(&inner, "devc.o", "K1");
  end(&inner);
  file(&b, "mod.json", "{}");
  file(&b, "mod.params", "P");
  member(&b, USTAR, NULL, "mod.tar", '0', inner.d, inner.n, 0, 0);
  st = parse(&b, &p, err, sizeof err);
  check(st == WASMGRAPH_OK && p.kind == WG_PACKAGE_TVMC && p.num_libs == 2 &&
            strcmp(p.libs[0].member, "mod.tar(lib0.o)") == 0 &&
            memcmp(p.libs[1].data, "K1", 2) == 0,
        "tvmc: nested mod.tar objects (%s)", st ? err : "ok");
  wg_package_free(&p);
  free(b.d);
  b = (buf){0};

  /* A broken nested tar is reported with its name. */
  file(&b, "mod.json", "{}");
  file(&b, "mod.params", "P");
  member(&b, USTAR, NULL, "mod.tar", '0', inner.d, 1100, 0, 0); /* 2nd header cut */
  err[0] = 0;
  st = parse(&b, &p, err, sizeof err);
  check(st == WASMGRAPH_ERR_FORMAT && strstr(err, "m.tar(mod.tar): truncated tar"),
        "tvmc: a truncated mod.tar: '%s'", err);
  free(b.d);
  free(inner.d);

  static const uint8_t gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0};
  st = wg_package_parse(gz, sizeof gz, "m.tar.gz", &p, err, sizeof err);
  check(st == WASMGRAPH_ERR_UNSUPPORTED && strstr(err, "m.tar.gz: gzip-compressed") &&
            wg_package_sniff(gz, sizeof gz) == WG_PACKAGE_GZIP,
        "gzip data: '%s'", err);
}

int main(void) {
  test_variants();
  test_errors();
  test_packages();
  printf("%d passed, %d failed\n", npass, nfail);
  if (npass + nfail == 0) printf("FAIL: no check ran\n");
  return nfail != 0 || npass + nfail == 0;
}
