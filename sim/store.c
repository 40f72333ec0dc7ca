/*
 * store: the one owner of SQLite.
 *
 * A store is one connection to one results database.  Opening it checks
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
#include "signature.h"
#include "xmalloc.h"

/* analyze/views.sql, turned into a C string at build time (meson.build) */
extern const char embed_views_sql[];

#define DEFAULT_BUSY_MS	10000

/* Every column of runs that a run brings (id and created_at are ours). */
#define RUN_COLS_V3 "scenario, scenario_sha256, allocator," \
	" reserve_n, seed, params, outcome, deadlock_kind, message," \
	" end_time, deadlock_time, min_free_pages, pageouts, swapins," \
	" oom_kills, page_faults, pages_scanned, pages_freed," \
	" pd_blocked_seconds, pd_pbuf_wait_seconds, swapmeta_pages_peak," \
	" swapmeta_allocs, swapmeta_alloc_failures, kmem_slab_allocs," \
	" slab_alloc_waits, reserve_refill_failures, reserve_min_level," \
	" kva_peak, swap_peak_pages, irq_alloc_failures, events_dropped," \
	" sg_calls, page_events, wall_seconds, digest, memsim_version," \
	" simgrid_version, lua_version, sqlite_version, scenario_path"
#define RUN_COLS RUN_COLS_V3 ", choices, signature, signature_hash"
#define RUN_VALUES \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?"
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
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_FIND,
	S_DELETE,
	S_RUN,
	S_WAIT,
	S_SAMPLE,
	S_EVENT,
	S_COUNTER,
	S_RUN_NEW,
	S_OUTCOME,
	S_SWEEP_FIND,
	S_SWEEP_NEW,
	S_SWEEP_SET,
	S_SWEEP_DONE,
	S_RATES,
	S_RUN_GET,
	S_SAMPLES,
	S_COUNTERS,
	S_WAITS,
	S_EVENTS_LAST,
	S_REPLAY,
	S_PARAMS,
	S_COUNT
};

#define KEY_WHERE " WHERE scenario_sha256 = ?1 AND params = ?2 AND seed = ?3" \
	" AND choices = ?4"

#define NOW_UTC "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FIND] = "SELECT id FROM runs" KEY_WHERE,
	[S_DELETE] = "DELETE FROM runs" KEY_WHERE,
	[S_RUN] = "INSERT INTO runs (" RUN_COLS ") VALUES (" RUN_VALUES ")",
	[S_WAIT] = "INSERT INTO waits (run_id, thread, channel, since, detail)"
	    " VALUES (?, ?, ?, ?, ?)",
	[S_SAMPLE] = "INSERT INTO samples (run_id, t, free, cache, inactive,"
	    " active, wired, busy, swap_used, swapmeta_pages, kva_used,"
	    " async_inflight, reserve_level)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_EVENT] = "INSERT INTO events (run_id, t, kind, thread, detail)"
	    " VALUES (?, ?, ?, ?, ?)",
	[S_COUNTER] = "INSERT INTO counters (run_id, name, value)"
	    " VALUES (?, ?, ?)",
	/* A sweep's insert: a run already stored is left as it is. */
	[S_RUN_NEW] = "INSERT INTO runs (" RUN_COLS ") VALUES (" RUN_VALUES ")"
	    " ON CONFLICT (scenario_sha256, params, seed, choices) DO NOTHING",
	[S_OUTCOME] = "SELECT outcome FROM runs" KEY_WHERE,
	[S_SWEEP_FIND] = "SELECT id FROM sweeps WHERE scenario_sha256 = ?1"
	    " AND grid = ?2 ORDER BY id DESC LIMIT 1",
	[S_SWEEP_NEW] = "INSERT INTO sweeps (scenario, scenario_sha256, grid,"
	    " started, runs_planned, runs_done) VALUES (?1, ?2, ?3, " NOW_UTC
	    ", ?4, ?5)",
	[S_SWEEP_SET] = "UPDATE sweeps SET runs_planned = ?2, runs_done = ?3,"
	    " finished = CASE WHEN ?4 THEN " NOW_UTC " END WHERE id = ?1",
	[S_SWEEP_DONE] = "UPDATE sweeps SET runs_done = ?2 WHERE id = ?1",
	[S_RATES] = "SELECT scenario, allocator, reserve_n, runs, deadlocks,"
	    " errors, rate, wilson_low, wilson_high, median_time_to_deadlock,"
	    " median_pd_blocked_seconds, peak_swapmeta_pages,"
	    " lowest_reserve_level, panics FROM deadlock_rate"
	    " WHERE ?1 IS NULL OR scenario = ?1"
	    " ORDER BY scenario, allocator, reserve_n",
	[S_RUN_GET] = "SELECT scenario, scenario_sha256, allocator, reserve_n,"
	    " seed, params, outcome, end_time, deadlock_time, deadlock_kind,"
	    " message FROM runs WHERE id = ?1",
	[S_SAMPLES] = "SELECT t, free, cache, inactive, active, wired, busy,"
	    " swap_used, swapmeta_pages, kva_used, async_inflight,"
	    " reserve_level FROM samples WHERE run_id = ?1 ORDER BY t, rowid",
	[S_COUNTERS] = "SELECT name, value FROM counters WHERE run_id = ?1"
	    " ORDER BY rowid",
	[S_WAITS] = "SELECT thread, channel, since, detail FROM waits"
	    " WHERE run_id = ?1 ORDER BY rowid",
	[S_EVENTS_LAST] = "SELECT t, kind, thread, detail FROM (SELECT rowid"
	    " AS r, t, kind, thread, detail FROM events WHERE run_id = ?1"
	    " ORDER BY rowid DESC LIMIT ?2) ORDER BY r",
	[S_REPLAY] = "SELECT scenario, scenario_path, scenario_sha256, seed,"
	    " params, digest, outcome, choices FROM runs WHERE id = ?1",
	/* params is the JSON object simrun_params_json() wrote */
	[S_PARAMS] = "SELECT key, value FROM json_each(?1) ORDER BY key",
};

