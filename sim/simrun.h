/*
 * simrun: one simulated run, from a loaded config to a struct result.
 *
 * Boots the model (thresholds, zones, swap, daemons), starts the
 * processes and drives the engine in steps of sample_every, sampling the
 * queues and watching progress.  A run ends completed (every process
 * exited), survived (the duration ran out), deadlock (hard: SimGrid saw
 * every thread blocked with no timer; livelock: no progress for the
 * watchdog interval while a thread waits for memory), panic (the kernel
 * would have panicked) or error.  Called in a forked child only: the
 * engine cannot be initialised twice in one process.
 */
#ifndef MEMSIM_SIMRUN_H
#define MEMSIM_SIMRUN_H

#include "config.h"
#include "result.h"
#include "script.h"

void simrun(const struct config *cfg, struct script *s, struct result *res);
/*
 * The columns that identify a run (scenario, hash, allocator, reserve_n,
 * seed, params), so a parent can label a run whose child died.
 */
void simrun_identity(const struct config *cfg, struct run_row *row);
/* The canonical JSON of the run's parameters (sorted keys). */
void simrun_params_json(const struct config *cfg, char *out, size_t len);

#endif
