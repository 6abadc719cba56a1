/*
 * parallel.c — TVMBackendParallelLaunch on a native thread pool
 * (docs/tvm-wasm-abi.md §5).
 *
 * An executor with T threads owns T wasm instances over one shared linear
 * memory. Instance 0 belongs to the thread that calls run; instances 1..T-1
 * belong to pool threads. Each instance has its own shadow stack, workspace
 * arena and penv slot, so a lambda never shares guest state with another
 * thread except the tensors TVM partitions between tasks. Task i of a launch
 * runs on instance i; task 0 runs on the caller, re-entrantly, below the
 * kernel's frame (as TVM's own thread pool does).
 *
 * Every pool task runs inside its own trap boundary. If any task traps, the
 * launch re-raises the first trap on the calling thread, so the kernel's
 * boundary reports it exactly as a serial trap would. A nonzero lambda return
 * makes the launch return -1 with "parallel task i failed: <message>".
 * Results are identical for any T: TVM splits a loop into disjoint ranges.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"
#include "trap_boundary.h"

#define WG_STACK_CANARY 64

typedef struct wg_pool {
  struct wasmgraph_executor *ex;
  int num_workers; /* pool threads = num_threads - 1 */
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t start_cv, done_cv;
  /* Both are written under `mu` but also read without it while spinning:
   * a launch is ~10-100 us of work, so a futex sleep and wake-up per launch
   * would cost as much as the work itself. */
  atomic_ulong generation;
  atomic_int pending;
  bool shutdown;
  bool busy; /* a launch is in progress (only the run thread reads/writes it) */
  /* the launch in progress */
  uint32_t lambda, cdata;
  int32_t num_task;
  int32_t results[WG_MAX_THREADS];
  wasm_rt_trap_t traps[WG_MAX_THREADS];
  int host_oom[WG_MAX_THREADS];
} wg_pool;

typedef struct {
  wg_env *env;
  uint32_t lambda, cdata;
  int32_t task;
  int32_t result;
} lambda_call;

static void write_penv(wg_env *env, int32_t num_task) {
  /* TVMParallelGroupEnv {void *sync_handle; int32 num_task} on wasm32 */
  uint8_t *p = env->memory->data + env->penv;
  uint32_t sync = 0;
  memcpy(p, &sync, 4);
  memcpy(p + 4, &num_task, 4);
}

static void run_lambda(void *ctx) {
  lambda_call *c = ctx;
  const wasmgraph_module_desc *d = c->env->ex->model->desc;
  c->result = d->call_lambda(c->env->instance, c->lambda, c->task, c->env->penv, c->cdata);
}

static void run_pool_task(wg_pool *pool, int worker) {
  wg_env *env = &pool->ex->envs[worker];
  const wasmgraph_module_desc *d = pool->ex->model->desc;
  d->set_stack_pointer(env->instance, env->stack_top);
  wg_workspace_reset(env);
  env->error[0] = '\0';
  write_penv(env, pool->num_task);
  lambda_call c = {env, pool->lambda, pool->cdata, worker, 0};
  /* A worker's shadow stack sits in the middle of linear memory, so an
   * overflow would not wrap below 0 and trap as instance 0's does: guard its
   * lowest bytes with a canary and turn a clobbered canary into a trap. */
  uint8_t *canary = env->memory->data + (env->stack_top - WG_WORKER_STACK);
  memset(canary, 0xc5, WG_STACK_CANARY);
  pool->traps[worker] = wg_protected_call(run_lambda, &c, &pool->host_oom[worker]);
  pool->results[worker] = c.result;
  if (pool->traps[worker] == WASM_RT_TRAP_NONE) {
    for (int i = 0; i < WG_STACK_CANARY; i++) {
      if (canary[i] != 0xc5) {
        snprintf(env->error, sizeof env->error,
                 "parallel task %d overflowed its %u-byte shadow stack", worker, WG_WORKER_STACK);
        pool->traps[worker] = WASM_RT_TRAP_OOB;
        break;
      }
    }
  }
}

