/*
 * kmalloc: DragonFly's regular kernel malloc, the slab allocator of
 * sys/kern/kern_slaballoc.c (HEAD; dragonfly-vm.md 6), as an allocator
 * behind the alloc_ops interface.  Each alloc_zone is one malloc type
 * (M_MBUFCL, M_VNODE, ...): an object size, its use and its ks_limit.
 *
 * _kmalloc() (:815-1162): the ks_limit check (NULL with M_NULLOK, else
 * panic); only when the caller may block (M_RNOWAIT clear), release this
 * CPU's free zones above kern.zone_cache through kmem_slab_free() (the
 * lazy page return of :902-930); sizes >= ZoneLimit or whole pages above
 * two pages go to kmem_slab_alloc() directly (:942-958); the rest take a
 * chunk of the last zone of this CPU's ZoneAry[size class], else a zone
 * off this CPU's FreeZones, else kmem_slab_alloc(ZoneSize, ZoneSize,
 * flags) - the caller's flags, so M_NOWAIT maps to SYSTEM class without
 * cache recycling and fails, M_INTNOWAIT to SYSTEM|INTERRUPT, M_WAITOK to
 * NORMAL and sleeps (kmem.c, dragonfly-vm.md 5.4-5.5).  A new zone goes
 * to the head of ZoneAry.  _kfree(): a chunk back to its zone; a zone
 * that had no free chunk goes back to the head of ZoneAry; a zone that
 * is wholly free and not the only zone of its class moves to the head of
 * FreeZones (check_zone_free(), :732-748), where it stays wired until a
 * blocking kmalloc on that CPU releases it from the tail.
 *
 * Objects have no identity: a handle is the kmem_slab_alloc id of the
 * zone (or of the direct mapping).  Zones are shared by every malloc type
 * of a CPU; a zone's pages are charged to the type whose allocation made
 * or reused it, and to no type while on FreeZones.  Not modelled: remote
 * frees (a chunk freed on another CPU goes straight to its zone, as if the
 * IPI were served at once), oversized frees deferred from interrupt
 * threads (FreeOvZones: freed at once), ks_loosememuse batching (the exact
 * use is checked), M_ZERO.
 */
#include "kmalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core.h"
#include "../kmem.h"
#include "../vm_model.h"
#include "../xmalloc.h"

#define ZONE_PAGES	(ZALLOC_MAX_ZONE_SIZE / PAGE_SIZE)

int kmalloc_zone_cache;

enum kmz_where { KZ_NONE, KZ_ZONEARY, KZ_FULL, KZ_FREEZONES, KZ_OVERSIZE };

/* SLZone, by kmem id: what decides progress. */
struct kmz {
	uint32_t next, prev;
	int32_t nfree, nmax;
	int16_t cpu;
	uint8_t zi;
	uint8_t where;
	int32_t npages;
	struct alloc_zone *owner;	/* charged with the pages; NULL free */
};

struct kmlist {
	uint32_t head, tail;
	int64_t n;
};

/* SLGlobalData of one CPU. */
struct slgd {
	struct kmlist zoneary[NZONES];
	struct kmlist freezones;
};

/* One malloc type. */
struct kmtype {
	int zi;				/* -1: direct kmem_slab_alloc */
	int64_t chunk, align, nmax;
	int64_t ks_limit, memuse;
};

static struct kmz *kmz;
static uint32_t kmz_cap;
static struct slgd *slgd;
static int kncpus;
static unsigned booted_gen;

static void boot_check(void)
{
	int64_t ram;

	if (booted_gen == kmem_generation && slgd != NULL)
		return;
	free(slgd);
	free(kmz);
	kmz = NULL;
	kmz_cap = 0;
	kncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	slgd = xcalloc((size_t)kncpus, sizeof(*slgd));
	booted_gen = kmem_generation;
	/* kmeminit(): kern.zone_cache 32, doubled at 7, 15, 31 ... GiB */
	ram = vmstats.v_page_count * PAGE_SIZE;
	if (kmem_stats.kva_size < ram)
		ram = kmem_stats.kva_size;
	ram >>= 20;
	kmalloc_zone_cache = ZONE_RELS_THRESH;
	if (ram >= 7 * 1024)
		kmalloc_zone_cache *= 2;
	if (ram >= 15 * 1024)
		kmalloc_zone_cache *= 2;
	if (ram >= 31 * 1024)
		kmalloc_zone_cache *= 2;
	if (ram >= 63 * 1024)
		kmalloc_zone_cache *= 2;
	if (ram >= 127 * 1024)
		kmalloc_zone_cache *= 2;
}

