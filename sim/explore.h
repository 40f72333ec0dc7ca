/*
 * explore: bounded exhaustive search over choice sequences.
 *
 * Every sequence of options of the first D choice points of the chosen
 * domains is run once (each point offers a bounded domain of at most W
 * options: W quantile midpoints of a unit draw, W evenly spaced values
 * of a draw below n, each of n tied events up to W); every later choice
 * follows the seed.  At each such point the model's state is hashed:
 * page queue lengths and free counts, swap space and I/O queues, pbufs,
 * SWAPMETA's pages and reserve level, kernel address space in use, each
 * thread's wait channel and each process's progress (its draws and
 * sequential cursors), the simulated clock in 10 ms ticks, and the
 * choice point itself (its stream and the draw's index in it).  A state
 * already reached at the same or a smaller depth is not explored again.
 * Time within a tick, the due times of held interrupt buffers and where
 * a Lua body is inside a request are not part of the state: two states
 * that differ only in them are one, so "no deadlock within depth D"
 * holds for this model, this depth, these domains and this abstraction
 * only.
 *
 * Two ways to branch: fork() the run at the choice point (each option
 * continues from the live state; one branch runs at a time, so results
 * go down one pipe in turn), or replay the prefix of choices from the
 * start in a fresh run.  Both explore the same tree in the same order.
 * The engine's thread contexts of sanitizer builds cannot be forked, so
 * there prefix replay is used.
 */
#ifndef MEMSIM_EXPLORE_H
#define MEMSIM_EXPLORE_H

#include <stdint.h>

#include "result.h"
#include "runner.h"

struct explore_opts {
	int depth, width;
	unsigned domains;		/* HUNT_DOMAIN_* bits */
	int fork_mode;
	int64_t max_leaves;		/* 0: none */
	double deadline;		/* runner_now() seconds; 0: none */
};

struct explore_stats {
	int64_t states;			/* distinct states entered */
	int64_t leaves;			/* runs that reached their end */
	int64_t pruned;			/* branches cut at a known state */
	int64_t started;		/* processes or runs started */
	int max_depth;			/* deepest choice point reached */
	int complete;			/* every branch explored */
	int fork_mode;			/* the mode used */
};

/* Called with each finished run (it owns res); non-zero stops. */
typedef int explore_leaf_fn(void *ctx, struct result *res);
/* Called now and then to show progress. */
typedef void explore_progress_fn(void *ctx, const struct explore_stats *s);

/* Can this build fork a run at a choice point? */
int explore_can_fork(void);

/*
 * Test hook: with MEMSIM_TEST_CRASH_FORK=N in the environment, the N-th
 * branch forked at a choice point raises SIGSEGV as it starts, so tests
 * can check that a dead branch is recorded and the search claims nothing.
 */
#define EXPLORE_CRASH_ENV "MEMSIM_TEST_CRASH_FORK"


/*
 * Explore from base (path, params, seed, limits; its choices must be
 * NULL).  0, or -1 with a message when the host failed (shared memory,
 * fork).
 */
int explore_run(const struct explore_opts *eo, const struct run_spec *base,
    explore_leaf_fn *leaf, explore_progress_fn *progress, void *ctx,
    struct explore_stats *st, char *err, size_t errlen);

#endif