struct store {
	sqlite3 *db;
	char *path;
	int busy_ms;
	char *memsim_version, *simgrid_version, *lua_version;
	sqlite3_stmt *stmt[S_COUNT];
	char msg[256];		/* SQLite's message for the last failure */
	char errbuf[320];	/* db_error()'s */
};

/*
 * SQLite's message for the connection's last error, with the system's
 * reason when the file system failed: "disk I/O error" alone does not
 * say that the disk is full or over the file-size limit.
 */
static const char *db_error(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	int eno = sqlite3_system_errno(st->db);

	if (eno != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN))
		snprintf(st->errbuf, sizeof(st->errbuf), "%s (%s)",
		    sqlite3_errmsg(st->db), strerror(eno));
	else
		snprintf(st->errbuf, sizeof(st->errbuf), "%s",
		    sqlite3_errmsg(st->db));
	return st->errbuf;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* One line, whatever a path or a message contained. */
	for (p = err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/*
 * SQLite integers are signed 64-bit.  Keep the bit pattern, so seeds of
 * 2^63 and up are stored as negative numbers and still round-trip.
 */
static int64_t u64_to_i64(uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		return (int64_t)v;
	return (int64_t)(v - (uint64_t)INT64_MAX - 1) + INT64_MIN;
}

static int is_notadb(int rc)
{
	return (rc & 0xff) == SQLITE_NOTADB;
}

/* Run one statement that yields a single integer, e.g. a PRAGMA. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	/* No row (a PRAGMA this SQLite lacks) leaves *v as it was. */
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	return rc;
}

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
		seterr(err, errlen, "%s: cannot open database: directory %s: "
		    "%s", path, dir, strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

static int check_path(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (path[0] == '\0') {
		seterr(err, errlen, "empty database path");
		return -1;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s: is a directory, not a database file",
		    path);
		return -1;
	}
	/* a FIFO or a device would block or fail in obscure ways */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "%s: is not a regular file, not a database "
		    "file", path);
		return -1;
	}
	return check_dir(path, err, errlen);
}