/* How long a thread polls before sleeping on the condition variable. */
#define WG_SPIN_ROUNDS 20000

static void *worker_main(void *arg) {
  wg_env *env = arg;
  wg_pool *pool = env->ex->pool;
  int worker = env->worker;
  unsigned long seen = 0;
  for (;;) {
    for (int i = 0; i < WG_SPIN_ROUNDS && atomic_load(&pool->generation) == seen; i++)
      if ((i & 63) == 63) sched_yield();
    pthread_mutex_lock(&pool->mu);
    while (!pool->shutdown && atomic_load(&pool->generation) == seen)
      pthread_cond_wait(&pool->start_cv, &pool->mu);
    if (pool->shutdown) {
      pthread_mutex_unlock(&pool->mu);
      break;
    }
    seen = atomic_load(&pool->generation);
    pthread_mutex_unlock(&pool->mu);
    run_pool_task(pool, worker);
    pthread_mutex_lock(&pool->mu);
    if (atomic_fetch_sub(&pool->pending, 1) == 1) pthread_cond_signal(&pool->done_cv);
    pthread_mutex_unlock(&pool->mu);
  }
  return NULL;
}

wasmgraph_status wg_pool_create(struct wasmgraph_executor *ex, char *err, size_t err_size) {
  if (ex->num_threads <= 1) return WASMGRAPH_OK;
  wg_pool *pool = calloc(1, sizeof *pool);
  if (!pool) goto oom;
  pool->ex = ex;
  pool->num_workers = ex->num_threads - 1;
  pool->threads = calloc((size_t)pool->num_workers, sizeof *pool->threads);
  if (!pool->threads) {
    free(pool);
    goto oom;
  }
  pthread_mutex_init(&pool->mu, NULL);
  pthread_cond_init(&pool->start_cv, NULL);
  pthread_cond_init(&pool->done_cv, NULL);
  ex->pool = pool;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* Guest recursion runs on these native stacks; give them room. */
  pthread_attr_setstacksize(&attr, 8u << 20);
  for (int i = 0; i < pool->num_workers; i++) {
    if (pthread_create(&pool->threads[i], &attr, worker_main, &ex->envs[i + 1]) != 0) {
      pool->num_workers = i;
      pthread_attr_destroy(&attr);
      wg_pool_destroy(ex);
      wg_format(err, err_size, "cannot start worker thread %d of %d", i + 1, ex->num_threads);
      return WASMGRAPH_ERR_NO_MEMORY;
    }
  }
  pthread_attr_destroy(&attr);
  return WASMGRAPH_OK;
oom:
  wg_format(err, err_size, "out of memory creating the thread pool");
  return WASMGRAPH_ERR_NO_MEMORY;
}

void wg_pool_destroy(struct wasmgraph_executor *ex) {
  wg_pool *pool = ex->pool;
  if (!pool) return;
  pthread_mutex_lock(&pool->mu);
  pool->shutdown = true;
  pthread_cond_broadcast(&pool->start_cv);
  pthread_mutex_unlock(&pool->mu);
  for (int i = 0; i < pool->num_workers; i++) pthread_join(pool->threads[i], NULL);
  pthread_mutex_destroy(&pool->mu);
  pthread_cond_destroy(&pool->start_cv);
  pthread_cond_destroy(&pool->done_cv);
  free(pool->threads);
  free(pool);
  ex->pool = NULL;
}

/* Sets env's kernel error to "<lead>parallel task <i> of <tasks><tail>: <text>",
 * cut to the buffer (text may be env's own error). */
static void report_task(wg_env *env, const char *lead, int i, int tasks, const char *tail,
                        const char *text) {
  char msg[WG_KERNEL_ERROR_SIZE];
  int n = snprintf(msg, sizeof msg, "%sparallel task %d of %d%s: ", lead, i, tasks, tail);
  if (n > 0 && (size_t)n < sizeof msg) snprintf(msg + n, sizeof msg - (size_t)n, "%s", text);
  memcpy(env->error, msg, sizeof msg);
}

