/*
 * tar_reader.h — lists the members of a tar archive held in memory (POSIX
 * ustar, GNU and pax variants, uncompressed), so that model packages (TVM's
 * Model Library Format and tvmc's classic package) can be read without
 * unpacking them on disk.
 */
#ifndef WASMGRAPH_TAR_READER_H_
#define WASMGRAPH_TAR_READER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

typedef struct wg_tar_member {
  char *name;          /* owned; normalised: no leading "./" or "/", no trailing "/" */
  char type;           /* typeflag: '0' file ('\0' and '7' become '0'), '5' dir, '2' symlink, ... */
  const uint8_t *data; /* points into the caller's buffer */
  size_t size;
} wg_tar_member;

typedef struct wg_tar_archive {
  int count;
  wg_tar_member *members; /* owned; in archive order; pax/GNU meta entries are folded in */
} wg_tar_archive;

/* True if the first block is a ustar/GNU header with a valid checksum. */
bool wg_tar_sniff(const uint8_t *data, size_t size);

/* Parses `size` bytes. WASMGRAPH_ERR_FORMAT with a message such as
 * "truncated tar: member 'parameters/default.params' at offset 0x400 needs
 * 4096 bytes, 100 left" on any inconsistency; NO_MEMORY. On failure *out is
 * empty. */
wasmgraph_status wg_tar_read(const uint8_t *data, size_t size, wg_tar_archive *out, char *err,
                             size_t err_size);
void wg_tar_archive_free(wg_tar_archive *a);

/* The regular file named `name` (normalised spelling), or NULL. */
const wg_tar_member *wg_tar_find(const wg_tar_archive *a, const char *name);

#endif
