/*
 * jam_prep.h — two exact reshapings that let the channel jam
 * (channel_jam.c) read kernels it would otherwise refuse (jam_prep.c says
 * which and why they change nothing the program computes).
 */
#ifndef WASMGRAPH_JAM_PREP_H_
#define WASMGRAPH_JAM_PREP_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

/* Turns every loop of `fn` within the blocks `in` that leaves from its
 * header into one that leaves from its latch, followed by a copy of the
 * header for its last run. Returns how many loops it changed; *oom is set
 * when memory ran out. */
unsigned wgc_jam_peel_header_exits(LLVMValueRef fn, LLVMBasicBlockRef const *in, unsigned nin,
                                   bool *oom);

/* If block `h`, the header of the loop of blocks `in`, clears a fixed span
 * of linear memory at an address from before the loop with llvm.memset (the
 * inline memset of wasm-rt.h's WG_MEMSET) and ends in an unconditional
 * branch, the memset becomes 16-byte zero stores in a new block between h
 * and its successor. Returns whether it did. */
bool wgc_jam_split_memset(LLVMValueRef fn, LLVMBasicBlockRef h, LLVMBasicBlockRef const *in,
                          unsigned nin);

/* If the loop with latch e and header h allocates a workspace block at the
 * top of h and frees it at the end of every run (TVMBackendAllocWorkspace /
 * TVMBackendFreeWorkspace with the same arguments each time, nothing else
 * that reaches the host in between), the block is allocated once before
 * the loop and freed once after it (jam_prep.c says why that is the same
 * under the runtime's arena). Returns whether it did. */
bool wgc_jam_hoist_workspace(LLVMValueRef fn, LLVMBasicBlockRef e, LLVMBasicBlockRef h);

#endif
