/*
 * interrupt_fixture.c — a real model stopped in the middle of a run, then
 * run again exactly (issue 15).
 *
 *   interrupt_fixture MODEL.so MODEL_DIR THREADS OUT_DIR
 *
 * MODEL_DIR is a fixture folder (graph.json, graph.params, inputs/NAME.npy).
 *   1. A clean run: its outputs are the reference.
 *   2. Interrupted runs: another thread calls wasmgraph_executor_interrupt
 *      every 0.2 ms from half-way through a clean run's time (then earlier
 *      and earlier, as long as the run keeps finishing first); for a model
 *      whose run is shorter than a thread's wake-up, runs follow each other
 *      under a thread that interrupts without pause. At least one run must
 *      stop with WASMGRAPH_TRAP_INTERRUPTED and a message naming a node and a
 *      kernel; a run that finished first must be exact.
 *   3. A 1 ms deadline: the run stops with WASMGRAPH_TRAP_DEADLINE, or (a
 *      model faster than that) is exact.
 *   4. With the inputs set again and no deadline, the next run must give
 *      the reference outputs bit for bit; they are written to
 *      OUT_DIR/output_<i>.npy for check_outputs (expected/ and meta.json).
 * Prints what happened and "interrupt_fixture: N passed, M failed".
 */
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "interrupt_test.h"
#include "npy.h"

/* The model's inputs (inputs/NAME.npy), read once. */
typedef struct inputs {
  int n;
  int index[16];
  npy_array a[16];
} inputs;

static int load_inputs(wasmgraph_executor *ex, const char *model_dir, inputs *in) {
  char dir[1024], path[2048], err[512];
  snprintf(dir, sizeof dir, "%s/inputs", model_dir);
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "cannot open %s\n", dir);
    return -1;
  }
  int rc = 0;
  in->n = 0;
  for (struct dirent *e; (e = readdir(d)) && rc == 0;) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".npy") != 0) continue;
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (in->n == 16 || npy_load(path, &in->a[in->n], err, sizeof err) != WASMGRAPH_OK) {
      fprintf(stderr, "%s: %s\n", path, err);
      rc = -1;
      break;
    }
    if (wasmgraph_model_input_index(wasmgraph_executor_model(ex), name, &in->index[in->n])) {
      fprintf(stderr, "%s: the graph has no input '%s'\n", path, name);
      rc = -1;
    }
    in->n++;
  }
  closedir(d);
  return rc == 0 && in->n == wasmgraph_executor_num_inputs(ex) ? 0 : -1;
}

static int set_inputs(wasmgraph_executor *ex, const inputs *in) {
  for (int i = 0; i < in->n; i++) {
    const npy_array *a = &in->a[i];
    if (wasmgraph_executor_set_input_tensor(ex, in->index[i], a->dtype, a->ndim, a->shape, a->data))
      return -1;
  }
  return 0;
}

/* Copies of every output. */
typedef struct outputs {
  int n;
  void *data[16];
  size_t size[16];
} outputs;

static void outputs_free(outputs *o) {
  for (int i = 0; i < o->n; i++) free(o->data[i]);
  o->n = 0;
}

static int take_outputs(wasmgraph_executor *ex, outputs *o) {
  o->n = wasmgraph_executor_num_outputs(ex);
  if (o->n > 16) return -1;
  for (int i = 0; i < o->n; i++) {
    const void *p;
    wasmgraph_executor_output_buffer(ex, i, &p, &o->size[i]);
    o->data[i] = malloc(o->size[i] ? o->size[i] : 1);
    if (!o->data[i]) return -1;
    memcpy(o->data[i], p, o->size[i]);
  }
  return 0;
}

static bool same_outputs(wasmgraph_executor *ex, const outputs *ref) {
  for (int i = 0; i < ref->n; i++) {
    const void *p;
    size_t size;
    wasmgraph_executor_output_buffer(ex, i, &p, &size);
    if (size != ref->size[i] || memcmp(p, ref->data[i], size) != 0) return false;
  }
  return true;
}

static bool names_node_and_kernel(const char *msg, const char *tail) {
  return strncmp(msg, "node ", 5) == 0 && strstr(msg, "' (kernel ") && strstr(msg, tail);
}

/* One run while `h` interrupts: exact if it finished first, else stopped
 * with the interrupt's trap kind and message. Returns 1 if it was stopped. */
static int run_under(wasmgraph_executor *ex, const inputs *in, const outputs *ref, hammer *h,
                     double delay, double clean_ms) {
  CHECK(set_inputs(ex, in) == 0);
  double t0 = now_ms();
  wasmgraph_status st = wasmgraph_executor_run(ex);
  double end = now_ms(), took = end - t0;
  const char *msg = wasmgraph_executor_last_error(ex);
  if (st == WASMGRAPH_OK) {
    CHECK_MSG(same_outputs(ex, ref), "a run that finished before the interrupt is not exact");
    if (delay > 0)
      printf("interrupt from %.2f ms: the run finished first (%.2f ms)\n", delay, took);
    return 0;
  }
  CHECK_MSG(st == WASMGRAPH_ERR_TRAP &&
                wasmgraph_executor_last_trap(ex) == WASMGRAPH_TRAP_INTERRUPTED &&
                names_node_and_kernel(msg, " stopped: interrupted (wasmgraph_executor_interrupt)"),
            msg);
  double first = atomic_load(&h->first_call_ms);
  printf(
      "interrupt from %.2f ms: stopped after %.2f ms of %.2f, %.2f ms after the first "
      "interrupt call: %s\n",
      delay, took, clean_ms, first > 0 ? end - first : -1.0, msg);
  return 1;
}

