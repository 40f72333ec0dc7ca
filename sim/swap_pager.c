/*
 * swap_pager: see swap_pager.h.
 *
 * Swap space is a count of free blocks (the blist never allocates memory
 * and never sleeps, subr_blist.c, so its layout does not matter to
 * progress); a page's block is a number in allocation order, kept only
 * to tell which swapped pages are contiguous on swap (read bursts).  One swblock covers an aligned 32-page window of one object and
 * counts the blocks it holds (swb_count); it goes back to the SWAPMETA
 * allocator when the count drops to zero.
 */
#include "swap_pager.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "trace.h"
#include "xmalloc.h"

int64_t swap_total_pages, swap_free_pages, swap_peak_used;
int swap_pager_full, swap_pager_almost_full;
int64_t nsw_wcount_async;
/*
 * nsw_wcount_sync = (nswbuf_kva + 3) / 4 (:423): with nswbuf_kva in the
 * hundreds, never the limit for the few synchronous writers modelled.
 */
static int64_t nsw_wcount_sync;
#define NSW_WCOUNT_SYNC	64
struct alloc_zone *swap_zone;
struct core_chan swap_chan_wswbuf;

static int64_t nswap_lowat, nswap_hiwat;

#define SWBLOCK_SIZE	304	/* sizeof(struct swblock), x86_64 */
/*
 * When vm_wait() returns without sleeping (the daemon while
 * !vm_paging_min()) the kernel spins; each retry is charged this much CPU
 * so simulated time moves and the watchdog can see the spin.
 */
#define SPIN_RETRY_COST	1e-3

/* nsw_cluster_max = min(MAXPHYS / PAGE_SIZE, SWB_NPAGES), :420-425 */
#define NSW_CLUSTER_MAX	16

/*
 * Swap blocks are numbered in allocation order (a fresh blist gives
 * consecutive blocks to consecutive requests; freed blocks are not
 * reused first, as placement is not modelled): a page-out chunk's pages
 * get consecutive numbers, which is what swap read bursts look for.
 */
static uint32_t swap_next_blk;

int swap_pager_swap_init(const struct config *cfg, char *err, size_t errlen)
{
	int64_t n, maxswzone;

	swap_total_pages = (int64_t)(cfg->swap / PAGE_SIZE);
	swap_free_pages = swap_total_pages;
	swap_peak_used = 0;
	swap_pager_full = swap_pager_almost_full = 0;
	/* swap_pager_newswap(): 4 % and 6 %, 128/512 pages without swap */
	if (swap_total_pages > 0) {
		nswap_lowat = swap_total_pages * 4 / 100;
		nswap_hiwat = swap_total_pages * 6 / 100;
	} else {
		nswap_lowat = 128;
		nswap_hiwat = 512;
	}
	nsw_wcount_async = vm_swap_async_max();
	if (nsw_wcount_async < 1)
		nsw_wcount_async = 1;
	nsw_wcount_sync = NSW_WCOUNT_SYNC;
	core_chan_init(&swap_chan_wswbuf, "wswbuf2");

	/* n = v_page_count/2, raised to maxswzone/sizeof (:435-437) */
	n = vmstats.v_page_count / 2;
	maxswzone = (int64_t)(cfg->ram / 2);
	if (maxswzone / SWBLOCK_SIZE > n)
		n = maxswzone / SWBLOCK_SIZE;
	swap_zone = alloc_zone_create(&cfg->swapmeta, "SWAPMETA",
	    SWBLOCK_SIZE, (long)n, err, errlen);
	return swap_zone == NULL ? -1 : 0;
}

/* swp_sizecheck(), :319-331 */
static void swp_sizecheck(void)
{
	if (swap_free_pages < nswap_lowat) {
		if (!swap_pager_almost_full) {
			trace_event("swap_low", "swap_pager: out of swap space");
			swap_pager_almost_full = 1;
		}
	} else {
		swap_pager_full = 0;
		if (swap_free_pages > nswap_hiwat)
			swap_pager_almost_full = 0;
	}
}

