/*
 * library_name.h — the name under which model.c hands a model library to
 * dlopen (library_name.c explains why it is not simply the path).
 */
#ifndef WASMGRAPH_LIBRARY_NAME_H_
#define WASMGRAPH_LIBRARY_NAME_H_

#include <stddef.h>

/* The name to dlopen the library at `path` under: `path` itself when no
 * loaded library has that name (the usual case), else a name no earlier
 * load in this process used, a symbolic link to the file in a private
 * temporary folder, written into buf (size bytes). Returns buf or path; path
 * also when no link could be made (then, as before, the loaded copy is
 * what dlopen returns). */
const char *wg_library_name_acquire(const char *path, char *buf, size_t size);

/* Removes such a link and its folder (nothing for NULL). The link must live
 * as long as the library stays loaded: debuggers and sanitizers find the
 * library's symbols through the name it was loaded under. */
void wg_library_name_release(const char *link);

#endif
