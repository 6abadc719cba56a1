/* replay_params.c — fuzz_params.c compiled as fuzz_params_one for fuzz_replay
 * (see fuzz_target.h). */
#define LLVMFuzzerTestOneInput fuzz_params_one
#include "fuzz_params.c"
