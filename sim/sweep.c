/*
 * sweep: see sweep.h.
 *
 * Three steps.  The grid: axes from the scenario's sweep{} and -p, each
 * a list of values, plus the seeds.  The plan: the scenario loaded once
 * per combination of axis values (in this process: loading runs no
 * simulation), reduced to the distinct parameter sets it actually read,
 * times the seeds; run r is seed r / ncombos of combination
 * r % ncombos, so every combination gets its first seeds early and
 * `--shard i/k` (r % k == i - 1) spreads them evenly.  The execution:
 * runs already stored are skipped, the others run in forked children,
 * at most -j at once, their results go to SQLite in batches.
 *
 * Nothing here knows the kernel model: the only names it uses are those
 * find-n is about (the allocator with a reserve and its N parameter).
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "core.h"
#include "result.h"
#include "runner.h"
#include "simrun.h"
#include "store.h"
#include "version.h"
#include "xmalloc.h"

#define EXIT_ENV		1
#define EXIT_USAGE		2
#define EXIT_DEADLOCK		3

#define MAX_AXIS_VALUES		100000
#define MAX_COMBOS		10000	/* scenario loads while planning */
#define MAX_RUNS		10000000
#define BATCH_RUNS		16	/* runs per transaction, at most */
#define BATCH_SECONDS		2.0	/* and no result waits longer */
#define PROGRESS_TTY		0.2	/* seconds between redraws */
#define PROGRESS_LOG		5.0	/* seconds between log lines */

/* find-n: the allocator whose reserve it sizes, and the parameters. */
#define FINDN_ALLOCATOR		"reserve_kmalloc_obj"
#define FINDN_ALLOC_PARAM	"allocator"
#define FINDN_N_PARAM		"N"
#define FINDN_MAX		64

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Value lists: "a,b,c", "0..8", "1..3,7".
 */

/* A whole number filling s[0..len), optionally negative. */
static int whole(const char *s, size_t len, long long *out)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!(buf[0] == '-' ? buf[1] >= '0' && buf[1] <= '9' :
	    buf[0] >= '0' && buf[0] <= '9'))
		return -1;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

struct vlist {
	char (*v)[CFG_NAME_LEN];
	int n, cap;
};

static void vpush(struct vlist *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, (size_t)l->cap * sizeof(*l->v));
	}
	memcpy(l->v[l->n], s, len);
	l->v[l->n++][len] = '\0';
}

