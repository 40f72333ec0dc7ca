/*
 * explain: a recorded run's forensics on the terminal — every thread and
 * what it waits on (and what would wake it), the counters at the
 * deadlock, the last events before it, and the one-line diagnosis.
 */
#ifndef MEMSIM_EXPLAIN_H
#define MEMSIM_EXPLAIN_H

#include <stdint.h>

/*
 * Prints run `id` as text, or with `json` as one JSON object
 * (sim/explain_json.h).  Exit status: 0, 1 (database), 2 (no such run).
 */
int explain_run(const char *db, int64_t id, int json);

#endif
