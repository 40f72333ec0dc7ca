/*
 * kmalloc_obj: DragonFly's type-stable object allocator
 * (sys/kern/kern_kmalloc.c, sys/sys/_malloc.h; dragonfly-vm.md 5.1-5.6),
 * as a SWAPMETA (or any kernel zone) allocator, and the kmalloc_poller
 * thread that services it (kern_slaballoc.c:475-526).
 *
 * A zone has per-CPU active and alternate slabs and three global lists
 * (ggm = type->ks_mgt).  _kmalloc_obj() (HEAD :680-922) tries active,
 * alternate, ggm->partial, ggm->full, up to 16 slabs of ggm->empty
 * (malloc_mgt_poll_empty_locked), this CPU's gd_kmslab cache, and last
 * kmem_slab_alloc(128 KiB, 128 KiB, M_WAITOK) - the caller's flags are
 * not passed, so every allocation may sleep there (:836-839, the "line
 * 821" of the May-2021 post).  _kfree_obj() only bumps the slab's free
 * count: slabs are re-sorted lazily, by the allocator when a CPU runs dry
 * and by the poller, which also retires fully free slabs beyond
 * KMALLOC_MAXFREEMAGS per zone, at most kern.kzone_bretire per visit,
 * into the originating CPU's gd_kmslab cache (<= kern.kzone_cache slabs,
 * shared by every kmalloc_obj zone) and kmem_slab_free()s the rest
 * (malloc_mgt_poll(), HEAD :514-614; gslab_cache()).
 *
 * A slab is its free count: objects have no identity, an object handle
 * is the id of its slab (the kmem_slab_alloc id).  Not modelled: the
 * ks_loosememuse batching (the limit check uses the exact use), EXIS
 * grace periods (a fully free slab is retirable at once), races between
 * a free and the allocator, remote_free_slabs (a slab cached for another
 * CPU goes straight onto that CPU's list).
 */
#include "kmalloc_obj.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core.h"
#include "../kmem.h"
#include "../vm_model.h"
#include "../xmalloc.h"

#define SLAB_PAGES		(KMALLOC_SLAB_SIZE / PAGE_SIZE)
/* kmalloc_poller: hz/kern.kzone_pollfreq + 1 ticks, about a second */
#define KMALLOC_POLL_INTERVAL	1.0

int kzone_cache = KMGD_MAXFREESLABS;
int kzone_bretire = 4;
int kmalloc_poller_idle_types;

/* Where a slab is. */
enum kmo_where {
	KS_NONE, KS_ACTIVE, KS_ALTERNATE, KS_PARTIAL, KS_FULL, KS_EMPTY,
	KS_GCACHE,
};

/* struct kmalloc_slab, reduced to what decides progress. */
struct kmslab {
	uint32_t next;			/* list link; 0 ends */
	int32_t nfree;			/* findex - aindex */
	int32_t ncount;			/* objects per slab */
	int16_t orig_cpuid;
	uint8_t where;			/* enum kmo_where */
	uint8_t reserved;		/* the reserve layer's, on ggm->full */
	const struct alloc_zone *type;	/* NULL in gd_kmslab */
};

struct kmo_list {
	uint32_t head, tail;
	int64_t n;
};

/*
 * struct kmalloc_mgt of the zone ("ggm") plus the per-CPU mgt slabs.
 * DragonFly's list names are inverted relative to intuition
 * (malloc_mgt_poll_empty_locked(), _malloc.h): a slab on `full` is full of
 * FREE objects (entirely unallocated), a slab on `empty` has NO free
 * object (fully allocated, or so it was when it was put there), `partial`
 * is in between.
 */
struct kmo_zone {
	int ncpus;
	int64_t objsize;		/* rounded up to a cache line */
	int64_t ncount;			/* mgt->slab_count */
	int64_t ks_limit;		/* bytes in use before panic */
	struct kmo_list partial, full, empty;
	int64_t nreserved;		/* reserved slabs on `full` (tail) */
	int64_t nslabs;			/* owned: per-CPU and on lists */
	int poll_donext;		/* malloc_mgt_poll()'s return */
	uint32_t pcpu[];		/* [2c] active, [2c+1] alternate */
};

