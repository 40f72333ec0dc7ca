/*
 * verdict: can a run that has stopped making progress ever make it again?
 *
 * At a quiet point the check reads every thread's state (running,
 * spinning, or asleep with a struct core_need) and the model's pending
 * events (I/O in flight, receive buffers whose hold ends, slabs the
 * kmalloc poller could give back), and answers:
 *
 *   DEAD     proven: no thread can ever progress again;
 *   ALIVE    some thread can: it runs, an I/O will complete, or what a
 *            sleeper needs could still be met by a pending event;
 *   UNKNOWN  neither can be shown (a thread runs without progress in a
 *            way the check does not model, or a need it cannot read).
 *
 * The rule, in full, is in docs/model.md ("The deadlock verdict").  It is
 * conservative: DEAD only when every sleeper's need is out of reach even
 * if every pending release happened and nothing else took a page.
 *
 * It also keeps the run's stalls: gaps without progress of at least
 * VERDICT_STALL_MIN seconds that ended, with what each thread waited on.
 */
#ifndef MEMSIM_VERDICT_H
#define MEMSIM_VERDICT_H

#include <stdint.h>

#include "result.h"

#define VERDICT_STALL_MIN	1.0	/* seconds without progress */
#define VERDICT_MAX_STALLS	64	/* recorded in detail per run */

enum verdict_kind { VERDICT_ALIVE, VERDICT_UNKNOWN, VERDICT_DEAD };

struct verdict {
	enum verdict_kind kind;
	int64_t bound;		/* pages that could ever be free (-1: n/a) */
	char why[RES_DETAIL_LEN];	/* the reason, in one line */
};

/* Decide now.  Reads the model; changes nothing. */
void verdict_check(struct verdict *v);

/*
 * What the decision reads: verdict_check() gathers it from the model,
 * a test builds it by hand.
 */
struct core_thread;
struct verdict_world {
	struct core_thread *threads;	/* every thread, by next_all */
	int64_t io;			/* I/Os queued or in flight */
	int64_t free, cache;		/* v_free_count, v_cache_count */
	int64_t rx;			/* pages receive loads will give back
					 * (kload_releasable_pages(); -1:
					 * not known) */
	int64_t polls;			/* pages the zones' polls could give
					 * back (-1: not known) */
	int daemon_idle;		/* a page daemon pass could only move
					 * cached pages to the free queue */
	int64_t scannable;		/* pages the emergency pager's pass
					 * could cache or launder
					 * (vm_emergpager_scannable()) */
	/* whether sleeping user thread t exits at its timeout; may be NULL */
	int (*exits_on_timeout)(const struct core_thread *t);
};
/* verdict_world.polls: every zone's alloc_reclaimable(), summed; -1 when
 * a zone cannot say. */
int64_t verdict_polls(void);
/* The rule itself, over `w`; class floors from vm_class_floor(). */
void verdict_decide(const struct verdict_world *w, struct verdict *v);
const char *verdict_kind_name(enum verdict_kind kind);

/* Stall bookkeeping: start with the run (after the engine exists). */
void verdict_stalls_start(void);
/* Called while no progress has happened for a while: note who waits. */
void verdict_stall_note(double now);
/*
 * At the end of the run: the stalls as `stall` and `stall_wait` events
 * (added straight to the result, outside the simulated event stream and
 * its digest), and the longest one.  `ongoing` counts a gap still open
 * at the end as a stall (a run that survived while stalled).
 */
double verdict_stalls_finish(struct result *res, double now, int ongoing);

#endif
