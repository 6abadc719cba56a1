/*
 * load_barriers.h — wasm2c's load keep-alive barriers around the optimizer
 * (load_barriers.c explains the rule and why it keeps every trap).
 */
#ifndef WASMGRAPH_LOAD_BARRIERS_H_
#define WASMGRAPH_LOAD_BARRIERS_H_

#include <llvm-c/Core.h>

/* Declares every barrier of m as touching only memory the program cannot
 * see (and as always returning), so the optimizer merges, forwards and folds
 * loads across it; the barrier still keeps its load alive. */
void wgc_barriers_mark(LLVMModuleRef m);

/* Removes the barriers whose load is anchored (every bit consumed, in its
 * block, by something that must run whenever the load does). Returns how
 * many were removed; *kept counts the others. */
unsigned wgc_barriers_prune(LLVMModuleRef m, unsigned *kept);

#endif