static int range(const char *what, const char *item, size_t len,
    const char *dots, struct vlist *l, char *err, size_t errlen)
{
	long long lo, hi, i;
	char buf[32];

	if (whole(item, (size_t)(dots - item), &lo) != 0 ||
	    whole(dots + 2, len - (size_t)(dots + 2 - item), &hi) != 0) {
		seterr(err, errlen, "%s: '%.*s' is not a range of whole numbers "
		    "(lo..hi)", what, (int)len, item);
		return -1;
	}
	if (lo > hi) {
		seterr(err, errlen, "%s: range '%.*s' is empty (%lld > %lld)",
		    what, (int)len, item, lo, hi);
		return -1;
	}
	/* unsigned: the difference of two far-apart long longs overflows */
	if ((unsigned long long)hi - (unsigned long long)lo >=
	    (unsigned long long)(MAX_AXIS_VALUES - l->n)) {
		seterr(err, errlen, "%s: more than %d values", what,
		    MAX_AXIS_VALUES);
		return -1;
	}
	for (i = lo; i <= hi; i++)
		vpush(l, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", i));
	return 0;
}

static int item(const char *what, const char *s, size_t len,
    struct vlist *l, char *err, size_t errlen)
{
	const char *dots;

	if (len == 0) {
		seterr(err, errlen, "%s: an empty item in the list", what);
		return -1;
	}
	dots = memchr(s, '.', len);
	if (dots != NULL && dots + 1 < s + len && dots[1] == '.')
		return range(what, s, len, dots, l, err, errlen);
	if (len >= CFG_NAME_LEN) {
		seterr(err, errlen, "%s: value '%.20s...' is longer than %d "
		    "bytes", what, s, CFG_NAME_LEN - 1);
		return -1;
	}
	if (l->n == MAX_AXIS_VALUES) {
		seterr(err, errlen, "%s: more than %d values", what,
		    MAX_AXIS_VALUES);
		return -1;
	}
	vpush(l, s, len);
	return 0;
}

struct keyed {
	const char *key;
	int idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Which of n strings (key(i)) repeat an earlier one: keep[i] is 0 for
 * those.  Sorting keeps it O(n log n) for long seed lists.
 */
static char *first_of_each(int n, const char *(*key)(void *, int),
    void *ctx)
{
	struct keyed *k = xcalloc((size_t)n + 1, sizeof(*k));
	char *keep = xcalloc((size_t)n + 1, 1);
	int i;

	for (i = 0; i < n; i++)
		k[i] = (struct keyed){ key(ctx, i), i };
	qsort(k, (size_t)n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++)
		keep[k[i].idx] = i == 0 || strcmp(k[i].key, k[i - 1].key) != 0;
	free(k);
	return keep;
}

static const char *value_key(void *ctx, int i)
{
	return ((const char (*)[CFG_NAME_LEN])ctx)[i];
}

/* Drop repeated values, keeping each one's first place. */
static int dedupe_values(char (*v)[CFG_NAME_LEN], int n)
{
	char *keep = first_of_each(n, value_key, v);
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (keep[i] && k++ != i)
			memcpy(v[k - 1], v[i], sizeof(v[0]));
	free(keep);
	return k;
}

int sweep_values(const char *what, const char *text,
    char (**out)[CFG_NAME_LEN], char *err, size_t errlen)
{
	struct vlist l = { NULL, 0, 0 };
	const char *s = text, *comma;

	*out = NULL;
	if (*text == '\0') {
		seterr(err, errlen, "%s: no values", what);
		return -1;
	}
	for (;;) {
		comma = strchr(s, ',');
		if (item(what, s, comma ? (size_t)(comma - s) : strlen(s), &l,
		    err, errlen) != 0) {
			free(l.v);
			return -1;
		}
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	*out = l.v;
	return dedupe_values(l.v, l.n);
}

/* Seeds: whole numbers below 2^63, as `memsim run --seed` takes. */
static int parse_seeds(const char *what, const char *text, uint64_t **out,
    char *err, size_t errlen)
{
	char (*v)[CFG_NAME_LEN];
	char *end;
	int n, i;

	n = sweep_values(what, text, &v, err, errlen);
	if (n < 0)
		return -1;
	*out = xcalloc((size_t)n, sizeof(**out));
	for (i = 0; i < n; i++) {
		errno = 0;
		(*out)[i] = strtoull(v[i], &end, 10);
		if (v[i][0] < '0' || v[i][0] > '9' || *end != '\0' ||
		    errno != 0 || (*out)[i] > INT64_MAX) {
			seterr(err, errlen, "%s: seed '%s' is not a whole "
			    "number below 2^63", what, v[i]);
			free(v);
			free(*out);
			*out = NULL;
			return -1;
		}
	}
	free(v);
	return n;
}

/* ---------------------------------------------------------------------
 * The grid: named axes of values, and the seeds.
 */

#define MAX_AXES	CFG_MAX_PARAMS

struct axis {
	char name[CFG_NAME_LEN];
	char text[CFG_SWEEP_LEN];	/* as given */
	char what[CFG_SWEEP_LEN + 160];	/* where it came from, for messages */
	char (*v)[CFG_NAME_LEN];
	int n;
	int read;			/* some combination read it */
	int cli;			/* given with -p, not by sweep{} */
};

struct grid {
	struct axis ax[MAX_AXES];
	int nax;
	uint64_t *seeds;
	int nseeds;
	char seeds_text[CFG_SWEEP_LEN];
	char text[MAX_AXES * (CFG_NAME_LEN + CFG_SWEEP_LEN + 2) + 64];
};

static void grid_free(struct grid *g)
{
	int i;

	for (i = 0; i < g->nax; i++)
		free(g->ax[i].v);
	free(g->seeds);
	memset(g, 0, sizeof(*g));
}

/* Set axis `name` (a later setting replaces an earlier one). */
static int grid_set(struct grid *g, const char *name, const char *text,
    const char *what, int cli, char *err, size_t errlen)
{
	struct axis *a;
	int i;

	for (i = 0; i < g->nax; i++)
		if (strcmp(g->ax[i].name, name) == 0)
			break;
	if (i == MAX_AXES) {
		seterr(err, errlen, "%s: more than %d parameters", what,
		    MAX_AXES);
		return -1;
	}
	a = &g->ax[i];
	if (i == g->nax)
		g->nax++;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->text, sizeof(a->text), "%s", text);
	snprintf(a->what, sizeof(a->what), "%s", what);
	a->cli = cli;
	return 0;
}

static int cmp_axis(const void *a, const void *b)
{
	return strcmp(((const struct axis *)a)->name,
	    ((const struct axis *)b)->name);
}

/* "N=0..8 allocator=a,b seeds=1..20": one text per grid, for `sweeps`. */
static void grid_text(struct grid *g, const char *prefix)
{
	size_t used;
	int i;

	used = (size_t)snprintf(g->text, sizeof(g->text), "%s", prefix);
	for (i = 0; i < g->nax && used < sizeof(g->text); i++)
		used += (size_t)snprintf(g->text + used, sizeof(g->text) - used,
		    "%s%s=%s", used > 0 ? " " : "", g->ax[i].name,
		    g->ax[i].text);
	if (used < sizeof(g->text))
		snprintf(g->text + used, sizeof(g->text) - used, "%sseeds=%s",
		    used > 0 ? " " : "", g->seeds_text);
}

/*
 * Axes: the scenario's sweep{} (when use_defaults), then -p over them;
 * seeds: --seeds, else sweep{ seeds = ... }, else 1.  Sorted by name,
 * so the same grid has the same text however it was spelt.
 */
static int grid_build(struct grid *g, const struct sweep_opts *o,
    const struct config *def, int use_defaults, char *err, size_t errlen)
{
	const char *seeds = o->seeds, *seeds_what = "--seeds";
	char what[CFG_SWEEP_LEN + 160];
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; use_defaults && i < def->nsweep; i++) {
		const struct sweep_axis *sa = &def->sweep[i];

		snprintf(what, sizeof(what), "%s: sweep{} %s = \"%s\"",
		    o->path, sa->name, sa->values);
		if (strcmp(sa->name, "seeds") == 0) {
			if (seeds == NULL) {
				seeds = sa->values;
				seeds_what = "sweep{} seeds";
			}
		} else if (grid_set(g, sa->name, sa->values, what, 0, err,
		    errlen) != 0) {
			return -1;
		}
	}
	for (i = 0; i < o->naxes; i++) {
		snprintf(what, sizeof(what), "-p %s=%s", o->axes[i].name,
		    o->axes[i].values);
		if (grid_set(g, o->axes[i].name, o->axes[i].values, what, 1,
		    err, errlen) != 0)
			return -1;
	}
	qsort(g->ax, (size_t)g->nax, sizeof(g->ax[0]), cmp_axis);
	for (i = 0; i < g->nax; i++)
		if ((g->ax[i].n = sweep_values(g->ax[i].what, g->ax[i].text,
		    &g->ax[i].v, err, errlen)) < 0)
			return -1;
	if (seeds == NULL)
		seeds = "1";
	snprintf(g->seeds_text, sizeof(g->seeds_text), "%s", seeds);
	snprintf(what, sizeof(what), "%s %s", seeds_what, seeds);
	if ((g->nseeds = parse_seeds(what, seeds, &g->seeds, err,
	    errlen)) < 0)
		return -1;
	grid_text(g, "");
	return 0;
}

/* ---------------------------------------------------------------------
 * The plan: distinct parameter sets the scenario reads, times seeds.
 */

struct combo {
	struct param params[MAX_AXES];	/* the axes the scenario read */
	int nparams;
	struct run_row ident;		/* identity of its runs, less seed */
};

struct plan {
	const char *path;
	char scenario[CFG_NAME_LEN];
	char sha256[65];
	struct combo *combos;
	int ncombos, cap;
	const uint64_t *seeds;
	int nseeds;
	size_t nruns;
};

static void plan_free(struct plan *p)
{
	free(p->combos);
	p->combos = NULL;
	p->ncombos = p->cap = 0;
}

static void run_of(const struct plan *p, size_t r, const struct combo **c,
    uint64_t *seed)
{
	*c = &p->combos[r % (size_t)p->ncombos];
	*seed = p->seeds[r / (size_t)p->ncombos];
}

/* Load the scenario with `params`: the combination it makes. */
static int load_combo(struct plan *p, struct grid *g, struct param *params,
    const struct sweep_opts *o, struct config *cfg, char *err,
    size_t errlen)
{
	struct script *s;
	struct combo *c;
	int i;

	s = script_load(o->path, params, g->nax, g->seeds[0], &o->limits,
	    cfg, err, errlen);
	if (s == NULL)
		return -1;
	script_destroy(s);
	if (p->ncombos == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->combos = xrealloc(p->combos, (size_t)p->cap *
		    sizeof(*p->combos));
	}
	c = &p->combos[p->ncombos++];
	memset(c, 0, sizeof(*c));
	for (i = 0; i < g->nax; i++) {
		if (!params[i].used)
			continue;
		g->ax[i].read = 1;
		c->params[c->nparams] = params[i];
		c->params[c->nparams++].used = 0;
	}
	simrun_identity(cfg, &c->ident);
	snprintf(c->ident.scenario_sha256, sizeof(c->ident.scenario_sha256),
	    "%s", p->sha256);
	return 0;
}

static const char *combo_key(void *ctx, int i)
{
	return ((struct combo *)ctx)[i].ident.params;
}

/* Combinations that read the same parameters alike are one. */
static void dedupe_combos(struct plan *p)
{
	char *keep = first_of_each(p->ncombos, combo_key, p->combos);
	int i, k = 0;

	for (i = 0; i < p->ncombos; i++)
		if (keep[i] && k++ != i)
			p->combos[k - 1] = p->combos[i];
	free(keep);
	p->ncombos = k;
}

/* Next combination of axis values, odometer style; 0 after the last. */
static int next_combo(const struct grid *g, int *idx)
{
	int i;

	for (i = g->nax - 1; i >= 0; i--) {
		if (++idx[i] < g->ax[i].n)
			return 1;
		idx[i] = 0;
	}
	return 0;
}

static int count_combos(const struct grid *g, char *err, size_t errlen)
{
	long long n = 1;
	int i;

	for (i = 0; i < g->nax; i++) {
		n *= g->ax[i].n;
		if (n > MAX_COMBOS) {
			seterr(err, errlen, "the grid has more than %d "
			    "combinations of parameters", MAX_COMBOS);
			return -1;
		}
	}
	return 0;
}

static int expand(struct plan *p, struct grid *g,
    const struct sweep_opts *o, struct config *cfg, char *err,
    size_t errlen)
{
	struct param params[MAX_AXES];
	int idx[MAX_AXES] = { 0 }, i;

	if (count_combos(g, err, errlen) != 0)
		return -1;
	do {
		memset(params, 0, sizeof(params));
		for (i = 0; i < g->nax; i++) {
			memcpy(params[i].name, g->ax[i].name, CFG_NAME_LEN);
			memcpy(params[i].value, g->ax[i].v[idx[i]],
			    CFG_NAME_LEN);
		}
		if (load_combo(p, g, params, o, cfg, err, errlen) != 0)
			return -1;
	} while (next_combo(g, idx));
	/*
	 * A -p the scenario never reads is a mistake; an axis of its own
	 * sweep{} that the other -p values leave unread is just not swept.
	 */
	for (i = 0; i < g->nax; i++) {
		if (!g->ax[i].read && g->ax[i].cli) {
			seterr(err, errlen, "%s: parameter '%s' (%s) is not "
			    "read by the scenario", o->path, g->ax[i].name,
			    g->ax[i].what);
			return -1;
		}
	}
	dedupe_combos(p);
	return 0;
}

/* The scenario as it loads with no parameters: name and sweep{}. */
static int load_defaults(const struct sweep_opts *o, struct config *cfg,
    char *err, size_t errlen)
{
	struct script *s;

	s = script_load(o->path, NULL, 0, 1, &o->limits, cfg, err, errlen);
	if (s == NULL)
		return -1;
	script_destroy(s);
	return 0;
}

/*
 * Grid and plan for `o`, all before any run starts: every error here
 * (the command line's, the scenario's, an unreadable file) is exit 2,
 * as for `memsim run`.
 */
static int plan_build(struct plan *p, struct grid *g,
    const struct sweep_opts *o, int use_defaults, char *err,
    size_t errlen)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	int rc = -1;

	memset(p, 0, sizeof(*p));
	memset(g, 0, sizeof(*g));
	p->path = o->path;
	if (load_defaults(o, cfg, err, errlen) != 0 ||
	    runner_file_sha256(o->path, p->sha256, err, errlen) != 0)
		goto out;
	snprintf(p->scenario, sizeof(p->scenario), "%s", cfg->name);
	if (grid_build(g, o, cfg, use_defaults, err, errlen) != 0 ||
	    expand(p, g, o, cfg, err, errlen) != 0)
		goto out;
	p->seeds = g->seeds;
	p->nseeds = g->nseeds;
	if ((double)p->ncombos * p->nseeds > MAX_RUNS) {
		seterr(err, errlen, "the grid has more than %d runs",
		    MAX_RUNS);
		goto out;
	}
	p->nruns = (size_t)p->ncombos * (size_t)p->nseeds;
	rc = 0;
out:
	free(cfg);
	return rc;
}

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

