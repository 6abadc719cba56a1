/*
 * host_tvm_api.c — TVM's C backend API as wasm imports (docs/tvm-wasm-abi.md
 * §3, §4): system-lib registration, kernel error text and the packed-call
 * path. The workspace imports live in workspace.c, the parallel launch in
 * parallel.c. Guest pointers are checked before use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

typedef uint32_t u32;
typedef uint64_t u64;

WG_HOST_IMPORT u32 w2c_env_TVMBackendRegisterSystemLibSymbol(wg_env *env, u32 name, u32 ptr);
WG_HOST_IMPORT void w2c_env_TVMAPISetLastError(wg_env *env, u32 msg);
WG_HOST_IMPORT u32 w2c_env_TVMBackendGetFuncFromEnv(wg_env *env, u32 mod_ctx, u32 name, u32 out);
WG_HOST_IMPORT u32 w2c_env_TVMFuncCall(wg_env *env, u32 handle, u32 args, u32 tcodes, u32 n,
                                       u32 ret, u32 ret_tcode);

#define CTX_SUFFIX "__tvm_module_ctx"
#define MODULE_CTX_TOKEN 0x4d474d57u /* any nonzero value; kernels only pass it back */

u32 w2c_env_TVMBackendRegisterSystemLibSymbol(wg_env *env, u32 name, u32 ptr) {
  struct wasmgraph_executor *ex = env->ex;
  char buf[512];
  wg_guest_string_or_trap(env, name, buf, sizeof buf, "TVMBackendRegisterSystemLibSymbol");
  /* Only instance 0's constructor fills the registry; worker instances run
   * the same constructor and would register the same indices again. */
  if (env->worker != 0 || !ex->registering) return 0;
  size_t len = strlen(buf);
  size_t suffix = sizeof CTX_SUFFIX - 1;
  if (len >= suffix && strcmp(buf + len - suffix, CTX_SUFFIX) == 0) {
    uint8_t *slot = wg_guest_range_or_trap(env, ptr, 4, "module context slot");
    u32 token = MODULE_CTX_TOKEN;
    memcpy(slot, &token, 4);
    ex->module_ctx_addr = ptr;
    return 0;
  }
  if (ex->registry_count == ex->registry_cap) {
    int cap = ex->registry_cap ? ex->registry_cap * 2 : 64;
    wg_registry_entry *grown = realloc(ex->registry, (size_t)cap * sizeof *grown);
    if (!grown) return 1;
    ex->registry = grown;
    ex->registry_cap = cap;
  }
  char *copy = strdup(buf);
  if (!copy) return 1;
  ex->registry[ex->registry_count].name = copy;
  ex->registry[ex->registry_count].table_index = ptr;
  ex->registry_count++;
  return 0;
}

void w2c_env_TVMAPISetLastError(wg_env *env, u32 msg) {
  wg_guest_string_or_trap(env, msg, env->error, sizeof env->error, "TVMAPISetLastError");
}

u32 w2c_env_TVMBackendGetFuncFromEnv(wg_env *env, u32 mod_ctx, u32 name, u32 out) {
  char buf[256];
  wg_guest_string_or_trap(env, name, buf, sizeof buf, "TVMBackendGetFuncFromEnv");
  uint8_t *slot = wg_guest_range_or_trap(env, out, 4, "TVMBackendGetFuncFromEnv out");
  u32 handle = wg_host_func_lookup(buf);
  if (!handle) {
    snprintf(env->error, sizeof env->error,
             "TVMBackendGetFuncFromEnv: the host has no packed function '%s'", buf);
    return (u32)-1;
  }
  memcpy(slot, &handle, 4);
  return 0;
}

u32 w2c_env_TVMFuncCall(wg_env *env, u32 handle, u32 args, u32 tcodes, u32 n, u32 ret,
                        u32 ret_tcode) {
  wg_packed_fn fn = wg_host_func_get(handle);
  if (!fn) {
    snprintf(env->error, sizeof env->error, "TVMFuncCall: invalid function handle %u", handle);
    return (u32)-1;
  }
  return (u32)fn(env, args, tcodes, (int32_t)n, ret, ret_tcode);
}
