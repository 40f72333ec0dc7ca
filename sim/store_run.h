/*
 * store_run: putting runs into a store (declared through store.h):
 * one run in one transaction, a sweep's runs in batches, the sweeps rows.
 */
#ifndef MEMSIM_STORE_RUN_H
#define MEMSIM_STORE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct store;

/*
 * Is there already a run with this key?  Sets *id when there is (the
 * latest of its rows when --force stored it again).
 */
int store_find_run(struct store *st, const char *sha256, const char *params,
    uint64_t seed, int64_t *id);
/* The same for a run with overridden choices (sim/choice.h's text). */
int store_find_run_seq(struct store *st, const char *sha256,
    const char *params, uint64_t seed, const char *choices, int64_t *id);
/*
 * Insert a run and its waits, samples, events and counters in one
 * transaction; with `force` (or store_set_force()) a run whose key is
 * stored gets a new row and id beside the old one (its next rerun),
 * without, it is refused.  Returns 0 and the new id, or -1 with a
 * message (nothing written).
 */
int store_insert(struct store *st, const struct result *r, int force,
    int64_t *id, char *err, size_t errlen);

/*
 * The outcome (enum outcome) of the run with this key: 1 and *outcome
 * when there is one, 0 when not, -1 on a database error.
 */
int store_run_outcome(struct store *st, const char *sha256,
    const char *params, uint64_t seed, int *outcome);

/*
 * Insert n runs in one transaction, each with all its rows; a run whose
 * key is already stored is skipped (counted out of *inserted).  With
 * sweep_id > 0 the sweep's runs_done becomes `done` in the same
 * transaction, so it never disagrees with the runs table.  0, or -1
 * with a message and nothing written.
 */
int store_insert_batch(struct store *st, struct result *const *rs, int n,
    int64_t sweep_id, int64_t done, int *inserted, char *err,
    size_t errlen);

/*
 * The sweeps row of (scenario sha256, grid): the latest one, reopened
 * (finished cleared) when the same sweep runs again, else a new one.
 */
int store_sweep_begin(struct store *st, const char *scenario,
    const char *sha256, const char *grid, int64_t planned, int64_t done,
    int64_t *id, char *err, size_t errlen);
/* Set a sweep's counts; `finished` stamps the finish time. */
int store_sweep_set(struct store *st, int64_t id, int64_t planned,
    int64_t done, int finished, char *err, size_t errlen);

#endif
