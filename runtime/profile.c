/*
 * profile.c — per-node timing of an executor's runs, as TVM's debug
 * executor reports it (`wasmgraph run --profile`). Off by default: a run
 * then pays one branch per node. When on, run_body in executor.c reads the
 * monotonic clock around every node into a scratch array, and a run that
 * succeeds adds it to the totals; a failed run (a trap, a kernel error, a
 * deadline) leaves them as they were, so a profile only ever holds whole
 * runs. A node's time includes the parallel tasks it launches (they end
 * before its kernel returns).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime_internal.h"

uint64_t wg_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void wg_profile_free(struct wasmgraph_executor *ex) {
  free(ex->prof_total_ns);
  free(ex->prof_run_ns);
  ex->prof_total_ns = ex->prof_run_ns = NULL;
  ex->prof_runs = 0;
}

void wg_profile_commit(struct wasmgraph_executor *ex) {
  if (!ex->prof_total_ns) return;
  for (int i = 0; i < ex->num_calls; i++) ex->prof_total_ns[i] += ex->prof_run_ns[i];
  ex->prof_runs++;
}

wasmgraph_status wasmgraph_executor_set_profiling(wasmgraph_executor *ex, bool enable) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  wg_profile_free(ex);
  if (!enable) return WASMGRAPH_OK;
  size_t n = (size_t)(ex->num_calls ? ex->num_calls : 1);
  ex->prof_total_ns = calloc(n, sizeof *ex->prof_total_ns);
  ex->prof_run_ns = calloc(n, sizeof *ex->prof_run_ns);
  if (!ex->prof_total_ns || !ex->prof_run_ns) {
    wg_profile_free(ex);
    return wg_fail(ex, WASMGRAPH_ERR_NO_MEMORY, "out of memory for the profile");
  }
  return WASMGRAPH_OK;
}

int wasmgraph_executor_profile_runs(const wasmgraph_executor *ex) {
  return ex && ex->prof_total_ns ? (int)ex->prof_runs : -1;
}

int wasmgraph_executor_num_profiled_nodes(const wasmgraph_executor *ex) {
  return ex && ex->prof_total_ns ? ex->num_calls : -1;
}

wasmgraph_status wasmgraph_executor_node_profile(const wasmgraph_executor *ex, int index,
                                                 wasmgraph_node_profile *out) {
  if (!ex || !out || !ex->prof_total_ns || index < 0 || index >= ex->num_calls)
    return WASMGRAPH_ERR_INVALID_ARGUMENT;
  const wg_call *call = &ex->calls[index];
  const graph_node *node = &ex->model->plan.nodes[call->node];
  memset(out, 0, sizeof *out);
  out->node = call->node;
  out->name = node->name;
  out->kernel = node->func_name ? node->func_name : "";
  out->total_ms = (double)ex->prof_total_ns[index] / 1e6;
  return WASMGRAPH_OK;
}
