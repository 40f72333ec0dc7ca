/*
 * result: everything one run produced, as plain fixed-size records.
 *
 * The forked child fills it and writes it down a pipe (result_write);
 * the parent reads it back (result_read) and hands it to the store.
 * Fixed-size records keep the wire format trivial: no pointers cross.
 */
#ifndef MEMSIM_RESULT_H
#define MEMSIM_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "choice.h"
#include "config.h"

#define RES_MSG_LEN	256
#define RES_THREAD_LEN	48
#define RES_CHAN_LEN	32
#define RES_DETAIL_LEN	200
#define RES_SIGNATURE_LEN 256

enum outcome {
	OUTCOME_COMPLETED,	/* every process finished */
	OUTCOME_SURVIVED,	/* duration ran out, still progressing */
	OUTCOME_DEADLOCK,
	OUTCOME_PANIC,		/* the kernel would have panicked */
	OUTCOME_ERROR,		/* scenario or internal error */
};

/* One row of `runs`, less what the store adds (id, created_at). */
struct run_row {
	char scenario[CFG_NAME_LEN];
	char scenario_sha256[65];
	char allocator[CFG_NAME_LEN];
	long reserve_n;			/* -1: not applicable */
	uint64_t seed;
	char params[512];		/* canonical JSON object, sorted keys */
	int outcome;			/* enum outcome */
	char deadlock_kind[16];		/* "hard", "proven", "livelock", "" */
	char message[RES_MSG_LEN];	/* error/panic message, diagnosis */
	double end_time, deadlock_time;	/* deadlock_time < 0: none */
	double longest_stall_seconds;	/* longest stretch without progress
					 * that ended (or lasted to the end
					 * of a run that did not deadlock) */
	char still_running[RES_MSG_LEN];	/* survived: who, where, how far
						 * ("" otherwise) */
	int64_t rerun;			/* 0: its key's first row (--force) */
	int64_t min_free_pages;
	int64_t pageouts, swapins, oom_kills;
	int64_t page_faults, pages_scanned, pages_freed;
	double pd_blocked_seconds;	/* daemon asleep waiting for memory */
	double pd_pbuf_wait_seconds;	/* daemon asleep on swap pbufs */
	int64_t swapmeta_pages_peak;
	int64_t swapmeta_allocs, swapmeta_alloc_failures;
	int64_t kmem_slab_allocs, slab_alloc_waits;
	int64_t reserve_refill_failures, reserve_min_level;	/* -1: n/a */
	int64_t kva_peak;		/* bytes of kernel_map in use, peak */
	int64_t swap_peak_pages;
	int64_t irq_alloc_failures;
	int64_t events_dropped;
	uint64_t sg_calls, page_events;
	double wall_seconds;
	char digest[17];		/* of the simulated event stream */
	char scenario_path[512];	/* where it was read, for replay */
	/* The choice sequence: the seed above plus these overrides
	 * (sim/choice.h's text), and what the run drew. */
	char choices[CHOICE_TEXT_LEN];
	uint64_t choice_points;
	struct choice_stream streams[CHOICE_MAX_STREAMS];
	int nstreams;
	char signature[RES_SIGNATURE_LEN];	/* sim/signature.h; "" none */
};

struct wait_row {
	char thread[RES_THREAD_LEN];
	char channel[RES_CHAN_LEN];
	double since;
	char detail[RES_DETAIL_LEN];
};

struct sample_row {
	double t;
	int64_t free, cache, inactive, active, wired, busy;
	int64_t swap_used, swapmeta_pages, kva_used, async_inflight;
	int64_t reserve_level;
};

struct event_row {
	double t;
	char kind[RES_CHAN_LEN];
	char thread[RES_THREAD_LEN];
	char detail[RES_DETAIL_LEN];
};

/* Named counters at the deadlock, for `memsim explain`. */
struct counter_row {
	char name[RES_CHAN_LEN];
	int64_t value;
};

struct result {
	struct run_row row;
	struct wait_row *waits;
	int nwaits;
	struct sample_row *samples;
	int nsamples;
	struct event_row *events;
	int nevents;
	struct counter_row *counters;
	int ncounters;
};

void result_init(struct result *r);
void result_free(struct result *r);
void result_add_wait(struct result *r, const struct wait_row *w);
void result_add_sample(struct result *r, const struct sample_row *s);
void result_add_event(struct result *r, const struct event_row *e);
void result_add_counter(struct result *r, const char *name, int64_t v);
/*
 * A row of a run that died before it said who it was (a crash, an
 * overrun): the identity its runner knows (scenario, its hash and path,
 * allocator, reserve, parameters), so it is stored under its key and can
 * be replayed.  Rows that have one are left alone; 1 when labelled.
 */
int result_label(struct run_row *row, const struct run_row *ident);

/*
 * Wire format over a pipe.  0 on success, -1 on a short read/write;
 * result_read() gives 1 when the pipe ends before a result begins (a
 * stream of results is over).
 */
int result_write(int fd, const struct result *r);
int result_read(int fd, struct result *r);

const char *outcome_name(int outcome);

#endif
