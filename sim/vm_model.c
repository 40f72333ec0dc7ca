/*
 * vm_model: physical pages, queues, admission and waiting.
 *
 * Mirrors sys/vm/vm_page.c (vm_page_alloc() at :2529-2741, vm_wait() at
 * :2927-2975, vm_wait_pfault() at :2990-3034, vm_page_free_wakeup() at
 * :3104-3140) and sys/vm/vm_page2.h (the vm_paging_*() predicates); the
 * thresholds are vm_tunable.c's, the objects vm_object.c's.  The 1024
 * coloured sub-queues of each page queue are one list here; counters are
 * exact (the kernel's are per-CPU approximations folded every tick).
 */
#include "vm_model.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem.h"
#include "vm_color.h"
#include "trace.h"
#include "xmalloc.h"

struct vmstats vmstats;
int64_t vm_max_launder;
int64_t vm_page_free_hysteresis = 16;
int64_t vm_pages_needed;
int64_t vm_pageout_pages_needed;
int64_t vm_pages_waiting;
int64_t vm_pageout_deficit;
int64_t vm_dma_reserved;
int vm_ncpus = 1;

struct core_chan vm_chan_vmwait;
struct core_chan vm_chan_VMWait;
struct core_chan vm_chan_psleep;
struct core_chan vm_chan_pgbusy;
struct alloc_zone *pv_zone;
int vm_panicked;
char vm_panic_msg[256];
int vm_fail_nth_alloc;
int64_t vm_fail_injected;
static struct core_chan vm_chan_panic;

struct vm_counters vm_cnt;
struct vm_page *vm_page_array;
struct vm_pagequeue vm_queues[PQ_COUNT];
struct core_thread *vm_pagethread;
struct core_thread *vm_emergpager;

/* ---- queues ------------------------------------------------------------ */

static void pq_insert_tail(struct vm_pagequeue *q, uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	m->next = VM_PAGE_NONE;
	m->prev = q->tail;
	if (q->tail != VM_PAGE_NONE)
		vm_page_array[q->tail].next = pg;
	else
		q->head = pg;
	q->tail = pg;
	q->count++;
}

static void pq_insert_head(struct vm_pagequeue *q, uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	m->prev = VM_PAGE_NONE;
	m->next = q->head;
	if (q->head != VM_PAGE_NONE)
		vm_page_array[q->head].prev = pg;
	else
		q->tail = pg;
	q->head = pg;
	q->count++;
}

static void pq_remove(struct vm_pagequeue *q, uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	if (m->prev != VM_PAGE_NONE)
		vm_page_array[m->prev].next = m->next;
	else
		q->head = m->next;
	if (m->next != VM_PAGE_NONE)
		vm_page_array[m->next].prev = m->prev;
	else
		q->tail = m->prev;
	m->next = m->prev = VM_PAGE_NONE;
	q->count--;
}

static int64_t *queue_counter(enum pq q)
{
	switch (q) {
	case PQ_FREE:
		return &vmstats.v_free_count;
	case PQ_CACHE:
		return &vmstats.v_cache_count;
	case PQ_INACTIVE:
		return &vmstats.v_inactive_count;
	case PQ_ACTIVE:
		return &vmstats.v_active_count;
	default:
		return NULL;
	}
}

static void page_unqueue(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];
	int64_t *c;

	if (m->queue == PQ_NONE)
		return;
	pq_remove(&vm_queues[m->queue], pg);
	c = queue_counter(m->queue);
	(*c)--;
	if (m->queue == PQ_FREE || m->queue == PQ_CACHE)
		vm_color_count(m->queue == PQ_FREE ? VM_COLOR_FREE :
		    VM_COLOR_CACHE, pg, -1);
	m->queue = PQ_NONE;
}

static void page_enqueue(uint32_t pg, enum pq q, int head)
{
	struct vm_page *m = &vm_page_array[pg];

	assert(m->queue == PQ_NONE);
	if (head)
		pq_insert_head(&vm_queues[q], pg);
	else
		pq_insert_tail(&vm_queues[q], pg);
	m->queue = (uint8_t)q;
	(*queue_counter(q))++;
	if (q == PQ_FREE || q == PQ_CACHE)
		vm_color_count(q == PQ_FREE ? VM_COLOR_FREE : VM_COLOR_CACHE,
		    pg, 1);
}

