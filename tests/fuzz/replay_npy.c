/* replay_npy.c — fuzz_npy.c compiled as fuzz_npy_one for fuzz_replay
 * (see fuzz_target.h). */
#define LLVMFuzzerTestOneInput fuzz_npy_one
#include "fuzz_npy.c"
