/*
 * vm_fault: a user page fault, from sys/vm/vm_fault.c and pmap.c.
 *
 * Order as in the kernel: refuse to allocate while vm_paging_severe()
 * and sleep in vm_wait_pfault() (vm_fault.c:1926-1942); allocate the data
 * page VM_ALLOC_NORMAL, sleeping in vm_wait() when refused; bring the
 * contents in (zero fill, swap read, file read); then pmap_enter(), whose
 * page-table page comes from pmap_allocpte() at NORMAL|SYSTEM|INTERRUPT
 * with a vm_wait() loop (pmap.c:2749-2755) and whose pv_entry comes from
 * the PV ENTRY zone unchecked (pmap.c:3615).
 */
#ifndef MEMSIM_VM_FAULT_H
#define MEMSIM_VM_FAULT_H

#include <stdint.h>

#include "proc.h"
#include "vm_model.h"

int vm_fault_init(const struct config *cfg, char *err, size_t errlen);
/* Fault page pindex of obj in for p.  -1: the process was killed. */
int vm_fault(struct proc *p, struct vm_object *obj, uint32_t pindex,
    int write);

#endif
