/*
 * compare: see compare.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "compare.h"
#include "compare_opts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "allocators/alloc.h"
#include "cli.h"
#include "config.h"
#include "result.h"
#include "runner.h"
#include "simrun.h"
#include "store.h"
#include "sweep.h"
#include "xmalloc.h"

/* What the runs at one point of the grid (a policy, a reserve) show. */
struct point {
	long n;				/* -1: the policy has no reserve */
	int n_read;			/* the scenario read N */
	int64_t runs, deadlocks, panics, errors;
	double pd_blocked, pageouts_per_s;	/* means */
	int64_t pinned;			/* SWAPMETA pages at t = 0, max */
	int64_t lowest;			/* reserve level; -1 none */
};

/* ---------------------------------------------------------------------
 * Running and reading back.
 */

static void set_param(struct param *ps, int *n, const char *name,
    const char *value)
{
	snprintf(ps[*n].name, CFG_NAME_LEN, "%s", name);
	snprintf(ps[*n].value, CFG_NAME_LEN, "%s", value);
	ps[*n].used = 0;
	(*n)++;
}

/* The parameters of a policy's runs (with N = n when n >= 0). */
static void point_params(const struct cmp *c, const struct policy *p,
    long n, struct run_spec *spec)
{
	char nv[32];
	int i;

	memset(spec, 0, sizeof(*spec));
	spec->path = c->path;
	spec->seed = 1;
	spec->limits = c->limits;
	for (i = 0; i < c->nparams; i++)
		set_param(spec->params, &spec->nparams, c->params[i].name,
		    c->params[i].value);
	set_param(spec->params, &spec->nparams, CMP_ALLOC_PARAM, p->ops->name);
	for (i = 0; i < p->nopts; i++)
		set_param(spec->params, &spec->nparams, p->opts[i].name,
		    p->opts[i].value);
	if (n >= 0) {
		snprintf(nv, sizeof(nv), "%ld", n);
		set_param(spec->params, &spec->nparams, CMP_N_PARAM, nv);
	}
}

/* One sweep per policy; 0, or the exit status. */
static int run_policy(const struct cmp *c, const struct policy *p,
    int reads_n)
{
	struct sweep_opts so;
	int i;

	memset(&so, 0, sizeof(so));
	so.path = c->path;
	so.db = c->db;
	so.seeds = c->seeds;
	so.jobs = c->jobs;
	so.wall_limit = c->wall_limit;
	so.limits = c->limits;
#define AXIS(nm, vl) do {						\
		snprintf(so.axes[so.naxes].name, CFG_NAME_LEN, "%s", nm);\
		snprintf(so.axes[so.naxes].values, CFG_SWEEP_LEN, "%s", vl);\
		so.naxes++;						\
	} while (0)
	for (i = 0; i < c->nparams; i++)
		AXIS(c->params[i].name, c->params[i].value);
	AXIS(CMP_ALLOC_PARAM, p->ops->name);
	for (i = 0; i < p->nopts; i++)
		AXIS(p->opts[i].name, p->opts[i].value);
	if (reads_n)
		AXIS(CMP_N_PARAM, p->reserve);
#undef AXIS
	return sweep_main(&so);
}

struct collect {
	struct store *st;
	struct point *pt;
	uint64_t nseeds;
	double pd_sum, po_sum;
	int failed;
	char err[512];
};

static int first_sample(void *ctx, const struct sample_row *s)
{
	int64_t *pinned = ctx;

	*pinned = s->swapmeta_pages;
	return 1;		/* the first is enough */
}

static int add_run(void *ctx, int64_t id, const struct run_row *row)
{
	struct collect *cl = ctx;
	struct point *pt = cl->pt;
	int64_t pinned = 0;

	if (row->choices[0] != '\0' || row->seed < 1 ||
	    row->seed > cl->nseeds)
		return 0;
	if (store_run_samples(cl->st, id, first_sample, &pinned, cl->err,
	    sizeof(cl->err)) < 0) {
		cl->failed = 1;
		return 1;
	}
	pt->runs++;
	pt->deadlocks += row->outcome == OUTCOME_DEADLOCK;
	pt->panics += row->outcome == OUTCOME_PANIC;
	pt->errors += row->outcome == OUTCOME_ERROR;
	cl->pd_sum += row->pd_blocked_seconds;
	cl->po_sum += row->end_time > 0 ? (double)row->pageouts / row->end_time :
	    0;
	if (pinned > pt->pinned)
		pt->pinned = pinned;
	if (row->reserve_min_level >= 0 && (pt->lowest < 0 ||
	    row->reserve_min_level < pt->lowest))
		pt->lowest = row->reserve_min_level;
	return 0;
}

