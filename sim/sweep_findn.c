/*
 * sweep_findn: `memsim find-n`, see sweep.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hunt.h"
#include "script.h"
#include "store.h"
#include "sweep_exec.h"
#include "sweep_grid.h"
#include "sweep_plan.h"
#include "xmalloc.h"

/* find-n: the allocator whose reserve it sizes, and the parameters. */
#define FINDN_ALLOCATOR		"reserve_kmalloc_obj"
#define FINDN_ALLOC_PARAM	"allocator"
#define FINDN_N_PARAM		"N"
#define FINDN_MAX		64

/* ---------------------------------------------------------------------
 * find-n: bisection over the reserve.
 */

struct findn {
	struct campaign ss;
	struct sweep_opts o;		/* the caller's, plus allocator and N */
	char seeds[CFG_SWEEP_LEN];
	char grid[sizeof(((struct grid *)0)->text)];
	char scenario[CFG_NAME_LEN];
	int nseeds;
};

/* The grid's text with N's whole range, for the sweeps row. */
static void findn_grid(struct findn *f, struct grid *g)
{
	int i;

	for (i = 0; i < g->nax; i++)
		if (strcmp(g->ax[i].name, FINDN_N_PARAM) == 0)
			snprintf(g->ax[i].text, sizeof(g->ax[i].text), "0..%d",
			    FINDN_MAX);
	sweep_grid_text(g, "find-n");
	snprintf(f->grid, sizeof(f->grid), "%s", g->text);
}

/* Run (or find stored) the seeds at N; stop at a deadlock if early. */
static int eval_n(struct findn *f, int n, int early, struct tally *t)
{
	struct sweep_opts *o = &f->o;
	struct grid g;
	struct plan p;
	char err[1024];
	int rc;

	snprintf(o->axes[o->naxes - 1].values, CFG_SWEEP_LEN, "%d", n);
	if (sweep_plan_build(&p, &g, o, 0, err, sizeof(err)) != 0) {
		sweep_plan_error(o, err);
		rc = SWEEP_EXIT_USAGE;
	} else {
		if (f->grid[0] == '\0')
			findn_grid(f, &g);
		f->nseeds = p.nseeds;
		snprintf(f->scenario, sizeof(f->scenario), "%s", p.scenario);
		snprintf(f->ss.label, sizeof(f->ss.label), "find-n %s N=%d",
		    p.scenario, n);
		rc = sweep_run_plan(&f->ss, &p, f->grid, early, t);
	}
	if (rc == 0 && t->errors > 0 && t->deadlocks == 0) {
		/* a crash or an overrun says nothing about deadlocks */
		fprintf(stderr, "memsim: find-n: %lld runs at N = %d ended in "
		    "error, so N = %d proves nothing (see the runs table)\n",
		    (long long)t->errors, n, n);
		rc = SWEEP_EXIT_ENV;
	}
	sweep_plan_free(&p);
	sweep_grid_free(&g);
	return rc;
}

/* find-n's own axes, and a single value for every other -p. */
static int findn_opts(struct findn *f, const struct sweep_opts *o)
{
	int i;

	f->o = *o;
	if (o->seeds == NULL) {
		fprintf(stderr, "memsim: find-n needs --seeds K\n");
		return SWEEP_EXIT_USAGE;
	}
	/* --seeds K: K seeds, 1..K; a list or a range is taken as it is */
	if (strspn(o->seeds, "0123456789") == strlen(o->seeds) &&
	    strtoull(o->seeds, NULL, 10) > 0)
		snprintf(f->seeds, sizeof(f->seeds), "1..%s", o->seeds);
	else
		snprintf(f->seeds, sizeof(f->seeds), "%s", o->seeds);
	f->o.seeds = f->seeds;
	for (i = 0; i < o->naxes; i++) {
		const struct sweep_axis *a = &o->axes[i];

		if (strcmp(a->name, FINDN_ALLOC_PARAM) == 0 ||
		    strcmp(a->name, FINDN_N_PARAM) == 0) {
			fprintf(stderr, "memsim: find-n sets -p %s itself\n",
			    a->name);
			return SWEEP_EXIT_USAGE;
		}
		if (strchr(a->values, ',') || strstr(a->values, "..")) {
			fprintf(stderr, "memsim: find-n: -p %s=%s: one value "
			    "only\n", a->name, a->values);
			return SWEEP_EXIT_USAGE;
		}
	}
	if (o->naxes + 2 > CFG_MAX_PARAMS) {
		fprintf(stderr, "memsim: too many -p parameters\n");
		return SWEEP_EXIT_USAGE;
	}
	snprintf(f->o.axes[f->o.naxes].name, CFG_NAME_LEN, "%s",
	    FINDN_ALLOC_PARAM);
	snprintf(f->o.axes[f->o.naxes++].values, CFG_SWEEP_LEN, "%s",
	    FINDN_ALLOCATOR);
	snprintf(f->o.axes[f->o.naxes++].name, CFG_NAME_LEN, "%s",
	    FINDN_N_PARAM);
	return 0;
}

