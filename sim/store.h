/*
 * store: the one owner of SQLite.  Schema (versioned by PRAGMA
 * user_version, WAL, STRICT tables), inserting a run's rows in one
 * transaction or a sweep's runs in batches, the sweeps table, merging
 * databases, and the queries behind `memsim report` (over the views of
 * analyze/views.sql, compiled in).
 */
#ifndef MEMSIM_STORE_H
#define MEMSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define STORE_SCHEMA_VERSION 4

struct store;

/* Open or create; -1 with a message for an unusable database. */
int store_open(struct store **out, const char *path, char *err,
    size_t errlen);
void store_close(struct store *st);

/*
 * Versions recorded with every run inserted from now on (copied; NULL
 * stores NULL).  The SQLite version is added by the store itself.
 */
void store_set_versions(struct store *st, const char *memsim,
    const char *simgrid, const char *lua);

/* Is there already a run with this key?  Sets *id when there is. */
int store_find_run(struct store *st, const char *sha256, const char *params,
    uint64_t seed, int64_t *id);
/* The same for a run with overridden choices (sim/choice.h's text). */
int store_find_run_seq(struct store *st, const char *sha256,
    const char *params, uint64_t seed, const char *choices, int64_t *id);
/*
 * Every run of (scenario sha256, params) in id order, with its seed,
 * outcome, choices, signature, min_free_pages, pd_blocked_seconds and
 * reserve_min_level filled in (the rest zero); fn returns non-zero to
 * stop.  0, or -1 with a message.
 */
typedef int store_run_fn(void *ctx, int64_t id, const struct run_row *row);
int store_each_run(struct store *st, const char *sha256, const char *params,
    store_run_fn *fn, void *ctx, char *err, size_t errlen);
/*
 * Insert a run and its waits, samples, events and counters in one
 * transaction; `replace` deletes an existing run with the same key first.
 * Returns 0 and the new id, or -1 with a message (nothing written).
 */
int store_insert(struct store *st, const struct result *r, int replace,
    int64_t *id, char *err, size_t errlen);

struct store_opts {
	int busy_ms;		/* wait this long for another's lock; 0: 10 s */
	int must_exist;		/* refuse to create a new database */
};

/* store_open() with options; o may be NULL. */
int store_open_opts(struct store **out, const char *path,
    const struct store_opts *o, char *err, size_t errlen);

/*
 * The outcome (enum outcome) of the run with this key: 1 and *outcome
 * when there is one, 0 when not, -1 on a database error.
 */
int store_run_outcome(struct store *st, const char *sha256,
    const char *params, uint64_t seed, int *outcome);

/*
 * Insert n runs in one transaction, each with all its rows; a run whose
 * key is already stored is skipped (counted out of *inserted).  With
 * sweep_id > 0 the sweep's runs_done becomes `done` in the same
 * transaction, so it never disagrees with the runs table.  0, or -1
 * with a message and nothing written.
 */
int store_insert_batch(struct store *st, struct result *const *rs, int n,
    int64_t sweep_id, int64_t done, int *inserted, char *err,
    size_t errlen);

/*
 * The sweeps row of (scenario sha256, grid): the latest one, reopened
 * (finished cleared) when the same sweep runs again, else a new one.
 */
int store_sweep_begin(struct store *st, const char *scenario,
    const char *sha256, const char *grid, int64_t planned, int64_t done,
    int64_t *id, char *err, size_t errlen);
/* Set a sweep's counts; `finished` stamps the finish time. */
int store_sweep_set(struct store *st, int64_t id, int64_t planned,
    int64_t done, int finished, char *err, size_t errlen);

/*
 * Is `path` an existing memsim database of exactly this schema version?
 * Opens it read-only and writes nothing.  0, or -1 with a message.
 */
int store_check_source(const char *path, char *err, size_t errlen);

