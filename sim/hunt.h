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

#include "config.h"
#include "script.h"

enum hunt_strategy { HUNT_RANDOM, HUNT_GUIDED, HUNT_EXHAUSTIVE };

/* Domains of choice points an exhaustive hunt enumerates. */
#define HUNT_DOMAIN_IRQ		1u	/* interrupt arrival gaps */
#define HUNT_DOMAIN_TIE		2u	/* wake-up and I/O orders */
#define HUNT_DOMAIN_PROC	4u	/* processes' page and write draws */

struct hunt_opts {
	const char *path;
	struct param params[CFG_MAX_PARAMS];
	int nparams;
	const char *db;
	enum hunt_strategy strategy;
	int64_t budget_runs;		/* 0: none */
	double budget_seconds;		/* 0: none */
	int jobs;
	int depth, width;		/* exhaustive */
	unsigned domains;
	int fork_mode;			/* exhaustive: 1 fork, 0 prefix */
	uint64_t seed;
	int shard, nshards;
	double wall_limit;
	struct script_limits limits;
	int fail_on_deadlock;
	int quiet;			/* no progress, no summary (find-n) */
};

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

/* Parse the arguments after "hunt"; 0, or the exit status. */
int hunt_parse(int argc, char **argv, struct hunt_opts *o);
/* Run a parsed hunt; returns the exit status. */
int hunt_run(const struct hunt_opts *o, struct hunt_summary *sum);
/* `memsim hunt ...`: parse and run. */
int hunt_main(int argc, char **argv);

#endif
