/*
 * explain: see explain.h.  Reads through the store; prints only.
 */
#include "explain.h"

#include <stdio.h>
#include <string.h>

#include "result.h"
#include "signature.h"
#include "store.h"

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
}

int explain_run(const char *db, int64_t id)
{
	struct store_opts so = { .must_exist = 1 };
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
	if (rc < 0) {
		fprintf(stderr, "memsim: %s\n", err);
		store_close(st);
		return 1;
	}
	if (row.message[0])
		printf("\n%s: %s\n", row.outcome == OUTCOME_DEADLOCK ?
		    "diagnosis" : "message", row.message);
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
