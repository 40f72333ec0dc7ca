/*
 * sweep_lock: one sweep of a grid on a database at a time.  Two memsim
 * processes running the same sweep on one database would both run every
 * run; the second is refused instead, naming the first.  The lock is a
 * POSIX record lock on one byte of DB-sweeps, chosen by the grid, so
 * other grids (and other shards of the same grid) go on in parallel,
 * and it goes away with the process, however it ends.
 * Internal to sim/sweep*.c.
 */
#ifndef MEMSIM_SWEEP_LOCK_H
#define MEMSIM_SWEEP_LOCK_H

#include <stddef.h>

/*
 * Take the lock of `key` (scenario hash and grid text) on database db:
 * 0 and *fd (keep it open while the sweep runs), 1 when another process
 * holds it (*holder its pid, 0 when unknown), -1 with a message.
 */
int sweep_lock(const char *db, const char *key, int *fd, long *holder,
    char *err, size_t errlen);

#endif
