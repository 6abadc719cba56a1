/*
 * embed_c.c — graph.json and params as C source, for `-o model.c --embed`.
 *
 * Object outputs get their data from LLVM (target.c); a .c output must stay
 * portable C for the user's own compiler, so the bytes become arrays
 * initialised by string literals: `const uint8_t X[N] = "...";` where the
 * literal has exactly N characters (C allows the terminating NUL to be
 * dropped). Printable ASCII is written as is (with \" \\ \n, and \? against
 * trigraphs) and everything else as a three-digit octal escape (never
 * shorter, so a following digit cannot extend it). The file stays 1-4x the
 * data size and compilers parse it far faster than a `{0x12, 0x34, ...}`
 * list. Lines are split every ~100 characters (adjacent literals
 * concatenate). An empty input becomes a 1-byte array (C has no zero-length
 * arrays); the descriptor carries the real size.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compiler_internal.h"

static void write_array(FILE *f, const char *sym, const wgc_buf *b, unsigned align) {
  fprintf(f, "_Alignas(%u) const uint8_t %s[%zu] =\n", align, sym, b->size ? b->size : 1);
  if (!b->size) {
    fputs("    {0};\n\n", f);
    return;
  }
  size_t col = 0;
  fputs("    \"", f);
  for (size_t i = 0; i < b->size; i++) {
    uint8_t c = b->data[i];
    const char *esc = NULL;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '?':
        esc = "\\?";
        break;
      case '\n':
        esc = "\\n";
        break;
      default:
        break;
    }
    if (esc) {
      fputs(esc, f);
      col += 2;
    } else if (c >= 0x20 && c < 0x7F) {
      fputc(c, f);
      col += 1;
    } else {
      fprintf(f, "\\%03o", c);
      col += 4;
    }
    if (col >= 100 && i + 1 < b->size) {
      fputs("\"\n    \"", f);
      col = 0;
    }
  }
  fputs("\";\n\n", f);
}

wasmgraph_status wgc_emit_data_c(wgc_ctx *ctx, const char *name, const wgc_buf *graph_json,
                                 const wgc_buf *params, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: %s", path, strerror(errno));
  fprintf(f,
          "/* %s_data.c — graph.json and params of model '%s', embedded by wasmgraph %s.\n"
          " * Do not edit. */\n"
          "#include <stdint.h>\n\n",
          name, name, WASMGRAPH_VERSION);
  char sym[200];
  snprintf(sym, sizeof sym, "%s_wasmgraph_graph_json", name);
  fprintf(f, "extern const uint8_t %s[];\n", sym);
  write_array(f, sym, graph_json, 16);
  snprintf(sym, sizeof sym, "%s_wasmgraph_params", name);
  fprintf(f, "extern const uint8_t %s[];\n", sym);
  write_array(f, sym, params, 64);
  bool bad = ferror(f) != 0;
  if (fclose(f) != 0) bad = true;
  if (bad) return wgc_fail(ctx, WASMGRAPH_ERR_IO, "%s: write error", path);
  return WASMGRAPH_OK;
}