/*
 * Does the scenario read allocator and N when allocator is the one with
 * the reserve?  Said in find-n's words rather than as a bad -p.
 */
static int findn_check(const struct findn *f)
{
	struct param params[2];
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct script *s;
	char err[1024];
	int i, rc = 0;

	memset(params, 0, sizeof(params));
	snprintf(params[0].name, CFG_NAME_LEN, "%s", FINDN_ALLOC_PARAM);
	snprintf(params[0].value, CFG_NAME_LEN, "%s", FINDN_ALLOCATOR);
	snprintf(params[1].name, CFG_NAME_LEN, "%s", FINDN_N_PARAM);
	snprintf(params[1].value, CFG_NAME_LEN, "0");
	s = script_load(f->o.path, params, 2, 1, &f->o.limits, cfg, err,
	    sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		rc = SWEEP_EXIT_USAGE;
	}
	script_destroy(s);
	for (i = 0; i < 2 && rc == 0; i++) {
		if (params[i].used)
			continue;
		fprintf(stderr, "memsim: %s: find-n needs a scenario that reads "
		    "parameter '%s' (with %s=%s)\n", f->o.path, params[i].name,
		    FINDN_ALLOC_PARAM, FINDN_ALLOCATOR);
		rc = SWEEP_EXIT_USAGE;
	}
	free(cfg);
	return rc;
}

/* Smallest clean N in (lo, hi], hi known clean, lo deadlocks (or -1). */
static int bisect(struct findn *f, int *lo, int *hi)
{
	struct tally t;
	int mid, rc;

	while (*hi - *lo > 1) {
		mid = *lo + (*hi - *lo) / 2;
		if ((rc = eval_n(f, mid, 1, &t)) != 0)
			return rc;
		if (t.deadlocks > 0)
			*lo = mid;
		else
			*hi = mid;
	}
	return 0;
}

static void findn_report(const struct findn *f, int n,
    const struct tally *tn, const struct tally *tm)
{
	int k = f->nseeds;

	printf("find-n %s: N = %d\n", f->scenario, n);
	printf("  N = %d: %lld of %d seeds deadlocked; 95%% upper bound on "
	    "P(deadlock) %.3g (rule of three, 3/%d; exact %.3g)\n", n,
	    (long long)tn->deadlocks, k, 3.0 / k, k, 1 - pow(0.05, 1.0 / k));
	if (n == 0)
		printf("  N = 0 is enough: nothing below it to confirm\n");
	else if (tm->deadlocks > 0)
		printf("  N = %d: %lld of %d seeds deadlocked, so N - 1 is not "
		    "enough (confirmed)\n", n - 1, (long long)tm->deadlocks, k);
	else
		printf("  N = %d: no deadlock in %d seeds either: the deadlock "
		    "rate is not monotone in N, so the bisection's answer "
		    "may not be the smallest\n", n - 1, k);
}

/*
 * find-n --hunt B: the bisection's N is only where K seeds stopped
 * deadlocking.  From it on, a guided hunt (sim/hunt.c) of B runs tries
 * to break each N (the seeds' runs, stored, are its first candidates
 * and count toward B); the answer is the first N whose seeds and hunt
 * found no deadlock and no panic.
 */
