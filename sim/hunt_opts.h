/*
 * hunt_opts: the command line of `memsim hunt` (sim/hunt.h), parsed
 * and checked: every bad option is one line on stderr and exit 2.
 */
#ifndef MEMSIM_HUNT_OPTS_H
#define MEMSIM_HUNT_OPTS_H

#include <stdint.h>

#include "config.h"
#include "script.h"

#define HUNT_MAX_JOBS	64

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
	int fresh_pct;			/* guided: % of candidates fresh seeds */
	int quiet;			/* no progress, no summary (find-n) */
};

/* Parse the arguments after "hunt"; 0, or the exit status. */
int hunt_parse(int argc, char **argv, struct hunt_opts *o);
/* "random", "guided" or "exhaustive". */
const char *hunt_strategy_name(enum hunt_strategy s);

#endif
