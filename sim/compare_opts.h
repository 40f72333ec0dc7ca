/*
 * compare_opts: the command line of `memsim compare` (sim/compare.h),
 * parsed and checked before anything runs: the policies with their
 * options and reserve axes, the seeds, the emergency-pager setting.
 * Every bad option is one line on stderr and exit 2.
 */
#ifndef MEMSIM_COMPARE_OPTS_H
#define MEMSIM_COMPARE_OPTS_H

#include <stdint.h>

#include "config.h"
#include "script.h"

struct alloc_ops;

#define CMP_MAX_POLICIES	16
#define CMP_MAX_OPTS		8
#define CMP_ALLOC_PARAM		"allocator"
#define CMP_N_PARAM		"N"
#define CMP_DEFAULT_RESERVE	"0..8"
#define CMP_EPAGER_PARAM	"emergency_pager"

struct policy {
	const struct alloc_ops *ops;
	struct param opts[CMP_MAX_OPTS];	/* its zone options, as -p */
	int nopts;
	char reserve[CFG_SWEEP_LEN];	/* its N list; "" none */
	const char *epager;		/* "on", "off"; NULL: the scenario's */
};

struct cmp {
	const char *path, *db, *plot_dir;
	struct policy pol[CMP_MAX_POLICIES];
	int npol;
	struct param params[CFG_MAX_PARAMS];	/* -p, for every policy */
	int nparams;
	char seeds[CFG_SWEEP_LEN];
	uint64_t nseeds;
	char sha256[65];		/* of the scenario, as runs store it */
	const char *reserve;		/* --reserve */
	const char *epager;		/* --emergency-pager on|off|both */
	int jobs;
	double wall_limit;
	struct script_limits limits;
};

/* argv after "compare" into *c: 0, or the exit status of an error. */
int compare_opts_parse(int argc, char **argv, struct cmp *c);

#endif