struct store_merge_stats {
	int64_t added;		/* runs copied, with all their rows */
	int64_t present;	/* runs skipped: their key was already here */
};
/*
 * Copy every run of database `path` whose key is not here yet, with its
 * waits, samples, events and counters under new run ids, and its sweeps
 * rows, in one transaction.  Merging the same file twice adds nothing.
 */
int store_merge(struct store *st, const char *path,
    struct store_merge_stats *ms, char *err, size_t errlen);

/* One row of the deadlock_rate view (analyze/views.sql). */
struct store_rate {
	char scenario[CFG_NAME_LEN];
	char allocator[CFG_NAME_LEN];
	long reserve_n;			/* -1: the allocator has none */
	int64_t runs, deadlocks, errors;
	int64_t panics;				/* in runs too */
	double rate, wilson_low, wilson_high;	/* NAN when runs == 0 */
	double median_time_to_deadlock;		/* NAN: no deadlock */
	double median_pd_blocked_seconds;
	int64_t peak_swapmeta_pages;
	int64_t lowest_reserve_level;		/* -1: no reserve */
};

/* Callbacks return 0 to go on, anything else to stop with that value. */
typedef int store_rate_fn(void *ctx, const struct store_rate *r);
typedef int store_sample_fn(void *ctx, const struct sample_row *s);
typedef int store_counter_fn(void *ctx, const char *name, int64_t value);
typedef int store_wait_fn(void *ctx, const struct wait_row *w);
typedef int store_event_fn(void *ctx, const struct event_row *e);

/*
 * deadlock_rate rows of one scenario (NULL: all), ordered by scenario,
 * allocator, reserve_n.  Returns what a callback returned, 0, or -1
 * with a message.
 */
int store_rates(struct store *st, const char *scenario, store_rate_fn *fn,
    void *ctx, char *err, size_t errlen);

/*
 * Run `id`: its identity and outcome into row (1), 0 if there is no
 * such run, -1 on an error.
 */
int store_run_get(struct store *st, int64_t id, struct run_row *row,
    char *err, size_t errlen);
/* Run `id`'s samples in time order, and its counters. */
int store_run_samples(struct store *st, int64_t id, store_sample_fn *fn,
    void *ctx, char *err, size_t errlen);
int store_run_counters(struct store *st, int64_t id, store_counter_fn *fn,
    void *ctx, char *err, size_t errlen);

/* Run `id`'s waits, and its last n events in time order. */
int store_run_waits(struct store *st, int64_t id, store_wait_fn *fn,
    void *ctx, char *err, size_t errlen);
int store_run_events_last(struct store *st, int64_t id, int n,
    store_event_fn *fn, void *ctx, char *err, size_t errlen);

/* What `memsim replay` needs of a stored run. */
struct store_replay {
	char scenario[CFG_NAME_LEN];
	char scenario_path[512];	/* "" when not recorded */
	char scenario_sha256[65];
	uint64_t seed;
	char params[512];		/* the JSON, as stored */
	struct param p[CFG_MAX_PARAMS];	/* the same, decoded */
	int np;
	char digest[17];
	int outcome;			/* enum outcome */
	char choices[CHOICE_TEXT_LEN];	/* the overridden choices */
};

/*
 * Run `id` for a replay, its params decoded from JSON into -p pairs:
 * 1, 0 if there is no such run, -1 on an error (too many or too long
 * parameters included).
 */
int store_run_replay(struct store *st, int64_t id, struct store_replay *r,
    char *err, size_t errlen);

/* The signatures view, most frequent first (scenario NULL: all). */
typedef int store_signature_fn(void *ctx, const char *hash,
    const char *text, int64_t first_run, int64_t runs);
int store_signatures(struct store *st, const char *scenario,
    store_signature_fn *fn, void *ctx, char *err, size_t errlen);
/* Run `id`'s overridden choices and signature: 1, 0 no run, -1 error. */
int store_run_signature(struct store *st, int64_t id, char *choices,
    size_t clen, char *sig, size_t slen);

/* The SQLite library in use. */
const char *store_sqlite_version(void);

#endif
