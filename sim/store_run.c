/*
 * store_run: putting runs in.  A run and its waits, samples, events and
 * counters go in with the connection's prepared statements inside one
 * BEGIN IMMEDIATE transaction, so a failure leaves nothing behind; a
 * sweep's runs go in batches, one transaction per batch, together with
 * the sweeps row that says how far the sweep got.
 */
#define _POSIX_C_SOURCE 200809L

#include "store_run.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "signature.h"
#include "store_db.h"

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

/* Check a binder's result, then step its statement. */
static int bound_step(struct store *st, struct binder *b)
{
	assert(b->i == sqlite3_bind_parameter_count(b->s));
	if (b->rc != SQLITE_OK) {
		snprintf(st->msg, sizeof(st->msg), "%s", sqlite3_errstr(b->rc));
		return b->rc;
	}
	return store_step_done(st, b->s);
}

static void bind_key(struct binder *b, const char *sha256, size_t shamax,
    const char *params, size_t parammax, uint64_t seed, const char *choices)
{
	bind_text(b, sha256, shamax);
	bind_text(b, params, parammax);
	bind_i64(b, store_u64_to_i64(seed));
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
		    store_db_error(st));
		found = -1;
	}
	sqlite3_reset(b.s);
	return found;
}

/* The rerun number a new row of this key gets: 0 when it has none. */
static int next_rerun(struct store *st, const struct run_row *row,
    int64_t *rerun)
{
	struct binder b = { st->stmt[S_NEXT_RERUN], 0, SQLITE_OK };
	int rc;

	bind_key(&b, row->scenario_sha256, sizeof(row->scenario_sha256),
	    row->params, sizeof(row->params), row->seed, row->choices);
	if (b.rc != SQLITE_OK) {
		snprintf(st->msg, sizeof(st->msg), "%s", sqlite3_errstr(b.rc));
		return b.rc;
	}
	rc = sqlite3_step(b.s);
	if (rc == SQLITE_ROW) {
		*rerun = sqlite3_column_int64(b.s, 0);
		rc = SQLITE_OK;
	} else {
		snprintf(st->msg, sizeof(st->msg), "%s", store_db_error(st));
	}
	sqlite3_reset(b.s);
	return rc;
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
	bind_i64(b, store_u64_to_i64(row->sg_calls));
	bind_i64(b, store_u64_to_i64(row->page_events));
}

static int insert_run(struct store *st, const struct run_row *row,
    int which, int64_t rerun)
{
	struct binder b = { st->stmt[which], 0, SQLITE_OK };

	BIND_STR(&b, row->scenario);
	BIND_STR(&b, row->scenario_sha256);
	BIND_STR(&b, row->allocator);
	bind_i64_or_null(&b, row->reserve_n);
	bind_i64(&b, store_u64_to_i64(row->seed));
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
	bind_real(&b, row->longest_stall_seconds);
	bind_i64(&b, rerun);
	bind_str_or_null(&b, row->still_running, sizeof(row->still_running));
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
		bind_i64_or_null(&b, s->reserve_level);
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
    int force, int64_t *id)
{
	int64_t rerun = 0;
	int rc = SQLITE_OK;

	if (force)
		rc = next_rerun(st, &r->row, &rerun);
	if (rc == SQLITE_OK)
		rc = insert_run(st, &r->row, S_RUN, rerun);
	if (rc != SQLITE_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	return insert_children(st, r, *id);
}

int store_insert(struct store *st, const struct result *r, int force,
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
	rc = store_step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = insert_all(st, r, force || st->force, &newid);
	if (rc == SQLITE_OK)
		rc = store_step_done(st, st->stmt[S_COMMIT]);
	if (rc == SQLITE_OK) {
		*id = newid;
		return 0;
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		store_seterr(err, errlen, "%s: a run of scenario %.*s with "
		    "seed %llu and params %.*s is already stored", st->path,
		    (int)sizeof(row->scenario), row->scenario, (unsigned long
		    long)row->seed, (int)sizeof(row->params), row->params);
	else
		store_seterr(err, errlen, "%s: cannot store run: %s", st->path,
		    st->msg);
	/* Some errors (full disk, I/O) have already rolled back. */
	if (!sqlite3_get_autocommit(st->db))
		store_step_done(st, st->stmt[S_ROLLBACK]);
	return -1;
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

/* ---------------------------------------------------------------------
 * Sweeps: resumable batches of runs.
 */

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
		*outcome = store_outcome_code(
		    (const char *)sqlite3_column_text(b.s, 0));
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
	if (st->force) {
		rc = insert_all(st, r, 1, &id);
		*added = rc == SQLITE_OK;
		return rc;
	}
	rc = insert_run(st, &r->row, S_RUN_NEW, 0);
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

int store_insert_batch(struct store *st, struct result *const *rs, int n,
    int64_t sweep_id, int64_t done, int *inserted, char *err,
    size_t errlen)
{
	int i, added, count = 0, rc;

	assert(st != NULL && (n == 0 || rs != NULL));
	rc = store_step_done(st, st->stmt[S_BEGIN]);
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		rc = insert_new(st, rs[i], &added);
		count += added;
	}
	if (rc == SQLITE_OK && sweep_id > 0)
		rc = sweep_done(st, sweep_id, done);
	if (store_end_tx(st, rc, "cannot store runs", err, errlen) != 0)
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
		    store_db_error(st));
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
	rc = store_step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = sweep_find(st, sha256, grid, id);
	if (rc == SQLITE_OK && *id > 0)
		rc = sweep_set(st, *id, planned, done, 0);
	else if (rc == SQLITE_OK)
		rc = sweep_new(st, scenario, sha256, grid, planned, done, id);
	return store_end_tx(st, rc, "cannot record the sweep", err, errlen);
}

int store_sweep_set(struct store *st, int64_t id, int64_t planned,
    int64_t done, int finished, char *err, size_t errlen)
{
	int rc;

	rc = store_step_done(st, st->stmt[S_BEGIN]);
	if (rc == SQLITE_OK)
		rc = sweep_set(st, id, planned, done, finished);
	return store_end_tx(st, rc, "cannot record the sweep", err, errlen);
}
