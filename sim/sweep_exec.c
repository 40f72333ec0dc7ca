/*
 * sweep_exec: see sweep_exec.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep_exec.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "core.h"
#include "result.h"
#include "runner.h"
#include "store.h"
#include "sweep_lock.h"
#include "version.h"
#include "xmalloc.h"

#define BATCH_RUNS		16	/* runs per transaction, at most */
#define BATCH_SECONDS		2.0	/* and no result waits longer */
#define PROGRESS_TTY		0.2	/* seconds between redraws */
#define PROGRESS_LOG		5.0	/* seconds between log lines */

/* ---------------------------------------------------------------------
 * Execution: up to -j children, results to SQLite in batches.
 */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* No SA_RESTART: the signal must interrupt poll(). */
static void catch_stops(struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void release_stops(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

/* A child killed by one of these was stopped, it did not fail. */
static int is_stop_signal(int sig)
{
	size_t i;

	for (i = 0; i < NSTOP; i++)
		if (sig == stop_signals[i])
			return 1;
	return 0;
}

struct slot {
	struct runner_child c;
	size_t run;
	int busy;
};

struct exec {
	struct campaign *ss;
	const struct plan *p;
	const size_t *todo;
	size_t ntodo, next;
	struct slot *slots;
	struct pollfd *pfd;
	int *pslot;
	int nactive;
	struct result *batch[BATCH_RUNS];
	int nbatch;
	double t0, last_flush, last_progress;
	unsigned stop_on;		/* 1 << outcome: stop there */
	int stopping;
	struct tally *t;
	int failed;
	int progress_len;
};

static void spec_of(const struct exec *x, size_t run, struct run_spec *spec)
{
	const struct combo *c;

	memset(spec, 0, sizeof(*spec));
	sweep_run_of(x->p, run, &c, &spec->seed);
	spec->path = x->p->path;
	memcpy(spec->params, c->params, sizeof(c->params));
	spec->nparams = c->nparams;
	spec->limits = x->ss->o->limits;
	spec->wall_limit = x->ss->o->wall_limit;
}

/*
 * A child that died before it could say who it was (a crash, an
 * overrun) still gets the run's identity, so its row has the key the
 * plan looks for and a rerun does not repeat it.
 */
static void label_run(const struct exec *x, size_t run, struct result *res)
{
	struct run_row *row = &res->row;
	const struct combo *c;
	uint64_t seed;

	sweep_run_of(x->p, run, &c, &seed);
	if (result_label(row, &c->ident))
		row->seed = seed;
}

static void tally_outcome(struct tally *t, int outcome)
{
	if (outcome == OUTCOME_DEADLOCK)
		t->deadlocks++;
	else if (outcome == OUTCOME_PANIC)
		t->panics++;
	else if (outcome == OUTCOME_ERROR)
		t->errors++;
}

static int flush(struct exec *x);

static void collect(struct exec *x, size_t run, struct result *res,
    double parent_wall)
{
	struct result *r;

	/* several children can end in one poll(): never overfill */
	if (x->nbatch == BATCH_RUNS)
		flush(x);
	r = xmalloc(sizeof(*r));
	label_run(x, run, res);
	*r = *res;
	x->batch[x->nbatch++] = r;
	x->t->fresh++;
	x->t->child_wall += r->row.wall_seconds;
	x->t->parent_wall += parent_wall;
	tally_outcome(x->t, r->row.outcome);
	if (x->stop_on & (1u << r->row.outcome))
		x->stopping = 1;
}

static int flush(struct exec *x)
{
	struct campaign *ss = x->ss;
	char err[512];
	int i, rc, inserted = 0;

	if (x->nbatch == 0)
		return 0;
	rc = store_insert_batch(ss->st, x->batch, x->nbatch, ss->sweep_id,
	    ss->stored + x->nbatch, &inserted, err, sizeof(err));
	if (rc == 0) {
		ss->stored += x->nbatch;
		x->t->added += inserted;
	}
	for (i = 0; i < x->nbatch; i++) {
		result_free(x->batch[i]);
		free(x->batch[i]);
	}
	x->nbatch = 0;
	x->last_flush = runner_now();
	if (rc != 0) {
		if (ss->tty)
			fputc('\n', stderr);
		fprintf(stderr, "memsim: %s\n", err);
		x->failed = 1;
	}
	return rc;
}

static int launch(struct exec *x, struct slot *sl)
{
	struct run_spec spec;
	struct result res;

	spec_of(x, x->todo[x->next], &spec);
	if (runner_start(&spec, &sl->c, &res) != 0) {
		/* fork or pipe failed: the host, not the run */
		fprintf(stderr, "%smemsim: cannot start a run: %s\n",
		    x->ss->tty ? "\n" : "", res.row.message);
		x->failed = 1;
		return -1;
	}
	sl->run = x->todo[x->next++];
	sl->busy = 1;
	x->nactive++;
	return 0;
}

static void finish(struct exec *x, struct slot *sl, int overran)
{
	double wall = runner_now() - sl->c.started;
	struct result res;

	runner_finish(&sl->c, overran, &res);
	sl->busy = 0;
	x->nactive--;
	if (is_stop_signal(sl->c.signal)) {
		/* ^C or a kill: nothing was measured, the run stays missing */
		result_free(&res);
		return;
	}
	collect(x, sl->run, &res, wall);
}

/* Kill what still runs (interrupted or failed): none of it is stored. */
static void abandon(struct exec *x)
{
	struct result res;
	int i;

	for (i = 0; i < x->ss->jobs; i++) {
		if (!x->slots[i].busy)
			continue;
		runner_finish(&x->slots[i].c, 1, &res);
		result_free(&res);
		x->slots[i].busy = 0;
		x->nactive--;
	}
}

static double wait_timeout(const struct exec *x, double now)
{
	double t = x->ss->tty ? PROGRESS_TTY : 1.0;
	int i;

	for (i = 0; i < x->ss->jobs; i++)
		if (x->slots[i].busy && x->slots[i].c.deadline > 0 &&
		    x->slots[i].c.deadline - now < t)
			t = x->slots[i].c.deadline - now;
	if (x->nbatch > 0 && x->last_flush + BATCH_SECONDS - now < t)
		t = x->last_flush + BATCH_SECONDS - now;
	return t > 0 ? t : 0;
}

/* Wait for children to finish or overrun, and collect them. */
static void wait_some(struct exec *x)
{
	double now = runner_now();
	int i, n = 0, rc, overran;

	for (i = 0; i < x->ss->jobs; i++) {
		if (!x->slots[i].busy)
			continue;
		x->pfd[n] = (struct pollfd){ .fd = x->slots[i].c.fd,
		    .events = POLLIN };
		x->pslot[n++] = i;
	}
	rc = poll(x->pfd, (nfds_t)n, (int)ceil(wait_timeout(x, now) * 1000));
	if (stop_signal != 0 || (rc < 0 && errno == EINTR))
		return;
	now = runner_now();
	for (i = 0; i < n; i++) {
		struct slot *sl = &x->slots[x->pslot[i]];

		overran = sl->c.deadline > 0 && now >= sl->c.deadline;
		if (x->pfd[i].revents != 0)
			finish(x, sl, 0);
		else if (overran)
			finish(x, sl, 1);
	}
}

static void fmt_eta(char *buf, size_t len, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, len, "--");
	else if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600),
		    (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, "%ds", (int)ceil(s));
}

