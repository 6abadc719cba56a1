/*
 * ar_reader.h — lists the members of a Unix `ar` archive (GNU/SysV and BSD
 * long-name variants) held in memory, so each object can be inspected before
 * it is handed to wasm-ld.
 */
#ifndef WASMGRAPH_AR_READER_H_
#define WASMGRAPH_AR_READER_H_

#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

typedef struct wgc_ar_member {
  char *name;          /* owned; the member file name */
  const uint8_t *data; /* points into the caller's buffer */
  size_t size;
} wgc_ar_member;

typedef struct wgc_ar_archive {
  int count;
  wgc_ar_member *members; /* owned; symbol tables and the long-name table are skipped */
} wgc_ar_archive;

/* Parses `size` bytes starting with "!<arch>\n". WASMGRAPH_ERR_FORMAT with a
 * message such as "truncated archive: member 2 at offset 0x84 needs 4096 bytes,
 * 100 left" on any inconsistency. */
wasmgraph_status wgc_ar_read(const uint8_t *data, size_t size, wgc_ar_archive *out, char *err,
                             size_t err_size);
void wgc_ar_archive_free(wgc_ar_archive *a);

#endif
