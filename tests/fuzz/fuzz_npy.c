/*
 * fuzz_npy.c — libFuzzer target for npy_parse.
 *
 * Any input: no crash, no leak, no UB. Success: the copied data has exactly
 * prod(shape) * itemsize bytes, equal to the input's tail.
 */
#include <string.h>

#include "fuzz_target.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npy_array a;
  char err[256];
  if (npy_parse(data, size, &a, err, sizeof err) == WASMGRAPH_OK) {
    uint64_t numel = 1;
    FUZZ_REQUIRE(a.ndim >= 0 && a.ndim <= WASMGRAPH_MAX_NDIM && a.data != NULL);
    for (int i = 0; i < a.ndim; i++) {
      FUZZ_REQUIRE(a.shape[i] >= 0);
      numel *= (uint64_t)a.shape[i];
    }
    FUZZ_REQUIRE(a.nbytes == numel * (((size_t)a.dtype.bits + 7) / 8));
    FUZZ_REQUIRE(a.nbytes <= size && memcmp(a.data, data + size - a.nbytes, a.nbytes) == 0);
  } else {
    FUZZ_REQUIRE(a.data == NULL && a.nbytes == 0 && err[0] != '\0');
  }
  npy_free(&a);
  return 0;
}