void vm_page_queue_move(uint32_t pg, enum pq q)
{
	page_unqueue(pg);
	page_enqueue(pg, q, 0);
}

void vm_page_requeue(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];
	enum pq q = m->queue;

	assert(q != PQ_NONE);
	pq_remove(&vm_queues[q], pg);
	pq_insert_tail(&vm_queues[q], pg);
}

/* ---- predicates (vm_page2.h) ------------------------------------------ */

#define F vmstats.v_free_count
#define C vmstats.v_cache_count

int vm_paging_severe(void)
{
	return vmstats.v_free_severe > F + C || vmstats.v_free_reserved > F;
}

int vm_paging_min_dnc(int64_t n)
{
	return vmstats.v_free_min + n > F + C || vmstats.v_free_reserved > F;
}

int vm_paging_min(void)
{
	return vm_paging_min_dnc(0);
}

/* A nice +20 process trips half-way between min and wait (:140). */
int vm_paging_min_nice(int nice)
{
	int64_t count = 0;
	int64_t delta;

	if (nice != 0) {
		delta = (vmstats.v_paging_wait - vmstats.v_free_min - 1) / 2;
		count = (nice + 20) * delta / 40;
		if (count < 0)
			count = 0;
	}
	return vm_paging_min_dnc(count);
}

int vm_paging_wait(void)
{
	return vmstats.v_paging_wait > F + C || vmstats.v_free_reserved > F;
}

int vm_paging_start(int64_t adj)
{
	return vmstats.v_paging_start > F + C + adj ||
	    vmstats.v_free_min > F + adj || vmstats.v_free_reserved > F;
}

int vm_paging_target1(void)
{
	return vmstats.v_paging_target1 > F + C ||
	    vmstats.v_free_reserved > F;
}

int64_t vm_paging_target1_count(void)
{
	return vmstats.v_paging_target1 - (F + C);
}

int vm_paging_target2(void)
{
	return vmstats.v_paging_target2 > F + C ||
	    vmstats.v_free_reserved > F;
}

int64_t vm_paging_target2_count(void)
{
	return vmstats.v_paging_target2 - (F + C);
}

/* ---- wakeups ------------------------------------------------------------ */

int curthread_is_pagedaemon(void)
{
	struct core_thread *td = core_self();

	return td != NULL && (td == vm_pagethread || td == vm_emergpager);
}

double vm_pd_sleep_begin(void)
{
	if (core_self() != vm_pagethread || vm_pagethread == NULL)
		return -1;
	vm_cnt.pd_sleep_open = 1;
	vm_cnt.pd_sleep_t0 = core_now();
	return vm_cnt.pd_sleep_t0;
}

void vm_pd_sleep_end(double t0)
{
	if (t0 < 0)
		return;
	vm_cnt.pd_sleep_open = 0;
	vm_cnt.pd_blocked += core_now() - t0;
}

double vm_pd_blocked_seconds(void)
{
	if (vm_cnt.pd_sleep_open)
		return vm_cnt.pd_blocked + (core_now() - vm_cnt.pd_sleep_t0);
	return vm_cnt.pd_blocked;
}

/* kernel{ pf_memalloc = true }: see vm_page_daemon_class(). */
static int vm_pf_memalloc;

int vm_page_daemon_class(int class)
{
	if (!curthread_is_pagedaemon())
		return class;
	class |= VM_ALLOC_SYSTEM;
	if (vm_pf_memalloc)
		class |= VM_ALLOC_INTERRUPT;
	return class;
}

/* pagedaemon_wakeup(), vm_pageout.c:2802-2815 */
void pagedaemon_wakeup(void)
{
	/* :2804: only the primary is not to wake itself */
	if (!vm_paging_start(0) || (vm_pagethread != NULL &&
	    core_self() == vm_pagethread))
		return;
	if (vm_pages_needed <= 1) {
		vm_pages_needed = 1;
		if (vm_chan_psleep.nwaiters)
			core_wakeup(&vm_chan_psleep);
	} else if (vm_paging_min()) {
		vm_pages_needed++;
	}
}

