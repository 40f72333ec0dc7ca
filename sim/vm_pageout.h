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

#include "config.h"

void vm_pageout_start(const struct config *cfg);

#endif
