/*
 * uma_reserve: FreeBSD's swap-metadata zone, the swblk UMA zone, with an
 * item reserve (sys/vm/uma_core.c, sys/vm/uma.h, uma(9); the caller's
 * side from swp_pager_meta_build() and swap_pager_swap_init() in
 * sys/vm/swap_pager.c; kernel-reserves.md 1.2).
 *
 * Boot (swap_pager_swap_init()): uma_zone_reserve_kva(zone, n) sets
 * uz_max_items to n rounded up to whole slabs and marks the keg
 * UMA_ZONE_NOFREE, so the zone's pages never go back to the VM.  Its
 * slabs are one page each (ppera = 1), which amd64 takes from the direct
 * map (uma_small_alloc): no KVA is reserved and no kernel_map entry or
 * page-table page is ever needed.  Then uma_zone_reserve(zone, N) sets
 * uk_reserve = N items and uma_prealloc(zone, N) allocates the
 * ceil(N / ipers) slabs that hold them, as fully free slabs.  N = 0 is
 * FreeBSD as shipped (the swblk zone has no item reserve; its page
 * daemon still gets INTERRUPT-class pages, below).
 *
 * uma_zalloc(M_NOWAIT) (zone_alloc_item(), keg_fetch_slab()): at
 * uz_max_items, NULL.  Else a free item of the keg - but only while
 * uk_free > uk_reserve, unless the request carries M_USE_RESERVE
 * (keg_fetch_free_slab()); "all other requests must allocate new backing
 * pages": one page for a new slab of ipers items, at the class
 * malloc2vm_flags() gives: INTERRUPT with M_USE_RESERVE, else SYSTEM.
 *
 * Who has M_USE_RESERVE: swp_pager_meta_build() passes
 * M_NOWAIT | (curproc == pageproc ? M_USE_RESERVE : 0), so in memsim a
 * request from the swap pager (M_SWAPPAGER) made by the page daemon.
 * DragonFly's own M_USE_RESERVE bit, which every SWAPMETA request
 * carries in M_INTNOWAIT, is not FreeBSD's and is not looked at.
 *
 * The swap pager's retry is FreeBSD's, and runs here for M_SWAPPAGER
 * requests (memsim's swap pager is DragonFly's, which would vm_wait()):
 * on NULL, if uma_zone_exhausted() (a thread sleeps at the item limit)
 * print "swap blk zone exhausted, increase kern.maxswzone" once, kill the
 * process with the most swap as vm_pageout_oom(VM_OOM_SWAPZ) does, and
 * pause("swzonxb", 10); otherwise uma_zwait(): an M_WAITOK allocation
 * (no reserve; sleeping "zonelimit" at the limit, vm_wait() for pages)
 * freed straight back; then retry.  "swblk zone ok" is printed when an
 * allocation succeeds after the exhausted message.  Other callers get
 * uma_zalloc() with their flags: M_WAITOK may sleep, else NULL.
 *
 * Not modelled: the per-CPU bucket caches and the zone's bucket cache
 * (every item comes from and goes to the keg), the swpctrie zone
 * (memsim keeps no trie), NUMA domains.  Items have no identity: the keg
 * is its counts.  The slab header is taken as 64 bytes.
 */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>

#include "../core.h"
#include "../kmem.h"
#include "../proc.h"
#include "../trace.h"
#include "../vm_model.h"
#include "../xmalloc.h"

#define UMA_SLAB_HDR	64	/* struct uma_slab + free bitset, assumed */
#define UMA_ALIGN	8	/* _Alignof(struct swblk) */
#define SWZONXB_PAUSE	0.1	/* pause("swzonxb", 10), hz = 100 */
/* When vm_wait() returns at once (the daemon while !vm_paging_min()). */
#define SPIN_RETRY_COST	1e-3

struct keg {
	int64_t rsize, ipers, ppera;
	int64_t max_items;	/* uz_max_items */
	int64_t items;		/* uz_items: handed out */
	int64_t uk_free;	/* free items in the keg's slabs */
	int64_t uk_reserve;
	int64_t uk_pages;
	int64_t kva;		/* -1: direct map (ppera = 1) */
	int exhausted;		/* swblk_zone_exhausted */
	int64_t zwaits, swzonxb, oom_kills;
	struct core_chan zonelimit;	/* uz_sleepers */
};

static void sync_level(struct alloc_zone *z)
{
	const struct keg *k = z->priv;

	z->stats.pages = k->uk_pages;
	z->stats.reserve_level = k->uk_free < k->uk_reserve ? k->uk_free :
	    k->uk_reserve;
}

/* keg_alloc_slab(): one slab of ppera pages, all or nothing. */
static int keg_alloc_slab(struct alloc_zone *z, int class)
{
	struct keg *k = z->priv;
	uint32_t pg[8];
	int64_t i, j;

	for (i = 0; i < k->ppera; i++) {
		pg[i] = vm_page_alloc_kernel(class);
		if (pg[i] == VM_PAGE_NONE) {
			for (j = 0; j < i; j++)
				vm_page_free_kernel(pg[j]);
			return -1;
		}
	}
	k->uk_pages += k->ppera;
	k->uk_free += k->ipers;
	return 0;
}

