/*
 * vm_fault: see vm_fault.h.
 */
#include "vm_fault.h"

#include <assert.h>
#include <stdio.h>

#include "blkdev.h"
#include "swap_pager.h"
#include "trace.h"
#include "vm_pageout.h"

static double fault_cost;

int vm_fault_init(const struct config *cfg, char *err, size_t errlen)
{
	struct zone_cfg zc = { .name = "PV ENTRY", .allocator = "zalloc" };
	long maxproc = 512 + 16 * (long)(cfg->ram >> 20) / 16;

	fault_cost = cfg->fault_cost;
	/* pmap.c:1475: maxproc*32 + vm_page_array_size/16 entries */
	pv_zone = alloc_zone_create(&zc, "PV ENTRY", 64,
	    maxproc * 32 + (long)(vmstats.v_page_count / 16), err, errlen);
	return pv_zone == NULL ? -1 : 0;
}

/*
 * pmap_allocpte(): the page-table page covering the window.  Sleeps in
 * vm_wait() until one is had; 1 if it slept (the caller re-checks).
 */
static int pmap_allocpte(struct proc *p, struct vm_object *obj, uint32_t w)
{
	uint32_t pg;
	alloc_obj_t pv;

	if (obj->ptpage[w] != VM_PAGE_NONE)
		return 0;
	pg = vm_page_alloc_kernel(VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM |
	    VM_ALLOC_INTERRUPT);
	if (pg == VM_PAGE_NONE) {
		struct core_need need;

		proc_flush_cpu(p);
		vm_need_pages(&need, "pmap_allocpte", VM_ALLOC_NORMAL |
		    VM_ALLOC_SYSTEM | VM_ALLOC_INTERRUPT, 1, 0, 0);
		vm_wait_need(0, &need);
		return 1;
	}
	obj->ptpage[w] = pg;
	/* _pv_alloc(): zalloc(pvzone), NULL not checked */
	pv = alloc_request(pv_zone, M_INTNOWAIT);
	if (pv == 0)
		vm_panic("pmap: zalloc(pvzone) returned NULL in _pv_alloc "
		    "(the kernel does not check; it would fault)");
	obj->ptpv[w] = pv;
	return 0;
}

/* pmap_enter(): map a resident page, growing the page tables. */
static int pmap_enter(struct proc *p, struct vm_object *obj, uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];
	uint32_t w = m->pindex / NPTEPG;

	if (m->flags & PG_MAPPED)
		return 0;
	while (pmap_allocpte(p, obj, w)) {
		if (p->killed)
			return -1;
	}
	m->flags |= PG_MAPPED;
	obj->ptmapped[w]++;
	obj->nmapped++;
	return 0;
}

static void page_dirty(struct vm_object *obj, uint32_t pindex,
    struct vm_page *m)
{
	if (m->flags & PG_SWAPPED)
		swap_pager_unswapped(obj, pindex);
	m->flags |= PG_DIRTY;
}

static int fault1(struct proc *p, struct vm_object *obj, uint32_t pindex,
    int write);

/*
 * vm_fault(), then the RLIMIT_RSS check of :883-903 for a user-mode
 * fault: above the limit with a ~16 MiB (4096-page) hysteresis, the
 * faulting process deactivates and cleans its own pages.
 */
int vm_fault(struct proc *p, struct vm_object *obj, uint32_t pindex,
    int write)
{
	int rc = fault1(p, obj, pindex, write);
	int64_t limit;

	if (p->cfg == NULL || p->cfg->rlimit_rss == 0 || p->killed)
		return rc;
	limit = (int64_t)(p->cfg->rlimit_rss / PAGE_SIZE);
	if (vm_proc_rss(p) > 4096 && vm_proc_rss(p) - 4096 >= limit) {
		proc_flush_cpu(p);
		vm_pageout_map_deactivate_pages(p, limit);
	}
	return rc;
}

static int fault1(struct proc *p, struct vm_object *obj, uint32_t pindex,
    int write)
{
	struct vm_page *m;
	uint32_t pg;

	for (;;) {
		if (p->killed)
			return -1;
		pg = obj->pages[pindex];
		if (pg != VM_PAGE_NONE) {
			m = &vm_page_array[pg];
			if (m->flags & PG_BUSY) {
				if (!write && (m->flags & PG_MAPPED)) {
					m->flags |= PG_REFERENCED;
					return 0;
				}
				struct core_need need = {
					.kind = CORE_NEED_IO,
					.what = "busy (I/O in progress)",
					.object = obj->id, .index = pindex };

				proc_flush_cpu(p);
				/* its I/O may have ended while the CPU ran */
				if (obj->pages[pindex] != pg ||
				    !(m->flags & PG_BUSY))
					continue;
				core_wait_need(&vm_chan_pgbusy, NULL, -1, &need);
				continue;
			}
			if (m->flags & PG_RAM) {
				/* vm_fault.c: the pager reads on from here */
				m->flags &= (uint8_t)~PG_RAM;
				if (obj->type != OBJT_VNODE)
					swap_pager_readahead(obj, pindex);
			}
			if (m->queue == PQ_CACHE) {
				/* soft fault: out of the cache */
				p->cpu_pending += fault_cost;
				vm_cnt.page_faults++;
				vm_page_activate(pg);
			}
			if (pmap_enter(p, obj, pg) < 0)
				return -1;
			/* pmap_enter may have slept: is it still ours? */
			if (obj->pages[pindex] != pg)
				continue;
			m->flags |= PG_REFERENCED;
			if (write)
				page_dirty(obj, pindex, m);
			return 0;
		}

		/* a hard fault */
		p->cpu_pending += fault_cost;
		vm_cnt.page_faults++;
		vm_cnt.page_events++;
		if (vm_paging_severe()) {
			proc_flush_cpu(p);
			vm_wait_pfault();
			if (vm_paging_severe() && !p->killed) {
				/* still severe after the poll: go round */
				continue;
			}
		}
		pg = vm_page_alloc_obj(VM_ALLOC_NORMAL, obj, pindex);
		if (pg == VM_PAGE_NONE) {
			struct core_need need;

			proc_flush_cpu(p);
			vm_need_pages(&need, "vm_fault", VM_ALLOC_NORMAL, 1, 0,
			    0);
			vm_wait_need(0, &need);
			continue;
		}
		vm_page_insert(obj, pindex, pg);
		m = &vm_page_array[pg];
		/*
		 * The read is issued at the start of the quantum the fault
		 * falls in, as the quantum's touches are; its CPU is charged
		 * when the quantum is full, after the read.
		 */
		if (obj->type == OBJT_VNODE) {
			blkdev_read_page(&filedev, obj->id, pindex, pg,
			    "vnread");
		} else if (obj->swapped[pindex]) {
			swap_pager_getpage(obj, pindex, pg);
			m->flags |= PG_SWAPPED;
		}
		vm_page_unbusy(obj, pg);
		vm_page_queue_move(pg, PQ_ACTIVE);
		if (pmap_enter(p, obj, pg) < 0)
			return -1;
		if (obj->pages[pindex] != pg)
			continue;
		m->flags |= PG_REFERENCED;
		if (write)
			page_dirty(obj, pindex, m);
		trace_digest(TRACE_FAULT, obj->id, pindex);
		return 0;
	}
}
