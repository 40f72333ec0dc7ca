/*
 * vm_pageout: see vm_pageout.h.
 *
 * The 1024 coloured sub-queues of each queue are one list here.  Their
 * per-sub-queue limits are summed: a pass scans up to count/10 + 1024
 * pages of a queue (lcnt/10 + 1 per sub-queue, MAXSCAN_DIVIDER) and may
 * launder up to 1024 × max_launder pages, where max_launder is the
 * per-sub-queue budget of :828-836.
 */
#include "vm_pageout.h"

#include <stdio.h>
#include <string.h>

#include "proc.h"
#include "swap_pager.h"
#include "trace.h"
#include "vm_model.h"

#define PQ_L2_SIZE	1024
#define MAXSCAN_DIVIDER	10
#define BLIST_MAX_ALLOC	64	/* largest pageout cluster */
#define VM_CACHE_SCAN_MIN 16

#define VM_EMERG_LAUNDER 100	/* vm.emerg_launder */

enum { PAGING_IDLE, PAGING_TARGET1, PAGING_TARGET2 };

/*
 * One of the two threads that run vm_pageout_thread(): the primary
 * (pagethread) and the emergency pager (emergpager, isep).  Each keeps
 * its own pass count and paging state, as the kernel's locals.
 */
struct pager {
	int isep;
	int64_t pass;
	int state;
	int64_t cached, laundered;	/* by this thread's scans */
};

static const struct config *pcfg;
static struct pager primary, emerg;
static double lastkill = -1e9;
/*
 * vm_pagedaemon_uptime: the primary's heartbeat, in whole seconds of
 * uptime (time_uptime); the emergency pager sleeps on it.
 */
static int64_t vm_pagedaemon_uptime;
static struct core_chan pd_uptime_chan;

static int64_t time_uptime(void)
{
	return (int64_t)core_now();
}

static void heartbeat(const struct pager *pd)
{
	if (!pd->isep)
		vm_pagedaemon_uptime = time_uptime();
}

static int64_t max_launder_per_subq(const struct pager *pd)
{
	int64_t base = vm_max_launder / PQ_L2_SIZE;
	int64_t ml;

	if (pd->pass / MAXSCAN_DIVIDER > 0)
		base *= 2;
	ml = (base + 9) / 10;
	if (ml < 1)
		ml = 1;
	if (ml > vm_max_launder / 16 + 1)
		ml = vm_max_launder / 16 + 1;
	return ml;
}

static int page_launderable(struct vm_object *obj, uint32_t pindex)
{
	uint32_t pg = obj->pages[pindex];
	const struct vm_page *m;

	if (pg == VM_PAGE_NONE)
		return 0;
	m = &vm_page_array[pg];
	return (m->flags & (PG_DIRTY | PG_BUSY | PG_WIRED)) == PG_DIRTY &&
	    (m->queue == PQ_INACTIVE || m->queue == PQ_ACTIVE);
}

/*
 * vm_pageout_clean_helper() + vm_pageout_flush(): a cluster of dirty
 * neighbours inside the 64-page block, soft-busied, handed to the swap
 * pager.  Returns the pages in the cluster.
 */
static int vm_pageout_clean(uint32_t pg, int flags)
{
	struct vm_page *m = &vm_page_array[pg];
	struct vm_object *obj = vm_object_by_id(m->object);
	uint32_t pindex = m->pindex;
	uint32_t base = pindex - pindex % BLIST_MAX_ALLOC;
	uint32_t lo = pindex, hi = pindex, i;
	uint32_t pages[BLIST_MAX_ALLOC];
	int rtvals[BLIST_MAX_ALLOC];
	int n;

	while (lo > base && page_launderable(obj, lo - 1))
		lo--;
	while (hi + 1 < base + BLIST_MAX_ALLOC && hi + 1 < obj->size &&
	    page_launderable(obj, hi + 1))
		hi++;
	n = (int)(hi - lo + 1);
	for (i = 0; i < (uint32_t)n; i++) {
		pages[i] = obj->pages[lo + i];
		vm_page_array[pages[i]].flags &= (uint8_t)~PG_WINATCFLS;
		vm_page_busy(obj, pages[i]);
	}
	swap_pager_putpages_flags(obj, pages, n, rtvals, flags);
	for (i = 0; i < (uint32_t)n; i++) {
		if (rtvals[i] != VM_PAGER_FAIL)
			continue;
		/* no swap: the page stays dirty on the inactive queue */
		vm_page_unbusy(obj, pages[i]);
		if (obj->dead)
			vm_page_free(pages[i]);
		else if (vm_page_array[pages[i]].queue == PQ_ACTIVE)
			vm_page_deactivate(pages[i]);
	}
	vm_object_reap(obj);
	return n;
}

