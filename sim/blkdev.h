/*
 * blkdev: the swap device and the file device as request queues.
 *
 * A device is served by a few device threads (its queue depth), each
 * taking the oldest request, waiting the device latency, then moving the
 * bytes through SimGrid's disk model (bandwidth shared max-min among the
 * I/Os in flight).  Completion runs the request's biodone in the device
 * thread, as swp_pager_async_iodone() runs in biodone context.
 */
#ifndef MEMSIM_BLKDEV_H
#define MEMSIM_BLKDEV_H

#include <stdint.h>

#include "core.h"

struct bio;
typedef void biodone_fn(struct bio *bio);

#define BIO_MAXPAGES 16

struct bio {
	int write;
	uint32_t object;		/* vm_object id */
	uint32_t pindex;		/* first page */
	int npages;
	uint32_t pages[BIO_MAXPAGES];
	biodone_fn *done;
	void *arg;			/* e.g. the thread waiting for a read */
	int complete;
	struct bio *next;
};

struct blkdev {
	const char *name;
	enum core_disk disk;
	struct bio *head, *tail;
	int queued, inflight;
	struct core_chan chan;		/* device threads idle here */
};

extern struct blkdev swapdev, filedev;

void blkdev_init(struct blkdev *d, const char *name, enum core_disk disk,
    int nthreads);
/* Queue a request; never sleeps.  bio must live until done. */
void blkdev_strategy(struct blkdev *d, struct bio *bio);
/* Read one page and sleep on `wmesg` until it is in. */
void blkdev_read_page(struct blkdev *d, uint32_t object, uint32_t pindex,
    uint32_t pg, const char *wmesg);

#endif
