/*
 * sweep: many runs of one scenario over a grid of parameters and seeds,
 * as `memsim sweep` and `memsim find-n`.
 *
 * The grid is the product of the -p value lists ("a,b,c" or "lo..hi")
 * and the seeds; the scenario's sweep{} table gives defaults that the
 * command line overrides axis by axis.  A parameter a scenario does not
 * read for some combination of the others does not multiply it: the
 * scenario is loaded once per combination, the axes it did not read are
 * dropped, and runs that became identical are kept once.
 *
 * A long-lived parent forks up to -j children at a time (sim/runner),
 * polls their pipes, and is the only writer to SQLite, in batches.  Runs
 * are keyed by (scenario sha256, params JSON, seed), so a sweep that was
 * interrupted, even by kill -9, does only the missing runs when it is
 * started again, and shards of one grid (--shard i/k) merge without
 * duplicates.  One process at a time runs a given grid on a database
 * (sim/sweep_lock.h).
 */
#ifndef MEMSIM_SWEEP_H
#define MEMSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "script.h"

#define SWEEP_MAX_JOBS	1024

struct sweep_opts {
	const char *path;		/* the scenario */
	const char *db;
	struct sweep_axis axes[CFG_MAX_PARAMS];	/* -p, last one wins */
	int naxes;
	const char *seeds;		/* --seeds; NULL: sweep{} or "1" */
	int jobs;			/* 0: one per online CPU */
	int shard, nshards;		/* --shard shard/nshards; 0: all */
	double wall_limit;		/* per run, seconds; 0: none */
	struct script_limits limits;
	int busy_ms;			/* SQLite lock wait; 0: default */
	int64_t hunt_budget;		/* find-n --hunt RUNS; 0: none */
	unsigned ignore;		/* find-n --ignore: 1 << outcome */
	int force;			/* sweep --force: run every run again,
					 * a new row beside any stored one */
};

/*
 * The values of one axis: a comma-separated list whose items are values
 * or whole-number ranges lo..hi (both ends included).  `what` starts
 * the error message ("-p N=0..8").  Duplicates are dropped.  Returns the
 * number of values and sets *out (free() it), or -1 with a message.
 */
int sweep_values(const char *what, const char *text,
    char (**out)[CFG_NAME_LEN], char *err, size_t errlen);

/* `memsim sweep`; returns the exit status. */
int sweep_main(const struct sweep_opts *o);

/*
 * `memsim find-n`: the smallest reserve N for which no seed of o->seeds
 * fails (deadlocks or panics; o->ignore may leave panics out), by
 * bisection over [0, 64] or -p N=lo..hi, then checked at every N above
 * it up to the top of the range; with hunt_budget, from that answer on
 * the first N that a guided hunt of that many runs could not break
 * either (sim/hunt.h).  Returns the exit status.
 */
int sweep_find_n(const struct sweep_opts *o);

#endif
