/*
 * proc_replay: a process replays a page-reference trace (p:replay()).
 *
 * Each record of the trace is a reference to one page of one of the
 * recorded program's mappings; the process makes those mappings (or
 * folds them onto one), shrinks page numbers onto smaller mappings when
 * asked, and touches the pages in order through the same path as
 * p:touch(): a resident, mapped page sets its reference bit, anything
 * else is vm_fault().  All of it is plain C; the engine is entered only
 * to charge CPU time a quantum at a time or when a fault blocks.
 */
#ifndef MEMSIM_PROC_REPLAY_H
#define MEMSIM_PROC_REPLAY_H

#include <stddef.h>

#include "config.h"
#include "proc.h"
#include "script_trace.h"

/*
 * Replay q for p.  Returns 0 when the replay is done, -1 when the
 * process was killed (or the machine panicked) meanwhile, -2 on an
 * error with one line in err.
 */
int proc_replay(struct proc *p, const struct replay_req *q,
    const struct config *cfg, char *err, size_t errlen);

#endif
