/*
 * store: the one owner of SQLite.
 *
 * A store is one connection to one results database (this file opens
 * it and keeps its schema; store_run inserts runs, store_query reads
 * them back, store_merge copies other databases in).  Opening it checks
 * that the file is a SQLite database this memsim understands, switches
 * it to WAL (so `memsim report` can read while a sweep writes), and
 * brings the schema up to STORE_SCHEMA_VERSION by numbered migrations
 * keyed on PRAGMA user_version, each in its own transaction.  A run and
 * its child rows go in with statements prepared once per store, inside
 * one BEGIN IMMEDIATE transaction, so a failure leaves nothing behind;
 * a sweep's runs go in batches, one transaction per batch.  The views of
 * analyze/views.sql are compiled in (embed_views_sql) and re-created when
 * their text changes.  No SQL is ever built from values: everything
 * variable is bound, the path of a merged database included.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sha256.h"
#include "store_db.h"
#include "xmalloc.h"

/* analyze/views.sql, turned into a C string at build time (meson.build) */
extern const char embed_views_sql[];

#define DEFAULT_BUSY_MS	10000

/*
 * Migration N (1-based) takes user_version from N-1 to N and must end
 * by setting it; migrate() checks that it did.  Never edit a migration
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

/* The mode PRAGMA journal_mode reports after asking for WAL. */
static int set_wal(sqlite3 *db, char *mode, size_t modelen)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(mode, modelen, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * WAL mode creates path-wal and path-shm beside the database, so its
 * directory must be writable even to read.  Asked up front, because
 * SQLite's own failure then reports the errno of a later probe ("No
 * such file or directory") rather than why.
 */
static int check_dir(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc = 0;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else {
		dir = xstrdup(path);
		dir[slash - path] = '\0';
	}
	if (access(dir, W_OK) != 0) {
		store_seterr(err, errlen, "%s: cannot open database: directory "
		    "%s: %s", path, dir, strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

static int check_path(const char *path, int read_only, char *err,
    size_t errlen)
{
	struct stat sb;

	if (path[0] == '\0') {
		store_seterr(err, errlen, "empty database path");
		return -1;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		store_seterr(err, errlen, "%s: is a directory, not a database "
		    "file", path);
		return -1;
	}
	/* a FIFO or a device would block or fail in obscure ways */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		store_seterr(err, errlen, "%s: is not a regular file, not a "
		    "database file", path);
		return -1;
	}
	return read_only ? 0 : check_dir(path, err, errlen);
}

/*
 * A WAL database in a directory we cannot write: SQLite cannot make the
 * -shm file a reader needs, so, there being no writer either (it would
 * have made one), read it as immutable.  file: URI, path escaped.
 */
static int reopen_immutable(struct store *st)
{
	char *uri = xmalloc(3 * strlen(st->path) + 32), *o = uri;
	const char *p;
	int rc;

	o += sprintf(o, "file:");
	for (p = st->path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += sprintf(o, "%%%02X", (unsigned char)*p);
		else
			*o++ = *p;
	}
	sprintf(o, "?immutable=1");
	sqlite3_close(st->db);
	st->db = NULL;
	rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL);
	free(uri);
	return rc;
}

static int open_db(struct store *st, char *err, size_t errlen)
{
	int rc, eno;
	int64_t v;

	rc = sqlite3_open_v2(st->path, &st->db, st->read_only ?
	    SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    NULL);
	if (rc == SQLITE_OK && st->read_only && access(st->path, F_OK) == 0 &&
	    (store_query_int(st->db, "PRAGMA user_version", &v) &
	    0xff) == SQLITE_CANTOPEN)
		rc = reopen_immutable(st);
	if (st->db == NULL) {
		store_seterr(err, errlen, "%s: cannot open database: %s",
		    st->path, sqlite3_errstr(rc));
		return -1;
	}
	if (rc != SQLITE_OK) {
		eno = sqlite3_system_errno(st->db);
		store_seterr(err, errlen, "%s: cannot open database: %s%s%s%s",
		    st->path, sqlite3_errmsg(st->db), eno ? " (" : "",
		    eno ? strerror(eno) : "", eno ? ")" : "");
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	if (!st->read_only && sqlite3_db_readonly(st->db, "main") == 1) {
		store_seterr(err, errlen, "%s: database is read-only",
		    st->path);
		return -1;
	}
	return 0;
}

/* Is this a SQLite file, and not from a newer memsim?  Writes nothing. */
static int check_version(struct store *st, char *err, size_t errlen)
{
	int64_t v = 0;
	int rc;

	rc = store_query_int(st->db, "PRAGMA user_version", &v);
	if (store_is_notadb(rc)) {
		store_seterr(err, errlen, "%s: not a SQLite database",
		    st->path);
		return -1;
	}
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		store_seterr(err, errlen,
		    "%s: database schema version %lld is newer than this"
		    " memsim (%d)", st->path, (long long)v,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

static int set_pragmas(struct store *st, char *err, size_t errlen)
{
	char mode[32] = "";
	int64_t fk = 0;
	int rc, waited;

	if (st->read_only)
		goto keys;	/* the journal mode is the writer's */
	/*
	 * A new file starts in rollback mode, and switching it to WAL takes
	 * the exclusive lock.  Two openers switching at once each hold a
	 * shared lock and wait for the other's; SQLite sees that deadlock
	 * and answers SQLITE_BUSY at once without calling the busy handler,
	 * so the wait for the other opener is done here, within busy_ms.
	 */
	for (waited = 0;; waited += 10) {
		rc = set_wal(st->db, mode, sizeof(mode));
		if ((rc & 0xff) != SQLITE_BUSY || waited >= st->busy_ms)
			break;
		sqlite3_sleep(10);
	}
	if (rc == SQLITE_OK && strcmp(mode, "wal") != 0 &&
	    strcmp(mode, "memory") != 0) {
		store_seterr(err, errlen, "%s: cannot use WAL (journal mode is "
		    "%s)", st->path, mode);
		return -1;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL",
		    NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
		return -1;
	}
keys:
	rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL);
	if (rc == SQLITE_OK)
		rc = store_query_int(st->db, "PRAGMA foreign_keys", &fk);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
		return -1;
	}
	/* Replacing a run relies on ON DELETE CASCADE. */
	if (fk != 1) {
		store_seterr(err, errlen, "%s: this SQLite has no foreign keys",
		    st->path);
		return -1;
	}
	return 0;
}

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

static int migrate(struct store *st, char *err, size_t errlen)
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
 * (Re-)create the views when analyze/views.sql changed since they were
 * made.  The hash is read again inside the transaction, so two
 * processes opening the database at once do the work once.
 */
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

static int ensure_views(struct store *st, char *err, size_t errlen)
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

static int prepare_all(struct store *st, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < S_COUNT; i++) {
		rc = sqlite3_prepare_v3(st->db, store_stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_seterr(err, errlen, "%s: %s", st->path,
			    store_db_error(st));
			return -1;
		}
	}
	return 0;
}

int store_open(struct store **out, const char *path, char *err,
    size_t errlen)
{
	return store_open_opts(out, path, NULL, err, errlen);
}

int store_open_opts(struct store **out, const char *path,
    const struct store_opts *o, char *err, size_t errlen)
{
	struct store *st;

	assert(out != NULL && path != NULL);
	*out = NULL;
	if (check_path(path, o != NULL && o->read_only, err, errlen) != 0)
		return -1;
	if (o != NULL && o->must_exist && access(path, F_OK) != 0) {
		store_seterr(err, errlen, "%s: no such database", path);
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->busy_ms = o != NULL && o->busy_ms > 0 ? o->busy_ms :
	    DEFAULT_BUSY_MS;
	/* a reader that could write migrates as any opener does */
	st->read_only = o != NULL && o->read_only &&
	    (access(path, W_OK) != 0 || check_dir(path, NULL, 0) != 0);
	if (open_db(st, err, errlen) != 0 ||
	    check_version(st, err, errlen) != 0 ||
	    set_pragmas(st, err, errlen) != 0 ||
	    migrate(st, err, errlen) != 0 ||
	    ensure_views(st, err, errlen) != 0 ||
	    prepare_all(st, err, errlen) != 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	int i, rc;

	if (st == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	rc = sqlite3_close(st->db);
	assert(rc == SQLITE_OK);	/* every statement is finalized */
	(void)rc;
	free(st->memsim_version);
	free(st->simgrid_version);
	free(st->lua_version);
	free(st->path);
	free(st);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void store_set_force(struct store *st, int force)
{
	assert(st != NULL);
	st->force = force != 0;
}

void store_set_versions(struct store *st, const char *memsim,
    const char *simgrid, const char *lua)
{
	assert(st != NULL);
	free(st->memsim_version);
	free(st->simgrid_version);
	free(st->lua_version);
	st->memsim_version = dup_or_null(memsim);
	st->simgrid_version = dup_or_null(simgrid);
	st->lua_version = dup_or_null(lua);
}
