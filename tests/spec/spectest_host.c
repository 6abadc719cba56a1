/*
 * spectest_host.c — the "spectest" host module of the WebAssembly spec
 * testsuite, served to wasm2c-generated modules through plain C symbols.
 *
 * Values are the reference interpreter's: global_i32 = 666, global_i64 =
 * 666, global_f32 = 666.6, global_f64 = 666.6 (all immutable), table =
 * 10 funcref elements (max 20), memory = 1 page (max 2). The print
 * functions only count calls: the suite never checks their output, and
 * thousands of lines of it would bury the pass/fail report.
 *
 * The memory is allocated with wg_memory_init, the runtime's own allocator
 * for linear memories, so it has the guard-page reservation or the
 * bounds-check layout of this build like every other memory the modules
 * touch.
 */
#include "spectest_host.h"

#include <stdlib.h>
#include <string.h>

#include "wasm_rt_internal.h"

struct w2c_spectest spectest_instance;

bool spectest_init(void) {
  struct w2c_spectest *s = &spectest_instance;
  memset(s, 0, sizeof *s);
  s->global_i32 = 666;
  s->global_i64 = 666;
  s->global_f32 = 666.6f;
  s->global_f64 = 666.6;
  s->table.data = calloc(10, sizeof *s->table.data);
  if (!s->table.data) return false;
  s->table.size = 10;
  s->table.max_size = 20;
  if (!wg_memory_init(&s->memory, 1, 2)) {
    free(s->table.data);
    s->table.data = NULL;
    return false;
  }
  return true;
}

void spectest_fini(void) {
  wasm_rt_free_funcref_table(&spectest_instance.table);
  wg_memory_release(&spectest_instance.memory);
}

/* spectest's print functions do nothing (and do not dereference the instance
 * pointer, which is whatever the importing module was given for "spectest"). */
void w2c_spectest_print(struct w2c_spectest *s) { (void)s; }
void w2c_spectest_print_i32(struct w2c_spectest *s, uint32_t a) {
  (void)a;
  (void)s;
}
void w2c_spectest_print_i64(struct w2c_spectest *s, uint64_t a) {
  (void)a;
  (void)s;
}
void w2c_spectest_print_f32(struct w2c_spectest *s, float a) {
  (void)a;
  (void)s;
}
void w2c_spectest_print_f64(struct w2c_spectest *s, double a) {
  (void)a;
  (void)s;
}
void w2c_spectest_print_i32_f32(struct w2c_spectest *s, uint32_t a, float b) {
  (void)a, (void)b;
  (void)s;
}
void w2c_spectest_print_f64_f64(struct w2c_spectest *s, double a, double b) {
  (void)a, (void)b;
  (void)s;
}
uint32_t *w2c_spectest_global_i32(struct w2c_spectest *s) { return &s->global_i32; }
uint64_t *w2c_spectest_global_i64(struct w2c_spectest *s) { return &s->global_i64; }
float *w2c_spectest_global_f32(struct w2c_spectest *s) { return &s->global_f32; }
double *w2c_spectest_global_f64(struct w2c_spectest *s) { return &s->global_f64; }
wasm_rt_funcref_table_t *w2c_spectest_table(struct w2c_spectest *s) { return &s->table; }
wasm_rt_memory_t *w2c_spectest_memory(struct w2c_spectest *s) { return &s->memory; }

/* ---- the same, described for the runner's link check and invokes -------- */

static void call_print(void *i, const wgs_val *a, wgs_val *r) {
  (void)a, (void)r;
  w2c_spectest_print(i);
}
static void call_print_i32(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_i32(i, a[0].i32);
}
static void call_print_i64(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_i64(i, a[0].i64);
}
static void call_print_f32(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_f32(i, a[0].f32);
}
static void call_print_f64(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_f64(i, a[0].f64);
}
static void call_print_i32_f32(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_i32_f32(i, a[0].i32, a[1].f32);
}
static void call_print_f64_f64(void *i, const wgs_val *a, wgs_val *r) {
  (void)r;
  w2c_spectest_print_f64_f64(i, a[0].f64, a[1].f64);
}
static void *get_global_i32(void *i) { return w2c_spectest_global_i32(i); }
static void *get_global_i64(void *i) { return w2c_spectest_global_i64(i); }
static void *get_global_f32(void *i) { return w2c_spectest_global_f32(i); }
static void *get_global_f64(void *i) { return w2c_spectest_global_f64(i); }
static void *get_table(void *i) { return w2c_spectest_table(i); }
static void *get_memory(void *i) { return w2c_spectest_memory(i); }

#define NAME(s) s, sizeof s - 1
static const wgs_export spectest_exports[] = {
    {NAME("print"), WGS_FUNC, ">", call_print, NULL},
    {NAME("print_i32"), WGS_FUNC, "i>", call_print_i32, NULL},
    {NAME("print_i64"), WGS_FUNC, "I>", call_print_i64, NULL},
    {NAME("print_f32"), WGS_FUNC, "f>", call_print_f32, NULL},
    {NAME("print_f64"), WGS_FUNC, "F>", call_print_f64, NULL},
    {NAME("print_i32_f32"), WGS_FUNC, "if>", call_print_i32_f32, NULL},
    {NAME("print_f64_f64"), WGS_FUNC, "FF>", call_print_f64_f64, NULL},
    {NAME("global_i32"), WGS_GLOBAL, "i", NULL, get_global_i32},
    {NAME("global_i64"), WGS_GLOBAL, "I", NULL, get_global_i64},
    {NAME("global_f32"), WGS_GLOBAL, "f", NULL, get_global_f32},
    {NAME("global_f64"), WGS_GLOBAL, "F", NULL, get_global_f64},
    {NAME("table"), WGS_TABLE, "r", NULL, get_table},
    {NAME("memory"), WGS_MEMORY, "", NULL, get_memory},
};

const wgs_module spectest_module = {"spectest",
                                    sizeof(struct w2c_spectest),
                                    NULL,
                                    NULL,
                                    sizeof spectest_exports / sizeof spectest_exports[0],
                                    spectest_exports};
