/*
 * replay: run a stored run again and compare what it simulated.
 *
 * `memsim replay RUN_ID` reads the run's scenario path, scenario hash,
 * parameters and seed, checks that the file still has that hash, runs
 * it again in a forked child exactly as `memsim run` would, and
 * compares the digest of the simulated event stream (sim/trace.c) with
 * the stored one.  It writes nothing: the database is closed before the
 * run starts.
 */
#ifndef MEMSIM_REPLAY_H
#define MEMSIM_REPLAY_H

#include <stdint.h>

#include "script.h"

/*
 * Exit status: 0 the digest matches; 1 it differs, the scenario file
 * changed or cannot be read, or the database cannot be used; 2 no such
 * run.  `lim` and `wall_limit` are those of the rerun.
 */
int replay_run(const char *db, int64_t id, const struct script_limits *lim,
    double wall_limit);

#endif
