/*
 * kmem: kernel_map, the kernel's address space, and the two ways the
 * model maps memory into it.
 *
 * Mirrors sys/vm/vm_map.c (vm_map_findspace() first-fit with alignment,
 * the per-CPU map-entry reserve vm_map_entry_reserve()/release() at
 * :920-986 and the MAP ENTRY zone refill through kmem_alloc3(), vm_zone.c
 * :670-691), sys/platform/pc64/x86_64/pmap.c pmap_growkernel() (:3329-3457,
 * one page-table page per 2 MiB of new high-water, panic on failure),
 * sys/vm/vm_kern.c kmem_alloc_pageable() (a zinit() KVA reservation: one
 * map entry, no pages) and sys/kern/kern_slaballoc.c kmem_slab_alloc() /
 * kmem_slab_free() (HEAD :1706-1873), the backend of kmalloc_obj and
 * kmalloc.  See dragonfly-vm.md 5.4, 7.1, 7.2 and (b)2.
 *
 * Addresses are byte offsets into the cfg->kva arena; a mapping made by
 * kmem_slab_alloc() is named by a small integer (the slab id, 0 = NULL).
 * Everything that can sleep here must run in a simulated thread.
 */
#ifndef MEMSIM_KMEM_H
#define MEMSIM_KMEM_H

#include <stddef.h>
#include <stdint.h>

#include "allocators/alloc.h"
#include "config.h"

/* sys/vm/vm_map.h:271-273, :560 */
#define MAP_RESERVE_COUNT	4
#define MAP_RESERVE_SLOP	512
#define MAP_RESERVE_HYST	448
#define SMP_MAXCPU		256
#define MAX_MAPENT		(SMP_MAXCPU * 32 + 1024)
/*
 * sizeof(struct vm_map_entry) on x86_64 is not in the reference; 128 bytes
 * is assumed (it is a little over 100 bytes in HEAD).  It only sets how
 * many entries one 32-page MAP ENTRY refill yields: 32*4096/128 = 1024.
 */
#define VM_MAP_ENTRY_SIZE	128
#define ZONE_MAXPGLOAD_MAPENT	32	/* pages per MAP ENTRY refill */
#define KVA_PT_SPAN		(2u << 20)	/* NBPDR: one PT page */

struct kmem_stats {
	int64_t kva_size;		/* bytes of kernel_map (cfg->kva) */
	int64_t kva_used, kva_peak;	/* bytes mapped or reserved */
	int64_t kernel_vm_end;		/* page-table high-water, bytes */
	int64_t pt_pages;		/* kernel PT pages; never freed */
	int64_t boot_pt_pages;		/* built before the managed pages */
	int64_t boot_kmalloc_pages;	/* wired at boot (warm) */
	int64_t slab_allocs, slab_frees;	/* kmem_slab_alloc/free */
	int64_t slab_alloc_failures;	/* NULL returns */
	int64_t slab_alloc_waits;	/* vm_wait sleeps inside it */
	int64_t mapent_free;		/* MAP ENTRY zone pool */
	int64_t mapent_refills;		/* kmem_alloc3 refills of it */
	int64_t mapent_pages;		/* pages those refills wired */
	int64_t mapent_waits;		/* sleeps: refill pages, zgetlk */
};
extern struct kmem_stats kmem_stats;
/* Bumped by every kmem_init(), so users can drop state of an old boot. */
extern unsigned kmem_generation;

