/*
 * sweep_findn: `memsim find-n`, see sweep.h.
 *
 * A failure is a run that did not make progress safely: a deadlock or a
 * panic (unless --ignore panic).  Bisection assumes that failures stop
 * once N is large enough; the answer is then checked against every N
 * above it up to the top of the range, so a failure rate that is not
 * monotone in N is found and reported rather than bisected past.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hunt.h"
#include "result.h"
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

struct findn {
	struct campaign ss;
	struct sweep_opts o;		/* the caller's, plus allocator and N */
	char seeds[CFG_SWEEP_LEN];
	char grid[sizeof(((struct grid *)0)->text)];
	char scenario[CFG_NAME_LEN];
	int nseeds;
	int lo, hi;			/* the range of N */
	unsigned fail;			/* 1 << outcome: what fails */
};

static int64_t failures(const struct findn *f, const struct tally *t)
{
	return ((f->fail >> OUTCOME_DEADLOCK) & 1 ? t->deadlocks : 0) +
	    ((f->fail >> OUTCOME_PANIC) & 1 ? t->panics : 0);
}

/* "3 deadlocks, 1 panic": what failed at one N. */
static void fail_text(const struct findn *f, const struct tally *t,
    char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if ((f->fail >> OUTCOME_DEADLOCK) & 1 && t->deadlocks > 0)
		used += (size_t)snprintf(buf, len, "%lld deadlock%s",
		    (long long)t->deadlocks, t->deadlocks == 1 ? "" : "s");
	if ((f->fail >> OUTCOME_PANIC) & 1 && t->panics > 0 && used < len)
		snprintf(buf + used, len - used, "%s%lld panic%s",
		    used ? ", " : "", (long long)t->panics,
		    t->panics == 1 ? "" : "s");
}

/* The grid's text with N's whole range, for the sweeps row. */
static void findn_grid(struct findn *f, struct grid *g)
{
	int i;

	for (i = 0; i < g->nax; i++)
		if (strcmp(g->ax[i].name, FINDN_N_PARAM) == 0)
			snprintf(g->ax[i].text, sizeof(g->ax[i].text), "%d..%d",
			    f->lo, f->hi);
	sweep_grid_text(g, "find-n");
	if (!((f->fail >> OUTCOME_PANIC) & 1) &&
	    strlen(g->text) + 16 < sizeof(g->text))
		strcat(g->text, " ignore=panic");
	snprintf(f->grid, sizeof(f->grid), "%s", g->text);
}

/* Run (or find stored) the seeds at N; stop at a failure if early. */
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
		rc = sweep_run_plan(&f->ss, &p, f->grid, early ? f->fail : 0,
		    t);
	}
	if (rc == 0 && t->errors > 0 && failures(f, t) == 0) {
		/* a crash or an overrun says nothing about failures */
		fprintf(stderr, "memsim: find-n: %lld runs at N = %d ended in "
		    "error, so N = %d proves nothing and no answer is usable "
		    "(see the runs table)\n", (long long)t->errors, n, n);
		rc = SWEEP_EXIT_ENV;
	}
	sweep_plan_free(&p);
	sweep_grid_free(&g);
	return rc;
}

/* -p N=lo..hi: the range searched (0..FINDN_MAX when not given). */
static int findn_range(struct findn *f, const char *text)
{
	char (*v)[CFG_NAME_LEN] = NULL;
	char what[CFG_SWEEP_LEN + 16], err[512];
	long lo, hi;
	int n, rc = SWEEP_EXIT_USAGE;

	snprintf(what, sizeof(what), "-p N=%s", text);
	n = sweep_values(what, text, &v, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "memsim: find-n: %s\n", err);
		return rc;
	}
	lo = strtol(v[0], NULL, 10);
	hi = strtol(v[n - 1], NULL, 10);
	if (!strstr(text, "..") || strchr(text, ',') || lo < 0 ||
	    hi > 1000000 || hi - lo + 1 != n)
		fprintf(stderr, "memsim: find-n: %s: expected a range lo..hi "
		    "of whole numbers >= 0\n", what);
	else
		rc = 0;
	f->lo = (int)lo;
	f->hi = (int)hi;
	free(v);
	return rc;
}

