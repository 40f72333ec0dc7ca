/*
 * store: the one owner of SQLite.  Schema (versioned by PRAGMA
 * user_version, WAL, STRICT tables), inserting a run's rows in one
 * transaction, and the queries behind `memsim report` and `explain`.
 */
#ifndef MEMSIM_STORE_H
#define MEMSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define STORE_SCHEMA_VERSION 1

struct store;

/* Open or create; -1 with a message for an unusable database. */
int store_open(struct store **out, const char *path, char *err,
    size_t errlen);
void store_close(struct store *st);

/*
 * Versions recorded with every run inserted from now on (copied; NULL
 * stores NULL).  The SQLite version is added by the store itself.
 */
void store_set_versions(struct store *st, const char *memsim,
    const char *simgrid, const char *lua);

/* Is there already a run with this key?  Sets *id when there is. */
int store_find_run(struct store *st, const char *sha256, const char *params,
    uint64_t seed, int64_t *id);
/*
 * Insert a run and its waits, samples, events and counters in one
 * transaction; `replace` deletes an existing run with the same key first.
 * Returns 0 and the new id, or -1 with a message (nothing written).
 */
int store_insert(struct store *st, const struct result *r, int replace,
    int64_t *id, char *err, size_t errlen);

/* The SQLite library in use. */
const char *store_sqlite_version(void);

#endif
