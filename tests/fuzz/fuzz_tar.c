/*
 * fuzz_tar.c — libFuzzer target for wg_tar_read and the model-package layer on
 * top of it (common/package.c: MLF and tvmc packages, nested mod.tar).
 *
 * Any input: no crash, no leak, no UB, same status with or without an error
 * buffer. tar failure: FORMAT or NO_MEMORY, the archive empty, a "tar"
 * message. tar success: the input starts with a checksummed ustar header,
 * every member's data lies inside the input at a block boundary after its
 * header and after the previous member, names are normalised (no leading
 * "./" or "/", no trailing "/", no control bytes, at most 4096 bytes),
 * '\0'/'7' types read as '0', and wg_tar_find returns the first regular member
 * of a name. Package success: its files point into the input, it has at
 * least one library, and the ar archive built from the libraries reads back
 * (wgc_ar_read) as exactly those bytes. Package failure: the struct is zeroed
 * and the message names the package.
 *
 * A header checksum is a gate mutation almost never passes, so each input is
 * also parsed a second time as a copy with every block that carries the
 * "ustar" magic given a correct checksum: the raw pass covers the checksum
 * code, the fixed pass lets the fuzzer reach sizes, names, pax and GNU
 * records and the package rules.
 */
#include <stdbool.h>
#include <string.h>

#include "input/ar_reader.h"
#include "fuzz_target.h"
#include "package.h"
#include "tar_reader.h"

#define BLOCK 512u
#define MAX_NAME 4096u
#define PAIR_CAP 64

