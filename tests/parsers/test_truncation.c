/*
 * test_truncation.c — cut every input at many offsets; the parsers must
 * return a clean error, never crash, leak or read past the cut.
 *
 *   test_truncation fixtures <fixtures dir>   graph.json, graph.params, .npy
 *                                             of every model (77 = SKIP if absent)
 *   test_truncation corpus <corpus dir>       tests/fuzz/corpus/{graph_json,params,npy}
 *
 * Offsets: every length up to 4096, then ~2000 evenly spaced lengths, plus
 * (params) every length around each tensor header. For a file that parses
 * at full length, every strict prefix must fail (graph.json: every prefix
 * shorter than the file without its trailing whitespace). For an invalid
 * seed only "no crash, consistent result" is required. Prefixes of files up
 * to 64 KiB are copied into exact-size buffers so ASan sees any over-read;
 * larger files are parsed in place with the tail poisoned under ASan.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "graph_json.h"
#include "npy.h"
#include "params.h"
#include "test_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#endif
#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef enum { KIND_GRAPH, KIND_PARAMS, KIND_NPY } kind;

static long total_prefixes;

/* Parses buf[0..n) as `k`; returns the status and checks the failure
 * contract (zeroed output, prefixed message). */
static wasmgraph_status parse_one(kind k, const uint8_t *buf, size_t n, const char *ctx) {
  char err[512];
  wasmgraph_status st;
  err[0] = 'x';
  err[1] = '\0';
  if (k == KIND_GRAPH) {
    graph_plan g;
    st = wg_graph_parse((const char *)buf, n, &g, err, sizeof err);
    if (st) {
      CHECK_MSG(g.nodes == NULL && g.num_nodes == 0, ctx);
      CHECK_MSG(strncmp(err, "graph.json: ", 12) == 0, ctx);
    }
    wg_graph_plan_free(&g);
  } else if (k == KIND_PARAMS) {
    param_list l;
    st = wg_params_parse(buf, n, &l, err, sizeof err);
    if (st) {
      CHECK_MSG(l.items == NULL && l.count == 0, ctx);
      CHECK_MSG(strncmp(err, "params: ", 8) == 0, ctx);
    }
    wg_param_list_free(&l);
  } else {
    npy_array a;
    st = npy_parse(buf, n, &a, err, sizeof err);
    if (st) CHECK_MSG(a.data == NULL && a.nbytes == 0 && err[0] != '\0' && err[0] != 'x', ctx);
    npy_free(&a);
  }
  total_prefixes++;
  return st;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

static void sweep(kind k, const char *path) {
  size_t size = 0, ncuts = 0, cap, trimmed, fails = 0;
  int poisoned = 0;
  unsigned char *buf = tu_read_file(path, &size);
  size_t *cuts;
  wasmgraph_status full;
  char ctx[1200];
  snprintf(ctx, sizeof ctx, "%s: readable", path);
  CHECK_MSG(buf != NULL, ctx);
  if (!buf) return;
  snprintf(ctx, sizeof ctx, "%s (full length)", path);
  full = parse_one(k, buf, size, ctx);

  cap = 4097 + 2001 + 64;
  if (k == KIND_PARAMS && full == WASMGRAPH_OK) {
    param_list l;
    /* per tensor: 32 header bytes + 8 per dim + data_byte_size + 3 */
    if (wg_params_parse(buf, size, &l, NULL, 0) == WASMGRAPH_OK)
      cap += (size_t)l.count * (32 + 8 * WASMGRAPH_MAX_NDIM + 8 + 3);
    wg_param_list_free(&l);
  }
  cuts = malloc(cap * sizeof *cuts);
  if (!cuts) {
    free(buf);
    CHECK(cuts != NULL);
    return;
  }
  for (size_t n = 0; n < size && n <= 4096; n++) cuts[ncuts++] = n;
  if (size > 4097)
    for (size_t i = 0; i < 2000; i++) cuts[ncuts++] = 4097 + (size - 4097) / 2000 * i;
  /* Around each tensor header of a valid params file: header start - 1
   * through the first data byte. */
  if (k == KIND_PARAMS && full == WASMGRAPH_OK) {
    param_list l;
    if (wg_params_parse(buf, size, &l, NULL, 0) == WASMGRAPH_OK) {
      for (int i = 0; i < l.count; i++) {
        size_t data_off = (size_t)(l.items[i].data - buf);
        size_t hdr = data_off - 8 - 8 * (size_t)l.items[i].ndim - 32 - 1;
        for (size_t n = hdr; n <= data_off + 1 && n < size; n++) cuts[ncuts++] = n;
      }
    }
    wg_param_list_free(&l);
  }
  qsort(cuts, ncuts, sizeof *cuts, cmp_size);

  trimmed = size;
  if (k == KIND_GRAPH)
    while (trimmed > 0 && (buf[trimmed - 1] == ' ' || buf[trimmed - 1] == '\n' ||
                           buf[trimmed - 1] == '\t' || buf[trimmed - 1] == '\r'))
      trimmed--;

  for (size_t i = 0; i < ncuts; i++) {
    size_t n = cuts[i];
    wasmgraph_status st;
    if (i > 0 && n == cuts[i - 1]) continue;
    snprintf(ctx, sizeof ctx, "%s cut at %zu of %zu", path, n, size);
    if (size <= (64u << 10)) {
      uint8_t *copy = malloc(n ? n : 1);
      if (!copy) continue;
      memcpy(copy, buf, n);
      st = parse_one(k, copy, n, ctx);
      free(copy);
    } else {
      /* Cuts ascend: poison the tail once, then unpoison step by step, so
       * the shadow work is O(size) rather than O(size) per cut. */
      if (!poisoned) {
        POISON(buf + n, size - n);
        poisoned = 1;
      } else {
        UNPOISON(buf + cuts[i - 1], n - cuts[i - 1]);
      }
      st = parse_one(k, buf, n, ctx);
    }
    if (full == WASMGRAPH_OK && n < trimmed) {
      CHECK_MSG(st != WASMGRAPH_OK, ctx);
      if (st == WASMGRAPH_OK) fails++;
    }
    CHECK_MSG(st == WASMGRAPH_OK || st == WASMGRAPH_ERR_FORMAT, ctx);
    if (fails > 5) break; /* one broken file should not flood the log */
  }
  UNPOISON(buf, size);
  printf("  %s: %zu bytes, %s at full length, %zu cuts\n", path, size,
         full == WASMGRAPH_OK ? "valid" : "invalid", ncuts);
  free(cuts);
  free(buf);
}

static void sweep_dir(kind k, const char *dir, const char *suffix, int *files) {
  char **names;
  int n = tu_list_files(dir, &names);
  for (int i = 0; i < n; i++) {
    char path[4096];
    size_t len = strlen(names[i]), sl = suffix ? strlen(suffix) : 0;
    if (suffix && (len < sl || strcmp(names[i] + len - sl, suffix) != 0)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    sweep(k, path);
    (*files)++;
  }
  if (n > 0) tu_free_list(names, n);
}

int main(int argc, char **argv) {
  int files = 0;
  if (argc < 3) {
    fprintf(stderr, "usage: %s fixtures|corpus DIR\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "fixtures") == 0) {
    DIR *d;
    struct dirent *de;
    if (!tu_is_dir(argv[2])) {
      printf("SKIP: fixtures not found at %s\n", argv[2]);
      return SKIP_RC;
    }
    d = opendir(argv[2]);
    while (d && (de = readdir(d)) != NULL) {
      char path[4096];
      if (de->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s/graph.json", argv[2], de->d_name);
      if (access(path, R_OK) != 0) continue;
      sweep(KIND_GRAPH, path);
      snprintf(path, sizeof path, "%s/%s/graph.params", argv[2], de->d_name);
      sweep(KIND_PARAMS, path);
      files += 2;
      snprintf(path, sizeof path, "%s/%s/inputs", argv[2], de->d_name);
      sweep_dir(KIND_NPY, path, ".npy", &files);
      snprintf(path, sizeof path, "%s/%s/expected", argv[2], de->d_name);
      sweep_dir(KIND_NPY, path, ".npy", &files);
    }
    if (d) closedir(d);
  } else {
    char path[4096];
    snprintf(path, sizeof path, "%s/graph_json", argv[2]);
    sweep_dir(KIND_GRAPH, path, NULL, &files);
    snprintf(path, sizeof path, "%s/params", argv[2]);
    sweep_dir(KIND_PARAMS, path, NULL, &files);
    snprintf(path, sizeof path, "%s/npy", argv[2]);
    sweep_dir(KIND_NPY, path, NULL, &files);
  }
  printf("%d files, %ld prefixes parsed\n", files, total_prefixes);
  CHECK(files > 0);
  return check_report(strcmp(argv[1], "fixtures") == 0 ? "parsers_truncation_fixtures"
                                                       : "parsers_truncation_corpus");
}