/*
 * Take the page at the head of queue q as scanned.  Returns -1 when the
 * queue is empty, 0 when the page is busy (I/O in progress: moved to the
 * tail and skipped, as the kernel skips pages it cannot busy), 1 with
 * *pgp set otherwise.
 */
static int scan_next(enum pq q, int64_t *scanned, uint32_t *pgp)
{
	uint32_t pg = vm_queues[q].head;

	if (pg == VM_PAGE_NONE)
		return -1;
	(*scanned)++;
	vm_cnt.pages_scanned++;
	vm_cnt.page_events++;
	if (vm_page_array[pg].flags & PG_BUSY) {
		vm_page_requeue(pg);
		return 0;
	}
	*pgp = pg;
	return 1;
}

/* A referenced page: act_count += ACT_ADVANCE, up to ACT_MAX (:1067-1110). */
static int test_and_clear_referenced(struct vm_page *m)
{
	if (!(m->flags & PG_REFERENCED))
		return 0;
	m->flags &= (uint8_t)~PG_REFERENCED;
	m->act_count = (uint8_t)(m->act_count + ACT_ADVANCE > ACT_MAX ?
	    ACT_MAX : m->act_count + ACT_ADVANCE);
	return 1;
}

/*
 * vm_pageout_page(), :1032-1396, for a page the inactive scan has busied:
 * referenced -> reactivated; clean -> cached; dirty the first time round
 * at pass/10 == 0 -> marked and requeued (double LRU); dirty with launder
 * budget left -> laundered with its cluster; else left.  Returns the
 * pages it cached or laundered.
 */
static int64_t vm_pageout_page(struct pager *pd, uint32_t pg,
    int64_t *launder)
{
	struct vm_page *m = &vm_page_array[pg];
	struct vm_object *obj = vm_object_by_id(m->object);
	int n;

	if (test_and_clear_referenced(m)) {
		vm_page_queue_move(pg, PQ_ACTIVE);	/* reactivate */
		return 0;
	}
	if (!(m->flags & PG_DIRTY)) {
		vm_page_cache(pg);
		pd->cached++;
		return 1;
	}
	if (!(m->flags & PG_WINATCFLS) && pd->pass / MAXSCAN_DIVIDER == 0) {
		/* double LRU: a dirty page goes round once more */
		m->flags |= PG_WINATCFLS;
		vm_page_requeue(pg);
		return 0;
	}
	if (*launder > 0 && obj->type != OBJT_VNODE) {
		n = vm_pageout_clean(pg, 0);
		*launder -= n;
		pd->laundered += n;
		return n;
	}
	vm_page_requeue(pg);
	return 0;
}

/*
 * The emergency pager handles anonymous memory only: OBJT_DEFAULT and
 * OBJT_SWAP (:922-957, :1512-1530).  A page it passes over stays where
 * it is in the kernel (the scan's marker moves past it); with one list
 * per queue it goes to the tail, as a busy page does.
 */
static int emerg_skips(const struct pager *pd, uint32_t pg)
{
	if (!pd->isep ||
	    vm_object_by_id(vm_page_array[pg].object)->type != OBJT_VNODE)
		return 0;
	vm_page_requeue(pg);
	return 1;
}