static struct kmz *kz(uint32_t id)
{
	assert(id > 0 && id < kmz_cap);
	return &kmz[id];
}

static struct kmz *kz_make(uint32_t id)
{
	uint32_t ncap;

	if (id >= kmz_cap) {
		ncap = kmz_cap ? kmz_cap : 64;
		while (ncap <= id)
			ncap *= 2;
		kmz = xrealloc(kmz, sizeof(*kmz) * ncap);
		memset(&kmz[kmz_cap], 0, sizeof(*kmz) * (ncap - kmz_cap));
		kmz_cap = ncap;
	}
	return &kmz[id];
}

static int curcpu(void)
{
	struct core_thread *td = core_self();

	return td != NULL ? td->cpu % kncpus : 0;
}

/* ---- TAILQ-like lists of zones ------------------------------------------- */

static void l_insert_head(struct kmlist *l, uint32_t id, int where)
{
	struct kmz *z = kz(id);

	z->prev = 0;
	z->next = l->head;
	if (l->head != 0)
		kz(l->head)->prev = id;
	else
		l->tail = id;
	l->head = id;
	l->n++;
	z->where = (uint8_t)where;
}

static void l_remove(struct kmlist *l, uint32_t id)
{
	struct kmz *z = kz(id);

	if (z->prev != 0)
		kz(z->prev)->next = z->next;
	else
		l->head = z->next;
	if (z->next != 0)
		kz(z->next)->prev = z->prev;
	else
		l->tail = z->prev;
	z->next = z->prev = 0;
	z->where = KZ_NONE;
	l->n--;
}

/* ---- sizes ---------------------------------------------------------------- */

int kmalloc_zoneindex(int64_t n, int64_t *chunk, int64_t *align)
{
	static const struct { int64_t below, step; int base; } cls[] = {
		{ 128, 8, -1 }, { 256, 16, 7 }, { 512, 32, 15 },
		{ 1024, 64, 23 }, { 2048, 128, 31 }, { 4096, 256, 39 },
		{ 8192, 512, 47 }, { 16384, 1024, 55 },
	};
	size_t i;

	/* :942: ZoneLimit, or whole pages above two pages */
	if (n >= ZALLOC_ZONE_LIMIT || (n % PAGE_SIZE == 0 &&
	    n > 2 * PAGE_SIZE))
		return -1;
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		if (n < cls[i].below) {
			n = (n + cls[i].step - 1) / cls[i].step * cls[i].step;
			*chunk = n;
			*align = cls[i].step;
			return (int)(n / cls[i].step) + cls[i].base;
		}
	}
	return -1;
}

int64_t kmalloc_zone_nmax(int64_t chunk, int64_t align)
{
	int64_t off = KMALLOC_SLZONE_HDR;

	/* power-of-2 chunks are aligned to their size (:1091-1095) */
	if ((chunk & (chunk - 1)) == 0)
		align = chunk;
	off = (off + align - 1) / align * align;
	return (ZALLOC_MAX_ZONE_SIZE - off) / chunk;
}

void kmalloc_raise_limit(struct alloc_zone *type, int64_t bytes)
{
	struct kmtype *t = type->priv;

	if (t->ks_limit < bytes)
		t->ks_limit = bytes;
}

/* ---- set-up ----------------------------------------------------------------- */

