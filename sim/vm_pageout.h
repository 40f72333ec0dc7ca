/*
 * vm_pageout: the page daemon, from sys/vm/vm_pageout.c (HEAD).
 *
 * vm_pageout_thread() (:2206-2769): idle on vm_pages_needed polling every
 * hz/10; woken below v_paging_start; works to v_paging_target1, then
 * lazily to v_paging_target2.  Each pass: the inactive scan with the
 * double pass for dirty pages and per-pass launder budgets (:805-1022,
 * :1032-1396), clustering (≤64 pages, :314-456) and the swap pager's
 * ≤16-page writes; the active scan (:1404-1656); the cache-to-free scan
 * (:1672-1839) and the OOM killer of :1812-1895.
 */
#ifndef MEMSIM_VM_PAGEOUT_H
#define MEMSIM_VM_PAGEOUT_H

#include <stdint.h>

#include "config.h"

void vm_pageout_start(const struct config *cfg);
/*
 * Pages a pass of the emergency pager could cache or launder: anonymous
 * pages on the active and inactive queues (dirty ones while swap has
 * room); 0 without an emergency pager.  Read by the deadlock verdict.
 */
int64_t vm_emergpager_scannable(void);

struct proc;
/*
 * RLIMIT_RSS (vm_fault.c:883-903, vm_pageout.c:729-770): unmap, deactivate
 * and clean the process's pages until at most `limit` pages stay mapped;
 * runs on the faulting process's own stack and CPU, and may sleep in the
 * swap pager (SWAPMETA, the synchronous write).
 */
void vm_pageout_map_deactivate_pages(struct proc *p, int64_t limit);
/* pmap_resident_tlnw_count(): pages mapped in its anonymous regions */
int64_t vm_proc_rss(const struct proc *p);

#endif