/* Read back the runs of one point; 0, or the exit status. */
static int collect_point(const struct cmp *c, struct store *st,
    const struct policy *p, struct point *pt)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct collect cl;
	struct run_spec spec;
	char json[512], err[1024];

	memset(&cl, 0, sizeof(cl));
	point_params(c, p, pt->n_read ? pt->n : -1, &spec);
	if (runner_validate(&spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		return cli_die(CLI_EXIT_USAGE, "compare: %s", err);
	}
	if (!pt->n_read)
		pt->n = p->ops->reserve_unit ? cfg->swapmeta.reserve : -1;
	simrun_params_json(cfg, json, sizeof(json));
	cl.st = st;
	cl.pt = pt;
	cl.nseeds = c->nseeds;
	pt->lowest = -1;
	if (store_each_run(st, c->sha256, json, add_run, &cl, err,
	    sizeof(err)) != 0 || cl.failed) {
		free(cfg);
		return cli_die(CLI_EXIT_ENV, "compare: %s", cl.failed ? cl.err : err);
	}
	free(cfg);
	if (pt->runs > 0) {
		pt->pd_blocked = cl.pd_sum / (double)pt->runs;
		pt->pageouts_per_s = cl.po_sum / (double)pt->runs;
	}
	return 0;
}

/* Does the scenario read N for this policy?  1, 0; -1 it does not load. */
static int reads_n(const struct cmp *c, const struct policy *p,
    char *err, size_t errlen)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct run_spec spec;
	int rc;

	point_params(c, p, -1, &spec);
	if (runner_validate(&spec, cfg, err, errlen) != 0) {
		free(cfg);
		return -1;
	}
	if (p->ops->reserve_unit == NULL) {
		free(cfg);
		return 0;
	}
	point_params(c, p, 0, &spec);
	rc = runner_validate(&spec, cfg, err, errlen) == 0;
	free(cfg);
	return rc;
}

/* ---------------------------------------------------------------------
 * Output.
 */

/* Wilson score interval, 95 %. */
static void wilson(int64_t k, int64_t n, double *lo, double *hi)
{
	const double z = 1.959964;
	double p, d, ctr, w;

	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	p = (double)k / (double)n;
	d = 1 + z * z / (double)n;
	ctr = (p + z * z / (2.0 * (double)n)) / d;
	w = z * sqrt(p * (1 - p) / (double)n + z * z / (4.0 * (double)n *
	    (double)n)) / d;
	*lo = ctr - w < 0 ? 0 : ctr - w;
	*hi = ctr + w > 1 ? 1 : ctr + w;
}

static void rate_cell(char *buf, size_t len, int64_t k, int64_t n)
{
	double lo, hi;

	wilson(k, n, &lo, &hi);
	if (n == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f [%.2f, %.2f]", (double)k / (double)n,
		    lo, hi);
}

/*
 * A policy as its heading names it: its allocator, then its options as
 * given ("uma_reserve:prealloc=false"), so two entries of one allocator
 * are told apart.
 */
static const char *policy_label(const struct policy *p, char *buf, size_t len)
{
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%s", p->ops->name);
	for (i = 0; i < p->nopts && used < len; i++)
		if (strcmp(p->opts[i].name, CMP_EPAGER_PARAM) != 0) /* said apart */
			used += (size_t)snprintf(buf + used, len - used,
			    ":%s=%s", p->opts[i].name, p->opts[i].value);
	return buf;
}