/* vm_page_free_wakeup(), vm_page.c:3104-3140: a page entered FREE/CACHE */
static void vm_page_free_wakeup(void)
{
	if (vm_pageout_pages_needed &&
	    C + F >= vmstats.v_pageout_free_min) {
		vm_pageout_pages_needed = 0;
		if (vm_chan_VMWait.nwaiters)
			core_wakeup(&vm_chan_VMWait);
	}
	if (vm_pages_waiting &&
	    (!vm_paging_min_dnc(vm_page_free_hysteresis) ||
	    !vm_paging_target1())) {
		if (vm_chan_vmwait.nwaiters)
			core_wakeup(&vm_chan_vmwait);
	}
}

/* ---- allocation ----------------------------------------------------------- */

/* Admission, vm_page.c:2592-2599 (class already has SYSTEM added). */
static int admit(int class)
{
	if (F >= vmstats.v_free_reserved)
		return 1;
	if ((class & VM_ALLOC_INTERRUPT) && F > 0)
		return 1;
	if ((class & VM_ALLOC_SYSTEM) && C == 0 &&
	    F > vmstats.v_interrupt_free_min)
		return 1;
	return 0;
}

int vm_page_admit(int class)
{
	class = vm_page_daemon_class(class);
	return admit(class) && F > 0;
}

static void page_detach(uint32_t pg);

/* A PQ_CACHE page goes to PQ_FREE (vm_page_alloc's found_cache path). */
static uint32_t recycle_cache_page(void)
{
	uint32_t pg = vm_queues[PQ_CACHE].head;

	page_detach(pg);
	page_unqueue(pg);
	page_enqueue(pg, PQ_FREE, 1);
	vm_cnt.pages_freed++;
	return pg;
}

/*
 * vm_page_alloc(): never sleeps.  An admitted NORMAL request searches the
 * free and cache queues together from its colour (:2606-2612), and a
 * cache page found first is freed and taken (found_cache, :2641-2660).
 * A NORMAL request that fails admission recycles PQ_CACHE pages into
 * free pages one at a time until it is admitted (:2615-2668); failure
 * counts a deficit and kicks the daemon.
 */
static uint32_t page_alloc(int class, unsigned color)
{
	uint32_t pg;
	int normal;

	class = vm_page_daemon_class(class);	/* TDF_SYSTHREAD, :2583 */
	normal = (class & VM_ALLOC_NORMAL) && !(class & VM_ALLOC_QUICK);
	vm_cnt.page_events++;
	if (vm_fail_nth_alloc > 0 && --vm_fail_nth_alloc == 0) {
		vm_fail_injected++;
		return VM_PAGE_NONE;
	}
	for (;;) {
		if (admit(class) && F > 0) {
			if (normal && vm_color_cache_first(color)) {
				/* the freed cache page is the one found */
				pg = recycle_cache_page();
				break;
			}
			pg = vm_queues[PQ_FREE].head;	/* PQ_FREE is LIFO */
			break;
		}
		if (normal && C > 0) {
			recycle_cache_page();
			continue;
		}
		vm_pageout_deficit++;
		pagedaemon_wakeup();
		return VM_PAGE_NONE;
	}
	page_unqueue(pg);
	vm_note_free();
	pagedaemon_wakeup();
	return pg;
}

uint32_t vm_page_alloc(int class)
{
	return page_alloc(class, vm_color_next(core_curcpu()));
}

uint32_t vm_page_alloc_obj(int class, const struct vm_object *obj,
    uint32_t pindex)
{
	return page_alloc(class, vm_get_pg_color(core_curcpu(), obj->pg_color,
	    pindex));
}

uint32_t vm_page_alloc_kernel(int class)
{
	uint32_t pg = vm_page_alloc(class);

	if (pg != VM_PAGE_NONE) {
		vm_page_array[pg].flags = PG_WIRED;
		vm_page_array[pg].object = 0;
		vmstats.v_wire_count++;
	}
	return pg;
}

static void page_to_free(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	m->flags = 0;
	m->object = 0;
	m->pindex = 0;
	m->act_count = 0;
	page_enqueue(pg, PQ_FREE, 1);
	vm_cnt.page_events++;
	vm_page_free_wakeup();
}

