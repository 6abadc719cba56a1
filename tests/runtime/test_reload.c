/*
 * test_reload.c — a library recompiled to the same path is loaded anew
 * (runtime/library_name.c): model A is loaded from m.so, then model B's
 * library replaces m.so (rename over it, as the compiler writes its
 * outputs) and loading m.so again, while A is still alive, must give B.
 * Loading the same file twice gives the same model; A keeps working; the
 * first load of a name uses no link; the links live while their models do
 * and are gone with them; a missing file is still reported by its own path.
 *
 * usage: test_reload A.so B.so   (the example compiled twice, with
 *        --name reload_a and --name reload_b, graph and params embedded)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "wasmgraph.h"

/* Copies src to dst through a temporary name and a rename, as the
 * compiler replaces its output: dst becomes a new file (a new inode). */
static int replace_with(const char *src, const char *dst) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", dst);
  FILE *in = fopen(src, "rb"), *out = fopen(tmp, "wb");
  int ok = in && out;
  char buf[65536];
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, out) == n;
  if (in) fclose(in);
  if (out) ok = fclose(out) == 0 && ok;
  return ok && rename(tmp, dst) == 0;
}

static int entries(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}

static wasmgraph_model *load(const char *path) {
  char err[512];
  wasmgraph_model *m = NULL;
  if (wasmgraph_model_load_library(path, NULL, NULL, &m, err, sizeof err) != WASMGRAPH_OK)
    fprintf(stderr, "%s\n", err);
  return m;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  /* a private TMPDIR: every link and folder made for dlopen must be gone */
  mkdir("reload_tmp", 0700);
  setenv("TMPDIR", "reload_tmp", 1);
  CHECK(replace_with(argv[1], "m.so"));
  wasmgraph_model *a = load("m.so");
  CHECK(a && strcmp(wasmgraph_model_name(a), "reload_a") == 0);
  CHECK(entries("reload_tmp") == 0); /* a name not loaded yet: the plain path */
  CHECK(replace_with(argv[2], "m.so"));
  wasmgraph_model *b = load("m.so"); /* a is still loaded */
  CHECK(b && strcmp(wasmgraph_model_name(b), "reload_b") == 0);
  wasmgraph_model *b2 = load("./m.so"); /* the same file again */
  CHECK(b2 && strcmp(wasmgraph_model_name(b2), "reload_b") == 0);
  /* the old model still runs its own code */
  char err[512];
  wasmgraph_executor *ex = NULL;
  CHECK(a && wasmgraph_executor_create(a, NULL, &ex, err, sizeof err) == WASMGRAPH_OK);
  CHECK(ex && wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  wasmgraph_executor_destroy(ex);
  CHECK(entries("reload_tmp") == 2); /* b's and b2's links, while they live */
  /* a missing file is reported by its own path, not by a link's */
  wasmgraph_model *none = NULL;
  CHECK(wasmgraph_model_load_library("missing.so", NULL, NULL, &none, err, sizeof err) ==
        WASMGRAPH_ERR_IO);
  CHECK(strstr(err, "missing.so") && !strstr(err, "reload_tmp"));
  wasmgraph_model_destroy(b2);
  wasmgraph_model_destroy(b);
  wasmgraph_model_destroy(a);
  CHECK(entries("reload_tmp") == 0); /* every link and folder gone with its model */
  remove("m.so");
  rmdir("reload_tmp");
  printf("%d checks, %d failed\n", checks, failures);
  return failures != 0 || checks == 0;
}