static int open_db(struct store *st, char *err, size_t errlen)
{
	int rc, eno;

	rc = sqlite3_open_v2(st->path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (st->db == NULL) {
		seterr(err, errlen, "%s: cannot open database: %s", st->path,
		    sqlite3_errstr(rc));
		return -1;
	}
	if (rc != SQLITE_OK) {
		eno = sqlite3_system_errno(st->db);
		seterr(err, errlen, "%s: cannot open database: %s%s%s%s",
		    st->path, sqlite3_errmsg(st->db), eno ? " (" : "",
		    eno ? strerror(eno) : "", eno ? ")" : "");
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		seterr(err, errlen, "%s: database is read-only", st->path);
		return -1;
	}
	return 0;
}

/* Is this a SQLite file, and not from a newer memsim?  Writes nothing. */
static int check_version(struct store *st, char *err, size_t errlen)
{
	int64_t v = 0;
	int rc;

	rc = query_int(st->db, "PRAGMA user_version", &v);
	if (is_notadb(rc)) {
		seterr(err, errlen, "%s: not a SQLite database", st->path);
		return -1;
	}
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		seterr(err, errlen,
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
	int rc;

	rc = set_wal(st->db, mode, sizeof(mode));
	if (rc == SQLITE_OK && strcmp(mode, "wal") != 0 &&
	    strcmp(mode, "memory") != 0) {
		seterr(err, errlen, "%s: cannot use WAL (journal mode is %s)",
		    st->path, mode);
		return -1;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL;"
		    "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "PRAGMA foreign_keys", &fk);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
		return -1;
	}
	/* Replacing a run relies on ON DELETE CASCADE. */
	if (fk != 1) {
		seterr(err, errlen, "%s: this SQLite has no foreign keys",
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
		rc = query_int(st->db, "PRAGMA user_version", &v);
	if (rc == SQLITE_OK && v < STORE_SCHEMA_VERSION) {
		rc = sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = query_int(st->db, "PRAGMA user_version", &nv);
		assert(rc != SQLITE_OK || nv == v + 1);
	}
	if (rc == SQLITE_OK)
		rc = fk_check(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: schema migration %lld: %s", st->path,
		    (long long)v + 1, db_error(st));
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA legacy_alter_table = OFF;"
		    "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		return -1;
	}
	sqlite3_exec(st->db, "PRAGMA legacy_alter_table = OFF;"
	    "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (v > STORE_SCHEMA_VERSION) {
		seterr(err, errlen,
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
	if (query_int(st->db, "PRAGMA user_version", &v) == SQLITE_OK &&
	    v == STORE_SCHEMA_VERSION)
		return 0;
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
static int ensure_views(struct store *st, char *err, size_t errlen)
{
	const char *q = "SELECT value FROM meta WHERE key = 'views_sha256'";
	char want[SHA256_HEX_LEN], have[SHA256_HEX_LEN];
	int rc;

	sha256_hex(embed_views_sql, strlen(embed_views_sql), want);
	rc = query_text(st->db, q, have, sizeof(have));
	if (rc == SQLITE_OK && strcmp(have, want) == 0)
		return 0;
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
		seterr(err, errlen, "%s: creating the views: %s", st->path,
		    db_error(st));
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
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			seterr(err, errlen, "%s: %s", st->path,
			    db_error(st));
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
	if (check_path(path, err, errlen) != 0)
		return -1;
	if (o != NULL && o->must_exist && access(path, F_OK) != 0) {
		seterr(err, errlen, "%s: no such database", path);
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->busy_ms = o != NULL && o->busy_ms > 0 ? o->busy_ms :
	    DEFAULT_BUSY_MS;
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

/*
 * Binding one statement's parameters in order, keeping the first error
 * so the caller checks once.
 */
struct binder {
	sqlite3_stmt *s;
	int i;
	int rc;
};

static void bind_rc(struct binder *b, int rc)
{
	if (b->rc == SQLITE_OK)
		b->rc = rc;
}

static void bind_i64(struct binder *b, int64_t v)
{
	bind_rc(b, sqlite3_bind_int64(b->s, ++b->i, v));
}

static void bind_real(struct binder *b, double v)
{
	bind_rc(b, sqlite3_bind_double(b->s, ++b->i, v));
}

static void bind_null(struct binder *b)
{
	bind_rc(b, sqlite3_bind_null(b->s, ++b->i));
}

/* NULL stores NULL; the length bound keeps an unterminated field safe. */
static void bind_text(struct binder *b, const char *s, size_t max)
{
	if (s == NULL)
		bind_null(b);
	else
		bind_rc(b, sqlite3_bind_text(b->s, ++b->i, s,
		    (int)strnlen(s, max), SQLITE_TRANSIENT));
}

#define BIND_STR(b, field) bind_text((b), (field), sizeof(field))

static void bind_str_or_null(struct binder *b, const char *s, size_t max)
{
	if (s[0] == '\0')
		bind_null(b);
	else
		bind_text(b, s, max);
}

static void bind_i64_or_null(struct binder *b, int64_t v)
{
	if (v < 0)
		bind_null(b);
	else
		bind_i64(b, v);
}

/* Step a statement that returns no rows, reset it, note any failure. */
static int step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if ((rc & 0xff) == SQLITE_BUSY)
		snprintf(st->msg, sizeof(st->msg), "database is locked by "
		    "another process (gave up after %gs)",
		    st->busy_ms / 1000.0);
	else if (rc != SQLITE_DONE)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    db_error(st));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Check a binder's result, then step its statement. */
static int bound_step(struct store *st, struct binder *b)
{
	assert(b->i == sqlite3_bind_parameter_count(b->s));
	if (b->rc != SQLITE_OK) {
		snprintf(st->msg, sizeof(st->msg), "%s", sqlite3_errstr(b->rc));
		return b->rc;
	}
	return step_done(st, b->s);
}

static void bind_key(struct binder *b, const char *sha256, size_t shamax,
    const char *params, size_t parammax, uint64_t seed, const char *choices)
{
	bind_text(b, sha256, shamax);
	bind_text(b, params, parammax);
	bind_i64(b, u64_to_i64(seed));
	bind_text(b, choices, SIZE_MAX);
}

int store_find_run(struct store *st, const char *sha256, const char *params,
    uint64_t seed, int64_t *id)
{
	return store_find_run_seq(st, sha256, params, seed, "", id);
}

int store_find_run_seq(struct store *st, const char *sha256,
    const char *params, uint64_t seed, const char *choices, int64_t *id)
{
	struct binder b = { st->stmt[S_FIND], 0, SQLITE_OK };
	int rc, found = 0;

	bind_key(&b, sha256, strlen(sha256), params, strlen(params), seed,
	    choices);
	if (b.rc != SQLITE_OK) {
		snprintf(st->msg, sizeof(st->msg), "%s", sqlite3_errstr(b.rc));
		return -1;
	}
	rc = sqlite3_step(b.s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(b.s, 0);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		snprintf(st->msg, sizeof(st->msg), "%s",
		    db_error(st));
		found = -1;
	}
	sqlite3_reset(b.s);
	return found;
}

static int delete_run(struct store *st, const struct run_row *row)
{
	struct binder b = { st->stmt[S_DELETE], 0, SQLITE_OK };

	bind_key(&b, row->scenario_sha256, sizeof(row->scenario_sha256),
	    row->params, sizeof(row->params), row->seed, row->choices);
	return bound_step(st, &b);
}

static void bind_counts(struct binder *b, const struct run_row *row)
{
	bind_i64(b, row->min_free_pages);
	bind_i64(b, row->pageouts);
	bind_i64(b, row->swapins);
	bind_i64(b, row->oom_kills);
	bind_i64(b, row->page_faults);
	bind_i64(b, row->pages_scanned);
	bind_i64(b, row->pages_freed);
	bind_real(b, row->pd_blocked_seconds);
	bind_real(b, row->pd_pbuf_wait_seconds);
	bind_i64(b, row->swapmeta_pages_peak);
	bind_i64(b, row->swapmeta_allocs);
	bind_i64(b, row->swapmeta_alloc_failures);
	bind_i64(b, row->kmem_slab_allocs);
	bind_i64(b, row->slab_alloc_waits);
	/* Both -1 without a reserve (result_init()): NULL, not a count. */
	bind_i64_or_null(b, row->reserve_refill_failures);
	bind_i64_or_null(b, row->reserve_min_level);
	bind_i64(b, row->kva_peak);
	bind_i64(b, row->swap_peak_pages);
	bind_i64(b, row->irq_alloc_failures);
	bind_i64(b, row->events_dropped);
	bind_i64(b, u64_to_i64(row->sg_calls));
	bind_i64(b, u64_to_i64(row->page_events));
}

static int insert_run(struct store *st, const struct run_row *row,
    int which)
{
	struct binder b = { st->stmt[which], 0, SQLITE_OK };

	BIND_STR(&b, row->scenario);
	BIND_STR(&b, row->scenario_sha256);
	BIND_STR(&b, row->allocator);
	bind_i64_or_null(&b, row->reserve_n);
	bind_i64(&b, u64_to_i64(row->seed));
	BIND_STR(&b, row->params);
	bind_text(&b, outcome_name(row->outcome), 64);
	bind_str_or_null(&b, row->deadlock_kind, sizeof(row->deadlock_kind));
	bind_str_or_null(&b, row->message, sizeof(row->message));
	bind_real(&b, row->end_time);
	if (row->deadlock_time < 0)
		bind_null(&b);
	else
		bind_real(&b, row->deadlock_time);
	bind_counts(&b, row);
	bind_real(&b, row->wall_seconds);
	BIND_STR(&b, row->digest);
	bind_text(&b, st->memsim_version, SIZE_MAX);
	bind_text(&b, st->simgrid_version, SIZE_MAX);
	bind_text(&b, st->lua_version, SIZE_MAX);
	bind_text(&b, sqlite3_libversion(), SIZE_MAX);
	bind_str_or_null(&b, row->scenario_path, sizeof(row->scenario_path));
	BIND_STR(&b, row->choices);
	BIND_STR(&b, row->signature);
	{
		char h[SIGNATURE_HASH_LEN] = "";
		if (row->signature[0])
			signature_hash(row->signature, h);
		bind_text(&b, h, sizeof(h));
	}
	return bound_step(st, &b);
}

static int insert_waits(struct store *st, const struct result *r,
    int64_t id)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < r->nwaits && rc == SQLITE_OK; i++) {
		const struct wait_row *w = &r->waits[i];
		struct binder b = { st->stmt[S_WAIT], 0, SQLITE_OK };

		bind_i64(&b, id);
		BIND_STR(&b, w->thread);
		BIND_STR(&b, w->channel);
		bind_real(&b, w->since);
		BIND_STR(&b, w->detail);
		rc = bound_step(st, &b);
	}
	return rc;
}

static int insert_samples(struct store *st, const struct result *r,
    int64_t id)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < r->nsamples && rc == SQLITE_OK; i++) {
		const struct sample_row *s = &r->samples[i];
		struct binder b = { st->stmt[S_SAMPLE], 0, SQLITE_OK };

		bind_i64(&b, id);
		bind_real(&b, s->t);
		bind_i64(&b, s->free);
		bind_i64(&b, s->cache);
		bind_i64(&b, s->inactive);
		bind_i64(&b, s->active);
		bind_i64(&b, s->wired);
		bind_i64(&b, s->busy);
		bind_i64(&b, s->swap_used);
		bind_i64(&b, s->swapmeta_pages);
		bind_i64(&b, s->kva_used);
		bind_i64(&b, s->async_inflight);
		bind_i64(&b, s->reserve_level);
		rc = bound_step(st, &b);
	}
	return rc;
}

static int insert_events(struct store *st, const struct result *r,
    int64_t id)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < r->nevents && rc == SQLITE_OK; i++) {
		const struct event_row *e = &r->events[i];
		struct binder b = { st->stmt[S_EVENT], 0, SQLITE_OK };

		bind_i64(&b, id);
		bind_real(&b, e->t);
		BIND_STR(&b, e->kind);
		BIND_STR(&b, e->thread);
		BIND_STR(&b, e->detail);
		rc = bound_step(st, &b);
	}
	return rc;
}

static int insert_counters(struct store *st, const struct result *r,
    int64_t id)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < r->ncounters && rc == SQLITE_OK; i++) {
		const struct counter_row *c = &r->counters[i];
		struct binder b = { st->stmt[S_COUNTER], 0, SQLITE_OK };

		bind_i64(&b, id);
		BIND_STR(&b, c->name);
		bind_i64(&b, c->value);
		rc = bound_step(st, &b);
	}
	return rc;
}

