/*
 * vm_color: see vm_color.h.
 */
#include "vm_color.h"

#include <assert.h>
#include <string.h>

#define PQ_PRIME2	23	/* vm_page.h:238 */
#define SET_ASSOC	16	/* set_assoc_mask + 1, vm_page.c:124 */

/*
 * Block sums: level l counts pages of each aligned block of
 * 1 << shift[l] colours.  The whole queue (1024) is its counter.
 */
#define NLEVELS	7
static const int shift[NLEVELS] = { 0, 4, 5, 6, 7, 8, 9 };
static int32_t counts[2][NLEVELS][PQ_L2_SIZE];
static int64_t total[2];
static int ncpus = 1;
static uint32_t quick_color[64], rotor[64];

void vm_color_init(int n)
{
	memset(counts, 0, sizeof(counts));
	memset(total, 0, sizeof(total));
	memset(quick_color, 0, sizeof(quick_color));
	memset(rotor, 0, sizeof(rotor));
	ncpus = n > 0 ? n : 1;
}

void vm_color_count(enum vm_color_q q, uint32_t pg, int d)
{
	unsigned c = vm_page_color(pg);
	int l;

	for (l = 0; l < NLEVELS; l++)
		counts[q][l][c >> shift[l]] += d;
	total[q] += d;
	assert(counts[q][0][c] >= 0);
}

unsigned vm_get_pg_color(int cpu, uint32_t object_pg_color, uint32_t pindex)
{
	unsigned cpuscale = PQ_L2_SIZE / (unsigned)ncpus;

	return ((unsigned)(cpu % ncpus) * cpuscale +
	    (pindex + object_pg_color) % cpuscale) & PQ_L2_MASK;
}

uint32_t vm_quickcolor(int cpu)
{
	uint32_t *qc = &quick_color[(unsigned)cpu % 64];
	uint32_t c = *qc;

	*qc += PQ_PRIME2;
	return c;
}

unsigned vm_color_next(int cpu)
{
	return vm_get_pg_color(cpu, 0, rotor[(unsigned)cpu % 64]++);
}

/* Pages of queue q in the aligned block of `size` colours around c. */
static int64_t block(enum vm_color_q q, unsigned c, unsigned size)
{
	int l;

	if (size >= PQ_L2_SIZE)
		return total[q];
	for (l = 0; l < NLEVELS; l++)
		if ((1u << shift[l]) == size)
			return counts[q][l][c >> shift[l]];
	assert(0);
	return 0;
}

int vm_color_cache_first(unsigned color)
{
	unsigned fsize;

	if (total[VM_COLOR_CACHE] == 0)
		return 0;
	if (total[VM_COLOR_FREE] == 0)
		return 1;
	/* _vm_page_list_find2(): this colour's free sub-queue first */
	if (counts[VM_COLOR_FREE][0][color] > 0)
		return 0;
	/*
	 * _wide(): free blocks of 16, 32, ...; the cache blocks of half
	 * that size after each free block from 32 on (the cache search
	 * starts once the free mask reached (set_assoc_mask << 1) | 1).
	 */
	for (fsize = SET_ASSOC; fsize <= PQ_L2_SIZE; fsize *= 2) {
		if (block(VM_COLOR_FREE, color, fsize) > 0)
			return 0;
		if (fsize >= 2 * SET_ASSOC &&
		    block(VM_COLOR_CACHE, color, fsize / 2) > 0)
			return 1;
	}
	return 0;
}