/*
 * What a pass of the emergency pager could act on: the anonymous pages
 * on the active and inactive queues, the dirty ones only while swap has
 * room for them.  A busy page is skipped (scan_next()): whoever busied it
 * unbusies it, and is then alive itself.  With none, its pass only moves
 * cached pages to the free queue, so a poll that finds nothing else
 * changes nothing.
 */
int64_t vm_emergpager_scannable(void)
{
	static const enum pq qs[] = { PQ_INACTIVE, PQ_ACTIVE };
	const struct vm_page *m;
	int64_t n = 0;
	uint32_t pg;
	size_t i;

	if (vm_emergpager == NULL)
		return 0;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		for (pg = vm_queues[qs[i]].head; pg != VM_PAGE_NONE;
		    pg = m->next) {
			m = &vm_page_array[pg];
			if (vm_object_by_id(m->object)->type == OBJT_VNODE ||
			    (m->flags & PG_BUSY))
				continue;
			if (!(m->flags & PG_DIRTY) || swap_free_pages > 0)
				n++;
		}
	return n;
}

/* vm_pageout_scan_inactive() over all sub-queues */
static int64_t scan_inactive(struct pager *pd, int64_t shortage,
    int64_t *scanned)
{
	int64_t maxscan = vmstats.v_inactive_count / MAXSCAN_DIVIDER +
	    PQ_L2_SIZE;
	int64_t launder = PQ_L2_SIZE * max_launder_per_subq(pd);
	int64_t delta = 0;
	uint32_t pg;
	int rc;

	if (pd->state == PAGING_TARGET2 &&
	    shortage > vmstats.v_inactive_target / 10 + 1)
		shortage = vmstats.v_inactive_target / 10 + 1;
	while (maxscan-- > 0 && delta < shortage) {
		rc = scan_next(PQ_INACTIVE, scanned, &pg);
		if (rc < 0)
			break;
		if (rc == 0 || emerg_skips(pd, pg))
			continue;
		delta += vm_pageout_page(pd, pg, &launder);
		/*
		 * :1007-1015: once free+cache reach target2 the scan stops
		 * and reports full completion, whatever it did with the page.
		 */
		if (!vm_paging_target2()) {
			if (delta < shortage)
				delta = shortage;
			break;
		}
	}
	/*
	 * The per-sub-queue test of the caller (:2549-2557): free+cache
	 * reached target2 while nothing was left to scan here.
	 */
	if (delta < shortage && !vm_paging_target2() &&
	    !vm_paging_min_dnc(vm_page_free_hysteresis))
		delta = shortage;
	return delta;
}

/* vm_pageout_scan_active() over all sub-queues */
static int64_t scan_active(struct pager *pd, int64_t avail,
    int64_t inactive, int64_t *scanned)
{
	int64_t maxscan = vmstats.v_active_count / MAXSCAN_DIVIDER +
	    PQ_L2_SIZE;
	int64_t recycled = 0;
	uint32_t pg;
	struct vm_page *m;
	int decline, rc;

	while (maxscan-- > 0 && (avail > 0 || inactive > 0)) {
		rc = scan_next(PQ_ACTIVE, scanned, &pg);
		if (rc < 0)
			break;
		if (rc == 0 || emerg_skips(pd, pg))
			continue;
		m = &vm_page_array[pg];
		if (test_and_clear_referenced(m)) {
			vm_page_requeue(pg);
			continue;
		}
		/* vm.anonmem_decline 1, vm.filemem_decline 2 */
		decline = vm_object_by_id(m->object)->type == OBJT_VNODE ?
		    2 : ACT_DECLINE;
		m->act_count = (uint8_t)(m->act_count > decline ?
		    m->act_count - decline : 0);
		if (m->act_count >= pd->pass / MAXSCAN_DIVIDER + 1) {
			vm_page_requeue(pg);
			continue;
		}
		if (avail > 0 && !(m->flags & PG_DIRTY)) {
			vm_page_cache(pg);
			pd->cached++;
			avail--;
			recycled++;
		} else {
			vm_page_deactivate(pg);
			inactive--;
		}
	}
	return recycled;
}

