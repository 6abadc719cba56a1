/*
 * fsutil.c — file helpers and the compiler's temp dir.
 *
 * The temp dir is made with mkdtemp under $TMPDIR (or /tmp), only when a
 * stage first needs it, and removed recursively at the end unless
 * --save-temps asked to keep it. Removal never follows symlinks (unlinkat
 * on the entry itself) and only touches the directory we created.
 * Reads check that the path is a regular file and loop until the whole file
 * is in memory; writes loop over short writes and report errno.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler_internal.h"

wasmgraph_status wgc_read_file(wgc_ctx *ctx, const char *path, wgc_buf *out) {
  memset(out, 0, sizeof *out);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path,
                    S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  }
  size_t size = (size_t)st.st_size;
  uint8_t *data = malloc(size ? size : 1);
  if (!data) {
    close(fd);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "%s: out of memory (%zu bytes)", path, size);
  }
  size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, data + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : 0;
      close(fd);
      free(data);
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path,
                      e ? strerror(e) : "file shrank while reading");
    }
    got += (size_t)n;
  }
  close(fd);
  out->data = data;
  out->size = size;
  return WASMGRAPH_OK;
}

void wgc_buf_free(wgc_buf *b) {
  if (!b) return;
  free(b->data);
  b->data = NULL;
  b->size = 0;
}

wasmgraph_status wgc_write_file(wgc_ctx *ctx, const char *path, const void *data, size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(errno));
  const uint8_t *p = data;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(e));
    }
    done += (size_t)n;
  }
  if (close(fd) != 0) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(errno));
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_copy_file(wgc_ctx *ctx, const char *from, const char *to) {
  wgc_buf b;
  wasmgraph_status st = wgc_read_file(ctx, from, &b);
  if (st != WASMGRAPH_OK) return st;
  st = wgc_write_file(ctx, to, b.data, b.size);
  wgc_buf_free(&b);
  return st;
}

bool wgc_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool wgc_is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *wgc_strdup_printf(const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0) s = NULL;
  va_end(ap);
  return s;
}

char *wgc_path_join(const char *a, const char *b) {
  size_t la = strlen(a);
  bool slash = la > 0 && a[la - 1] == '/';
  return wgc_strdup_printf("%s%s%s", a, slash ? "" : "/", b);
}

wasmgraph_status wgc_tmpdir(wgc_ctx *ctx, const char **out) {
  if (!ctx->tmpdir) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    char *templ = wgc_path_join(base, "wasmgraph-XXXXXX");
    if (!templ) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
    if (!mkdtemp(templ)) {
      int e = errno;
      free(templ);
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: cannot create a temp dir: %s", base, strerror(e));
    }
    ctx->tmpdir = templ;
  }
  *out = ctx->tmpdir;
  return WASMGRAPH_OK;
}

static void remove_tree(int parent, const char *name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    DIR *d = fdopendir(fd);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno == EISDIR)
          remove_tree(dirfd(d), e->d_name);
      }
      closedir(d);
    } else {
      close(fd);
    }
  }
  unlinkat(parent, name, AT_REMOVEDIR);
}

void wgc_tmpdir_cleanup(wgc_ctx *ctx) {
  if (!ctx->tmpdir) return;
  if ((ctx->opts && ctx->opts->save_temps) || ctx->keep_tmpdir) {
    wgc_log(ctx, "temporary files kept in %s", ctx->tmpdir);
  } else {
    remove_tree(AT_FDCWD, ctx->tmpdir);
  }
  free(ctx->tmpdir);
  ctx->tmpdir = NULL;
}
