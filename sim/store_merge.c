/*
 * store_merge: copying the runs of another memsim database (shards of
 * one sweep, results of several machines) into this one, by key, in one
 * transaction.  The source is attached by a bound path, never by SQL
 * built from it.
 */
#define _POSIX_C_SOURCE 200809L

#include "store_merge.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_db.h"

int store_check_source(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	sqlite3 *db = NULL;
	int64_t v = -1;
	int rc;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		store_seterr(err, errlen, "%s: no such database", path);
		return -1;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = store_query_int(db, "PRAGMA user_version", &v);
	if (rc != SQLITE_OK)
		store_seterr(err, errlen, "%s: %s", path, store_is_notadb(rc) ?
		    "not a SQLite database" : sqlite3_errmsg(db));
	else if (v != STORE_SCHEMA_VERSION)
		store_seterr(err, errlen, "%s: database schema version %lld, "
		    "this memsim merges only version %d (%s)", path, (long
		    long)v, STORE_SCHEMA_VERSION, v > STORE_SCHEMA_VERSION ?
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
	"  AND m.choices = s.choices AND m.rerun = s.rerun)",
	"INSERT INTO main.runs (" RUN_COLS ", created_at)"
	" SELECT " RUN_COLS ", created_at FROM src.runs"
	" WHERE id IN (SELECT old FROM temp.merge_new) ORDER BY id",
	"CREATE TEMP TABLE merge_map AS SELECT n.old AS old, m.id AS new"
	" FROM temp.merge_new n JOIN src.runs s ON s.id = n.old"
	" JOIN main.runs m ON m.scenario_sha256 = s.scenario_sha256"
	"  AND m.params = s.params AND m.seed = s.seed"
	"  AND m.choices = s.choices AND m.rerun = s.rerun",
	"INSERT INTO main.waits (run_id, thread, channel, since, detail)"
	" SELECT map.new, thread, channel, since, detail FROM src.waits w"
	" JOIN temp.merge_map map ON map.old = w.run_id ORDER BY w.rowid",
	"INSERT INTO main.samples (run_id, t, free, cache, inactive, active,"
	" wired, busy, swap_used, swapmeta_pages, kva_used_bytes,"
	" async_inflight,"
	" reserve_level) SELECT map.new, t, free, cache, inactive, active,"
	" wired, busy, swap_used, swapmeta_pages, kva_used_bytes,"
	" async_inflight,"
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
		rc = store_query_int(st->db, "SELECT count(*) FROM "
		    "temp.merge_new", &ms->added);
	if (rc == SQLITE_OK)
		rc = store_query_int(st->db, "SELECT count(*) FROM src.runs",
		    &total);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "DROP TABLE temp.merge_new;"
		    "DROP TABLE temp.merge_map", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    store_db_error(st));
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
		rc = store_step_done(st, s);
	} else {
		snprintf(st->msg, sizeof(st->msg), "%s",
		    store_db_error(st));
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
		store_seterr(err, errlen, "%s: is the output database itself",
		    path);
		return -1;
	}
	if (attach(st, path) != SQLITE_OK) {
		store_seterr(err, errlen, "%s: cannot attach: %s", path,
		    st->msg);
		return -1;
	}
	rc = store_step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = merge_copy(st, ms);
	rc = store_end_tx(st, rc, "cannot merge", err, errlen);
	sqlite3_exec(st->db, "DETACH DATABASE src", NULL, NULL, NULL);
	if (rc != 0)
		memset(ms, 0, sizeof(*ms));
	return rc;
}
