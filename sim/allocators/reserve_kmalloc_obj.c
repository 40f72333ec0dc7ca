/*
 * reserve_kmalloc_obj: the May-2021 proposal for moving SWAPMETA onto
 * kmalloc_obj (Dillon, kernel@ "zalloc project"): keep N spare slabs on
 * the zone's ggm->full list (fully free slabs), install them at boot, and
 * top them up with non-blocking kmem_slab_alloc() calls after an
 * allocation ate one, falling back to the blocking kmalloc_obj path when
 * the reserve is empty anyway.  A layer over kmalloc_obj.c: the
 * allocation path is kmalloc_obj's (kmo_alloc); this file decides who may
 * take a reserved slab and refills.
 *
 * Zone config (struct zone_cfg):
 *  reserve = N           slabs kept (reserve_level; N = 0 is kmalloc_obj);
 *  refill_intnowait = 1  top-up with M_INTNOWAIT: pages at SYSTEM|INTERRUPT,
 *                        admitted while free > 0; = 0: M_NOWAIT, SYSTEM,
 *                        admitted while free >= v_free_reserved or (cache
 *                        empty and free > v_interrupt_free_min).  Either way
 *                        a top-up that cannot get all 32 pages gives them
 *                        back and stops (a refill failure), and it can
 *                        still sleep for map entries (5.4 step 1);
 *  exclusive = 1         only requests carrying M_SWAPPAGER take reserved
 *                        slabs.
 *
 * Who takes reserved slabs.  Reserved slabs sit at the tail of ggm->full,
 * behind any unreserved fully free slab, so a request reaches them only
 * after its CPU's active and alternate slabs, ggm->partial and the
 * unreserved part of ggm->full are used up - in kmalloc_obj's order, that
 * is before it polls ggm->empty, before this CPU's gd_kmslab cache and
 * before kmem_slab_alloc.  With exclusive = 0 every request of the zone
 * does so, whatever its flags and thread.  With exclusive = 1 only a
 * request with M_SWAPPAGER in its flags does (privilege is per request,
 * not per thread: in memsim every SWAPMETA allocation comes from
 * swp_pager_meta_build() and carries it, so exclusivity matters only for
 * zones with other callers); others go on to the empty-list poll,
 * gd_kmslab and the blocking kmem_slab_alloc.  The reserve is per slab:
 * once a reserved slab becomes a CPU's active slab, its other objects
 * serve any request on that CPU.
 *
 * When the top-up runs: in the allocating thread, after it has its
 * object, when that allocation took a reserved slab - and also when it
 * had to get a new slab (gd_kmslab or kmem_slab_alloc) while the reserve
 * was below N.  The second trigger is memsim's reading of "maintain N":
 * without it a reserve drained under pressure would never refill, since
 * no allocation can take from an empty reserve.
 *
 * Boot slabs come from kmem_slab_alloc(M_INTNOWAIT) at zinit time and are
 * not counted in kmem_slab_allocs (the run's slab traffic); they count in
 * the zone's pages.  The poller neither counts reserved slabs towards
 * KMALLOC_MAXFREEMAGS nor retires them.
 */
#include "kmalloc_obj.h"

#include <stdio.h>

#include "../kmem.h"
#include "../trace.h"
#include "../vm_model.h"

static void update_level(struct alloc_zone *z)
{
	z->stats.reserve_level = kmo_reserve_level(z);
}

static int reserve_init(struct alloc_zone *z, char *err, size_t errlen)
{
	uint32_t id;
	long i;

	if (kmo_init(z, err, errlen) != 0)
		return -1;
	if (z->cfg.reserve < 0) {
		snprintf(err, errlen, "reserve_kmalloc_obj %s: reserve %ld "
		    "is negative", z->name, z->cfg.reserve);
		return -1;
	}
	for (i = 0; i < z->cfg.reserve; i++) {
		id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
		    M_INTNOWAIT, NULL);
		if (id == 0) {
			snprintf(err, errlen, "reserve_kmalloc_obj %s: no "
			    "memory for boot slab %ld of %ld", z->name, i + 1,
			    z->cfg.reserve);
			return -1;
		}
		kmo_reserve_install(z, id);
	}
	update_level(z);
	z->stats.pages_peak = z->stats.pages;
	return 0;
}