static int32_t launch_serial(wg_env *env, uint32_t lambda, uint32_t cdata) {
  const wasmgraph_module_desc *d = env->ex->model->desc;
  write_penv(env, 1);
  /* Same thread, same boundary: a trap unwinds straight to the kernel's. */
  int32_t rc = d->call_lambda(env->instance, lambda, 0, env->penv, cdata);
  if (rc != 0) {
    report_task(env, "", 0, 1, " failed", env->error[0] ? env->error : "(no message)");
    return -1;
  }
  return 0;
}

static int32_t parallel_launch(wg_env *env, uint32_t lambda, uint32_t cdata) {
  struct wasmgraph_executor *ex = env->ex;
  wg_pool *pool = ex->pool;
  /* Launches from inside a pool task (never emitted by TVM) and executors
   * with one thread run serially. */
  if (!pool || env->worker != 0 || pool->busy) return launch_serial(env, lambda, cdata);
  int32_t tasks = pool->num_workers + 1;
  pool->busy = true;

  pthread_mutex_lock(&pool->mu);
  pool->lambda = lambda;
  pool->cdata = cdata;
  pool->num_task = tasks;
  atomic_store(&pool->pending, pool->num_workers);
  atomic_fetch_add(&pool->generation, 1);
  pthread_cond_broadcast(&pool->start_cv);
  pthread_mutex_unlock(&pool->mu);

  /* Task 0 on the caller's instance; a trap here must not unwind past the
   * join below, so it runs under its own boundary too. */
  write_penv(env, tasks);
  lambda_call c0 = {env, lambda, cdata, 0, 0};
  int oom0 = 0;
  wasm_rt_trap_t trap0 = wg_protected_call(run_lambda, &c0, &oom0);

  for (int i = 0; i < WG_SPIN_ROUNDS && atomic_load(&pool->pending) > 0; i++)
    if ((i & 63) == 63) sched_yield();
  pthread_mutex_lock(&pool->mu);
  while (atomic_load(&pool->pending) > 0) pthread_cond_wait(&pool->done_cv, &pool->mu);
  pthread_mutex_unlock(&pool->mu);
  pool->busy = false;

  pool->results[0] = c0.result;
  pool->traps[0] = trap0;
  pool->host_oom[0] = oom0;
  for (int i = 0; i < tasks; i++) {
    if (pool->traps[i] != WASM_RT_TRAP_NONE) {
      if (i != 0)
        report_task(env, "in ", i, tasks, "",
                    ex->envs[i].error[0] ? ex->envs[i].error : wasm_rt_strerror(pool->traps[i]));
      wasm_rt_trap(pool->traps[i]);
    }
  }
  for (int i = 0; i < tasks; i++) {
    if (pool->results[i] != 0) {
      report_task(env, "", i, tasks, " failed",
                  ex->envs[i].error[0] ? ex->envs[i].error : "(no message)");
      return -1;
    }
  }
  return 0;
}

/* The imports (§5). num_task is TVM's hint; the executor decides: one task
 * per thread. */
WG_HOST_IMPORT uint32_t w2c_env_TVMBackendParallelLaunch(wg_env *env, uint32_t lambda,
                                                         uint32_t cdata, uint32_t num_task);
WG_HOST_IMPORT uint32_t w2c_env_TVMBackendParallelBarrier(wg_env *env, uint32_t task_id,
                                                          uint32_t penv);

uint32_t w2c_env_TVMBackendParallelLaunch(wg_env *env, uint32_t lambda, uint32_t cdata,
                                          uint32_t num_task) {
  return (uint32_t)parallel_launch(env, lambda, cdata);
}

uint32_t w2c_env_TVMBackendParallelBarrier(wg_env *env, uint32_t task_id, uint32_t penv) {
  /* Tasks of one launch run to completion independently (serially or on the
   * pool); TVM only emits barriers for pragma_parallel_barrier_when_finish,
   * which CPU schedules of graph models do not use. */
  wg_guest_range_or_trap(env, penv, 8, "TVMBackendParallelBarrier penv");
  return 0;
}
