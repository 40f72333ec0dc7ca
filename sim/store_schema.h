/*
 * store_schema: the results database's tables (numbered migrations, up
 * to STORE_SCHEMA_VERSION) and its views (analyze/views.sql).  Called by
 * store_open() only.  Internal to sim/store*.c.
 */
#ifndef MEMSIM_STORE_SCHEMA_H
#define MEMSIM_STORE_SCHEMA_H

#include <stddef.h>

struct store;

/*
 * Bring the schema up to STORE_SCHEMA_VERSION.  A database that is up
 * to date takes no write lock; one from a newer memsim, or an old one
 * opened read-only, is refused with one line in err.  Returns 0 or -1.
 */
int store_schema_migrate(struct store *st, char *err, size_t errlen);
/* Make the views this memsim's (TEMP ones when read-only).  0 or -1. */
int store_schema_views(struct store *st, char *err, size_t errlen);

#endif
