/*
 * fuzz_params.c — libFuzzer target for wg_params_parse.
 *
 * Any input: no crash, no leak, no UB. Success: every tensor's data lies
 * inside the input, its size matches ((bits+7)/8) * prod(shape), names are
 * distinct NUL-terminated strings and the records tile the file exactly
 * (the last tensor's data ends at the last byte).
 */
#include <string.h>

#include "dtype.h"
#include "fuzz_target.h"
#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  param_list l;
  char err[256];
  if (wg_params_parse(data, size, &l, err, sizeof err) == WASMGRAPH_OK) {
    FUZZ_REQUIRE(l.count >= 0);
    for (int i = 0; i < l.count; i++) {
      const param_tensor *t = &l.items[i];
      uint64_t numel;
      FUZZ_REQUIRE(t->name && t->name[0] != '\0');
      FUZZ_REQUIRE(t->ndim >= 0 && t->ndim <= WASMGRAPH_MAX_NDIM);
      FUZZ_REQUIRE(wg_shape_numel(t->shape, t->ndim, &numel));
      FUZZ_REQUIRE(t->nbytes == numel * ((t->dtype.bits + 7u) / 8u));
      FUZZ_REQUIRE(t->data >= data && t->nbytes <= size &&
                   (size_t)(t->data - data) <= size - t->nbytes);
      for (int j = 0; j < i; j++) FUZZ_REQUIRE(strcmp(l.items[j].name, t->name) != 0);
      if (i + 1 == l.count) FUZZ_REQUIRE(t->data + t->nbytes == data + size);
    }
  } else {
    FUZZ_REQUIRE(l.items == NULL && l.count == 0);
    FUZZ_REQUIRE(strncmp(err, "params: ", 8) == 0);
  }
  wg_param_list_free(&l);
  return 0;
}
