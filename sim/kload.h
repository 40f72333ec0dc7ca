/*
 * kload: kernel consumers driven by arrivals, declared with
 * interrupt_load{}, held for a while and freed.  By default (class mbuf)
 * a network receive load: each packet is an mbuf cluster a driver takes
 * with m_getcl(M_NOWAIT) - objcache, then kmalloc(M_NOWAIT), whose new
 * 128 KiB zones come from kmem_slab_alloc() at SYSTEM class, all 32
 * pages or none (sys/kern/uipc_mbuf.c, kern_objcache.c,
 * kern_slaballoc.c).  Class interrupt: whole pages at VM_ALLOC_INTERRUPT,
 * which may take the last free page - what page-table pages, PV entries
 * and the buffer-cache pages of system threads do.  Neither ever waits
 * for pages: a refusal drops the arrival's rest, counted.
 */
#ifndef MEMSIM_KLOAD_H
#define MEMSIM_KLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/*
 * Boot: the zones{} types (alloc_zone_create), each load's share on
 * every CPU, mbinit() when a receive load exists, one thread per
 * interrupt_load{}; -1 with a message when a zone or tunable is bad.
 */
int kload_start(const struct config *cfg, char *err, size_t errlen);
/*
 * For the deadlock verdict: how many pages the receive loads hold that
 * will go back to the VM in finite time even if no sleeping thread ever
 * wakes - buffers of class interrupt with no reader or on a closed
 * socket, and those of a reader that can read now (not asleep waiting
 * for memory), once their hold ends; never those held forever.  An
 * upper bound on what these loads can give back, since every new
 * arrival takes its pages first.  Mbuf clusters count nothing: freed,
 * they go back to their objcache, and the kmalloc zones under it return
 * pages only on a later blocking kmalloc.  -1 if it cannot be said.
 */
int64_t kload_releasable_pages(void);

/*
 * zones{}: the object size of a kernel malloc type memsim knows by name
 * (M_VM_OBJECT, M_VNODE, M_VFSCACHE), 0 for any other.
 */
uint64_t kload_zone_kernel_size(const char *name);

/* Kernel memory at the end of a run, into the counters table. */
struct result;
void kload_record(struct result *res, int ncpus);

#endif