void vm_page_free_kernel(uint32_t pg)
{
	assert(vm_page_array[pg].flags & PG_WIRED);
	vmstats.v_wire_count--;
	page_to_free(pg);
}

/* ---- freeing ---------------------------------------------------------------- */

/*
 * The page leaves its object (freed from the cache, or the object is
 * going away).  An anonymous page's data survives only on swap.
 */
static void page_detach(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];
	struct vm_object *o = vm_object_by_id(m->object);

	if (o == NULL)
		return;
	if (m->flags & PG_MAPPED)
		vm_page_unmap(pg);
	o->pages[m->pindex] = VM_PAGE_NONE;
	o->resident--;
	m->object = 0;
}

/* Free a page that belongs to an object. */
void vm_page_free(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	assert(!(m->flags & (PG_BUSY | PG_WIRED)));
	page_detach(pg);
	page_unqueue(pg);
	page_to_free(pg);
	vm_cnt.pages_freed++;
}

/* ---- mapping and queue transitions ---------------------------------------- */

/*
 * User page tables: one page-table page per NPTEPG mapped pages of an
 * object (pmap_allocpte()), freed when its last mapping goes.  The
 * page-table page is allocated by the fault path (vm_fault.c); here the
 * count only drops.
 */
void vm_page_unmap(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];
	struct vm_object *o = vm_object_by_id(m->object);
	uint32_t w;

	if (!(m->flags & PG_MAPPED) || o == NULL)
		return;
	m->flags &= (uint8_t)~PG_MAPPED;
	w = m->pindex / NPTEPG;
	assert(o->ptmapped[w] > 0 && o->nmapped > 0);
	o->nmapped--;
	if (--o->ptmapped[w] == 0 && o->ptpage[w] != VM_PAGE_NONE) {
		vm_page_free_kernel(o->ptpage[w]);
		o->ptpage[w] = VM_PAGE_NONE;
		if (o->ptpv[w] != 0)
			alloc_release(pv_zone, o->ptpv[w]);
		o->ptpv[w] = 0;
	}
}

/* vm_page_cache(): a clean page goes to PQ_CACHE, unmapped. */
void vm_page_cache(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	assert(!(m->flags & (PG_DIRTY | PG_BUSY | PG_WIRED)));
	vm_page_unmap(pg);
	m->flags &= (uint8_t)~(PG_REFERENCED | PG_WINATCFLS);
	page_unqueue(pg);
	page_enqueue(pg, PQ_CACHE, 0);
	vm_cnt.pages_cached++;
	vm_page_free_wakeup();
}

void vm_page_deactivate(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	m->flags &= (uint8_t)~PG_REFERENCED;
	vm_page_queue_move(pg, PQ_INACTIVE);
}

void vm_page_activate(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	if (m->act_count < ACT_INIT)
		m->act_count = ACT_INIT;
	m->flags &= (uint8_t)~PG_WINATCFLS;
	vm_page_queue_move(pg, PQ_ACTIVE);
}

/* Soft-busy for I/O (vm_page_io_start/finish); waiters sleep "pgrbwt". */
void vm_page_busy(struct vm_object *obj, uint32_t pg)
{
	vm_page_array[pg].flags |= PG_BUSY;
	obj->busy++;
	vmstats.v_busy_count++;
}

void vm_page_insert(struct vm_object *obj, uint32_t pindex, uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	m->object = obj->id;
	m->pindex = pindex;
	m->flags = 0;
	m->act_count = ACT_INIT;
	obj->pages[pindex] = pg;
	obj->resident++;
	vm_page_busy(obj, pg);
}

void vm_page_unbusy(struct vm_object *obj, uint32_t pg)
{
	vm_page_array[pg].flags &= (uint8_t)~PG_BUSY;
	obj->busy--;
	vmstats.v_busy_count--;
	if (vm_chan_pgbusy.nwaiters)
		core_wakeup(&vm_chan_pgbusy);
}

/* ---- waiting -------------------------------------------------------------- */

