/*
 * vm_tunable: the free-page thresholds derived from RAM and the tunables
 * machine{} may set by their kernel names (v_free_min, vm_max_launder,
 * dma_reserved, swap_async_max, swap_burst_read, ...).
 */
#ifndef MEMSIM_VM_TUNABLE_H
#define MEMSIM_VM_TUNABLE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct vmstats;

/* vm_pageout_free_page_calc() and the paging targets, from RAM. */
void vm_thresholds_compute(struct vmstats *vs, int64_t pages);
/*
 * Boot: the thresholds for `pages`, then machine{}'s overrides (a set
 * v_free_min re-derives the thresholds below it); -1 with err.
 */
int vm_tunables_apply(const struct config *cfg, int64_t pages, char *err,
    size_t errlen);
/* Apply `name = value` overrides; -1 with err naming an unknown one. */
int vm_tunable_set(const char *name, double value, char *err,
    size_t errlen);
int vm_tunable_known(const char *name);
int64_t vm_swap_async_max(void);	/* vm.swap_async_max */
int64_t vm_swap_burst_read(void);	/* vm.swap_burst_read */
/* v_inactive_target when the page daemon starts. */
void vm_pageout_targets_init(const struct config *cfg);

#endif
