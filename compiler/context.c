/*
 * context.c — how every stage of the compiler reports: the failure message
 * (wgc_fail) and progress lines (wgc_log). Its own file so that the stages
 * depend on the context, not on the driver (compile.c).
 */
#include <stdarg.h>
#include <stdio.h>

#include "compiler_internal.h"

wasmgraph_status wgc_fail(wgc_ctx *ctx, wasmgraph_status status, const char *fmt, ...) {
  if (ctx->err && ctx->err_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, ctx->err_size, fmt, ap);
    va_end(ap);
  }
  return status;
}

void wgc_log(wgc_ctx *ctx, const char *fmt, ...) {
  if (!ctx->opts || !ctx->opts->log) return;
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  ctx->opts->log(ctx->opts->log_user, line);
}
