/*
 * sandbox_cases.c — the table of hostile behaviours and the files each case
 * needs (graph.json, an empty params file, a good input .npy).
 *
 * Every row names one kernel of modules/hostile.wat and what the runtime must
 * report when that kernel runs on the all-zero input: the exact status, the
 * trap kind, and a piece of the message. The texts are the runtime's own
 * (runtime/executor.c, host_tvm_api.c, host_guest_access.c, host_libc.c,
 * host_sort.c, parallel.c); a change there must show up here. The same
 * table drives the API test, the CLI test (through sandbox_cli_cases) and
 * picks the traps of the concurrency test, so the three can never disagree.
 *
 * Graphs are the smallest TVM graph.json with one input x float32[4], one
 * tvm_op node "op_<case>" and one output (optionally followed by a __copy
 * node). Params are an empty TVM param list (magic, reserved, 0 names,
 * 0 tensors).
 */
#include "../test_write_file.h"
#include "sandbox_cases.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TRAP(name, kernel, threads, kind, text, flags) \
  { name, kernel, threads, WASMGRAPH_ERR_TRAP, WASMGRAPH_TRAP_##kind, text, 0, flags }
#define KERNEL(name, kernel, threads, code, text, flags) \
  { name, kernel, threads, WASMGRAPH_ERR_KERNEL, WASMGRAPH_TRAP_NONE, text, code, flags }
#define OK(name, kernel, threads, flags) \
  { name, kernel, threads, WASMGRAPH_OK, WASMGRAPH_TRAP_NONE, "", 0, flags }

const sandbox_case sb_cases[] = {
    /* memory */
    TRAP("oob_load_end", "sandbox_oob_load_end", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_straddle", "sandbox_oob_load_straddle", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_store_end", "sandbox_oob_store_end", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_max", "sandbox_oob_load_max", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_max_offset", "sandbox_oob_load_max_offset", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_dropped", "sandbox_oob_load_dropped", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_times_zero", "sandbox_oob_load_times_zero", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_dead_local", "sandbox_oob_load_dead_local", 0, OUT_OF_BOUNDS, "", 0),
    TRAP("oob_load_self_sub", "sandbox_oob_load_self_sub", 0, OUT_OF_BOUNDS, "", 0),
    /* arithmetic */
    TRAP("div_zero", "sandbox_div_zero", 0, DIVIDE_BY_ZERO, "", 0),
    TRAP("div_overflow", "sandbox_div_overflow", 0, INTEGER_OVERFLOW, "", 0),
    TRAP("rem_zero", "sandbox_rem_zero", 0, DIVIDE_BY_ZERO, "", 0),
    TRAP("trunc_nan", "sandbox_trunc_nan", 0, INVALID_CONVERSION, "", 0),
    TRAP("trunc_overflow", "sandbox_trunc_overflow", 0, INTEGER_OVERFLOW, "", 0),
    TRAP("unreachable", "sandbox_unreachable", 0, UNREACHABLE, "", 0),
    /* indirect calls */
    TRAP("call_null", "sandbox_call_null", 0, INDIRECT_CALL, "", 0),
    TRAP("call_oob_index", "sandbox_call_oob_index", 0, INDIRECT_CALL, "", 0),
    TRAP("call_bad_sig", "sandbox_call_bad_sig", 0, INDIRECT_CALL, "", 0),
    TRAP("ghost", "sandbox_ghost", 0, INDIRECT_CALL, "", SB_NO_REUSE),
    TRAP("lambda_as_kernel", "sandbox_lambda_as_kernel", 0, INDIRECT_CALL, "", SB_NO_REUSE),
    /* stacks */
    TRAP("recursion", "sandbox_recursion", 0, STACK_EXHAUSTED, "", 0),
    TRAP("shadow_stack", "sandbox_shadow_stack", 0, OUT_OF_BOUNDS, "", 0),
    /* wild pointers and lengths handed to host imports */
    TRAP("seterr_wild", "sandbox_seterr_wild", 0, OUT_OF_BOUNDS,
         "TVMAPISetLastError: string pointer 0xfffffff0 is outside linear memory", 0),
    TRAP("seterr_unterminated", "sandbox_seterr_unterminated", 0, OUT_OF_BOUNDS,
         "runs past the end of linear memory", 0),
    TRAP("free_wild", "sandbox_free_wild", 0, OUT_OF_BOUNDS,
         "TVMBackendFreeWorkspace: 0xdead is not the most recent workspace block", 0),
    TRAP("free_twice", "sandbox_free_twice", 0, OUT_OF_BOUNDS,
         "is not the most recent workspace block", 0),
    TRAP("launch_bad_index", "sandbox_launch_bad_index", 0, INDIRECT_CALL, "", 0),
    TRAP("launch_bad_sig", "sandbox_launch_bad_sig", 0, INDIRECT_CALL, "", 0),
    TRAP("memcpy_oob", "sandbox_memcpy_oob", 0, OUT_OF_BOUNDS, "memcpy destination: guest range",
         0),
    TRAP("memcpy_huge", "sandbox_memcpy_huge", 0, OUT_OF_BOUNDS,
         ", +4294967295) is outside linear memory", 0),
    TRAP("memset_huge", "sandbox_memset_huge", 0, OUT_OF_BOUNDS, "memset: guest range", 0),
    TRAP("memmove_oob", "sandbox_memmove_oob", 0, OUT_OF_BOUNDS,
         "memmove source: guest range [0xfffffff0, +32) is outside linear memory", 0),
    TRAP("getfunc_bad_out", "sandbox_getfunc_bad_out", 0, OUT_OF_BOUNDS,
         "TVMBackendGetFuncFromEnv out: guest range [0xfffffffe, +4)", 0),
    TRAP("getfunc_bad_name", "sandbox_getfunc_bad_name", 0, OUT_OF_BOUNDS,
         "TVMBackendGetFuncFromEnv: string pointer 0xfffffff0", 0),
    KERNEL("funccall_bad_handle", "sandbox_funccall_bad_handle", 0, -1,
           "TVMFuncCall: invalid function handle 74565", 0),
    TRAP("sort_wild_args", "sandbox_sort_wild_args", 0, OUT_OF_BOUNDS,
         "sort type codes: guest range [0xfffffff0, +16)", 0),
    TRAP("sort_wild_data", "sandbox_sort_wild_data", 0, OUT_OF_BOUNDS,
         "sort tensor data: guest range [0xffffff00, +4000)", 0),
    TRAP("barrier_bad_penv", "sandbox_barrier_bad_penv", 0, OUT_OF_BOUNDS,
         "TVMBackendParallelBarrier penv: guest range [0xfffffffc, +8)", 0),
    /* workspace */
    KERNEL("workspace_huge", "sandbox_workspace_huge", 0, -1,
           "TVMBackendAllocWorkspace: cannot allocate 1099511627776 bytes", 0),
    OK("workspace_leak", "sandbox_workspace_leak", 0, 0),
    /* parallel lambdas: serial with 1 thread, on the pool with 2 */
    KERNEL("lambda_error", "sandbox_lambda_error", 1, -1,
           "parallel task 0 of 1 failed: sandbox lambda refused its task", 0),
    KERNEL("lambda_error", "sandbox_lambda_error", 2, -1,
           "parallel task 0 of 2 failed: sandbox lambda refused its task", 0),
    TRAP("lambda_trap", "sandbox_lambda_trap", 1, UNREACHABLE, "", 0),
    TRAP("lambda_trap", "sandbox_lambda_trap", 2, UNREACHABLE,
         "in parallel task 1 of 2: Unreachable instruction executed", 0),
    TRAP("lambda_oob", "sandbox_lambda_oob", 1, OUT_OF_BOUNDS, "", 0),
    TRAP("lambda_oob", "sandbox_lambda_oob", 2, OUT_OF_BOUNDS,
         "in parallel task 1 of 2: Out-of-bounds access", 0),
    TRAP("lambda_recursion", "sandbox_lambda_recursion", 1, STACK_EXHAUSTED, "", 0),
    TRAP("lambda_recursion", "sandbox_lambda_recursion", 2, STACK_EXHAUSTED,
         "in parallel task 1 of 2: Call stack exhausted", 0),
    OK("nested_launch", "sandbox_nested_launch", 0, SB_STABLE_OUTPUT),
    /* a lambda's shadow stack overflowing into the tensors below it */
    TRAP("lambda_shadow_stack", "sandbox_lambda_shadow_stack", 0, OUT_OF_BOUNDS, "", 0),
    /* kernel errors */
    KERNEL("assert_fail", "sandbox_assert_fail", 0, -1,
           "Assert fail: x.ndim == 7, sandbox: argument x has the wrong rank", 0),
    KERNEL("return_code", "sandbox_return_code", 0, 42, "(the kernel gave no message)", 0),
    /* state the runtime must restore before the next run */
    KERNEL("clobber_metadata", "sandbox_clobber_metadata", 0, -1,
           "Assert fail: sandbox clobbered its tensor descriptors", 0),
    KERNEL("clobber_data", "sandbox_clobber_data", 0, -1,
           "Assert fail: sandbox clobbered its static data", SB_DATA_RESTORE),
    KERNEL("memset_all", "sandbox_memset_all", 0, -1, "(the kernel gave no message)",
           SB_DATA_RESTORE),
    OK("grow_memory", "sandbox_grow_memory", 0, SB_COPY_GRAPH),
};
const size_t sb_num_cases = sizeof sb_cases / sizeof sb_cases[0];

const sandbox_create_case sb_create_cases[] = {
    {"ctor_trap", "ctor_trap.so", "sandbox_good", WASMGRAPH_ERR_TRAP,
     "module 'sandbox_ctor_trap' trapped while running its constructors: unreachable executed"},
    {"ctor_wild_name", "ctor_wild_name.so", "sandbox_good", WASMGRAPH_ERR_TRAP,
     "module 'sandbox_ctor_wild_name' trapped while running its constructors: out-of-bounds "
     "memory access: TVMBackendRegisterSystemLibSymbol: string pointer 0xfffffff0 is outside "
     "linear memory"},
    {"unregistered", "hostile.so", "sandbox_not_registered", WASMGRAPH_ERR_NOT_FOUND,
     "calls kernel 'sandbox_not_registered', which module 'sandbox_hostile' does not register"},
};
const size_t sb_num_create_cases = sizeof sb_create_cases / sizeof sb_create_cases[0];

const float sb_good_input[4] = {1.0f, 2.0f, 3.0f, 4.0f};
const float sb_good_output[4] = {3.0f, 5.0f, 7.0f, 9.0f};

void sb_expected_prefix(const sandbox_case *c, char *buf, size_t size) {
  if (c->status == WASMGRAPH_ERR_TRAP)
    snprintf(buf, size, "node 1 'op_%s' (kernel %s) trapped: %s", c->name, c->kernel,
             wasmgraph_trap_string(c->trap));
  else if (c->status == WASMGRAPH_ERR_KERNEL)
    snprintf(buf, size, "node 1 'op_%s' (kernel %s) failed with code %d: ", c->name, c->kernel,
             c->code);
  else snprintf(buf, size, "%s", "");
}

void sb_path(char *buf, size_t size, const char *dir, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
}

int sb_write_graph(const char *dir, const char *name, const char *kernel, bool copy_graph) {
  char json[2048], path[1024], file[256];
  if (copy_graph)
    snprintf(json, sizeof json,
             "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},\n"
             " {\"op\": \"tvm_op\", \"name\": \"op_%s\", \"attrs\": {\"num_inputs\": \"1\",\n"
             "  \"num_outputs\": \"1\", \"flatten_data\": \"0\", \"func_name\": \"%s\"},\n"
             "  \"inputs\": [[0, 0, 0]]},\n"
             " {\"op\": \"tvm_op\", \"name\": \"copy\", \"attrs\": {\"num_inputs\": \"1\",\n"
             "  \"num_outputs\": \"1\", \"flatten_data\": \"0\", \"func_name\": \"__copy\"},\n"
             "  \"inputs\": [[1, 0, 0]]}],\n"
             " \"arg_nodes\": [0], \"heads\": [[2, 0, 0]], \"node_row_ptr\": [0, 1, 2, 3],\n"
             " \"attrs\": {\"dltype\": [\"list_str\", [\"float32\", \"float32\", \"float32\"]],\n"
             "  \"shape\": [\"list_shape\", [[4], [4], [4]]],\n"
             "  \"storage_id\": [\"list_int\", [0, 1, 2]]}}\n",
             name, kernel);
  else
    snprintf(json, sizeof json,
             "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},\n"
             " {\"op\": \"tvm_op\", \"name\": \"op_%s\", \"attrs\": {\"num_inputs\": \"1\",\n"
             "  \"num_outputs\": \"1\", \"flatten_data\": \"0\", \"func_name\": \"%s\"},\n"
             "  \"inputs\": [[0, 0, 0]]}],\n"
             " \"arg_nodes\": [0], \"heads\": [[1, 0, 0]], \"node_row_ptr\": [0, 1, 2],\n"
             " \"attrs\": {\"dltype\": [\"list_str\", [\"float32\", \"float32\"]],\n"
             "  \"shape\": [\"list_shape\", [[4], [4]]],\n"
             "  \"storage_id\": [\"list_int\", [0, 1]]}}\n",
             name, kernel);
  snprintf(file, sizeof file, "%s.json", name);
  sb_path(path, sizeof path, dir, file);
  return test_write_file("sandbox", path, json, strlen(json));
}

static void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int sb_write_common_files(const char *dir) {
  char path[1024];
  /* TVM param list: kTVMNDArrayListMagic, reserved, 0 names, 0 tensors */
  uint8_t params[32];
  put_u64(params, 0xF7E58D4F05049CB7ull);
  put_u64(params + 8, 0);
  put_u64(params + 16, 0);
  put_u64(params + 24, 0);
  sb_path(path, sizeof path, dir, "empty.params");
  if (test_write_file("sandbox", path, params, sizeof params) != 0) return -1;

  /* .npy 1.0 of float32 (4,): 128-byte preamble as NumPy writes it */
  uint8_t npy[128 + sizeof sb_good_input];
  const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  memset(npy, ' ', 128);
  memcpy(npy, "\x93NUMPY\x01\x00", 8);
  npy[8] = 118;
  npy[9] = 0;
  memcpy(npy + 10, dict, strlen(dict));
  npy[127] = '\n';
  for (int i = 0; i < 4; i++) {
    uint32_t bits;
    memcpy(&bits, &sb_good_input[i], 4);
    for (int b = 0; b < 4; b++) npy[128 + 4 * i + b] = (uint8_t)(bits >> (8 * b));
  }
  sb_path(path, sizeof path, dir, "x_good.npy");
  return test_write_file("sandbox", path, npy, sizeof npy);
}