static int insert_children(struct store *st, const struct result *r,
    int64_t id)
{
	int rc;

	rc = insert_waits(st, r, id);
	if (rc == SQLITE_OK)
		rc = insert_samples(st, r, id);
	if (rc == SQLITE_OK)
		rc = insert_events(st, r, id);
	if (rc == SQLITE_OK)
		rc = insert_counters(st, r, id);
	return rc;
}

static int insert_all(struct store *st, const struct result *r,
    int replace, int64_t *id)
{
	int rc = SQLITE_OK;

	if (replace)
		rc = delete_run(st, &r->row);
	if (rc == SQLITE_OK)
		rc = insert_run(st, &r->row, S_RUN);
	if (rc != SQLITE_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	return insert_children(st, r, *id);
}

int store_insert(struct store *st, const struct result *r, int replace,
    int64_t *id, char *err, size_t errlen)
{
	const struct run_row *row = &r->row;
	int64_t newid = 0;
	int rc;

	assert(st != NULL && r != NULL && id != NULL);
	assert(r->nwaits == 0 || r->waits != NULL);
	assert(r->nsamples == 0 || r->samples != NULL);
	assert(r->nevents == 0 || r->events != NULL);
	assert(r->ncounters == 0 || r->counters != NULL);
	rc = step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = insert_all(st, r, replace, &newid);
	if (rc == SQLITE_OK)
		rc = step_done(st, st->stmt[S_COMMIT]);
	if (rc == SQLITE_OK) {
		*id = newid;
		return 0;
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		seterr(err, errlen, "%s: a run of scenario %.*s with seed %llu"
		    " and params %.*s is already stored", st->path,
		    (int)sizeof(row->scenario), row->scenario,
		    (unsigned long long)row->seed,
		    (int)sizeof(row->params), row->params);
	else
		seterr(err, errlen, "%s: cannot store run: %s", st->path,
		    st->msg);
	/* Some errors (full disk, I/O) have already rolled back. */
	if (!sqlite3_get_autocommit(st->db))
		step_done(st, st->stmt[S_ROLLBACK]);
	return -1;
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

/* ---------------------------------------------------------------------
 * Sweeps: resumable batches of runs.
 */

static int outcome_code(const char *name)
{
	int i;

	for (i = 0; i <= OUTCOME_ERROR; i++)
		if (strcmp(outcome_name(i), name) == 0)
			return i;
	return OUTCOME_ERROR;
}

int store_run_outcome(struct store *st, const char *sha256,
    const char *params, uint64_t seed, int *outcome)
{
	struct binder b = { st->stmt[S_OUTCOME], 0, SQLITE_OK };
	int rc, found = 0;

	bind_key(&b, sha256, strlen(sha256), params, strlen(params), seed, "");
	if (b.rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(b.s);
	if (rc == SQLITE_ROW) {
		*outcome = outcome_code((const char *)sqlite3_column_text(b.s,
		    0));
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_reset(b.s);
	return found;
}

/* Insert one run unless its key is stored; *added says which. */
static int insert_new(struct store *st, const struct result *r, int *added)
{
	int64_t id;
	int rc;

	*added = 0;
	rc = insert_run(st, &r->row, S_RUN_NEW);
	if (rc != SQLITE_OK || sqlite3_changes(st->db) == 0)
		return rc;
	*added = 1;
	id = sqlite3_last_insert_rowid(st->db);
	return insert_children(st, r, id);
}

static int sweep_set(struct store *st, int64_t id, int64_t planned,
    int64_t done, int finished)
{
	struct binder b = { st->stmt[S_SWEEP_SET], 0, SQLITE_OK };

	bind_i64(&b, id);
	bind_i64(&b, planned);
	bind_i64(&b, done);
	bind_i64(&b, finished != 0);
	return bound_step(st, &b);
}

/* The sweep's runs_done, keeping its runs_planned. */
static int sweep_done(struct store *st, int64_t id, int64_t done)
{
	struct binder b = { st->stmt[S_SWEEP_DONE], 0, SQLITE_OK };

	bind_i64(&b, id);
	bind_i64(&b, done);
	return bound_step(st, &b);
}

/* End a transaction begun with S_BEGIN: commit, or roll back on rc. */
static int end_tx(struct store *st, int rc, const char *what, char *err,
    size_t errlen)
{
	if (rc == SQLITE_OK)
		rc = step_done(st, st->stmt[S_COMMIT]);
	if (rc == SQLITE_OK)
		return 0;
	seterr(err, errlen, "%s: %s: %s", st->path, what, st->msg);
	if (!sqlite3_get_autocommit(st->db))
		step_done(st, st->stmt[S_ROLLBACK]);
	return -1;
}

int store_insert_batch(struct store *st, struct result *const *rs, int n,
    int64_t sweep_id, int64_t done, int *inserted, char *err,
    size_t errlen)
{
	int i, added, count = 0, rc;

	assert(st != NULL && (n == 0 || rs != NULL));
	rc = step_done(st, st->stmt[S_BEGIN]);
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		rc = insert_new(st, rs[i], &added);
		count += added;
	}
	if (rc == SQLITE_OK && sweep_id > 0)
		rc = sweep_done(st, sweep_id, done);
	if (end_tx(st, rc, "cannot store runs", err, errlen) != 0)
		return -1;
	if (inserted != NULL)
		*inserted = count;
	return 0;
}

static int sweep_find(struct store *st, const char *sha256,
    const char *grid, int64_t *id)
{
	sqlite3_stmt *s = st->stmt[S_SWEEP_FIND];
	int rc;

	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, grid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    db_error(st));
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int sweep_new(struct store *st, const char *scenario,
    const char *sha256, const char *grid, int64_t planned, int64_t done,
    int64_t *id)
{
	struct binder b = { st->stmt[S_SWEEP_NEW], 0, SQLITE_OK };
	int rc;

	bind_text(&b, scenario, SIZE_MAX);
	bind_text(&b, sha256, SIZE_MAX);
	bind_text(&b, grid, SIZE_MAX);
	bind_i64(&b, planned);
	bind_i64(&b, done);
	rc = bound_step(st, &b);
	if (rc == SQLITE_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_sweep_begin(struct store *st, const char *scenario,
    const char *sha256, const char *grid, int64_t planned, int64_t done,
    int64_t *id, char *err, size_t errlen)
{
	int rc;

	*id = 0;
	rc = step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = sweep_find(st, sha256, grid, id);
	if (rc == SQLITE_OK && *id > 0)
		rc = sweep_set(st, *id, planned, done, 0);
	else if (rc == SQLITE_OK)
		rc = sweep_new(st, scenario, sha256, grid, planned, done, id);
	return end_tx(st, rc, "cannot record the sweep", err, errlen);
}

int store_sweep_set(struct store *st, int64_t id, int64_t planned,
    int64_t done, int finished, char *err, size_t errlen)
{
	int rc;

	rc = step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = sweep_set(st, id, planned, done, finished);
	return end_tx(st, rc, "cannot record the sweep", err, errlen);
}

/* ---------------------------------------------------------------------
 * Merging databases (shards of one sweep, results of several machines).
 */

int store_check_source(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	sqlite3 *db = NULL;
	int64_t v = -1;
	int rc;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "%s: no such database", path);
		return -1;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = query_int(db, "PRAGMA user_version", &v);
	if (rc != SQLITE_OK)
		seterr(err, errlen, "%s: %s", path, is_notadb(rc) ?
		    "not a SQLite database" : sqlite3_errmsg(db));
	else if (v != STORE_SCHEMA_VERSION)
		seterr(err, errlen, "%s: database schema version %lld, this "
		    "memsim merges only version %d (%s)", path, (long long)v,
		    STORE_SCHEMA_VERSION, v > STORE_SCHEMA_VERSION ?
		    "it is newer: use a newer memsim" : "open it once with "
		    "this memsim, e.g. memsim report --db, to upgrade it");
	sqlite3_close(db);
	return rc == SQLITE_OK && v == STORE_SCHEMA_VERSION ? 0 : -1;
}

/*
 * The copy, in order, inside one transaction.  temp.merge_new holds the
 * source ids of runs whose key is not here yet; temp.merge_map pairs
 * them with their new ids, so child rows follow their run.
 */
static const char *const merge_sql[] = {
	"CREATE TEMP TABLE merge_new (old INTEGER PRIMARY KEY)",
	"INSERT INTO temp.merge_new SELECT s.id FROM src.runs s"
	" WHERE NOT EXISTS (SELECT 1 FROM main.runs m"
	"  WHERE m.scenario_sha256 = s.scenario_sha256"
	"  AND m.params = s.params AND m.seed = s.seed"
	"  AND m.choices = s.choices)",
	"INSERT INTO main.runs (" RUN_COLS ", created_at)"
	" SELECT " RUN_COLS ", created_at FROM src.runs"
	" WHERE id IN (SELECT old FROM temp.merge_new) ORDER BY id",
	"CREATE TEMP TABLE merge_map AS SELECT n.old AS old, m.id AS new"
	" FROM temp.merge_new n JOIN src.runs s ON s.id = n.old"
	" JOIN main.runs m ON m.scenario_sha256 = s.scenario_sha256"
	"  AND m.params = s.params AND m.seed = s.seed"
	"  AND m.choices = s.choices",
	"INSERT INTO main.waits (run_id, thread, channel, since, detail)"
	" SELECT map.new, thread, channel, since, detail FROM src.waits w"
	" JOIN temp.merge_map map ON map.old = w.run_id ORDER BY w.rowid",
	"INSERT INTO main.samples (run_id, t, free, cache, inactive, active,"
	" wired, busy, swap_used, swapmeta_pages, kva_used, async_inflight,"
	" reserve_level) SELECT map.new, t, free, cache, inactive, active,"
	" wired, busy, swap_used, swapmeta_pages, kva_used, async_inflight,"
	" reserve_level FROM src.samples x"
	" JOIN temp.merge_map map ON map.old = x.run_id ORDER BY x.rowid",
	"INSERT INTO main.events (run_id, t, kind, thread, detail)"
	" SELECT map.new, t, kind, thread, detail FROM src.events e"
	" JOIN temp.merge_map map ON map.old = e.run_id ORDER BY e.rowid",
	"INSERT INTO main.counters (run_id, name, value)"
	" SELECT map.new, name, value FROM src.counters c"
	" JOIN temp.merge_map map ON map.old = c.run_id ORDER BY c.rowid",
	"INSERT INTO main.sweeps (scenario, scenario_sha256, grid, started,"
	" finished, runs_planned, runs_done) SELECT scenario, scenario_sha256,"
	" grid, started, finished, runs_planned, runs_done FROM src.sweeps s"
	" WHERE NOT EXISTS (SELECT 1 FROM main.sweeps m"
	"  WHERE m.scenario_sha256 IS s.scenario_sha256"
	"  AND m.grid IS s.grid AND m.started IS s.started) ORDER BY id",
};

static int merge_copy(struct store *st, struct store_merge_stats *ms)
{
	int64_t total = 0;
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < sizeof(merge_sql) / sizeof(merge_sql[0]); i++) {
		rc = sqlite3_exec(st->db, merge_sql[i], NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			break;
	}
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "SELECT count(*) FROM temp.merge_new",
		    &ms->added);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "SELECT count(*) FROM src.runs", &total);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "DROP TABLE temp.merge_new;"
		    "DROP TABLE temp.merge_map", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    db_error(st));
	ms->present = total - ms->added;
	return rc;
}

static int attach(struct store *st, const char *path)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS src", -1, &s,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		rc = step_done(st, s);
	} else {
		snprintf(st->msg, sizeof(st->msg), "%s",
		    db_error(st));
	}
	sqlite3_finalize(s);
	return rc;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int store_merge(struct store *st, const char *path,
    struct store_merge_stats *ms, char *err, size_t errlen)
{
	int rc;

	memset(ms, 0, sizeof(*ms));
	if (store_check_source(path, err, errlen) != 0)
		return -1;
	if (same_file(path, st->path)) {
		seterr(err, errlen, "%s: is the output database itself", path);
		return -1;
	}
	if (attach(st, path) != SQLITE_OK) {
		seterr(err, errlen, "%s: cannot attach: %s", path, st->msg);
		return -1;
	}
	rc = step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = merge_copy(st, ms);
	rc = end_tx(st, rc, "cannot merge", err, errlen);
	sqlite3_exec(st->db, "DETACH DATABASE src", NULL, NULL, NULL);
	if (rc != 0)
		memset(ms, 0, sizeof(*ms));
	return rc;
}

/* ---------------------------------------------------------------------
 * Reading back, for `memsim report`.
 */

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, i);
}

