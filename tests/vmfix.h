/*
 * vmfix: the VM the unit tests start from — a cold boot (an empty
 * kernel_map: the mechanism alone) of a given size — and the free page
 * count set by hand, with wired INTERRUPT pages taken and given back.
 */
#ifndef MEMSIM_VMFIX_H
#define MEMSIM_VMFIX_H

#include <stdint.h>

#include "config.h"

/* The pages vmfix_set_free() took and still holds. */
extern uint32_t *vmfix_held;
extern int64_t vmfix_nheld;

/* *cfg zeroed, then a cold boot of ram bytes on ncpus CPUs. */
void vmfix_config(struct config *cfg, uint64_t ram, int ncpus);

/* vm_init(cfg) (a "# vm_init:" line if it fails); nothing held. */
void vmfix_boot(const struct config *cfg);

/*
 * Takes INTERRUPT pages until exactly `level` are free, or as near as
 * the VM allows; with give_back, also frees held pages while fewer are.
 */
void vmfix_set_free(int64_t level, int give_back);

#endif
