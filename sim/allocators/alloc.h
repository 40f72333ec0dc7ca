/*
 * alloc: the kernel allocator interface behind which SWAPMETA (and other
 * kernel zones) get their objects.
 *
 * One `static const struct alloc_ops` per allocator, one file each under
 * sim/allocators/, found by exact name in the registry (alloc.c).  The
 * generic entry alloc_request()/alloc_release() does what every
 * allocator shares (statistics, flag checks, tracing); the ops implement
 * policy only.  Flags carry DragonFly's malloc(9) names and values
 * (sys/sys/malloc.h); an allocator may ignore them where the kernel's
 * does (kmalloc_obj ignores the caller's flags for slab allocation).
 *
 * Objects are opaque 32-bit handles; 0 is NULL.  A NULL return is a
 * simulated failure, never an error of the simulator.
 */
#ifndef MEMSIM_ALLOC_H
#define MEMSIM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "../config.h"
#include "../core.h"

/* sys/sys/malloc.h */
#define M_RNOWAIT		0x0001
#define M_WAITOK		0x0002
#define M_ZERO			0x0100
#define M_USE_RESERVE		0x0200
#define M_NULLOK		0x0400
#define M_USE_INTERRUPT_RESERVE	0x1000
#define M_NOWAIT	(M_RNOWAIT | M_NULLOK | M_USE_RESERVE)
#define M_SYSNOWAIT	(M_RNOWAIT | M_NULLOK | M_USE_RESERVE)
#define M_INTNOWAIT	(M_RNOWAIT | M_NULLOK | M_USE_RESERVE | \
			 M_USE_INTERRUPT_RESERVE)
#define M_INTWAIT	(M_WAITOK | M_USE_RESERVE | M_USE_INTERRUPT_RESERVE)
#define M_SYSWAIT	(M_WAITOK | M_USE_RESERVE)
/* memsim: the caller is the swap pager (may take an exclusive reserve) */
#define M_SWAPPAGER		0x10000

typedef uint32_t alloc_obj_t;

/* One stats struct for every allocator; maps to columns of `runs`. */
struct alloc_stats {
	int64_t allocs, frees, failures;	/* failures: NULL returns */
	int64_t inuse;				/* objects handed out */
	int64_t pages, pages_peak;		/* wired pages backing the zone */
	int64_t kmem_slab_allocs;		/* slabs taken from the VM */
	int64_t slab_alloc_waits;		/* sleeps inside slab allocation */
	int64_t reserve_refill_failures;
	int64_t reserve_level, reserve_min_level;	/* -1: no reserve */
};

struct alloc_zone;

typedef int alloc_init_fn(struct alloc_zone *z, char *err, size_t errlen);
/* Frees what priv points to beyond itself; may be NULL. */
typedef void alloc_fini_fn(struct alloc_zone *z);
typedef alloc_obj_t alloc_fn(struct alloc_zone *z, int flags);
typedef void alloc_free_fn(struct alloc_zone *z, alloc_obj_t obj);
/* Periodic maintenance (kmalloc_poller); may be NULL. */
typedef void alloc_poll_fn(struct alloc_zone *z);
/* One line of the allocator's state, for deadlock forensics. */
typedef int alloc_describe_fn(const struct alloc_zone *z, char *buf,
    size_t len);
/* Named counters at a deadlock (slabs on each list, ...). */
typedef void alloc_counters_fn(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx);
/*
 * For the deadlock verdict: an upper bound on the pages the zone's poll
 * could give back to the VM from what is free in it now, without any
 * object being freed; -1 if unknown.  Every allocator has one (the
 * contract suite holds it to the bound); alloc_reclaim_none() for a zone
 * without a poll.  The verdict's other need: when alloc() returns NULL
 * or sleeps, z->need says what a retry would need in a kind the verdict
 * reads (CORE_NEED_PAGES for pages), not CORE_NEED_ZONE.
 */
