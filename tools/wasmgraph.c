/*
 * wasmgraph.c — the CLI entry point: global options and sub-command dispatch
 * (`wasmgraph compile | run | inspect`). Each sub-command parses its own
 * options with getopt_long; exit codes are 0 ok, 1 failure, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "wasmgraph.h"

static const char k_usage[] =
    "usage: wasmgraph <command> [options]\n"
    "\n"
    "Translate TVM WebAssembly graph libraries to sandboxed native code and run them.\n"
    "\n"
    "commands:\n"
    "  compile   translate graph.o / an archive / a linked .wasm / a model folder\n"
    "            or package tar into a .so, .o, .a or .c (wasmgraph compile --help)\n"
    "  run       run a compiled model on .npy inputs (wasmgraph run --help)\n"
    "  inspect   show a graph library's kernels, imports, memory and graph I/O\n"
    "            (wasmgraph inspect --help)\n"
    "\n"
    "options:\n"
    "  -h, --help      print this help and exit\n"
    "      --version   print version and build configuration and exit\n"
    "\n"
    "exit status: 0 success, 1 failure (bad input, compile error, kernel error or trap),\n"
    "2 usage error.\n";

static void print_version(void) {
  printf("wasmgraph %s\n", wasmgraph_version());
  printf("memory mode: %s\n", wasmgraph_memory_mode());
  printf("module ABI: %u\n", WASMGRAPH_MODULE_ABI_VERSION);
  printf("translator: wabt wasm2c 1.0.39 (npm package wabt, run with node), SIMD via SIMDe\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "wasmgraph: missing command\nTry 'wasmgraph --help'.\n");
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    fputs(k_usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    print_version();
    return 0;
  }
  if (strcmp(cmd, "compile") == 0) return wasmgraph_cmd_compile(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0) return wasmgraph_cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "inspect") == 0) return wasmgraph_cmd_inspect(argc - 1, argv + 1);
  fprintf(stderr, "wasmgraph: unknown command '%s'\nTry 'wasmgraph --help'.\n", cmd);
  return 2;
}
