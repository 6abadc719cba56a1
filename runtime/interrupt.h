/*
 * interrupt.h — stopping a run: the executor's stop word, the deadline
 * watchdog (interrupt.c).
 */
#ifndef WASMGRAPH_INTERRUPT_H_
#define WASMGRAPH_INTERRUPT_H_

#include "runtime_internal.h"

/* Bits of the stop word (wasmgraph_executor.stop_word). Generated code
 * polls WG_STOP (== WASM_RT_INTERRUPT_BIT); the rest is the runtime's. */
#define WG_STOP 1u          /* guest code traps at its next check */
#define WG_STOP_DEADLINE 2u /* ... because the deadline passed */
#define WG_RUNNING 4u       /* a run is in progress */
#define WG_EPOCH_STEP 8u    /* bits 3..31 count runs */

/* Points the executor's memory at its stop word. Before any guest code. */
void wg_stop_init(struct wasmgraph_executor *ex);

/* A run starts: a new epoch, WG_RUNNING, and the deadline armed if one is
 * set. WASMGRAPH_ERR_NO_MEMORY (message in ex) if the watchdog thread
 * cannot start. */
wasmgraph_status wg_run_begin(struct wasmgraph_executor *ex);

/* The run ended: clears the word and disarms the deadline; returns the
 * word as the run left it (WG_STOP and WG_STOP_DEADLINE say whether and why
 * it was asked to stop). */
uint32_t wg_run_end(struct wasmgraph_executor *ex);

/* Stops and joins the watchdog thread, if it was started. */
void wg_watchdog_destroy(struct wasmgraph_executor *ex);

#endif