static int km_init(struct alloc_zone *z, char *err, size_t errlen)
{
	struct kmtype *t = xcalloc(1, sizeof(*t));
	int64_t ram = vmstats.v_page_count * PAGE_SIZE;

	boot_check();
	z->priv = t;
	if (z->objsize == 0) {
		snprintf(err, errlen, "kmalloc %s: object size 0", z->name);
		return -1;
	}
	t->zi = kmalloc_zoneindex((int64_t)z->objsize, &t->chunk, &t->align);
	if (t->zi < 0) {
		t->chunk = ((int64_t)z->objsize + PAGE_SIZE - 1) / PAGE_SIZE *
		    PAGE_SIZE;
		t->nmax = 1;
	} else {
		t->nmax = kmalloc_zone_nmax(t->chunk, t->align);
	}
	/* ks_limit = min(physmem, KVA)/10 (:372) */
	t->ks_limit = (ram < kmem_stats.kva_size ? ram :
	    kmem_stats.kva_size) / 10;
	return 0;
}

static void charge(struct kmz *s, struct alloc_zone *owner)
{
	if (s->owner != NULL)
		s->owner->stats.pages -= s->npages;
	s->owner = owner;
	if (owner != NULL)
		owner->stats.pages += s->npages;
}

/* :902-930: this CPU's free zones above kern.zone_cache go back. */
static void release_free_zones(int cpu)
{
	struct slgd *g;
	uint32_t id;

	for (;;) {
		g = &slgd[cpu];
		if (g->freezones.n <= kmalloc_zone_cache)
			return;
		id = g->freezones.tail;
		l_remove(&g->freezones, id);
		kz(id)->npages = 0;
		kmem_slab_free(id);		/* may block */
		cpu = curcpu();
	}
}

static alloc_obj_t alloc_direct(struct alloc_zone *z, struct kmtype *t,
    int flags)
{
	uint32_t id = kmem_slab_alloc((size_t)t->chunk, PAGE_SIZE, flags,
	    &z->stats);
	struct kmz *s;

	if (id == 0) {
		kmem_slab_need(&z->need, "kmalloc (oversized)",
		    (size_t)t->chunk, flags);
		return 0;
	}
	s = kz_make(id);
	memset(s, 0, sizeof(*s));
	s->nmax = 1;
	s->nfree = 0;
	s->cpu = (int16_t)curcpu();
	s->where = KZ_OVERSIZE;
	s->npages = kmem_slab_npages(id);
	charge(s, z);
	return id;
}

static alloc_obj_t km_alloc(struct alloc_zone *z, int flags)
{
	struct kmtype *t = z->priv;
	struct slgd *g;
	struct kmz *s;
	uint32_t id;
	int cpu;

	/* the ks_limit check (:863-880) */
	if (t->memuse + t->chunk > t->ks_limit) {
		if (flags & M_NULLOK)
			return 0;
		vm_panic("%s: malloc limit exceeded", z->name);
	}
	if (!(flags & M_RNOWAIT))
		release_free_zones(curcpu());
	if (t->zi < 0) {
		id = alloc_direct(z, t, flags);
		goto done;
	}
	cpu = curcpu();
	g = &slgd[cpu];
	id = g->zoneary[t->zi].tail;
	if (id != 0) {
		s = kz(id);
		if (--s->nfree == 0) {
			l_remove(&g->zoneary[t->zi], id);
			s->where = KZ_FULL;
		}
		goto done;
	}
	/* a free zone of this CPU, else a new one (:1064-1073) */
	id = g->freezones.head;
	if (id != 0) {
		l_remove(&g->freezones, id);
	} else {
		id = kmem_slab_alloc(ZALLOC_MAX_ZONE_SIZE,
		    ZALLOC_MAX_ZONE_SIZE, flags, &z->stats);
		if (id == 0) {
			kmem_slab_need(&z->need, "kmalloc: a new zone",
			    ZALLOC_MAX_ZONE_SIZE, flags);
			return 0;
		}
		cpu = curcpu();		/* it may have slept */
		g = &slgd[cpu];
		s = kz_make(id);
		memset(s, 0, sizeof(*s));
		s->npages = kmem_slab_npages(id);
	}
	s = kz(id);
	s->cpu = (int16_t)cpu;
	s->zi = (uint8_t)t->zi;
	s->nmax = (int32_t)t->nmax;
	s->nfree = s->nmax - 1;
	charge(s, z);
	if (s->nfree > 0)
		l_insert_head(&g->zoneary[t->zi], id, KZ_ZONEARY);
	else
		s->where = KZ_FULL;
done:
	if (id != 0)
		t->memuse += t->chunk;
	return id;
}

