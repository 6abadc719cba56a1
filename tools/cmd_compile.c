/*
 * cmd_compile.c — `wasmgraph compile`: parses the command line with
 * getopt_long and hands everything to wasmgraph_compile() (compiler/).
 *
 * Usage errors (unknown flag, missing INPUT or -o, unknown OUTPUT
 * extension, bad NAME or -O level) print one line plus "Try 'wasmgraph
 * compile --help'." and exit 2; translation failures print
 * "wasmgraph: <file>: <reason>" and exit 1. `--embed` takes two arguments:
 * getopt gives the first, the second is taken from argv[optind]; glibc's
 * permutation then treats it as part of the option.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "wasmgraph_compiler.h"

static const char k_compile_usage[] =
    "usage: wasmgraph compile INPUT -o OUTPUT [options]\n"
    "\n"
    "  Translate a TVM WebAssembly graph library into sandboxed native code that the\n"
    "  wasmgraph runtime loads. INPUT is recognised by its content:\n"
    "    - a wasm32 relocatable object (TVM's graph.o),\n"
    "    - an ar archive of such objects (e.g. libgraph_wasm32.a),\n"
    "    - an already linked .wasm module,\n"
    "    - a folder holding graph.o (or lib/graph.o or wasm32/graph.o), graph.json\n"
    "      and graph.params; its graph.json and params are embedded as if --embed\n"
    "      were given.\n"
    "    - a model package: TVM's Model Library Format tar, or a tvmc package tar\n"
    "      (mod.json, mod.params, lib); graph and params are embedded likewise.\n"
    "  The extension of OUTPUT picks what is written:\n"
    "    .so    shared object for `wasmgraph run` (also exports wasmgraph_module_entry)\n"
    "    .o     one relocatable object\n"
    "    .a     static library\n"
    "    .c     C for your own compiler: OUTPUT (the descriptor) plus NAME_w2c.c,\n"
    "           NAME_w2c.h, NAME.h and, when embedding, NAME_data.c next to it\n"
    "    .wasm  the linked and checked module only (for V8 or wasm-interp)\n"
    "  Native outputs define `const wasmgraph_module_desc *NAME_wasmgraph_module(void)`.\n"
    "\n"
    "examples:\n"
    "  # a model folder to a shared object for `wasmgraph run`\n"
    "  $ wasmgraph compile resnet18/ -o resnet18.so\n"
    "\n"
    "  # TVM's object to a static library with graph.json and params inside\n"
    "  $ wasmgraph compile graph.o -o libmlp.a --embed graph.json graph.params\n"
    "\n"
    "  # C sources (mlp.c, mlp_w2c.c, mlp_w2c.h, mlp.h) for another build system\n"
    "  $ wasmgraph compile graph.o -o mlp.c\n"
    "\n"
    "  # cross-compile for 64-bit Arm (C headers from Debian's gcc-aarch64-linux-gnu)\n"
    "  $ wasmgraph compile graph.o -o mlp.o --target aarch64-linux-gnu --cpu cortex-a72\n"
    "\n"
    "options:\n"
    "  -o, --output=OUTPUT       the file to write (required; .so, .o, .a, .c or .wasm)\n"
    "  -n, --name=NAME           C identifier that prefixes every generated symbol;\n"
    "                            default: OUTPUT's file name without its extension\n"
    "                            (and without a \"lib\" prefix for .a and .so)\n"
    "  -O0, -O1, -O2, -O3        clang optimisation level (default: -O2)\n"
    "      --target=TRIPLE       target triple, e.g. aarch64-linux-gnu (default: the host)\n"
    "      --cpu=CPU             CPU to tune for, passed as -march (x86) or -mcpu (others);\n"
    "                            default: native for the host, generic for other targets\n"
    "      --embed GRAPH.json PARAMS\n"
    "                            embed graph.json and the params file in the output\n"
    "      --save-temps          keep the temporary directory (the C, the bitcode, the\n"
    "                            objects) and print its path\n"
    "      --disable-pass=P[,P]  skip these passes of the LLVM pipeline (same results)\n"
    "      --dump-ir-after=P[,P] write the LLVM IR after these passes (or all) into the\n"
    "                            temporary directory, keep it and print each file\n"
    "      --list-passes         print the LLVM pipeline (-O2 and above), in order, and exit\n"
    "      --fp-contract=off|fast\n"
    "                            fast: fuse a multiply and the add using it into one FMA\n"
    "                            (one rounding) where the CPU has FMA. Faster, but results\n"
    "                            differ from wasm's in the last bits: it leaves exact wasm\n"
    "                            semantics (memory safety is unchanged). Default: off\n"
    "  -v, --verbose             print every command run (wasm-ld, wasm2c, clang) to stderr\n"
    "  -h, --help                print this help and exit\n"
    "\n"
    "tools, looked up on PATH: wasm-ld (Debian package lld), node (nodejs), clang (clang)\n"
    "and, for .a outputs, llvm-ar (llvm) or ar. wasm2c is wabt 1.0.39's script from npm:\n"
    "$WASMGRAPH_WASM2C if set, else the copy found at build or install time.\n"
    "WASMGRAPH_NO_TILE_VECTORIZE=1 turns off the kernel-shape passes (tile vectorizer,\n"
    "v128 pairing, splat windows, address folding, int dot) and the conversion\n"
    "rewrite: same results, slower; for comparisons.\n"
    "\n"
    "exit status: 0 success, 1 failure, 2 usage error.\n";

enum {
  OPT_TARGET = 256,
  OPT_CPU,
  OPT_EMBED,
  OPT_SAVE_TEMPS,
  OPT_DISABLE_PASS,
  OPT_DUMP_IR_AFTER,
  OPT_LIST_PASSES,
  OPT_FP_CONTRACT
};

static int usage_error(const char *fmt, const char *arg) {
  fputs("wasmgraph compile: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry 'wasmgraph compile --help'.\n", stderr);
  return 2;
}

/* --list-passes: one line per pass, "NAME  what it does". */
static int list_passes(void) {
  const char *what;
  for (size_t i = 0; wasmgraph_compile_pass(i, &what); i++)
    printf("%-15s %s\n", wasmgraph_compile_pass(i, NULL), what);
  return 0;
}

