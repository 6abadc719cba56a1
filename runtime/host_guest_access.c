/*
 * host_guest_access.c — how host imports touch guest memory. Every pointer
 * and length a kernel passes to the host is untrusted: it is checked against
 * the memory's current size before the host reads or writes, and a bad one
 * becomes an out-of-bounds trap (never a host access outside the sandbox).
 */
#include <stdio.h>
#include <string.h>

#include "runtime_internal.h"

uint8_t *wg_guest_range_or_trap(wg_env *env, uint64_t addr, uint64_t len, const char *what) {
  uint8_t *p = wg_guest_range(env->memory, addr, len);
  if (!p) {
    snprintf(env->error, sizeof env->error,
             "%s: guest range [0x%llx, +%llu) is outside linear memory (%llu bytes)", what,
             (unsigned long long)addr, (unsigned long long)len,
             (unsigned long long)env->memory->size);
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  return p;
}

void wg_guest_string_or_trap(wg_env *env, uint32_t addr, char *out, size_t out_size,
                             const char *what) {
  const wasm_rt_memory_t *mem = env->memory;
  if (addr >= mem->size) {
    snprintf(env->error, sizeof env->error,
             "%s: string pointer 0x%x is outside linear memory (%llu bytes)", what, addr,
             (unsigned long long)mem->size);
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  size_t avail = mem->size - addr;
  const char *s = (const char *)mem->data + addr;
  const char *nul = memchr(s, '\0', avail < out_size ? avail : out_size);
  if (!nul && avail < out_size) {
    snprintf(env->error, sizeof env->error, "%s: string at 0x%x runs past the end of linear memory",
             what, addr);
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  size_t n = nul ? (size_t)(nul - s) : out_size - 1; /* long strings are truncated */
  memcpy(out, s, n);
  out[n] = '\0';
}
