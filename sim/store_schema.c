/*
 * store_schema: see store_schema.h.
 *
 * The schema is the list of migrations below, applied in order: the
 * database's PRAGMA user_version says how many it has, so a database
 * from any earlier memsim is brought up to date when it is opened, one
 * migration per transaction.  The views are analyze/views.sql, compiled
 * in (embed_views_sql), re-created when the text's SHA-256 differs from
 * the one stored in meta, or made TEMP on a database opened read-only.
 */
#define _POSIX_C_SOURCE 200809L

#include "store_schema.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sha256.h"
#include "store.h"
#include "store_db.h"
#include "xmalloc.h"

/* analyze/views.sql, turned into a C string at build time (meson.build) */
extern const char embed_views_sql[];

/*
 * Migration N (1-based) takes user_version from N-1 to N and must end
 * by setting it; migrate_one() checks that it did.  Never edit a migration
 * that has shipped: add the next one.
 */
static const char *const migrations[] = {
	/* 1: everything */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  scenario TEXT NOT NULL,"
	"  scenario_sha256 TEXT NOT NULL,"
	"  allocator TEXT NOT NULL,"
	"  reserve_n INTEGER,"
	"  seed INTEGER NOT NULL,"
	"  params TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  deadlock_kind TEXT,"
	"  message TEXT,"
	"  end_time REAL,"
	"  deadlock_time REAL,"
	"  min_free_pages INTEGER,"
	"  pageouts INTEGER,"
	"  swapins INTEGER,"
	"  oom_kills INTEGER,"
	"  page_faults INTEGER,"
	"  pages_scanned INTEGER,"
	"  pages_freed INTEGER,"
	"  pd_blocked_seconds REAL,"
	"  pd_pbuf_wait_seconds REAL,"
	"  swapmeta_pages_peak INTEGER,"
	"  swapmeta_allocs INTEGER,"
	"  swapmeta_alloc_failures INTEGER,"
	"  kmem_slab_allocs INTEGER,"
	"  slab_alloc_waits INTEGER,"
	"  reserve_refill_failures INTEGER,"
	"  reserve_min_level INTEGER,"
	"  kva_peak INTEGER,"
	"  swap_peak_pages INTEGER,"
	"  irq_alloc_failures INTEGER,"
	"  events_dropped INTEGER,"
	"  sg_calls INTEGER,"
	"  page_events INTEGER,"
	"  wall_seconds REAL,"
	"  digest TEXT,"
	"  memsim_version TEXT,"
	"  simgrid_version TEXT,"
	"  lua_version TEXT,"
	"  sqlite_version TEXT,"
	"  created_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  UNIQUE (scenario_sha256, params, seed)"
	") STRICT;"
	"CREATE TABLE waits ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  thread TEXT,"
	"  channel TEXT,"
	"  since REAL,"
	"  detail TEXT"
	") STRICT;"
	"CREATE TABLE samples ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  t REAL,"
	"  free INTEGER,"
	"  cache INTEGER,"
	"  inactive INTEGER,"
	"  active INTEGER,"
	"  wired INTEGER,"
	"  busy INTEGER,"
	"  swap_used INTEGER,"
	"  swapmeta_pages INTEGER,"
	"  kva_used INTEGER,"
	"  async_inflight INTEGER,"
	"  reserve_level INTEGER"
	") STRICT;"
	"CREATE TABLE events ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  t REAL,"
	"  kind TEXT,"
	"  thread TEXT,"
	"  detail TEXT"
	") STRICT;"
	"CREATE TABLE counters ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  name TEXT,"
	"  value INTEGER"
	") STRICT;"
	"CREATE TABLE sweeps ("
	"  id INTEGER PRIMARY KEY,"
	"  scenario TEXT,"
	"  scenario_sha256 TEXT,"
	"  grid TEXT,"
	"  started TEXT,"
	"  finished TEXT,"
	"  runs_planned INTEGER,"
	"  runs_done INTEGER"
	") STRICT;"
	"CREATE INDEX waits_run ON waits(run_id);"
	"CREATE INDEX samples_run ON samples(run_id);"
	"CREATE INDEX events_run ON events(run_id);"
	"CREATE INDEX counters_run ON counters(run_id);"
	"PRAGMA user_version = 1;",
	/* 2: meta, for what is not a run (the views' hash) */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") STRICT;"
	"PRAGMA user_version = 2;",
	/* 3: where the scenario was read from, for `memsim replay` */
	("ALTER TABLE runs ADD COLUMN scenario_path TEXT;"
	"PRAGMA user_version = 3;"),
	/*
	 * 4: a run is (scenario, params, choice sequence): the overridden
	 * choices join the key, with the deadlock signature.  SQLite cannot
	 * change a table's UNIQUE constraint, so the table is rebuilt (with
	 * foreign keys off, see migrate_one()).
	 */
	"CREATE TABLE runs_v4 ("
	"  id INTEGER PRIMARY KEY,"
	"  scenario TEXT NOT NULL,"
	"  scenario_sha256 TEXT NOT NULL,"
	"  allocator TEXT NOT NULL,"
	"  reserve_n INTEGER,"
	"  seed INTEGER NOT NULL,"
	"  params TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  deadlock_kind TEXT,"
	"  message TEXT,"
	"  end_time REAL,"
	"  deadlock_time REAL,"
	"  min_free_pages INTEGER,"
	"  pageouts INTEGER,"
	"  swapins INTEGER,"
	"  oom_kills INTEGER,"
	"  page_faults INTEGER,"
	"  pages_scanned INTEGER,"
	"  pages_freed INTEGER,"
	"  pd_blocked_seconds REAL,"
	"  pd_pbuf_wait_seconds REAL,"
	"  swapmeta_pages_peak INTEGER,"
	"  swapmeta_allocs INTEGER,"
	"  swapmeta_alloc_failures INTEGER,"
	"  kmem_slab_allocs INTEGER,"
	"  slab_alloc_waits INTEGER,"
	"  reserve_refill_failures INTEGER,"
	"  reserve_min_level INTEGER,"
	"  kva_peak INTEGER,"
	"  swap_peak_pages INTEGER,"
	"  irq_alloc_failures INTEGER,"
	"  events_dropped INTEGER,"
	"  sg_calls INTEGER,"
	"  page_events INTEGER,"
	"  wall_seconds REAL,"
	"  digest TEXT,"
	"  memsim_version TEXT,"
	"  simgrid_version TEXT,"
	"  lua_version TEXT,"
	"  sqlite_version TEXT,"
	"  created_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  scenario_path TEXT,"
	"  choices TEXT NOT NULL DEFAULT '',"
	"  signature TEXT NOT NULL DEFAULT '',"
	"  signature_hash TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (scenario_sha256, params, seed, choices)"
	") STRICT;"
	"INSERT INTO runs_v4 (id, " RUN_COLS_V3 ", created_at)"
	" SELECT id, " RUN_COLS_V3 ", created_at FROM runs;"
	"DROP TABLE runs;"
	"ALTER TABLE runs_v4 RENAME TO runs;"
	"CREATE INDEX runs_signature ON runs(signature_hash)"
	" WHERE signature_hash != '';"
	"PRAGMA user_version = 4;",
	/*
	 * 5: the longest stretch without progress that was not a deadlock
	 * (NULL for runs recorded before the verdict kept stalls)
	 */
	("ALTER TABLE runs ADD COLUMN longest_stall_seconds REAL;"
	"PRAGMA user_version = 5;"),
	/*
	 * 6: column names say what they hold and in which unit, and "not
	 * applicable" is NULL, not -1.  The views are re-created after
	 * migrating (ensure_views()); legacy_alter_table (migrate_one())
	 * lets the old ones stand until then.
	 */
	("ALTER TABLE runs RENAME COLUMN pd_blocked_seconds"
	" TO pagedaemon_blocked_seconds;"
	"ALTER TABLE runs RENAME COLUMN pd_pbuf_wait_seconds"
	" TO pagedaemon_pbuf_wait_seconds;"
	"ALTER TABLE runs RENAME COLUMN kva_peak TO kva_peak_bytes;"
	"ALTER TABLE samples RENAME COLUMN kva_used TO kva_used_bytes;"
	"UPDATE samples SET reserve_level = NULL WHERE reserve_level < 0;"
	"UPDATE runs SET reserve_min_level = NULL WHERE reserve_min_level < 0;"
	"PRAGMA user_version = 6;"),
	/*
	 * 7: `run --force` stores a key again beside its first row, so
	 * rerun (0 for the first) joins the key; still_running says which
	 * processes a survived run left at work and how far they got.  The
	 * key changes, so the table is rebuilt as in 4.
	 */
	"CREATE TABLE runs_v7 ("
	"  id INTEGER PRIMARY KEY,"
	"  scenario TEXT NOT NULL,"
	"  scenario_sha256 TEXT NOT NULL,"
	"  allocator TEXT NOT NULL,"
	"  reserve_n INTEGER,"
	"  seed INTEGER NOT NULL,"
	"  params TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  deadlock_kind TEXT,"
	"  message TEXT,"
	"  end_time REAL,"
	"  deadlock_time REAL,"
	"  min_free_pages INTEGER,"
	"  pageouts INTEGER,"
	"  swapins INTEGER,"
	"  oom_kills INTEGER,"
	"  page_faults INTEGER,"
	"  pages_scanned INTEGER,"
	"  pages_freed INTEGER,"
	"  pagedaemon_blocked_seconds REAL,"
	"  pagedaemon_pbuf_wait_seconds REAL,"
	"  swapmeta_pages_peak INTEGER,"
	"  swapmeta_allocs INTEGER,"
	"  swapmeta_alloc_failures INTEGER,"
	"  kmem_slab_allocs INTEGER,"
	"  slab_alloc_waits INTEGER,"
	"  reserve_refill_failures INTEGER,"
	"  reserve_min_level INTEGER,"
	"  kva_peak_bytes INTEGER,"
	"  swap_peak_pages INTEGER,"
	"  irq_alloc_failures INTEGER,"
	"  events_dropped INTEGER,"
	"  sg_calls INTEGER,"
	"  page_events INTEGER,"
	"  wall_seconds REAL,"
	"  digest TEXT,"
	"  memsim_version TEXT,"
	"  simgrid_version TEXT,"
	"  lua_version TEXT,"
	"  sqlite_version TEXT,"
	"  created_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  scenario_path TEXT,"
	"  choices TEXT NOT NULL DEFAULT '',"
	"  signature TEXT NOT NULL DEFAULT '',"
	"  signature_hash TEXT NOT NULL DEFAULT '',"
	"  longest_stall_seconds REAL,"
	"  rerun INTEGER NOT NULL DEFAULT 0,"
	"  still_running TEXT,"
	"  UNIQUE (scenario_sha256, params, seed, choices, rerun)"
	") STRICT;"
	"INSERT INTO runs_v7 (id, " RUN_COLS_V6 ", created_at)"
	" SELECT id, " RUN_COLS_V6 ", created_at FROM runs;"
	"DROP TABLE runs;"
	"ALTER TABLE runs_v7 RENAME TO runs;"
	"CREATE INDEX runs_signature ON runs(signature_hash)"
	" WHERE signature_hash != '';"
	"PRAGMA user_version = 7;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

/* No child row may point at a run that is not there. */
static int fk_check(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s,
	    NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : SQLITE_CONSTRAINT;
}

/*
 * One migration per transaction.  user_version is read again inside the
 * transaction, so two processes opening a new database at once do not
 * both apply the same migration.
 */
static int migrate_one(struct store *st, int *done, char *err,
    size_t errlen)
{
	int64_t v = 0, nv = 0;
	int rc;

	/*
	 * A migration that rebuilds a table (4) must not cascade the drop
	 * of the old one into its child rows, nor have ALTER TABLE re-check
	 * the views that name it: both settings only change outside a
	 * transaction, so they are set for every migration and restored.
	 */
	sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF;"
	    "PRAGMA legacy_alter_table = ON", NULL, NULL, NULL);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = store_query_int(st->db, "PRAGMA user_version", &v);
	if (rc == SQLITE_OK && v < STORE_SCHEMA_VERSION) {
		rc = sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = store_query_int(st->db, "PRAGMA user_version",
			    &nv);
		assert(rc != SQLITE_OK || nv == v + 1);
	}
	if (rc == SQLITE_OK)
		rc = fk_check(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: schema migration %lld: %s",
		    st->path, (long long)v + 1, store_db_error(st));
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA legacy_alter_table = OFF;"
		    "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		return -1;
	}
	sqlite3_exec(st->db, "PRAGMA legacy_alter_table = OFF;"
	    "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (v > STORE_SCHEMA_VERSION) {
		store_seterr(err, errlen,
		    "%s: database schema version %lld is newer than this"
		    " memsim (%d)", st->path, (long long)v,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	*done = v >= STORE_SCHEMA_VERSION || nv >= STORE_SCHEMA_VERSION;
	return 0;
}

int store_schema_migrate(struct store *st, char *err, size_t errlen)
{
	int64_t v = 0;
	int done = 0;

	/*
	 * Up to date: no write transaction, so opening a database that
	 * another process is writing waits for nobody.
	 */
	if (store_query_int(st->db, "PRAGMA user_version", &v) == SQLITE_OK &&
	    v == STORE_SCHEMA_VERSION)
		return 0;
	if (st->read_only) {
		store_seterr(err, errlen, "%s: database schema version %lld is "
		    "older than this memsim's (%d) and cannot be written "
		    "here to migrate it: run memsim report on it once "
		    "where it can be written", st->path, (long long)v,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	while (!done)
		if (migrate_one(st, &done, err, errlen) != 0)
			return -1;
	return 0;
}

/* A statement yielding one text value into buf ("" when no row). */
static int query_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	int rc;

	buf[0] = '\0';
	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(buf, len, "%s", sqlite3_column_text(s, 0));
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	return rc;
}

static int set_views_hash(sqlite3 *db, const char *hex)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES ('views_sha256', ?1)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_bind_text(s, 1, hex, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * A database we may only read, with views from another memsim: this
 * one's views as TEMP views, which shadow the stored ones for this
 * connection and write nothing to the file.
 */
static int temp_views(struct store *st, char *err, size_t errlen)
{
	const char *p = embed_views_sql, *nl;
	char *sql = xmalloc(2 * strlen(embed_views_sql) + 1), *o = sql;
	int rc;

	for (; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		if (strncmp(p, "DROP VIEW", 9) == 0)
			continue;
		if (strncmp(p, "CREATE VIEW ", 12) == 0) {
			o += sprintf(o, "CREATE TEMP VIEW ");
			p += 12;
		}
		memcpy(o, p, (size_t)(nl - p));
		o += nl - p;
	}
	*o = '\0';
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: creating the views: %s",
		    st->path, store_db_error(st));
		return -1;
	}
	return 0;
}

/*
 * (Re-)create the views when analyze/views.sql changed since they were
 * made.  The hash is read again inside the transaction, so two
 * processes opening the database at once do the work once.
 */
int store_schema_views(struct store *st, char *err, size_t errlen)
{
	const char *q = "SELECT value FROM meta WHERE key = 'views_sha256'";
	char want[SHA256_HEX_LEN], have[SHA256_HEX_LEN];
	int rc;

	sha256_hex(embed_views_sql, strlen(embed_views_sql), want);
	rc = query_text(st->db, q, have, sizeof(have));
	if (rc == SQLITE_OK && strcmp(have, want) == 0)
		return 0;
	if (rc == SQLITE_OK && st->read_only)
		return temp_views(st, err, errlen);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_text(st->db, q, have, sizeof(have));
	if (rc == SQLITE_OK && strcmp(have, want) != 0) {
		rc = sqlite3_exec(st->db, embed_views_sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = set_views_hash(st->db, want);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: creating the views: %s",
		    st->path, store_db_error(st));
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}