/* Type-agnostic state: every slab by kmem id, and gd_kmslab per CPU. */
struct gdslab {
	uint32_t *ids;
	int n, cap;
};
static struct kmslab *kslab;
static uint32_t kslab_cap;
static struct gdslab *gd_kmslab;
static int gd_ncpus;
static unsigned booted_gen;
static struct core_chan chan_kmpoll;

static void boot_check(void)
{
	int c;

	if (booted_gen == kmem_generation && gd_kmslab != NULL)
		return;
	if (gd_kmslab != NULL)
		for (c = 0; c < gd_ncpus; c++)
			free(gd_kmslab[c].ids);
	free(gd_kmslab);
	free(kslab);
	kslab = NULL;
	kslab_cap = 0;
	gd_ncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	gd_kmslab = xcalloc((size_t)gd_ncpus, sizeof(*gd_kmslab));
	booted_gen = kmem_generation;
}

static struct kmslab *ks(uint32_t id)
{
	assert(id > 0 && id < kslab_cap);
	return &kslab[id];
}

static struct kmslab *ks_make(uint32_t id)
{
	uint32_t ncap;

	if (id >= kslab_cap) {
		ncap = kslab_cap ? kslab_cap : 64;
		while (ncap <= id)
			ncap *= 2;
		kslab = xrealloc(kslab, sizeof(*kslab) * ncap);
		memset(&kslab[kslab_cap], 0, sizeof(*kslab) *
		    (ncap - kslab_cap));
		kslab_cap = ncap;
	}
	return &kslab[id];
}

static int curcpu(const struct kmo_zone *kz)
{
	struct core_thread *td = core_self();

	return td != NULL ? td->cpu % kz->ncpus : 0;
}

static void sync_pages(struct alloc_zone *z)
{
	const struct kmo_zone *kz = z->priv;

	assert(kz->nslabs >= 0);
	z->stats.pages = kz->nslabs * SLAB_PAGES;
}

/* ---- lists ------------------------------------------------------------ */

static void list_push_head(struct kmo_list *l, uint32_t id, int where)
{
	ks(id)->next = l->head;
	ks(id)->where = (uint8_t)where;
	l->head = id;
	if (l->tail == 0)
		l->tail = id;
	l->n++;
}

static void list_push_tail(struct kmo_list *l, uint32_t id, int where)
{
	ks(id)->next = 0;
	ks(id)->where = (uint8_t)where;
	if (l->tail != 0)
		ks(l->tail)->next = id;
	else
		l->head = id;
	l->tail = id;
	l->n++;
}

static uint32_t list_pop_head(struct kmo_list *l)
{
	uint32_t id = l->head;

	if (id == 0)
		return 0;
	l->head = ks(id)->next;
	if (l->head == 0)
		l->tail = 0;
	ks(id)->next = 0;
	ks(id)->where = KS_NONE;
	l->n--;
	return id;
}

/* ---- gd_kmslab ---------------------------------------------------------- */

/* gslab_alloc(): this CPU's cache of type-less free slabs. */
static uint32_t gslab_alloc(int cpu)
{
	struct gdslab *g = &gd_kmslab[cpu % gd_ncpus];

	return g->n > 0 ? g->ids[--g->n] : 0;
}

/* gslab_cache() of one slab: its CPU's cache if below kern.kzone_cache. */
static int gslab_cache(uint32_t id)
{
	struct kmslab *s = ks(id);
	struct gdslab *g = &gd_kmslab[s->orig_cpuid % gd_ncpus];

	if (g->n >= kzone_cache)
		return 0;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->ids = xrealloc(g->ids, sizeof(*g->ids) * (size_t)g->cap);
	}
	g->ids[g->n++] = id;
	s->type = NULL;
	s->where = KS_GCACHE;
	return 1;
}

int64_t kmo_gd_kmslab(int cpu)
{
	boot_check();
	return gd_kmslab[cpu % gd_ncpus].n;
}

/* ---- set-up ------------------------------------------------------------- */