static void print_policy(const struct cmp *c, const struct policy *p,
    const struct point *pts, int npts)
{
	char dl[32], pn[32], lowest[32], label[256];
	int i, best = -1;

	printf("\n%s", policy_label(p, label, sizeof(label)));
	if (p->epager != NULL)
		printf(", emergency pager %s", p->epager);
	if (p->ops->reserve_unit != NULL)
		printf(" (reserve N in %s%s)", p->ops->reserve_unit,
		    npts == 1 && !pts[0].n_read ? "; the scenario does not read "
		    "N for it: its own reserve" : "");
	else
		printf(" (no reserve)");
	printf("\n  %6s %7s %5s  %-19s  %-19s %11s %12s %6s\n", "N",
	    "pinned", "runs", "deadlock [95% CI]", "panic [95% CI]",
	    "pd blocked", "page-outs/s", "lowest");
	for (i = 0; i < npts; i++) {
		const struct point *pt = &pts[i];
		char n[24];

		if (pt->n >= 0)
			snprintf(n, sizeof(n), "%ld", pt->n);
		else
			snprintf(n, sizeof(n), "-");
		rate_cell(dl, sizeof(dl), pt->deadlocks, pt->runs);
		rate_cell(pn, sizeof(pn), pt->panics, pt->runs);
		if (pt->lowest >= 0)
			snprintf(lowest, sizeof(lowest), "%lld",
			    (long long)pt->lowest);
		else
			snprintf(lowest, sizeof(lowest), "-");
		printf("  %6s %7lld %5lld  %-19s  %-19s %10.3fs %12.1f %6s\n", n,
		    (long long)pt->pinned, (long long)pt->runs, dl, pn,
		    pt->pd_blocked, pt->pageouts_per_s, lowest);
		if (pt->errors > 0)
			printf("         (%lld runs ended in error: see the runs "
			    "table)\n", (long long)pt->errors);
	}
	/* the smallest swept reserve from which on nothing deadlocked */
	for (i = npts - 1; i >= 0; i--) {
		if (pts[i].runs == 0 || pts[i].deadlocks > 0 ||
		    pts[i].errors > 0)
			break;
		best = i;
	}
	if (p->ops->reserve_unit == NULL || !pts[0].n_read)
		printf("  %s\n", best == 0 ? "no deadlock in any run" :
		    "deadlocks: no reserve to size");
	else if (best < 0)
		printf("  smallest zero-deadlock reserve: none in %s (%llu "
		    "seeds)\n", p->reserve, (unsigned long long)c->nseeds);
	else
		printf("  smallest zero-deadlock reserve: N = %ld %s = %lld "
		    "pages pinned at idle (%llu seeds, %s swept)\n",
		    pts[best].n, p->ops->reserve_unit, (long long)pts[best].pinned,
		    (unsigned long long)c->nseeds, p->reserve);
}

/* A gnuplot string literal: single quotes, a quote doubled. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* Deadlock rate against pages pinned at idle, one series per policy. */
static int plot(const struct cmp *c, const char *scenario,
    struct point *const *pts, const int *npts)
{
	char out[1024];
	double lo, hi;
	int i, j, st;
	FILE *f;

	if (mkdir(c->plot_dir, 0777) != 0 && errno != EEXIST)
		return cli_die(CLI_EXIT_ENV, "compare: %s: %s", c->plot_dir,
		    strerror(errno));
	snprintf(out, sizeof(out), "%s/compare_%s", c->plot_dir, scenario);
	fflush(NULL);
	if (system("command -v gnuplot > /dev/null 2>&1") != 0)
		return cli_die(CLI_EXIT_ENV, "compare: --plot needs gnuplot, which "
		    "is not installed (scripts/setup.sh installs gnuplot-nox)");
	if ((f = popen("gnuplot", "w")) == NULL)
		return cli_die(CLI_EXIT_ENV, "compare: cannot start gnuplot");
	fprintf(f, "$d << EOD\n");
	for (i = 0; i < c->npol; i++) {
		for (j = 0; j < npts[i]; j++) {
			const struct point *pt = &pts[i][j];
			if (pt->runs == 0)
				continue;
			wilson(pt->deadlocks, pt->runs, &lo, &hi);
			fprintf(f, "%lld %g %g %g\n", (long long)pt->pinned,
			    (double)pt->deadlocks / (double)pt->runs, lo, hi);
		}
		fprintf(f, "\n\n");
	}
	fprintf(f, "EOD\nnames = ");
	{
		char names[1024], label[256];
		size_t used = 0;
		for (i = 0; i < c->npol && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) -
			    used, "%s%s%s%s", i ? " " : "",
			    policy_label(&c->pol[i], label, sizeof(label)),
			    c->pol[i].epager ? "/epager-" : "",
			    c->pol[i].epager ? c->pol[i].epager : "");
		gp_str(f, names);
	}
	fprintf(f, "\nset xlabel 'SWAPMETA pages pinned at idle'\n"
	    "set ylabel 'deadlock rate (95%% Wilson interval)'\n"
	    "set yrange [-0.05:1.05]\nset key outside right\nset grid\n"
	    "set title ");
	gp_str(f, scenario);
	fprintf(f, "\nset terminal pngcairo noenhanced size 900,500\nset output ");
	fprintf(f, "'%s.png'\n", out);
	fprintf(f, "plot for [i=1:words(names)] $d index (i-1) using 1:2:3:4 "
	    "with yerrorlines title word(names, i)\n");
	fprintf(f, "set terminal svg noenhanced size 900,500\nset output '%s.svg'\n"
	    "replot\n", out);
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cli_die(CLI_EXIT_ENV, "compare: gnuplot failed on %s", out);
	printf("wrote %s.png and %s.svg\n", out, out);
	return 0;
}

