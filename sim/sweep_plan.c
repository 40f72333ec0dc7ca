/*
 * sweep_plan: see sweep_plan.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "script.h"
#include "simrun.h"
#include "xmalloc.h"

#define MAX_COMBOS		10000	/* scenario loads while planning */
#define MAX_RUNS		10000000

/* ---------------------------------------------------------------------
 * The plan: distinct parameter sets the scenario reads, times seeds.
 */

void sweep_plan_free(struct plan *p)
{
	free(p->combos);
	p->combos = NULL;
	p->ncombos = p->cap = 0;
}

void sweep_run_of(const struct plan *p, size_t r, const struct combo **c,
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
	char *keep = sweep_first_of_each(p->ncombos, combo_key, p->combos);
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
			sweep_seterr(err, errlen, "the grid has more than %d "
			    "combinations of parameters", MAX_COMBOS);
			return -1;
		}
	}
	return 0;
}

/*
 * The scenario's own sweep{} grid, without -p: an error when one of its
 * axes is read by none of its combinations (see expand()).
 */
static int own_grid_check(const struct sweep_opts *o, char *err,
    size_t errlen)
{
	struct sweep_opts d = *o;
	struct grid g;
	struct plan p;
	int rc;

	d.naxes = 0;
	rc = sweep_plan_build(&p, &g, &d, 1, err, errlen);
	sweep_plan_free(&p);
	sweep_grid_free(&g);
	return rc;
}

static int expand(struct plan *p, struct grid *g,
    const struct sweep_opts *o, struct config *cfg, char *err,
    size_t errlen)
{
	struct param params[SWEEP_MAX_AXES];
	int idx[SWEEP_MAX_AXES] = { 0 }, i;

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
	 * sweep{} that the other -p values leave unread is just not swept,
	 * but one that its own grid never reads is a misspelt or unknown
	 * key, which would silently make the sweep smaller.
	 */
	for (i = 0; i < g->nax; i++) {
		if (!g->ax[i].read && g->ax[i].cli) {
			sweep_seterr(err, errlen,
			    "%s: parameter '%s' (%s) is not "
			    "read by the scenario", o->path, g->ax[i].name,
			    g->ax[i].what);
			return -1;
		}
	}
	for (i = 0; i < g->nax; i++) {
		if (g->ax[i].read || g->ax[i].cli)
			continue;
		if (o->naxes == 0) {
			sweep_seterr(err, errlen, "%s:%d: unknown option '%s' "
			    "in sweep (not a parameter the scenario reads, "
			    "nor seeds)", o->path, cfg->sweep_line,
			    g->ax[i].name);
			return -1;
		}
		if (own_grid_check(o, err, errlen) != 0)
			return -1;
		break;
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
int sweep_plan_build(struct plan *p, struct grid *g,
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
	if (sweep_grid_build(g, o, cfg, use_defaults, err, errlen) != 0 ||
	    expand(p, g, o, cfg, err, errlen) != 0)
		goto out;
	p->seeds = g->seeds;
	p->nseeds = g->nseeds;
	if ((double)p->ncombos * p->nseeds > MAX_RUNS) {
		sweep_seterr(err, errlen, "the grid has more than %d runs",
		    MAX_RUNS);
		goto out;
	}
	p->nruns = (size_t)p->ncombos * (size_t)p->nseeds;
	rc = 0;
out:
	free(cfg);
	return rc;
}