/* malloc_mgt_init(), HEAD :270-321 (the count loop of HEAD). */
int64_t kmalloc_obj_count(int64_t objsize)
{
	int64_t size = (objsize + KMALLOC_CACHELINE - 1) / KMALLOC_CACHELINE *
	    KMALLOC_CACHELINE;
	int64_t count, offset;

	count = (KMALLOC_SLAB_SIZE - KMALLOC_SLAB_HDR) / (size + 8);
	for (;;) {
		offset = (KMALLOC_SLAB_HDR + 8 * count + KMALLOC_CACHELINE -
		    1) / KMALLOC_CACHELINE * KMALLOC_CACHELINE;
		if (count <= 0 || offset + size * count <= KMALLOC_SLAB_SIZE)
			return count;
		count--;
	}
}

int kmo_init(struct alloc_zone *z, char *err, size_t errlen)
{
	int ncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	struct kmo_zone *kz = xcalloc(1, sizeof(*kz) +
	    sizeof(kz->pcpu[0]) * 2 * (size_t)ncpus);
	int64_t ram = vmstats.v_page_count * PAGE_SIZE;

	boot_check();
	z->priv = kz;
	kz->ncpus = ncpus;
	kz->objsize = ((int64_t)z->objsize + KMALLOC_CACHELINE - 1) /
	    KMALLOC_CACHELINE * KMALLOC_CACHELINE;
	kz->ncount = kmalloc_obj_count((int64_t)z->objsize);
	if (z->objsize == 0 || kz->ncount <= 0) {
		snprintf(err, errlen, "kmalloc_obj %s: a %llu-byte object "
		    "does not fit a %d KiB slab", z->name,
		    (unsigned long long)z->objsize, KMALLOC_SLAB_SIZE / 1024);
		return -1;
	}
	/* ks_limit = min(physmem, KVA)/10, kern_slaballoc.c:372 */
	kz->ks_limit = (ram < kmem_stats.kva_size ? ram :
	    kmem_stats.kva_size) / 10;
	kz->poll_donext = 1;
	return 0;
}

/* ---- _kmalloc_obj() ------------------------------------------------------- */

/* A slab from a ggm list becomes active; old alternate -> ggm->empty. */
static void rotate_in(struct kmo_zone *kz, int cpu, uint32_t id)
{
	uint32_t old_alt = kz->pcpu[2 * cpu + 1];

	kz->pcpu[2 * cpu + 1] = kz->pcpu[2 * cpu];
	if (kz->pcpu[2 * cpu + 1] != 0)
		ks(kz->pcpu[2 * cpu + 1])->where = KS_ALTERNATE;
	kz->pcpu[2 * cpu] = id;
	ks(id)->next = 0;
	ks(id)->where = KS_ACTIVE;
	if (old_alt != 0)
		list_push_tail(&kz->empty, old_alt, KS_EMPTY);
}

/*
 * malloc_mgt_poll_empty_locked(), HEAD :441-506: up to `count` slabs of
 * ggm->empty go to full or partial by their free count; slabs still
 * without a free object rotate to the tail.  1 if anything moved.
 */
static int poll_empty(struct kmo_zone *kz, int count)
{
	uint32_t marker = kz->empty.head, id;
	int got = 0;
	struct kmslab *s;

	while (count-- > 0 && (id = list_pop_head(&kz->empty)) != 0) {
		s = ks(id);
		if (s->nfree == s->ncount) {
			list_push_head(&kz->full, id, KS_FULL);
			got = 1;
		} else if (s->nfree > 0) {
			list_push_head(&kz->partial, id, KS_PARTIAL);
			got = 1;
		} else {
			list_push_tail(&kz->empty, id, KS_EMPTY);
			if (kz->empty.head == marker)
				break;
		}
	}
	return got;
}

/*
 * A fully free slab off ggm->full.  Unreserved slabs sit before the
 * reserved ones, so the head is reserved only when all are.
 */
static uint32_t full_take(struct kmo_zone *kz, int may_take_reserved,
    int *how)
{
	uint32_t id = kz->full.head;

	if (id == 0)
		return 0;
	if (ks(id)->reserved) {
		if (!may_take_reserved)
			return 0;
		ks(id)->reserved = 0;
		kz->nreserved--;
		*how |= KMO_TOOK_RESERVED;
	}
	return list_pop_head(&kz->full);
}