int compare_main(int argc, char **argv)
{
	struct point *pts[CMP_MAX_POLICIES];
	int npts[CMP_MAX_POLICIES], nread[CMP_MAX_POLICIES];
	struct cmp c;
	struct store *st;
	struct config *cfg;
	struct run_spec spec;
	char err[1024], scenario[CFG_NAME_LEN];
	int i, j, rc;

	if ((rc = compare_opts_parse(argc, argv, &c)) != 0)
		return rc;
	/* every policy's scenario loads before anything runs */
	for (i = 0; i < c.npol; i++) {
		nread[i] = reads_n(&c, &c.pol[i], err, sizeof(err));
		if (nread[i] < 0)
			return cli_die(CLI_EXIT_USAGE, "compare: %s", err);
	}
	cfg = xcalloc(1, sizeof(*cfg));
	point_params(&c, &c.pol[0], -1, &spec);
	runner_validate(&spec, cfg, err, sizeof(err));
	snprintf(scenario, sizeof(scenario), "%s", cfg->name);
	free(cfg);
	for (i = 0; i < c.npol; i++)
		if ((rc = run_policy(&c, &c.pol[i], nread[i])) != 0)
			return rc;
	if (runner_file_sha256(c.path, c.sha256, err, sizeof(err)) != 0)
		return cli_die(CLI_EXIT_ENV, "compare: %s", err);
	if (store_open(&st, c.db, err, sizeof(err)) != 0)
		return cli_die(CLI_EXIT_ENV, "%s", err);
	printf("\ncompare %s: %llu seeds per row; rates with 95%% Wilson "
	    "intervals; pinned: SWAPMETA pages held at t = 0; pd blocked: "
	    "the page daemon's mean time asleep waiting for memory; lowest: "
	    "the lowest reserve level reached\n", scenario,
	    (unsigned long long)c.nseeds);
	for (i = 0; i < c.npol && rc == 0; i++) {
		struct policy *p = &c.pol[i];
		char (*vals)[CFG_NAME_LEN] = NULL;
		int nv = 1;

		if (nread[i])
			nv = sweep_values("N", p->reserve, &vals, err,
			    sizeof(err));
		pts[i] = xcalloc((size_t)(nv > 0 ? nv : 1), sizeof(**pts));
		npts[i] = nv > 0 ? nv : 1;
		for (j = 0; j < npts[i] && rc == 0; j++) {
			pts[i][j].n_read = nread[i];
			pts[i][j].n = nread[i] ? strtol(vals[j], NULL, 10) : -1;
			rc = collect_point(&c, st, p, &pts[i][j]);
		}
		free(vals);
		if (rc == 0)
			print_policy(&c, p, pts[i], npts[i]);
		else
			free(pts[i]);
	}
	store_close(st);
	if (rc != 0) {
		for (j = 0; j < i - 1; j++)
			free(pts[j]);
		return rc;
	}
	if (c.plot_dir != NULL)
		rc = plot(&c, scenario, pts, npts);
	for (i = 0; i < c.npol; i++)
		free(pts[i]);
	return rc;
}
