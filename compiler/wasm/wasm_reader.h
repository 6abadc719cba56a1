/*
 * wasm_reader.h — a small, strict reader for the WebAssembly binary format:
 * just the parts the translator must inspect (types, imports, functions,
 * tables, memories, globals, exports, the headers of data segments and
 * function bodies, and the custom sections "linking", "target_features",
 * "name" and "producers"). Code and data bodies are skipped.
 */
#ifndef WASMGRAPH_WASM_READER_H_
#define WASMGRAPH_WASM_READER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

/* Value type bytes as they appear in the binary. */
enum {
  WASM_I32 = 0x7F,
  WASM_I64 = 0x7E,
  WASM_F32 = 0x7D,
  WASM_F64 = 0x7C,
  WASM_V128 = 0x7B,
  WASM_FUNCREF = 0x70,
  WASM_EXTERNREF = 0x6F
};

/* External kinds (import/export descriptors). */
enum {
  WASM_EXT_FUNC = 0,
  WASM_EXT_TABLE = 1,
  WASM_EXT_MEMORY = 2,
  WASM_EXT_GLOBAL = 3,
  WASM_EXT_TAG = 4
};

/* Symbol kinds and flags of the "linking" section (tool-conventions/Linking.md). */
enum {
  WASM_SYM_FUNCTION = 0,
  WASM_SYM_DATA = 1,
  WASM_SYM_GLOBAL = 2,
  WASM_SYM_SECTION = 3,
  WASM_SYM_TAG = 4,
  WASM_SYM_TABLE = 5
};
#define WASM_SYM_BINDING_WEAK 0x01u
#define WASM_SYM_BINDING_LOCAL 0x02u
#define WASM_SYM_UNDEFINED 0x10u
#define WASM_SYM_EXPLICIT_NAME 0x40u

typedef struct wgc_wasm_functype {
  uint32_t num_params;
  uint32_t num_results;
  uint8_t *params;  /* owned; value type bytes */
  uint8_t *results; /* owned */
} wgc_wasm_functype;

typedef struct wgc_wasm_limits {
  uint64_t min;
  uint64_t max; /* valid when has_max */
  bool has_max;
  bool shared;
  bool is64; /* memory64 */
} wgc_wasm_limits;

typedef struct wgc_wasm_import {
  char *module;           /* owned */
  char *name;             /* owned */
  uint8_t kind;           /* WASM_EXT_* */
  uint32_t type_index;    /* FUNC, TAG */
  uint8_t elem_type;      /* TABLE */
  wgc_wasm_limits limits; /* TABLE, MEMORY */
  uint8_t global_type;    /* GLOBAL */
  bool global_mutable;    /* GLOBAL */
} wgc_wasm_import;

typedef struct wgc_wasm_global {
  uint8_t type;
  bool mutable_;
  bool has_i32_init; /* initialiser is a constant i32: `i32.const N`, or
                        extended-const i32.add/sub/mul of constants */
  int32_t i32_init;
} wgc_wasm_global;

typedef struct wgc_wasm_export {
  char *name;   /* owned */
  uint8_t kind; /* WASM_EXT_* */
  uint32_t index;
} wgc_wasm_export;

typedef struct wgc_wasm_feature {
  char prefix; /* '+' used, '-' disallowed, '=' required */
  char *name;  /* owned, e.g. "simd128" */
} wgc_wasm_feature;

typedef struct wgc_wasm_symbol {
  uint8_t kind; /* WASM_SYM_* */
  uint32_t flags;
  uint32_t index; /* function/global/table/tag index; unused for DATA */
  char *name;     /* owned; for undefined imports without explicit name: the import name */
} wgc_wasm_symbol;

typedef struct wgc_wasm_name {
  uint32_t index;
  char *name; /* owned */
} wgc_wasm_name;

/* One data segment's header (its bytes are not copied). */
typedef struct wgc_wasm_data_segment {
  bool passive;
  uint32_t memory; /* active segments: memory index */
  bool has_offset; /* active, and the offset is a constant i32 expression */
  uint32_t offset; /* valid when has_offset */
  uint32_t size;   /* bytes */
} wgc_wasm_data_segment;