/* swp_pager_getswapspace(), :532-563 */
static int swp_pager_getswapspace(int64_t npages)
{
	if (swap_free_pages < npages) {
		if (swap_pager_full != 2) {
			if (swap_total_pages == 0)
				trace_event("swap_full", "Warning: The system "
				    "would like to page to swap but no swap "
				    "space is configured!");
			else
				trace_event("swap_full", "swap_pager_"
				    "getswapspace: swap full allocating %lld "
				    "pages", (long long)npages);
			swap_pager_full = 2;
			swap_pager_almost_full = 1;
		}
		return -1;
	}
	swap_free_pages -= npages;
	if (swap_total_pages - swap_free_pages > swap_peak_used)
		swap_peak_used = swap_total_pages - swap_free_pages;
	swp_sizecheck();
	return 0;
}

static void swp_pager_freeswapspace(int64_t npages)
{
	swap_free_pages += npages;
	assert(swap_free_pages <= swap_total_pages);
	swp_sizecheck();
}

/*
 * swp_pager_meta_build(), :2335-2401: find or create the swblock of the
 * page's window.  When the allocator returns NULL: vm_wait(0) and retry,
 * forever, on the caller's stack (the page daemon, holding a pbuf and a
 * busied cluster).
 */
static void swp_pager_meta_build(struct vm_object *obj, uint32_t pindex)
{
	struct swblock_slot *s = &obj->swb[pindex / SWAP_META_PAGES];
	int64_t tries = 0;
	double t0;

	obj->type = OBJT_SWAP;		/* swp_pager_meta_convert() */
	while (s->swb == 0) {
		s->swb = alloc_request(swap_zone, M_INTNOWAIT | M_SWAPPAGER);
		if (s->swb != 0)
			break;
		if (tries++ == 0)
			trace_event("swap_zone_retry", "swp_pager_meta_build: "
			    "SWAPMETA allocation failed, free %lld cache %lld",
			    (long long)vmstats.v_free_count,
			    (long long)vmstats.v_cache_count);
		t0 = core_now();
		vm_wait_need(0, &swap_zone->need);
		if (core_now() == t0)	/* vm_wait returned at once */
			core_spin(&swap_zone->need, SPIN_RETRY_COST);
	}
	s->count++;
	obj->swapped[pindex] = 1;
	obj->swapcount++;
}

static void swp_pager_meta_free(struct vm_object *obj, uint32_t pindex)
{
	struct swblock_slot *s = &obj->swb[pindex / SWAP_META_PAGES];

	if (!obj->swapped[pindex])
		return;
	obj->swapped[pindex] = 0;
	obj->swapcount--;
	swp_pager_freeswapspace(1);
	assert(s->count > 0);
	if (--s->count == 0) {
		alloc_release(swap_zone, s->swb);
		s->swb = 0;
	}
}

void swap_pager_unswapped(struct vm_object *obj, uint32_t pindex)
{
	uint32_t pg = obj->pages[pindex];

	if (pg != VM_PAGE_NONE)
		vm_page_array[pg].flags &= (uint8_t)~PG_SWAPPED;
	swp_pager_meta_free(obj, pindex);
}

void swp_pager_meta_free_all(struct vm_object *obj)
{
	uint32_t i;

	if (obj->swapped == NULL)
		return;
	for (i = 0; i < obj->size && obj->swapcount > 0; i++)
		swp_pager_meta_free(obj, i);
}

/* ---- write path ----------------------------------------------------------- */

/* relpbuf(): waiters are woken only on the 1 -> 2 transition */
static void relpbuf_async(void)
{
	int64_t old = nsw_wcount_async++;

	if (old == 1 && swap_chan_wswbuf.nwaiters)
		core_wakeup(&swap_chan_wswbuf);
}

/*
 * swp_pager_async_iodone() for a write, :2047-2079; `ttc`: the write
 * asked for OBJPC_TRY_TO_CACHE, so a page nobody mapped or re-dirtied
 * meanwhile goes to the cache (vm_page_try_to_cache()).
 */
static void write_iodone(struct bio *bio, int ttc)
{
	struct vm_object *obj = vm_object_by_id(bio->object);
	int i;

	for (i = 0; i < bio->npages; i++) {
		uint32_t pg = bio->pages[i];
		struct vm_page *m = &vm_page_array[pg];

		vm_page_unbusy(obj, pg);
		if (obj->dead) {
			/* unmapped while under I/O: the page goes now */
			swp_pager_meta_free(obj, m->pindex);
			vm_page_free(pg);
			continue;
		}
		if (!obj->swapped[m->pindex]) {
			/* re-dirtied and unswapped while in flight */
			continue;
		}
		if (m->flags & PG_DIRTY) {
			m->flags &= (uint8_t)~PG_DIRTY;
			m->flags |= PG_SWAPPED;
		}
		if (vm_paging_severe() && m->queue == PQ_ACTIVE)
			vm_page_deactivate(pg);
		if (ttc && !(m->flags & (PG_DIRTY | PG_MAPPED | PG_BUSY |
		    PG_WIRED)) && m->queue != PQ_CACHE)
			vm_page_cache(pg);
	}
	vm_object_reap(obj);
	vm_cnt.pageouts += bio->npages;
	trace_digest(TRACE_IODONE, bio->object, bio->pindex);
}