static void slab_setup(struct alloc_zone *z, uint32_t id, int cpu)
{
	struct kmo_zone *kz = z->priv;
	struct kmslab *s = ks_make(id);

	s->next = 0;
	s->ncount = (int32_t)kz->ncount;
	s->nfree = s->ncount;
	s->orig_cpuid = (int16_t)cpu;
	s->type = z;
	s->reserved = 0;
	s->where = KS_NONE;
	kz->nslabs++;
	sync_pages(z);
}

alloc_obj_t kmo_alloc(struct alloc_zone *z, int flags, int mode, int *howp)
{
	struct kmo_zone *kz = z->priv;
	int cpu = curcpu(kz), how = 0;
	uint32_t id, tmp;

	/* the ks_limit check (HEAD :694-707) */
	if (z->stats.inuse * kz->objsize >= kz->ks_limit) {
		if (flags & M_NULLOK)
			return 0;
		vm_panic("%s: malloc limit exceeded", z->name);
	}
	for (;;) {
		/* a. active */
		id = kz->pcpu[2 * cpu];
		if (id != 0 && ks(id)->nfree > 0)
			break;
		/* b. alternate: swap with active */
		id = kz->pcpu[2 * cpu + 1];
		if (id != 0 && ks(id)->nfree > 0) {
			tmp = kz->pcpu[2 * cpu];
			kz->pcpu[2 * cpu] = id;
			ks(id)->where = KS_ACTIVE;
			kz->pcpu[2 * cpu + 1] = tmp;
			if (tmp != 0)
				ks(tmp)->where = KS_ALTERNATE;
			break;
		}
		/* c, d. rerotate: ggm->partial, then ggm->full */
		for (;;) {
			id = list_pop_head(&kz->partial);
			if (id == 0)
				id = full_take(kz,
				    mode & KMO_MAY_TAKE_RESERVED, &how);
			if (id != 0 || !poll_empty(kz, KMALLOC_POLL_EMPTY))
				break;
		}
		if (id == 0) {
			/* e. this CPU's gd_kmslab, else a new slab (sleeps) */
			id = gslab_alloc(cpu);
			if (id == 0 && (mode & KMO_SLAB_CALLER_FLAGS)) {
				id = kmem_slab_alloc(KMALLOC_SLAB_SIZE,
				    KMALLOC_SLAB_SIZE, flags, &z->stats);
				if (id == 0) {
					if (howp != NULL)
						*howp = how;
					return 0;
				}
			}
			if (id == 0)
				id = kmem_slab_alloc(KMALLOC_SLAB_SIZE,
				    KMALLOC_SLAB_SIZE, M_WAITOK, &z->stats);
			assert(id != 0);	/* M_WAITOK: panic, not NULL */
			how |= KMO_NEW_SLAB;
			/* f. all objects free, rotated in */
			slab_setup(z, id, cpu);
		}
		rotate_in(kz, cpu, id);
	}
	ks(id)->nfree--;
	if (howp != NULL)
		*howp = how;
	return id;
}

/* _kfree_obj(), HEAD :926-971: one more free object, no list change. */
void kmo_free(struct alloc_zone *z, alloc_obj_t obj)
{
	struct kmslab *s = ks(obj);

	assert(s->type == z && s->nfree < s->ncount);
	(void)z;
	s->nfree++;
}

/* ---- malloc_mgt_poll() ------------------------------------------------------ */

