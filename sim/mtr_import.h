/*
 * mtr_import: converters from object traces to .mtr, streaming, and the
 * options and counts every converter shares (valgrind's lackey output
 * has its own, mtr_lackey.h).
 *
 *   oracle   libCacheSim's oracleGeneral binary (24-byte records);
 *   csv      time,object id,size,op lines.
 *
 * Input is read a line or a record at a time; memory grows with the
 * distinct pages (or objects) only, never with the length of the input.
 */
#ifndef MEMSIM_MTR_IMPORT_H
#define MEMSIM_MTR_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct mtr_import_opts {
	uint64_t object_size;		/* bytes; 0: the trace's own sizes */
	uint64_t pages_per_object;	/* 0: from the size */
};

struct mtr_import_stats {
	uint64_t lines, refs, records, mappings;
};

/*
 * Convert `in` (named `inname` in messages) to the trace `out`.  Returns
 * 0, or -1 with one line in err ("where: what"); no output is left on
 * failure.
 */
int mtr_import_oracle(FILE *in, const char *inname, const char *out,
    const struct mtr_import_opts *o, struct mtr_import_stats *st,
    char *err, size_t errlen);
int mtr_import_csv(FILE *in, const char *inname, const char *out,
    const struct mtr_import_opts *o, struct mtr_import_stats *st,
    char *err, size_t errlen);

#endif