/* find-n's own axes, and a single value for every other -p. */
static int findn_opts(struct findn *f, const struct sweep_opts *o)
{
	int i, rc;

	f->o = *o;
	f->o.naxes = 0;
	f->lo = 0;
	f->hi = FINDN_MAX;
	f->fail = (1u << OUTCOME_DEADLOCK) | (1u << OUTCOME_PANIC);
	f->fail &= ~o->ignore;
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

		if (strcmp(a->name, FINDN_N_PARAM) == 0) {
			if ((rc = findn_range(f, a->values)) != 0)
				return rc;
			continue;
		}
		if (strcmp(a->name, FINDN_ALLOC_PARAM) == 0) {
			fprintf(stderr, "memsim: find-n sets -p %s itself\n",
			    a->name);
			return SWEEP_EXIT_USAGE;
		}
		if (strchr(a->values, ',') || strstr(a->values, "..")) {
			fprintf(stderr, "memsim: find-n: -p %s=%s: one value "
			    "only\n", a->name, a->values);
			return SWEEP_EXIT_USAGE;
		}
		f->o.axes[f->o.naxes++] = *a;
	}
	if (f->o.naxes + 2 > CFG_MAX_PARAMS) {
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

/* Smallest clean N in (lo, hi], hi known clean, lo fails (or below). */
static int bisect(struct findn *f, int *lo, int *hi)
{
	struct tally t;
	int mid, rc;

	while (*hi - *lo > 1) {
		mid = *lo + (*hi - *lo) / 2;
		if ((rc = eval_n(f, mid, 1, &t)) != 0)
			return rc;
		if (failures(f, &t) > 0)
			*lo = mid;
		else
			*hi = mid;
	}
	return 0;
}

static void report_n(const struct findn *f, int n, const struct tally *t)
{
	int k = f->nseeds;
	char what[64];

	fail_text(f, t, what, sizeof(what));
	printf("  N = %d: %lld of %d seeds failed%s%s%s; 95%% upper bound "
	    "on P(failure) %.3g (rule of three, 3/%d; exact %.3g)\n", n,
	    (long long)failures(f, t), k, what[0] ? " (" : "", what,
	    what[0] ? ")" : "", 3.0 / k, k, 1 - pow(0.05, 1.0 / k));
}

#define ABOVE_SHOWN	32

/* The N above the answer that failed, for the report. */
struct above {
	int n[ABOVE_SHOWN];
	struct tally t[ABOVE_SHOWN];
	int count;			/* how many failed (not all shown) */
	int worst;			/* the largest that failed, or -1 */
};

/*
 * Every N above the bisection's answer up to the top of the range: any
 * that fails means the rate is not monotone in N, as bisection assumed.
 */
static int check_above(struct findn *f, int ans, struct above *a)
{
	struct tally t;
	int n, rc;

	memset(a, 0, sizeof(*a));
	a->worst = -1;
	for (n = ans + 1; n <= f->hi; n++) {
		if ((rc = eval_n(f, n, 0, &t)) != 0)
			return rc;
		if (failures(f, &t) == 0)
			continue;
		if (a->count < ABOVE_SHOWN) {
			a->n[a->count] = n;
			a->t[a->count] = t;
		}
		a->count++;
		a->worst = n;
	}
	return 0;
}

static void findn_report(const struct findn *f, int n,
    const struct above *a, const struct tally *tn, const struct tally *tm)
{
	int worst = a->worst, i;
	char what[64];

	if (worst < 0) {
		printf("find-n %s: N = %d\n", f->scenario, n);
	} else if (worst < f->hi) {
		printf("find-n %s: N = %d (the smallest from which every N up "
		    "to %d ran %d seeds without a failure; bisection found "
		    "%d)\n", f->scenario, worst + 1, f->hi, f->nseeds, n);
	} else {
		printf("find-n %s: no N in [%d, %d] from which every larger "
		    "N runs %d seeds without a failure (bisection found %d)\n",
		    f->scenario, f->lo, f->hi, f->nseeds, n);
	}
	printf("  a failure is a deadlock%s\n", (f->fail >>
	    OUTCOME_PANIC) & 1 ? " or a panic" : " (panics ignored)");
	report_n(f, n, tn);
	fail_text(f, tm, what, sizeof(what));
	if (n == f->lo)
		printf("  N = %d is the bottom of the range: nothing below it "
		    "to confirm\n", n);
	else if (failures(f, tm) > 0)
		printf("  N = %d: %lld of %d seeds failed (%s), so N - 1 is "
		    "not enough (confirmed)\n", n - 1,
		    (long long)failures(f, tm), f->nseeds, what);
	else
		printf("  N = %d: no failure in %d seeds either: failures are "
		    "not monotone in N, so the bisection's answer may not be "
		    "the smallest\n", n - 1, f->nseeds);
	if (n < f->hi && worst < 0)
		printf("  N = %d..%d: no failure in %d seeds at any of them\n",
		    n + 1, f->hi, f->nseeds);
	for (i = 0; i < a->count && i < ABOVE_SHOWN; i++) {
		fail_text(f, &a->t[i], what, sizeof(what));
		printf("  N = %d: %lld of %d seeds failed (%s) though N = %d "
		    "did not: failures are not monotone in N\n", a->n[i],
		    (long long)failures(f, &a->t[i]), f->nseeds, what, n);
	}
	if (a->count > ABOVE_SHOWN)
		printf("  and %d more N above %d failed\n",
		    a->count - ABOVE_SHOWN, n);
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

	for (; *n <= f->hi; (*n)++) {
		if ((rc = eval_n(f, *n, 1, &t)) != 0)
			return rc;
		if (failures(f, &t) > 0) {
			printf("  N = %d: a seed failed\n", *n);
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
	struct above a;
	int lo, hi, rc;

	memset(&f, 0, sizeof(f));
	memset(&a, 0, sizeof(a));
	if ((rc = findn_opts(&f, o)) != 0 || (rc = findn_check(&f)) != 0)
		return rc;
	if ((rc = sweep_campaign_open(&f.ss, &f.o)) != 0)
		return rc;
	lo = f.lo - 1;
	hi = f.hi;
	memset(&tm, 0, sizeof(tm));
	rc = eval_n(&f, f.hi, 1, &t);
	if (rc == 0 && failures(&f, &t) > 0) {
		printf("find-n %s: no N in [%d, %d] ran %d seeds without a "
		    "failure (a deadlock%s)\n", f.scenario, f.lo, f.hi,
		    f.nseeds, (f.fail >> OUTCOME_PANIC) & 1 ? " or a panic" :
		    "");
		f.ss.planned = f.ss.stored;
		rc = sweep_finish(&f.ss);
		store_close(f.ss.st);
		return rc != 0 ? rc : SWEEP_EXIT_DEADLOCK;
	}
	if (rc == 0)
		rc = bisect(&f, &lo, &hi);
	if (rc == 0)
		rc = eval_n(&f, hi, 0, &tn);
	if (rc == 0 && hi > f.lo)
		rc = eval_n(&f, hi - 1, 0, &tm);
	if (rc == 0)
		rc = check_above(&f, hi, &a);
	/* bisection plans as it goes: what it ran is what it planned */
	f.ss.planned = f.ss.stored;
	if (rc == 0)
		rc = sweep_finish(&f.ss);
	if (rc == 0)
		findn_report(&f, hi, &a, &tn, &tm);
	if (rc == 0 && a.worst >= f.hi)
		rc = SWEEP_EXIT_DEADLOCK;
	if (rc == 0 && o->hunt_budget > 0) {
		int n = a.worst >= 0 ? a.worst + 1 : hi;

		rc = hunt_n(&f, &n);
		f.ss.planned = f.ss.stored;
		if (rc == 0)
			printf("find-n --hunt %lld %s: N = %d\n",
			    (long long)o->hunt_budget, f.scenario, n);
		else if (rc == SWEEP_EXIT_DEADLOCK)
			printf("find-n --hunt %lld %s: a hunt broke every N up to "
			    "%d\n", (long long)o->hunt_budget, f.scenario,
			    f.hi);
		if (rc == 0 || rc == SWEEP_EXIT_DEADLOCK) {
			int rc2 = sweep_finish(&f.ss);
			if (rc2 != 0)
				rc = rc2;
		}
	}
	store_close(f.ss.st);
	return rc;
}
