/*
 * store: the one owner of SQLite.
 *
 * A store is one connection to one results database (this file opens
 * it; store_schema keeps its schema, store_run inserts runs, store_query
 * reads them back, store_merge copies other databases in).  Opening it
 * checks that the file is a SQLite database this memsim understands,
 * switches it to WAL (so `memsim report` can read while a sweep writes),
 * brings the schema up to STORE_SCHEMA_VERSION and the views up to
 * analyze/views.sql, and prepares every statement once.  A run and
 * its child rows go in with statements prepared once per store, inside
 * one BEGIN IMMEDIATE transaction, so a failure leaves nothing behind;
 * a sweep's runs go in batches, one transaction per batch.  No SQL is
 * ever built from values: everything variable is bound, the path of a
 * merged database included.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_db.h"
#include "store_schema.h"
#include "xmalloc.h"

#define DEFAULT_BUSY_MS	10000

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
	    store_schema_migrate(st, err, errlen) != 0 ||
	    store_schema_views(st, err, errlen) != 0 ||
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
