/*
 * hunt: see hunt.h.
 *
 * One loop for random and guided: a generator makes the next candidate
 * (seed plus overrides), up to -j children run at once, and each result
 * is stored, tallied (deadlocks, signatures, the closest approach) and,
 * when guided, judged for the corpus (what was seen and what comes
 * next: sim/hunt_corpus.c; the command line: sim/hunt_opts.c).
 * Exhaustive hands the runs to sim/explore.c and only stores and
 * tallies here.
 */
#define _POSIX_C_SOURCE 200809L
#include "hunt.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "core.h"
#include "explore.h"
#include "hunt_corpus.h"
#include "mutate.h"
#include "runner.h"
#include "simrun.h"
#include "store.h"
#include "version.h"
#include "xmalloc.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1
#define EXIT_DEADLOCK	3

#define BATCH_RUNS	32
#define BATCH_SECONDS	2.0

struct job {
	struct runner_child c;
	struct mutate_cand cand;
	int busy;
};

struct hunt {
	const struct hunt_opts *o;
	struct store *st;
	char sha[65], params[512], name[CFG_NAME_LEN];
	struct run_row ident;		/* the runs' identity, less seed */
	struct hunt_summary *sum;
	struct hunt_corpus hc;		/* seen, tallies, corpus */
	struct job jobs[HUNT_MAX_JOBS];
	int nactive;
	struct result *batch[BATCH_RUNS];
	int nbatch;
	double t0, deadline, last_flush, last_progress;
	int tty, progress_len, failed;
	int64_t started;
	struct explore_stats xs;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* The next candidate; 0 when the budget is spent. */
static int generate(struct hunt *h, struct mutate_cand *out, int *initial)
{
	const struct hunt_opts *o = h->o;

	if (o->budget_runs > 0 && h->sum->runs + h->nactive >= o->budget_runs)
		return 0;
	if (o->budget_seconds > 0 && runner_now() >= h->deadline)
		return 0;
	return hunt_corpus_next(&h->hc, out, initial);
}

static void progress(struct hunt *h, int last)
{
	const struct hunt_summary *s = h->sum;
	double now = runner_now(), el = now - h->t0;
	char line[320], left[48];
	int n;

	if (h->o->quiet)
		return;
	if (!last && now - h->last_progress < (h->tty ? 0.25 : 10))
		return;
	h->last_progress = now;
	if (h->o->budget_seconds > 0)
		snprintf(left, sizeof(left), "%.0fs left", h->deadline > now ?
		    h->deadline - now : 0);
	else if (h->o->budget_runs > 0)
		snprintf(left, sizeof(left), "%lld left", (long long)
		    (h->o->budget_runs - s->runs));
	else
		snprintf(left, sizeof(left), "until done");
	char states[48] = "";

	if (h->o->strategy == HUNT_EXHAUSTIVE)
		snprintf(states, sizeof(states), " (%lld states)",
		    (long long)h->xs.states);
	n = snprintf(line, sizeof(line), "hunt %s: %lld runs%s, %lld "
	    "deadlocks, %lld panics, %d signatures, best: reserve %lld, "
	    "free %lld, pd blocked %.2fs, %.1f runs/s, %s",
	    hunt_strategy_name(h->o->strategy), (long long)s->runs, states,
	    (long long)s->deadlocks, (long long)s->panics, s->nsignatures,
	    (long long)s->best_reserve_min, (long long)s->best_min_free,
	    s->best_pd_blocked, el > 0 ? (double)s->runs / el : 0, left);
	if (h->tty) {
		fprintf(stderr, "\r%s%*s", line, h->progress_len > n ?
		    h->progress_len - n : 0, "");
		h->progress_len = n;
		if (last)
			fputc('\n', stderr);
	} else if (!last) {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

static int flush(struct hunt *h)
{
	char err[512];
	int inserted = 0, i, rc;

	if (h->nbatch == 0)
		return 0;
	rc = store_insert_batch(h->st, h->batch, h->nbatch, 0, 0, &inserted,
	    err, sizeof(err));
	for (i = 0; i < h->nbatch; i++) {
		result_free(h->batch[i]);
		free(h->batch[i]);
	}
	h->nbatch = 0;
	h->last_flush = runner_now();
	if (rc != 0) {
		fprintf(stderr, "%smemsim: %s\n", h->tty ? "\n" : "", err);
		h->failed = 1;
		return -1;
	}
	return 0;
}

/* A result to store (taken over) and judge; its id is not known yet. */
static void collect(struct hunt *h, const struct mutate_cand *c,
    struct result *res, int initial)
{
	struct result *keep = xmalloc(sizeof(*keep));
	int64_t id = 0;

	if (res->row.outcome == OUTCOME_DEADLOCK ||
	    res->row.outcome == OUTCOME_PANIC) {
		/* findings are stored at once, so their id can be shown */
		char err[512];
		if (flush(h) != 0 || store_insert(h->st, res, 0, &id, err,
		    sizeof(err)) != 0) {
			if (!h->failed)
				fprintf(stderr, "memsim: %s\n", err);
			h->failed = 1;
		}
		hunt_corpus_judge(&h->hc, c, &res->row, id, initial);
		result_free(res);
		free(keep);
		return;
	}
	hunt_corpus_judge(&h->hc, c, &res->row, 0, initial);
	*keep = *res;
	h->batch[h->nbatch++] = keep;
	if (h->nbatch == BATCH_RUNS)
		(void)flush(h);
}

static void spec_base(const struct hunt *h, struct run_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->path = h->o->path;
	memcpy(spec->params, h->o->params, sizeof(spec->params));
	spec->nparams = h->o->nparams;
	spec->limits = h->o->limits;
	spec->wall_limit = h->o->wall_limit;
}

/* Start a run of the candidate in job j, unless it is stored already. */
static int launch(struct hunt *h, struct job *j, const struct mutate_cand *c,
    int initial)
{
	struct run_spec spec;
	struct result res;

	/* stored candidates were marked seen by resume_one(): never here */
	j->cand = *c;
	spec_base(h, &spec);
	spec.seed = c->seed;
	spec.choices = &j->cand.seq;
	if (runner_start(&spec, &j->c, &res) != 0) {
		fprintf(stderr, "%smemsim: cannot start a run: %s\n",
		    h->tty ? "\n" : "", res.row.message);
		result_free(&res);
		h->failed = 1;
		return -1;
	}
	j->busy = 1;
	j->cand.nstreams = initial;	/* remembered until it is judged */
	h->nactive++;
	h->started++;
	return 0;
}

/* A child that died before it said who it was: the candidate's run. */
static void label_run(const struct hunt *h, const struct mutate_cand *c,
    struct run_row *row)
{
	if (!result_label(row, &h->ident))
		return;
	row->seed = c->seed;
	choice_seq_format(&c->seq, row->choices, sizeof(row->choices));
}

static void finish(struct hunt *h, struct job *j, int overran)
{
	struct result res;
	int initial = j->cand.nstreams;

	runner_finish(&j->c, overran, &res);
	label_run(h, &j->cand, &res.row);
	j->busy = 0;
	h->nactive--;
	j->cand.nstreams = 0;
	if (j->c.signal == SIGINT || j->c.signal == SIGTERM ||
	    j->c.signal == SIGHUP) {
		result_free(&res);
		return;
	}
	collect(h, &j->cand, &res, initial);
}

static void wait_some(struct hunt *h)
{
	struct pollfd pfd[HUNT_MAX_JOBS];
	int idx[HUNT_MAX_JOBS], i, n = 0;
	double now = runner_now();

	for (i = 0; i < h->o->jobs; i++) {
		if (!h->jobs[i].busy)
			continue;
		pfd[n] = (struct pollfd){ .fd = h->jobs[i].c.fd,
		    .events = POLLIN };
		idx[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, h->tty ? 250 : 1000) < 0 || stop_signal)
		return;
	now = runner_now();
	for (i = 0; i < n; i++) {
		struct job *j = &h->jobs[idx[i]];
		if (pfd[i].revents != 0)
			finish(h, j, 0);
		else if (j->c.deadline > 0 && now >= j->c.deadline)
			finish(h, j, 1);
	}
}

static void abandon(struct hunt *h)
{
	struct result res;
	int i;

	for (i = 0; i < h->o->jobs; i++) {
		if (!h->jobs[i].busy)
			continue;
		runner_finish(&h->jobs[i].c, 1, &res);
		result_free(&res);
		h->jobs[i].busy = 0;
		h->nactive--;
	}
}

static int loop(struct hunt *h)
{
	struct mutate_cand c;
	int i, initial, more = 1;

	while (!stop_signal && !h->failed) {
		for (i = 0; i < h->o->jobs && more && !h->failed; i++) {
			if (h->jobs[i].busy)
				continue;
			more = generate(h, &c, &initial);
			if (more && launch(h, &h->jobs[i], &c, initial) != 0)
				break;
		}
		if (h->nactive == 0 && !more)
			break;
		if (h->nactive > 0)
			wait_some(h);
		if (h->nbatch > 0 && runner_now() - h->last_flush >=
		    BATCH_SECONDS)
			(void)flush(h);
		progress(h, 0);
	}
	if (stop_signal || h->failed)
		abandon(h);
	if (!h->failed)
		(void)flush(h);
	return 0;
}

/* Guided and random, started again: what is stored counts. */
static int resume_one(void *ctx, int64_t id, const struct run_row *r)
{
	struct hunt *h = ctx;

	hunt_corpus_stored(&h->hc, id, r);
	return 0;
}

static int explore_leaf(void *ctx, struct result *res)
{
	struct hunt *h = ctx;

	collect(h, NULL, res, 0);
	return h->failed || stop_signal;
}

static void explore_progress(void *ctx, const struct explore_stats *s)
{
	struct hunt *h = ctx;

	h->xs = *s;
	h->sum->states = s->states;
	if (h->nbatch > 0 && runner_now() - h->last_flush >= BATCH_SECONDS)
		(void)flush(h);
	progress(h, 0);
}

static int run_exhaustive(struct hunt *h)
{
	struct explore_opts eo = {
		.depth = h->o->depth,
		.width = h->o->width,
		.domains = h->o->domains,
		.fork_mode = h->o->fork_mode,
		.max_leaves = h->o->budget_runs,
		.deadline = h->o->budget_seconds > 0 ? h->deadline : 0,
	};
	struct run_spec spec;
	char err[512];

	spec_base(h, &spec);
	spec.seed = h->o->seed;
	if (explore_run(&eo, &spec, explore_leaf, explore_progress, h,
	    &h->xs, err, sizeof(err)) != 0) {
		fprintf(stderr, "%smemsim: %s\n", h->tty ? "\n" : "", err);
		h->failed = 1;
	}
	h->sum->states = h->xs.states;
	h->sum->complete = h->xs.complete && !stop_signal;
	if (!h->failed)
		(void)flush(h);
	return 0;
}

static void summary(const struct hunt *h)
{
	const struct hunt_summary *s = h->sum;
	double el = runner_now() - h->t0;

	printf("hunt %s (%s): %lld runs in %.1fs (%.1f runs/s), %lld "
	    "deadlocks, %lld panics, %lld errors\n", h->name,
	    hunt_strategy_name(h->o->strategy), (long long)s->runs, el,
	    el > 0 ? (double)s->runs / el : 0, (long long)s->deadlocks,
	    (long long)s->panics, (long long)s->errors);
	if (s->first_found > 0)
		printf("  first deadlock or panic at run %lld of the hunt "
		    "(run id %lld)\n", (long long)s->first_found,
		    (long long)s->first_id);
	if (h->o->strategy == HUNT_EXHAUSTIVE) {
		printf("  explored %lld distinct states (%lld branches cut "
		    "at known states, %s)", (long long)h->xs.states,
		    (long long)h->xs.pruned, h->xs.fork_mode ?
		    "forking at choice points" : "replaying prefixes");
		if (s->deadlocks + s->panics == 0 && s->complete)
			printf(", no deadlock within depth %d\n  (a proof "
			    "only for this model, depth %d, width %d over "
			    "these choice domains, and the state "
			    "abstraction of docs/hunting.md)\n",
			    h->o->depth, h->o->depth, h->o->width);
		else if (!s->complete)
			printf(", stopped before every branch was explored: "
			    "no claim within depth %d\n", h->o->depth);
		else
			printf("\n");
	}
	hunt_corpus_print_signatures(&h->hc);
	printf("  closest approach: reserve level %lld, free pages %lld, "
	    "page daemon blocked %.3fs\n", (long long)s->best_reserve_min,
	    (long long)s->best_min_free, s->best_pd_blocked);
}

static int open_hunt(struct hunt *h, char *err, size_t errlen)
{
	struct run_spec spec;
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	int rc;

	spec_base(h, &spec);
	spec.seed = h->o->seed;
	rc = runner_validate(&spec, cfg, err, errlen);
	if (rc == 0)
		rc = runner_file_sha256(h->o->path, h->sha, err, errlen);
	if (rc == 0) {
		snprintf(cfg->sha256, sizeof(cfg->sha256), "%s", h->sha);
		simrun_params_json(cfg, h->params, sizeof(h->params));
		simrun_identity(cfg, &h->ident);
		snprintf(h->name, sizeof(h->name), "%s", cfg->name);
	}
	free(cfg);
	return rc;
}

int hunt_run(const struct hunt_opts *o, struct hunt_summary *sum)
{
	struct hunt *h = xcalloc(1, sizeof(*h));
	struct sigaction sa, old[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char err[512];
	int rc = 0, i;

	memset(sum, 0, sizeof(*sum));
	sum->best_reserve_min = -1;
	sum->best_min_free = INT64_MAX;
	h->o = o;
	h->sum = sum;
	h->tty = isatty(STDERR_FILENO);
	hunt_corpus_init(&h->hc, o, sum);
	if (open_hunt(h, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (store_open(&h->st, o->db, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		rc = EXIT_ENV;
		goto out;
	}
	store_set_versions(h->st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	h->t0 = h->last_flush = runner_now();
	h->deadline = o->budget_seconds > 0 ? h->t0 + o->budget_seconds : 0;
	if (o->strategy == HUNT_EXHAUSTIVE) {
		run_exhaustive(h);
	} else {
		if (store_each_run(h->st, h->sha, h->params, resume_one, h,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "memsim: %s\n", err);
			h->failed = 1;
		} else {
			loop(h);
		}
	}
	progress(h, 1);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (sum->best_min_free == INT64_MAX)
		sum->best_min_free = -1;
	if (!o->quiet && !h->failed)
		summary(h);
	if (h->failed)
		rc = EXIT_ENV;
	else if (stop_signal)
		rc = 128 + stop_signal;
	else if (o->fail_on_deadlock && sum->deadlocks + sum->panics > 0)
		rc = EXIT_DEADLOCK;
	store_close(h->st);
out:
	hunt_corpus_free(&h->hc);
	free(h);
	return rc;
}

int hunt_main(int argc, char **argv)
{
	struct hunt_opts o;
	struct hunt_summary s;
	int rc;

	if ((rc = hunt_parse(argc, argv, &o)) != 0)
		return rc;
	return hunt_run(&o, &s);
}
