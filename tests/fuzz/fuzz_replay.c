/*
 * fuzz_replay.c — runs the fuzz targets over stored inputs, without libFuzzer.
 *
 *   fuzz_replay CORPUS_ROOT            every file of CORPUS_ROOT/{graph_json,params,npy,
 *                                      wasm_reader,tar}
 *   fuzz_replay PARSER PATH...         files or directories for one parser
 *                                      (graph_json, params, npy, wasm_reader or tar)
 *
 * The targets abort on any broken invariant and the sanitizers (when the
 * build has WASMGRAPH_SANITIZE=ON) report memory errors and leaks, so
 * "no crash" here is the assertion. Each corpus directory must hold at
 * least one input, so an empty or misplaced corpus fails the test.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "fuzz_target.h"
#include "test_util.h"

typedef int (*target_fn)(const uint8_t *, size_t);

static const struct {
  const char *name;
  target_fn fn;
} targets[] = {
    {"graph_json", fuzz_graph_json_one},   {"params", fuzz_params_one}, {"npy", fuzz_npy_one},
    {"wasm_reader", fuzz_wasm_reader_one}, {"tar", fuzz_tar_one},
};

static int replay_file(target_fn fn, const char *path) {
  size_t size = 0;
  unsigned char *buf = tu_read_file(path, &size);
  unsigned char *exact;
  if (!buf) {
    fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
    return -1;
  }
  /* An exact-size copy, so ASan catches a read one past the end. */
  exact = malloc(size ? size : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, size);
  fn(exact, size);
  free(exact);
  free(buf);
  return 1;
}

/* Replays a file or every file of a directory; returns the count or -1. */
static int replay_path(target_fn fn, const char *path) {
  char **names;
  int n, done = 0;
  if (!tu_is_dir(path)) return replay_file(fn, path);
  n = tu_list_files(path, &names);
  if (n < 0) {
    fprintf(stderr, "fuzz_replay: cannot list %s\n", path);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", path, names[i]);
    if (replay_file(fn, full) < 0) done = -1;
    if (done >= 0) done++;
  }
  tu_free_list(names, n);
  return done;
}

int main(int argc, char **argv) {
  int failed = 0, total = 0;
  if (argc == 2) {
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
      char dir[4096];
      int n;
      snprintf(dir, sizeof dir, "%s/%s", argv[1], targets[t].name);
      n = replay_path(targets[t].fn, dir);
      printf("fuzz_replay: %s: %d inputs\n", targets[t].name, n < 0 ? 0 : n);
      if (n <= 0) {
        fprintf(stderr, "fuzz_replay: no inputs in %s\n", dir);
        failed++;
      } else {
        total += n;
      }
    }
  } else if (argc >= 3) {
    target_fn fn = NULL;
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++)
      if (strcmp(argv[1], targets[t].name) == 0) fn = targets[t].fn;
    if (!fn) {
      fprintf(stderr,
              "fuzz_replay: unknown parser '%s' (graph_json, params, npy, wasm_reader, tar)\n",
              argv[1]);
      return 2;
    }
    for (int i = 2; i < argc; i++) {
      int n = replay_path(fn, argv[i]);
      if (n < 0) failed++;
      else total += n;
    }
  } else {
    fprintf(stderr, "usage: %s CORPUS_ROOT | %s PARSER PATH...\n", argv[0], argv[0]);
    return 2;
  }
  printf("fuzz_replay: %d passed, %d failed\n", total, failed);
  if (total + failed == 0) printf("FAIL: no input replayed\n");
  return failed != 0 || total + failed == 0;
}
