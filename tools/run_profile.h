/*
 * run_profile.h — `wasmgraph run --profile`: the executor's per-node times
 * as a table (like TVM's debug executor) or as JSON.
 */
#ifndef WASMGRAPH_RUN_PROFILE_H_
#define WASMGRAPH_RUN_PROFILE_H_

#include <json-c/json.h>
#include <stdio.h>

#include "wasmgraph.h"

/* The nodes sorted by time, each with its kernel, time per run and share of
 * the sum; then the sum against the runs' median. 0, or 1 if out of memory
 * (said on stderr). */
int wasmgraph_cli_print_profile(FILE *out, const wasmgraph_executor *ex, double median_ms);

/* The same as a JSON array of {node, name, kernel, ms_per_run, share}, in
 * run order; NULL if profiling is off or out of memory. */
json_object *wasmgraph_cli_profile_json(const wasmgraph_executor *ex);

#endif
