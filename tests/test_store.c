/*
 * test_store: the results database, checked from outside.
 *
 * Everything the store writes is read back through a separate plain
 * sqlite3 connection, the way analyze/ will see it.  Covers the schema
 * and pragmas of a new file, the run key (refused duplicate, replace
 * dropping the old children), rollback of a failed insert, and each
 * class of unusable file, and openers racing on one new file.  Works in
 * a fresh mkdtemp() directory.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "result.h"
#include "store.h"

static char dir[] = "/tmp/memsim-test-store-XXXXXX";

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static sqlite3 *plain_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "test_store: %s: %s\n", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		exit(1);
	}
	return db;
}

/* First column of the first row; ?1 bound to arg when the SQL has it. */
static int64_t q_int(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *s;
	int64_t v = INT64_MIN;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "test_store: %s: %s\n", sql,
		    sqlite3_errmsg(db));
		exit(1);
	}
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? INT64_MIN + 1 :
		    sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#define IS_NULL	(INT64_MIN + 1)		/* what q_int returns for NULL */

static double q_real(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *s;
	double v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		exit(1);
	sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void q_text(sqlite3 *db, const char *sql, int64_t arg, char *buf,
    size_t n)
{
	sqlite3_stmt *s;
	const unsigned char *t;

	snprintf(buf, n, "(no row)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		exit(1);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW) {
		t = sqlite3_column_text(s, 0);
		snprintf(buf, n, "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(s);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "test_store: %s: %s\n", sql,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

/* A deadlocked run with n of each child row; `mark` tells runs apart. */
static void make_result(struct result *r, uint64_t seed, int64_t mark,
    int n)
{
	struct wait_row w;
	struct sample_row s;
	struct event_row e;
	char name[RES_CHAN_LEN];
	int i;

	result_init(r);
	snprintf(r->row.scenario, sizeof(r->row.scenario), "swapmeta");
	memset(r->row.scenario_sha256, 'a', 64);
	snprintf(r->row.allocator, sizeof(r->row.allocator),
	    "reserve_kmalloc_obj");
	r->row.reserve_n = 4;
	r->row.seed = seed;
	snprintf(r->row.params, sizeof(r->row.params),
	    "{\"v_free_min\":\"500\"}");
	r->row.outcome = OUTCOME_DEADLOCK;
	snprintf(r->row.deadlock_kind, sizeof(r->row.deadlock_kind), "hard");
	snprintf(r->row.message, sizeof(r->row.message),
	    "pagedaemon sleeps on swapmeta");
	r->row.end_time = 12.5;
	r->row.deadlock_time = 12.25;
	r->row.pageouts = mark;
	r->row.reserve_refill_failures = 2;
	r->row.reserve_min_level = 0;
	r->row.sg_calls = 123456;
	r->row.wall_seconds = 0.5;
	snprintf(r->row.digest, sizeof(r->row.digest), "0123456789abcdef");
	for (i = 0; i < n; i++) {
		memset(&w, 0, sizeof(w));
		snprintf(w.thread, sizeof(w.thread), "pagedaemon");
		snprintf(w.channel, sizeof(w.channel), "swmeta");
		w.since = 10 + i;
		snprintf(w.detail, sizeof(w.detail), "wait %d", i);
		result_add_wait(r, &w);

		memset(&s, 0, sizeof(s));
		s.t = i;
		s.free = 1000 - i;
		s.reserve_level = 4;
		result_add_sample(r, &s);

		memset(&e, 0, sizeof(e));
		e.t = i * 0.5;
		snprintf(e.kind, sizeof(e.kind), "pageout");
		snprintf(e.thread, sizeof(e.thread), "proc%d", i);
		result_add_event(r, &e);

		snprintf(name, sizeof(name), "counter%d", i);
		result_add_counter(r, name, mark * 100 + i);
	}
}

static int64_t children(sqlite3 *db, int64_t id)
{
	return q_int(db, "SELECT (SELECT count(*) FROM waits WHERE run_id=?1)"
	    " + (SELECT count(*) FROM samples WHERE run_id=?1)"
	    " + (SELECT count(*) FROM events WHERE run_id=?1)"
	    " + (SELECT count(*) FROM counters WHERE run_id=?1)", id);
}

static void test_new_schema(const char *path)
{
	struct store *st = NULL;
	char err[512] = "", buf[64];
	sqlite3 *db;
	int rc;
	int64_t n;

	rc = store_open(&st, path, err, sizeof(err));
	CHECK(rc == 0 && st != NULL, "a new database opens (%s)", err);
	db = plain_open(path);
	n = q_int(db, "PRAGMA user_version", 0);
	CHECK(n == STORE_SCHEMA_VERSION, "user_version is %d after migration",
	    STORE_SCHEMA_VERSION);
	q_text(db, "PRAGMA journal_mode", 0, buf, sizeof(buf));
	CHECK(strcmp(buf, "wal") == 0, "the database is in WAL mode (%s)",
	    buf);
	n = q_int(db, "SELECT count(*) FROM pragma_table_list WHERE strict=1"
	    " AND name IN ('runs','waits','samples','events','counters',"
	    "'sweeps')", 0);
	CHECK(n == 6, "all six tables are STRICT (%lld)", (long long)n);
	n = q_int(db, "SELECT count(*) FROM sqlite_schema WHERE type='index'"
	    " AND sql LIKE '%(run_id)'", 0);
	CHECK(n == 4, "child tables are indexed on run_id (%lld)",
	    (long long)n);
	sqlite3_close(db);
	store_close(st);

	rc = store_open(&st, path, err, sizeof(err));
	CHECK(rc == 0, "an existing database opens again (%s)", err);
	store_close(st);
	store_close(NULL);
	CHECK(1, "store_close(NULL) is a no-op");
}

static void test_readback(struct store *st, sqlite3 *db)
{
	struct result r;
	char err[512] = "", buf[128];
	int64_t id = 0;
	int rc;

	make_result(&r, 42, 7, 3);
	rc = store_insert(st, &r, 0, &id, err, sizeof(err));
	CHECK(rc == 0 && id > 0, "a run inserts (%s)", err);
	result_free(&r);

	q_text(db, "SELECT scenario || '|' || allocator || '|' || outcome"
	    " || '|' || deadlock_kind || '|' || params FROM runs WHERE id=?1",
	    id, buf, sizeof(buf));
	CHECK(strcmp(buf, "swapmeta|reserve_kmalloc_obj|deadlock|hard|"
	    "{\"v_free_min\":\"500\"}") == 0, "run text columns read back"
	    " (%s)", buf);
	CHECK(q_int(db, "SELECT seed FROM runs WHERE id=?1", id) == 42 &&
	    q_int(db, "SELECT reserve_n FROM runs WHERE id=?1", id) == 4 &&
	    q_int(db, "SELECT pageouts FROM runs WHERE id=?1", id) == 7 &&
	    q_int(db, "SELECT reserve_min_level FROM runs WHERE id=?1", id)
	    == 0 &&
	    q_int(db, "SELECT sg_calls FROM runs WHERE id=?1", id) == 123456,
	    "run integer columns read back");
	CHECK(q_real(db, "SELECT end_time FROM runs WHERE id=?1", id) == 12.5
	    && q_real(db, "SELECT deadlock_time FROM runs WHERE id=?1", id)
	    == 12.25, "run real columns read back");
	q_text(db, "SELECT digest FROM runs WHERE id=?1", id, buf,
	    sizeof(buf));
	CHECK(strcmp(buf, "0123456789abcdef") == 0, "digest reads back");
	q_text(db, "SELECT memsim_version || '|' || simgrid_version || '|'"
	    " || lua_version FROM runs WHERE id=?1", id, buf, sizeof(buf));
	CHECK(strcmp(buf, "0.1-test|3.35|5.4") == 0,
	    "store_set_versions values are stored (%s)", buf);
	q_text(db, "SELECT sqlite_version FROM runs WHERE id=?1", id, buf,
	    sizeof(buf));
	CHECK(strcmp(buf, sqlite3_libversion()) == 0,
	    "sqlite_version is the library's (%s)", buf);
	q_text(db, "SELECT created_at FROM runs WHERE id=?1", id, buf,
	    sizeof(buf));
	CHECK(strlen(buf) == 20 && buf[10] == 'T' && buf[19] == 'Z',
	    "created_at is an ISO 8601 UTC time (%s)", buf);

	CHECK(q_int(db, "SELECT count(*) FROM waits WHERE run_id=?1", id) == 3
	    && q_int(db, "SELECT count(*) FROM samples WHERE run_id=?1", id)
	    == 3 &&
	    q_int(db, "SELECT count(*) FROM events WHERE run_id=?1", id) == 3
	    && q_int(db, "SELECT count(*) FROM counters WHERE run_id=?1", id)
	    == 3, "three of each child row are stored");
	q_text(db, "SELECT thread || '|' || channel || '|' || since || '|' ||"
	    " detail FROM waits WHERE run_id=?1 ORDER BY since DESC", id,
	    buf, sizeof(buf));
	CHECK(strcmp(buf, "pagedaemon|swmeta|12.0|wait 2") == 0,
	    "a wait reads back (%s)", buf);
	CHECK(q_int(db, "SELECT sum(free) FROM samples WHERE run_id=?1", id)
	    == 1000 + 999 + 998 && q_int(db, "SELECT min(reserve_level)"
	    " FROM samples WHERE run_id=?1", id) == 4,
	    "samples read back");
	q_text(db, "SELECT group_concat(thread, ',') FROM"
	    " (SELECT thread FROM events WHERE run_id=?1 AND kind='pageout'"
	    " ORDER BY t)", id, buf, sizeof(buf));
	CHECK(strcmp(buf, "proc0,proc1,proc2") == 0,
	    "events read back (%s)", buf);
	CHECK(q_int(db, "SELECT value FROM counters WHERE run_id=?1"
	    " AND name='counter2'", id) == 702, "counters read back");
}

static void test_nulls(struct store *st, sqlite3 *db)
{
	struct result r;
	char err[512] = "";
	int64_t id = 0;
	int rc;

	make_result(&r, 43, 0, 0);
	r.row.reserve_n = -1;
	r.row.deadlock_kind[0] = '\0';
	r.row.message[0] = '\0';
	r.row.deadlock_time = -1;
	r.row.reserve_min_level = -1;
	r.row.reserve_refill_failures = -1;
	r.row.outcome = OUTCOME_COMPLETED;
	rc = store_insert(st, &r, 0, &id, err, sizeof(err));
	CHECK(rc == 0, "a run without children inserts (%s)", err);
	result_free(&r);
	CHECK(q_int(db, "SELECT reserve_n FROM runs WHERE id=?1", id) ==
	    IS_NULL && q_int(db, "SELECT reserve_min_level FROM runs"
	    " WHERE id=?1", id) == IS_NULL && q_int(db,
	    "SELECT reserve_refill_failures FROM runs WHERE id=?1", id) ==
	    IS_NULL, "reserve columns are NULL without a reserve");
	CHECK(q_int(db, "SELECT deadlock_kind IS NULL AND message IS NULL"
	    " AND deadlock_time IS NULL FROM runs WHERE id=?1", id) == 1,
	    "empty deadlock_kind/message and deadlock_time < 0 store NULL");
	CHECK(children(db, id) == 0, "a run with no children has none");
}

static void test_key(struct store *st, sqlite3 *db)
{
	struct result r;
	char err[512] = "";
	int64_t id1 = 0, id2 = 0, found = 0;
	int rc;

	make_result(&r, 42, 8, 1);
	id1 = q_int(db, "SELECT id FROM runs WHERE seed=42", 0);
	rc = store_find_run(st, r.row.scenario_sha256, r.row.params, 42,
	    &found);
	CHECK(rc == 1 && found == id1, "store_find_run finds the run by key");
	rc = store_find_run(st, r.row.scenario_sha256, r.row.params, 44,
	    &found);
	CHECK(rc == 0, "store_find_run: another seed is not found");
	rc = store_find_run(st, r.row.scenario_sha256, "{}", 42, &found);
	CHECK(rc == 0, "store_find_run: other params are not found");

	rc = store_insert(st, &r, 0, &id2, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "already stored") != NULL &&
	    strchr(err, '\n') == NULL,
	    "the same key without replace is refused (%s)", err);
	CHECK(q_int(db, "SELECT count(*) FROM runs WHERE seed=42", 0) == 1 &&
	    q_int(db, "SELECT pageouts FROM runs WHERE id=?1", id1) == 7 &&
	    children(db, id1) == 12, "the refused insert left the first run"
	    " and its children intact");

	err[0] = '\0';
	rc = store_insert(st, &r, 1, &id2, err, sizeof(err));
	CHECK(rc == 0 && id2 > id1, "with force the run is stored again"
	    " under a new id (%s)", err);
	CHECK(children(db, id1) == 12 &&
	    q_int(db, "SELECT pageouts FROM runs WHERE id=?1", id1) == 7,
	    "the first run and its children are kept");
	CHECK(q_int(db, "SELECT count(*) FROM runs WHERE seed=42", 0) == 2 &&
	    q_int(db, "SELECT pageouts FROM runs WHERE id=?1", id2) == 8 &&
	    q_int(db, "SELECT rerun FROM runs WHERE id=?1", id2) == 1 &&
	    q_int(db, "SELECT rerun FROM runs WHERE id=?1", id1) == 0 &&
	    children(db, id2) == 4, "the new row is rerun 1, with its"
	    " children");
	rc = store_find_run(st, r.row.scenario_sha256, r.row.params, 42,
	    &found);
	CHECK(rc == 1 && found == id2, "store_find_run finds the latest id");
	result_free(&r);

	make_result(&r, UINT64_MAX, 9, 0);
	rc = store_insert(st, &r, 1, &id1, err, sizeof(err));
	CHECK(rc == 0, "force with nothing stored inserts (%s)", err);
	rc = store_find_run(st, r.row.scenario_sha256, r.row.params,
	    UINT64_MAX, &found);
	CHECK(rc == 1 && found == id1, "a seed above INT64_MAX round-trips");
	result_free(&r);
}

/* A failure after the run row is written must take the run row with it. */
static void test_rollback(struct store *st, sqlite3 *db)
{
	struct result r;
	char err[512] = "";
	int64_t id = 0, found = 0, before;
	int rc;

	exec(db, "CREATE TRIGGER boom BEFORE INSERT ON counters"
	    " WHEN NEW.name = 'counter1'"
	    " BEGIN SELECT RAISE(ABORT, 'counter refused'); END");
	before = q_int(db, "SELECT (SELECT count(*) FROM runs) +"
	    " (SELECT count(*) FROM waits) + (SELECT count(*) FROM samples) +"
	    " (SELECT count(*) FROM events) + (SELECT count(*) FROM counters)",
	    0);
	make_result(&r, 50, 1, 2);
	rc = store_insert(st, &r, 0, &id, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "counter refused") != NULL,
	    "a failing child insert fails the run (%s)", err);
	CHECK(q_int(db, "SELECT (SELECT count(*) FROM runs) +"
	    " (SELECT count(*) FROM waits) + (SELECT count(*) FROM samples) +"
	    " (SELECT count(*) FROM events) + (SELECT count(*) FROM counters)",
	    0) == before, "nothing of the failed run remains");
	rc = store_find_run(st, r.row.scenario_sha256, r.row.params, 50,
	    &found);
	CHECK(rc == 0, "the failed run is not found");
	exec(db, "DROP TRIGGER boom");
	err[0] = '\0';
	rc = store_insert(st, &r, 0, &id, err, sizeof(err));
	CHECK(rc == 0 && children(db, id) == 8,
	    "the store works after a failed insert (%s)", err);
	result_free(&r);
}

static void test_bad_files(void)
{
	struct store *st;
	char path[256], err[512], want[600];
	unsigned char junk[4096], again[4096];
	sqlite3 *db;
	FILE *f;
	size_t i, n;
	int rc;

	path_in(path, sizeof(path), "junk.db");
	srand(1);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	junk[0] = 'x';		/* whatever rand() said, not the magic */
	f = fopen(path, "wb");
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	st = (struct store *)1;
	rc = store_open(&st, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: not a SQLite database", path);
	CHECK(rc == -1 && st == NULL && strcmp(err, want) == 0,
	    "random bytes: not a SQLite database (%s)", err);
	f = fopen(path, "rb");
	n = fread(again, 1, sizeof(again), f);
	fclose(f);
	CHECK(n == sizeof(junk) && memcmp(junk, again, n) == 0,
	    "the non-database file is left untouched");

	path_in(path, sizeof(path), "text.db");
	f = fopen(path, "w");
	fputs("scenario { name = 'x' }\n", f);
	fclose(f);
	rc = store_open(&st, path, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "not a SQLite database") != NULL,
	    "a short text file: not a SQLite database (%s)", err);

	path_in(path, sizeof(path), "newer.db");
	db = NULL;
	sqlite3_open(path, &db);
	exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99");
	sqlite3_close(db);
	rc = store_open(&st, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: database schema version 99 is newer"
	    " than this memsim (%d)", path, STORE_SCHEMA_VERSION);
	CHECK(rc == -1 && st == NULL && strcmp(err, want) == 0,
	    "user_version 99 is refused as newer (%s)", err);
	db = plain_open(path);
	q_text(db, "PRAGMA journal_mode", 0, want, sizeof(want));
	CHECK(strcmp(want, "wal") != 0 &&
	    q_int(db, "PRAGMA user_version", 0) == 99,
	    "the newer database is left untouched");
	sqlite3_close(db);

	rc = store_open(&st, dir, err, sizeof(err));
	CHECK(rc == -1 && st == NULL && strstr(err, dir) != NULL &&
	    strstr(err, "directory") != NULL, "a directory is refused (%s)",
	    err);

	path_in(path, sizeof(path), "nonexistent/runs.db");
	rc = store_open(&st, path, err, sizeof(err));
	CHECK(rc == -1 && st == NULL && strstr(err, path) != NULL &&
	    strstr(err, "cannot open") != NULL && strchr(err, '\n') == NULL,
	    "a path in a missing directory is refused, naming the file (%s)",
	    err);
}

/*
 * Shards of one sweep open the same new database at the same moment.
 * ROUNDS times, OPENERS children wait on one pipe, all open a fresh file
 * as soon as it closes, and say by their exit status whether the open
 * worked; every one must.
 */
#define ROUNDS	30
#define OPENERS	4

static int open_in_child(const char *path, int gate)
{
	struct store *st = NULL;
	char err[512], c;

	(void)read(gate, &c, 1);	/* returns 0 when the gate opens */
	if (store_open(&st, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_store: racing open: %s\n", err);
		return 1;
	}
	store_close(st);
	return 0;
}

static void test_open_race(void)
{
	char path[256], sub[300];
	int round, i, st, failed = 0, opened = 0, gate[2];
	pid_t pid[OPENERS];

	for (round = 0; round < ROUNDS; round++) {
		snprintf(sub, sizeof(sub), "race%d.db", round);
		path_in(path, sizeof(path), sub);
		if (pipe(gate) != 0) {
			perror("test_store: pipe");
			exit(1);
		}
		fflush(stdout);
		for (i = 0; i < OPENERS; i++) {
			pid[i] = fork();
			if (pid[i] == 0) {
				close(gate[1]);
				_exit(open_in_child(path, gate[0]));
			}
		}
		close(gate[0]);
		close(gate[1]);
		for (i = 0; i < OPENERS; i++) {
			if (pid[i] < 0 || waitpid(pid[i], &st, 0) != pid[i] ||
			    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
			else
				opened++;
		}
		for (i = 0; i < 3; i++) {
			static const char *const tail[] = { "", "-wal", "-shm" };

			snprintf(sub, sizeof(sub), "%s%s", path, tail[i]);
			unlink(sub);
		}
	}
	CHECK(failed == 0 && opened == ROUNDS * OPENERS,
	    "%d openers of one new database at once, %d times: all open it "
	    "(%d did, %d failed)", OPENERS, ROUNDS, opened, failed);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"runs.db", "runs.db-wal", "runs.db-shm", "junk.db", "text.db",
		"newer.db", "newer.db-journal",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_in(path, sizeof(path), names[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0)
		fprintf(stderr, "test_store: %s left behind\n", dir);
}

int main(void)
{
	struct store *st = NULL;
	char path[256], err[512] = "";
	sqlite3 *db;

	if (mkdtemp(dir) == NULL) {
		perror("test_store: mkdtemp");
		return 1;
	}
	path_in(path, sizeof(path), "runs.db");
	test_new_schema(path);

	if (store_open(&st, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_store: %s\n", err);
		return 1;
	}
	store_set_versions(st, "0.1-test", "3.35", "5.4");
	db = plain_open(path);
	test_readback(st, db);
	test_nulls(st, db);
	test_key(st, db);
	test_rollback(st, db);
	sqlite3_close(db);
	store_close(st);

	test_bad_files();
	test_open_race();
	cleanup();
	return CHECK_DONE();
}
