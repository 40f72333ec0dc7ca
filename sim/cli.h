/*
 * cli: what the command-line front ends share — the usage text, exit
 * statuses, the one-line error ("memsim: ..."), strict decimal numbers,
 * `-p name=value` lists and the options of every command that runs the
 * model.
 */
#ifndef MEMSIM_CLI_H
#define MEMSIM_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "config.h"

struct script_limits;

/* Exit statuses (the top of sim/main.c says when each is given). */
#define CLI_EXIT_ENV	1	/* database, files */
#define CLI_EXIT_USAGE	2	/* usage and scenario errors */
#define CLI_EXIT_FAIL	3	/* --fail-on met; find-n: no N is enough */

/* Every command's usage, on f. */
void cli_usage(FILE *f);

/* Prints "memsim: <message>" on stderr and returns `code`. */
int cli_die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole decimal string, digits only: 0, or -1 when it is not one. */
int cli_parse_u64(const char *s, uint64_t *out);

/* "I/K" of --shard, with 1 <= I <= K: 0, or -1 when it is not one. */
int cli_parse_shard(const char *s, int *shard, int *nshards);

/*
 * Adds "-p name=value" to params[0..*nparams): one entry per name, the
 * last one wins.  0, or -1 with the reason (without the "memsim: "
 * prefix) in err.
 */
int cli_param_add(struct param *params, int *nparams, const char *arg,
    char *err, size_t errlen);

/*
 * "deadlock,panic,error": outcome names (sim/result.h) into a mask of
 * 1 << enum outcome.  0, or -1 with the reason in err.
 */
int cli_parse_outcomes(const char *list, unsigned *mask, char *err,
    size_t errlen);

/*
 * What `memsim run --fail-on LIST` fails on: outcomes, and a stall
 * ("stall": a stretch of at least VERDICT_STALL_MIN without progress,
 * the verdict's own threshold; "stall=TIME": at least TIME).
 */
struct cli_fail_on {
	unsigned outcomes;	/* 1 << enum outcome */
	double stall;		/* seconds; 0: stalls do not fail */
};

/* Adds LIST to *f.  0, or -1 with the reason in err. */
int cli_parse_fail_on(const char *list, struct cli_fail_on *f, char *err,
    size_t errlen);

/* Whether a run with this outcome and longest stall fails *f. */
int cli_fails(const struct cli_fail_on *f, int outcome,
    double longest_stall);

/* The options every command that runs the model takes. */
struct cli_common {
	const char **db;		/* --db */
	double *wall_limit;		/* --wall-limit, seconds */
	struct script_limits *limits;	/* --lua-budget, --lua-mem */
};

/* 0: taken; -1: not a common option; otherwise the exit status. */
int cli_common_opt(const struct cli_common *c, const char *a,
    const char *val);

/* The Lua limits a run has unless told otherwise. */
void cli_limits_defaults(struct script_limits *lim);

#endif