typedef int64_t alloc_reclaimable_fn(const struct alloc_zone *z);
/*
 * The most privileged VM_ALLOC_* class the zone's own page allocations
 * use for a caller that is not the page daemon (which vm_page_alloc()
 * promotes to SYSTEM anyway).  The contract suite holds page takes to
 * that class's floor.
 */
typedef int alloc_class_fn(const struct alloc_zone *z);

struct alloc_ops {
	const char *name;
	alloc_init_fn *init;		/* boot-time set-up (zinit) */
	alloc_fini_fn *fini;
	alloc_fn *alloc;
	alloc_free_fn *free;
	alloc_poll_fn *poll;
	alloc_describe_fn *describe;
	alloc_counters_fn *counters;
	alloc_reclaimable_fn *reclaimable;
	/*
	 * 1 when an M_RNOWAIT request can still sleep (kmalloc_obj ignores
	 * the caller's flags for its slab, dragonfly-vm.md 5.3e); the
	 * contract suite holds the others to never sleeping on M_NOWAIT.
	 */
	int nowait_may_sleep;
	alloc_class_fn *page_class;
	/*
	 * What zone_cfg.reserve counts for this allocator ("slabs",
	 * "items", "elements"); NULL when it keeps no reserve.
	 */
	const char *reserve_unit;
	long reserve_default;		/* when the scenario gives none */
	/*
	 * The zone options (kernel{ swapmeta = { ... } } keys) it reads
	 * besides `allocator`, NULL-terminated; the scenario loader
	 * rejects the others, so an option meant for one policy is not
	 * silently ignored by another.
	 */
	const char *const *options;
};

struct alloc_zone {
	char name[CFG_NAME_LEN];	/* kernel name: "SWAPMETA" */
	const struct alloc_ops *ops;
	struct zone_cfg cfg;
	size_t objsize;			/* bytes, before allocator rounding */
	long nentries;			/* zinit() capacity, in objects */
	struct alloc_stats stats;
	void *priv;			/* the allocator's own state */
	struct alloc_zone *next;	/* all zones, for the poller */
	/*
	 * What the last failed request would need to succeed, for a caller
	 * that waits and retries (swp_pager_meta_build).  alloc_request()
	 * makes it CORE_NEED_ZONE ("an object from this zone", which the
	 * verdict cannot reason about); an allocator that knows better
	 * (zalloc: one page at its refill class) sets it when it fails.
	 */
	struct core_need need;
};

const struct alloc_ops *alloc_lookup(const char *name);
/* Names of all registered allocators, NULL-terminated. */
const char *const *alloc_names(void);

/*
 * Create a zone and run its allocator's boot-time set-up.  Returns NULL
 * with a message in err when the allocator is unknown or set-up fails.
 */
struct alloc_zone *alloc_zone_create(const struct zone_cfg *cfg,
    const char *kname, size_t objsize, long nentries, char *err,
    size_t errlen);
void alloc_zone_destroy(struct alloc_zone *z);
struct alloc_zone *alloc_zones(void);

alloc_obj_t alloc_request(struct alloc_zone *z, int flags);
void alloc_release(struct alloc_zone *z, alloc_obj_t obj);
/* The zone's ops->reclaimable (-1, unknown, for an allocator without). */
int64_t alloc_reclaimable(const struct alloc_zone *z);
/* ops->reclaimable of a zone that gives nothing back on its own: 0. */
int64_t alloc_reclaim_none(const struct alloc_zone *z);

/*
 * The kmalloc_poller kernel thread (kern_slaballoc.c:475-526), defined in
 * kmalloc_obj.c: wakes about once a second and calls ops->poll of one
 * zone per wake-up, round-robin over alloc_zones().  Start it once at
 * boot after the zones exist (a no-op when no zone has a poll).
 * kmalloc_poller_idle_types adds that many idle turns per round, for the
 * kernel's other malloc types (~240 of them; default 0).
 */
void kmalloc_poller_start(void);
extern int kmalloc_poller_idle_types;

#endif
