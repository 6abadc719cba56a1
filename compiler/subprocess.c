/*
 * subprocess.c — finds the external tools on PATH and runs them.
 *
 * Tools run through posix_spawn with an argv array (never a shell, so no
 * quoting issues), their stdout/stderr redirected to files in the temp dir.
 * On failure the first line that looks like a diagnostic ("error:" first,
 * else the first non-empty line) becomes part of our one-line message, and
 * with -v the whole stderr is forwarded to the log.
 *
 * PATH lookup is done here, not by posix_spawnp, so that a missing tool gets
 * a precise message naming the Debian package that provides it. Each tool
 * has a few accepted names (e.g. clang, clang-14); the first found wins and
 * is cached in the context. (wasm2c is a node script, found by
 * translate.c; node itself is a PATH tool.)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler_internal.h"

extern char **environ;

static const struct {
  const char *display;
  const char *names[4];
  const char *package;
} tools[WG_TOOL_COUNT] = {
    [WG_TOOL_WASM_LD] = {"wasm-ld", {"wasm-ld", "wasm-ld-14", NULL}, "lld"},
    [WG_TOOL_NODE] = {"node", {"node", "nodejs", NULL}, "nodejs"},
    [WG_TOOL_CLANG] = {"clang", {"clang", "clang-14", NULL}, "clang"},
    [WG_TOOL_AR] = {"llvm-ar", {"llvm-ar", "llvm-ar-14", "ar", NULL}, "llvm"},
};

const char *wgc_tool_display_name(wgc_tool tool) { return tools[tool].display; }

static char *search_path(const char *name) {
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  const char *p = path;
  while (1) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    char *cand = len ? wgc_strdup_printf("%.*s/%s", (int)len, p, name)
                     : wgc_strdup_printf("./%s", name); /* empty entry = cwd */
    if (!cand) return NULL;
    struct stat st;
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) return cand;
    free(cand);
    if (!colon) break;
    p = colon + 1;
  }
  return NULL;
}

char *wgc_find_on_path(const char *name) { return search_path(name); }

wasmgraph_status wgc_tool_require(wgc_ctx *ctx, wgc_tool tool, const char **path_out) {
  if (!ctx->tool_path[tool]) {
    for (int i = 0; tools[tool].names[i] && !ctx->tool_path[tool]; i++)
      ctx->tool_path[tool] = search_path(tools[tool].names[i]);
    if (!ctx->tool_path[tool])
      return wgc_fail(ctx, WASMGRAPH_ERR_IO,
                      "cannot run '%s': not found on PATH (install Debian package %s)",
                      tools[tool].display, tools[tool].package);
  }
  if (path_out) *path_out = ctx->tool_path[tool];
  return WASMGRAPH_OK;
}

/* Appends `s` to the log line, quoted when it holds shell-special bytes. */
static void append_arg(char **line, size_t *len, size_t *cap, const char *s) {
  bool quote = *s == 0 || strpbrk(s, " \t\n\"'\\$`*?[]()<>|&;#~") != NULL;
  size_t need = *len + strlen(s) * 4 + 4;
  if (need > *cap) {
    size_t ncap = need * 2;
    char *n = realloc(*line, ncap);
    if (!n) return;
    *line = n;
    *cap = ncap;
  }
  char *o = *line + *len;
  if (*len) *o++ = ' ';
  if (quote) *o++ = '\'';
  for (const char *c = s; *c; c++) {
    if (quote && *c == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else {
      *o++ = *c;
    }
  }
  if (quote) *o++ = '\'';
  *o = 0;
  *len = (size_t)(o - *line);
}

static void log_command(wgc_ctx *ctx, char *const argv[]) {
  if (!ctx->opts || ctx->opts->verbose <= 0) return;
  char *line = NULL;
  size_t len = 0, cap = 0;
  for (int i = 0; argv[i]; i++) append_arg(&line, &len, &cap, argv[i]);
  if (line) wgc_log(ctx, "+ %s", line);
  free(line);
}

wasmgraph_status wgc_run(wgc_ctx *ctx, char *const argv[], const char *stdout_path,
                         const char *stderr_path, int *exit_code) {
  posix_spawn_file_actions_t fa;
  log_command(ctx, argv);
  if (posix_spawn_file_actions_init(&fa) != 0)
    return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  int rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!rc && stdout_path)
    rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, stdout_path,
                                          O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!rc && stderr_path)
    rc = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_path,
                                          O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  if (!rc) rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "cannot run '%s': %s", argv[0], strerror(rc));
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return wgc_fail(ctx, WASMGRAPH_ERR_IO, "waiting for '%s': %s", argv[0], strerror(errno));
  }
  *exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : 255;
  return WASMGRAPH_OK;
}

/* Picks the most telling line of a tool's stderr: the first "error" line,
 * else the first non-empty one. Result in buf, without the newline and
 * without terminal colour sequences (wasm2c's emscripten build always
 * colours its diagnostics). */
static void first_diagnostic(const char *text, char *buf, size_t size) {
  const char *best = NULL;
  for (const char *l = text; *l;) {
    const char *nl = strchr(l, '\n');
    size_t len = nl ? (size_t)(nl - l) : strlen(l);
    if (len && !best) best = l;
    if (len && (memmem(l, len, "error", 5) || memmem(l, len, "Error", 5))) {
      best = l;
      break;
    }
    if (!nl) break;
    l = nl + 1;
  }
  buf[0] = 0;
  if (!best) return;
  size_t len = strcspn(best, "\n"), o = 0;
  for (size_t i = 0; i < len && o + 1 < size; i++) {
    if (best[i] == '\033' && i + 1 < len && best[i + 1] == '[') {
      /* CSI: parameters and intermediates up to the final byte @..~ */
      i += 2;
      while (i < len && !(best[i] >= '@' && best[i] <= '~')) i++;
      continue;
    }
    if (best[i] == '\r') continue;
    buf[o++] = best[i];
  }
  buf[o] = 0;
}

wasmgraph_status wgc_run_checked_as(wgc_ctx *ctx, const char *subject, const char *tool,
                                    char *const argv[]) {
  const char *tmp;
  wasmgraph_status st = wgc_tmpdir(ctx, &tmp);
  if (st != WASMGRAPH_OK) return st;
  char *errpath = wgc_path_join(tmp, "tool-stderr.txt");
  if (!errpath) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  int code = 0;
  st = wgc_run(ctx, argv, errpath, errpath, &code);
  if (st == WASMGRAPH_OK) {
    wgc_buf out = {0};
    char *text = NULL;
    if (wgc_read_file(ctx, errpath, &out) == WASMGRAPH_OK) {
      text = malloc(out.size + 1);
      if (text) {
        memcpy(text, out.data, out.size);
        text[out.size] = 0; /* a NUL inside tool output only cuts the text short */
      }
    }
    wgc_buf_free(&out);
    char diag[400];
    first_diagnostic(text ? text : "", diag, sizeof diag);
    if (text && *text && ctx->opts && ctx->opts->verbose > 0) {
      char *save = NULL;
      for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        wgc_log(ctx, "  %s", l);
    }
    if (code != 0) {
      const char *base = tool;
      if (!base) {
        base = strrchr(argv[0], '/');
        base = base ? base + 1 : argv[0];
      }
      st = wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s failed (exit %d)%s%s", subject, base, code,
                    diag[0] ? ": " : "", diag);
    }
    free(text);
  }
  free(errpath);
  return st;
}

wasmgraph_status wgc_run_checked(wgc_ctx *ctx, const char *subject, char *const argv[]) {
  return wgc_run_checked_as(ctx, subject, NULL, argv);
}
