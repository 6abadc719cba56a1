/*
 * host_libc.c — the memory and math libcalls LLVM's wasm32 backend turns
 * into imports (docs/tvm-wasm-abi.md §3.3). memcpy/memset/memmove check
 * both ranges against the memory size and trap on a bad one; the math
 * functions are the host's libm (documented in docs/security.md: results are
 * the host's, not bit-identical across platforms).
 */
#include <math.h>
#include <string.h>

#include "runtime_internal.h"

typedef uint32_t u32;
typedef float f32;
typedef double f64;

WG_HOST_IMPORT u32 w2c_env_memcpy(wg_env *env, u32 dst, u32 src, u32 n);
WG_HOST_IMPORT u32 w2c_env_memmove(wg_env *env, u32 dst, u32 src, u32 n);
WG_HOST_IMPORT u32 w2c_env_memset(wg_env *env, u32 dst, u32 value, u32 n);
WG_HOST_IMPORT wasm_rt_memory_t *w2c_env_memory(wg_env *env);

wasm_rt_memory_t *w2c_env_memory(wg_env *env) { return env->memory; }

u32 w2c_env_memcpy(wg_env *env, u32 dst, u32 src, u32 n) {
  uint8_t *d = wg_guest_range_or_trap(env, dst, n, "memcpy destination");
  uint8_t *s = wg_guest_range_or_trap(env, src, n, "memcpy source");
  memmove(d, s, n); /* overlapping memcpy is UB in C; the guest may not know */
  return dst;
}

u32 w2c_env_memmove(wg_env *env, u32 dst, u32 src, u32 n) {
  uint8_t *d = wg_guest_range_or_trap(env, dst, n, "memmove destination");
  uint8_t *s = wg_guest_range_or_trap(env, src, n, "memmove source");
  memmove(d, s, n);
  return dst;
}

u32 w2c_env_memset(wg_env *env, u32 dst, u32 value, u32 n) {
  uint8_t *d = wg_guest_range_or_trap(env, dst, n, "memset");
  memset(d, (int)(value & 0xff), n);
  return dst;
}

/* Each defines one math import; the trailing declaration takes the `;`. */
#define MATH1(name, T)                                   \
  WG_HOST_IMPORT T w2c_env_##name(wg_env *env, T x);     \
  T w2c_env_##name(wg_env *env, T x) { return name(x); } \
  T w2c_env_##name(wg_env *env, T x)
#define MATH2(name, T)                                           \
  WG_HOST_IMPORT T w2c_env_##name(wg_env *env, T x, T y);        \
  T w2c_env_##name(wg_env *env, T x, T y) { return name(x, y); } \
  T w2c_env_##name(wg_env *env, T x, T y)

MATH1(expf, f32);
MATH1(exp2f, f32);
MATH1(expm1f, f32);
MATH1(logf, f32);
MATH1(log2f, f32);
MATH1(log10f, f32);
MATH1(log1pf, f32);
MATH2(powf, f32);
MATH1(sinf, f32);
MATH1(cosf, f32);
MATH1(tanf, f32);
MATH1(tanhf, f32);
MATH1(sinhf, f32);
MATH1(coshf, f32);
MATH1(asinf, f32);
MATH1(acosf, f32);
MATH1(atanf, f32);
MATH1(asinhf, f32);
MATH1(acoshf, f32);
MATH1(atanhf, f32);
MATH2(atan2f, f32);
MATH1(erff, f32);
MATH1(roundf, f32);
MATH2(fmodf, f32);
MATH2(hypotf, f32);
MATH2(nextafterf, f32);
MATH1(exp, f64);
MATH1(exp2, f64);
MATH1(log, f64);
MATH1(log2, f64);
MATH1(log10, f64);
MATH2(pow, f64);
MATH1(sin, f64);
MATH1(cos, f64);
MATH1(tanh, f64);
MATH1(erf, f64);
MATH1(round, f64);
MATH2(fmod, f64);

WG_HOST_IMPORT f32 w2c_env_ldexpf(wg_env *env, f32 x, u32 e);
f32 w2c_env_ldexpf(wg_env *env, f32 x, u32 e) { return ldexpf(x, (int)e); }
