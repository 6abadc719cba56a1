/*
 * commands.h — the sub-commands of the wasmgraph CLI. Each takes the argv
 * that starts at the sub-command's name and returns the process exit code:
 * 0 success, 1 failure (bad input, compile error, kernel error, trap),
 * 2 usage error.
 */
#ifndef WASMGRAPH_COMMANDS_H_
#define WASMGRAPH_COMMANDS_H_

int wasmgraph_cmd_compile(int argc, char **argv);
int wasmgraph_cmd_run(int argc, char **argv);
int wasmgraph_cmd_inspect(int argc, char **argv);

#endif
