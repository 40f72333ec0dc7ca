/*
 * zalloc: DragonFly's zone allocator for a ZONE_INTERRUPT zone, as
 * SWAPMETA and PV ENTRY use it (sys/vm/vm_zone.c, HEAD).
 *
 * zinit(): the zone's whole KVA (nentries × zsize) is reserved at boot
 * with its page tables, so a refill needs physical pages only; the zone
 * is pre-populated once.  zalloc() (:87-203): this CPU's cache, then a
 * batch from the global pool while it holds more than zfreemin items,
 * then zget().  zget() (:596-669, :727-795): up to ZONE_MAXPGLOAD = 32
 * pages one at a time, stopping at the first failure, the first 4 at
 * SYSTEM|INTERRUPT|NORMAL and the rest at NORMAL|SYSTEM; items carved from
 * the new pages only; when no page came, the last zfreemin items of the
 * global pool.  Never sleeps; returns NULL; pages never go back.
 *
 * Items have no identity here: a zone is its counts.
 */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core.h"
#include "../kmem.h"
#include "../trace.h"
#include "../vm_model.h"
#include "../xmalloc.h"

#define ZONE_ROUNDING	32
#define ZONE_MAXPGLOAD	32
#define ZONE_INTR_PAGES	4	/* first pages of a refill: INTERRUPT */

struct zone {
	int ncpus;
	int64_t zfreecnt;	/* global pool */
	int64_t zfreemin;
	int64_t zmax_pcpu;
	int64_t zsize;
	int64_t zpagecount, zpagemax;
	int64_t zkva;		/* base of the KVA reserved at zinit */
	int64_t zget_failures;
	/* in the same block, so alloc_zone_destroy()'s free() takes it */
	int64_t pcpu[];		/* zpcpu[].zfreecnt */
};

static int64_t zget(struct alloc_zone *z, struct zone *zn)
{
	int64_t npages = 0, items;
	uint32_t pg;
	int class;

	while (npages < ZONE_MAXPGLOAD &&
	    zn->zpagecount + npages < zn->zpagemax) {
		class = npages < ZONE_INTR_PAGES ? VM_ALLOC_SYSTEM |
		    VM_ALLOC_INTERRUPT | VM_ALLOC_NORMAL :
		    VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM;
		pg = vm_page_alloc_kernel(class);
		if (pg == VM_PAGE_NONE)
			break;
		npages++;
	}
	zn->zpagecount += npages;
	z->stats.pages = zn->zpagecount;
	items = npages * PAGE_SIZE / zn->zsize;
	return items;
}

static int zalloc_init(struct alloc_zone *z, char *err, size_t errlen)
{
	int ncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	struct zone *zn = xcalloc(1, sizeof(*zn) +
	    (size_t)ncpus * sizeof(zn->pcpu[0]));
	int64_t zmax, lim, n;

	z->priv = zn;
	zn->ncpus = ncpus;
	zn->zsize = ((int64_t)z->objsize + ZONE_ROUNDING - 1) /
	    ZONE_ROUNDING * ZONE_ROUNDING;
	zn->zfreemin = zn->zsize > PAGE_SIZE ? 1 : PAGE_SIZE / zn->zsize;
	/*
	 * zinitna() :380: kmem_alloc_pageable() of the whole zone, page
	 * tables included.  When kernel_map has no such hole zinit() fails
	 * and swap_pager_swap_init() (:441-460) retries with n reduced by a
	 * third; done here for every ZONE_INTERRUPT zone.
	 */
	n = z->nentries;
	for (;;) {
		zn->zpagemax = (n * zn->zsize + PAGE_SIZE - 1) / PAGE_SIZE;
		zn->zkva = kmem_alloc_pageable((uint64_t)zn->zpagemax *
		    PAGE_SIZE);
		if (zn->zkva >= 0)
			break;
		n -= (n + 2) / 3;
		if (n <= 0) {
			snprintf(err, errlen, "panic: zinit %s: no kernel_map "
			    "space for its KVA (kva %lld bytes)", z->name,
			    (long long)kmem_stats.kva_size);
			return -1;
		}
	}
	if (n != z->nentries) {
		if (strcmp(z->name, "SWAPMETA") == 0)
			trace_event("swap_zone_reduced", "Swap zone entries "
			    "reduced from %ld to %ld", z->nentries, (long)n);
		else
			trace_event("zone_reduced", "zinit %s: entries "
			    "reduced from %ld to %ld", z->name, z->nentries,
			    (long)n);
		z->nentries = (long)n;
	}
	/* zmax_pcpu = zmax/ncpus/32, in [1024, 16 MiB/zsize] (HEAD) */
	zmax = z->nentries;
	zn->zmax_pcpu = zmax / zn->ncpus / 32;
	lim = (16 << 20) / zn->zsize;
	if (zn->zmax_pcpu > lim)
		zn->zmax_pcpu = lim;
	if (zn->zmax_pcpu < 1024)
		zn->zmax_pcpu = 1024;
	/* pre-populated once at zinit (:424-434) */
	zn->zfreecnt = zget(z, zn);
	z->stats.pages_peak = z->stats.pages;
	return 0;
}