static bool has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool is_zero(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

/* p[0..n) lies inside data[0..size). */
static bool inside(const uint8_t *data, size_t size, const uint8_t *p, size_t n) {
  return p >= data && (size_t)(p - data) <= size && n <= size - (size_t)(p - data);
}

static void check_name(const char *name) {
  size_t n;
  FUZZ_REQUIRE(name != NULL);
  n = strlen(name);
  FUZZ_REQUIRE(n <= MAX_NAME);
  FUZZ_REQUIRE(!has_prefix(name, "./") && name[0] != '/' && strcmp(name, ".") != 0);
  FUZZ_REQUIRE(n == 0 || name[n - 1] != '/');
  for (size_t i = 0; i < n; i++) FUZZ_REQUIRE((unsigned char)name[i] >= 0x20);
}

static void check_archive(const wg_tar_archive *a, const uint8_t *data, size_t size) {
  size_t next = BLOCK; /* the earliest offset the next member's data may start at */
  FUZZ_REQUIRE(a->count >= 0 && (uint64_t)a->count * BLOCK <= size);
  FUZZ_REQUIRE(a->count == 0 || a->members != NULL);
  for (int i = 0; i < a->count; i++) {
    const wg_tar_member *m = &a->members[i];
    size_t off;
    check_name(m->name);
    FUZZ_REQUIRE(m->type != '\0' && m->type != '7');
    FUZZ_REQUIRE(inside(data, size, m->data, m->size));
    off = (size_t)(m->data - data);
    FUZZ_REQUIRE(off % BLOCK == 0 && off >= next);
    next = off + m->size + BLOCK;
    if (m->type == '0' && i < PAIR_CAP) {
      const wg_tar_member *f = wg_tar_find(a, m->name);
      FUZZ_REQUIRE(f && f <= m && f->type == '0' && strcmp(f->name, m->name) == 0);
    }
  }
}

/* wg_tar_read on one buffer; returns its status. */
static wasmgraph_status run_tar(const uint8_t *data, size_t size) {
  wg_tar_archive a, a2;
  char err[256];
  wasmgraph_status st, st2;
  memset(err, 'x', sizeof err);
  st = wg_tar_read(data, size, &a, err, sizeof err);
  if (st == WASMGRAPH_OK) {
    FUZZ_REQUIRE(wg_tar_sniff(data, size));
    check_archive(&a, data, size);
  } else {
    FUZZ_REQUIRE(st == WASMGRAPH_ERR_FORMAT || st == WASMGRAPH_ERR_NO_MEMORY);
    FUZZ_REQUIRE(is_zero(&a, sizeof a));
    FUZZ_REQUIRE(memchr(err, 0, sizeof err) != NULL);
    FUZZ_REQUIRE(has_prefix(err, "not a tar archive") || has_prefix(err, "truncated tar") ||
                 has_prefix(err, "bad tar ") || has_prefix(err, "tar: ") ||
                 has_prefix(err, "out of memory"));
    FUZZ_REQUIRE((st == WASMGRAPH_ERR_NO_MEMORY) == has_prefix(err, "out of memory"));
  }
  wg_tar_archive_free(&a);
  FUZZ_REQUIRE(is_zero(&a, sizeof a));
  st2 = wg_tar_read(data, size, &a2, NULL, 0);
  FUZZ_REQUIRE(st2 == st || st == WASMGRAPH_ERR_NO_MEMORY || st2 == WASMGRAPH_ERR_NO_MEMORY);
  wg_tar_archive_free(&a2);
  return st;
}

static void check_file(const wg_package_file *f, const uint8_t *data, size_t size) {
  FUZZ_REQUIRE(f->member != NULL && f->member[0] != '\0');
  FUZZ_REQUIRE(inside(data, size, f->data, f->size));
}

/* The ar archive handed to wasm-ld must hold exactly the package's libraries. */
static void check_libs_archive(const wg_package *p) {
  size_t asize = 0;
  wgc_ar_archive ar;
  char err[256];
  uint8_t *buf = wg_package_libs_archive(p, &asize);
  FUZZ_REQUIRE(buf != NULL);
  FUZZ_REQUIRE(wgc_ar_read(buf, asize, &ar, err, sizeof err) == WASMGRAPH_OK);
  FUZZ_REQUIRE(ar.count == p->num_libs);
  for (int i = 0; i < ar.count; i++) {
    char want[32];
    snprintf(want, sizeof want, "%d.o", i);
    FUZZ_REQUIRE(strcmp(ar.members[i].name, want) == 0);
    FUZZ_REQUIRE(ar.members[i].size == p->libs[i].size);
    FUZZ_REQUIRE(p->libs[i].size == 0 ||
                 memcmp(ar.members[i].data, p->libs[i].data, p->libs[i].size) == 0);
  }
  wgc_ar_archive_free(&ar);
  free(buf);
}

static void run_package(const uint8_t *data, size_t size, wasmgraph_status tar_status) {
  wg_package p;
  char err[512];
  wasmgraph_status st;
  wg_package_kind sniff = wg_package_sniff(data, size);
  memset(err, 'x', sizeof err);
  st = wg_package_parse(data, size, "pkg.tar", &p, err, sizeof err);
  if (st == WASMGRAPH_OK) {
    FUZZ_REQUIRE(tar_status == WASMGRAPH_OK && sniff == WG_PACKAGE_MLF);
    FUZZ_REQUIRE(p.kind == WG_PACKAGE_MLF || p.kind == WG_PACKAGE_TVMC);
    FUZZ_REQUIRE((p.kind == WG_PACKAGE_MLF) == (wg_tar_find(&p.tar, "metadata.json") != NULL));
    FUZZ_REQUIRE(p.module != NULL && wg_package_kind_name(p.kind, true)[0] != '\0');
    FUZZ_REQUIRE(p.num_libs >= 1 && p.libs != NULL);
    check_archive(&p.tar, data, size);
    check_file(&p.graph, data, size);
    check_file(&p.params, data, size);
    for (int i = 0; i < p.num_libs; i++) {
      check_file(&p.libs[i], data, size);
      if (p.kind == WG_PACKAGE_MLF && i)
        FUZZ_REQUIRE(strcmp(p.libs[i - 1].member, p.libs[i].member) <= 0);
    }
    if (p.nested.count) {
      const wg_tar_member *t = wg_tar_find(&p.tar, "mod.tar");
      FUZZ_REQUIRE(p.kind == WG_PACKAGE_TVMC && t != NULL);
      check_archive(&p.nested, t->data, t->size);
    }
    check_libs_archive(&p);
  } else {
    FUZZ_REQUIRE(st == WASMGRAPH_ERR_FORMAT || st == WASMGRAPH_ERR_UNSUPPORTED ||
                 st == WASMGRAPH_ERR_NO_MEMORY);
    FUZZ_REQUIRE(is_zero(&p, sizeof p));
    FUZZ_REQUIRE(memchr(err, 0, sizeof err) != NULL && has_prefix(err, "pkg.tar"));
    if (sniff == WG_PACKAGE_GZIP) FUZZ_REQUIRE(st == WASMGRAPH_ERR_UNSUPPORTED);
  }
  wg_package_free(&p);
  FUZZ_REQUIRE(is_zero(&p, sizeof p));
}

/* A copy in which every 512-byte block with the ustar magic at 257 carries
 * a correct checksum ("%06o\0 ", as GNU tar writes it); NULL when the copy
 * would equal the input or memory is short. */
static uint8_t *fix_checksums(const uint8_t *data, size_t size) {
  uint8_t *copy = NULL;
  for (size_t pos = 0; pos <= size && size - pos >= BLOCK; pos += BLOCK) {
    const uint8_t *h = data + pos;
    unsigned sum = 0;
    char field[8];
    if (memcmp(h + 257, "ustar", 5) != 0) continue;
    for (size_t i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    snprintf(field, sizeof field, "%06o", sum);
    field[7] = ' ';
    if (memcmp(h + 148, field, 8) == 0) continue;
    if (!copy) {
      copy = malloc(size);
      if (!copy) return NULL;
      memcpy(copy, data, size);
    }
    memcpy(copy + pos + 148, field, 8);
  }
  return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *fixed;
  run_package(data, size, run_tar(data, size));
  fixed = fix_checksums(data, size);
  if (fixed) {
    run_package(fixed, size, run_tar(fixed, size));
    free(fixed);
  }
  return 0;
}
