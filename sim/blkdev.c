/*
 * blkdev: request queues served by device threads.  See blkdev.h.
 */
#include "blkdev.h"

#include <stdio.h>
#include <string.h>

#include "vm_model.h"

struct blkdev swapdev, filedev;

static void blkdev_thread(struct core_thread *td)
{
	static const struct core_need idle = { .kind = CORE_NEED_WORK,
	    .what = "I/O request" };
	struct blkdev *d = td->arg;
	struct bio *bio;

	for (;;) {
		while (d->head == NULL)
			core_wait_need(&d->chan, NULL, -1, &idle);
		bio = d->head;
		d->head = bio->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->queued--;
		d->inflight++;
		core_disk_io(d->disk, (double)bio->npages * PAGE_SIZE,
		    bio->write);
		d->inflight--;
		vm_cnt.ios_done++;
		bio->complete = 1;
		bio->done(bio);
	}
}

void blkdev_init(struct blkdev *d, const char *name, enum core_disk disk,
    int nthreads)
{
	char tname[48];
	int i;

	d->name = name;
	d->disk = disk;
	d->head = d->tail = NULL;
	d->queued = d->inflight = 0;
	core_chan_init(&d->chan, "bioq");
	for (i = 0; i < nthreads; i++) {
		snprintf(tname, sizeof(tname), "%s.%d", name, i);
		core_spawn(tname, CORE_KTHREAD, 0, blkdev_thread, d)->role =
		    disk == CORE_DISK_SWAP ? CORE_ROLE_SWAPIO : CORE_ROLE_FILEIO;
	}
}

void blkdev_strategy(struct blkdev *d, struct bio *bio)
{
	bio->next = NULL;
	bio->complete = 0;
	if (d->tail != NULL)
		d->tail->next = bio;
	else
		d->head = bio;
	d->tail = bio;
	d->queued++;
	if (d->chan.nwaiters)
		core_wakeup_one(&d->chan);
}

static void read_done(struct bio *bio)
{
	core_wakeup(bio->arg);
}

void blkdev_read_page(struct blkdev *d, uint32_t object, uint32_t pindex,
    uint32_t pg, const char *wmesg)
{
	struct core_need need = { .kind = CORE_NEED_IO,
	    .what = d->disk == CORE_DISK_SWAP ? "swapdev read" : "filedev read",
	    .object = object, .index = pindex };
	struct core_chan ch;
	struct bio bio;

	memset(&bio, 0, sizeof(bio));
	core_chan_init(&ch, wmesg);
	bio.object = object;
	bio.pindex = pindex;
	bio.npages = 1;
	bio.pages[0] = pg;
	bio.done = read_done;
	bio.arg = &ch;
	blkdev_strategy(d, &bio);
	while (!bio.complete)
		core_wait_need(&ch, NULL, -1, &need);
}