static alloc_obj_t zalloc(struct alloc_zone *z, int flags)
{
	struct zone *zn = z->priv;
	struct core_thread *td = core_self();
	int cpu = td != NULL ? td->cpu % zn->ncpus : 0;
	int64_t n, items;

	(void)flags;
	if (zn->pcpu[cpu] > 0) {
		zn->pcpu[cpu]--;
		return 1;
	}
	if (zn->zfreecnt > zn->zfreemin) {
		n = (zn->zmax_pcpu > 1024 ? zn->zmax_pcpu : 1024) / 10 + 1;
		if (n > zn->zfreecnt - zn->zfreemin)
			n = zn->zfreecnt - zn->zfreemin;
		zn->zfreecnt -= n;
		zn->pcpu[cpu] += n - 1;
		return 1;
	}
	items = zget(z, zn);
	if (items > 0) {
		zn->zfreecnt += items - 1;
		return 1;
	}
	zn->zget_failures++;
	if (zn->zfreecnt > 0) {
		zn->zfreecnt--;		/* the zfreemin reserve */
		return 1;
	}
	/* a refill's first page would do; a full zone waits for a free */
	if (zn->zpagecount < zn->zpagemax)
		vm_need_pages(&z->need, "zget", VM_ALLOC_SYSTEM |
		    VM_ALLOC_INTERRUPT | VM_ALLOC_NORMAL, 1, 0, 0);
	return 0;
}

static void zfree(struct alloc_zone *z, alloc_obj_t obj)
{
	struct zone *zn = z->priv;
	struct core_thread *td = core_self();
	int cpu = td != NULL ? td->cpu % zn->ncpus : 0;
	int64_t max = zn->zmax_pcpu > 1024 ? zn->zmax_pcpu : 1024;

	(void)obj;
	if (++zn->pcpu[cpu] >= max) {
		zn->pcpu[cpu] -= max / 2;
		zn->zfreecnt += max / 2;
	}
}

static int zalloc_describe(const struct alloc_zone *z, char *buf, size_t len)
{
	const struct zone *zn = z->priv;
	int64_t pcpu = 0;
	int i;

	for (i = 0; i < zn->ncpus; i++)
		pcpu += zn->pcpu[i];
	return snprintf(buf, len, "zalloc %s: %lld pages of %lld, %lld "
	    "free items in the global pool (zfreemin %lld), %lld in CPU "
	    "caches, %lld items in use", z->name,
	    (long long)zn->zpagecount, (long long)zn->zpagemax,
	    (long long)zn->zfreecnt, (long long)zn->zfreemin,
	    (long long)pcpu, (long long)z->stats.inuse);
}

static void zalloc_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	const struct zone *zn = z->priv;

	emit(ctx, "zone_pages", zn->zpagecount);
	emit(ctx, "zone_pagemax", zn->zpagemax);
	emit(ctx, "zone_zfreecnt", zn->zfreecnt);
	emit(ctx, "zone_zfreemin", zn->zfreemin);
	emit(ctx, "zone_inuse", z->stats.inuse);
}

/* zget(): its first pages at SYSTEM|INTERRUPT|NORMAL */
static int zalloc_class(const struct alloc_zone *z)
{
	(void)z;
	return VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM | VM_ALLOC_INTERRUPT;
}

const struct alloc_ops zalloc_ops = {
	.name = "zalloc",
	.init = zalloc_init,
	.alloc = zalloc,
	.free = zfree,
	.poll = NULL,
	.reclaimable = alloc_reclaim_none,
	.describe = zalloc_describe,
	.counters = zalloc_counters,
	.page_class = zalloc_class,
};
