/*
 * pool_lowat: a NetBSD/OpenBSD pool(9) with a low-water mark
 * (sys/kern/subr_pool.c: pool_init(), pool_get(), pool_put(),
 * pool_grow(), pool_catchup(), pool_prime(), pool_setlowat(),
 * pool_reclaim(); kernel-reserves.md 1.4), as the zone behind swap
 * metadata (uao_swhash_elt_pool in sys/uvm/uvm_aobj.c).
 *
 * Pages hold pr_itemsperpage items with the page header at the end of
 * the page (PR_PHINPAGE, taken as 64 bytes).  At boot pool_prime(pp, n)
 * grows ceil(n / ipp) pages with PR_NOWAIT and raises pr_minpages, then
 * pool_setlowat(pp, n) sets pr_minitems = n (and pr_minpages =
 * ceil(n / ipp)) and catches up.  n is the zone's reserve, in items.
 *
 * pool_get(PR_NOWAIT) - what the swap-metadata caller passes: an item of
 * the current page (partly used pages first, then fully free ones); when
 * the pool has none, pool_grow() with PR_NOWAIT, NULL if no page came.
 * After taking an item, while pr_nitems < pr_minitems, pool_catchup()
 * grows the pool with PR_NOWAIT until it has caught up or a page
 * allocation failed (the failure is silent, as in the source).  So the
 * low-water mark is replenished in the allocating thread's context - for
 * swap metadata the page daemon's - and its pages come at the classes the
 * VM gives that thread: VM_ALLOC_NORMAL, to which vm_page_alloc() adds
 * SYSTEM for the page daemon.  A PR_WAITOK caller (M_WAITOK, not the swap
 * pager) sleeps in vm_wait() for its page.
 *
 * pool_put(): the item goes back to its page; a page left with no item
 * out is kept (pr_maxpages is unlimited unless set) with its idle time.
 * pool_reclaim(), which NetBSD's page daemon runs through pool_drain(),
 * frees fully free pages idle for pool_inactive_time (10 s) while the
 * pool stays at or above pr_minpages and pr_minitems; memsim runs it from
 * the allocator poll (the kmalloc_poller's round).
 *
 * Not modelled: the pool_cache per-CPU layer, hard limits, cache
 * colouring, NetBSD's own page reserves (uvm_pagealloc()'s
 * reserve_kernel for kernel objects and reserve_pagedaemon; memsim's VM
 * is DragonFly's).  The NetBSD caller on a NULL (uao_set_swslot()
 * returning -1) fails that page-out; memsim's swap pager is DragonFly's,
 * which waits in vm_wait() and retries.
 */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>

#include "../core.h"
#include "../vm_model.h"
#include "../xmalloc.h"

#define POOL_PHSIZE		64	/* struct pool_item_header, assumed */
#define POOL_INACTIVE_TIME	10.0	/* pool_inactive_time, seconds */
#define SPIN_RETRY_COST		1e-3

struct ppage {
	uint32_t pg;		/* VM_PAGE_NONE: slot unused */
	int32_t nmissing;	/* items out */
	double time;		/* when it last became fully free */
};

struct pool {
	int64_t size, ipp;		/* pr_size, pr_itemsperpage */
	int64_t nitems, nout, npages;	/* pr_nitems, pr_nout, pr_npages */
	int64_t minitems, minpages;	/* pr_minitems, pr_minpages */
	struct ppage *pages;		/* handle = slot + 1 */
	int64_t nslots, cap;
	int64_t curpage;		/* slot, -1: none */
	int64_t nfail, npagealloc, npagefree, catchup_failures;
};

static void sync_stats(struct alloc_zone *z)
{
	const struct pool *pp = z->priv;

	z->stats.pages = pp->npages;
	z->stats.reserve_level = pp->nitems < pp->minitems ? pp->nitems :
	    pp->minitems;
}

