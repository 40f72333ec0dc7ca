/*
 * runner: one run in a forked child.
 *
 * The child loads the scenario (a fresh Lua state), boots the engine,
 * simulates, writes its struct result down a pipe and leaves with
 * _exit(); the parent waits with a wall-clock limit.  A child that dies
 * or overruns becomes a run with outcome `error` saying why, so a crash
 * of one run never takes the caller with it.  Only the parent touches
 * SQLite.  runner_run() waits for one child; a sweep starts several
 * with runner_start(), polls their pipes and collects each with
 * runner_finish().
 */
#ifndef MEMSIM_RUNNER_H
#define MEMSIM_RUNNER_H

#include <stdint.h>
#include <sys/types.h>

#include "choice.h"
#include "config.h"
#include "result.h"
#include "script.h"

struct run_spec {
	const char *path;
	struct param params[CFG_MAX_PARAMS];
	int nparams;
	uint64_t seed;
	struct script_limits limits;
	double wall_limit;		/* seconds; 0: none */
	/* The run's choice sequence: seed plus these overrides (NULL:
	 * none); and a hook called in the child before it simulates. */
	const struct choice_seq *choices;
	void (*child_hook)(void *ctx);
	void *hook_ctx;
};

/*
 * A started child.  The parent polls `fd` (readable: the result is
 * coming, or the child died) and calls runner_finish() once it is
 * readable or `deadline` (monotonic seconds, 0: none) has passed.
 */
struct runner_child {
	pid_t pid;
	int fd;
	double started, deadline;
	uint64_t seed;
	double wall_limit;
	int signal;		/* runner_finish: the signal that killed it
				   before it gave a result; 0: none */
};

/* Run and fill res (always: an error outcome on failure). */
void runner_run(const struct run_spec *spec, struct result *res);

/*
 * Fork a child for spec.  0, or -1 with res set to an error outcome
 * (no child then).  runner_run() is runner_start() + runner_finish().
 */
int runner_start(const struct run_spec *spec, struct runner_child *c,
    struct result *res);
/*
 * Collect a started child: read its result (this blocks until the child
 * has written it, so call it when fd is readable), reap it, and turn a
 * death by signal or, with `overran`, the wall-clock limit into an error
 * outcome.  res is initialised here.
 */
void runner_finish(struct runner_child *c, int overran, struct result *res);

/*
 * A child that sends several results down its pipe in turn (a forked
 * exploration): 1 with the next result in res; 0 when the pipe has
 * ended and the child is reaped (no result); -1 once `deadline`
 * (runner_now() seconds, 0: none) has passed, the child killed.  A
 * result cut short, or a child that died by a signal with nothing more
 * to send, comes back as 1 with an error result, and the next call
 * gives 0.
 */
int runner_next(struct runner_child *c, double deadline, struct result *res);
/* Kill a started child and reap it (its results unread). */
void runner_kill(struct runner_child *c);

/*
 * In a run's child, for a process forked from it mid-run (explore.c):
 * runner_child_forked() makes the new process die with its parent and
 * gives it the run's wall-clock limit and clock afresh; a process that
 * waits for a forked one stops its own alarm while it waits
 * (runner_child_pause/resume); runner_child_error() sends an error
 * result for a branch that died, with the run's identity and `choices`.
 */
void runner_child_forked(pid_t parent);
void runner_child_pause(void);
void runner_child_resume(void);
void runner_child_error(const struct choice_seq *choices, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

/* Monotonic seconds, the clock of runner_child.deadline. */
double runner_now(void);

/*
 * Test hook: with MEMSIM_TEST_CRASH_SEED=N in the environment, the child
 * of every run with seed N raises SIGSEGV before it loads the scenario,
 * so tests can check that a crashed run is recorded and a sweep goes on.
 */
#define RUNNER_CRASH_ENV "MEMSIM_TEST_CRASH_SEED"

/* Load a scenario in this process to validate it and its -p params.
 * Returns 0, or -1 with a one-line message. */
int runner_validate(const struct run_spec *spec, struct config *cfg,
    char *err, size_t errlen);

/* sha256 of a file's bytes; -1 with a message if unreadable. */
int runner_file_sha256(const char *path, char out[65], char *err,
    size_t errlen);

#endif
