/*
 * swap_pager: swap space, SWAPMETA and the swap write and read paths.
 *
 * Mirrors sys/vm/swap_pager.c: swap_pager_swap_init() (:393-460, the
 * SWAPMETA zone), swp_pager_getswapspace()/swp_sizecheck() (:532-563,
 * :319-331), swp_pager_meta_build() (:2335-2401, which loops on vm_wait()
 * forever when the SWAPMETA allocator returns NULL), swap_pager_putpages()
 * (:1588-1799, ≤16-page I/Os, at most vm.swap_async_max async writes in
 * flight) and swp_pager_async_iodone() (:1845-2108, with relpbuf()'s wake
 * on the 1 -> 2 transition, vm_pager.c:659-662).
 */
#ifndef MEMSIM_SWAP_PAGER_H
#define MEMSIM_SWAP_PAGER_H

#include <stdint.h>

#include "allocators/alloc.h"
#include "config.h"
#include "vm_model.h"

/* VM_PAGER_* results of a page-out */
#define VM_PAGER_OK	0
#define VM_PAGER_PEND	1
#define VM_PAGER_FAIL	2

extern int64_t swap_total_pages, swap_free_pages, swap_peak_used;
extern int swap_pager_full, swap_pager_almost_full;
extern int64_t nsw_wcount_async;	/* free async-write pbufs */
extern struct alloc_zone *swap_zone;	/* SWAPMETA */
extern struct core_chan swap_chan_wswbuf;

int swap_pager_swap_init(const struct config *cfg, char *err, size_t errlen);

/*
 * Page out a cluster of dirty pages of one anonymous object, consecutive
 * from pindex.  The pages are already soft-busied by the caller
 * (vm_pageout_flush); each entry of rtvals gets VM_PAGER_PEND (queued)
 * or VM_PAGER_FAIL (no swap space: the page stays dirty).  May sleep:
 * for an async-write pbuf ("wswbuf2") and in swp_pager_meta_build().
 */
void swap_pager_putpages(struct vm_object *obj, uint32_t *pages, int n,
    int *rtvals);
/*
 * The same with OBJPC_* flags.  OBJPC_SYNC (every caller but the two
 * pageout daemons, swap_user_async = 0, :1618-1627): a pbuf of
 * nsw_wcount_sync, and the caller sleeps "swwrt" until each write is
 * done; with OBJPC_TRY_TO_CACHE the completion caches the pages.
 */
#define OBJPC_SYNC		0x01
#define OBJPC_TRY_TO_CACHE	0x02
void swap_pager_putpages_flags(struct vm_object *obj, uint32_t *pages,
    int n, int *rtvals, int flags);
/*
 * Read swapped-out page pindex into pg (busy, left busy), with the burst
 * of following pages vm.swap_burst_read allows; sleeps ("swread") until
 * the read is done.
 */
void swap_pager_getpage(struct vm_object *obj, uint32_t pindex, uint32_t pg);
/* A fault on PG_RAM page pindex: read ahead from pindex + 1, no wait. */
void swap_pager_readahead(struct vm_object *obj, uint32_t pindex);
/* The page was re-dirtied: its swap copy is stale (vm_fault.c:1651). */
void swap_pager_unswapped(struct vm_object *obj, uint32_t pindex);
/* Release all swap blocks and SWAPMETA of an object. */
void swp_pager_meta_free_all(struct vm_object *obj);

#endif
