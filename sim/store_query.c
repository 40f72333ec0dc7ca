/*
 * store_query: reading runs back for `memsim report`, `explain`, the
 * plots and `replay`, through the views of analyze/views.sql and the
 * connection's prepared statements.
 */
#define _POSIX_C_SOURCE 200809L

#include "store_query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_db.h"

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
	r->median_pagedaemon_blocked_seconds = col_real(s, 10);
	r->peak_swapmeta_pages = col_i64(s, 11, 0);
	r->lowest_reserve_level = col_i64(s, 12, -1);
	r->panics = col_i64(s, 13, 0);
	col_text(s, 14, r->scenario_sha256, sizeof(r->scenario_sha256));
	col_text(s, 15, r->version, sizeof(r->version));
	r->versions = (int)col_i64(s, 16, 1);
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
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
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
	row->outcome = store_outcome_code(outcome);
	row->end_time = col_real(s, 7);
	row->deadlock_time = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_double(s, 8);
	col_text(s, 9, row->deadlock_kind, sizeof(row->deadlock_kind));
	col_text(s, 10, row->message, sizeof(row->message));
	row->longest_stall_seconds = sqlite3_column_type(s, 11) ==
	    SQLITE_NULL ? -1 : sqlite3_column_double(s, 11);
	col_text(s, 12, row->still_running, sizeof(row->still_running));
	row->rerun = sqlite3_column_int64(s, 13);
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
	r.reserve_level = sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(s, 11);
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

int store_run_events_kind(struct store *st, int64_t id, const char *prefix,
    store_event_fn *fn, void *ctx, char *err, size_t errlen)
{
	struct visit v = { .event = fn, .ctx = ctx };
	sqlite3_stmt *s = st->stmt[S_EVENTS_KIND];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, prefix, -1, SQLITE_TRANSIENT);
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
		store_seterr(err, errlen, "%s: run %lld: parameters %s do not "
		    "fit -p name=value", st->path, (long long)id, r->params);
	else if (rc != SQLITE_DONE)
		store_seterr(err, errlen, "%s: run %lld: parameters %s: %s",
		    st->path, (long long)id, r->params, store_db_error(st));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return bad || rc != SQLITE_DONE ? -1 : 0;
}

int store_each_run(struct store *st, const char *sha256, const char *params,
    store_run_fn *fn, void *ctx, char *err, size_t errlen)
{
	static const char sql[] = "SELECT id, seed, outcome, choices,"
	    " signature, min_free_pages, pagedaemon_blocked_seconds,"
	    " reserve_min_level, pageouts, end_time FROM runs"
	    " WHERE scenario_sha256 = ?1 AND params = ?2 ORDER BY id";
	struct run_row row;
	sqlite3_stmt *s;
	char outcome[32];
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
		return -1;
	}
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, params, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.seed = (uint64_t)sqlite3_column_int64(s, 1);
		col_text(s, 2, outcome, sizeof(outcome));
		row.outcome = store_outcome_code(outcome);
		col_text(s, 3, row.choices, sizeof(row.choices));
		col_text(s, 4, row.signature, sizeof(row.signature));
		row.min_free_pages = sqlite3_column_int64(s, 5);
		row.pd_blocked_seconds = sqlite3_column_double(s, 6);
		row.reserve_min_level = sqlite3_column_type(s, 7) ==
		    SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
		row.pageouts = sqlite3_column_int64(s, 8);
		row.end_time = sqlite3_column_double(s, 9);
		if (fn(ctx, sqlite3_column_int64(s, 0), &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
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
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
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
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
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
		r->outcome = store_outcome_code(outcome);
		col_text(s, 7, r->choices, sizeof(r->choices));
	} else if (rc != SQLITE_DONE) {
		store_seterr(err, errlen, "%s: %s", st->path,
		    store_db_error(st));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	return replay_params(st, id, r, err, errlen) == 0 ? 1 : -1;
}