/* vm_pageout_scan_cache(): keep ~v_free_target really free */
static void scan_cache(void)
{
	uint32_t pg;

	while ((vmstats.v_free_count < vmstats.v_free_target ||
	    vmstats.v_free_count < vmstats.v_free_min) &&
	    vmstats.v_cache_count > VM_CACHE_SCAN_MIN) {
		pg = vm_queues[PQ_CACHE].head;
		vm_page_free(pg);
	}
}

/* The swap-full killer, :1812-1895: the largest anon+swap process. */
static void vm_pageout_oom(const struct pager *pd, int64_t avail_shortage)
{
	struct proc *p, *big = NULL;
	int64_t bigsize = -1, size;

	/* the emergency pager does not handle swap full (:1788-1815) */
	if (pd->isep || !swap_pager_full || pd->pass / MAXSCAN_DIVIDER <= 1 ||
	    avail_shortage <= 0 || !vm_paging_target1() ||
	    core_now() - lastkill < 1.0)
		return;
	for (p = allproc; p != NULL; p = p->next) {
		if (p->killed || p->exited || p->td->exited)
			continue;
		size = proc_anon_pages(p);
		if (size > bigsize) {
			bigsize = size;
			big = p;
		}
	}
	if (big == NULL)
		return;
	lastkill = core_now();
	vm_cnt.oom_kills++;
	proc_kill(big, "out of swap space");
}

/*
 * Steps 3-8 of the loop body (:2489-2768), the same for both threads:
 * the inactive scan, the active scan, the cache scan and the OOM check,
 * then the pass control.  The primary refreshes its heartbeat at each
 * vmstats_rollup(); a primary stuck inside a scan stops refreshing it.
 */
static void vm_pageout_pass(struct pager *pd)
{
	int64_t avail_shortage, inactive_shortage, delta, scanned;

	scanned = 0;
	heartbeat(pd);
	avail_shortage = (pd->state == PAGING_TARGET1 ?
	    vm_paging_target1_count() : vm_paging_target2_count()) +
	    vm_pageout_deficit;
	vm_pageout_deficit = 0;
	delta = 0;
	if (avail_shortage > 0)
		delta = scan_inactive(pd, avail_shortage, &scanned);
	avail_shortage -= delta;

	heartbeat(pd);
	inactive_shortage = vmstats.v_inactive_target -
	    vmstats.v_inactive_count;
	if (avail_shortage > 0) {
		int64_t add = 2 * avail_shortage;
		if (add > vmstats.v_inactive_target / 10)
			add = vmstats.v_inactive_target / 10;
		inactive_shortage += add;
	}
	/*
	 * The emergency pager always moves a few pages: the inactive queue
	 * may be long enough but hold too few anonymous pages (:2627-2633).
	 */
	if (pd->isep && inactive_shortage < VM_EMERG_LAUNDER)
		inactive_shortage = VM_EMERG_LAUNDER;
	/* only on an inactive shortage (:2620-2635) */
	if (inactive_shortage > 0)
		avail_shortage -= scan_active(pd, avail_shortage,
		    inactive_shortage, &scanned);

	heartbeat(pd);
	scan_cache();
	vm_pageout_oom(pd, avail_shortage);
	core_cpu(pcfg->pass_cost + (double)scanned * pcfg->scan_cost);

	if (avail_shortage > 0) {
		++pd->pass;
		if (vm_pages_needed && swap_pager_full)
			core_sleep(0.2);	/* "pdelay", hz/5 */
		return;
	}
	pd->pass = 0;
	if (vm_paging_start(0) || vm_paging_min_dnc(16)) {
		pd->state = PAGING_TARGET1;
		vm_pages_needed = 2;
		if (!vm_paging_wait() && vm_chan_vmwait.nwaiters)
			core_wakeup(&vm_chan_vmwait);
		return;
	}
	if (!vm_pages_needed)
		return;		/* the other thread ended the paging */
	if (vm_paging_target1())
		pd->state = PAGING_TARGET1;
	else if (vm_paging_target2())
		pd->state = PAGING_TARGET2;
	else
		vm_pages_needed = 0;
	if (vm_chan_vmwait.nwaiters)
		core_wakeup(&vm_chan_vmwait);
}

