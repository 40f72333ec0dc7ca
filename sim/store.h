/*
 * store: the one owner of SQLite.  The connection (WAL: store.c); the
 * schema of STRICT tables, versioned by PRAGMA user_version, and the
 * views of analyze/views.sql, compiled in (store_schema); inserting a
 * run's rows in one transaction or a sweep's runs in batches, the
 * sweeps table (store_run); merging databases (store_merge); and the
 * queries behind `memsim report` over the views (store_query).
 */
#ifndef MEMSIM_STORE_H
#define MEMSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define STORE_SCHEMA_VERSION 7

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

/*
 * With force set, every run inserted from now on gets a new row and a
 * new id even when its key is stored: the first row stays, the new one
 * is its key's next rerun (memsim run/sweep --force).
 */
void store_set_force(struct store *st, int force);

struct store_opts {
	int busy_ms;		/* wait this long for another's lock; 0: 10 s */
	int must_exist;		/* refuse to create a new database */
	int read_only;		/* read only: no migration, no write */
};

/* store_open() with options; o may be NULL. */
int store_open_opts(struct store **out, const char *path,
    const struct store_opts *o, char *err, size_t errlen);

/* The SQLite library in use. */
const char *store_sqlite_version(void);

/* The rest of the store's interface. */
#include "store_merge.h"
#include "store_query.h"
#include "store_run.h"

#endif
