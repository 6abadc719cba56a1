/*
 * output.c — makes OUTPUT appear all at once or not at all.
 *
 * Every artefact is first finished in the temp dir. wgc_output_add then
 * moves it next to its final path under a unique hidden name
 * (".<name>.XXXXXX", made by mkstemp so two concurrent compiles never
 * collide): rename(2) when the temp dir is on the same file system, a copy
 * (keeping the permission bits) otherwise. Only when every artefact of the
 * output is in place does wgc_output_commit rename them to their final names;
 * a rename within one directory is atomic, so a reader sees either the old
 * file or the complete new one. On any failure wgc_output_abort removes the
 * hidden files and OUTPUT is untouched.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler_internal.h"

static char *hidden_template(const char *final_path) {
  const char *slash = strrchr(final_path, '/');
  if (slash)
    return wgc_strdup_printf("%.*s/.%s.XXXXXX", (int)(slash - final_path), final_path, slash + 1);
  return wgc_strdup_printf(".%s.XXXXXX", final_path);
}

static wasmgraph_status copy_into(wgc_ctx *ctx, const char *src, int fd, const char *dst) {
  wgc_buf b;
  struct stat st;
  wasmgraph_status s = wgc_read_file(ctx, src, &b);
  if (s != WASMGRAPH_OK) return s;
  size_t done = 0;
  while (done < b.size) {
    ssize_t n = write(fd, b.data + done, b.size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      wgc_buf_free(&b);
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", dst, strerror(e));
    }
    done += (size_t)n;
  }
  wgc_buf_free(&b);
  if (stat(src, &st) == 0) fchmod(fd, st.st_mode & 0777);
  return WASMGRAPH_OK;
}

wasmgraph_status wgc_output_add(wgc_ctx *ctx, wgc_outputs *o, const char *src,
                                const char *final_path) {
  if (o->count >= (int)(sizeof o->files / sizeof o->files[0]))
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "too many output files");
  char *temp = hidden_template(final_path);
  char *final_copy = strdup(final_path);
  if (!temp || !final_copy) {
    free(temp);
    free(final_copy);
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  }
  int fd = mkstemp(temp);
  if (fd < 0) {
    int e = errno;
    free(temp);
    free(final_copy);
    return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: cannot create a file next to it: %s", final_path,
                    strerror(e));
  }
  /* record first, so that abort removes the hidden file whatever happens */
  o->files[o->count++] = (wgc_output_file){final_copy, temp};
  wasmgraph_status st = WASMGRAPH_OK;
  if (rename(src, temp) != 0) {
    if (errno == EXDEV) st = copy_into(ctx, src, fd, final_path);
    else st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", final_path, strerror(errno));
  }
  if (close(fd) != 0 && st == WASMGRAPH_OK)
    st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", final_path, strerror(errno));
  return st;
}

wasmgraph_status wgc_output_commit(wgc_ctx *ctx, wgc_outputs *o) {
  for (int i = 0; i < o->count; i++) {
    if (rename(o->files[i].temp_path, o->files[i].final_path) != 0)
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", o->files[i].final_path, strerror(errno));
    free(o->files[i].temp_path);
    o->files[i].temp_path = NULL;
  }
  return WASMGRAPH_OK;
}

void wgc_output_abort(wgc_outputs *o) {
  for (int i = 0; i < o->count; i++) {
    if (o->files[i].temp_path) unlink(o->files[i].temp_path);
    free(o->files[i].temp_path);
    free(o->files[i].final_path);
  }
  o->count = 0;
}