/* malloc2vm_flags(), in DragonFly's spelling for kernel pages. */
static int slab_class(int use_reserve)
{
	return use_reserve ? VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM |
	    VM_ALLOC_INTERRUPT : VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM;
}

/* uma_zone_reserve_kva(): 0 when the KVA cannot be had. */
static int reserve_kva(struct keg *k, int64_t count)
{
	int64_t slabs = (count + k->ipers - 1) / k->ipers;

	if (k->ppera > 1) {
		k->kva = kmem_alloc_pageable((uint64_t)(slabs * k->ppera) *
		    PAGE_SIZE);
		if (k->kva < 0)
			return 0;
	} else {
		k->kva = -1;
	}
	k->max_items = slabs * k->ipers;
	return 1;
}

static int uma_init(struct alloc_zone *z, char *err, size_t errlen)
{
	struct keg *k = xcalloc(1, sizeof(*k));
	int64_t n, slabs, i;

	z->priv = k;
	k->rsize = ((int64_t)z->objsize + UMA_ALIGN - 1) / UMA_ALIGN *
	    UMA_ALIGN;
	if (k->rsize <= 0) {
		snprintf(err, errlen, "uma_reserve %s: zero-sized items",
		    z->name);
		return -1;
	}
	k->ppera = (k->rsize + UMA_SLAB_HDR + PAGE_SIZE - 1) / PAGE_SIZE;
	if (k->ppera > 8) {
		snprintf(err, errlen, "uma_reserve %s: %lld-byte items need "
		    "slabs of more than 8 pages", z->name,
		    (long long)k->rsize);
		return -1;
	}
	k->ipers = (k->ppera * PAGE_SIZE - UMA_SLAB_HDR) / k->rsize;
	core_chan_init(&k->zonelimit, "zonelimit");
	/* swap_pager_swap_init(): n shrinks by a third until it fits */
	for (n = z->nentries; n > 0 && !reserve_kva(k, n); n -= (n + 2) / 3)
		;
	if (n <= 0) {
		snprintf(err, errlen, "uma_reserve %s: no KVA for any of the "
		    "zone's %ld entries", z->name, z->nentries);
		return -1;
	}
	if (k->max_items != z->nentries)
		trace_event("swap_zone_reduced", "Swap blk zone entries "
		    "changed from %ld to %lld.", z->nentries,
		    (long long)k->max_items);
	if (z->cfg.reserve < 0 || z->cfg.reserve > k->max_items) {
		snprintf(err, errlen, "uma_reserve %s: reserve %ld items is "
		    "outside the zone's 0..%lld", z->name, z->cfg.reserve,
		    (long long)k->max_items);
		return -1;
	}
	k->uk_reserve = z->cfg.reserve;		/* uma_zone_reserve() */
	if (!z->cfg.no_prealloc) {		/* uma_prealloc() */
		slabs = (k->uk_reserve + k->ipers - 1) / k->ipers;
		for (i = 0; i < slabs; i++) {
			if (keg_alloc_slab(z, slab_class(0)) != 0) {
				snprintf(err, errlen, "uma_reserve %s: no "
				    "memory for uma_prealloc of %lld items",
				    z->name, (long long)k->uk_reserve);
				return -1;
			}
		}
	}
	sync_level(z);
	z->stats.pages_peak = z->stats.pages;
	return 0;
}

/* zone_alloc_item() with M_NOWAIT: 1 or 0. */
static int zalloc_nowait(struct alloc_zone *z, int use_reserve)
{
	struct keg *k = z->priv;
	int64_t reserve = use_reserve ? 0 : k->uk_reserve;

	if (k->items >= k->max_items)
		return 0;
	if (k->uk_free <= reserve && keg_alloc_slab(z,
	    slab_class(use_reserve)) != 0) {
		/* a retry needs a whole slab's pages at once */
		vm_need_pages(&z->need, "keg_alloc_slab (M_NOWAIT)",
		    slab_class(use_reserve), k->ppera, 0, 0);
		return 0;
	}
	k->uk_free--;
	k->items++;
	return 1;
}

/* The caller waits for pages: vm_wait(), spinning if it returns at once. */
static void wait_pages(struct alloc_zone *z)
{
	double t0 = core_now();
	struct core_need need;

	(void)z;

	vm_need_pages(&need, "a new slab (uma_zwait, M_WAITOK)",
	    slab_class(0), 1, 0, 0);
	vm_wait_need(0, &need);
	if (core_now() == t0)
		core_cpu(SPIN_RETRY_COST);
}

/* zone_alloc_item() with M_WAITOK: sleeps at the limit and for pages. */
static void zalloc_waitok(struct alloc_zone *z)
{
	struct keg *k = z->priv;
	double t0;

	for (;;) {
		while (k->items >= k->max_items) {
			t0 = vm_pd_sleep_begin();
			core_wait(&k->zonelimit, -1, 1, "uma %s: an item freed "
			    "below uz_max_items %lld (zonelimit)", z->name,
			    (long long)k->max_items);
			vm_pd_sleep_end(t0);
		}
		if (k->uk_free > k->uk_reserve ||
		    keg_alloc_slab(z, slab_class(0)) == 0)
			break;
		wait_pages(z);
	}
	k->uk_free--;
	k->items++;
}

