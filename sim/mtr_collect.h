/*
 * mtr_collect: page references, as a converter reads them, collected
 * into a .mtr trace's records (runs of one page and one operation) and
 * its mapping table (the regions the converter reports, and ranges for
 * touched pages outside them).  Shared by the converters (mtr_lackey.c,
 * mtr_import.c); memory grows with the distinct pages only.
 */
#ifndef MEMSIM_MTR_COLLECT_H
#define MEMSIM_MTR_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "mtr.h"
#include "mtr_import.h"

struct mtr_collect;

/* Records go to w as their runs close; w stays the caller's. */
struct mtr_collect *mtr_collect_create(struct mtr_writer *w);
void mtr_collect_destroy(struct mtr_collect *c);	/* NULL: a no-op */
void mtr_collect_ref(struct mtr_collect *c, uint64_t vpn, enum mtr_op op);
uint64_t mtr_collect_refs(const struct mtr_collect *c);
/*
 * A mapped region, pages [start, end).  A file region's kind is decided
 * at the end (MTR_FILE_PRIVATE once one of its pages was written); the
 * same region reported again takes the new kind, and where regions
 * overlap the later start wins.
 */
void mtr_collect_region(struct mtr_collect *c, uint64_t start, uint64_t end,
    enum mtr_kind kind, int file, const char *name);
/*
 * Flush the records, write the mapping table and put the trace in place
 * (mtr_writer_finish); fills refs, records and mappings of st.  Returns
 * 0, or -1 with one line in err.
 */
int mtr_collect_finish(struct mtr_collect *c, struct mtr_import_stats *st,
    const char *out, char *err, size_t errlen);

#endif