/* What one campaign (a sweep, or all of find-n) shares. */
struct campaign {
	const struct sweep_opts *o;
	struct store *st;
	int64_t sweep_id;
	int64_t planned, stored;	/* the sweeps row */
	int jobs, tty;
	char label[CFG_NAME_LEN + 64];	/* in front of progress lines */
};

/* What happened to the runs of one plan. */
struct tally {
	int64_t runs;			/* in this plan (this shard) */
	int64_t present;		/* already stored before */
	int64_t fresh;			/* run now */
	int64_t deadlocks, errors;	/* among all of them */
	double child_wall, parent_wall;	/* sums over fresh runs */
	double seconds;			/* the execution's wall time */
};

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
	int stop_on_deadlock, stopping;
	struct tally *t;
	int failed;
	int progress_len;
};

static void spec_of(const struct exec *x, size_t run, struct run_spec *spec)
{
	const struct combo *c;

	memset(spec, 0, sizeof(*spec));
	run_of(x->p, run, &c, &spec->seed);
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

	run_of(x->p, run, &c, &seed);
	if (row->scenario_sha256[0] != '\0')
		return;
	memcpy(row->scenario, c->ident.scenario, sizeof(row->scenario));
	memcpy(row->scenario_sha256, c->ident.scenario_sha256,
	    sizeof(row->scenario_sha256));
	memcpy(row->allocator, c->ident.allocator, sizeof(row->allocator));
	memcpy(row->params, c->ident.params, sizeof(row->params));
	memcpy(row->scenario_path, c->ident.scenario_path,
	    sizeof(row->scenario_path));
	row->reserve_n = c->ident.reserve_n;
	row->seed = seed;
}

