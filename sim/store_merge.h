/*
 * store_merge: copying another memsim database's runs into a store
 * (declared through store.h).
 */
#ifndef MEMSIM_STORE_MERGE_H
#define MEMSIM_STORE_MERGE_H

#include <stddef.h>
#include <stdint.h>


struct store;

/*
 * Is `path` an existing memsim database of exactly this schema version?
 * Opens it read-only and writes nothing.  0, or -1 with a message.
 */
int store_check_source(const char *path, char *err, size_t errlen);

struct store_merge_stats {
	int64_t added;		/* runs copied, with all their rows */
	int64_t present;	/* runs skipped: their key was already here */
};
/*
 * Copy every run of database `path` whose key is not here yet, with its
 * waits, samples, events and counters under new run ids, and its sweeps
 * rows, in one transaction.  Merging the same file twice adds nothing.
 */
int store_merge(struct store *st, const char *path,
    struct store_merge_stats *ms, char *err, size_t errlen);

#endif