static void km_free(struct alloc_zone *z, alloc_obj_t obj)
{
	struct kmtype *t = z->priv;
	struct kmz *s = kz(obj);
	struct slgd *g;

	t->memuse -= t->chunk;
	if (s->where == KZ_OVERSIZE) {
		charge(s, NULL);
		s->where = KZ_NONE;
		kmem_slab_free(obj);		/* may block */
		return;
	}
	assert(s->nfree < s->nmax);
	g = &slgd[s->cpu];
	if (s->nfree++ == 0)
		l_insert_head(&g->zoneary[s->zi], obj, KZ_ZONEARY);
	/* check_zone_free(): wholly free and not the only zone listed */
	if (s->nfree == s->nmax && (g->zoneary[s->zi].head != obj ||
	    s->next != 0)) {
		l_remove(&g->zoneary[s->zi], obj);
		charge(s, NULL);
		l_insert_head(&g->freezones, obj, KZ_FREEZONES);
	}
}

void kmalloc_counts(struct kmalloc_counts *c)
{
	uint32_t id;

	memset(c, 0, sizeof(*c));
	boot_check();
	for (id = 1; id < kmz_cap; id++) {
		const struct kmz *s = &kmz[id];

		if (s->where == KZ_NONE || kmem_slab_npages(id) == 0)
			continue;
		if (s->where == KZ_FREEZONES)
			c->free_zones++;
		else if (s->where == KZ_OVERSIZE)
			c->oversize++;
		else
			c->zones++;
		c->pages += s->npages;
	}
}

int64_t kmalloc_free_zone_pages(void)
{
	int64_t n = 0;
	int c;

	boot_check();
	for (c = 0; c < kncpus; c++)
		n += slgd[c].freezones.n * ZONE_PAGES;
	return n;
}

static int km_describe(const struct alloc_zone *z, char *buf, size_t len)
{
	const struct kmtype *t = z->priv;
	struct kmalloc_counts c;

	kmalloc_counts(&c);
	return snprintf(buf, len, "kmalloc %s: %lld-byte chunks (%lld per "
	    "zone), %lld in use, limit %lld bytes; all types: %lld zones, "
	    "%lld free zones, %lld direct", z->name, (long long)t->chunk,
	    (long long)t->nmax, (long long)z->stats.inuse,
	    (long long)t->ks_limit, (long long)c.zones,
	    (long long)c.free_zones, (long long)c.oversize);
}

static void km_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	struct kmalloc_counts c;

	kmalloc_counts(&c);
	emit(ctx, "kmalloc_zones", c.zones);
	emit(ctx, "kmalloc_free_zones", c.free_zones);
	emit(ctx, "kmalloc_pages", c.pages);
	emit(ctx, "zone_inuse", z->stats.inuse);
	emit(ctx, "kva_used", kmem_stats.kva_used);
	emit(ctx, "kernel_pt_pages", kmem_stats.pt_pages);
}

/* the swap pager's M_INTNOWAIT: SYSTEM|INTERRUPT pages */
static int km_class(const struct alloc_zone *z)
{
	(void)z;
	return VM_ALLOC_SYSTEM | VM_ALLOC_INTERRUPT;
}

const struct alloc_ops kmalloc_ops = {
	.name = "kmalloc",
	.init = km_init,
	.alloc = km_alloc,
	.free = km_free,
	.describe = km_describe,
	.counters = km_counters,
	.reclaimable = alloc_reclaim_none,	/* no poll: FreeZones go back
						 * only in a blocking kmalloc */
	/*
	 * M_RNOWAIT never sleeps for pages; it could still sleep in the
	 * map-entry reserve (5.4 step 1), but only with the MAP ENTRY pool
	 * empty, which the contract's F = 0 case does not reach.
	 */
	.nowait_may_sleep = 0,
	.page_class = km_class,
};
