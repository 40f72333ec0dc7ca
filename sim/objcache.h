/*
 * objcache: DragonFly's two-level object cache (sys/kern/kern_objcache.c,
 * HEAD), as the mbuf code uses it: per-CPU loaded and previous magazines
 * of constructed objects, a depot of full and empty magazines, and a
 * limit (unallocated_objects) on the objects made from the back-end
 * allocator - objcache_malloc_alloc(), i.e. kmalloc of one malloc type
 * with the caller's flags (kern_objcache.c:571-577).
 *
 * An object is a small integer (0 = NULL) naming an entry of the cache's
 * object table, which holds the back-end handles its constructor made
 * (for an mbuf cluster: the mbuf and its cluster).
 */
#ifndef MEMSIM_OBJCACHE_H
#define MEMSIM_OBJCACHE_H

#include <stdint.h>

#include "allocators/alloc.h"

/* kern_objcache.c:61-63, :1023-1024 (capacities aligned to 64 bytes) */
#define MAGAZINE_CAPACITY_MIN	4
#define MAGAZINE_CAPACITY_MAX	4096
#define INITIAL_MAG_CAPACITY	64

struct objcache;

/* What an object holds: the back-end object and what its ctor added. */
struct oc_obj {
	alloc_obj_t mem;	/* from the cache's malloc type */
	uint32_t ext;		/* ctor's: e.g. an mclmeta_cache object */
	alloc_obj_t data;	/* ctor's: e.g. the cluster's 2 KiB */
};

/* Constructor: 1 on success (the object is kept), 0 (it is freed). */
typedef int objcache_ctor_fn(struct objcache *oc, struct oc_obj *o,
    int ocflags);
typedef void objcache_dtor_fn(struct objcache *oc, struct oc_obj *o);

struct objcache_stats {
	int64_t gets, gets_null, allocs, puts, gets_exhausted;
	int64_t objects;	/* constructed and not destroyed */
};

/*
 * objcache_create() (:213-352): nom_cache 0 = cluster_limit/2 (or 128
 * without a limit); magazine capacity nom_cache/(ncpus+1)/2 + 1 aligned
 * and clamped; unallocated_objects = ncpus*capacity*2 + cluster_limit
 * (cluster_limit 0: unlimited); two magazines per CPU and
 * nom_cache/capacity + 1 (>= 2) empty ones in the depot.  `mtype` is the
 * kmalloc type objcache_malloc_alloc() allocates from.
 */
struct objcache *objcache_create(const char *name, int64_t cluster_limit,
    int64_t nom_cache, objcache_ctor_fn *ctor, objcache_dtor_fn *dtor,
    void *privdata, struct alloc_zone *mtype);
void objcache_destroy(struct objcache *oc);

/*
 * objcache_get() (:427-565): loaded magazine, previous (swapped in), a
 * full depot magazine (exchanged for the empty previous one), else while
 * unallocated_objects > 0 a new object from kmalloc(ocflags) and the ctor
 * (either failing: NULL, the count given back); at the limit NULL - a
 * caller with M_WAITOK and without M_NULLOK would sleep on the depot,
 * which no memsim caller does (asserted).
 */
uint32_t objcache_get(struct objcache *oc, int ocflags);
/*
 * objcache_put() (:620-718): into the loaded magazine, else the previous
 * (swapped in), else exchange a full one for an empty depot magazine;
 * with no empty magazine the object is destroyed (dtor, kfree) and
 * counted back in unallocated_objects.
 */
void objcache_put(struct objcache *oc, uint32_t obj);

struct oc_obj *objcache_obj(struct objcache *oc, uint32_t obj);
void *objcache_priv(const struct objcache *oc);
const struct objcache_stats *objcache_stats(const struct objcache *oc);
int64_t objcache_magcapacity(const struct objcache *oc);
int64_t objcache_unallocated(const struct objcache *oc);
/* Magazines in the depot: full ones and empty ones. */
void objcache_depot(const struct objcache *oc, int64_t *full,
    int64_t *empty);
/* Objects cached on one CPU (loaded + previous rounds). */
int64_t objcache_cpu_rounds(const struct objcache *oc, int cpu);

#endif
