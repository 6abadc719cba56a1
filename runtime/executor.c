/*
 * executor.c — one sandbox (a linear memory and one wasm instance per
 * thread) running one model's graph.
 *
 * create: plan the layout, allocate the memory, instantiate every instance
 * and run the module constructors (the system-lib registration) inside a trap
 * boundary, resolve every node's kernel to a table index, write the tensor
 * descriptors and load the params. Nothing on the run path allocates or
 * touches JSON: run is a loop over precomputed calls inside one boundary.
 *
 * After a failed run (trap or kernel error) the executor stays usable: the
 * next run first rewrites the metadata region from the host image, reloads
 * the params and resets stacks and workspaces, so nothing a misbehaving
 * kernel wrote can steer the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtype.h"
#include "executor_internal.h"
#include "interrupt.h"
#include "trap_boundary.h"
#include "wasm_rt_internal.h"

/* ---- guest entry bodies (run inside wg_protected_call) -------------------- */

typedef struct {
  struct wasmgraph_executor *ex;
  int stage; /* how far instantiation got, for cleanup and messages */
} setup_ctx;

static void instantiate_body(void *p) {
  setup_ctx *c = p;
  struct wasmgraph_executor *ex = c->ex;
  const wasmgraph_module_desc *d = ex->model->desc;
  for (int w = 0; w < ex->num_threads; w++) {
    d->instantiate(ex->instances[w], (wasmgraph_host_env *)&ex->envs[w]);
    ex->instantiated[w] = true;
  }
  c->stage = 1;
  ex->registering = true;
  for (int w = 0; w < ex->num_threads; w++) d->call_ctors(ex->instances[w]);
  ex->registering = false;
  c->stage = 2;
}

typedef struct {
  struct wasmgraph_executor *ex;
  volatile int failed_call; /* index into ex->calls, -1 if none */
  volatile int32_t rc;
} run_ctx;

static void run_body(void *p) {
  run_ctx *c = p;
  struct wasmgraph_executor *ex = c->ex;
  const wasmgraph_module_desc *d = ex->model->desc;
  void *inst = ex->instances[0];
  char *env_error = ex->envs[0].error;
  uint8_t *mem = ex->memory.data;   /* never moves: memory grows in place */
  uint64_t *prof = ex->prof_run_ns; /* NULL unless profiling (profile.c) */
  for (int i = 0; i < ex->num_calls; i++) {
    const wg_call *call = &ex->calls[i];
    c->failed_call = i; /* so a trap knows where it happened */
    uint64_t t0 = prof ? wg_now_ns() : 0;
    if (call->kind == GRAPH_OP_COPY) {
      memmove(mem + call->copy_dst, mem + call->copy_src, call->copy_bytes);
      if (prof) prof[i] = wg_now_ns() - t0;
      continue;
    }
    env_error[0] = '\0'; /* a message belongs to the node that wrote it */
    int32_t rc = d->call_packed(inst, call->table_index, call->args, call->tcodes, call->num_args,
                                call->ret_value, call->ret_tcode);
    if (prof) prof[i] = wg_now_ns() - t0;
    if (rc != 0) {
      c->rc = rc;
      return;
    }
  }
  c->failed_call = -1;
}

/* ---- create ---------------------------------------------------------------- */

static int default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > WG_MAX_THREADS ? WG_MAX_THREADS : (int)n;
}

