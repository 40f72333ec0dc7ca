/*
 * vm_color: page colours, as vm_page_alloc() uses them to choose between
 * a free and a cache page.
 *
 * Mirrors sys/vm/vm_page.c (HEAD): a page's colour m->pc fixed at boot
 * from its physical page number (:266-274); the colour a request starts
 * from, vm_get_pg_color() for an unknown topology (:1177-1262), with an
 * object's pg_color from vm_quickcolor() (vm_object.c:270-280); and the
 * combined free-or-cache search of an admitted VM_ALLOC_NORMAL request,
 * _vm_page_list_find2() / _vm_page_list_find2_wide() (:2120-2285, used at
 * :2608): the request's own free sub-queue, then aligned blocks of 16,
 * 32, ... 1024 free sub-queues around it, the cache queues searched one
 * block size behind.  So a request whose neighbourhood has no free page
 * but a cache page recycles the cache page although free pages exist
 * elsewhere.
 *
 * memsim keeps one list per queue; this module keeps exact per-colour
 * counts of the FREE and CACHE queues (and their aligned block sums) so
 * the decision "free or cache" is the kernel's, while the page taken is
 * the head of the chosen list.  The lastq hints of the wide search (which
 * restart a later search where an earlier one had to wander) are not
 * modelled.
 */
#ifndef MEMSIM_VM_COLOR_H
#define MEMSIM_VM_COLOR_H

#include <stdint.h>

#define PQ_L2_SIZE	1024
#define PQ_L2_MASK	(PQ_L2_SIZE - 1)

/* Which counted queue: PQ_FREE or PQ_CACHE pages. */
enum vm_color_q { VM_COLOR_FREE, VM_COLOR_CACHE };

void vm_color_init(int ncpus);
/* m->pc of page pg (its physical page number), vm_page.c:266-274. */
static inline unsigned vm_page_color(uint32_t pg)
{
	return (pg ^ (pg / PQ_L2_SIZE) ^ (pg / (PQ_L2_SIZE * PQ_L2_SIZE))) &
	    PQ_L2_MASK;
}
/* A page of colour-counted queue q came (d = 1) or went (d = -1). */
void vm_color_count(enum vm_color_q q, uint32_t pg, int d);
/* vm_get_pg_color(), unknown topology: cpu's share of the colours. */
unsigned vm_get_pg_color(int cpu, uint32_t object_pg_color, uint32_t pindex);
/* vm_quickcolor() of a new object on this CPU. */
uint32_t vm_quickcolor(int cpu);
/*
 * The colour of a request that names no object page (kernel pages here,
 * kernel_object at a KVA offset in the kernel): the CPU's colours in turn.
 */
unsigned vm_color_next(int cpu);
/*
 * 1 when the combined free-or-cache search from `color` meets a cache
 * page before a free one (both queues non-empty).
 */
int vm_color_cache_first(unsigned color);

#endif
