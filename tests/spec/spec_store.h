/*
 * spec_store.h — the instances a .wast run has created, the names they
 * were registered under, and the link check that decides whether a
 * module's imports can be satisfied (assert_unlinkable).
 */
#ifndef WASMGRAPH_SPEC_STORE_H_
#define WASMGRAPH_SPEC_STORE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec_abi.h"

typedef struct spec_instance {
  const wgs_module *mod; /* set once instantiation was attempted */
  void *inst;            /* owned; freed by spec_store_free */
  bool usable;           /* instantiated without a trap */
  char why[256];         /* why it is not usable */
} spec_instance;

typedef struct spec_registration {
  uint8_t *name;
  size_t len;
  const wgs_module *mod;
  void *inst;
  bool owned; /* inst is freed with the store (host modules) */
} spec_registration;

typedef struct spec_store {
  spec_instance *inst; /* by module index of the plan */
  int num_inst;
  spec_registration *reg;
  int num_reg;
} spec_store;

/* One import as the plan describes it. */
typedef struct spec_import {
  wgs_kind kind;
  uint8_t module[256], field[256];
  size_t module_len, field_len;
  char type[64];     /* as wgs_export.type */
  uint32_t min, max; /* tables and memories */
  bool has_max;
} spec_import;

/* Starts with "spectest" registered. */
bool spec_store_init(spec_store *s);
/* Frees every instance (newest first) and the store. */
void spec_store_free(spec_store *s);
/* The slot for module index idx (grown on demand); NULL on OOM. */
spec_instance *spec_store_slot(spec_store *s, int idx);
bool spec_store_register(spec_store *s, const uint8_t *name, size_t len, const wgs_module *mod,
                         void *inst);
const spec_registration *spec_store_lookup(const spec_store *s, const void *name, size_t len);
const wgs_export *spec_find_export(const wgs_module *m, const void *name, size_t len);

/* The spec's import matching (external types, limits subtyping against the
 * exporter's current sizes). On failure writes "unknown import" or
 * "incompatible import type" plus detail into why and returns false. */
bool spec_link_check(const spec_store *s, const spec_import *imp, char *why, size_t why_size);

#endif
