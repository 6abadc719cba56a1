/*
 * cmd_run.c — `wasmgraph run`: load a compiled model (.so), feed it .npy
 * inputs, run it, write the outputs as .npy and optionally time it.
 *
 * Inputs are checked against the graph (dtype and shape, with a message that
 * says exactly what differs) before anything runs. Timing covers only
 * wasmgraph_executor_run: inputs are written once, in place.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "npy.h"
#include "run_profile.h"
#include "wasmgraph.h"

static const char k_run_usage[] =
    "usage: wasmgraph run MODEL.so [options]\n"
    "\n"
    "Run a model compiled with `wasmgraph compile -o MODEL.so` on .npy inputs.\n"
    "\n"
    "examples:\n"
    "  wasmgraph run mnist.so -i data=digit.npy\n"
    "  wasmgraph run mnist.so --graph graph.json --params graph.params -i data=x.npy \\\n"
    "                --output-dir out/ --repeat 50 --json\n"
    "\n"
    "options:\n"
    "  -g, --graph FILE        graph.json (default: the copy embedded with --embed)\n"
    "  -p, --params FILE       graph.params (default: the embedded copy)\n"
    "  -i, --input NAME=FILE   an input as .npy; repeat for each graph input\n"
    "      --fill zeros|random fill inputs that were not given instead of failing\n"
    "  -o, --output-dir DIR    write output_0.npy, output_1.npy, ... into DIR\n"
    "  -r, --repeat N          run N timed runs after one warm-up run and print the\n"
    "                          median time per run on stderr\n"
    "  -t, --threads N         threads for parallel kernels (default: all cores)\n"
    "      --workspace-mb N    per-thread workspace arena in MiB (default 256)\n"
    "      --timeout-ms N      stop a run that takes longer than N ms (exit status 1)\n"
    "      --max-memory-mb N   cap the model's linear memory (tensors, stacks,\n"
    "                          workspaces) at N MiB; workspaces get what is left\n"
    "      --json              print a JSON summary on stdout\n"
    "      --profile           time every node of the timed runs (or of the one run) and\n"
    "                          print them by time with their kernel and share, as TVM's\n"
    "                          debug executor does (in the JSON summary with --json)\n"
    "  -q, --quiet             do not print the outputs' summary\n"
    "  -h, --help              print this help and exit\n"
    "\n"
    "exit status: 0 success, 1 bad input, kernel error or trap, 2 usage error.\n";

typedef struct {
  const char *name;
  const char *path;
} input_arg;

typedef struct {
  const char *model_path, *graph_path, *params_path, *output_dir, *fill;
  input_arg *inputs;
  int num_inputs;
  int repeat, threads;
  size_t workspace_mb, max_memory_mb;
  int timeout_ms;
  int json, quiet, profile;
} run_opts;

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "wasmgraph run: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'wasmgraph run --help'.\n");
  return 2;
}

static int parse_int(const char *s, int min, int max, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < min || v > max) return 0;
  *out = (int)v;
  return 1;
}

static int parse_args(int argc, char **argv, run_opts *o) {
  static const struct option longopts[] = {{"graph", required_argument, NULL, 'g'},
                                           {"params", required_argument, NULL, 'p'},
                                           {"input", required_argument, NULL, 'i'},
                                           {"fill", required_argument, NULL, 'F'},
                                           {"output-dir", required_argument, NULL, 'o'},
                                           {"repeat", required_argument, NULL, 'r'},
                                           {"threads", required_argument, NULL, 't'},
                                           {"workspace-mb", required_argument, NULL, 'W'},
                                           {"timeout-ms", required_argument, NULL, 'T'},
                                           {"max-memory-mb", required_argument, NULL, 'M'},
                                           {"json", no_argument, NULL, 'J'},
                                           {"profile", no_argument, NULL, 'P'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":g:p:i:o:r:t:qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'g':
        o->graph_path = optarg;
        break;
      case 'p':
        o->params_path = optarg;
        break;
      case 'i': {
        char *eq = strchr(optarg, '=');
        if (!eq || eq == optarg || eq[1] == '\0')
          return usage_error("--input takes NAME=FILE.npy, got '%s'", optarg);
        input_arg *grown = realloc(o->inputs, (size_t)(o->num_inputs + 1) * sizeof *grown);
        if (!grown) return usage_error("%s", "out of memory");
        o->inputs = grown;
        *eq = '\0';
        o->inputs[o->num_inputs].name = optarg;
        o->inputs[o->num_inputs].path = eq + 1;
        o->num_inputs++;
        break;
      }
      case 'F':
        if (strcmp(optarg, "zeros") != 0 && strcmp(optarg, "random") != 0)
          return usage_error("--fill takes zeros or random, not '%s'", optarg);
        o->fill = optarg;
        break;
      case 'o':
        o->output_dir = optarg;
        break;
      case 'r':
        if (!parse_int(optarg, 1, 1000000, &o->repeat))
          return usage_error("--repeat takes a positive count, not '%s'", optarg);
        break;
      case 't':
        if (!parse_int(optarg, 1, 64, &o->threads))
          return usage_error("--threads takes 1..64, not '%s'", optarg);
        break;
      case 'W': {
        int mb;
        if (!parse_int(optarg, 1, 4095, &mb))
          return usage_error("--workspace-mb takes 1..4095, not '%s'", optarg);
        o->workspace_mb = (size_t)mb;
        break;
      }
      case 'T':
        if (!parse_int(optarg, 1, 2147483647, &o->timeout_ms))
          return usage_error("--timeout-ms takes a positive number of milliseconds, not '%s'",
                             optarg);
        break;
      case 'M': {
        int mb;
        if (!parse_int(optarg, 1, 4096, &mb))
          return usage_error("--max-memory-mb takes 1..4096, not '%s'", optarg);
        o->max_memory_mb = (size_t)mb;
        break;
      }
      case 'J':
        o->json = 1;
        break;
      case 'P':
        o->profile = 1;
        break;
      case 'q':
        o->quiet = 1;
        break;
      case 'h':
        fputs(k_run_usage, stdout);
        return 0;
      case ':':
        return usage_error("option '%s' needs an argument", argv[optind - 1]);
      default:
        return usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc) return usage_error("%s", "missing MODEL.so");
  if (optind + 1 < argc) return usage_error("unexpected argument '%s'", argv[optind + 1]);
  o->model_path = argv[optind];
  return -1; /* parsed; go on */
}

