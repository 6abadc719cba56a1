/*
 * sandbox_cli_cases.c — hands the case table of sandbox_cases.c to the CLI
 * test (sandbox_cli.sh), so that the shell script and the API test check the
 * very same expectations.
 *
 * usage: sandbox_cli_cases WORK_DIR
 * Writes every case's graph, empty.params and x_good.npy into WORK_DIR and
 * prints one line per CLI run, fields separated by the ASCII unit separator
 * 0x1f (never part of a message; unlike a tab it does not collapse when a
 * field is empty):
 *   name  module-file  graph-path  threads  exit-code  text-1  text-2
 * `wasmgraph run MODULE --graph GRAPH --params WORK_DIR/empty.params
 *  --fill zeros --threads N` must exit with exit-code and, when it is not 0,
 * print both texts on stderr.
 */
#include <stdio.h>

#include "sandbox_cases.h"

#define SEP "\x1f"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sandbox_cli_cases WORK_DIR\n");
    return 2;
  }
  const char *dir = argv[1];
  if (sb_write_common_files(dir) != 0) return 1;
  for (size_t i = 0; i < sb_num_cases; i++) {
    const sandbox_case *c = &sb_cases[i];
    if (sb_write_graph(dir, c->name, c->kernel, (c->flags & SB_COPY_GRAPH) != 0) != 0) return 1;
    char prefix[512];
    sb_expected_prefix(c, prefix, sizeof prefix);
    for (int threads = 1; threads <= 2; threads++) {
      if (c->threads && c->threads != threads) continue;
      printf("%s" SEP "hostile.so" SEP "%s/%s.json" SEP "%d" SEP "%d" SEP "%s" SEP "%s\n", c->name,
             dir, c->name, threads, c->status == WASMGRAPH_OK ? 0 : 1, prefix, c->text);
    }
  }
  for (size_t i = 0; i < sb_num_create_cases; i++) {
    const sandbox_create_case *c = &sb_create_cases[i];
    if (sb_write_graph(dir, c->name, c->kernel, false) != 0) return 1;
    printf("%s" SEP "%s" SEP "%s/%s.json" SEP "1" SEP "1" SEP "%s" SEP "\n", c->name, c->module,
           dir, c->name, c->text);
  }
  if (sb_write_graph(dir, "good", "sandbox_good", false) != 0) return 1;
  return 0;
}