/* pool_grow(): one more page of items; -1 when no page came. */
static int pool_grow(struct alloc_zone *z, int waitok)
{
	struct pool *pp = z->priv;
	struct core_need need;
	uint32_t pg;
	int64_t i;
	double t0;

	for (;;) {
		pg = vm_page_alloc_kernel(VM_ALLOC_NORMAL);
		if (pg != VM_PAGE_NONE || !waitok)
			break;
		t0 = core_now();
		vm_need_pages(&need, "pool_grow (PR_WAITOK)", VM_ALLOC_NORMAL,
		    1, 0, 0);
		vm_wait_need(0, &need);
		if (core_now() == t0)
			core_cpu(SPIN_RETRY_COST);
	}
	if (pg == VM_PAGE_NONE)
		return -1;
	for (i = 0; i < pp->nslots; i++)
		if (pp->pages[i].pg == VM_PAGE_NONE)
			break;
	if (i == pp->nslots) {
		if (pp->nslots == pp->cap) {
			pp->cap = pp->cap ? pp->cap * 2 : 16;
			pp->pages = xrealloc(pp->pages,
			    sizeof(*pp->pages) * (size_t)pp->cap);
		}
		pp->nslots++;
	}
	pp->pages[i].pg = pg;
	pp->pages[i].nmissing = 0;
	pp->pages[i].time = core_now();
	pp->nitems += pp->ipp;
	pp->npages++;
	pp->npagealloc++;
	if (pp->curpage < 0)
		pp->curpage = i;
	sync_stats(z);
	return 0;
}

static void pool_catchup(struct alloc_zone *z)
{
	struct pool *pp = z->priv;

	while (pp->nitems < pp->minitems) {
		if (pool_grow(z, 0) != 0) {
			pp->catchup_failures++;
			z->stats.reserve_refill_failures++;
			break;
		}
	}
}

/* pool_update_curpage(): a partly used page first, then a free one. */
static void update_curpage(struct pool *pp)
{
	int64_t i, empty = -1;

	pp->curpage = -1;
	for (i = 0; i < pp->nslots; i++) {
		const struct ppage *p = &pp->pages[i];

		if (p->pg == VM_PAGE_NONE || p->nmissing == pp->ipp)
			continue;
		if (p->nmissing > 0) {
			pp->curpage = i;
			return;
		}
		if (empty < 0)
			empty = i;
	}
	pp->curpage = empty;
}

static int pool_init_zone(struct alloc_zone *z, char *err, size_t errlen)
{
	struct pool *pp = xcalloc(1, sizeof(*pp));
	int64_t n = z->cfg.reserve, newpages;

	z->priv = pp;
	pp->curpage = -1;
	pp->size = (int64_t)z->objsize;
	if (pp->size <= 0 || pp->size > PAGE_SIZE - POOL_PHSIZE) {
		snprintf(err, errlen, "pool_lowat %s: a %lld-byte item does "
		    "not fit a page with its header", z->name,
		    (long long)pp->size);
		return -1;
	}
	pp->ipp = (PAGE_SIZE - POOL_PHSIZE) / pp->size;
	if (n < 0) {
		snprintf(err, errlen, "pool_lowat %s: lowat %lld is negative",
		    z->name, (long long)n);
		return -1;
	}
	/* pool_prime(pp, n) */
	for (newpages = (n + pp->ipp - 1) / pp->ipp; newpages > 0;
	    newpages--) {
		if (pool_grow(z, 0) != 0) {
			snprintf(err, errlen, "pool_prime %s: no memory for "
			    "%lld items", z->name, (long long)n);
			return -1;
		}
		pp->minpages++;
	}
	/* pool_setlowat(pp, n) */
	pp->minitems = n;
	pp->minpages = (n + pp->ipp - 1) / pp->ipp;
	pool_catchup(z);
	sync_stats(z);
	z->stats.pages_peak = z->stats.pages;
	return 0;
}

static void pool_fini(struct alloc_zone *z)
{
	struct pool *pp = z->priv;

	free(pp->pages);
}

static alloc_obj_t pool_get(struct alloc_zone *z, int flags)
{
	struct pool *pp = z->priv;
	int waitok = (flags & M_WAITOK) && !(flags & M_SWAPPAGER);
	struct ppage *p;
	int64_t slot;

	if (pp->nitems == 0 && pool_grow(z, waitok) != 0) {
		pp->nfail++;
		/* a retry needs the one page pool_grow() did not get */
		vm_need_pages(&z->need, "pool_grow (PR_NOWAIT)",
		    VM_ALLOC_NORMAL, 1, 0, 0);
		return 0;
	}
	if (pp->curpage < 0 || pp->pages[pp->curpage].pg == VM_PAGE_NONE ||
	    pp->pages[pp->curpage].nmissing == pp->ipp)
		update_curpage(pp);
	slot = pp->curpage;
	p = &pp->pages[slot];
	p->nmissing++;
	pp->nitems--;
	pp->nout++;
	if (p->nmissing == pp->ipp)
		update_curpage(pp);
	pool_catchup(z);
	sync_stats(z);
	return (alloc_obj_t)(slot + 1);
}

