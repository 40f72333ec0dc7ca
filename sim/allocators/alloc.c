/*
 * alloc: the allocator registry and the generic entry every kernel zone
 * goes through.  See alloc.h.
 */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm_model.h"
#include "../xmalloc.h"

extern const struct alloc_ops zalloc_ops;
extern const struct alloc_ops kmalloc_obj_ops;
extern const struct alloc_ops kmalloc_ops;
extern const struct alloc_ops reserve_kmalloc_obj_ops;
extern const struct alloc_ops uma_reserve_ops;
extern const struct alloc_ops mempool_ops;
extern const struct alloc_ops pool_lowat_ops;

/* Registered allocators, looked up by exact name. */
static const struct alloc_ops *const registry[] = {
	&zalloc_ops,
	&kmalloc_obj_ops,
	&reserve_kmalloc_obj_ops,
	&kmalloc_ops,
	&uma_reserve_ops,
	&mempool_ops,
	&pool_lowat_ops,
	NULL,
};

static struct alloc_zone *zones;

const struct alloc_ops *alloc_lookup(const char *name)
{
	int i;

	for (i = 0; registry[i] != NULL; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const char *const *alloc_names(void)
{
	static const char *names[sizeof(registry) / sizeof(registry[0])];
	int i;

	for (i = 0; registry[i] != NULL; i++)
		names[i] = registry[i]->name;
	names[i] = NULL;
	return names;
}

struct alloc_zone *alloc_zone_create(const struct zone_cfg *cfg,
    const char *kname, size_t objsize, long nentries, char *err,
    size_t errlen)
{
	const struct alloc_ops *ops = alloc_lookup(cfg->allocator);
	struct alloc_zone *z, **tail;

	if (ops == NULL) {
		snprintf(err, errlen, "unknown allocator '%s'",
		    cfg->allocator);
		return NULL;
	}
	z = xcalloc(1, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", kname);
	z->ops = ops;
	z->cfg = *cfg;
	z->objsize = cfg->objsize ? cfg->objsize : objsize;
	z->nentries = nentries;
	z->stats.reserve_level = z->stats.reserve_min_level = -1;
	if (ops->init(z, err, errlen) != 0) {
		alloc_zone_destroy(z);
		return NULL;
	}
	for (tail = &zones; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = z;
	return z;
}

void alloc_zone_destroy(struct alloc_zone *z)
{
	struct alloc_zone **pp;

	if (z == NULL)
		return;
	for (pp = &zones; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == z) {
			*pp = z->next;
			break;
		}
	}
	if (z->ops != NULL && z->ops->fini != NULL && z->priv != NULL)
		z->ops->fini(z);
	free(z->priv);
	free(z);
}

struct alloc_zone *alloc_zones(void)
{
	return zones;
}

alloc_obj_t alloc_request(struct alloc_zone *z, int flags)
{
	alloc_obj_t obj;

	z->need.kind = CORE_NEED_ZONE;
	obj = z->ops->alloc(z, flags);
	if (obj != 0) {
		z->stats.allocs++;
		z->stats.inuse++;
	} else {
		z->stats.failures++;
		if (z->need.kind == CORE_NEED_ZONE) {
			memset(&z->need, 0, sizeof(z->need));
			z->need.kind = CORE_NEED_ZONE;
			z->need.what = z->name;
			z->need.free = vmstats.v_free_count;
			z->need.cache = vmstats.v_cache_count;
		}
	}
	if (z->stats.pages > z->stats.pages_peak)
		z->stats.pages_peak = z->stats.pages;
	if (z->stats.reserve_level >= 0 &&
	    (z->stats.reserve_min_level < 0 ||
	    z->stats.reserve_level < z->stats.reserve_min_level))
		z->stats.reserve_min_level = z->stats.reserve_level;
	return obj;
}

int64_t alloc_reclaimable(const struct alloc_zone *z)
{
	return z->ops->reclaimable != NULL ? z->ops->reclaimable(z) : -1;
}

int64_t alloc_reclaim_none(const struct alloc_zone *z)
{
	(void)z;
	return 0;
}

void alloc_release(struct alloc_zone *z, alloc_obj_t obj)
{
	if (obj == 0)
		return;
	z->ops->free(z, obj);
	z->stats.frees++;
	z->stats.inuse--;
}