static void vm_pageout_thread(struct core_thread *td)
{
	struct pager *pd = &primary;

	td->td_flags |= TDF_SYSTHREAD;
	vm_pageout_targets_init(pcfg);
	vm_pagedaemon_uptime = time_uptime();
	for (;;) {
		if (vm_pages_needed == 0) {
			static const struct core_need idle = {
				.kind = CORE_NEED_WORK, .what = "idle: woken by "
				"pagedaemon_wakeup() below v_paging_start" };

			core_wait_need(&vm_chan_psleep, NULL, 0.1, &idle);
			if (vm_pages_needed == 0 && !vm_paging_start(0))
				continue;
			vm_pagedaemon_uptime = time_uptime();
			vm_pages_needed = 1;
			pd->state = PAGING_TARGET1;
			/* the emergency pager watches while paging goes on */
			if (pd_uptime_chan.nwaiters)
				core_wakeup(&pd_uptime_chan);
		}
		vm_pageout_pass(pd);
	}
}

/*
 * The emergency pager (:2398-2419): while paging is needed it looks once
 * a second (else every 10 s) at the primary's heartbeat, and runs a pass
 * of its own only when that is 2 s or more old.
 */
static void vm_emergpager_thread(struct core_thread *td)
{
	struct pager *pd = &emerg;
	int64_t c0, l0;
	static const struct core_need watch = {
		.kind = CORE_NEED_SCAN, .what = "emergpager: runs a pass while "
		"vm_pages_needed once the primary's heartbeat is 2 s old" };

	td->td_flags |= TDF_SYSTHREAD;
	for (;;) {
		core_wait_need(&pd_uptime_chan, "psleep",
		    vm_pages_needed ? 1.0 : 10.0, &watch);
		if (vm_pages_needed == 0 ||
		    time_uptime() - vm_pagedaemon_uptime < 2) {
			pd->pass = 0;
			continue;
		}
		c0 = pd->cached;
		l0 = pd->laundered;
		trace_event("emergpager_pass", "emergpager: the primary's "
		    "heartbeat is %lld s old (pagedaemon %s %s); free %lld "
		    "cache %lld", (long long)(time_uptime() -
		    vm_pagedaemon_uptime), vm_pagethread->chan != NULL ?
		    "asleep on" : "running", vm_pagethread->chan != NULL ?
		    vm_pagethread->wmesg : "", (long long)vmstats.v_free_count,
		    (long long)vmstats.v_cache_count);
		vm_pageout_pass(pd);
		trace_event("emergpager_done", "emergpager: pass done, cached "
		    "%lld, laundered %lld; free %lld cache %lld",
		    (long long)(pd->cached - c0),
		    (long long)(pd->laundered - l0),
		    (long long)vmstats.v_free_count,
		    (long long)vmstats.v_cache_count);
	}
}

/* ---- RLIMIT_RSS: vm_pageout_map_deactivate_pages(), :580-770 ---------- */

/*
 * pmap_resident_tlnw_count(): the pages mapped in the process's pmap.
 * Anonymous regions only: a file object's page tables are shared by all
 * its mappers here, so its mapped pages are nobody's in particular.
 * Each object keeps its count as pmap_enter() and vm_page_unmap() move
 * it, as the pmap keeps pm_stats, so this costs one add per region.
 */
int64_t vm_proc_rss(const struct proc *p)
{
	const struct vm_object *o;
	int64_t n = 0;
	int i;

	for (i = 0; i < p->nregions; i++) {
		o = p->regions[i].obj;
		if (!p->regions[i].live || o == NULL || o->type == OBJT_VNODE)
			continue;
		n += o->nmapped;
	}
	return n;
}

