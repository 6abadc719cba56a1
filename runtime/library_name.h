/*
 * library_name.h — the name under which model.c hands a model library to
 * dlopen (library_name.c explains why it is not simply the path).
 */
#ifndef WASMGRAPH_LIBRARY_NAME_H_
#define WASMGRAPH_LIBRARY_NAME_H_

#include <stddef.h>

/* A dlopen name for the library at `path` that no earlier load in this
 * process used: a symbolic link to it in a private temporary folder, written
 * into buf (size bytes). Returns buf, or `path` itself when no link could be
 * made (then the plain path is used, as before). */
const char *wg_library_name_acquire(const char *path, char *buf, size_t size);

/* After dlopen: removes the link and its folder (name is what acquire
 * returned; nothing happens when it is `path`). */
void wg_library_name_release(const char *name, const char *path);

#endif
