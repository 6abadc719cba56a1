/* replay_wasm_reader.c — fuzz_wasm_reader.c compiled as fuzz_wasm_reader_one
 * for fuzz_replay (see fuzz_target.h). */
#define LLVMFuzzerTestOneInput fuzz_wasm_reader_one
#include "fuzz_wasm_reader.c"
