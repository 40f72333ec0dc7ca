/*
 * sweep_plan: what a grid makes, before any run starts: the scenario
 * loaded once per combination of axis values (loading runs no
 * simulation), reduced to the distinct parameter sets it actually read,
 * times the seeds.  Run r is seed r / ncombos of combination
 * r % ncombos.  Internal to sim/sweep*.c.
 */
#ifndef MEMSIM_SWEEP_PLAN_H
#define MEMSIM_SWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "result.h"
#include "sweep.h"
#include "sweep_grid.h"

struct combo {
	struct param params[SWEEP_MAX_AXES];	/* the axes the scenario read */
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

void sweep_plan_free(struct plan *p);
/* Run r's combination and seed. */
void sweep_run_of(const struct plan *p, size_t r, const struct combo **c,
    uint64_t *seed);
/*
 * Grid and plan for `o`; every error here (the command line's, the
 * scenario's, an unreadable file) is a usage error.  0, or -1 with a
 * message.
 */
int sweep_plan_build(struct plan *p, struct grid *g,
    const struct sweep_opts *o, int use_defaults, char *err,
    size_t errlen);

#endif
