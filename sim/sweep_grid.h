/*
 * sweep_grid: a sweep's grid, the named axes of values (the scenario's
 * sweep{}, then -p over it) and the seeds, and the value lists they are
 * written in.  Internal to sim/sweep*.c: other modules use sweep.h.
 */
#ifndef MEMSIM_SWEEP_GRID_H
#define MEMSIM_SWEEP_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sweep.h"

#define SWEEP_MAX_AXES	CFG_MAX_PARAMS

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
	struct axis ax[SWEEP_MAX_AXES];
	int nax;
	uint64_t *seeds;
	int nseeds;
	char seeds_text[CFG_SWEEP_LEN];
	char text[SWEEP_MAX_AXES * (CFG_NAME_LEN + CFG_SWEEP_LEN + 2) + 64];
};

/* A one-line message into err. */
void sweep_seterr(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Which of n strings (key(i)) repeat an earlier one: keep[i] is 0 for
 * those (free() the result).
 */
char *sweep_first_of_each(int n, const char *(*key)(void *, int),
    void *ctx);

void sweep_grid_free(struct grid *g);
/* "N=0..8 allocator=a,b seeds=1..20" into g->text, after prefix. */
void sweep_grid_text(struct grid *g, const char *prefix);
/*
 * Axes: the scenario's sweep{} (def, when use_defaults), then -p over
 * them; seeds: --seeds, else sweep{ seeds = ... }, else 1.  0, or -1
 * with a message.
 */
int sweep_grid_build(struct grid *g, const struct sweep_opts *o,
    const struct config *def, int use_defaults, char *err, size_t errlen);

#endif