/*
 * vm_wait(), vm_page.c:2927-2975.  The page daemon sleeps on
 * vm_pageout_pages_needed ("VMWait") only while vm_paging_min(); anyone
 * else sleeps on &v_free_count ("vmwait") while vm_paging_min_nice(nice+1).
 * Otherwise it returns at once and the caller retries.  `need` (NULL: the
 * wake condition) is what a deadlock report shows for the sleeper.
 */
static void vm_wait_common(double timo, const struct core_need *need)
{
	struct core_thread *td = core_self();
	struct core_need dflt;

	if (timo <= 0)
		timo = 1.0;	/* hz */
	if (curthread_is_pagedaemon()) {
		if (!vm_paging_min())
			return;
		double t0;

		vm_pageout_pages_needed = 1;
		if (need == NULL) {
			memset(&dflt, 0, sizeof(dflt));
			dflt.kind = CORE_NEED_FREE_LEVEL;
			dflt.level_name = "v_pageout_free_min";
			dflt.level = vmstats.v_pageout_free_min;
			dflt.free = F;
			dflt.cache = C;
			need = &dflt;
		}
		t0 = vm_pd_sleep_begin();
		core_wait_need(&vm_chan_VMWait, NULL, timo, need);
		vm_pd_sleep_end(t0);
		return;
	}
	if (!vm_paging_min_nice(td->nice + 1))
		return;
	if (vm_pages_needed <= 1) {
		vm_pages_needed = 2;
		if (vm_chan_psleep.nwaiters)
			core_wakeup(&vm_chan_psleep);
	}
	vm_pages_waiting++;
	if (need == NULL) {
		memset(&dflt, 0, sizeof(dflt));
		dflt.kind = CORE_NEED_FREE_LEVEL;
		dflt.level_name = "v_free_min+hysteresis";
		dflt.level = vmstats.v_free_min + vm_page_free_hysteresis;
		dflt.floor_name = "v_free_reserved";
		dflt.floor = vmstats.v_free_reserved;
		dflt.free = F;
		dflt.cache = C;
		need = &dflt;
	}
	core_wait_need(&vm_chan_vmwait, NULL, timo, need);
	vm_pages_waiting--;
}

void vm_wait(double timo)
{
	vm_wait_common(timo, NULL);
}

void vm_wait_need(double timo, const struct core_need *need)
{
	vm_wait_common(timo, need);
}

static const char *const class_names[8] = {
	"none", "NORMAL", "SYSTEM", "NORMAL|SYSTEM", "INTERRUPT",
	"NORMAL|INTERRUPT", "SYSTEM|INTERRUPT", "NORMAL|SYSTEM|INTERRUPT",
};

const char *vm_class_name(int class)
{
	return class_names[class & 7];
}

int64_t vm_class_floor(int class)
{
	if (class & VM_ALLOC_INTERRUPT)
		return 0;
	if (class & VM_ALLOC_SYSTEM)
		return vmstats.v_interrupt_free_min;
	return vmstats.v_free_reserved - 1;
}

void vm_need_pages(struct core_need *n, const char *what, int class,
    int64_t count, int64_t index, int64_t total)
{
	class = vm_page_daemon_class(class);
	memset(n, 0, sizeof(*n));
	n->kind = CORE_NEED_PAGES;
	n->what = what;
	n->cls = class;
	n->cls_name = vm_class_name(class);
	n->count = count;
	n->index = index;
	n->total = total;
	n->floor = vm_class_floor(class);
	n->free = F;
	n->cache = C;
}

int vm_class_admits(int class, int64_t free, int64_t cache)
{
	if (free <= 0 && !((class & VM_ALLOC_NORMAL) &&
	    !(class & VM_ALLOC_QUICK) && cache > 0))
		return 0;
	if (free >= vmstats.v_free_reserved)
		return 1;
	if ((class & VM_ALLOC_INTERRUPT) && free > 0)
		return 1;
	if ((class & VM_ALLOC_SYSTEM) && cache == 0 &&
	    free > vmstats.v_interrupt_free_min)
		return 1;
	/* a NORMAL request recycles cached pages into free ones (:2615) */
	if ((class & VM_ALLOC_NORMAL) && !(class & VM_ALLOC_QUICK))
		return free + cache >= vmstats.v_free_reserved;
	return 0;
}

