/*
 * kload: kernel-side page consumers that are not the VM's own:
 * interrupt-level allocations (receive buffers and the like, held for a
 * while and freed) declared with interrupt_load{}.  They allocate at
 * VM_ALLOC_INTERRUPT, may take the last free page, and never wait: an
 * allocation that fails is dropped and counted.
 */
#ifndef MEMSIM_KLOAD_H
#define MEMSIM_KLOAD_H

#include "config.h"

void kload_start(const struct config *cfg);

#endif