static void swp_pager_write_done(struct bio *bio)
{
	write_iodone(bio, 0);
	relpbuf_async();
	free(bio);
}

/* biodone_sync(): the writer sleeping in biowait() "swwrt" wakes */
static void swp_pager_sync_done(struct bio *bio)
{
	core_wakeup(bio->arg);
}

/*
 * swap_pager_putpages(), :1588-1799, for the page daemon (async).
 * Each chunk of ≤16 pages: swap space (halving while it fails and n > 4),
 * an async-write pbuf (sleeping while none), one swblock per page.
 */
void swap_pager_putpages(struct vm_object *obj, uint32_t *pages, int n,
    int *rtvals)
{
	swap_pager_putpages_flags(obj, pages, n, rtvals, 0);
}

/* The synchronous write of one chunk, :1776-1797. */
static void put_sync(struct bio *bio, int ttc)
{
	struct core_need need = { .kind = CORE_NEED_IO,
	    .what = "swapdev write", .object = bio->object,
	    .index = bio->pindex };
	struct core_chan ch;

	core_chan_init(&ch, "swwrt");
	bio->done = swp_pager_sync_done;
	bio->arg = &ch;
	blkdev_strategy(&swapdev, bio);
	while (!bio->complete)
		core_wait_need(&ch, NULL, -1, &need);
	write_iodone(bio, ttc);
	nsw_wcount_sync++;
	free(bio);
}

void swap_pager_putpages_flags(struct vm_object *obj, uint32_t *pages,
    int n, int *rtvals, int flags)
{
	int i = 0, j, chunk, got;

	while (i < n) {
		chunk = n - i;
		if (chunk > NSW_CLUSTER_MAX)
			chunk = NSW_CLUSTER_MAX;
		/* :1692-1703: halve while it fails and chunk > 4 */
		while ((got = swp_pager_getswapspace(chunk) == 0) == 0 &&
		    chunk > 4)
			chunk /= 2;
		if (!got) {
			/* no swap for these pages: they stay dirty */
			for (j = i; j < i + chunk; j++)
				rtvals[j] = VM_PAGER_FAIL;
			i += chunk;
			continue;
		}
		/* getpbuf_kva(&nsw_wcount_async), vm_pager.c:456-495 */
		while (!(flags & OBJPC_SYNC) && nsw_wcount_async <= 0) {
			struct core_need need = { .kind = CORE_NEED_PBUF,
			    .what = "nsw_wcount_async (vm.swap_async_max; woken "
			    "on the 1->2 release)", .count = vm_swap_async_max() };
			double t0 = core_now();

			core_wait_need(&swap_chan_wswbuf, NULL, -1, &need);
			vm_cnt.pd_pbuf_wait += core_now() - t0;
		}
		if (flags & OBJPC_SYNC)
			nsw_wcount_sync--;
		else
			nsw_wcount_async--;

		struct bio *bio = xcalloc(1, sizeof(*bio));
		bio->write = 1;
		bio->object = obj->id;
		bio->pindex = vm_page_array[pages[i]].pindex;
		bio->npages = chunk;
		bio->done = swp_pager_write_done;
		for (j = 0; j < chunk; j++) {
			uint32_t pg = pages[i + j];
			uint32_t pindex = vm_page_array[pg].pindex;

			/* a stale copy from an earlier page-out goes first */
			if (obj->swapped[pindex])
				swp_pager_meta_free(obj, pindex);
			swp_pager_meta_build(obj, pindex);
			obj->swapblk[pindex] = swap_next_blk++;
			bio->pages[j] = pg;
			rtvals[i + j] = VM_PAGER_PEND;
		}
		i += chunk;
		if (flags & OBJPC_SYNC) {
			put_sync(bio, flags & OBJPC_TRY_TO_CACHE);
			continue;
		}
		blkdev_strategy(&swapdev, bio);
	}
}

/* ---- read path ------------------------------------------------------------ */