/*
 * vm_pageout_mdp_callback(), :588-718, for one mapped page: referenced
 * -> activated or aged, kept; else unmapped, deactivated, and cleaned
 * at once with vm.pageout_memuse_mode 2: a clean page cached, a dirty one
 * laundered with its cluster through a synchronous swap write
 * (swap_user_async = 0) that asks for the pages to be cached.  Returns
 * the pages it took out of the pmap (1 or 0).
 */
static int rss_page(uint32_t pg)
{
	struct vm_page *m = &vm_page_array[pg];

	if (m->flags & (PG_BUSY | PG_WIRED))
		return 0;
	vm_cnt.pages_scanned++;
	if (m->flags & PG_REFERENCED) {
		m->flags &= (uint8_t)~PG_REFERENCED;
		if (m->queue != PQ_ACTIVE)
			vm_page_activate(pg);
		else if (m->act_count < ACT_MAX)
			m->act_count++;
		return 0;
	}
	vm_page_unmap(pg);
	if (m->queue == PQ_ACTIVE)
		vm_page_deactivate(pg);
	if (m->queue != PQ_INACTIVE)
		return 1;
	m->flags |= PG_WINATCFLS;
	if (!(m->flags & PG_DIRTY))
		vm_page_cache(pg);
	else
		vm_pageout_clean(pg, OBJPC_SYNC | OBJPC_TRY_TO_CACHE);
	return 1;
}

/* One pmap_pgscan() from the saved offset; 1 when it reached the end. */
static int rss_scan(struct proc *p, int64_t limit, int64_t *rss)
{
	struct vm_object *o;
	uint32_t pg;

	for (; p->pgout_region < p->nregions; p->pgout_region++,
	    p->pgout_pindex = 0) {
		o = p->regions[p->pgout_region].obj;
		if (!p->regions[p->pgout_region].live || o == NULL ||
		    o->type == OBJT_VNODE)
			continue;
		for (; p->pgout_pindex < o->size; p->pgout_pindex++) {
			if (*rss <= limit)
				return 0;
			pg = o->pages[p->pgout_pindex];
			if (pg == VM_PAGE_NONE ||
			    !(vm_page_array[pg].flags & PG_MAPPED))
				continue;
			*rss -= rss_page(pg);
			if (p->killed || !p->regions[p->pgout_region].live)
				break;
		}
	}
	p->pgout_region = 0;
	p->pgout_pindex = 0;
	return 1;
}

void vm_pageout_map_deactivate_pages(struct proc *p, int64_t limit)
{
	int64_t rss = vm_proc_rss(p);
	int retries = 3;

	for (;;) {
		if (!rss_scan(p, limit, &rss) && rss > limit)
			continue;
		rss = vm_proc_rss(p);	/* a sleep in the scan may have moved it */
		if (retries-- > 0 && rss > limit && !p->killed)
			continue;
		break;
	}
}

void vm_pageout_start(const struct config *cfg)
{
	pcfg = cfg;
	memset(&primary, 0, sizeof(primary));
	memset(&emerg, 0, sizeof(emerg));
	emerg.isep = 1;
	lastkill = -1e9;
	vm_pagedaemon_uptime = 0;
	core_chan_init(&pd_uptime_chan, "psleep");
	vm_pagethread = core_spawn("pagedaemon", CORE_KTHREAD, 0,
	    vm_pageout_thread, NULL);
	vm_pagethread->role = CORE_ROLE_PAGEDAEMON;
	vm_emergpager = NULL;
	if (cfg->emergency_pager) {
		/* its own CPU, so its own per-CPU caches and active slabs */
		vm_emergpager = core_spawn("emergpager", CORE_KTHREAD,
		    cfg->ncpus > 1 ? 1 : 0, vm_emergpager_thread, NULL);
		vm_emergpager->role = CORE_ROLE_EMERGPAGER;
	}
}
