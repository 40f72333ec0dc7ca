/*
 * store_query: reading a store's runs back (declared through store.h):
 * the deadlock_rate view, one run's rows, what a replay needs.
 */
#ifndef MEMSIM_STORE_QUERY_H
#define MEMSIM_STORE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "result.h"

struct store;

/* One row of the deadlock_rate view (analyze/views.sql). */
struct store_rate {
	char scenario[CFG_NAME_LEN];
	char scenario_sha256[65];		/* the version */
	char version[CFG_NAME_LEN + 32];	/* "name 1a2b3c4d 2026-12-03" */
	int versions;				/* how many the name has */
	char allocator[CFG_NAME_LEN];
	long reserve_n;			/* -1: the allocator has none */
	int64_t runs, deadlocks, errors;
	int64_t panics;				/* in runs too */
	double rate, wilson_low, wilson_high;	/* NAN when runs == 0 */
	double median_time_to_deadlock;		/* NAN: no deadlock */
	double median_pagedaemon_blocked_seconds;
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
 * version (oldest first), allocator, reserve_n.  Returns what a callback returned, 0, or -1
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

/*
 * Run `id`'s waits, its last n simulated events in time order (not the
 * verdict's stall, stall_wait and verdict rows), and, in the order they
 * were recorded, its events whose kind starts with `prefix`.
 */
int store_run_waits(struct store *st, int64_t id, store_wait_fn *fn,
    void *ctx, char *err, size_t errlen);
int store_run_events_last(struct store *st, int64_t id, int n,
    store_event_fn *fn, void *ctx, char *err, size_t errlen);
int store_run_events_kind(struct store *st, int64_t id, const char *prefix,
    store_event_fn *fn, void *ctx, char *err, size_t errlen);

/*
 * Every run of (scenario sha256, params) in id order, with its seed,
 * outcome, choices, signature, min_free_pages, pd_blocked_seconds,
 * reserve_min_level, pageouts and end_time filled in (the rest zero); fn returns non-zero to
 * stop.  0, or -1 with a message.
 */
typedef int store_run_fn(void *ctx, int64_t id, const struct run_row *row);
int store_each_run(struct store *st, const char *sha256, const char *params,
    store_run_fn *fn, void *ctx, char *err, size_t errlen);

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

#endif