static void uma_zfree(struct alloc_zone *z, alloc_obj_t obj)
{
	struct keg *k = z->priv;

	(void)obj;
	k->uk_free++;
	k->items--;
	if (k->zonelimit.nwaiters)
		core_wakeup_one(&k->zonelimit);
	sync_level(z);
}

/* vm_pageout_oom(VM_OOM_SWAPZ): the process with the most swap. */
static void oom_swapz(struct keg *k)
{
	struct proc *p, *big = NULL;
	int64_t size, bigsize = 0;
	int i;

	for (p = allproc; p != NULL; p = p->next) {
		if (p->killed || p->exited || p->td->exited)
			continue;
		size = 0;
		for (i = 0; i < p->nregions; i++)
			if (p->regions[i].live)
				size += p->regions[i].obj->swapcount;
		if (size > bigsize) {
			bigsize = size;
			big = p;
		}
	}
	if (big == NULL)
		return;
	k->oom_kills++;
	vm_cnt.oom_kills++;
	proc_kill(big, "out of swap space (VM_OOM_SWAPZ)");
}

/* swp_pager_meta_build()'s allocation loop, FreeBSD's. */
static void swap_pager_loop(struct alloc_zone *z)
{
	struct keg *k = z->priv;
	int use_reserve = curthread_is_pagedaemon();
	double t0;

	while (!zalloc_nowait(z, use_reserve)) {
		if (k->zonelimit.nwaiters > 0) {	/* uma_zone_exhausted() */
			if (!k->exhausted) {
				k->exhausted = 1;
				trace_event("swblk_zone_exhausted", "swap blk "
				    "zone exhausted, increase kern.maxswzone");
			}
			oom_swapz(k);
			k->swzonxb++;
			t0 = vm_pd_sleep_begin();
			core_sleep(SWZONXB_PAUSE);
			vm_pd_sleep_end(t0);
		} else {
			k->zwaits++;			/* uma_zwait() */
			zalloc_waitok(z);
			uma_zfree(z, 1);
		}
		sync_level(z);
	}
	if (k->exhausted) {
		k->exhausted = 0;
		trace_event("swblk_zone_ok", "swblk zone ok");
	}
}

static alloc_obj_t uma_zalloc(struct alloc_zone *z, int flags)
{
	alloc_obj_t obj = 1;

	if (flags & M_SWAPPAGER)
		swap_pager_loop(z);
	else if (flags & M_WAITOK)
		zalloc_waitok(z);
	else if (!zalloc_nowait(z, 0))
		obj = 0;
	sync_level(z);
	return obj;
}

static int uma_page_class(const struct alloc_zone *z)
{
	(void)z;
	return slab_class(0);
}

static int uma_describe(const struct alloc_zone *z, char *buf, size_t len)
{
	const struct keg *k = z->priv;

	return snprintf(buf, len, "uma_reserve %s: keg %lld free items "
	    "(uk_reserve %lld, M_USE_RESERVE: the page daemon's swap "
	    "pager), %lld of uz_max_items %lld out, %lld one-page slabs of "
	    "%lld items; %lld uma_zwait, %lld swzonxb pauses, %lld "
	    "VM_OOM_SWAPZ kills", z->name, (long long)k->uk_free,
	    (long long)k->uk_reserve, (long long)k->items,
	    (long long)k->max_items, (long long)k->uk_pages,
	    (long long)k->ipers, (long long)k->zwaits,
	    (long long)k->swzonxb, (long long)k->oom_kills);
}

static void uma_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	const struct keg *k = z->priv;

	emit(ctx, "uma_uk_free", k->uk_free);
	emit(ctx, "uma_uk_reserve", k->uk_reserve);
	emit(ctx, "uma_uz_items", k->items);
	emit(ctx, "uma_uz_max_items", k->max_items);
	emit(ctx, "uma_uk_pages", k->uk_pages);
	emit(ctx, "uma_ipers", k->ipers);
	emit(ctx, "uma_zwaits", k->zwaits);
	emit(ctx, "uma_swzonxb", k->swzonxb);
	emit(ctx, "uma_oom_swapz", k->oom_kills);
	emit(ctx, "zone_inuse", z->stats.inuse);
}

static const char *const uma_options[] = { "reserve", "prealloc", NULL };

const struct alloc_ops uma_reserve_ops = {
	.name = "uma_reserve",
	.init = uma_init,
	.alloc = uma_zalloc,
	.free = uma_zfree,
	.poll = NULL,
	.reclaimable = alloc_reclaim_none,
	.describe = uma_describe,
	.counters = uma_counters,
	/* the swap pager's uma_zwait/pause loop is inside */
	.nowait_may_sleep = 1,
	.page_class = uma_page_class,
	.reserve_unit = "items",
	.reserve_default = 0,
	.options = uma_options,
};