static wasmgraph_status resolve_calls(struct wasmgraph_executor *ex, char *err, size_t err_size) {
  const graph_plan *g = &ex->model->plan;
  ex->calls = calloc((size_t)(g->num_nodes ? g->num_nodes : 1), sizeof *ex->calls);
  if (!ex->calls) {
    wg_format(err, err_size, "out of memory");
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  for (int n = 0; n < g->num_nodes; n++) {
    const graph_node *node = &g->nodes[n];
    if (node->kind == GRAPH_OP_NULL || node->kind == GRAPH_OP_NOP) continue;
    if (node->flatten_data) {
      wg_format(err, err_size, "graph node %d '%s': flatten_data=1 is not supported", n,
                node->name);
      return WASMGRAPH_ERR_UNSUPPORTED;
    }
    wg_call *call = &ex->calls[ex->num_calls];
    call->node = n;
    call->kind = node->kind;
    if (node->kind == GRAPH_OP_TVM) {
      int found = -1;
      for (int r = 0; r < ex->registry_count; r++) {
        if (strcmp(ex->registry[r].name, node->func_name) == 0) {
          found = r;
          break;
        }
      }
      if (found < 0) {
        wg_format(err, err_size,
                  "graph node %d '%s' calls kernel '%s', which module '%s' does not register "
                  "(%d kernels registered)",
                  n, node->name, node->func_name, ex->model->desc->name, ex->registry_count);
        return WASMGRAPH_ERR_NOT_FOUND;
      }
      call->table_index = ex->registry[found].table_index;
    } else if (node->num_inputs < 1 || node->num_outputs < 1) {
      wg_format(err, err_size, "graph node %d '%s': __copy needs one input and one output", n,
                node->name);
      return WASMGRAPH_ERR_FORMAT;
    }
    ex->num_calls++;
  }
  return WASMGRAPH_OK;
}

static void load_params(struct wasmgraph_executor *ex) {
  const wasmgraph_model *m = ex->model;
  const graph_plan *g = &m->plan;
  for (int e = 0; e < g->num_entries; e++) {
    int p = m->entry_param[e];
    if (p < 0) continue;
    const param_tensor *t = &m->params.items[p];
    memcpy(ex->memory.data + ex->storage_addr[g->entries[e].storage_id], t->data, t->nbytes);
  }
}

static void reset_instances(struct wasmgraph_executor *ex) {
  const wasmgraph_module_desc *d = ex->model->desc;
  for (int w = 0; w < ex->num_threads; w++) {
    d->set_stack_pointer(ex->instances[w], ex->envs[w].stack_top);
    wg_workspace_reset(&ex->envs[w]);
    ex->envs[w].error[0] = '\0';
  }
}

wasmgraph_status wasmgraph_executor_create(const wasmgraph_model *model,
                                           const wasmgraph_options *options,
                                           wasmgraph_executor **out, char *err, size_t err_size) {
  if (out) *out = NULL;
  if (!model || !out) {
    wg_format(err, err_size, "model or out is NULL");
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  int threads = 0;
  size_t ws_bytes = 0, max_memory = 0;
  uint32_t deadline_ms = 0;
  if (options) {
    if (options->struct_size < sizeof(uint32_t) + sizeof(int)) {
      wg_format(err, err_size, "wasmgraph_options.struct_size is not set");
      return WASMGRAPH_ERR_INVALID_ARGUMENT;
    }
    /* a field counts only if the caller's struct_size covers it */
#define WG_HAS_OPTION(f) \
  (options->struct_size >= offsetof(wasmgraph_options, f) + sizeof options->f)
    threads = options->num_threads;
    if (WG_HAS_OPTION(workspace_bytes)) ws_bytes = options->workspace_bytes;
    if (WG_HAS_OPTION(max_memory_bytes)) max_memory = options->max_memory_bytes;
    if (WG_HAS_OPTION(deadline_ms)) deadline_ms = options->deadline_ms;
#undef WG_HAS_OPTION
  }
  if (deadline_ms && model->desc->interrupt_checks != WASMGRAPH_INTERRUPT_CHECKS_ALL) {
    wg_format(err, err_size,
              "module '%s' was compiled without interrupt checks "
              "(--disable-pass=interrupt-checks): its runs cannot be stopped, so it takes no "
              "deadline",
              model->desc->name);
    return WASMGRAPH_ERR_UNSUPPORTED;
  }
  if (threads < 0 || threads > WG_MAX_THREADS) {
    wg_format(err, err_size, "num_threads %d is out of range (0..%d)", threads, WG_MAX_THREADS);
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  }
  if (threads == 0) threads = default_threads();
  /* with a memory budget, unset workspaces share what the rest leaves */
  if (ws_bytes == 0 && max_memory == 0) ws_bytes = WG_DEFAULT_WORKSPACE;

  struct wasmgraph_executor *ex = calloc(1, sizeof *ex);
  if (!ex) {
    wg_format(err, err_size, "out of memory");
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  ex->model = model;
  ex->num_threads = threads;
  ex->deadline_ms = deadline_ms;
  const wasmgraph_module_desc *d = model->desc;
  wg_layout L;
  memset(&L, 0, sizeof L);
  L.workspace_bytes_per_thread = ws_bytes;
  L.budget_bytes = max_memory;
  wasmgraph_status st = wg_layout_plan(ex, &L, err, err_size);
  if (st) goto fail;
  ws_bytes = L.workspace_bytes_per_thread;

  ex->instances = calloc((size_t)threads, sizeof *ex->instances);
  ex->envs = calloc((size_t)threads, sizeof *ex->envs);
  ex->instantiated = calloc((size_t)threads, sizeof *ex->instantiated);
  ex->storage_addr = calloc((size_t)(model->plan.num_storage ? model->plan.num_storage : 1),
                            sizeof *ex->storage_addr);
  ex->entry_tensor = calloc((size_t)(model->plan.num_entries ? model->plan.num_entries : 1),
                            sizeof *ex->entry_tensor);
  if (!ex->instances || !ex->envs || !ex->instantiated || !ex->storage_addr || !ex->entry_tensor)
    goto oom;
  for (int w = 0; w < threads; w++) {
    ex->instances[w] = calloc(1, d->instance_size);
    if (!ex->instances[w]) goto oom;
  }
  if (!wg_memory_init(&ex->memory, L.pages, L.max_pages)) {
    wg_format(err, err_size, "cannot allocate %u pages (%llu bytes) of linear memory", L.pages,
              (unsigned long long)L.total);
    st = WASMGRAPH_ERR_NO_MEMORY;
    goto fail;
  }
  wg_stop_init(ex); /* before any guest code: every function entry polls it */
  for (int s = 0; s < model->plan.num_storage; s++) ex->storage_addr[s] = (uint32_t)L.storage[s];
  for (int e = 0; e < model->plan.num_entries; e++)
    ex->entry_tensor[e] = (uint32_t)L.entry_tensor[e];
  for (int w = 0; w < threads; w++) {
    wg_env *env = &ex->envs[w];
    env->memory = &ex->memory;
    env->ex = ex;
    env->instance = ex->instances[w];
    env->worker = w;
    env->stack_top =
        w == 0 ? d->stack_top : (uint32_t)(L.worker_stacks + (uint64_t)w * WG_WORKER_STACK);
    env->penv = (uint32_t)(L.penv + 8u * (uint64_t)w);
    env->ws_base = (uint32_t)(L.workspace + (uint64_t)w * ws_bytes);
    env->ws_end = (uint32_t)(env->ws_base + ws_bytes);
    wg_workspace_reset(env);
  }

  wasm_rt_init();
  d->init_module();
  setup_ctx sc = {ex, 0};
  int oom = 0;
  wasm_rt_trap_t trap = wg_protected_call(instantiate_body, &sc, &oom);
  ex->registering = false;
  if (trap != WASM_RT_TRAP_NONE) {
    if (oom) {
      wg_format(err, err_size, "out of memory instantiating module '%s'", d->name);
      st = WASMGRAPH_ERR_NO_MEMORY;
    } else {
      wg_format(err, err_size, "module '%s' trapped while %s: %s%s%s", d->name,
                sc.stage == 0 ? "instantiating" : "running its constructors",
                wasmgraph_trap_string(wg_trap_kind(trap)), ex->envs[0].error[0] ? ": " : "",
                ex->envs[0].error);
      st = WASMGRAPH_ERR_TRAP;
    }
    goto fail;
  }
  if (ex->registry_count == 0) {
    wg_format(err, err_size,
              "module '%s' registered no kernels: not a TVM system-lib graph library", d->name);
    st = WASMGRAPH_ERR_FORMAT;
    goto fail;
  }
  st = resolve_calls(ex, err, err_size);
  if (st) goto fail;
  wg_layout_assign_calls(ex, &L);
  wg_layout_write_metadata(ex, &L);
  ex->meta_base = (uint32_t)L.meta_base;
  ex->meta_size = (uint32_t)L.meta_size;
  ex->meta_image = malloc(ex->meta_size ? ex->meta_size : 1);
  if (!ex->meta_image) goto oom;
  memcpy(ex->meta_image, ex->memory.data + ex->meta_base, ex->meta_size);
  /* the module's static data as the constructors left it */
  if (d->stack_top < d->data_end) { /* wasm-ld --stack-first: [stack | data | heap] */
    ex->data_base = d->stack_top;
    ex->data_size = d->heap_base - d->stack_top;
  } else { /* wasm-ld's default layout: [data | stack | heap] */
    ex->data_base = 0;
    ex->data_size = d->data_end;
  }
  ex->data_image = malloc(ex->data_size ? ex->data_size : 1);
  if (!ex->data_image) goto oom;
  memcpy(ex->data_image, ex->memory.data + ex->data_base, ex->data_size);
  load_params(ex);
  reset_instances(ex);
  st = wg_pool_create(ex, err, err_size);
  if (st) goto fail;
  wg_layout_free(&L);
  *out = ex;
  return WASMGRAPH_OK;
oom:
  wg_format(err, err_size, "out of memory");
  st = WASMGRAPH_ERR_NO_MEMORY;
fail:
  wg_layout_free(&L);
  wasmgraph_executor_destroy(ex);
  return st;
}

void wasmgraph_executor_destroy(wasmgraph_executor *ex) {
  if (!ex) return;
  wg_watchdog_destroy(ex);
  wg_pool_destroy(ex);
  const wasmgraph_module_desc *d = ex->model->desc;
  if (ex->instances) {
    for (int w = 0; w < ex->num_threads; w++) {
      if (ex->instantiated && ex->instantiated[w]) d->free_instance(ex->instances[w]);
      free(ex->instances[w]);
    }
  }
  wg_memory_release(&ex->memory);
  for (int r = 0; r < ex->registry_count; r++) free(ex->registry[r].name);
  free(ex->registry);
  free(ex->instances);
  free(ex->envs);
  free(ex->instantiated);
  free(ex->storage_addr);
  free(ex->entry_tensor);
  free(ex->meta_image);
  free(ex->data_image);
  free(ex->calls);
  wg_profile_free(ex);
  free(ex);
}

/* ---- run ------------------------------------------------------------------- */

wasmgraph_status wasmgraph_executor_run(wasmgraph_executor *ex) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  ex->last_error[0] = '\0';
  ex->last_trap = WASMGRAPH_TRAP_NONE;
  if (ex->needs_restore) {
    memcpy(ex->memory.data + ex->meta_base, ex->meta_image, ex->meta_size);
    memcpy(ex->memory.data + ex->data_base, ex->data_image, ex->data_size);
    load_params(ex);
    ex->needs_restore = false;
  }
  reset_instances(ex);

  uint32_t deadline_ms = ex->deadline_ms;
  wasmgraph_status begun = wg_run_begin(ex);
  if (begun) return begun;
  run_ctx rc = {ex, -1, 0};
  int oom = 0;
  wasm_rt_trap_t trap = wg_protected_call(run_body, &rc, &oom);
  uint32_t stop = wg_run_end(ex);
  if (trap == WASM_RT_TRAP_NONE && rc.failed_call < 0) {
    wg_profile_commit(ex);
    return WASMGRAPH_OK;
  }

  ex->needs_restore = true;
  const graph_plan *g = &ex->model->plan;
  const wg_call *call = rc.failed_call >= 0 ? &ex->calls[rc.failed_call] : NULL;
  const graph_node *node = call ? &g->nodes[call->node] : NULL;
  const char *kernel_msg = ex->envs[0].error;
  if (trap != WASM_RT_TRAP_NONE) {
    if (oom)
      return wg_fail(ex, WASMGRAPH_ERR_NO_MEMORY, "node %d '%s': out of host memory",
                     node ? call->node : -1, node ? node->name : "?");
    ex->last_trap = wg_trap_kind(trap);
    if (trap == WASM_RT_TRAP_INTERRUPTED) {
      /* every thread stopped at a check; the kernel's text is about that */
      bool by_deadline = (stop & WG_STOP_DEADLINE) != 0;
      ex->last_trap = by_deadline ? WASMGRAPH_TRAP_DEADLINE : WASMGRAPH_TRAP_INTERRUPTED;
      char why[64];
      if (by_deadline) snprintf(why, sizeof why, "deadline of %u ms exceeded", deadline_ms);
      else snprintf(why, sizeof why, "interrupted (wasmgraph_executor_interrupt)");
      return wg_fail(ex, WASMGRAPH_ERR_TRAP, "node %d '%s' (kernel %s) stopped: %s",
                     node ? call->node : -1, node ? node->name : "?",
                     node && node->func_name ? node->func_name : "?", why);
    }
    return wg_fail(ex, WASMGRAPH_ERR_TRAP, "node %d '%s' (kernel %s) trapped: %s%s%s",
                   node ? call->node : -1, node ? node->name : "?",
                   node && node->func_name ? node->func_name : "?",
                   wasmgraph_trap_string(ex->last_trap), kernel_msg[0] ? ": " : "", kernel_msg);
  }
  return wg_fail(ex, WASMGRAPH_ERR_KERNEL, "node %d '%s' (kernel %s) failed with code %d: %s",
                 call->node, node->name, node->func_name, (int)rc.rc,
                 kernel_msg[0] ? kernel_msg : "(the kernel gave no message)");
}

/* ---- inputs and outputs ---------------------------------------------------- */

static const graph_entry *input_entry(const wasmgraph_executor *ex, int index) {
  const wasmgraph_model *m = ex->model;
  return &m->plan.entries[m->input_entry[index]];
}

static uint8_t *entry_data(const wasmgraph_executor *ex, const graph_entry *e) {
  return ex->memory.data + ex->storage_addr[e->storage_id];
}

wasmgraph_status wasmgraph_executor_set_input(wasmgraph_executor *ex, int index, const void *data,
                                              size_t size) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  if (index < 0 || index >= ex->model->num_inputs)
    return wg_fail(ex, WASMGRAPH_ERR_INVALID_ARGUMENT, "input index %d out of range (%d inputs)",
                   index, ex->model->num_inputs);
  const graph_entry *e = input_entry(ex, index);
  if (size != e->nbytes)
    return wg_fail(ex, WASMGRAPH_ERR_SHAPE_MISMATCH, "input '%s': got %zu bytes, expected %zu",
                   ex->model->input_info[index].name, size, e->nbytes);
  if (!data && size) return wg_fail(ex, WASMGRAPH_ERR_INVALID_ARGUMENT, "data is NULL");
  if (size) memcpy(entry_data(ex, e), data, size);
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_executor_set_input_by_name(wasmgraph_executor *ex, const char *name,
                                                      const void *data, size_t size) {
  if (!ex || !name) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  int index;
  if (wasmgraph_model_input_index(ex->model, name, &index) != WASMGRAPH_OK)
    return wg_fail(ex, WASMGRAPH_ERR_NOT_FOUND, "the graph has no input named '%s'", name);
  return wasmgraph_executor_set_input(ex, index, data, size);
}

wasmgraph_status wasmgraph_executor_set_input_tensor(wasmgraph_executor *ex, int index,
                                                     wasmgraph_dtype dtype, int ndim,
                                                     const int64_t *shape, const void *data) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  if (index < 0 || index >= ex->model->num_inputs)
    return wg_fail(ex, WASMGRAPH_ERR_INVALID_ARGUMENT, "input index %d out of range (%d inputs)",
                   index, ex->model->num_inputs);
  const wasmgraph_tensor_info *info = &ex->model->input_info[index];
  if (!wg_dtype_equal(dtype, info->dtype)) {
    char got[32];
    wg_dtype_format(dtype, got, sizeof got);
    return wg_fail(ex, WASMGRAPH_ERR_DTYPE_MISMATCH, "input '%s': dtype is %s, expected %s",
                   info->name, got, info->dtype_name);
  }
  if (ndim < 0 || (ndim > 0 && !shape))
    return wg_fail(ex, WASMGRAPH_ERR_INVALID_ARGUMENT, "input '%s': bad shape", info->name);
  bool same = ndim == info->ndim;
  for (int i = 0; same && i < ndim; i++) same = shape[i] == info->shape[i];
  if (!same) {
    char got[160], want[160];
    size_t a = 0, b = 0;
    a += (size_t)snprintf(got, sizeof got, "(");
    for (int i = 0; i < ndim && a < sizeof got; i++)
      a += (size_t)snprintf(got + a, sizeof got - a, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (a < sizeof got) snprintf(got + a, sizeof got - a, ")");
    b += (size_t)snprintf(want, sizeof want, "(");
    for (int i = 0; i < info->ndim && b < sizeof want; i++)
      b += (size_t)snprintf(want + b, sizeof want - b, i ? ", %lld" : "%lld",
                            (long long)info->shape[i]);
    if (b < sizeof want) snprintf(want + b, sizeof want - b, ")");
    return wg_fail(ex, WASMGRAPH_ERR_SHAPE_MISMATCH, "input '%s': shape is %s, expected %s",
                   info->name, got, want);
  }
  return wasmgraph_executor_set_input(ex, index, data, info->nbytes);
}

wasmgraph_status wasmgraph_executor_get_output(const wasmgraph_executor *ex, int index, void *dst,
                                               size_t size) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  wasmgraph_executor *mex = (wasmgraph_executor *)ex; /* only last_error changes */
  const wasmgraph_model *m = ex->model;
  if (index < 0 || index >= m->num_outputs)
    return wg_fail(mex, WASMGRAPH_ERR_INVALID_ARGUMENT, "output index %d out of range (%d outputs)",
                   index, m->num_outputs);
  const graph_entry *e = &m->plan.entries[m->plan.heads[index]];
  if (size != e->nbytes)
    return wg_fail(mex, WASMGRAPH_ERR_SHAPE_MISMATCH, "output %d: buffer has %zu bytes, need %zu",
                   index, size, e->nbytes);
  if (!dst && size) return wg_fail(mex, WASMGRAPH_ERR_INVALID_ARGUMENT, "dst is NULL");
  if (size) memcpy(dst, entry_data(ex, e), size);
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_executor_input_buffer(wasmgraph_executor *ex, int index, void **data,
                                                 size_t *size) {
  if (!ex || !data || !size) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  if (index < 0 || index >= ex->model->num_inputs)
    return wg_fail(ex, WASMGRAPH_ERR_INVALID_ARGUMENT, "input index %d out of range", index);
  const graph_entry *e = input_entry(ex, index);
  *data = entry_data(ex, e);
  *size = e->nbytes;
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_executor_output_buffer(const wasmgraph_executor *ex, int index,
                                                  const void **data, size_t *size) {
  if (!ex || !data || !size) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  const wasmgraph_model *m = ex->model;
  if (index < 0 || index >= m->num_outputs)
    return wg_fail((wasmgraph_executor *)ex, WASMGRAPH_ERR_INVALID_ARGUMENT,
                   "output index %d out of range", index);
  const graph_entry *e = &m->plan.entries[m->plan.heads[index]];
  *data = entry_data(ex, e);
  *size = e->nbytes;
  return WASMGRAPH_OK;
}

/* ---- queries --------------------------------------------------------------- */

const char *wasmgraph_executor_last_error(const wasmgraph_executor *ex) {
  return ex ? ex->last_error : "executor is NULL";
}
wasmgraph_trap_kind wasmgraph_executor_last_trap(const wasmgraph_executor *ex) {
  return ex ? ex->last_trap : WASMGRAPH_TRAP_NONE;
}
const wasmgraph_model *wasmgraph_executor_model(const wasmgraph_executor *ex) {
  return ex ? ex->model : NULL;
}
int wasmgraph_executor_num_threads(const wasmgraph_executor *ex) {
  return ex ? ex->num_threads : -1;
}
int wasmgraph_executor_num_inputs(const wasmgraph_executor *ex) {
  return ex ? ex->model->num_inputs : -1;
}
int wasmgraph_executor_num_outputs(const wasmgraph_executor *ex) {
  return ex ? ex->model->num_outputs : -1;
}
wasmgraph_status wasmgraph_executor_input_info(const wasmgraph_executor *ex, int index,
                                               wasmgraph_tensor_info *out) {
  return ex ? wasmgraph_model_input_info(ex->model, index, out) : WASMGRAPH_ERR_INVALID_ARGUMENT;
}
wasmgraph_status wasmgraph_executor_output_info(const wasmgraph_executor *ex, int index,
                                                wasmgraph_tensor_info *out) {
  return ex ? wasmgraph_model_output_info(ex->model, index, out) : WASMGRAPH_ERR_INVALID_ARGUMENT;
}
