/*
 * runner: one run in a forked child.
 *
 * The child loads the scenario (a fresh Lua state), boots the engine,
 * simulates, writes its struct result down a pipe and leaves with
 * _exit(); the parent waits with a wall-clock limit.  A child that dies
 * or overruns becomes a run with outcome `error` saying why, so a crash
 * of one run never takes the caller with it.  Only the parent touches
 * SQLite.
 */
#ifndef MEMSIM_RUNNER_H
#define MEMSIM_RUNNER_H

#include <stdint.h>

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
};

/* Run and fill res (always: an error outcome on failure). */
void runner_run(const struct run_spec *spec, struct result *res);

/* Load a scenario in this process to validate it and its -p params.
 * Returns 0, or -1 with a one-line message. */
int runner_validate(const struct run_spec *spec, struct config *cfg,
    char *err, size_t errlen);

/* sha256 of a file's bytes; -1 with a message if unreadable. */
int runner_file_sha256(const char *path, char out[65], char *err,
    size_t errlen);

#endif
