/* replay_graph_json.c — fuzz_graph_json.c compiled as fuzz_graph_json_one for fuzz_replay
 * (see fuzz_target.h). */
#define LLVMFuzzerTestOneInput fuzz_graph_json_one
#include "fuzz_graph_json.c"
