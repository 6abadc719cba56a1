/*
 * workspace.c — TVMBackendAllocWorkspace / TVMBackendFreeWorkspace
 * (docs/tvm-wasm-abi.md §6): a LIFO arena per wasm instance in guest
 * memory, [ws_base, ws_end), laid out by executor_layout.c. Kernels free in
 * scope order, so a stack of block starts is enough; one arena per instance
 * means a worker thread never shares one with another. Any pointer other
 * than the most recent block is refused, so a hostile kernel cannot corrupt
 * the arena.
 *
 * The compiler relies on three properties (compiler/llvm/jam_prep.c moves a
 * kernel's per-item Alloc/Free pair out of its item loop on them): freeing
 * the block just allocated restores the arena exactly as it was before the
 * allocation; an allocation's result depends only on that state and the
 * size; and neither call reads, writes, moves or grows guest memory, nor
 * runs guest code, and both return in constant time (so the compiled code
 * neither refreshes its view of the memory nor polls for interrupts after
 * them). A change here that breaks one must change that pass too.
 */
#include <stdio.h>

#include "runtime_internal.h"

typedef uint32_t u32;
typedef uint64_t u64;

WG_HOST_IMPORT u32 w2c_env_TVMBackendAllocWorkspace(wg_env *env, u32 dev_type, u32 dev_id,
                                                    u64 nbytes, u32 code_hint, u32 bits_hint);
WG_HOST_IMPORT u32 w2c_env_TVMBackendFreeWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u32 ptr);

/* Blocks start on 64-byte boundaries, as TVM's own allocator gives them. */
static u64 align_up(u32 addr) { return ((u64)addr + 63) & ~(u64)63; }

u32 w2c_env_TVMBackendAllocWorkspace(wg_env *env, u32 dev_type, u32 dev_id, u64 nbytes,
                                     u32 code_hint, u32 bits_hint) {
  u64 size = nbytes ? nbytes : 1;
  u64 start = align_up(env->ws_top);
  if (env->ws_depth >= WG_WORKSPACE_DEPTH) {
    snprintf(env->error, sizeof env->error,
             "TVMBackendAllocWorkspace: more than %d nested workspace blocks", WG_WORKSPACE_DEPTH);
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
      ptr < env->ws_stack[env->ws_depth - 1] || align_up(env->ws_stack[env->ws_depth - 1]) != ptr) {
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
