/*
 * mempool: Linux's memory pool (mm/mempool.c, mempool_create(),
 * mempool_alloc(), mempool_free(); kernel-reserves.md 1.1) in front of a
 * DragonFly kmalloc_obj zone as its backing allocator - a layer over
 * kmalloc_obj.c: the zone's objects are kmalloc_obj objects of a private
 * kmalloc_obj zone, which this file serves from, frees to and polls.
 *
 * mempool_create(min_nr): min_nr elements taken from the backing
 * allocator at boot into the pool's array; creation fails when they
 * cannot be had.
 *
 * mempool_alloc() adds __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN
 * and tries, in order:
 *  1. the backing allocator with that mask less __GFP_DIRECT_RECLAIM and
 *     __GFP_IO: a kmalloc_obj object from the zone's slabs, and when a
 *     new slab is needed gd_kmslab or kmem_slab_alloc(M_RNOWAIT|M_NULLOK)
 *     - the DragonFly request that touches no reserve (pages admitted
 *     only while free >= v_free_reserved; the page daemon is still
 *     promoted to SYSTEM by vm_page_alloc()) and does not sleep for
 *     pages.  (kmalloc_obj itself ignores its caller's flags and sleeps
 *     for a slab; a Linux backing allocator honours the mask, so the
 *     layer asks kmalloc_obj to honour it: KMO_SLAB_CALLER_FLAGS.)
 *  2. an element of the pool, when curr_nr > 0;
 *  3. the backing allocator again with the full mask.  memsim has no
 *     direct reclaim, and __GFP_NORETRY would stop it after one round
 *     anyway (the page daemon, PF_MEMALLOC, never reclaims directly), so
 *     this is attempt 1 once more.  The zone option retry = "waitok"
 *     (a what-if, not Linux) makes it what the full mask would be in
 *     DragonFly's terms instead, for a caller that may sleep: an
 *     M_WAITOK kmalloc_obj allocation, whose slab pages are NORMAL (the
 *     cache pages may be recycled, as direct reclaim would free clean
 *     page cache) and which sleeps in vm_wait until it has them;
 *  4. a caller that may not sleep gets NULL; the others sleep on the
 *     pool's wait queue, io_schedule_timeout(5 * HZ), woken early by
 *     mempool_free() adding an element, and start again at 1.
 * Who may sleep: the swap pager (M_SWAPPAGER) calls it as Linux's
 * swap-out path calls its mempools, with GFP_NOIO (__GFP_DIRECT_RECLAIM
 * set), and so do M_WAITOK callers; other requests are GFP_ATOMIC.
 *
 * mempool_free(): while curr_nr < min_nr the element goes back to the
 * pool and the waiters are woken; only surplus goes to kmalloc_obj.
 *
 * Not modelled: mempool_resize(), element constructors, the pool lock
 * (no two threads of memsim interleave inside one call).
 */
#include "kmalloc_obj.h"

#include <stdio.h>
#include <stdlib.h>

#include "../core.h"
#include "../kmem.h"
#include "../vm_model.h"
#include "../xmalloc.h"

extern const struct alloc_ops kmalloc_obj_ops;

#define MEMPOOL_TIMEOUT	5.0	/* io_schedule_timeout(5 * HZ) */
/* the backing allocator's mask without __GFP_DIRECT_RECLAIM | __GFP_IO */
#define BACKING_NOWAIT	(M_RNOWAIT | M_NULLOK)

struct mempool {
	struct alloc_zone backing;	/* the kmalloc_obj zone behind it */
	long min_nr, curr_nr;
	alloc_obj_t *elements;
	struct core_chan wait;		/* pool->wait */
	int64_t pool_takes, refills, sleeps, timeouts, waitok_retries;
};

