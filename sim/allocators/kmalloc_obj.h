/*
 * kmalloc_obj internals shared with the reserve layer
 * (reserve_kmalloc_obj.c) and the tests; the rest of the model uses
 * kmalloc_obj_ops through alloc.h only.
 *
 * The reserve layer keeps its reserved slabs on the zone's ggm->full list
 * (fully free slabs), at its tail, flagged `reserved`; kmalloc_obj proper
 * never creates reserved slabs, so with none installed it is DragonFly's
 * kmalloc_obj unchanged.
 */
#ifndef MEMSIM_KMALLOC_OBJ_H
#define MEMSIM_KMALLOC_OBJ_H

#include <stdint.h>

#include "alloc.h"

/* sys/sys/_malloc.h */
#define KMALLOC_SLAB_SIZE	(128 * 1024)
#define KMALLOC_SLAB_HDR	352	/* offsetof(.., fobjs[0]), x86_64 */
#define KMALLOC_MAXFREEMAGS	4
#define KMGD_MAXFREESLABS	128
#define KMALLOC_CACHELINE	64	/* MALLOC_DEFINE_OBJ rounding */
#define KMALLOC_POLL_EMPTY	16	/* ggm->empty slabs per poll */

/* sysctls kern.kzone_cache and kern.kzone_bretire (kern_kmalloc.c) */
extern int kzone_cache, kzone_bretire;

/* malloc_mgt_init(): objects per slab for an object size (rounded to 64). */
int64_t kmalloc_obj_count(int64_t objsize);

/* kmo_alloc() reports how it got its slab, for the reserve layer. */
#define KMO_TOOK_RESERVED	0x1	/* a reserved slab from ggm->full */
#define KMO_NEW_SLAB		0x2	/* from gd_kmslab or kmem */

int kmo_init(struct alloc_zone *z, char *err, size_t errlen);
/* kmo_alloc() modes */
#define KMO_MAY_TAKE_RESERVED	0x1	/* a reserved slab on ggm->full */
/*
 * memsim: a layer that needs kmalloc_obj to honour a non-blocking
 * request (a Linux backing allocator honouring its gfp mask, for
 * mempool.c) - a new slab comes from gd_kmslab or kmem_slab_alloc() with
 * the caller's flags, and kmo_alloc() returns 0 when that fails.
 */
#define KMO_SLAB_CALLER_FLAGS	0x2

/*
 * _kmalloc_obj().  A reserved slab on ggm->full is taken only with
 * KMO_MAY_TAKE_RESERVED in mode and no unreserved slab there; *how (may
 * be NULL) gets KMO_TOOK_* / KMO_NEW_SLAB bits.
 */
alloc_obj_t kmo_alloc(struct alloc_zone *z, int flags, int mode, int *how);
void kmo_free(struct alloc_zone *z, alloc_obj_t obj);
void kmo_poll(struct alloc_zone *z);
/* alloc_ops.reclaimable: pages of the zone's unreserved all-free slabs. */
int64_t kmo_reclaimable(const struct alloc_zone *z);
int kmo_describe(const struct alloc_zone *z, char *buf, size_t len);
void kmo_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx);

/* Add a fully free slab (a kmem_slab_alloc id) to the reserve. */
void kmo_reserve_install(struct alloc_zone *z, uint32_t kmem_id);
int64_t kmo_reserve_level(const struct alloc_zone *z);

struct kmo_counts {
	int64_t active, alternate;	/* per-CPU slabs, all CPUs */
	int64_t partial, full, empty;	/* ggm lists (DragonFly's words) */
	int64_t reserved;		/* of full: the reserve layer's */
	int64_t slabs;			/* owned by the zone */
	int64_t gd_kmslab;		/* all CPUs, all zones */
	int64_t objs_per_slab;
};
void kmo_counts(const struct alloc_zone *z, struct kmo_counts *c);
int64_t kmo_gd_kmslab(int cpu);

#endif
