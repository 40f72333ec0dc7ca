/*
 * explain: see explain.h.  Reads through the store; prints only.
 */
#include "explain.h"

#include <stdio.h>
#include <string.h>

#include "explain_json.h"
#include "result.h"
#include "signature.h"
#include "store.h"
#include "verdict.h"

#define LAST_EVENTS 20

static int print_wait(void *ctx, const struct wait_row *w)
{
	int *n = ctx;

	if (strcmp(w->channel, "bioq") == 0)
		return 0;	/* an idle device thread */
	if ((*n)++ == 0)
		printf("\nthreads (wait channel, asleep since, what would wake "
		    "it):\n");
	if (strcmp(w->channel, "running") == 0)
		printf("  %-16s running\n", w->thread);
	else
		printf("  %-16s %-14s %9.3fs  %s\n", w->thread, w->channel,
		    w->since, w->detail);
	return 0;
}

static int print_counter(void *ctx, const char *name, int64_t v)
{
	int *n = ctx;

	if ((*n)++ == 0)
		printf("\ncounters:\n");
	printf("  %-26s %lld\n", name, (long long)v);
	return 0;
}

static int print_event(void *ctx, const struct event_row *e)
{
	int *n = ctx;

	if ((*n)++ == 0)
		printf("\nlast events:\n");
	printf("  %9.3fs  %-16s %-14s %s\n", e->t, e->kind, e->thread,
	    e->detail);
	return 0;
}

/*
 * The run's stalls, each with what every thread waited on at its start,
 * and the verdict's reason (simrun.c records them after the run).
 */
static int print_stall(void *ctx, const struct event_row *e)
{
	int *n = ctx;

	if ((*n)++ == 0)
		printf("\nstalls (no progress for %.0f s or more):\n",
		    VERDICT_STALL_MIN);
	if (strcmp(e->kind, "stall") == 0)
		printf("  from t=%.3fs: %s\n", e->t, e->detail);
	else
		printf("    %-16s %s\n", e->thread, e->detail);
	return 0;
}

static int print_verdict(void *ctx, const struct event_row *e)
{
	struct event_row *last = ctx;

	*last = *e;
	return 0;
}

static void print_head(int64_t id, const struct run_row *r)
{
	printf("run %lld: %s, allocator %s", (long long)id, r->scenario,
	    r->allocator);
	if (r->reserve_n >= 0)
		printf(" N=%ld", r->reserve_n);
	printf(", seed %llu, params %s\n", (unsigned long long)r->seed,
	    r->params);
	printf("outcome: %s%s%s%s at t=%.3fs", outcome_name(r->outcome),
	    r->deadlock_kind[0] ? " (" : "", r->deadlock_kind,
	    r->deadlock_kind[0] ? ")" : "", r->end_time);
	if (r->deadlock_time >= 0)
		printf("; no progress since t=%.3fs", r->deadlock_time);
	printf("\n");
	if (r->still_running[0])
		printf("still running at the end: %s\n", r->still_running);
	if (r->rerun > 0)
		printf("stored again with --force (rerun %lld of this seed and "
		    "params; the earlier rows are kept)\n", (long long)r->rerun);
	if (r->longest_stall_seconds > 0)
		printf("longest stall: %.3fs\n", r->longest_stall_seconds);
}

/*
 * What the verdict said at the end, and for a watchdog deadlock the
 * caveat that it is not proven.
 */
static void print_caveat(const struct run_row *r, const struct event_row *v)
{
	if (v->kind[0])
		printf("\nverdict %s: %s\n", v->thread, v->detail);
	if (strcmp(r->deadlock_kind, "livelock") == 0)
		printf("caveat: the watchdog fired after %.3fs without "
		    "progress, but the verdict could not prove that no thread "
		    "can ever progress again; this may be a long stall, not a "
		    "deadlock\n", r->end_time - r->deadlock_time);
}

int explain_run(const char *db, int64_t id, int json)
{
	struct store_opts so = { .must_exist = 1, .read_only = 1 };
	struct event_row verdict;
	struct run_row row;
	struct store *st;
	char err[512];
	int n, rc;

	if (store_open_opts(&st, db, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return 1;
	}
	memset(&row, 0, sizeof(row));
	rc = store_run_get(st, id, &row, err, sizeof(err));
	if (rc <= 0) {
		if (rc == 0)
			fprintf(stderr, "memsim: %s: no run %lld\n", db,
			    (long long)id);
		else
			fprintf(stderr, "memsim: %s\n", err);
		store_close(st);
		return rc == 0 ? 2 : 1;
	}
	if (json) {
		if ((rc = explain_json(st, id, &row, stdout, err,
		    sizeof(err))) != 0)
			fprintf(stderr, "memsim: %s\n", err);
		store_close(st);
		return rc != 0;
	}
	print_head(id, &row);
	n = 0;
	rc = store_run_waits(st, id, print_wait, &n, err, sizeof(err));
	if (rc == 0) {
		n = 0;
		rc = store_run_counters(st, id, print_counter, &n, err,
		    sizeof(err));
	}
	if (rc == 0) {
		n = 0;
		rc = store_run_events_last(st, id, LAST_EVENTS, print_event,
		    &n, err, sizeof(err));
	}
	if (rc == 0) {
		n = 0;
		rc = store_run_events_kind(st, id, "stall", print_stall, &n,
		    err, sizeof(err));
	}
	memset(&verdict, 0, sizeof(verdict));
	if (rc == 0)
		rc = store_run_events_kind(st, id, "verdict", print_verdict,
		    &verdict, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "memsim: %s\n", err);
		store_close(st);
		return 1;
	}
	if (row.message[0])
		printf("\n%s: %s\n", row.outcome == OUTCOME_DEADLOCK ?
		    "diagnosis" : "message", row.message);
	print_caveat(&row, &verdict);
	{
		char choices[CHOICE_TEXT_LEN], sig[RES_SIGNATURE_LEN];
		char hash[SIGNATURE_HASH_LEN];
		if (store_run_signature(st, id, choices, sizeof(choices), sig,
		    sizeof(sig)) > 0) {
			if (sig[0]) {
				signature_hash(sig, hash);
				printf("signature %s: %s\n", hash, sig);
			}
			if (choices[0])
				printf("choices (with seed %llu): %s\n",
				    (unsigned long long)row.seed, choices);
		}
	}
	store_close(st);
	return 0;
}
