/*
 * test_write_file.h — writes a buffer to a file for the test programs that
 * build their inputs on the fly (tests/sandbox, tests/simd). Prints why it
 * failed, prefixed with the program's name, and returns -1; 0 on success.
 */
#ifndef WASMGRAPH_TEST_WRITE_FILE_H_
#define WASMGRAPH_TEST_WRITE_FILE_H_

#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline int test_write_file(const char *who, const char *path, const void *data,
                                  size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "%s: cannot write %s: %s\n", who, path, strerror(errno));
    return -1;
  }
  size_t n = fwrite(data, 1, size, f);
  int closed = fclose(f);
  if (n != size || closed != 0) {
    fprintf(stderr, "%s: cannot write %s\n", who, path);
    return -1;
  }
  return 0;
}

#endif
