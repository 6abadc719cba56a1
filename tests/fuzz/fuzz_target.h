/*
 * fuzz_target.h — shared by the libFuzzer targets and fuzz_replay.
 *
 * Each fuzz_<parser>.c defines LLVMFuzzerTestOneInput. fuzz_replay compiles
 * each of them once more under a different name (replay_<parser>.c defines
 * LLVMFuzzerTestOneInput to fuzz_<parser>_one before including the source),
 * so one plain executable can replay every corpus without libFuzzer.
 * FUZZ_REQUIRE checks an invariant the executor relies on; breaking one is a
 * bug the fuzzer must report, so it aborts (test code, not library code).
 */
#ifndef WASMGRAPH_FUZZ_TARGET_H_
#define WASMGRAPH_FUZZ_TARGET_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int fuzz_graph_json_one(const uint8_t *data, size_t size);
int fuzz_params_one(const uint8_t *data, size_t size);
int fuzz_npy_one(const uint8_t *data, size_t size);
int fuzz_wasm_reader_one(const uint8_t *data, size_t size);
int fuzz_tar_one(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond)                                                           \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                       \
    }                                                                                \
  } while (0)

#endif
