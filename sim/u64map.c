/*
 * u64map: see u64map.h.  Linear probing; the table doubles when half
 * full, so a probe ends at an empty slot.
 */
#include "u64map.h"

#include <stdlib.h>

#include "xmalloc.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static void grow(struct u64map *m);

uint64_t *u64map_get(struct u64map *m, uint64_t key, int *isnew)
{
	size_t i;

	if (m->n * 2 >= m->cap)
		grow(m);
	for (i = mix(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i]) {
			m->used[i] = 1;
			m->keys[i] = key;
			m->vals[i] = 0;
			m->n++;
			*isnew = 1;
			return &m->vals[i];
		}
		if (m->keys[i] == key) {
			*isnew = 0;
			return &m->vals[i];
		}
	}
}

static void grow(struct u64map *m)
{
	struct u64map o = *m;
	size_t i;
	int isnew;

	m->cap = o.cap ? o.cap * 2 : 4096;
	m->keys = xmalloc(m->cap * sizeof(*m->keys));
	m->vals = xmalloc(m->cap * sizeof(*m->vals));
	m->used = xcalloc(m->cap, 1);
	m->n = 0;
	for (i = 0; i < o.cap; i++)
		if (o.used[i])
			*u64map_get(m, o.keys[i], &isnew) = o.vals[i];
	free(o.keys);
	free(o.vals);
	free(o.used);
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
}
