/*
 * vm_model: DragonFly's physical page layer, as a simulator keeps it.
 *
 * Mirrors sys/vm/vm_page.c (vm_page_alloc() admission by class, the page
 * queues, vm_wait(), vm_wait_pfault(), vm_page_free_wakeup()), the
 * thresholds of vm_pageout_free_page_calc() (sys/vm/vm_pageout.c), the
 * predicates of sys/vm/vm_page2.h, and the fault path of sys/vm/vm_fault.c
 * for anonymous and read-only file memory, with user page-table pages
 * from sys/platform/pc64/x86_64/pmap.c.  Numbers and names follow
 * DragonFly HEAD; docs/model.md lists every simplification.
 *
 * Per-page work here is plain C: a page is 20 bytes in one array, queues
 * are intrusive lists of 32-bit indices, counters are plain integers.
 */
#ifndef MEMSIM_VM_MODEL_H
#define MEMSIM_VM_MODEL_H

#include <stdint.h>

#include "config.h"
#include "core.h"
#include "allocators/alloc.h"
#include "vm_object.h"
#include "vm_tunable.h"

#define PAGE_SIZE	4096
#define VM_PAGE_NONE	UINT32_MAX
#define NPTEPG		512	/* pages mapped by one page-table page */

/* Allocation classes, sys/vm/vm_page.h:470-480 */
#define VM_ALLOC_NORMAL		0x01
#define VM_ALLOC_SYSTEM		0x02
#define VM_ALLOC_INTERRUPT	0x04
#define VM_ALLOC_QUICK		0x08	/* free queue only, no cache */

/* Thread flags */
#define TDF_SYSTHREAD		0x01	/* the pageout daemons: VM_ALLOC_SYSTEM added */
#define TDF_LOWMEMKILL		0x02	/* P_LOWMEMKILL: chosen by the OOM killer */

enum pq { PQ_NONE, PQ_FREE, PQ_CACHE, PQ_INACTIVE, PQ_ACTIVE, PQ_COUNT };

/* vm_page flags (a subset of DragonFly's PG_* and busy bits) */
#define PG_DIRTY	0x01
#define PG_REFERENCED	0x02
#define PG_WINATCFLS	0x04	/* dirty page already went round once */
#define PG_BUSY		0x08	/* soft-busy: swap I/O in progress */
#define PG_SWAPPED	0x10	/* a valid copy is on swap */
#define PG_WIRED	0x20	/* kernel page (zone, slab, page table) */
#define PG_MAPPED	0x40	/* mapped in its object's page tables */
#define PG_RAM		0x80	/* read-ahead mark: a fault on it reads on */

/* sys/vm/vm_page.h:406-409 */
#define ACT_DECLINE	1
#define ACT_ADVANCE	3
#define ACT_INIT	5
#define ACT_MAX		64

struct vm_page {
	uint32_t next, prev;	/* queue links (VM_PAGE_NONE ends) */
	uint32_t object;	/* owning object id; 0: kernel or free */
	uint32_t pindex;
	uint8_t queue;		/* enum pq */
	uint8_t flags;
	uint8_t act_count;
	uint8_t pad;
};

struct vm_pagequeue {
	uint32_t head, tail;
	int64_t count;
};

/* sys/sys/vmmeter.h: struct vmstats, plus the paging targets */
struct vmstats {
	int64_t v_page_count;
	int64_t v_free_count, v_cache_count, v_inactive_count;
	int64_t v_active_count, v_wire_count, v_busy_count;
	int64_t v_dma_pages;
	int64_t v_free_min, v_free_reserved, v_free_severe;
	int64_t v_pageout_free_min, v_interrupt_free_min;
	int64_t v_free_target, v_paging_wait, v_paging_start;
	int64_t v_paging_target1, v_paging_target2, v_inactive_target;
};
extern struct vmstats vmstats;

/* Tunables and daemon state with their kernel names. */
extern int64_t vm_max_launder;
extern int64_t vm_page_free_hysteresis;	/* vm.page_free_hysteresis */
extern int64_t vm_pages_needed;
extern int64_t vm_pageout_pages_needed;
extern int64_t vm_pages_waiting;
extern int64_t vm_pageout_deficit;
extern int64_t vm_dma_reserved;		/* vm.dma_reserved, pages */
extern int vm_ncpus;

/* Wait channels, named by their wmesg. */
extern struct core_chan vm_chan_vmwait;		/* &vmstats.v_free_count */
extern struct core_chan vm_chan_VMWait;		/* vm_pageout_pages_needed */
extern struct core_chan vm_chan_psleep;		/* &vm_pages_needed */
extern struct core_chan vm_chan_pgbusy;		/* a busy page, "pgrbwt" */
extern struct alloc_zone *pv_zone;		/* "PV ENTRY" */

/*
 * Fault injection for tests: while vm_fail_nth_alloc > 0, every call of
 * vm_page_alloc() (vm_page_alloc_kernel() included) counts it down, and
 * the call that brings it to 0 returns VM_PAGE_NONE without looking at the
 * free count - so setting it to n makes the n-th allocation from now fail,
 * once.  vm_fail_injected counts the failures made.  vm_init() clears both.
 */
extern int vm_fail_nth_alloc;
extern int64_t vm_fail_injected;

/* The kernel would panic: record it and stop this thread for good. */
void vm_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int vm_panicked;
extern char vm_panic_msg[256];

