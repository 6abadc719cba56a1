/*
 * spectest_host.h — the "spectest" module every spec .wast may import from
 * (print functions, four immutable globals, a 10..20 funcref table and a
 * 1..2 page memory), as the C symbols wasm2c 1.0.32 code links against:
 * Z_spectestZ_<field>(struct Z_spectest_instance_t*, ...). The runner
 * executable defines them and exports them (-rdynamic) to the modules it
 * dlopens, exactly as tools/wasmgraph exports the env.* host imports.
 */
#ifndef WASMGRAPH_SPECTEST_HOST_H_
#define WASMGRAPH_SPECTEST_HOST_H_

#include <stdbool.h>
#include <stdint.h>

#include "spec_abi.h"

struct Z_spectest_instance_t {
  uint32_t global_i32;
  uint64_t global_i64;
  float global_f32;
  double global_f64;
  wasm_rt_funcref_table_t table;
  wasm_rt_memory_t memory;
  uint64_t reserved; /* was a print counter; see spectest_host.c */
};

/* The instance and its description for link checks ("spectest" is always
 * registered). */
extern struct Z_spectest_instance_t spectest_instance;
extern const wgs_module spectest_module;

/* Allocates the table and memory; false on allocation failure. */
bool spectest_init(void);
void spectest_fini(void);

void Z_spectestZ_print(struct Z_spectest_instance_t *);
void Z_spectestZ_print_i32(struct Z_spectest_instance_t *, uint32_t);
void Z_spectestZ_print_i64(struct Z_spectest_instance_t *, uint64_t);
void Z_spectestZ_print_f32(struct Z_spectest_instance_t *, float);
void Z_spectestZ_print_f64(struct Z_spectest_instance_t *, double);
void Z_spectestZ_print_i32_f32(struct Z_spectest_instance_t *, uint32_t, float);
void Z_spectestZ_print_f64_f64(struct Z_spectest_instance_t *, double, double);
uint32_t *Z_spectestZ_global_i32(struct Z_spectest_instance_t *);
uint64_t *Z_spectestZ_global_i64(struct Z_spectest_instance_t *);
float *Z_spectestZ_global_f32(struct Z_spectest_instance_t *);
double *Z_spectestZ_global_f64(struct Z_spectest_instance_t *);
wasm_rt_funcref_table_t *Z_spectestZ_table(struct Z_spectest_instance_t *);
wasm_rt_memory_t *Z_spectestZ_memory(struct Z_spectest_instance_t *);

#endif