/*
 * The burst after page mreq (marray[0], busy), as swap_pager_getpage()
 * builds it.  Up to vm.swap_burst_read more pages, fewer than
 * XIO_INTERNAL_PAGES in all, inside the object, while each next page's
 * swap block follows the previous one's and the page is not resident:
 * each gets a VM_ALLOC_QUICK page (free queue only), and the first
 * refusal ends the burst silently.  The last page of a burst of more
 * than one gets PG_RAM, so that a fault on it reads ahead again.  The
 * SWB_DMMAX stripe limit is not modelled (one swap device).
 */
static int burst(struct vm_object *obj, uint32_t *marray)
{
	uint32_t pindex = vm_page_array[marray[0]].pindex;
	uint32_t blk = obj->swapblk[pindex], q, pg;
	int64_t max = vm_swap_burst_read();
	int i;

	for (i = 1; i <= max && i < BIO_MAXPAGES &&
	    pindex + (uint32_t)i < obj->size; i++) {
		q = pindex + (uint32_t)i;
		if (!obj->swapped[q] || obj->swapblk[q] != blk + (uint32_t)i)
			break;
		if (obj->pages[q] != VM_PAGE_NONE)
			break;		/* busy, or valid */
		pg = vm_page_alloc_obj(VM_ALLOC_QUICK, obj, q);
		if (pg == VM_PAGE_NONE)
			break;
		vm_page_insert(obj, q, pg);
		marray[i] = pg;
	}
	if (i > 1)
		vm_page_array[marray[i - 1]].flags |= PG_RAM;
	return i;
}

/*
 * swp_pager_async_iodone() for a read: every page but the
 * requested one is valid, PG_SWAPPED, deactivated and unbusied.
 */
static void read_ahead_done(struct vm_object *obj, const uint32_t *pages,
    int from, int n)
{
	int i;

	for (i = from; i < n; i++) {
		uint32_t pg = pages[i];

		vm_page_array[pg].flags |= PG_SWAPPED;
		vm_page_unbusy(obj, pg);
		vm_page_queue_move(pg, PQ_INACTIVE);
	}
}

/*
 * swap_pager_getpage(): one read of the page and its burst,
 * a read pbuf (256 of them: never the limit here), the caller sleeps
 * "swread" until the read is done.  The page is left busy for the caller.
 */
void swap_pager_getpage(struct vm_object *obj, uint32_t pindex, uint32_t pg)
{
	uint32_t marray[BIO_MAXPAGES];
	int n;

	marray[0] = pg;
	n = burst(obj, marray);
	blkdev_read_pages(&swapdev, obj->id, pindex, marray, n, "swread");
	read_ahead_done(obj, marray, 1, n);
	vm_cnt.swapins += n;
	trace_digest(TRACE_SWAPIN, obj->id, pindex);
}

static void swp_pager_read_done(struct bio *bio)
{
	struct vm_object *obj = vm_object_by_id(bio->object);
	int i;

	if (!obj->dead) {
		read_ahead_done(obj, bio->pages, 0, bio->npages);
	} else {
		/* unmapped while under I/O: the pages go now */
		for (i = 0; i < bio->npages; i++) {
			vm_page_unbusy(obj, bio->pages[i]);
			vm_page_free(bio->pages[i]);
		}
	}
	vm_object_reap(obj);
	trace_digest(TRACE_IODONE, bio->object, bio->pindex);
	free(bio);
}

/*
 * A fault found PG_RAM on a resident page: the raonly case of
 * swap_pager_getpage().  If the next page has a swap block
 * and is not resident, read it and its burst without waiting.
 */
void swap_pager_readahead(struct vm_object *obj, uint32_t pindex)
{
	uint32_t q = pindex + 1, pg;
	struct bio *bio;

	if (vm_swap_burst_read() == 0 || q >= obj->size ||
	    !obj->swapped[q] || obj->pages[q] != VM_PAGE_NONE)
		return;
	pg = vm_page_alloc_obj(VM_ALLOC_QUICK, obj, q);
	if (pg == VM_PAGE_NONE)
		return;
	vm_page_insert(obj, q, pg);
	bio = xcalloc(1, sizeof(*bio));
	bio->object = obj->id;
	bio->pindex = q;
	bio->pages[0] = pg;
	bio->npages = burst(obj, bio->pages);
	bio->done = swp_pager_read_done;
	vm_cnt.swapins += bio->npages;
	blkdev_strategy(&swapdev, bio);
}