/* What the backing zone did shows as the mempool zone's own. */
static void sync_stats(struct alloc_zone *z)
{
	struct mempool *mp = z->priv;

	z->stats.pages = mp->backing.stats.pages;
	z->stats.kmem_slab_allocs = mp->backing.stats.kmem_slab_allocs;
	z->stats.slab_alloc_waits = mp->backing.stats.slab_alloc_waits;
	z->stats.reserve_level = mp->curr_nr;
}

/* pool->alloc(gfp_temp): a kmalloc_obj object, or 0 rather than sleep. */
static alloc_obj_t backing_alloc(struct mempool *mp)
{
	alloc_obj_t obj = kmo_alloc(&mp->backing, BACKING_NOWAIT,
	    KMO_MAY_TAKE_RESERVED | KMO_SLAB_CALLER_FLAGS, NULL);

	if (obj != 0)
		mp->backing.stats.inuse++;
	return obj;
}

static void backing_free(struct mempool *mp, alloc_obj_t obj)
{
	kmo_free(&mp->backing, obj);
	mp->backing.stats.inuse--;
}

/*
 * What a retry of pool->alloc() needs when the pool is empty: a new
 * backing slab, all its pages at once (kmem_slab_alloc(M_RNOWAIT) gives
 * back what it got when a page fails), at no class bit (SYSTEM for the
 * page daemon).  An element freed back to the pool would do too, but
 * only a thread that runs frees one.
 */
static void backing_need(struct alloc_zone *z)
{
	kmem_slab_need(&z->need, "mempool: a backing slab (kmem_slab_alloc)",
	    KMALLOC_SLAB_SIZE, BACKING_NOWAIT);
}

static int mempool_init(struct alloc_zone *z, char *err, size_t errlen)
{
	struct mempool *mp = xcalloc(1, sizeof(*mp));
	alloc_obj_t obj;

	z->priv = mp;
	mp->backing.ops = &kmalloc_obj_ops;
	mp->backing.cfg = z->cfg;
	mp->backing.objsize = z->objsize;
	mp->backing.nentries = z->nentries;
	snprintf(mp->backing.name, sizeof(mp->backing.name), "%s", z->name);
	if (kmo_init(&mp->backing, err, errlen) != 0)
		return -1;
	core_chan_init(&mp->wait, "mempool");
	if (z->cfg.reserve < 0) {
		snprintf(err, errlen, "mempool %s: min_nr %ld is negative",
		    z->name, z->cfg.reserve);
		return -1;
	}
	mp->min_nr = z->cfg.reserve;
	mp->elements = xcalloc((size_t)(mp->min_nr > 0 ? mp->min_nr : 1),
	    sizeof(*mp->elements));
	while (mp->curr_nr < mp->min_nr) {
		obj = backing_alloc(mp);
		if (obj == 0) {
			snprintf(err, errlen, "mempool_create %s: no memory "
			    "for element %ld of min_nr %ld", z->name,
			    mp->curr_nr + 1, mp->min_nr);
			return -1;
		}
		mp->elements[mp->curr_nr++] = obj;
	}
	sync_stats(z);
	z->stats.pages_peak = z->stats.pages;
	return 0;
}

static void mempool_fini(struct alloc_zone *z)
{
	struct mempool *mp = z->priv;

	if (mp == NULL)
		return;
	free(mp->elements);
	free(mp->backing.priv);
}

static int may_sleep(int flags)
{
	return (flags & (M_SWAPPAGER | M_WAITOK)) != 0;
}

