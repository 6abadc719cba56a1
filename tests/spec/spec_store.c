/*
 * spec_store.c — instances, registrations and import matching.
 *
 * Import matching follows the spec's "external type" rules: same kind,
 * identical function types, identical global value type and mutability,
 * identical table element type, and limits subtyping for tables and
 * memories checked against the exporter's *current* size (a memory grown
 * before it is imported satisfies a larger minimum). wasm2c's runtime has
 * no "no maximum" flag: memories record 65536 pages and tables 0xffffffff
 * when the module gives no maximum, so those values are read as "none".
 *
 * Instances are never freed before the end of the run: a module whose
 * instantiation trapped may already have written references to its
 * functions (and so its instance) into an imported table, and the spec
 * keeps those writes.
 */
#include "spec_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spectest_host.h"

bool spec_store_init(spec_store *s) {
  memset(s, 0, sizeof *s);
  return spec_store_register(s, (const uint8_t *)"spectest", 8, &spectest_module,
                             &spectest_instance);
}

void spec_store_free(spec_store *s) {
  for (int i = s->num_inst - 1; i >= 0; i--) {
    spec_instance *in = &s->inst[i];
    if (in->inst && in->mod && in->mod->free_instance) in->mod->free_instance(in->inst);
    free(in->inst);
  }
  for (int i = 0; i < s->num_reg; i++) {
    free(s->reg[i].name);
    if (s->reg[i].owned) free(s->reg[i].inst);
  }
  free(s->inst);
  free(s->reg);
  memset(s, 0, sizeof *s);
}

spec_instance *spec_store_slot(spec_store *s, int idx) {
  if (idx < 0) return NULL;
  if (idx >= s->num_inst) {
    spec_instance *grown = realloc(s->inst, (size_t)(idx + 1) * sizeof *grown);
    if (!grown) return NULL;
    memset(grown + s->num_inst, 0, (size_t)(idx + 1 - s->num_inst) * sizeof *grown);
    for (int i = s->num_inst; i <= idx; i++)
      snprintf(grown[i].why, sizeof grown[i].why, "module #%d was never defined", i);
    s->inst = grown;
    s->num_inst = idx + 1;
  }
  return &s->inst[idx];
}

bool spec_store_register(spec_store *s, const uint8_t *name, size_t len, const wgs_module *mod,
                         void *inst) {
  spec_registration *grown = realloc(s->reg, (size_t)(s->num_reg + 1) * sizeof *grown);
  if (!grown) return false;
  s->reg = grown;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return false;
  memcpy(copy, name, len);
  s->reg[s->num_reg++] = (spec_registration){copy, len, mod, inst, false};
  return true;
}

const spec_registration *spec_store_lookup(const spec_store *s, const void *name, size_t len) {
  /* Newest first: a later register of the same name shadows the earlier. */
  for (int i = s->num_reg - 1; i >= 0; i--)
    if (s->reg[i].len == len && memcmp(s->reg[i].name, name, len) == 0) return &s->reg[i];
  return NULL;
}

const wgs_export *spec_find_export(const wgs_module *m, const void *name, size_t len) {
  for (uint32_t i = 0; i < m->num_exports; i++)
    if (m->exports[i].name_len == len && memcmp(m->exports[i].name, name, len) == 0)
      return &m->exports[i];
  return NULL;
}

static bool limits_ok(uint64_t cur, uint64_t ex_max, bool ex_has_max, const spec_import *imp,
                      char *why, size_t n) {
  if (cur < imp->min) {
    snprintf(why, n, "incompatible import type: current size %llu < minimum %u",
             (unsigned long long)cur, imp->min);
    return false;
  }
  if (imp->has_max) {
    if (!ex_has_max) {
      snprintf(why, n, "incompatible import type: exporter has no maximum, import needs <= %u",
               imp->max);
      return false;
    }
    if (ex_max > imp->max) {
      snprintf(why, n, "incompatible import type: maximum %llu > %u", (unsigned long long)ex_max,
               imp->max);
      return false;
    }
  }
  return true;
}

bool spec_link_check(const spec_store *s, const spec_import *imp, char *why, size_t n) {
  const spec_registration *r = spec_store_lookup(s, imp->module, imp->module_len);
  if (!r) {
    snprintf(why, n, "unknown import: module '%.*s' not registered", (int)imp->module_len,
             (const char *)imp->module);
    return false;
  }
  const wgs_export *e = spec_find_export(r->mod, imp->field, imp->field_len);
  if (!e) {
    snprintf(why, n, "unknown import: '%.*s' has no export '%.*s'", (int)imp->module_len,
             (const char *)imp->module, (int)imp->field_len, (const char *)imp->field);
    return false;
  }
  if (e->kind != imp->kind) {
    snprintf(why, n, "incompatible import type: kind %d, export is kind %d", imp->kind, e->kind);
    return false;
  }
  switch (e->kind) {
    case WGS_FUNC:
    case WGS_GLOBAL:
      if (strcmp(e->type, imp->type) != 0) {
        snprintf(why, n, "incompatible import type: import '%s', export '%s'", imp->type, e->type);
        return false;
      }
      return true;
    case WGS_TABLE: {
      if (strcmp(e->type, imp->type) != 0) {
        snprintf(why, n, "incompatible import type: table of '%s', export '%s'", imp->type,
                 e->type);
        return false;
      }
      /* Funcref and externref tables share the {data, max_size, size} layout. */
      const wasm_rt_funcref_table_t *t = e->get(r->inst);
      return limits_ok(t->size, t->max_size, t->max_size != UINT32_MAX, imp, why, n);
    }
    case WGS_MEMORY: {
      const wasm_rt_memory_t *m = e->get(r->inst);
      bool has_max = m->max_pages < 65536u || (imp->has_max && imp->max >= 65536u);
      return limits_ok(m->pages, m->max_pages, has_max, imp, why, n);
    }
  }
  snprintf(why, n, "incompatible import type: unknown kind");
  return false;
}
