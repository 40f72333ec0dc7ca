/*
 * objcache: see objcache.h.  Mirrors sys/kern/kern_objcache.c (HEAD):
 * objcache_create() :213-352, objcache_get() :427-565,
 * objcache_malloc_alloc()/free() :571-599, objcache_put() :620-718.
 *
 * Magazines are made once, at create time, as the kernel makes them
 * (mag_alloc(), M_INTWAIT); their own few KiB of kernel memory are not
 * counted.  One NUMA cluster (MAXCLUSTERS = 1), as in the kernel.
 */
#include "objcache.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "vm_model.h"
#include "xmalloc.h"

#define MAGAZINE_HDRSIZE	16	/* offsetof(struct magazine, objects) */
#define CACHELINE		64

struct magazine {
	int rounds, capacity;
	uint32_t *objects;
};

struct objcache {
	char name[64];
	objcache_ctor_fn *ctor;
	objcache_dtor_fn *dtor;
	void *privdata;
	struct alloc_zone *mtype;
	int ncpus;
	int magcapacity;
	int64_t unallocated_objects, cluster_limit;
	struct magazine *mags;		/* all of them */
	int nmags;
	int *loaded, *previous;		/* per CPU: index into mags */
	int *full, *empty;		/* depot stacks (SLIST heads first) */
	int nfull, nempty;
	struct oc_obj *objs;		/* by object id; 0 unused */
	uint32_t nobjs, objs_cap;
	uint32_t *free_ids;
	uint32_t nfree_ids;
	int exhausted_noted;
	struct objcache_stats st;
};

/* mag_capacity_align(): the magazine a whole number of cache lines. */
static int mag_capacity_align(int cap)
{
	int size = MAGAZINE_HDRSIZE + cap * 8;

	size = (size + CACHELINE - 1) / CACHELINE * CACHELINE;
	return (size - MAGAZINE_HDRSIZE) / 8;
}

static int curcpu(const struct objcache *oc)
{
	return core_curcpu() % oc->ncpus;
}

struct objcache *objcache_create(const char *name, int64_t cluster_limit,
    int64_t nom_cache, objcache_ctor_fn *ctor, objcache_dtor_fn *dtor,
    void *privdata, struct alloc_zone *mtype)
{
	struct objcache *oc = xcalloc(1, sizeof(*oc));
	int cap, nmagdepot, i, c, capmin, capmax;

	snprintf(oc->name, sizeof(oc->name), "%s", name);
	oc->ctor = ctor;
	oc->dtor = dtor;
	oc->privdata = privdata;
	oc->mtype = mtype;
	oc->ncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	if (nom_cache == 0)
		nom_cache = cluster_limit / 2;
	if (cluster_limit && nom_cache > cluster_limit)
		nom_cache = cluster_limit;
	if (nom_cache == 0)
		nom_cache = INITIAL_MAG_CAPACITY * 2;
	capmin = mag_capacity_align(MAGAZINE_CAPACITY_MIN);
	capmax = mag_capacity_align(MAGAZINE_CAPACITY_MAX);
	cap = mag_capacity_align((int)(nom_cache / (oc->ncpus + 1) / 2 + 1));
	if (cap > capmax)
		cap = capmax;
	else if (cap < capmin)
		cap = capmin;
	oc->magcapacity = cap;
	/* OBJCACHE_UNLIMITED is ~1e9 objects */
	oc->unallocated_objects = cluster_limit == 0 ? 1000000000 :
	    (int64_t)oc->ncpus * cap * 2 + cluster_limit;
	oc->cluster_limit = cluster_limit;
	nmagdepot = (int)(nom_cache / cap + 1);
	if (nmagdepot < 2)
		nmagdepot = 2;
	oc->nmags = 2 * oc->ncpus + nmagdepot;
	oc->mags = xcalloc((size_t)oc->nmags, sizeof(*oc->mags));
	for (i = 0; i < oc->nmags; i++) {
		oc->mags[i].capacity = cap;
		oc->mags[i].objects = xcalloc((size_t)cap, sizeof(uint32_t));
	}
	oc->loaded = xcalloc((size_t)oc->ncpus, sizeof(int));
	oc->previous = xcalloc((size_t)oc->ncpus, sizeof(int));
	for (c = 0; c < oc->ncpus; c++) {
		oc->loaded[c] = 2 * c;
		oc->previous[c] = 2 * c + 1;
	}
	oc->full = xcalloc((size_t)oc->nmags, sizeof(int));
	oc->empty = xcalloc((size_t)oc->nmags, sizeof(int));
	for (i = 2 * oc->ncpus; i < oc->nmags; i++)
		oc->empty[oc->nempty++] = i;
	return oc;
}

void objcache_destroy(struct objcache *oc)
{
	int i;

	if (oc == NULL)
		return;
	for (i = 0; i < oc->nmags; i++)
		free(oc->mags[i].objects);
	free(oc->mags);
	free(oc->loaded);
	free(oc->previous);
	free(oc->full);
	free(oc->empty);
	free(oc->objs);
	free(oc->free_ids);
	free(oc);
}