static alloc_obj_t mempool_alloc(struct alloc_zone *z, int flags)
{
	struct mempool *mp = z->priv;
	alloc_obj_t obj;
	int full_mask = 0, woken;
	double t0;

	for (;;) {
		obj = backing_alloc(mp);
		if (obj != 0)
			break;
		if (mp->curr_nr > 0) {
			obj = mp->elements[--mp->curr_nr];
			mp->pool_takes++;
			break;
		}
		if (!full_mask) {	/* retry at once with gfp_mask */
			full_mask = 1;
			if (z->cfg.retry_waitok && may_sleep(flags)) {
				obj = kmo_alloc(&mp->backing, M_WAITOK,
				    KMO_MAY_TAKE_RESERVED, NULL);
				mp->backing.stats.inuse++;
				mp->waitok_retries++;
				break;
			}
			continue;
		}
		backing_need(z);
		if (!may_sleep(flags))
			break;
		mp->sleeps++;
		t0 = vm_pd_sleep_begin();
		/* woken by mempool_free(), or the 5 s io_schedule_timeout */
		woken = core_wait_need(&mp->wait, "mempool", MEMPOOL_TIMEOUT,
		    &z->need) == 0;
		if (!woken)
			mp->timeouts++;
		vm_pd_sleep_end(t0);
	}
	sync_stats(z);
	return obj;
}

static void mempool_free(struct alloc_zone *z, alloc_obj_t obj)
{
	struct mempool *mp = z->priv;

	if (mp->curr_nr < mp->min_nr) {
		mp->elements[mp->curr_nr++] = obj;
		mp->refills++;
		if (mp->wait.nwaiters)
			core_wakeup(&mp->wait);
	} else {
		backing_free(mp, obj);
	}
	sync_stats(z);
}

/* The backing zone's all-free slabs, which its poll may give back. */
static int64_t mempool_reclaimable(const struct alloc_zone *z)
{
	const struct mempool *mp = z->priv;

	return kmo_reclaimable(&mp->backing);
}

static void mempool_poll(struct alloc_zone *z)
{
	struct mempool *mp = z->priv;

	kmo_poll(&mp->backing);
	sync_stats(z);
}

/* kmem_slab_alloc(M_RNOWAIT|M_NULLOK): no class bit, admitted at
 * free >= v_free_reserved */
static int mempool_class(const struct alloc_zone *z)
{
	(void)z;
	return 0;
}

static int mempool_describe(const struct alloc_zone *z, char *buf,
    size_t len)
{
	const struct mempool *mp = z->priv;
	int n;

	n = snprintf(buf, len, "mempool %s: curr_nr %ld of min_nr %ld, %lld "
	    "taken from the pool, %lld refilled on free, %lld sleeps (%lld "
	    "ended by the 5 s timeout); ", z->name, mp->curr_nr, mp->min_nr,
	    (long long)mp->pool_takes, (long long)mp->refills,
	    (long long)mp->sleeps, (long long)mp->timeouts);
	if (n < 0 || (size_t)n >= len)
		return n;
	return n + kmo_describe(&mp->backing, buf + n, len - (size_t)n);
}

static void mempool_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	const struct mempool *mp = z->priv;

	kmo_counters(&mp->backing, emit, ctx);
	emit(ctx, "mempool_min_nr", mp->min_nr);
	emit(ctx, "mempool_curr_nr", mp->curr_nr);
	emit(ctx, "mempool_pool_takes", mp->pool_takes);
	emit(ctx, "mempool_refills", mp->refills);
	emit(ctx, "mempool_sleeps", mp->sleeps);
	emit(ctx, "mempool_timeouts", mp->timeouts);
	emit(ctx, "mempool_waitok_retries", mp->waitok_retries);
}

static const char *const mempool_options[] = { "reserve", "retry", NULL };

const struct alloc_ops mempool_ops = {
	.name = "mempool",
	.init = mempool_init,
	.fini = mempool_fini,
	.alloc = mempool_alloc,
	.free = mempool_free,
	.poll = mempool_poll,
	.reclaimable = mempool_reclaimable,
	.describe = mempool_describe,
	.counters = mempool_counters,
	/* the swap pager's requests are GFP_NOIO and may wait for the pool */
	.nowait_may_sleep = 1,
	.page_class = mempool_class,
	.reserve_unit = "elements",
	.reserve_default = 0,
	.options = mempool_options,
};
