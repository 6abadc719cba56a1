/*
 * spectest_host.h — the "spectest" module every spec .wast may import from
 * (print functions, four immutable globals, a 10..20 funcref table and a
 * 1..2 page memory), as the C symbols wasm2c 1.0.39 code links against:
 * w2c_spectest_<field>(struct w2c_spectest*, ...) for functions, and
 * accessors returning a pointer for globals, the table and the memory
 * (generated code calls those once, at instantiation). The runner
 * executable defines them and exports them (-rdynamic) to the modules it
 * dlopens, exactly as tools/wasmgraph exports the env.* host imports.
 */
#ifndef WASMGRAPH_SPECTEST_HOST_H_
#define WASMGRAPH_SPECTEST_HOST_H_

#include <stdbool.h>
#include <stdint.h>

#include "spec_abi.h"

struct w2c_spectest {
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
extern struct w2c_spectest spectest_instance;
extern const wgs_module spectest_module;

/* Allocates the table and memory; false on allocation failure. */
bool spectest_init(void);
void spectest_fini(void);

void w2c_spectest_print(struct w2c_spectest *);
void w2c_spectest_print_i32(struct w2c_spectest *, uint32_t);
void w2c_spectest_print_i64(struct w2c_spectest *, uint64_t);
void w2c_spectest_print_f32(struct w2c_spectest *, float);
void w2c_spectest_print_f64(struct w2c_spectest *, double);
void w2c_spectest_print_i32_f32(struct w2c_spectest *, uint32_t, float);
void w2c_spectest_print_f64_f64(struct w2c_spectest *, double, double);
uint32_t *w2c_spectest_global_i32(struct w2c_spectest *);
uint64_t *w2c_spectest_global_i64(struct w2c_spectest *);
float *w2c_spectest_global_f32(struct w2c_spectest *);
double *w2c_spectest_global_f64(struct w2c_spectest *);
wasm_rt_funcref_table_t *w2c_spectest_table(struct w2c_spectest *);
wasm_rt_memory_t *w2c_spectest_memory(struct w2c_spectest *);

#endif
