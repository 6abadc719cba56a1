/*
 * status.c — version, build configuration and message helpers.
 */
#include <stdarg.h>
#include <stdio.h>

#include "runtime_internal.h"

const char *wasmgraph_version(void) { return WASMGRAPH_VERSION; }

const char *wasmgraph_memory_mode(void) {
  return WASM_RT_MEMCHECK_SIGNAL_HANDLER ? "guard-pages" : "bounds-check";
}

const char *wasmgraph_status_string(wasmgraph_status status) {
  switch (status) {
    case WASMGRAPH_OK:
      return "ok";
    case WASMGRAPH_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case WASMGRAPH_ERR_NO_MEMORY:
      return "out of memory";
    case WASMGRAPH_ERR_FORMAT:
      return "malformed input";
    case WASMGRAPH_ERR_NOT_FOUND:
      return "not found";
    case WASMGRAPH_ERR_SHAPE_MISMATCH:
      return "shape mismatch";
    case WASMGRAPH_ERR_DTYPE_MISMATCH:
      return "dtype mismatch";
    case WASMGRAPH_ERR_TRAP:
      return "trap";
    case WASMGRAPH_ERR_KERNEL:
      return "kernel error";
    case WASMGRAPH_ERR_IO:
      return "I/O error";
    case WASMGRAPH_ERR_ABI:
      return "module ABI mismatch";
    case WASMGRAPH_ERR_UNSUPPORTED:
      return "unsupported";
  }
  return "unknown status";
}

const char *wasmgraph_trap_string(wasmgraph_trap_kind kind) {
  switch (kind) {
    case WASMGRAPH_TRAP_NONE:
      return "none";
    case WASMGRAPH_TRAP_OUT_OF_BOUNDS:
      return "out-of-bounds memory access";
    case WASMGRAPH_TRAP_INTEGER_OVERFLOW:
      return "integer overflow";
    case WASMGRAPH_TRAP_DIVIDE_BY_ZERO:
      return "integer divide by zero";
    case WASMGRAPH_TRAP_INVALID_CONVERSION:
      return "invalid conversion to integer";
    case WASMGRAPH_TRAP_UNREACHABLE:
      return "unreachable executed";
    case WASMGRAPH_TRAP_INDIRECT_CALL:
      return "invalid indirect call";
    case WASMGRAPH_TRAP_STACK_EXHAUSTED:
      return "call stack exhausted";
    case WASMGRAPH_TRAP_OTHER:
      return "uncaught exception";
    case WASMGRAPH_TRAP_INTERRUPTED:
      return "interrupted";
    case WASMGRAPH_TRAP_DEADLINE:
      return "deadline exceeded";
  }
  return "unknown trap";
}

void wg_vformat(char *buf, size_t size, const char *fmt, va_list ap) {
  if (!buf || size == 0) return;
  vsnprintf(buf, size, fmt, ap);
}

void wg_format(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wg_vformat(buf, size, fmt, ap);
  va_end(ap);
}

wasmgraph_status wg_fail(struct wasmgraph_executor *ex, wasmgraph_status status, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  wg_vformat(ex->last_error, sizeof ex->last_error, fmt, ap);
  va_end(ap);
  return status;
}