/* Where one function body (locals, then code) lies in the file. */
typedef struct wgc_wasm_body {
  size_t offset; /* file offset of the body's first byte (after its size) */
  uint32_t size;
} wgc_wasm_body;

/* Every section in file order, as wasm_adapt.c copies them. */
typedef struct wgc_wasm_section {
  uint8_t id;     /* 0 custom, 1 type, ... 13 tag */
  size_t start;   /* file offset of the id byte */
  size_t payload; /* file offset of the contents (after the size) */
  uint32_t size;  /* contents' size */
  bool is_name;   /* custom section "name" */
} wgc_wasm_section;

typedef struct wgc_wasm_module {
  uint32_t num_types;
  wgc_wasm_functype *types;
  uint32_t num_imports;
  wgc_wasm_import *imports;
  uint32_t num_func_imports, num_table_imports, num_memory_imports, num_global_imports;
  uint32_t num_funcs;          /* defined functions (function section) */
  uint32_t *func_type_indices; /* owned */
  uint32_t num_tables;
  wgc_wasm_limits *tables; /* defined tables */
  uint32_t num_memories;
  wgc_wasm_limits *memories; /* defined memories */
  uint32_t num_globals;
  wgc_wasm_global *globals; /* defined globals */
  uint32_t num_exports;
  wgc_wasm_export *exports;

  bool has_linking; /* relocatable object */
  bool has_target_features;
  uint32_t num_features;
  wgc_wasm_feature *features;
  uint32_t num_symbols; /* from linking's symbol table */
  wgc_wasm_symbol *symbols;
  bool has_name_section;
  uint32_t num_func_names;
  wgc_wasm_name *func_names;
  uint32_t num_global_names;
  wgc_wasm_name *global_names;

  uint32_t num_data_segments;
  wgc_wasm_data_segment *data_segments;
  uint32_t num_bodies; /* code section entries */
  wgc_wasm_body *bodies;
  uint32_t num_sections;
  wgc_wasm_section *sections;
  /* "producers" section, field processed-by: the first clang or LLVM entry,
   * e.g. "clang 19.1.7", and its major version (0 when absent). TVM's own
   * objects carry no such entry. */
  char *producer;
  int producer_llvm_major;
} wgc_wasm_module;

/* Result of a quick look at the first bytes of a file. */
typedef enum {
  WASM_SNIFF_EMPTY,
  WASM_SNIFF_WASM,
  WASM_SNIFF_AR,
  WASM_SNIFF_ELF,
  WASM_SNIFF_MACHO,
  WASM_SNIFF_COFF,
  WASM_SNIFF_OTHER
} wgc_wasm_sniff_kind;
wgc_wasm_sniff_kind wgc_wasm_sniff(const uint8_t *data, size_t size);

/* Parses `size` bytes. Every length and count is checked against what is
 * left before it is used. On failure returns WASMGRAPH_ERR_FORMAT (or
 * NO_MEMORY), *out is zeroed and err holds e.g. "not a wasm file" or
 * "truncated wasm file: section 10 at offset 0x151 needs 10636 bytes, 512 left". */
wasmgraph_status wgc_wasm_read(const uint8_t *data, size_t size, wgc_wasm_module *out, char *err,
                               size_t err_size);
void wgc_wasm_module_free(wgc_wasm_module *m);

/* The type of function `func_index` (imports first), or NULL if out of range. */
const wgc_wasm_functype *wgc_wasm_func_type(const wgc_wasm_module *m, uint32_t func_index);
/* "(i32,i64)->i32", "(f32)->()" — written into buf (always terminated). */
void wgc_wasm_functype_format(const wgc_wasm_functype *t, char *buf, size_t size);
/* "i32", "f64", "v128", ... */
const char *wgc_wasm_valtype_name(uint8_t t);
/* The export with this name and kind, or NULL. */
const wgc_wasm_export *wgc_wasm_find_export(const wgc_wasm_module *m, const char *name,
                                            uint8_t kind);
/* Name of function/global `index` from the "name" section, or NULL. */
const char *wgc_wasm_func_name(const wgc_wasm_module *m, uint32_t index);
const char *wgc_wasm_global_name(const wgc_wasm_module *m, uint32_t index);
/* True if target_features lists `name` with prefix '+' or '='. */
bool wgc_wasm_has_feature(const wgc_wasm_module *m, const char *name);

#endif
