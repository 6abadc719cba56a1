/*
 * sandbox_cases.h — the hostile-module cases shared by the API test, the
 * concurrency test and the CLI test (tests/sandbox).
 */
#ifndef SANDBOX_CASES_H_
#define SANDBOX_CASES_H_

#include <stdbool.h>
#include <stddef.h>

#include "wasmgraph.h"

/* Flags of a run-time case. */
enum {
  SB_NO_REUSE = 1u,      /* the kernel always fails: no good path to rerun */
  SB_COPY_GRAPH = 2u,    /* graph is x -> kernel -> __copy -> output */
  SB_STABLE_OUTPUT = 4u, /* the output must not change after run() returned */
  SB_DATA_RESTORE = 8u   /* reuse needs the module's static data restored */
};

/* One hostile kernel run on an executor with `threads` threads (0: run the
 * case with 1 and with 2 threads). The hostile input is all zeros; the good
 * input {1, 2, 3, 4} must give {3, 5, 7, 9}. */
typedef struct sandbox_case {
  const char *name;   /* graph node is "op_<name>" */
  const char *kernel; /* func_name */
  int threads;
  wasmgraph_status status;
  wasmgraph_trap_kind trap;
  const char *text; /* must occur in the message besides node, kernel, trap */
  int code;         /* kernel return code for WASMGRAPH_ERR_KERNEL */
  unsigned flags;
} sandbox_case;

/* A module or graph that executor creation must refuse. */
typedef struct sandbox_create_case {
  const char *name;
  const char *module; /* file name of the .so next to hostile.so */
  const char *kernel; /* func_name of the graph's one node */
  wasmgraph_status status;
  const char *text;
} sandbox_create_case;

extern const sandbox_case sb_cases[];
extern const size_t sb_num_cases;
extern const sandbox_create_case sb_create_cases[];
extern const size_t sb_num_create_cases;

/* Good input and the output the good path must produce for it. */
extern const float sb_good_input[4];
extern const float sb_good_output[4];

/* The message prefix every run-time failure must carry, e.g.
 * "node 1 'op_div_zero' (kernel sandbox_div_zero) trapped: integer divide by zero"
 * or "node 1 'op_x' (kernel k) failed with code -1: ". */
void sb_expected_prefix(const sandbox_case *c, char *buf, size_t size);

/* Writes DIR/<name>.json (graph), DIR/empty.params and DIR/x_good.npy.
 * Return 0 on success; on failure print why on stderr and return -1. */
int sb_write_graph(const char *dir, const char *name, const char *kernel, bool copy_graph);
int sb_write_common_files(const char *dir);

/* "DIR/NAME" into buf. */
void sb_path(char *buf, size_t size, const char *dir, const char *name);

#endif