static void pool_put(struct alloc_zone *z, alloc_obj_t obj)
{
	struct pool *pp = z->priv;
	struct ppage *p = &pp->pages[obj - 1];

	p->nmissing--;
	pp->nitems++;
	pp->nout--;
	if (pp->curpage < 0)
		pp->curpage = (int64_t)obj - 1;
	if (p->nmissing == 0) {
		p->time = core_now();
		update_curpage(pp);
	} else if (p->nmissing == pp->ipp - 1) {
		pp->curpage = (int64_t)obj - 1;
	}
	sync_stats(z);
}

/* pool_reclaim(): idle fully free pages above the low-water mark. */
static void pool_reclaim(struct alloc_zone *z)
{
	struct pool *pp = z->priv;
	double now = core_now();
	int64_t i;

	for (i = 0; i < pp->nslots; i++) {
		struct ppage *p = &pp->pages[i];

		if (p->pg == VM_PAGE_NONE || p->nmissing != 0)
			continue;
		if (pp->npages <= pp->minpages)
			break;
		if (now - p->time < POOL_INACTIVE_TIME)
			continue;
		if (pp->nitems - pp->ipp < pp->minitems)
			break;
		vm_page_free_kernel(p->pg);
		p->pg = VM_PAGE_NONE;
		pp->nitems -= pp->ipp;
		pp->npages--;
		pp->npagefree++;
	}
	update_curpage(pp);
	sync_stats(z);
}

/*
 * What pool_reclaim() could ever free without an item being put back:
 * the fully free pages, as far as the low-water mark (pr_minpages and
 * pr_minitems) lets it; their idle time only delays it.
 */
static int64_t pool_reclaimable(const struct alloc_zone *z)
{
	const struct pool *pp = z->priv;
	int64_t i, n = 0, bypages, byitems;

	for (i = 0; i < pp->nslots; i++)
		if (pp->pages[i].pg != VM_PAGE_NONE &&
		    pp->pages[i].nmissing == 0)
			n++;
	bypages = pp->npages - pp->minpages;
	byitems = (pp->nitems - pp->minitems) / pp->ipp;
	if (n > bypages)
		n = bypages;
	if (n > byitems)
		n = byitems;
	return n > 0 ? n : 0;
}

static int pool_class(const struct alloc_zone *z)
{
	(void)z;
	return VM_ALLOC_NORMAL;
}

static int pool_describe(const struct alloc_zone *z, char *buf, size_t len)
{
	const struct pool *pp = z->priv;

	return snprintf(buf, len, "pool_lowat %s: %lld free items (lowat "
	    "%lld), %lld out, %lld pages of %lld items (minpages %lld); "
	    "%lld failed pool_get, %lld failed catch-ups, %lld pages "
	    "reclaimed", z->name, (long long)pp->nitems,
	    (long long)pp->minitems, (long long)pp->nout,
	    (long long)pp->npages, (long long)pp->ipp,
	    (long long)pp->minpages, (long long)pp->nfail,
	    (long long)pp->catchup_failures, (long long)pp->npagefree);
}

static void pool_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	const struct pool *pp = z->priv;

	emit(ctx, "pool_nitems", pp->nitems);
	emit(ctx, "pool_minitems", pp->minitems);
	emit(ctx, "pool_nout", pp->nout);
	emit(ctx, "pool_npages", pp->npages);
	emit(ctx, "pool_itemsperpage", pp->ipp);
	emit(ctx, "pool_nfail", pp->nfail);
	emit(ctx, "pool_catchup_failures", pp->catchup_failures);
	emit(ctx, "zone_inuse", z->stats.inuse);
}

static const char *const pool_options[] = { "reserve", NULL };

const struct alloc_ops pool_lowat_ops = {
	.name = "pool_lowat",
	.init = pool_init_zone,
	.fini = pool_fini,
	.alloc = pool_get,
	.free = pool_put,
	.poll = pool_reclaim,
	.reclaimable = pool_reclaimable,
	.describe = pool_describe,
	.counters = pool_counters,
	.page_class = pool_class,
	.reserve_unit = "items",
	.reserve_default = 0,
	.options = pool_options,
};
