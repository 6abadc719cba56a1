/*
 * load_barrier_rewrite.c — applies load_liveness.c's verdict to the C that
 * wasm2c 1.0.32 wrote.
 *
 * wasm2c defines one static inline helper per load (i32_load, f32_load, ...,
 * each with an asm barrier that keeps the load alive) and writes the wasm
 * functions in index order as `static T w2c_NAME(...) {` ... `}`. This pass
 * inserts a barrier-free twin of every helper (`<name>_nb`) after wasm2c's
 * definitions and, inside each function the scan found safe, renames the
 * calls. Risky functions, and any file whose shape is not exactly what we
 * expect (helper block not found, a function count that does not match the
 * module), keep wasm2c's code unchanged: the pass can only ever remove
 * barriers it has proven unnecessary.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_liveness.h"

static const char *const k_loads[] = {
    "i32_load",     "i64_load",     "f32_load",      "f64_load",     "i32_load8_s",
    "i64_load8_s",  "i32_load8_u",  "i64_load8_u",   "i32_load16_s", "i64_load16_s",
    "i32_load16_u", "i64_load16_u", "i64_load32_s",  "i64_load32_u"};
#define NUM_LOADS (sizeof k_loads / sizeof k_loads[0])

/* Barrier-free twins, defined with wasm2c's own MEMCHECK so both memory
 * modes keep their bounds checking. */
static const char k_twins[] =
    "\n/* wasmgraph: loads without the keep-alive barrier, for functions whose\n"
    " * every load is used (compiler/load_liveness.c). */\n"
    "#define WG_DEFINE_LOAD_NB(name, t1, t2, t3)                    \\\n"
    "  static inline t3 name##_nb(wasm_rt_memory_t* mem, u64 addr) { \\\n"
    "    MEMCHECK(mem, addr, t1);                                   \\\n"
    "    t1 result;                                                 \\\n"
    "    wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));     \\\n"
    "    return (t3)(t2)result;                                     \\\n"
    "  }\n"
    "WG_DEFINE_LOAD_NB(i32_load, u32, u32, u32)\n"
    "WG_DEFINE_LOAD_NB(i64_load, u64, u64, u64)\n"
    "WG_DEFINE_LOAD_NB(f32_load, f32, f32, f32)\n"
    "WG_DEFINE_LOAD_NB(f64_load, f64, f64, f64)\n"
    "WG_DEFINE_LOAD_NB(i32_load8_s, s8, s32, u32)\n"
    "WG_DEFINE_LOAD_NB(i64_load8_s, s8, s64, u64)\n"
    "WG_DEFINE_LOAD_NB(i32_load8_u, u8, u32, u32)\n"
    "WG_DEFINE_LOAD_NB(i64_load8_u, u8, u64, u64)\n"
    "WG_DEFINE_LOAD_NB(i32_load16_s, s16, s32, u32)\n"
    "WG_DEFINE_LOAD_NB(i64_load16_s, s16, s64, u64)\n"
    "WG_DEFINE_LOAD_NB(i32_load16_u, u16, u32, u32)\n"
    "WG_DEFINE_LOAD_NB(i64_load16_u, u16, u64, u64)\n"
    "WG_DEFINE_LOAD_NB(i64_load32_s, s32, s64, u64)\n"
    "WG_DEFINE_LOAD_NB(i64_load32_u, u32, u64, u64)\n\n";

static char *read_all(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
      if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
      } else {
        buf[n] = '\0';
        *size = (size_t)n;
      }
    }
  }
  fclose(f);
  return buf;
}

/* Length of a load helper call name at p ("f32_load(" → 8), 0 if none. */
static size_t load_call_at(const char *p, const char *line_start) {
  if (p > line_start && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                         (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')))
    return 0;
  for (size_t i = 0; i < NUM_LOADS; i++) {
    size_t n = strlen(k_loads[i]);
    if (strncmp(p, k_loads[i], n) == 0 && p[n] == '(') return n;
  }
  return 0;
}

int wg_relax_load_barriers(const char *c_path, const uint8_t *risky, uint32_t count) {
  size_t size = 0;
  char *src = read_all(c_path, &size);
  if (!src) return -1;
  /* The helper block ends with wasm2c's last DEFINE_LOAD line. */
  const char *anchor = "DEFINE_LOAD(i64_load32_u, u32, u64, u64)\n";
  char *insert_at = strstr(src, anchor);
  regex_t fn_re;
  if (!insert_at ||
      regcomp(&fn_re, "^static [^(]* w2c_[A-Za-z0-9_]*\\(.*\\) \\{$", REG_EXTENDED | REG_NOSUB)) {
    free(src);
    return 0;
  }
  insert_at += strlen(anchor);

  /* First pass: the function definitions must match the module one to one. */
  uint32_t defs = 0;
  for (char *line = src; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    if (strncmp(line, "static ", 7) == 0 && regexec(&fn_re, line, 0, NULL, 0) == 0) defs++;
    if (nl) *nl = '\n';
    line = nl ? nl + 1 : NULL;
  }
  if (defs != count) {
    regfree(&fn_re);
    free(src);
    return 0;
  }

  char tmp_path[4096];
  snprintf(tmp_path, sizeof tmp_path, "%s.tmp", c_path);
  FILE *out = fopen(tmp_path, "wb");
  if (!out) {
    regfree(&fn_re);
    free(src);
    return -1;
  }
  int relaxed = 0;
  uint32_t fn = 0;
  int in_safe_fn = 0;
  for (char *line = src; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    if (line == insert_at) fputs(k_twins, out);
    if (strncmp(line, "static ", 7) == 0 && regexec(&fn_re, line, 0, NULL, 0) == 0) {
      in_safe_fn = !risky[fn++];
      relaxed += in_safe_fn;
      fputs(line, out);
    } else if (in_safe_fn) {
      if (strcmp(line, "}") == 0) in_safe_fn = 0;
      for (const char *p = line; *p; p++) {
        size_t n = load_call_at(p, line);
        if (n) {
          fwrite(p, 1, n, out);
          fputs("_nb", out);
          p += n - 1;
        } else {
          fputc(*p, out);
        }
      }
    } else {
      fputs(line, out);
    }
    if (nl) {
      fputc('\n', out);
      *nl = '\n';
    }
    line = nl ? nl + 1 : NULL;
  }
  regfree(&fn_re);
  free(src);
  if (fclose(out) != 0 || rename(tmp_path, c_path) != 0) {
    remove(tmp_path);
    return -1;
  }
  return relaxed;
}
