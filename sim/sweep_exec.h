/*
 * sweep_exec: running a plan.  A long-lived parent forks up to -j
 * children at a time (sim/runner), polls their pipes, and is the only
 * writer to SQLite, in batches; runs already stored are skipped.  A
 * campaign (a sweep, or all of find-n) is the database and the one
 * sweeps row its plans are counted in.  Internal to sim/sweep*.c.
 */
#ifndef MEMSIM_SWEEP_EXEC_H
#define MEMSIM_SWEEP_EXEC_H

#include <stdint.h>

#include "config.h"
#include "sweep.h"
#include "sweep_plan.h"

#define SWEEP_EXIT_ENV		1
#define SWEEP_EXIT_USAGE	2
#define SWEEP_EXIT_DEADLOCK	3

/* What one campaign (a sweep, or all of find-n) shares. */
struct campaign {
	const struct sweep_opts *o;
	struct store *st;
	int64_t sweep_id;
	int64_t planned, stored;	/* the sweeps row */
	int jobs, tty;
	int lock_fd;			/* sweep_lock(), held to the end */
	char label[CFG_NAME_LEN + 64];	/* in front of progress lines */
};

/* What happened to the runs of one plan. */
struct tally {
	int64_t runs;			/* in this plan (this shard) */
	int64_t present;		/* already stored before */
	int64_t fresh;			/* run now */
	int64_t added;			/* of those, stored by this process */
	int64_t deadlocks, panics, errors;	/* among all of them */
	double child_wall, parent_wall;	/* sums over fresh runs */
	double seconds;			/* the execution's wall time */
};

/* Open the database for a campaign: 0 or SWEEP_EXIT_ENV, said. */
int sweep_campaign_open(struct campaign *ss, const struct sweep_opts *o);
/* Print a planning error (scenario messages name their file already). */
void sweep_plan_error(const struct sweep_opts *o, const char *err);
/*
 * Plan, skip what is stored, run the rest, stamp the sweeps row; an
 * outcome in stop_on (1 << enum outcome; 0: none) stops it early.  0,
 * SWEEP_EXIT_ENV, or 128 + the signal that stopped it.
 */
int sweep_run_plan(struct campaign *ss, const struct plan *p,
    const char *grid, unsigned stop_on, struct tally *t);
/* Mark the campaign's sweeps row finished: 0 or SWEEP_EXIT_ENV. */
int sweep_finish(struct campaign *ss);

#endif
