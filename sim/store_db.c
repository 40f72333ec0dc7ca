/*
 * store_db: the connection's statements and the helpers every store
 * module uses to step them and to report SQLite's errors (store_db.h).
 * No SQL here is built from values: everything variable is bound.
 */
#include "store_db.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "result.h"

#define NOW_UTC "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

const char *const store_stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	/* the latest of a key's rows: --force adds one beside the first */
	[S_FIND] = "SELECT id FROM runs" KEY_WHERE " ORDER BY rerun DESC"
	    " LIMIT 1",
	[S_NEXT_RERUN] = "SELECT coalesce(max(rerun) + 1, 0) FROM runs"
	    KEY_WHERE,
	[S_RUN] = "INSERT INTO runs (" RUN_COLS ") VALUES (" RUN_VALUES ")",
	[S_WAIT] = "INSERT INTO waits (run_id, thread, channel, since, detail)"
	    " VALUES (?, ?, ?, ?, ?)",
	[S_SAMPLE] = "INSERT INTO samples (run_id, t, free, cache, inactive,"
	    " active, wired, busy, swap_used, swapmeta_pages, kva_used_bytes,"
	    " async_inflight, reserve_level)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_EVENT] = "INSERT INTO events (run_id, t, kind, thread, detail)"
	    " VALUES (?, ?, ?, ?, ?)",
	[S_COUNTER] = "INSERT INTO counters (run_id, name, value)"
	    " VALUES (?, ?, ?)",
	/* A sweep's insert: a run already stored is left as it is. */
	[S_RUN_NEW] = "INSERT INTO runs (" RUN_COLS ") VALUES (" RUN_VALUES ")"
	    " ON CONFLICT (scenario_sha256, params, seed, choices, rerun)"
	    " DO NOTHING",
	[S_OUTCOME] = "SELECT outcome FROM runs" KEY_WHERE " ORDER BY rerun"
	    " DESC LIMIT 1",
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
	    " median_pagedaemon_blocked_seconds, peak_swapmeta_pages,"
	    " lowest_reserve_level, panics, scenario_sha256, version,"
	    " versions FROM deadlock_rate"
	    " WHERE ?1 IS NULL OR scenario = ?1"
	    " ORDER BY scenario, first_run, scenario_sha256, allocator,"
	    " reserve_n",
	[S_RUN_GET] = "SELECT scenario, scenario_sha256, allocator, reserve_n,"
	    " seed, params, outcome, end_time, deadlock_time, deadlock_kind,"
	    " message, longest_stall_seconds, still_running, rerun FROM runs"
	    " WHERE id = ?1",
	[S_SAMPLES] = "SELECT t, free, cache, inactive, active, wired, busy,"
	    " swap_used, swapmeta_pages, kva_used_bytes, async_inflight,"
	    " reserve_level FROM samples WHERE run_id = ?1 ORDER BY t, rowid",
	[S_COUNTERS] = "SELECT name, value FROM counters WHERE run_id = ?1"
	    " ORDER BY rowid",
	[S_WAITS] = "SELECT thread, channel, since, detail FROM waits"
	    " WHERE run_id = ?1 ORDER BY rowid",
	/* the simulated events: not the verdict's own (see simrun.c) */
	[S_EVENTS_LAST] = "SELECT t, kind, thread, detail FROM (SELECT rowid"
	    " AS r, t, kind, thread, detail FROM events WHERE run_id = ?1"
	    " AND kind NOT IN ('stall', 'stall_wait', 'verdict')"
	    " ORDER BY rowid DESC LIMIT ?2) ORDER BY r",
	[S_EVENTS_KIND] = "SELECT t, kind, thread, detail FROM events"
	    " WHERE run_id = ?1 AND substr(kind, 1, length(?2)) = ?2"
	    " ORDER BY rowid",
	[S_REPLAY] = "SELECT scenario, scenario_path, scenario_sha256, seed,"
	    " params, digest, outcome, choices FROM runs WHERE id = ?1",
	/* params is the JSON object simrun_params_json() wrote */
	[S_PARAMS] = "SELECT key, value FROM json_each(?1) ORDER BY key",
};

/*
 * SQLite's message for the connection's last error, with the system's
 * reason when the file system failed: "disk I/O error" alone does not
 * say that the disk is full or over the file-size limit.
 */
const char *store_db_error(struct store *st)
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

void store_seterr(char *err, size_t errlen, const char *fmt, ...)
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
int64_t store_u64_to_i64(uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		return (int64_t)v;
	return (int64_t)(v - (uint64_t)INT64_MAX - 1) + INT64_MIN;
}

int store_is_notadb(int rc)
{
	return (rc & 0xff) == SQLITE_NOTADB;
}

/* Run one statement that yields a single integer, e.g. a PRAGMA. */
int store_query_int(sqlite3 *db, const char *sql, int64_t *v)
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

/* Step a statement that returns no rows, reset it, note any failure. */
int store_step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if ((rc & 0xff) == SQLITE_BUSY)
		snprintf(st->msg, sizeof(st->msg), "database is locked by "
		    "another process (gave up after %gs)",
		    st->busy_ms / 1000.0);
	else if (rc != SQLITE_DONE)
		snprintf(st->msg, sizeof(st->msg), "%s",
		    store_db_error(st));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* End a transaction begun with S_BEGIN: commit, or roll back on rc. */
int store_end_tx(struct store *st, int rc, const char *what, char *err,
    size_t errlen)
{
	if (rc == SQLITE_OK)
		rc = store_step_done(st, st->stmt[S_COMMIT]);
	if (rc == SQLITE_OK)
		return 0;
	store_seterr(err, errlen, "%s: %s: %s", st->path, what, st->msg);
	if (!sqlite3_get_autocommit(st->db))
		store_step_done(st, st->stmt[S_ROLLBACK]);
	return -1;
}

int store_outcome_code(const char *name)
{
	int i;

	for (i = 0; i <= OUTCOME_ERROR; i++)
		if (strcmp(outcome_name(i), name) == 0)
			return i;
	return OUTCOME_ERROR;
}
