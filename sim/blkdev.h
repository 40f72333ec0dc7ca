/*
 * blkdev: the swap device and the file device as request queues.
 *
 * A device serves up to `depth` requests at once (its queue depth), in
 * the order they came (FIFO), unless the run's choice sequence lets a
 * newcomer go ahead of requests already waiting (a choice point, stream
 * CHOICE_STREAM_IODONE: sim/choice.h).  A request in service first
 * waits the device latency, then moves its bytes; the requests moving
 * bytes at the same time share the bandwidth max-min fairly over three
 * limits: the read bandwidth, the write bandwidth, and the larger of the
 * two for both together (SimGrid's disk model, whose shape this keeps).
 *
 * The device is computed in plain C, not run by threads: the state
 * changes only at a latency end or a completion, and from any state the
 * next completions follow with no engine in the loop.  A thread reading
 * a page sleeps once, with a timeout at its request's completion; a
 * request that comes later can only delay that (it shares bandwidth from
 * its own latency end on), and then the reader sleeps again for the rest.
 * Asynchronous requests (page-outs) complete in the device's one thread,
 * which sleeps until the next of them is done and then runs its biodone,
 * as swp_pager_async_iodone() runs in biodone context.
 */
#ifndef MEMSIM_BLKDEV_H
#define MEMSIM_BLKDEV_H

#include <stdint.h>

#include "core.h"

struct bio;
typedef void biodone_fn(struct bio *bio);

#define BIO_MAXPAGES 32		/* XIO_INTERNAL_PAGES = btoc(MAXPHYS) */
#define BLKDEV_MAXDEPTH 8

struct bio {
	int write;
	uint32_t object;		/* vm_object id */
	uint32_t pindex;		/* first page */
	int npages;
	uint32_t pages[BIO_MAXPAGES];
	biodone_fn *done;		/* NULL: a thread waits for it */
	void *arg;
	int complete;
	double wake_at;			/* its waiter's timer */
	struct core_chan *waiter;	/* where its waiter sleeps (done NULL) */
	struct bio *next;
};

/* A request in service. */
struct blkdev_slot {
	struct bio *bio;		/* NULL: free */
	int xfer;			/* moving bytes; else in its latency */
	double lat_end;			/* when its latency ends */
	double left;			/* bytes still to move */
};

/* What the device is doing, as of instant `t` (its last event). */
struct blkdev_state {
	double t;
	struct blkdev_slot slot[BLKDEV_MAXDEPTH];
	struct bio *head;		/* the oldest request waiting */
};

struct blkdev {
	const char *name;
	const char *rwhat, *wwhat;	/* "swapdev read", "swapdev write" */
	int depth;
	double latency, rbw, wbw, rwbw;	/* seconds; bytes per second */
	struct blkdev_state st;
	struct bio *tail;
	int queued, inflight;		/* waiting; in service */
	struct bio *done_head, *done_tail;	/* biodone still to run */
	struct core_thread *td;		/* runs biodone */
	struct core_chan chan;		/* td sleeps here */
	double td_wake;			/* td's timer; < 0: td is running,
					 * INFINITY: asleep until woken */
	int nasync;			/* async requests not yet complete */
};

extern struct blkdev swapdev, filedev;

void blkdev_init(struct blkdev *d, const char *name, enum core_role role,
    int depth, double latency, double read_bw, double write_bw);
/* Queue a request; never sleeps.  bio must live until its biodone. */
void blkdev_strategy(struct blkdev *d, struct bio *bio);
/* Read one page and sleep on `wmesg` until it is in. */
void blkdev_read_page(struct blkdev *d, uint32_t object, uint32_t pindex,
    uint32_t pg, const char *wmesg);
/* Read n pages (consecutive from pindex) as one request; sleep until in. */
void blkdev_read_pages(struct blkdev *d, uint32_t object, uint32_t pindex,
    const uint32_t *pages, int n, const char *wmesg);

#endif