static uint32_t obj_new(struct objcache *oc)
{
	uint32_t id;

	if (oc->nfree_ids > 0) {
		id = oc->free_ids[--oc->nfree_ids];
	} else {
		if (oc->nobjs + 1 >= oc->objs_cap) {
			oc->objs_cap = oc->objs_cap ? oc->objs_cap * 2 : 256;
			oc->objs = xrealloc(oc->objs, sizeof(*oc->objs) *
			    oc->objs_cap);
			oc->free_ids = xrealloc(oc->free_ids,
			    sizeof(*oc->free_ids) * oc->objs_cap);
		}
		id = ++oc->nobjs;
	}
	memset(&oc->objs[id], 0, sizeof(oc->objs[id]));
	return id;
}

static void obj_release(struct objcache *oc, uint32_t id)
{
	oc->free_ids[oc->nfree_ids++] = id;
}

/* objcache_malloc_alloc() + ctor: a new object, or 0. */
static uint32_t construct(struct objcache *oc, int ocflags)
{
	uint32_t id = obj_new(oc);
	struct oc_obj *o = &oc->objs[id];

	o->mem = alloc_request(oc->mtype, ocflags);
	if (o->mem != 0) {
		if (oc->ctor == NULL || oc->ctor(oc, &oc->objs[id], ocflags)) {
			oc->st.objects++;
			return id;
		}
		alloc_release(oc->mtype, oc->objs[id].mem);
	}
	obj_release(oc, id);
	return 0;
}

/* dtor + objcache_malloc_free() */
static void destruct(struct objcache *oc, uint32_t id)
{
	if (oc->dtor != NULL)
		oc->dtor(oc, &oc->objs[id]);
	alloc_release(oc->mtype, oc->objs[id].mem);
	obj_release(oc, id);
	oc->st.objects--;
}

uint32_t objcache_get(struct objcache *oc, int ocflags)
{
	int cpu = curcpu(oc), t;
	struct magazine *m;
	uint32_t obj;

	oc->st.gets++;
	for (;;) {
		m = &oc->mags[oc->loaded[cpu]];
		if (m->rounds > 0)
			return m->objects[--m->rounds];
		if (oc->mags[oc->previous[cpu]].rounds > 0) {
			t = oc->loaded[cpu];
			oc->loaded[cpu] = oc->previous[cpu];
			oc->previous[cpu] = t;
			continue;
		}
		if (oc->nfull == 0)
			break;
		/* a full depot magazine for the empty previous one */
		t = oc->previous[cpu];
		oc->previous[cpu] = oc->loaded[cpu];
		oc->loaded[cpu] = oc->full[--oc->nfull];
		oc->empty[oc->nempty++] = t;
	}
	if (oc->unallocated_objects > 0) {
		oc->unallocated_objects--;
		oc->st.allocs++;
		obj = construct(oc, ocflags);
		if (obj == 0) {
			oc->unallocated_objects++;
			oc->st.gets_null++;
			oc->st.gets--;
		}
		return obj;
	}
	oc->st.gets_exhausted++;
	/* memsim has no M_WAITOK objcache caller (it would ssleep) */
	assert((ocflags & (M_WAITOK | M_NULLOK)) != M_WAITOK);
	oc->st.gets_null++;
	oc->st.gets--;
	return 0;
}

void objcache_put(struct objcache *oc, uint32_t obj)
{
	int cpu = curcpu(oc), t;
	struct magazine *m;

	assert(obj > 0 && obj <= oc->nobjs);
	oc->st.puts++;
	for (;;) {
		m = &oc->mags[oc->loaded[cpu]];
		if (m->rounds < m->capacity) {
			m->objects[m->rounds++] = obj;
			return;
		}
		if (oc->mags[oc->previous[cpu]].rounds <
		    oc->mags[oc->previous[cpu]].capacity) {
			t = oc->loaded[cpu];
			oc->loaded[cpu] = oc->previous[cpu];
			oc->previous[cpu] = t;
			continue;
		}
		if (oc->nempty == 0)
			break;
		/* previous to the depot, loaded to previous, empty loaded */
		t = oc->previous[cpu];
		oc->previous[cpu] = oc->loaded[cpu];
		oc->loaded[cpu] = oc->empty[--oc->nempty];
		if (oc->mags[t].rounds == 0)
			oc->empty[oc->nempty++] = t;
		else
			oc->full[oc->nfull++] = t;
	}
	/* no empty magazine: destroy the object (:706-717) */
	oc->unallocated_objects++;
	destruct(oc, obj);
}

struct oc_obj *objcache_obj(struct objcache *oc, uint32_t obj)
{
	assert(obj > 0 && obj <= oc->nobjs);
	return &oc->objs[obj];
}

void *objcache_priv(const struct objcache *oc)
{
	return oc->privdata;
}

const struct objcache_stats *objcache_stats(const struct objcache *oc)
{
	return &oc->st;
}

int64_t objcache_magcapacity(const struct objcache *oc)
{
	return oc->magcapacity;
}

int64_t objcache_unallocated(const struct objcache *oc)
{
	return oc->unallocated_objects;
}

void objcache_depot(const struct objcache *oc, int64_t *full,
    int64_t *empty)
{
	*full = oc->nfull;
	*empty = oc->nempty;
}

int64_t objcache_cpu_rounds(const struct objcache *oc, int cpu)
{
	cpu %= oc->ncpus;
	return oc->mags[oc->loaded[cpu]].rounds +
	    oc->mags[oc->previous[cpu]].rounds;
}
