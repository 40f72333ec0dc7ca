/*
 * mtr_lackey: the text valgrind --tool=lackey --trace-mem=yes writes,
 * with -d (the address-space tables at client start-up and shutdown) and
 * --trace-syscalls=yes (mmap, brk, openat), as scripts/record-trace.sh
 * runs it, converted to .mtr a line at a time.
 */
#ifndef MEMSIM_MTR_LACKEY_H
#define MEMSIM_MTR_LACKEY_H

#include <stddef.h>
#include <stdio.h>

#include "mtr_import.h"

/*
 * Convert `in` (named `inname` in messages) to the trace `out`.  Returns
 * 0, or -1 with one line in err ("where: what"); no output is left on
 * failure.
 */
int mtr_lackey_import(FILE *in, const char *inname, const char *out,
    struct mtr_import_stats *st, char *err, size_t errlen);

#endif
