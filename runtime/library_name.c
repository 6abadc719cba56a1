/*
 * library_name.c — fresh dlopen names for model libraries.
 *
 * Why: glibc's dlopen returns an already loaded object whose *name* matches
 * before it looks at the file. Compile a model to m.so, load it, compile
 * another model to the same m.so (the compiler writes a new file and renames
 * it over the old one) and load that while the first model is alive: dlopen
 * by the plain path hands back the first model's code. Recompiling in place
 * is the natural loop of anyone tuning a model, so a load whose path is
 * already the name of a loaded library goes through a name never used
 * before in this process: a symbolic link <TMPDIR>/wasmgraph-dl-XXXXXX/<n>.so
 * to the library, kept while the model lives (gdb and the sanitizers read a
 * library's symbols from the name it was loaded under) and removed with its
 * folder when the model is destroyed. glibc still recognises the *file*
 * (device and inode): loading one file twice gives one copy of its code.
 * <n> counts up for the life of the process, so a name never repeats even
 * if a later folder happens to get the same random suffix. Every other load
 * uses the plain path, as before.
 *
 * The library never prints: if a link cannot be made (no writable
 * temporary folder), the plain path is used, with the old behaviour.
 */
#include "library_name.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_ulong g_next;

const char *wg_library_name_acquire(const char *path, char *buf, size_t size) {
  /* no library of that name loaded: the plain path loads this file */
  void *loaded = dlopen(path, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
  if (!loaded) return path;
  dlclose(loaded);
  char target[PATH_MAX];
  if (!realpath(path, target)) return path; /* dlopen will report the missing file */
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  char dir[PATH_MAX];
  int n = snprintf(dir, sizeof dir, "%s/wasmgraph-dl-XXXXXX", tmp);
  if (n < 0 || (size_t)n >= sizeof dir || !mkdtemp(dir)) return path;
  unsigned long id = atomic_fetch_add(&g_next, 1);
  n = snprintf(buf, size, "%s/%lu.so", dir, id);
  if (n < 0 || (size_t)n >= size || symlink(target, buf) != 0) {
    rmdir(dir);
    return path;
  }
  return buf;
}

void wg_library_name_release(const char *link) {
  if (!link) return;
  unlink(link);
  char dir[PATH_MAX];
  size_t len = strlen(link);
  if (len >= sizeof dir) return;
  memcpy(dir, link, len + 1);
  char *slash = strrchr(dir, '/');
  if (!slash) return;
  *slash = '\0';
  rmdir(dir);
}