static void tally_outcome(struct tally *t, int outcome)
{
	if (outcome == OUTCOME_DEADLOCK)
		t->deadlocks++;
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
	if (r->row.outcome == OUTCOME_DEADLOCK && x->stop_on_deadlock)
		x->stopping = 1;
}

static int flush(struct exec *x)
{
	struct campaign *ss = x->ss;
	char err[512];
	int i, rc;

	if (x->nbatch == 0)
		return 0;
	rc = store_insert_batch(ss->st, x->batch, x->nbatch, ss->sweep_id,
	    ss->stored + x->nbatch, NULL, err, sizeof(err));
	if (rc == 0)
		ss->stored += x->nbatch;
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
	return x->failed ? EXIT_ENV : stop_signal != 0 ? 128 + stop_signal : 0;
}

/*
 * Run the plan's runs listed in todo[] (t->present and the tally of
 * stored ones already filled in).  Returns 0, EXIT_ENV when the store
 * or the host failed, or 128 + the signal that stopped it.
 */
static int exec_plan(struct campaign *ss, const struct plan *p,
    const size_t *todo, size_t ntodo, int stop_on_deadlock,
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
	x.stop_on_deadlock = stop_on_deadlock;
	/* a deadlock already stored answers the question as well */
	x.stopping = stop_on_deadlock && t->deadlocks > 0;
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
		run_of(p, r, &c, &seed);
		t->runs++;
		found = store_run_outcome(ss->st, c->ident.scenario_sha256,
		    c->ident.params, seed, &outcome);
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
 * The commands.
 */

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > SWEEP_MAX_JOBS ? SWEEP_MAX_JOBS : (int)n;
}