/*
 * done/total, deadlocks, runs/s and ETA: rewritten in place on a
 * terminal, a plain line every PROGRESS_LOG seconds otherwise.
 */
static void progress(struct exec *x, int last)
{
	const struct tally *t = x->t;
	double now = runner_now(), el = now - x->t0;
	double rate = el > 0 ? (double)t->fresh / el : 0;
	int64_t done = t->present + t->fresh;
	char line[256], eta[32];
	int n;

	if (!last && now - x->last_progress < (x->ss->tty ? PROGRESS_TTY :
	    PROGRESS_LOG))
		return;
	x->last_progress = now;
	fmt_eta(eta, sizeof(eta), rate > 0 ? (double)(t->runs - done) / rate :
	    NAN);
	n = snprintf(line, sizeof(line), "%s: %lld/%lld runs, %lld "
	    "deadlocks, %.1f runs/s, ETA %s", x->ss->label, (long long)done,
	    (long long)t->runs, (long long)t->deadlocks, rate, eta);
	if (x->ss->tty) {
		fprintf(stderr, "\r%s%*s", line, x->progress_len > n ?
		    x->progress_len - n : 0, "");
		x->progress_len = n;
		if (last)
			fputc('\n', stderr);
	} else if (!last) {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

static int exec_loop(struct exec *x)
{
	int i;

	while (stop_signal == 0 && !x->failed) {
		for (i = 0; i < x->ss->jobs && x->next < x->ntodo &&
		    !x->stopping && !x->failed; i++)
			if (!x->slots[i].busy && launch(x, &x->slots[i]) != 0)
				break;
		if (x->nactive == 0)
			break;
		wait_some(x);
		if (x->nbatch >= BATCH_RUNS || (x->nbatch > 0 &&
		    runner_now() - x->last_flush >= BATCH_SECONDS))
			flush(x);
		progress(x, 0);
	}
	if (stop_signal != 0 || x->failed)
		abandon(x);
	if (!x->failed)
		flush(x);
	progress(x, 1);
	return x->failed ? SWEEP_EXIT_ENV : stop_signal != 0 ?
	    128 + stop_signal : 0;
}

/*
 * Run the plan's runs listed in todo[] (t->present and the tally of
 * stored ones already filled in).  Returns 0, SWEEP_EXIT_ENV when the store
 * or the host failed, or 128 + the signal that stopped it.
 */
static int exec_plan(struct campaign *ss, const struct plan *p,
    const size_t *todo, size_t ntodo, unsigned stop_on,
    struct tally *t)
{
	struct sigaction old[NSTOP];
	struct exec x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.ss = ss;
	x.p = p;
	x.todo = todo;
	x.ntodo = ntodo;
	x.t = t;
	x.stop_on = stop_on;
	/* a deadlock already stored answers the question as well */
	x.stopping = ((stop_on >> OUTCOME_DEADLOCK) & 1 && t->deadlocks > 0) ||
	    ((stop_on >> OUTCOME_PANIC) & 1 && t->panics > 0);
	x.slots = xcalloc((size_t)ss->jobs, sizeof(*x.slots));
	x.pfd = xcalloc((size_t)ss->jobs, sizeof(*x.pfd));
	x.pslot = xcalloc((size_t)ss->jobs, sizeof(*x.pslot));
	x.t0 = x.last_flush = runner_now();
	x.last_progress = x.t0;
	catch_stops(old);
	progress(&x, 0);
	rc = exec_loop(&x);
	t->seconds += runner_now() - x.t0;
	release_stops(old);
	free(x.slots);
	free(x.pfd);
	free(x.pslot);
	return rc;
}

/*
 * The runs of this shard that are not stored yet, into *todo; the
 * stored ones are counted into t.
 */
static int plan_todo(struct campaign *ss, const struct plan *p,
    struct tally *t, size_t **todo, size_t *ntodo)
{
	const struct combo *c;
	uint64_t seed;
	size_t r, k = (size_t)(ss->o->nshards > 0 ? ss->o->nshards : 1);
	size_t mine = (size_t)(ss->o->nshards > 0 ? ss->o->shard - 1 : 0);
	int found, outcome;

	*todo = xcalloc(p->nruns / k + 1, sizeof(**todo));
	*ntodo = 0;
	for (r = mine; r < p->nruns; r += k) {
		sweep_run_of(p, r, &c, &seed);
		t->runs++;
		found = ss->o->force ? 0 : store_run_outcome(ss->st,
		    c->ident.scenario_sha256, c->ident.params, seed, &outcome);
		if (found < 0) {
			fprintf(stderr, "memsim: %s: cannot read the runs "
			    "table\n", ss->o->db);
			return -1;
		}
		if (found) {
			t->present++;
			tally_outcome(t, outcome);
		} else {
			(*todo)[(*ntodo)++] = r;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * A campaign: the database, and the plans run into one sweeps row.
 */

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > SWEEP_MAX_JOBS ? SWEEP_MAX_JOBS : (int)n;
}

int sweep_campaign_open(struct campaign *ss, const struct sweep_opts *o)
{
	struct store_opts so = { .busy_ms = o->busy_ms };
	char err[512];

	memset(ss, 0, sizeof(*ss));
	ss->o = o;
	ss->lock_fd = -1;
	ss->jobs = o->jobs > 0 ? o->jobs : online_cpus();
	ss->tty = isatty(STDERR_FILENO);
	if (store_open_opts(&ss->st, o->db, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return SWEEP_EXIT_ENV;
	}
	store_set_force(ss->st, o->force);
	store_set_versions(ss->st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	return 0;
}

/* Scenario messages name their file already, as for `memsim run`. */
void sweep_plan_error(const struct sweep_opts *o, const char *err)
{
	size_t n = strlen(o->path);

	if (strncmp(err, o->path, n) == 0 && err[n] == ':')
		fprintf(stderr, "%s\n", err);
	else
		fprintf(stderr, "memsim: %s\n", err);
}

static void interrupted(const struct campaign *ss, int rc)
{
	fprintf(stderr, "memsim: %s (%s): %lld of %lld runs stored; run the "
	    "same command again to do the rest\n", ss->label,
	    strsignal(rc - 128), (long long)ss->stored,
	    (long long)ss->planned);
}

/*
 * This grid on this database is ours until the process ends: a second
 * memsim running it at the same time would run every run again.
 */
static int claim(struct campaign *ss, const struct plan *p,
    const char *grid)
{
	char key[sizeof(p->sha256) + 2048], err[512];
	long holder;
	int rc;

	snprintf(key, sizeof(key), "%s %s", p->sha256, grid);
	rc = sweep_lock(ss->o->db, key, &ss->lock_fd, &holder, err,
	    sizeof(err));
	if (rc < 0)
		fprintf(stderr, "memsim: %s\n", err);
	else if (rc > 0 && holder > 0)
		fprintf(stderr, "memsim: %s: another memsim (pid %ld) is running "
		    "this %s (%s) on it; it stores every run: wait for it, "
		    "or give each its own --shard\n", ss->o->db, holder,
		    ss->label, grid);
	else if (rc > 0)
		fprintf(stderr, "memsim: %s: another memsim is running this "
		    "%s (%s) on it; wait for it, or give each its own "
		    "--shard\n", ss->o->db, ss->label, grid);
	return rc;
}

/* Plan, skip what is stored, run the rest, stamp the sweeps row. */
int sweep_run_plan(struct campaign *ss, const struct plan *p,
    const char *grid, unsigned stop_on, struct tally *t)
{
	size_t *todo = NULL, ntodo = 0;
	char err[512];
	int rc = SWEEP_EXIT_ENV;

	memset(t, 0, sizeof(*t));
	if (ss->lock_fd < 0 && claim(ss, p, grid) != 0)
		goto out;
	if (plan_todo(ss, p, t, &todo, &ntodo) != 0)
		goto out;
	if (ss->sweep_id == 0) {
		ss->stored = t->present;
		if (store_sweep_begin(ss->st, p->scenario, p->sha256, grid,
		    t->runs, t->present, &ss->sweep_id, err, sizeof(err)) != 0)
			goto fail;
		ss->planned = t->runs;
	} else {
		ss->planned += (int64_t)ntodo;
		if (store_sweep_set(ss->st, ss->sweep_id, ss->planned,
		    ss->stored, 0, err, sizeof(err)) != 0)
			goto fail;
	}
	rc = exec_plan(ss, p, todo, ntodo, stop_on, t);
	if (rc > 128)
		interrupted(ss, rc);
	goto out;
fail:
	fprintf(stderr, "memsim: %s\n", err);
out:
	free(todo);
	return rc;
}

int sweep_finish(struct campaign *ss)
{
	char err[512];

	if (store_sweep_set(ss->st, ss->sweep_id, ss->planned, ss->stored, 1,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return SWEEP_EXIT_ENV;
	}
	return 0;
}

