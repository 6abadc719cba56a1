/*
 * host_tvm_api.c — TVM's C backend API as wasm imports (docs/tvm-wasm-abi.md
 * §3–§6): system-lib registration, kernel error text, workspace, parallel
 * launch and the packed-call path. Guest pointers are checked before use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

typedef uint32_t u32;
typedef uint64_t u64;

u32 w2c_env_TVMBackendRegisterSystemLibSymbol(wg_env *env, u32 name, u32 ptr);
void w2c_env_TVMAPISetLastError(wg_env *env, u32 msg);
u32 w2c_env_TVMBackendAllocWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u64 nbytes,
                                    u32 code_hint, u32 bits_hint);
u32 w2c_env_TVMBackendFreeWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u32 ptr);
u32 w2c_env_TVMBackendParallelLaunch(wg_env *env, u32 lambda, u32 cdata, u32 num_task);
u32 w2c_env_TVMBackendParallelBarrier(wg_env *env, u32 task_id, u32 penv);
u32 w2c_env_TVMBackendGetFuncFromEnv(wg_env *env, u32 mod_ctx, u32 name, u32 out);
u32 w2c_env_TVMFuncCall(wg_env *env, u32 handle, u32 args, u32 tcodes, u32 n, u32 ret,
                       u32 ret_tcode);

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

/* Workspace: a LIFO arena per instance (kernels free in scope order, §6), so
 * a worker thread never shares an arena with another. */
u32 w2c_env_TVMBackendAllocWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u64 nbytes,
                                    u32 code_hint, u32 bits_hint) {
  u64 size = nbytes ? nbytes : 1;
  u64 start = ((u64)env->ws_top + 63) & ~(u64)63;
  if (env->ws_depth >= WG_WORKSPACE_DEPTH) {
    snprintf(env->error, sizeof env->error,
             "TVMBackendAllocWorkspace: more than %d nested workspace blocks",
             WG_WORKSPACE_DEPTH);
    return 0;
  }
  if (size > env->ws_end || start > env->ws_end - size) {
    snprintf(env->error, sizeof env->error,
             "TVMBackendAllocWorkspace: cannot allocate %llu bytes: the workspace arena has "
             "%llu of %u bytes free (raise wasmgraph_options.workspace_bytes)",
             (unsigned long long)nbytes,
             (unsigned long long)(env->ws_end > start ? env->ws_end - start : 0),
             env->ws_end - env->ws_base);
    return 0;
  }
  env->ws_stack[env->ws_depth++] = env->ws_top;
  env->ws_top = (u32)(start + size);
  return (u32)start;
}

u32 w2c_env_TVMBackendFreeWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u32 ptr) {
  /* Only the most recent block may be freed; any other pointer is a guest
   * bug or an attack, and must not corrupt the arena. */
  if (env->ws_depth == 0 || ptr < env->ws_base || ptr >= env->ws_top ||
      ptr < env->ws_stack[env->ws_depth - 1] ||
      ((u64)env->ws_stack[env->ws_depth - 1] + 63 & ~(u64)63) != ptr) {
    snprintf(env->error, sizeof env->error,
             "TVMBackendFreeWorkspace: 0x%x is not the most recent workspace block", ptr);
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  env->ws_top = env->ws_stack[--env->ws_depth];
  return 0;
}

void wg_workspace_reset(wg_env *env) {
  env->ws_top = env->ws_base;
  env->ws_depth = 0;
}

u32 w2c_env_TVMBackendParallelLaunch(wg_env *env, u32 lambda, u32 cdata, u32 num_task) {
  return (u32)wg_parallel_launch(env, lambda, cdata, (int32_t)num_task);
}

u32 w2c_env_TVMBackendParallelBarrier(wg_env *env, u32 task_id, u32 penv) {
  /* Tasks of one launch run to completion independently (serially or on the
   * pool); TVM only emits barriers for pragma_parallel_barrier_when_finish,
   * which CPU schedules of graph models do not use. */
  wg_guest_range_or_trap(env, penv, 8, "TVMBackendParallelBarrier penv");
  return 0;
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