static int hunt_n(struct findn *f, int *n)
{
	struct hunt_summary sum;
	struct hunt_opts h;
	struct tally t;
	int i, rc;

	for (; *n <= FINDN_MAX; (*n)++) {
		if ((rc = eval_n(f, *n, 1, &t)) != 0)
			return rc;
		if (t.deadlocks > 0) {
			printf("  N = %d: a seed deadlocked\n", *n);
			continue;
		}
		memset(&h, 0, sizeof(h));
		h.path = f->o.path;
		h.db = f->o.db;
		h.strategy = HUNT_GUIDED;
		h.budget_runs = f->o.hunt_budget;
		h.jobs = f->o.jobs > 0 ? f->o.jobs : 1;
		h.width = 3;
		h.domains = HUNT_DOMAIN_IRQ | HUNT_DOMAIN_TIE;
		h.seed = 1;
		h.wall_limit = f->o.wall_limit;
		h.limits = f->o.limits;
		h.quiet = 1;
		for (i = 0; i < f->o.naxes; i++) {
			snprintf(h.params[i].name, CFG_NAME_LEN, "%s",
			    f->o.axes[i].name);
			snprintf(h.params[i].value, CFG_NAME_LEN, "%s",
			    f->o.axes[i].values);
		}
		h.nparams = f->o.naxes;
		memset(&sum, 0, sizeof(sum));
		if ((rc = hunt_run(&h, &sum)) != 0)
			return rc;
		if (sum.deadlocks + sum.panics == 0 && sum.errors == 0) {
			printf("  N = %d: a guided hunt of %lld runs found no "
			    "deadlock or panic; closest: lowest reserve level "
			    "%lld, lowest free %lld pages, page daemon blocked "
			    "%.2f s (a search of this budget, not a proof)\n", *n,
			    (long long)sum.runs, (long long)sum.best_reserve_min,
			    (long long)sum.best_min_free, sum.best_pd_blocked);
			return 0;
		}
		if (sum.deadlocks + sum.panics == 0) {
			fprintf(stderr, "memsim: find-n: %lld hunt runs at N = %d "
			    "ended in error, so N = %d proves nothing (see the "
			    "runs table)\n", (long long)sum.errors, *n, *n);
			return SWEEP_EXIT_ENV;
		}
		printf("  N = %d: broken by a guided hunt: %lld deadlocks and "
		    "%lld panics in %lld runs, the first after %lld (run %lld)\n",
		    *n, (long long)sum.deadlocks, (long long)sum.panics,
		    (long long)sum.runs, (long long)sum.first_found,
		    (long long)sum.first_id);
	}
	return SWEEP_EXIT_DEADLOCK;
}

int sweep_find_n(const struct sweep_opts *o)
{
	struct findn f;
	struct tally t, tn, tm;
	int lo = -1, hi = FINDN_MAX, rc;

	memset(&f, 0, sizeof(f));
	if ((rc = findn_opts(&f, o)) != 0 || (rc = findn_check(&f)) != 0)
		return rc;
	if ((rc = sweep_campaign_open(&f.ss, &f.o)) != 0)
		return rc;
	memset(&tm, 0, sizeof(tm));
	rc = eval_n(&f, FINDN_MAX, 1, &t);
	if (rc == 0 && t.deadlocks > 0) {
		printf("find-n %s: no N in [0, %d] ran %d seeds without a "
		    "deadlock\n", f.scenario, FINDN_MAX, f.nseeds);
		f.ss.planned = f.ss.stored;
		rc = sweep_finish(&f.ss);
		store_close(f.ss.st);
		return rc != 0 ? rc : SWEEP_EXIT_DEADLOCK;
	}
	if (rc == 0)
		rc = bisect(&f, &lo, &hi);
	if (rc == 0)
		rc = eval_n(&f, hi, 0, &tn);
	if (rc == 0 && hi > 0)
		rc = eval_n(&f, hi - 1, 0, &tm);
	/* bisection plans as it goes: what it ran is what it planned */
	f.ss.planned = f.ss.stored;
	if (rc == 0)
		rc = sweep_finish(&f.ss);
	if (rc == 0)
		findn_report(&f, hi, &tn, &tm);
	if (rc == 0 && o->hunt_budget > 0) {
		int n = hi;

		rc = hunt_n(&f, &n);
		f.ss.planned = f.ss.stored;
		if (rc == 0)
			printf("find-n --hunt %lld %s: N = %d\n",
			    (long long)o->hunt_budget, f.scenario, n);
		else if (rc == SWEEP_EXIT_DEADLOCK)
			printf("find-n --hunt %lld %s: a hunt broke every N up to "
			    "%d\n", (long long)o->hunt_budget, f.scenario,
			    FINDN_MAX);
		if (rc == 0 || rc == SWEEP_EXIT_DEADLOCK) {
			int rc2 = sweep_finish(&f.ss);
			if (rc2 != 0)
				rc = rc2;
		}
	}
	store_close(f.ss.st);
	return rc;
}