/* Back to N with non-blocking slab allocations; stop at the first failure. */
static void reserve_topup(struct alloc_zone *z)
{
	int flags = z->cfg.refill_intnowait ? M_INTNOWAIT : M_NOWAIT;
	const char *fname = flags == M_INTNOWAIT ? "M_INTNOWAIT" : "M_NOWAIT";
	uint32_t id;

	while (kmo_reserve_level(z) < z->cfg.reserve) {
		id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
		    flags, &z->stats);
		if (id == 0) {
			z->stats.reserve_refill_failures++;
			trace_event("reserve_refill_failed",
			    "reserve_kmalloc_obj %s: top-up at %lld of %ld "
			    "with %s failed; free %lld cache %lld", z->name,
			    (long long)kmo_reserve_level(z), z->cfg.reserve,
			    fname, (long long)vmstats.v_free_count,
			    (long long)vmstats.v_cache_count);
			break;
		}
		kmo_reserve_install(z, id);
	}
}

static alloc_obj_t reserve_alloc(struct alloc_zone *z, int flags)
{
	int may = !z->cfg.exclusive || (flags & M_SWAPPAGER);
	int how = 0;
	alloc_obj_t obj;

	obj = kmo_alloc(z, flags, may ? KMO_MAY_TAKE_RESERVED : 0, &how);
	update_level(z);
	if (obj != 0 && (how & (KMO_TOOK_RESERVED | KMO_NEW_SLAB)))
		reserve_topup(z);
	update_level(z);
	return obj;
}

static int reserve_describe(const struct alloc_zone *z, char *buf,
    size_t len)
{
	int n;

	n = snprintf(buf, len, "reserve_kmalloc_obj %s: reserve %lld of %ld "
	    "slabs (%s, top-up %s), %lld top-up failures; ", z->name,
	    (long long)kmo_reserve_level(z), z->cfg.reserve,
	    z->cfg.exclusive ? "M_SWAPPAGER only" : "any caller",
	    z->cfg.refill_intnowait ? "M_INTNOWAIT" : "M_NOWAIT",
	    (long long)z->stats.reserve_refill_failures);
	if (n < 0 || (size_t)n >= len)
		return n;
	return n + kmo_describe(z, buf + n, len - (size_t)n);
}

static void reserve_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	kmo_counters(z, emit, ctx);
	emit(ctx, "reserve_n", z->cfg.reserve);
	emit(ctx, "reserve_level", kmo_reserve_level(z));
	emit(ctx, "reserve_refill_failures", z->stats.reserve_refill_failures);
}

/* kmalloc_obj's slabs at NORMAL, the top-up at SYSTEM (M_NOWAIT) or
 * SYSTEM|INTERRUPT (M_INTNOWAIT). */
static int reserve_class(const struct alloc_zone *z)
{
	return VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM |
	    (z->cfg.refill_intnowait ? VM_ALLOC_INTERRUPT : 0);
}

static const char *const reserve_options[] = {
	"reserve", "refill", "exclusive", NULL,
};

const struct alloc_ops reserve_kmalloc_obj_ops = {
	.name = "reserve_kmalloc_obj",
	.init = reserve_init,
	.alloc = reserve_alloc,
	.free = kmo_free,
	.poll = kmo_poll,
	.reclaimable = kmo_reclaimable,
	.describe = reserve_describe,
	.counters = reserve_counters,
	.nowait_may_sleep = 1,
	.page_class = reserve_class,
	.reserve_unit = "slabs",
	.reserve_default = 3,
	.options = reserve_options,
};