/* A run with a thread that interrupts every `period_ms` from `delay_ms`. */
static int interrupted_run(wasmgraph_executor *ex, const inputs *in, const outputs *ref,
                           double delay_ms, double period_ms, double clean_ms) {
  hammer h;
  if (hammer_start(&h, ex, delay_ms, period_ms) != 0) return 0;
  int stopped = run_under(ex, in, ref, &h, delay_ms, clean_ms);
  hammer_stop(&h);
  return stopped;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: interrupt_fixture MODEL.so MODEL_DIR THREADS OUT_DIR\n");
    return 2;
  }
  const char *so = argv[1], *dir = argv[2], *out_dir = argv[4];
  int threads = atoi(argv[3]);
  char graph[1024], params[1024], err[1024];
  snprintf(graph, sizeof graph, "%s/graph.json", dir);
  snprintf(params, sizeof params, "%s/graph.params", dir);
  wasmgraph_model *m = NULL;
  wasmgraph_executor *ex = NULL;
  outputs ref = {0};
  if (wasmgraph_model_load_library(so, graph, params, &m, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "FAIL: %s\n", err);
    return 1;
  }
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = threads;
  if (wasmgraph_executor_create(m, &o, &ex, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "FAIL: %s\n", err);
    wasmgraph_model_destroy(m);
    return 1;
  }

  inputs in;
  if (load_inputs(ex, dir, &in) != 0) {
    wasmgraph_executor_destroy(ex);
    wasmgraph_model_destroy(m);
    return 1;
  }

  /* 1. the reference */
  CHECK(set_inputs(ex, &in) == 0);
  double t0 = now_ms();
  CHECK_MSG(wasmgraph_executor_run(ex) == WASMGRAPH_OK, wasmgraph_executor_last_error(ex));
  double clean_ms = now_ms() - t0;
  CHECK(take_outputs(ex, &ref) == 0);

  /* 2. interrupted from another thread: first from half-way through a clean
   * run's time, then earlier (a CNN stops in the middle); a model whose whole
   * run is shorter than a thread's wake-up then runs again and again under a
   * thread that interrupts without pause, until a run is caught */
  int stopped = 0;
  for (double delay = clean_ms / 2; delay > 0.05 && !stopped; delay /= 4)
    stopped = interrupted_run(ex, &in, &ref, delay, 0.2, clean_ms);
  if (!stopped) {
    hammer h;
    if (hammer_start(&h, ex, 0, 0) == 0) {
      while (atomic_load(&h.calls) == 0) sched_yield();
      /* Bounded by time, not by a count of runs: a run of a few
       * microseconds is caught only when the two threads overlap in its
       * window, which on a busy 2-core machine can take many thousands of
       * runs. Every run that finishes first is still checked for exactness. */
      double give_up = now_ms() + 20000;
      while (!stopped && now_ms() < give_up) stopped = run_under(ex, &in, &ref, &h, 0, clean_ms);
      hammer_stop(&h);
    }
  }
  CHECK_MSG(stopped, "no run was interrupted");

  /* 3. a 1 ms deadline */
  CHECK(wasmgraph_executor_set_deadline(ex, 1) == WASMGRAPH_OK);
  CHECK(set_inputs(ex, &in) == 0);
  wasmgraph_status st = wasmgraph_executor_run(ex);
  const char *msg = wasmgraph_executor_last_error(ex);
  if (st == WASMGRAPH_OK) {
    CHECK_MSG(same_outputs(ex, &ref), "a run within its deadline is not exact");
    printf("1 ms deadline: the run finished in time\n");
  } else {
    CHECK_MSG(st == WASMGRAPH_ERR_TRAP &&
                  wasmgraph_executor_last_trap(ex) == WASMGRAPH_TRAP_DEADLINE &&
                  names_node_and_kernel(msg, " stopped: deadline of 1 ms exceeded"),
              msg);
    printf("1 ms deadline: %s\n", msg);
  }
  CHECK(wasmgraph_executor_set_deadline(ex, 0) == WASMGRAPH_OK);

  /* 4. exact again */
  CHECK(set_inputs(ex, &in) == 0);
  CHECK_MSG(wasmgraph_executor_run(ex) == WASMGRAPH_OK, wasmgraph_executor_last_error(ex));
  CHECK_MSG(same_outputs(ex, &ref), "the run after the stopped ones differs from the first run");
  mkdir(out_dir, 0777);
  for (int i = 0; i < wasmgraph_executor_num_outputs(ex); i++) {
    wasmgraph_tensor_info info;
    const void *p;
    size_t size;
    char path[2048];
    wasmgraph_executor_output_info(ex, i, &info);
    wasmgraph_executor_output_buffer(ex, i, &p, &size);
    snprintf(path, sizeof path, "%s/output_%d.npy", out_dir, i);
    CHECK_MSG(
        npy_save(path, info.dtype, info.ndim, info.shape, p, size, err, sizeof err) == WASMGRAPH_OK,
        err);
  }
  outputs_free(&ref);
  for (int i = 0; i < in.n; i++) npy_free(&in.a[i]);
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(m);
  return check_report("interrupt_fixture");
}
