/*
 * kmalloc internals shared with objcache, mbufs and the tests; the rest
 * of the model uses kmalloc_ops through alloc.h only.
 *
 * Regular kmalloc (sys/kern/kern_slaballoc.c, dragonfly-vm.md 6): 128 KiB
 * zones ("slabs") per CPU and per size class, shared by every malloc type
 * on that CPU; a malloc type (an alloc_zone whose allocator is "kmalloc")
 * is its object size, its use and its limit.
 */
#ifndef MEMSIM_KMALLOC_H
#define MEMSIM_KMALLOC_H

#include <stdint.h>

#include "alloc.h"

/* sys/sys/slaballoc.h */
#define ZALLOC_ZONE_LIMIT	(16 * 1024)	/* max slab-managed size */
#define ZALLOC_MAX_ZONE_SIZE	(128 * 1024)	/* ZoneSize, RAM >= 256 KB */
#define NZONES			72
#define KMALLOC_SLZONE_HDR	112	/* sizeof(SLZone), x86_64, !INVARIANTS */
#define ZONE_RELS_THRESH	32	/* kern.zone_cache default */

/* kern.zone_cache: free zones kept per CPU; 0 at boot = by RAM, as
 * kmeminit() (:285-295) doubles it at 7, 15, 31, 63, 127 GiB. */
extern int kmalloc_zone_cache;

/*
 * zoneindex() (:638-693): the size class of `bytes`; *chunk gets the
 * chunk size, *align its alignment.  -1 for sizes kmalloc hands to
 * kmem_slab_alloc() directly (>= ZoneLimit, or whole pages > 2 pages).
 */
int kmalloc_zoneindex(int64_t bytes, int64_t *chunk, int64_t *align);
/* z_NMax of a 128 KiB zone of that chunk size (:1083-1099). */
int64_t kmalloc_zone_nmax(int64_t chunk, int64_t align);
/* kmalloc_raise_limit() (:566-575): ks_limit = max(ks_limit, bytes). */
void kmalloc_raise_limit(struct alloc_zone *type, int64_t bytes);

struct kmalloc_counts {
	int64_t zones;		/* zones on ZoneAry or full, all CPUs */
	int64_t free_zones;	/* FreeZones, all CPUs */
	int64_t oversize;	/* direct kmem_slab_alloc() mappings */
	int64_t pages;		/* wired pages of all of the above */
};
void kmalloc_counts(struct kmalloc_counts *c);
/* Pages of free zones (belonging to no malloc type), wired. */
int64_t kmalloc_free_zone_pages(void);

#endif