static int campaign_open(struct campaign *ss, const struct sweep_opts *o)
{
	struct store_opts so = { .busy_ms = o->busy_ms };
	char err[512];

	memset(ss, 0, sizeof(*ss));
	ss->o = o;
	ss->jobs = o->jobs > 0 ? o->jobs : online_cpus();
	ss->tty = isatty(STDERR_FILENO);
	if (store_open_opts(&ss->st, o->db, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return EXIT_ENV;
	}
	store_set_versions(ss->st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	return 0;
}

/* Scenario messages name their file already, as for `memsim run`. */
static void plan_error(const struct sweep_opts *o, const char *err)
{
	size_t n = strlen(o->path);

	if (strncmp(err, o->path, n) == 0 && err[n] == ':')
		fprintf(stderr, "%s\n", err);
	else
		fprintf(stderr, "memsim: %s\n", err);
}

static void summary(const struct campaign *ss, const struct tally *t)
{
	double n = t->fresh > 0 ? (double)t->fresh : 1;

	printf("%s: %lld runs, %lld stored (%lld new, %lld already there); "
	    "%lld deadlocks, %lld errors\n", ss->label, (long long)t->runs,
	    (long long)(t->present + t->fresh), (long long)t->fresh,
	    (long long)t->present, (long long)t->deadlocks,
	    (long long)t->errors);
	if (t->fresh > 0)
		printf("  %.2f runs/s with -j %d; per run %.1f ms in the "
		    "child, %.2f ms more to fork and collect it\n",
		    t->seconds > 0 ? (double)t->fresh / t->seconds : 0,
		    ss->jobs, 1e3 * t->child_wall / n,
		    1e3 * (t->parent_wall - t->child_wall) / n);
}

static void interrupted(const struct campaign *ss, int rc)
{
	fprintf(stderr, "memsim: %s (%s): %lld of %lld runs stored; run the "
	    "same command again to do the rest\n", ss->label,
	    strsignal(rc - 128), (long long)ss->stored,
	    (long long)ss->planned);
}

/* Plan, skip what is stored, run the rest, stamp the sweeps row. */
static int sweep_plan(struct campaign *ss, const struct plan *p,
    const char *grid, int stop_on_deadlock, struct tally *t)
{
	size_t *todo = NULL, ntodo = 0;
	char err[512];
	int rc = EXIT_ENV;

	memset(t, 0, sizeof(*t));
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
	rc = exec_plan(ss, p, todo, ntodo, stop_on_deadlock, t);
	if (rc > 128)
		interrupted(ss, rc);
	goto out;
fail:
	fprintf(stderr, "memsim: %s\n", err);
out:
	free(todo);
	return rc;
}

static int finish_sweep(struct campaign *ss)
{
	char err[512];

	if (store_sweep_set(ss->st, ss->sweep_id, ss->planned, ss->stored, 1,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return EXIT_ENV;
	}
	return 0;
}

int sweep_main(const struct sweep_opts *o)
{
	struct campaign ss;
	struct grid g;
	struct plan p;
	struct tally t;
	char err[1024], shard[64] = "";
	int rc;

	if (plan_build(&p, &g, o, 1, err, sizeof(err)) != 0) {
		plan_error(o, err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (o->nshards > 0 && (size_t)o->shard > p.nruns) {
		fprintf(stderr, "memsim: --shard %d/%d: the grid has only %zu "
		    "runs, so this shard is empty\n", o->shard, o->nshards,
		    p.nruns);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = campaign_open(&ss, o)) != 0)
		goto out;
	if (o->nshards > 0)
		snprintf(shard, sizeof(shard), " shard=%d/%d", o->shard,
		    o->nshards);
	snprintf(ss.label, sizeof(ss.label), "sweep %s%s", p.scenario, shard);
	if (strlen(g.text) + strlen(shard) < sizeof(g.text))
		strcat(g.text, shard);
	rc = sweep_plan(&ss, &p, g.text, 0, &t);
	if (rc == 0)
		rc = finish_sweep(&ss);
	if (rc == 0 || rc > 128)
		summary(&ss, &t);
	store_close(ss.st);
out:
	plan_free(&p);
	grid_free(&g);
	return rc;
}

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
	grid_text(g, "find-n");
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
	if (plan_build(&p, &g, o, 0, err, sizeof(err)) != 0) {
		plan_error(o, err);
		rc = EXIT_USAGE;
	} else {
		if (f->grid[0] == '\0')
			findn_grid(f, &g);
		f->nseeds = p.nseeds;
		snprintf(f->scenario, sizeof(f->scenario), "%s", p.scenario);
		snprintf(f->ss.label, sizeof(f->ss.label), "find-n %s N=%d",
		    p.scenario, n);
		rc = sweep_plan(&f->ss, &p, f->grid, early, t);
	}
	if (rc == 0 && t->errors > 0 && t->deadlocks == 0) {
		/* a crash or an overrun says nothing about deadlocks */
		fprintf(stderr, "memsim: find-n: %lld runs at N = %d ended in "
		    "error, so N = %d proves nothing (see the runs table)\n",
		    (long long)t->errors, n, n);
		rc = EXIT_ENV;
	}
	plan_free(&p);
	grid_free(&g);
	return rc;
}

/* find-n's own axes, and a single value for every other -p. */
static int findn_opts(struct findn *f, const struct sweep_opts *o)
{
	int i;

	f->o = *o;
	if (o->seeds == NULL) {
		fprintf(stderr, "memsim: find-n needs --seeds K\n");
		return EXIT_USAGE;
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
			return EXIT_USAGE;
		}
		if (strchr(a->values, ',') || strstr(a->values, "..")) {
			fprintf(stderr, "memsim: find-n: -p %s=%s: one value "
			    "only\n", a->name, a->values);
			return EXIT_USAGE;
		}
	}
	if (o->naxes + 2 > CFG_MAX_PARAMS) {
		fprintf(stderr, "memsim: too many -p parameters\n");
		return EXIT_USAGE;
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
		rc = EXIT_USAGE;
	}
	script_destroy(s);
	for (i = 0; i < 2 && rc == 0; i++) {
		if (params[i].used)
			continue;
		fprintf(stderr, "memsim: %s: find-n needs a scenario that reads "
		    "parameter '%s' (with %s=%s)\n", f->o.path, params[i].name,
		    FINDN_ALLOC_PARAM, FINDN_ALLOCATOR);
		rc = EXIT_USAGE;
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

int sweep_find_n(const struct sweep_opts *o)
{
	struct findn f;
	struct tally t, tn, tm;
	int lo = -1, hi = FINDN_MAX, rc;

	memset(&f, 0, sizeof(f));
	if ((rc = findn_opts(&f, o)) != 0 || (rc = findn_check(&f)) != 0)
		return rc;
	if ((rc = campaign_open(&f.ss, &f.o)) != 0)
		return rc;
	memset(&tm, 0, sizeof(tm));
	rc = eval_n(&f, FINDN_MAX, 1, &t);
	if (rc == 0 && t.deadlocks > 0) {
		printf("find-n %s: no N in [0, %d] ran %d seeds without a "
		    "deadlock\n", f.scenario, FINDN_MAX, f.nseeds);
		f.ss.planned = f.ss.stored;
		rc = finish_sweep(&f.ss);
		store_close(f.ss.st);
		return rc != 0 ? rc : EXIT_DEADLOCK;
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
		rc = finish_sweep(&f.ss);
	if (rc == 0)
		findn_report(&f, hi, &tn, &tm);
	store_close(f.ss.st);
	return rc;
}