static int64_t col_i64(sqlite3_stmt *s, int i, int64_t null)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? null :
	    sqlite3_column_int64(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

static void rate_row(sqlite3_stmt *s, struct store_rate *r)
{
	memset(r, 0, sizeof(*r));
	col_text(s, 0, r->scenario, sizeof(r->scenario));
	col_text(s, 1, r->allocator, sizeof(r->allocator));
	r->reserve_n = (long)col_i64(s, 2, -1);
	r->runs = col_i64(s, 3, 0);
	r->deadlocks = col_i64(s, 4, 0);
	r->errors = col_i64(s, 5, 0);
	r->rate = col_real(s, 6);
	r->wilson_low = col_real(s, 7);
	r->wilson_high = col_real(s, 8);
	r->median_time_to_deadlock = col_real(s, 9);
	r->median_pd_blocked_seconds = col_real(s, 10);
	r->peak_swapmeta_pages = col_i64(s, 11, 0);
	r->lowest_reserve_level = col_i64(s, 12, -1);
	r->panics = col_i64(s, 13, 0);
}

/* A caller's callback and context, handed through each_row(). */
struct visit {
	store_rate_fn *rate;
	store_sample_fn *sample;
	store_counter_fn *counter;
	store_wait_fn *wait;
	store_event_fn *event;
	void *ctx;
	struct run_row *row;
};

/* Step a query to its end; `row` handles each row, nonzero stops. */
static int each_row(struct store *st, sqlite3_stmt *s,
    int (*row)(sqlite3_stmt *s, struct visit *v), struct visit *v,
    char *err, size_t errlen)
{
	int rc, stop = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((stop = row(s, v)) != 0)
			break;
	if (stop == 0 && rc != SQLITE_DONE) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
		stop = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return stop;
}

static int rate_cb(sqlite3_stmt *s, struct visit *v)
{
	struct store_rate r;

	rate_row(s, &r);
	return v->rate(v->ctx, &r);
}

int store_rates(struct store *st, const char *scenario, store_rate_fn *fn,
    void *ctx, char *err, size_t errlen)
{
	struct visit v = { .rate = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_RATES];

	if (scenario != NULL)
		sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
	return each_row(st, s, rate_cb, &v, err, errlen);
}

static int run_cb(sqlite3_stmt *s, struct visit *v)
{
	struct run_row *row = v->row;
	char outcome[32];

	col_text(s, 0, row->scenario, sizeof(row->scenario));
	col_text(s, 1, row->scenario_sha256, sizeof(row->scenario_sha256));
	col_text(s, 2, row->allocator, sizeof(row->allocator));
	row->reserve_n = (long)col_i64(s, 3, -1);
	row->seed = (uint64_t)sqlite3_column_int64(s, 4);
	col_text(s, 5, row->params, sizeof(row->params));
	col_text(s, 6, outcome, sizeof(outcome));
	row->outcome = outcome_code(outcome);
	row->end_time = col_real(s, 7);
	row->deadlock_time = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_double(s, 8);
	col_text(s, 9, row->deadlock_kind, sizeof(row->deadlock_kind));
	col_text(s, 10, row->message, sizeof(row->message));
	return 1;
}

int store_run_get(struct store *st, int64_t id, struct run_row *row,
    char *err, size_t errlen)
{
	struct visit v = { .row = row };
	sqlite3_stmt *s = st->stmt[S_RUN_GET];

	sqlite3_bind_int64(s, 1, id);
	return each_row(st, s, run_cb, &v, err, errlen);
}

static int sample_cb(sqlite3_stmt *s, struct visit *v)
{
	struct sample_row r;

	r.t = sqlite3_column_double(s, 0);
	r.free = sqlite3_column_int64(s, 1);
	r.cache = sqlite3_column_int64(s, 2);
	r.inactive = sqlite3_column_int64(s, 3);
	r.active = sqlite3_column_int64(s, 4);
	r.wired = sqlite3_column_int64(s, 5);
	r.busy = sqlite3_column_int64(s, 6);
	r.swap_used = sqlite3_column_int64(s, 7);
	r.swapmeta_pages = sqlite3_column_int64(s, 8);
	r.kva_used = sqlite3_column_int64(s, 9);
	r.async_inflight = sqlite3_column_int64(s, 10);
	r.reserve_level = sqlite3_column_int64(s, 11);
	return v->sample(v->ctx, &r);
}

int store_run_samples(struct store *st, int64_t id, store_sample_fn *fn,
    void *ctx, char *err, size_t errlen)
{
	struct visit v = { .sample = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_SAMPLES];

	sqlite3_bind_int64(s, 1, id);
	return each_row(st, s, sample_cb, &v, err, errlen);
}

static int counter_cb(sqlite3_stmt *s, struct visit *v)
{
	return v->counter(v->ctx,
	    (const char *)sqlite3_column_text(s, 0),
	    sqlite3_column_int64(s, 1));
}

int store_run_counters(struct store *st, int64_t id, store_counter_fn *fn,
    void *ctx, char *err, size_t errlen)
{
	struct visit v = { .counter = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_COUNTERS];

	sqlite3_bind_int64(s, 1, id);
	return each_row(st, s, counter_cb, &v, err, errlen);
}

static int wait_cb(sqlite3_stmt *s, struct visit *v)
{
	struct wait_row w;

	col_text(s, 0, w.thread, sizeof(w.thread));
	col_text(s, 1, w.channel, sizeof(w.channel));
	w.since = sqlite3_column_double(s, 2);
	col_text(s, 3, w.detail, sizeof(w.detail));
	return v->wait(v->ctx, &w);
}

int store_run_waits(struct store *st, int64_t id, store_wait_fn *fn,
    void *ctx, char *err, size_t errlen)
{
	struct visit v = { .wait = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_WAITS];

	sqlite3_bind_int64(s, 1, id);
	return each_row(st, s, wait_cb, &v, err, errlen);
}

static int event_cb(sqlite3_stmt *s, struct visit *v)
{
	struct event_row e;

	e.t = sqlite3_column_double(s, 0);
	col_text(s, 1, e.kind, sizeof(e.kind));
	col_text(s, 2, e.thread, sizeof(e.thread));
	col_text(s, 3, e.detail, sizeof(e.detail));
	return v->event(v->ctx, &e);
}

int store_run_events_last(struct store *st, int64_t id, int n,
    store_event_fn *fn, void *ctx, char *err, size_t errlen)
{
	struct visit v = { .event = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_EVENTS_LAST];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, n);
	return each_row(st, s, event_cb, &v, err, errlen);
}

