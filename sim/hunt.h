/*
 * hunt: search for deadlocks instead of sampling seeds (`memsim hunt`).
 *
 *   memsim hunt SCENARIO [-p name=value]... --budget RUNS|TIME [-j N]
 *       [--db FILE] [--strategy random|guided|exhaustive] [--depth D]
 *       [--width W] [--domain irq,tie,proc] [--mode fork|prefix]
 *       [--seed S] [--shard I/K] [--wall-limit T] [--fail-on-deadlock]
 *
 * random runs seeds S, S+1, ... (what a sweep does: the baseline).
 * guided keeps a corpus of choice sequences (sim/mutate.c) and keeps a
 * mutant when its run comes closer to a deadlock than any before: a
 * lower reserve level, fewer free pages at the lowest, a longer time the
 * page daemon slept waiting for memory, or a deadlock signature not seen
 * yet.  exhaustive (sim/explore.c) enumerates the options of the first D
 * choice points of the chosen domains.
 *
 * The parent forks the runs (sim/runner), is the only writer to SQLite,
 * and stores every run with its sequence, so `memsim replay` reproduces
 * any of them.  A hunt started again with the same arguments does not
 * run again what is stored: random skips its stored seeds, guided
 * rebuilds its corpus from the stored runs of the scenario and
 * parameters, which count toward the budget.  Shards (--shard I/K) take
 * disjoint seeds and mutation streams; `memsim merge` joins their
 * databases.
 */
#ifndef MEMSIM_HUNT_H
#define MEMSIM_HUNT_H

#include <stdint.h>

#include "hunt_opts.h"

/* What a hunt found, for callers such as find-n. */
struct hunt_summary {
	int64_t runs, deadlocks, panics, errors;
	int64_t first_found;		/* runs until the first; 0: none */
	int64_t first_id;		/* its run id */
	int nsignatures;
	int64_t best_reserve_min;	/* -1: no reserve */
	int64_t best_min_free;
	double best_pd_blocked;
	int64_t states;			/* exhaustive */
	int complete;			/* exhaustive: nothing left unexplored */
};

/* Run a parsed hunt; returns the exit status. */
int hunt_run(const struct hunt_opts *o, struct hunt_summary *sum);
/* `memsim hunt ...`: parse and run. */
int hunt_main(int argc, char **argv);

#endif
