/*
 * u64map: a hash map of 64-bit keys to 64-bit values (open addressing),
 * for the trace converters' tables of pages and objects.  A zeroed
 * struct is an empty map.  To walk it: every i < cap with used[i] set
 * holds keys[i] -> vals[i].
 */
#ifndef MEMSIM_U64MAP_H
#define MEMSIM_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
};

/* The value slot of key, created as 0 (*isnew = 1) when absent. */
uint64_t *u64map_get(struct u64map *m, uint64_t key, int *isnew);
/* Free the tables (the struct itself is the caller's). */
void u64map_free(struct u64map *m);

#endif