/* Progress and statistics, read by the watchdog and the run row. */
struct vm_counters {
	int64_t pages_freed, pages_cached;	/* by paging or process exit */
	int64_t ios_done, proc_steps;
	int64_t page_faults, swapins, pageouts, pages_scanned;
	int64_t min_free;
	int64_t page_events;			/* faults+scans+frees+... */
	int64_t irq_alloc_failures;
	int64_t oom_kills;
	double pd_blocked;		/* daemon asleep waiting for memory */
	double pd_pbuf_wait;		/* daemon asleep on swap pbufs */
	int pd_sleep_open;		/* the daemon is in such a sleep now */
	double pd_sleep_t0;		/* since then */
};
extern struct vm_counters vm_cnt;
extern struct vm_page *vm_page_array;
extern struct vm_pagequeue vm_queues[PQ_COUNT];

/* Set-up: the page array, the queues, thresholds and tunables. */
int vm_init(const struct config *cfg, char *err, size_t errlen);

/* Predicates, sys/vm/vm_page2.h */
int vm_paging_severe(void);
int vm_paging_min_dnc(int64_t n);
int vm_paging_min(void);
int vm_paging_min_nice(int nice);
int vm_paging_wait(void);
int vm_paging_start(int64_t adj);
int vm_paging_target1(void);
int64_t vm_paging_target1_count(void);
int vm_paging_target2(void);
int64_t vm_paging_target2_count(void);

/* Pages */
uint32_t vm_page_alloc(int class);	/* never sleeps; VM_PAGE_NONE */
/* The same for page pindex of obj: the search starts at its colour. */
uint32_t vm_page_alloc_obj(int class, const struct vm_object *obj,
    uint32_t pindex);
int vm_page_admit(int class);		/* would the class be admitted now */
void vm_page_free(uint32_t pg);
void vm_page_queue_move(uint32_t pg, enum pq q);	/* to tail */
void vm_page_requeue(uint32_t pg);			/* to tail */
/* Kernel (wired) pages for zones, slabs and page tables. */
uint32_t vm_page_alloc_kernel(int class);
void vm_page_free_kernel(uint32_t pg);
/* Move a clean page to PQ_CACHE (vm_page_cache) and unmap it. */
void vm_page_cache(uint32_t pg);
void vm_page_deactivate(uint32_t pg);
void vm_page_activate(uint32_t pg);
void vm_page_unmap(uint32_t pg);
void vm_page_busy(struct vm_object *obj, uint32_t pg);
/* Page pg becomes page pindex of obj, busy until its contents are in. */
void vm_page_insert(struct vm_object *obj, uint32_t pindex, uint32_t pg);
void vm_page_unbusy(struct vm_object *obj, uint32_t pg);
void pagedaemon_wakeup(void);

/* Waiting, sys/vm/vm_page.c:2927-3034 */
void vm_wait(double timo);		/* timo 0: hz (1 s) */
/*
 * vm_wait() exactly, but the sleeper records what it really waits for
 * (e.g. page 7 of 32 at SYSTEM for kmem_slab_alloc), for the verdict and
 * the deadlock report; see vm_need_pages().
 */
void vm_wait_need(double timo, const struct core_need *need);
/*
 * A CORE_NEED_PAGES need: `count` pages at `class` for `what`, page
 * `index` of `total` when total > 0.  The class is the one
 * vm_page_alloc() will use (the page daemon's gets SYSTEM added); floor
 * and page counts are taken now.
 */
void vm_need_pages(struct core_need *n, const char *what, int class,
    int64_t count, int64_t index, int64_t total);
/* The class in words ("NORMAL|SYSTEM"); a static string. */
const char *vm_class_name(int class);
/* The free count the class may not go below with an empty cache. */
int64_t vm_class_floor(int class);
/*
 * Would `class` be admitted with `free` free and `cache` cached pages
 * (vm_page.c:2592-2599, and a NORMAL request recycling the cache)?
 * Pure: for the verdict's what-ifs.
 */
int vm_class_admits(int class, int64_t free, int64_t cache);
void vm_wait_pfault(void);
/*
 * The calling thread is one of the two pageout daemons, the primary
 * (pagethread) or the emergency pager (emergpager): TDF_SYSTHREAD page
 * requests, the daemon's vm_wait(), async swap writes.
 */
int curthread_is_pagedaemon(void);

/*
 * The page daemon's sleeps waiting for memory, wherever it sleeps (vm_wait,
 * an allocator's own wait).  begin returns the time it fell asleep, or -1
 * when the caller is not vm_pagethread; end adds the sleep to pd_blocked.
 * vm_pd_blocked_seconds() counts a sleep still open as lasting until now, so
 * a daemon deadlocked asleep shows its whole wait, not nothing.
 */
double vm_pd_sleep_begin(void);
void vm_pd_sleep_end(double t0);
double vm_pd_blocked_seconds(void);

/*
 * The class a request of the current thread is admitted at: the page
 * daemon's gets SYSTEM added (TDF_SYSTHREAD, vm_page.c:2583), and with
 * kernel{ pf_memalloc = true } INTERRUPT as well, which is Linux's
 * PF_MEMALLOC (mm/page_alloc.c, ALLOC_NO_WATERMARKS for a reclaiming
 * task): its page allocations succeed while any page is free.
 */
int vm_page_daemon_class(int class);
extern struct core_thread *vm_pagethread;
extern struct core_thread *vm_emergpager;	/* NULL when not started */

/* Record the lowest free count seen. */
static inline void vm_note_free(void)
{
	if (vmstats.v_free_count < vm_cnt.min_free)
		vm_cnt.min_free = vmstats.v_free_count;
}

#endif