void kmo_poll(struct alloc_zone *z)
{
	struct kmo_zone *kz = z->priv;
	uint32_t retired[64], id, prev = 0, next;
	int64_t count;
	int nretired = 0, bretire = kzone_bretire, i;
	struct kmslab *s;

	if (bretire > (int)(sizeof(retired) / sizeof(retired[0])))
		bretire = (int)(sizeof(retired) / sizeof(retired[0]));
	poll_empty(kz, KMALLOC_POLL_EMPTY);
	/* memsim: reserved slabs are neither counted nor retired */
	count = kz->full.n - kz->nreserved;
	kz->poll_donext = 1;
	if (count > KMALLOC_MAXFREEMAGS) {
		count -= KMALLOC_MAXFREEMAGS;
		if (count > 16)
			count = 16;
		id = kz->full.head;
		while (count > 0 && id != 0) {
			s = ks(id);
			next = s->next;
			if (!s->reserved && s->nfree == s->ncount &&
			    bretire > 0) {
				if (prev != 0)
					ks(prev)->next = next;
				else
					kz->full.head = next;
				if (kz->full.tail == id)
					kz->full.tail = prev;
				kz->full.n--;
				s->next = 0;
				s->where = KS_NONE;
				retired[nretired++] = id;
				id = next;
				if (nretired == bretire)
					break;
			} else {
				prev = id;
				id = next;
			}
			count--;
		}
		kz->poll_donext = id == 0;
	}
	kz->nslabs -= nretired;
	sync_pages(z);
	/* gslab_cache(), then kmem_slab_free() the rest (may sleep) */
	for (i = 0; i < nretired; i++)
		if (!gslab_cache(retired[i]))
			kmem_slab_free(retired[i]);
}

/*
 * What kmo_poll() could ever give back without an object being freed:
 * the pages of every unreserved slab of the zone with all objects free
 * (those in gd_kmslab are only reused, never freed).
 */
int64_t kmo_reclaimable(const struct alloc_zone *z)
{
	int64_t n = 0;
	uint32_t id;

	for (id = 1; id < kslab_cap; id++) {
		const struct kmslab *s = &kslab[id];
		if (s->type == z && !s->reserved && s->nfree == s->ncount)
			n += kmem_slab_npages(id);
	}
	return n;
}

/* ---- the reserve layer's hooks ------------------------------------------------ */

void kmo_reserve_install(struct alloc_zone *z, uint32_t kmem_id)
{
	struct kmo_zone *kz = z->priv;

	slab_setup(z, kmem_id, curcpu(kz));
	ks(kmem_id)->reserved = 1;
	list_push_tail(&kz->full, kmem_id, KS_FULL);
	kz->nreserved++;
}

int64_t kmo_reserve_level(const struct alloc_zone *z)
{
	const struct kmo_zone *kz = z->priv;

	return kz->nreserved;
}

/* ---- forensics -------------------------------------------------------------- */

void kmo_counts(const struct alloc_zone *z, struct kmo_counts *c)
{
	const struct kmo_zone *kz = z->priv;
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < kz->ncpus; i++) {
		c->active += kz->pcpu[2 * i] != 0;
		c->alternate += kz->pcpu[2 * i + 1] != 0;
	}
	c->partial = kz->partial.n;
	c->full = kz->full.n;
	c->empty = kz->empty.n;
	c->reserved = kz->nreserved;
	c->slabs = kz->nslabs;
	for (i = 0; i < gd_ncpus; i++)
		c->gd_kmslab += gd_kmslab[i].n;
	c->objs_per_slab = kz->ncount;
}

static int pcpu_free(const struct kmo_zone *kz, uint32_t id, char *buf,
    size_t len)
{
	if (id == 0)
		return snprintf(buf, len, "-");
	return snprintf(buf, len, "%d", kslab[id].nfree);
}

int kmo_describe(const struct alloc_zone *z, char *buf, size_t len)
{
	const struct kmo_zone *kz = z->priv;
	struct kmo_counts c;
	char a[16], b[16];
	size_t pos;
	int i;

	kmo_counts(z, &c);
	pos = (size_t)snprintf(buf, len, "kmalloc_obj %s: active/alternate "
	    "per CPU (free objects)", z->name);
	for (i = 0; i < kz->ncpus && i < 8 && pos < len; i++) {
		pcpu_free(kz, kz->pcpu[2 * i], a, sizeof(a));
		pcpu_free(kz, kz->pcpu[2 * i + 1], b, sizeof(b));
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%d:%s/%s",
		    i ? " " : " [", i, a, b);
	}
	if (pos < len)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s], partial "
		    "%lld, full %lld (all free), empty %lld (none free), "
		    "gd_kmslab %lld; %lld objects per slab, %lld slabs, %lld "
		    "in use", kz->ncpus > 8 ? " ..." : "",
		    (long long)c.partial, (long long)c.full,
		    (long long)c.empty, (long long)c.gd_kmslab,
		    (long long)c.objs_per_slab, (long long)c.slabs,
		    (long long)z->stats.inuse);
	return (int)pos;
}

