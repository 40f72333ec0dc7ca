/*
 * xmalloc: host memory allocation that cannot fail.  Host out-of-memory
 * is not a simulated condition: report it and abort.
 */
#ifndef MEMSIM_XMALLOC_H
#define MEMSIM_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
