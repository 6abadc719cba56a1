/*
 * test_util.h — file helpers shared by the parser tests and fuzz_replay:
 * read a whole file, test for a directory, list a directory's regular files
 * in sorted order. Test-only code: it may print, and callers free results.
 */
#ifndef WASMGRAPH_TESTS_TEST_UTIL_H_
#define WASMGRAPH_TESTS_TEST_UTIL_H_

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline unsigned char *tu_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long len;
  *size = 0;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
      *size = (size_t)len;
    } else {
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  return buf;
}

static inline int tu_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline int tu_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the regular files in dir (no "." entries); -1 on error. */
static inline int tu_list_files(const char *dir, char ***out) {
  DIR *d = opendir(dir);
  struct dirent *de;
  char **names = NULL;
  int n = 0, cap = 0;
  *out = NULL;
  if (!d) return -1;
  while ((de = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (de->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (n == cap) {
      char **grown = realloc(names, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *names);
      if (!grown) break;
      names = grown;
    }
    names[n] = malloc(strlen(de->d_name) + 1);
    if (!names[n]) break;
    strcpy(names[n++], de->d_name);
  }
  closedir(d);
  if (n) qsort(names, (size_t)n, sizeof *names, tu_cmp_str);
  *out = names;
  return n;
}

static inline void tu_free_list(char **names, int n) {
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
}

#endif