/*
 * vm_wait_pfault(), vm_page.c:2990-3034: a faulting process is held
 * while vm_paging_severe(), re-polling every hz/10+1 ticks.
 */
void vm_wait_pfault(void)
{
	struct core_thread *td = core_self();
	struct core_need need;

	if (!vm_paging_min_nice(td->nice))
		return;
	do {
		if (vm_pages_needed <= 1) {
			vm_pages_needed = 2;
			if (vm_chan_psleep.nwaiters)
				core_wakeup(&vm_chan_psleep);
		}
		vm_pages_waiting++;
		memset(&need, 0, sizeof(need));
		need.kind = CORE_NEED_FREE_LEVEL;
		need.level_name = "v_free_severe";
		need.level = vmstats.v_free_severe;
		need.floor_name = "v_free_reserved";
		need.floor = vmstats.v_free_reserved;
		need.free = F;
		need.cache = C;
		core_wait_need(&vm_chan_vmwait, "pfault", 0.11, &need);
		vm_pages_waiting--;
		if (td->td_flags & TDF_LOWMEMKILL)
			break;
	} while (vm_paging_severe());
}

#undef F
#undef C

/* ---- set-up --------------------------------------------------------------- */

int vm_init(const struct config *cfg, char *err, size_t errlen)
{
	int64_t pages = (int64_t)(cfg->ram / PAGE_SIZE);
	int64_t i;

	if (pages >= (int64_t)VM_PAGE_NONE) {
		snprintf(err, errlen, "ram too large for this model");
		return -1;
	}
	vm_ncpus = cfg->ncpus > 0 ? cfg->ncpus : 1;
	vm_pf_memalloc = cfg->pf_memalloc;
	vm_color_init(vm_ncpus);
	memset(&vmstats, 0, sizeof(vmstats));
	memset(&vm_cnt, 0, sizeof(vm_cnt));
	free(vm_page_array);	/* booted again (the unit tests): no leak */
	vm_page_array = xcalloc((size_t)pages, sizeof(*vm_page_array));
	for (i = 0; i < PQ_COUNT; i++) {
		vm_queues[i].head = vm_queues[i].tail = VM_PAGE_NONE;
		vm_queues[i].count = 0;
	}
	core_chan_init(&vm_chan_vmwait, "vmwait");
	core_chan_init(&vm_chan_VMWait, "VMWait");
	core_chan_init(&vm_chan_psleep, "psleep");
	core_chan_init(&vm_chan_pgbusy, "pgrbwt");
	core_chan_init(&vm_chan_panic, "panic");
	vm_panicked = 0;

	if (vm_tunables_apply(cfg, pages, err, errlen) != 0)
		return -1;
	if (vm_dma_reserved >= pages) {
		snprintf(err, errlen, "dma_reserved %lld pages leaves no "
		    "memory", (long long)vm_dma_reserved);
		return -1;
	}

	/* All pages free, less the DMA reserve (counted wired, :287-294). */
	for (i = pages - 1; i >= 0; i--) {
		vm_page_array[i].next = vm_page_array[i].prev = VM_PAGE_NONE;
		if (i < vm_dma_reserved) {
			vm_page_array[i].flags = PG_WIRED;
			vmstats.v_wire_count++;
		} else {
			page_enqueue((uint32_t)i, PQ_FREE, 1);
		}
	}
	vmstats.v_dma_pages = vm_dma_reserved;
	vm_cnt.min_free = vmstats.v_free_count;
	vm_fail_nth_alloc = 0;
	vm_fail_injected = 0;
	/* kernel_map, as vm_mem_init() does */
	return kmem_init(cfg, err, errlen);
}

void vm_panic(const char *fmt, ...)
{
	va_list ap;

	if (!vm_panicked) {
		va_start(ap, fmt);
		vsnprintf(vm_panic_msg, sizeof(vm_panic_msg), fmt, ap);
		va_end(ap);
		vm_panicked = 1;
		trace_event("panic", "%s", vm_panic_msg);
	}
	static const struct core_need never = { .kind = CORE_NEED_NEVER,
	    .what = "the kernel panicked" };

	for (;;)
		core_wait_need(&vm_chan_panic, NULL, -1, &never);
}