static void fill_input(void *data, size_t size, wasmgraph_dtype dt, int random) {
  if (!random || dt.code != WASMGRAPH_DTYPE_FLOAT || dt.bits != 32) {
    /* zeros, or integer ids: zero is always a valid index */
    memset(data, 0, size);
    return;
  }
  uint32_t state = 0x12345678u;
  float *f = data;
  for (size_t i = 0; i < size / 4; i++) {
    state = state * 1664525u + 1013904223u;
    f[i] = (float)(state >> 8) / 16777216.0f * 2.0f - 1.0f;
  }
}

static int set_inputs(wasmgraph_executor *ex, const run_opts *o) {
  int n = wasmgraph_executor_num_inputs(ex);
  char err[512];
  for (int a = 0; a < o->num_inputs; a++) {
    int index;
    if (wasmgraph_model_input_index(wasmgraph_executor_model(ex), o->inputs[a].name, &index)) {
      fprintf(stderr, "wasmgraph: %s: the graph has no input named '%s'; its inputs are:",
              o->inputs[a].path, o->inputs[a].name);
      for (int i = 0; i < n; i++) {
        wasmgraph_tensor_info info;
        wasmgraph_executor_input_info(ex, i, &info);
        fprintf(stderr, "%s %s", i ? "," : "", info.name);
      }
      fprintf(stderr, "\n");
      return 1;
    }
    npy_array arr;
    if (npy_load(o->inputs[a].path, &arr, err, sizeof err) != WASMGRAPH_OK) {
      fprintf(stderr, "wasmgraph: %s\n", err);
      return 1;
    }
    wasmgraph_status st =
        wasmgraph_executor_set_input_tensor(ex, index, arr.dtype, arr.ndim, arr.shape, arr.data);
    npy_free(&arr);
    if (st) {
      fprintf(stderr, "wasmgraph: %s: %s\n", o->inputs[a].path, wasmgraph_executor_last_error(ex));
      return 1;
    }
  }
  for (int i = 0; i < n; i++) {
    wasmgraph_tensor_info info;
    wasmgraph_executor_input_info(ex, i, &info);
    int given = 0;
    for (int a = 0; a < o->num_inputs; a++) given |= strcmp(o->inputs[a].name, info.name) == 0;
    if (given) continue;
    if (!o->fill) {
      fprintf(stderr,
              "wasmgraph: input '%s' (%s) was not given: pass -i %s=FILE.npy or --fill "
              "zeros|random\n",
              info.name, info.dtype_name, info.name);
      return 1;
    }
    void *buf;
    size_t size;
    wasmgraph_executor_input_buffer(ex, i, &buf, &size);
    fill_input(buf, size, info.dtype, strcmp(o->fill, "random") == 0);
  }
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_output_summary(const wasmgraph_tensor_info *info, const void *data) {
  printf("%s: %s [", info->name, info->dtype_name);
  for (int k = 0; k < info->ndim; k++) printf(k ? ", %lld" : "%lld", (long long)info->shape[k]);
  printf("]");
  size_t n = info->dtype.bits >= 8 ? info->nbytes / (info->dtype.bits / 8) : 0;
  if (info->dtype.code == WASMGRAPH_DTYPE_FLOAT && info->dtype.bits == 32 && n > 0) {
    const float *f = data;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
      if (f[i] > f[best]) best = i;
    printf(" argmax=%zu max=%.6g values=[", best, (double)f[best]);
    for (size_t i = 0; i < n && i < 10; i++) printf(i ? ", %.6g" : "%.6g", (double)f[i]);
    printf(n > 10 ? ", ...]" : "]");
  } else if (info->dtype.code <= WASMGRAPH_DTYPE_UINT && n > 0) {
    printf(" values=[");
    for (size_t i = 0; i < n && i < 10; i++) {
      long long v = 0;
      const uint8_t *p = (const uint8_t *)data + i * (info->dtype.bits / 8);
      if (info->dtype.bits == 32) {
        int32_t x;
        memcpy(&x, p, 4);
        v = x;
      } else if (info->dtype.bits == 64) {
        int64_t x;
        memcpy(&x, p, 8);
        v = x;
      } else {
        v = *p;
      }
      printf(i ? ", %lld" : "%lld", v);
    }
    printf(n > 10 ? ", ...]" : "]");
  }
  printf("\n");
}

static int write_outputs(wasmgraph_executor *ex, const run_opts *o, json_object *files) {
  int n = wasmgraph_executor_num_outputs(ex);
  if (o->output_dir && mkdir(o->output_dir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "wasmgraph: %s: %s\n", o->output_dir, strerror(errno));
    return 1;
  }
  for (int i = 0; i < n; i++) {
    wasmgraph_tensor_info info;
    const void *data;
    size_t size;
    wasmgraph_executor_output_info(ex, i, &info);
    wasmgraph_executor_output_buffer(ex, i, &data, &size);
    if (!o->quiet && !o->json) print_output_summary(&info, data);
    if (!o->output_dir) continue;
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/output_%d.npy", o->output_dir, i);
    if (npy_save(path, info.dtype, info.ndim, info.shape, data, size, err, sizeof err)) {
      fprintf(stderr, "wasmgraph: %s\n", err);
      return 1;
    }
    if (files) json_object_array_add(files, json_object_new_string(path));
  }
  return 0;
}

int wasmgraph_cmd_run(int argc, char **argv) {
  run_opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_args(argc, argv, &o);
  if (rc >= 0) {
    free(o.inputs);
    return rc;
  }
  char err[1024];
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  double *times = NULL;
  json_object *summary = NULL;
  rc = 1;
  if (wasmgraph_model_load_library(o.model_path, o.graph_path, o.params_path, &model, err,
                                   sizeof err)) {
    fprintf(stderr, "wasmgraph: %s\n", err);
    goto done;
  }
  wasmgraph_options opts;
  memset(&opts, 0, sizeof opts);
  opts.struct_size = sizeof opts;
  opts.num_threads = o.threads;
  opts.workspace_bytes = o.workspace_mb << 20;
  opts.max_memory_bytes = o.max_memory_mb << 20;
  opts.deadline_ms = (uint32_t)o.timeout_ms;
  if (wasmgraph_executor_create(model, &opts, &ex, err, sizeof err)) {
    fprintf(stderr, "wasmgraph: %s: %s\n", o.model_path, err);
    goto done;
  }
  if (set_inputs(ex, &o)) goto done;

  int runs = o.repeat > 0 ? o.repeat + 1 : 1; /* one warm-up run when timing */
  times = calloc((size_t)runs, sizeof *times);
  if (!times) goto done;
  for (int r = 0; r < runs; r++) {
    /* the profile covers the timed runs, after the warm-up */
    if (o.profile && r == runs - (o.repeat > 0 ? o.repeat : 1) &&
        wasmgraph_executor_set_profiling(ex, true)) {
      fprintf(stderr, "wasmgraph: %s: %s\n", o.model_path, wasmgraph_executor_last_error(ex));
      goto done;
    }
    double t0 = now_ms();
    if (wasmgraph_executor_run(ex)) {
      fprintf(stderr, "wasmgraph: %s: %s\n", o.model_path, wasmgraph_executor_last_error(ex));
      goto done;
    }
    times[r] = now_ms() - t0;
  }
  int timed = o.repeat > 0 ? o.repeat : 1;
  double *t = o.repeat > 0 ? times + 1 : times;
  qsort(t, (size_t)timed, sizeof *t, cmp_double);
  double median = timed % 2 ? t[timed / 2] : (t[timed / 2 - 1] + t[timed / 2]) / 2;
  double mean = 0;
  for (int r = 0; r < timed; r++) mean += t[r];
  mean /= timed;
  if (o.repeat > 0)
    fprintf(stderr, "wasmgraph: %s: median %.3f ms, min %.3f ms over %d runs, %d thread%s\n",
            o.model_path, median, t[0], timed, wasmgraph_executor_num_threads(ex),
            wasmgraph_executor_num_threads(ex) == 1 ? "" : "s");

  if (o.profile && !o.json && wasmgraph_cli_print_profile(stdout, ex, median)) goto done;

  json_object *files = NULL;
  if (o.json) {
    summary = json_object_new_object();
    files = json_object_new_array();
  }
  if (write_outputs(ex, &o, files)) {
    json_object_put(files);
    goto done;
  }
  if (o.json) {
    json_object_object_add(summary, "model", json_object_new_string(o.model_path));
    json_object_object_add(summary, "name", json_object_new_string(wasmgraph_model_name(model)));
    json_object_object_add(summary, "median_ms", json_object_new_double(median));
    json_object_object_add(summary, "min_ms", json_object_new_double(t[0]));
    json_object_object_add(summary, "max_ms", json_object_new_double(t[timed - 1]));
    json_object_object_add(summary, "mean_ms", json_object_new_double(mean));
    json_object_object_add(summary, "runs", json_object_new_int(timed));
    json_object_object_add(summary, "warmup", json_object_new_int(o.repeat > 0 ? 1 : 0));
    json_object_object_add(summary, "threads",
                           json_object_new_int(wasmgraph_executor_num_threads(ex)));
    json_object_object_add(summary, "memory_mode", json_object_new_string(wasmgraph_memory_mode()));
    json_object_object_add(summary, "outputs", files);
    if (o.profile) json_object_object_add(summary, "profile", wasmgraph_cli_profile_json(ex));
    printf("%s\n", json_object_to_json_string_ext(
                       summary, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  }
  rc = 0;
done:
  json_object_put(summary);
  free(times);
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
  free(o.inputs);
  return rc;
}