static void log_line(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "%s\n", line);
}

int wasmgraph_cmd_compile(int argc, char **argv) {
  static const struct option longopts[] = {
      {"output", required_argument, NULL, 'o'},
      {"name", required_argument, NULL, 'n'},
      {"target", required_argument, NULL, OPT_TARGET},
      {"cpu", required_argument, NULL, OPT_CPU},
      {"embed", required_argument, NULL, OPT_EMBED},
      {"save-temps", no_argument, NULL, OPT_SAVE_TEMPS},
      {"disable-pass", required_argument, NULL, OPT_DISABLE_PASS},
      {"dump-ir-after", required_argument, NULL, OPT_DUMP_IR_AFTER},
      {"list-passes", no_argument, NULL, OPT_LIST_PASSES},
      {"fp-contract", required_argument, NULL, OPT_FP_CONTRACT},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  wasmgraph_compile_options o;
  wasmgraph_compile_options_init(&o);
  const char *no_tiles = getenv("WASMGRAPH_NO_TILE_VECTORIZE");
  o.no_tile_vectorize = no_tiles && strcmp(no_tiles, "1") == 0;
  o.log = log_line;
  optind = 0; /* glibc: full reset, argv[0] is the sub-command name */
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":o:n:O:vh", longopts, NULL)) != -1) {
    switch (c) {
      case 'o':
        o.output = optarg;
        break;
      case 'n':
        o.name = optarg;
        break;
      case 'O':
        if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3')
          return usage_error("invalid optimisation level '-O%s' (use -O0, -O1, -O2 or -O3)",
                             optarg);
        o.opt_level = optarg[0] - '0';
        break;
      case OPT_TARGET:
        o.target = optarg;
        break;
      case OPT_CPU:
        o.cpu = optarg;
        break;
      case OPT_EMBED:
        if (optind >= argc || argv[optind][0] == '-')
          return usage_error("%s", "--embed needs two arguments: GRAPH.json PARAMS");
        o.embed_graph = optarg;
        o.embed_params = argv[optind++];
        break;
      case OPT_SAVE_TEMPS:
        o.save_temps = true;
        break;
      case OPT_DISABLE_PASS:
        o.disable_passes = optarg;
        break;
      case OPT_DUMP_IR_AFTER:
        o.dump_ir_after = optarg;
        break;
      case OPT_LIST_PASSES:
        return list_passes();
      case OPT_FP_CONTRACT:
        if (strcmp(optarg, "off") == 0) o.fp_contract = WASMGRAPH_FP_CONTRACT_OFF;
        else if (strcmp(optarg, "fast") == 0) o.fp_contract = WASMGRAPH_FP_CONTRACT_FAST;
        else return usage_error("invalid --fp-contract '%s' (use off or fast)", optarg);
        break;
      case 'v':
        o.verbose++;
        break;
      case 'h':
        fputs(k_compile_usage, stdout);
        return 0;
      case ':':
        if (optopt == 'O') return usage_error("%s", "-O needs a level: -O0, -O1, -O2 or -O3");
        return usage_error("option '%s' needs an argument", argv[optind - 1]);
      default: {
        char shortopt[3] = {'-', (char)optopt, 0};
        return usage_error("unknown option '%s'", optopt ? shortopt : argv[optind - 1]);
      }
    }
  }
  if (optind >= argc) return usage_error("%s", "missing INPUT");
  if (argc - optind > 1) return usage_error("unexpected argument '%s'", argv[optind + 1]);
  o.input = argv[optind];
  if (!o.output) return usage_error("%s", "missing -o OUTPUT");
  if (wasmgraph_output_kind_from_path(o.output) == WASMGRAPH_OUTPUT_UNKNOWN)
    return usage_error(
        "cannot tell what to write from '%s': OUTPUT must end in .so, .o, .a, "
        ".c or .wasm",
        o.output);
  if (o.name && !wasmgraph_name_is_valid(o.name))
    return usage_error(
        "invalid --name '%s': NAME must be a C identifier of at most 64 "
        "characters",
        o.name);

  char err[1024];
  if (wasmgraph_compile(&o, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "wasmgraph: %s\n", err);
    return 1;
  }
  return 0;
}
