/*
 * store: the one owner of SQLite.
 *
 * A store is one connection to one results database.  Opening it checks
 * that the file is a SQLite database this memsim understands, switches
 * it to WAL (so `memsim report` can read while a sweep writes), and
 * brings the schema up to STORE_SCHEMA_VERSION by numbered migrations
 * keyed on PRAGMA user_version, each in its own transaction.  A run and
 * its child rows go in with statements prepared once per store, inside
 * one BEGIN IMMEDIATE transaction, so a failure leaves nothing behind.
 * No SQL is ever built from values: everything variable is bound.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "xmalloc.h"

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
	S_COUNT
};

#define KEY_WHERE " WHERE scenario_sha256 = ?1 AND params = ?2 AND seed = ?3"

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FIND] = "SELECT id FROM runs" KEY_WHERE,
	[S_DELETE] = "DELETE FROM runs" KEY_WHERE,
	[S_RUN] = "INSERT INTO runs (scenario, scenario_sha256, allocator,"
	    " reserve_n, seed, params, outcome, deadlock_kind, message,"
	    " end_time, deadlock_time, min_free_pages, pageouts, swapins,"
	    " oom_kills, page_faults, pages_scanned, pages_freed,"
	    " pd_blocked_seconds, pd_pbuf_wait_seconds, swapmeta_pages_peak,"
	    " swapmeta_allocs, swapmeta_alloc_failures, kmem_slab_allocs,"
	    " slab_alloc_waits, reserve_refill_failures, reserve_min_level,"
	    " kva_peak, swap_peak_pages, irq_alloc_failures, events_dropped,"
	    " sg_calls, page_events, wall_seconds, digest, memsim_version,"
	    " simgrid_version, lua_version, sqlite_version) VALUES ("
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
};

struct store {
	sqlite3 *db;
	char *path;
	char *memsim_version, *simgrid_version, *lua_version;
	sqlite3_stmt *stmt[S_COUNT];
	char msg[256];		/* SQLite's message for the last failure */
};

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
	return 0;
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
	sqlite3_busy_timeout(st->db, 10000);
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
		seterr(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
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
		seterr(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
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
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: schema migration %lld: %s", st->path,
		    (long long)v + 1, sqlite3_errmsg(st->db));
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
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
	int done = 0;

	while (!done)
		if (migrate_one(st, &done, err, errlen) != 0)
			return -1;
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
			    sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

int store_open(struct store **out, const char *path, char *err,
    size_t errlen)
{
	struct store *st;

	assert(out != NULL && path != NULL);
	*out = NULL;
	if (check_path(path, err, errlen) != 0)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	if (open_db(st, err, errlen) != 0 ||
	    check_version(st, err, errlen) != 0 ||
	    set_pragmas(st, err, errlen) != 0 ||
	    migrate(st, err, errlen) != 0 ||
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

	if (rc != SQLITE_DONE)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    sqlite3_errmsg(st->db));
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
    const char *params, size_t parammax, uint64_t seed)
{
	bind_text(b, sha256, shamax);
	bind_text(b, params, parammax);
	bind_i64(b, u64_to_i64(seed));
}

int store_find_run(struct store *st, const char *sha256, const char *params,
    uint64_t seed, int64_t *id)
{
	struct binder b = { st->stmt[S_FIND], 0, SQLITE_OK };
	int rc, found = 0;

	bind_key(&b, sha256, strlen(sha256), params, strlen(params), seed);
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
		    sqlite3_errmsg(st->db));
		found = -1;
	}
	sqlite3_reset(b.s);
	return found;
}

static int delete_run(struct store *st, const struct run_row *row)
{
	struct binder b = { st->stmt[S_DELETE], 0, SQLITE_OK };

	bind_key(&b, row->scenario_sha256, sizeof(row->scenario_sha256),
	    row->params, sizeof(row->params), row->seed);
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

static int insert_run(struct store *st, const struct run_row *row)
{
	struct binder b = { st->stmt[S_RUN], 0, SQLITE_OK };

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

static int insert_all(struct store *st, const struct result *r,
    int replace, int64_t *id)
{
	int rc = SQLITE_OK;

	if (replace)
		rc = delete_run(st, &r->row);
	if (rc == SQLITE_OK)
		rc = insert_run(st, &r->row);
	if (rc != SQLITE_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	rc = insert_waits(st, r, *id);
	if (rc == SQLITE_OK)
		rc = insert_samples(st, r, *id);
	if (rc == SQLITE_OK)
		rc = insert_events(st, r, *id);
	if (rc == SQLITE_OK)
		rc = insert_counters(st, r, *id);
	return rc;
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