void kmo_counters(const struct alloc_zone *z,
    void (*emit)(void *ctx, const char *name, int64_t v), void *ctx)
{
	struct kmo_counts c;

	kmo_counts(z, &c);
	emit(ctx, "kmo_active_slabs", c.active);
	emit(ctx, "kmo_alternate_slabs", c.alternate);
	emit(ctx, "kmo_partial", c.partial);
	emit(ctx, "kmo_full_all_free", c.full);
	emit(ctx, "kmo_empty_none_free", c.empty);
	emit(ctx, "kmo_slabs", c.slabs);
	emit(ctx, "kmo_objs_per_slab", c.objs_per_slab);
	emit(ctx, "gd_kmslab", c.gd_kmslab);
	emit(ctx, "zone_inuse", z->stats.inuse);
	emit(ctx, "kva_used", kmem_stats.kva_used);
	emit(ctx, "kva_peak", kmem_stats.kva_peak);
	emit(ctx, "kernel_pt_pages", kmem_stats.pt_pages);
	emit(ctx, "mapent_pool", kmem_stats.mapent_free);
}

/* ---- the kmalloc_obj allocator ------------------------------------------------ */

static alloc_obj_t kmalloc_obj(struct alloc_zone *z, int flags)
{
	return kmo_alloc(z, flags, KMO_MAY_TAKE_RESERVED, NULL);
}

static int kmalloc_obj_class(const struct alloc_zone *z)
{
	(void)z;
	return VM_ALLOC_NORMAL;	/* kmem_slab_alloc(M_WAITOK) */
}

const struct alloc_ops kmalloc_obj_ops = {
	.name = "kmalloc_obj",
	.init = kmo_init,
	.alloc = kmalloc_obj,
	.free = kmo_free,
	.poll = kmo_poll,
	.reclaimable = kmo_reclaimable,
	.describe = kmo_describe,
	.counters = kmo_counters,
	.nowait_may_sleep = 1,
	.page_class = kmalloc_obj_class,
};

/* ---- kmalloc_poller ----------------------------------------------------------- */

/*
 * kern_slaballoc.c:475-526: wake about once a second, service one malloc
 * type, round-robin over all of them; a type whose malloc_mgt_poll() says
 * "not done" (more full slabs beyond its scan) keeps the next turn.
 * Zones without a poll (zalloc) and kmalloc_poller_idle_types stand for
 * the kernel's other malloc types: they only consume a wake-up.
 */
static void kmalloc_poller(struct core_thread *td)
{
	struct alloc_zone *z;
	int turn = 0, nz, i, donext;

	(void)td;
	for (;;) {
		static const struct core_need tick = {
			.kind = CORE_NEED_TIMER,
			.what = "kmalloc_poller: its next wake-up (about 1 s)" };

		core_wait_need(&chan_kmpoll, NULL, KMALLOC_POLL_INTERVAL, &tick);
		nz = 0;
		for (z = alloc_zones(); z != NULL; z = z->next)
			nz++;
		if (nz + kmalloc_poller_idle_types <= 0)
			continue;
		turn %= nz + kmalloc_poller_idle_types;
		donext = 1;
		if (turn < nz) {
			z = alloc_zones();
			for (i = 0; i < turn; i++)
				z = z->next;
			if (z->ops->poll != NULL) {
				z->ops->poll(z);
				if (z->ops->poll == kmo_poll)
					donext = ((struct kmo_zone *)
					    z->priv)->poll_donext;
			}
		}
		if (donext)
			turn++;
	}
}

void kmalloc_poller_start(void)
{
	struct alloc_zone *z;

	for (z = alloc_zones(); z != NULL; z = z->next)
		if (z->ops->poll != NULL)
			break;
	if (z == NULL)
		return;
	core_chan_init(&chan_kmpoll, "kmalloc_poller");
	core_spawn("kmalloc_poller", CORE_KTHREAD, 0, kmalloc_poller,
	    NULL)->role = CORE_ROLE_KMPOLL;
}
