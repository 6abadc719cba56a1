/* replay_tar.c — fuzz_tar.c compiled as fuzz_tar_one for fuzz_replay (see
 * fuzz_target.h). */
#define LLVMFuzzerTestOneInput fuzz_tar_one
#include "fuzz_tar.c"