/* ---------------------------------------------------------------------
 * Replaying a run.
 */

/* One -p pair of a stored run; -1 when it does not fit a struct param. */
static int replay_param(struct store_replay *r, const char *k,
    const char *v)
{
	if (k == NULL || v == NULL || r->np == CFG_MAX_PARAMS ||
	    strlen(k) >= CFG_NAME_LEN || strlen(v) >= CFG_NAME_LEN)
		return -1;
	memset(&r->p[r->np], 0, sizeof(r->p[r->np]));
	memcpy(r->p[r->np].name, k, strlen(k) + 1);
	memcpy(r->p[r->np].value, v, strlen(v) + 1);
	r->np++;
	return 0;
}

static int replay_params(struct store *st, int64_t id,
    struct store_replay *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[S_PARAMS];
	int rc, bad = 0;

	sqlite3_bind_text(s, 1, r->params, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && !bad)
		bad = replay_param(r, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
	if (bad)
		seterr(err, errlen, "%s: run %lld: parameters %s do not fit "
		    "-p name=value", st->path, (long long)id, r->params);
	else if (rc != SQLITE_DONE)
		seterr(err, errlen, "%s: run %lld: parameters %s: %s", st->path,
		    (long long)id, r->params, db_error(st));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return bad || rc != SQLITE_DONE ? -1 : 0;
}

int store_each_run(struct store *st, const char *sha256, const char *params,
    store_run_fn *fn, void *ctx, char *err, size_t errlen)
{
	static const char sql[] = "SELECT id, seed, outcome, choices,"
	    " signature, min_free_pages, pd_blocked_seconds,"
	    " reserve_min_level FROM runs WHERE scenario_sha256 = ?1"
	    " AND params = ?2 ORDER BY id";
	struct run_row row;
	sqlite3_stmt *s;
	char outcome[32];
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
		return -1;
	}
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, params, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.seed = (uint64_t)sqlite3_column_int64(s, 1);
		col_text(s, 2, outcome, sizeof(outcome));
		row.outcome = outcome_code(outcome);
		col_text(s, 3, row.choices, sizeof(row.choices));
		col_text(s, 4, row.signature, sizeof(row.signature));
		row.min_free_pages = sqlite3_column_int64(s, 5);
		row.pd_blocked_seconds = sqlite3_column_double(s, 6);
		row.reserve_min_level = sqlite3_column_type(s, 7) ==
		    SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
		if (fn(ctx, sqlite3_column_int64(s, 0), &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_signatures(struct store *st, const char *scenario,
    store_signature_fn *fn, void *ctx, char *err, size_t errlen)
{
	static const char sql[] = "SELECT hash, text, first_run, runs"
	    " FROM signatures WHERE ?1 IS NULL OR hash IN (SELECT"
	    " signature_hash FROM runs WHERE scenario = ?1)"
	    " ORDER BY runs DESC, hash";
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
		return -1;
	}
	if (scenario != NULL)
		sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3))) {
			rc = SQLITE_DONE;
			break;
		}
	if (rc != SQLITE_DONE)
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_run_signature(struct store *st, int64_t id, char *choices,
    size_t clen, char *sig, size_t slen)
{
	sqlite3_stmt *s;
	int rc;

	choices[0] = sig[0] = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT choices, signature FROM runs"
	    " WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, choices, clen);
		col_text(s, 1, sig, slen);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_run_replay(struct store *st, int64_t id, struct store_replay *r,
    char *err, size_t errlen)
{
	sqlite3_stmt *s = st->stmt[S_REPLAY];
	char outcome[32];
	int rc;

	memset(r, 0, sizeof(*r));
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, r->scenario, sizeof(r->scenario));
		col_text(s, 1, r->scenario_path, sizeof(r->scenario_path));
		col_text(s, 2, r->scenario_sha256, sizeof(r->scenario_sha256));
		r->seed = (uint64_t)sqlite3_column_int64(s, 3);
		col_text(s, 4, r->params, sizeof(r->params));
		col_text(s, 5, r->digest, sizeof(r->digest));
		col_text(s, 6, outcome, sizeof(outcome));
		r->outcome = outcome_code(outcome);
		col_text(s, 7, r->choices, sizeof(r->choices));
	} else if (rc != SQLITE_DONE) {
		seterr(err, errlen, "%s: %s", st->path, db_error(st));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	return replay_params(st, id, r, err, errlen) == 0 ? 1 : -1;
}
