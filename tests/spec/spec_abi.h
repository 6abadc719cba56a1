/*
 * spec_abi.h — the contract between the glue that gen_glue.py writes for
 * each .wast (compiled into the same .so as the wasm2c output of its
 * modules) and spec_runner, which dlopens that .so and runs the commands.
 *
 * wasm2c exports are C functions with typed signatures; the runner cannot
 * call those generically, so the glue wraps each export in a thunk with one
 * uniform signature. Values travel in wgs_val; wasm types are written as one
 * letter each: i=i32 I=i64 f=f32 F=f64 v=v128 r=funcref x=externref. A
 * function type is "<params>><results>", e.g. "iF>f" or "vv>v".
 *
 * v128 travels as its 16 bytes in wasm's (little-endian) lane order: the
 * glue copies them to and from SIMDe's v128 (on the little-endian hosts
 * wasmgraph targets, wasm2c's v128 has exactly that byte layout), so the
 * runner needs no SIMD header.
 */
#ifndef WASMGRAPH_SPEC_ABI_H_
#define WASMGRAPH_SPEC_ABI_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wasm-rt.h"

typedef union wgs_val {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  wasm_rt_funcref_t funcref;
  wasm_rt_externref_t externref;
} wgs_val;

typedef enum wgs_kind { WGS_FUNC = 0, WGS_TABLE = 1, WGS_MEMORY = 2, WGS_GLOBAL = 3 } wgs_kind;

typedef struct wgs_export {
  const char *name; /* raw export name bytes (may hold any byte) */
  uint32_t name_len;
  wgs_kind kind;
  /* func: "<params>><results>"; global: one letter, prefixed by 'm' when
   * mutable; table: "r" or "x"; memory: "". */
  const char *type;
  /* func: calls the export with args[], writes results[] */
  void (*call)(void *instance, const wgs_val *args, wgs_val *results);
  /* global: pointer to the value; memory: wasm_rt_memory_t*; table:
   * wasm_rt_funcref_table_t* or wasm_rt_externref_table_t* */
  void *(*get)(void *instance);
} wgs_export;

/* Returns the instance registered under a module name (NULL if none). */
typedef void *(*wgs_lookup_fn)(void *user, const char *module, uint32_t module_len);

typedef struct wgs_module {
  const char *c_name;   /* the wasm2c -n name */
  size_t instance_size; /* sizeof(w2c_<mangled name>) */
  /* wasm2c_<mangled name>_instantiate with the imported modules' instances
   * from lookup; may trap (run it inside wg_protected_call). */
  void (*instantiate)(void *instance, wgs_lookup_fn lookup, void *user);
  void (*free_instance)(void *instance);
  uint32_t num_exports;
  const wgs_export *exports;
} wgs_module;

/* Defined by spec_runner and exported to the modules' .so: prints
 * "log <label> <values>" for a host import of the differential fuzzer
 * (types: one spec_abi letter per value). */
void wgs_host_log(const char *label, const char *types, const wgs_val *values);

#endif