/*
 * kmem_init(): kernel_map of cfg->kva bytes (0 means the scenario
 * default, 8 GiB), MAX_MAPENT boot entries in the MAP ENTRY zone and the
 * per-CPU seed caches of vm_map_entry_reserve_cpu_init() (vm_map.c
 * :887-908).  Called from vm_init(), as vm_mem_init() calls kmem_init()
 * in the kernel, once the managed pages are free.
 *
 * A cold boot (kernel{ boot = "cold" }) leaves kernel_map empty with its
 * page-table high-water at 0.  A warm boot (the default) starts it as a
 * booted kernel has it:
 *  - kernel_vm_end at kernel_boot_pt_pages x 2 MiB: create_pagetables()
 *    (pc64 pmap.c) builds, from memory below the managed pages, PT pages
 *    for the vm_page array, the PV entries, the page-table structures and
 *    128 more, at the bottom of kernel VA;
 *  - kernel_boot_kva_pages of KVA in use there without managed pages
 *    (pmap_init()'s initial PV entries, the buffer cache's and pager's
 *    submaps), one entry;
 *  - kernel_boot_kmalloc_pages (rounded up to 128 KiB zones) of wired
 *    kmalloc memory of the malloc types a booted system has in use.
 * The zinit() KVA of the interrupt zones is taken by their own set-up
 * (zalloc_init).  Defaults: kmem_boot_*_default(); the sizes they use
 * are assumed where the reference has none.  -1 with a message when a
 * tunable cannot be met.
 */
int kmem_init(const struct config *cfg, char *err, size_t errlen);

/* sizeof() on x86_64 HEAD, assumed (not in the reference) */
#define BOOT_SIZEOF_VM_PAGE	128
#define BOOT_SIZEOF_PV_ENTRY	64
#define BOOT_BKVASIZE		(16 * 1024)
#define BOOT_MAXPHYS		(128 * 1024)
/* Warm-boot defaults for a machine of `p` managed pages. */
int64_t kmem_boot_pt_pages_default(int64_t p);
int64_t kmem_boot_kva_pages_default(int64_t p);

/*
 * kmem_alloc_pageable(): reserve `bytes` (rounded to pages) of KVA with
 * one map entry and no pages, growing the kernel page tables over it, as
 * zinit() of a ZONE_INTERRUPT zone does at boot.  Returns the address,
 * or -1 when kernel_map has no hole that large.
 */
int64_t kmem_alloc_pageable(uint64_t bytes);

/*
 * kmem_slab_alloc(size, align, flags): map `size` bytes of wired kernel
 * memory at an `align`-aligned address (HEAD :1706-1862):
 *  1. vm_map_entry_reserve(MAP_RESERVE_COUNT) - may sleep whatever the
 *     flags, for a MAP ENTRY refill of 32 NORMAL pages;
 *  2. first-fit hole; none: NULL with M_NULLOK, else vm_panic();
 *     pmap_growkernel() above the high-water (INTERRUPT class, panic);
 *  3. one map entry;
 *  4. page class: M_WAITOK -> NORMAL, M_USE_RESERVE -> SYSTEM,
 *     M_USE_INTERRUPT_RESERVE -> INTERRUPT (+SYSTEM for the page daemon);
 *  5. size/PAGE_SIZE pages; on a refusal M_WAITOK sleeps in vm_wait(0)
 *     and retries the same page, keeping the others; without M_WAITOK
 *     every page, the KVA and the entry go back and NULL is returned.
 * Counts kmem_slab_allocs and slab_alloc_waits into *st (may be NULL).
 * Returns a slab id (> 0) or 0.
 */
uint32_t kmem_slab_alloc(size_t size, size_t align, int flags,
    struct alloc_stats *st);
/*
 * What a retry of a failed non-blocking kmem_slab_alloc(size, flags)
 * needs, for the deadlock verdict: all of its pages at once at the
 * class its flags map to (the pages it got went back when one failed).
 */
void kmem_slab_need(struct core_need *n, const char *what, size_t size,
    int flags);
/* kmem_slab_free() -> vm_map_remove(): pages, KVA and entry go back; the
 * map-entry reserve it takes first may sleep.  PT pages stay. */
void kmem_slab_free(uint32_t id);
int kmem_slab_npages(uint32_t id);
int64_t kmem_slab_addr(uint32_t id);

/* This CPU's gd_vme_avail (tests, forensics). */
int64_t kmem_vme_avail(int cpu);

#endif
