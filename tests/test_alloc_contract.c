/*
 * test_alloc_contract: one suite run over every registered allocator
 * (alloc_names()).  What every SWAPMETA allocator must guarantee:
 *  - objects handed out and returned balance, zone pages never negative,
 *    and every wired page is accounted for;
 *  - stats never go backwards over a random sequence;
 *  - a non-blocking request never sleeps, unless the allocator declares
 *    (nowait_may_sleep) that it ignores the caller's flags, as kmalloc_obj
 *    does - then the test shows that it does sleep at F = 0;
 *  - class floors: started at F = v_free_reserved, v_interrupt_free_min,
 *    1 and 0, an allocator's page takes never push F below the floor of
 *    the most privileged class it uses (and take nothing when F starts
 *    below it);
 *  - fault injection: the n-th page allocation inside one page-out
 *    (swap_pager_putpages of 16 dirty pages by the page daemon) fails,
 *    for n = 1, 2, ... until the path no longer reaches n; no page is
 *    lost and nothing crashes (a recorded kernel panic is an outcome).
 *
 * Cases that need the engine run in forked children, one per case.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "allocators/kmalloc.h"
#include "allocators/kmalloc_obj.h"
#include "blkdev.h"
#include "check.h"
#include "engine.h"
#include "config.h"
#include "core.h"
#include "kmem.h"
#include "rng.h"
#include "swap_pager.h"
#include "trace.h"
#include "vm_model.h"

#define MiB (1024 * 1024)

static struct config cfg;
static uint32_t *held;
static int64_t nheld;
static const char *cur;		/* allocator under test */

/* The zone every allocator gets: SWAPMETA, a reserve of 2 where used. */
static void zone_cfg(struct zone_cfg *zc, const char *allocator)
{
	memset(zc, 0, sizeof(*zc));
	snprintf(zc->name, sizeof(zc->name), "SWAPMETA");
	snprintf(zc->allocator, sizeof(zc->allocator), "%s", allocator);
	zc->reserve = 2;
	zc->refill_intnowait = 0;
	zc->exclusive = 1;
}

static void boot(uint64_t ram, int ncpus)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.cold_boot = 1;	/* an empty kernel_map: the mechanism alone */
	cfg.ram = ram;
	cfg.swap = 64 * MiB;
	cfg.ncpus = ncpus;
	zone_cfg(&cfg.swapmeta, cur);
	if (vm_init(&cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
	free(held);
	held = malloc(sizeof(*held) * (size_t)vmstats.v_page_count);
	nheld = 0;
}

static struct alloc_zone *zone(void)
{
	struct alloc_zone *z;
	char err[256];

	z = alloc_zone_create(&cfg.swapmeta, "SWAPMETA", 304, 200000, err,
	    sizeof(err));
	if (z == NULL)
		printf("# %s: alloc_zone_create: %s\n", cur, err);
	return z;
}

static void set_free(int64_t level)
{
	uint32_t pg;

	while (vmstats.v_free_count > level) {
		pg = vm_page_alloc_kernel(VM_ALLOC_INTERRUPT);
		if (pg == VM_PAGE_NONE)
			break;
		held[nheld++] = pg;
	}
	while (vmstats.v_free_count < level && nheld > 0)
		vm_page_free_kernel(held[--nheld]);
}

static int64_t page_sum(void)
{
	return vmstats.v_free_count + vmstats.v_cache_count +
	    vmstats.v_inactive_count + vmstats.v_active_count +
	    vmstats.v_wire_count;
}

/* Every wired page is the DMA reserve, a test's, the kernel's or a zone's. */
static int64_t wired_expected(void)
{
	struct alloc_zone *z;
	int64_t w = vm_dma_reserved + nheld + kmem_stats.pt_pages +
	    kmem_stats.mapent_pages;
	int c;

	for (z = alloc_zones(); z != NULL; z = z->next)
		w += z->stats.pages;
	w += kmalloc_free_zone_pages();
	for (c = 0; c < vm_ncpus; c++)
		w += kmo_gd_kmslab(c) * (KMALLOC_SLAB_SIZE / PAGE_SIZE);
	return w;
}

/* ---- balance and monotonic stats (plain C) -------------------------------- */

/* One poll; adds to *over the pages it freed beyond ops->reclaimable. */
static void poll_within_bound(struct alloc_zone *z, int64_t *over)
{
	int64_t bound = alloc_reclaimable(z), before = vmstats.v_free_count;

	z->ops->poll(z);
	if (bound >= 0 && vmstats.v_free_count - before > bound)
		*over += vmstats.v_free_count - before - bound;
}

/* A need the deadlock verdict can read (not words, not "the zone"). */
static int readable(const struct core_need *n)
{
	return n->kind != CORE_NEED_TEXT && n->kind != CORE_NEED_ZONE;
}

static void test_balance(void)
{
	struct alloc_zone *z;
	struct alloc_stats prev;
	alloc_obj_t *objs;
	struct rng r;
	int64_t n = 0, i, k, bad = -1, overshoot = 0;
	int polls;

	boot(256 * MiB, 2);
	z = zone();
	if (z == NULL) {
		CHECK(0, "%s: zone created", cur);
		return;
	}
	objs = malloc(sizeof(*objs) * 30000);
	rng_seed(&r, 42, 1);
	prev = z->stats;
	for (i = 0; i < 30000; i++) {
		if (n == 0 || rng_below(&r, 100) < 55) {
			objs[n] = alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
			if (objs[n] != 0)
				n++;
		} else {
			k = (int64_t)rng_below(&r, (uint64_t)n);
			alloc_release(z, objs[k]);
			objs[k] = objs[--n];
		}
		if (i % 500 == 499 && z->ops->poll != NULL)
			poll_within_bound(z, &overshoot);
		if (bad < 0 && (z->stats.allocs < prev.allocs ||
		    z->stats.frees < prev.frees ||
		    z->stats.pages_peak < prev.pages_peak ||
		    z->stats.kmem_slab_allocs < prev.kmem_slab_allocs ||
		    z->stats.pages < 0 ||
		    z->stats.pages > z->stats.pages_peak ||
		    z->stats.inuse != z->stats.allocs - z->stats.frees ||
		    z->stats.inuse != n || vmstats.v_wire_count !=
		    wired_expected()))
			bad = i;
		prev = z->stats;
	}
	CHECK(bad < 0, "%s: over 30000 random allocs/frees/polls the stats "
	    "never go backwards, pages stay in [0, peak], inuse matches, "
	    "every wired page is accounted for (first bad step %lld)", cur,
	    (long long)bad);
	CHECK(z->stats.failures == 0, "%s: no NULL with plenty of memory",
	    cur);
	while (n > 0)
		alloc_release(z, objs[--n]);
	CHECK(alloc_reclaimable(z) >= 0, "%s: the verdict can read what "
	    "its poll may give back (%lld pages)", cur,
	    (long long)alloc_reclaimable(z));
	for (polls = 0; polls < 200 && z->ops->poll != NULL; polls++)
		poll_within_bound(z, &overshoot);
	CHECK(overshoot == 0, "%s: no poll gave back more pages than "
	    "ops->reclaimable said it could (%lld too many)", cur,
	    (long long)overshoot);
	CHECK(z->stats.inuse == 0 && z->stats.pages >= 0 &&
	    vmstats.v_wire_count == wired_expected() &&
	    page_sum() == vmstats.v_page_count, "%s: everything returned: "
	    "inuse 0, %lld zone pages, no page lost", cur,
	    (long long)z->stats.pages);
	free(objs);
	alloc_zone_destroy(z);
}

/* ---- a non-blocking request never sleeps ---------------------------------- */

static struct alloc_zone *nb_zone;
static int nb_phase;
static int64_t nb_nulls, nb_moved;

static void nonblocking_thread(struct core_thread *td)
{
	double t0 = core_now();
	int i;

	(void)td;
	for (i = 0; i < 3000; i++) {
		alloc_request(nb_zone, M_INTNOWAIT | M_NOWAIT | M_SWAPPAGER);
		if (core_now() != t0)
			nb_moved++;
	}
	nb_phase = 1;
	set_free(0);
	for (i = 0; i < 3000; i++) {
		if (alloc_request(nb_zone, M_INTNOWAIT | M_NOWAIT |
		    M_SWAPPAGER) == 0)
			nb_nulls++;
		if (core_now() != t0)
			nb_moved++;
	}
	nb_phase = 2;
}

static int child_nonblocking(void *arg)
{
	struct core_thread *td;

	(void)arg;
	test_engine(1);
	trace_init();
	boot(64 * MiB, 1);
	nb_zone = zone();
	if (nb_zone == NULL)
		return 3;
	td = core_spawn("caller", CORE_PROC, 0, nonblocking_thread, NULL);
	core_run_until(5.0);
	if (!nb_zone->ops->nowait_may_sleep) {
		CHECK(nb_phase == 2 && nb_moved == 0 && nb_nulls > 0,
		    "%s: M_INTNOWAIT|M_NOWAIT never sleeps, with plenty of "
		    "memory or at F = 0 (then it returns NULL: %lld times)",
		    cur, (long long)nb_nulls);
		CHECK(readable(&nb_zone->need), "%s: after a NULL at F = 0 "
		    "the zone says what a retry needs in a kind the verdict "
		    "reads (%s)", cur, core_need_kind_name(nb_zone->need.kind));
	} else {
		CHECK(nb_phase >= 1, "%s: with plenty of memory "
		    "M_INTNOWAIT|M_NOWAIT does not sleep", cur);
		CHECK(nb_phase == 1 && td->chan != NULL && td->memwait &&
		    core_need_text(td)[0] != '\0',
		    "%s: declared nowait_may_sleep, and indeed at F = 0 an "
		    "M_INTNOWAIT swap-pager caller sleeps waiting for memory "
		    "(\"%s\")", cur, core_need_text(td));
		CHECK(readable(&td->need), "%s: its sleep's need is one the "
		    "verdict reads (%s)", cur,
		    core_need_kind_name(td->need.kind));
	}
	return CHECK_DONE();
}

/* ---- class floors ------------------------------------------------------------ */

/*
 * The lowest free count the allocator's page takes may reach (cache
 * empty, an ordinary thread): the floor of the most privileged class it
 * declares (ops->page_class), less the page taken.
 */
static int64_t floor_of(const struct alloc_zone *z)
{
	int class = z->ops->page_class(z);

	if (class & VM_ALLOC_INTERRUPT)
		return 0;
	if (class & VM_ALLOC_SYSTEM)
		return vmstats.v_interrupt_free_min;
	return vmstats.v_free_reserved - 1;	/* NORMAL, or no class bit */
}

static struct alloc_zone *fl_zone;

static void floor_thread(struct core_thread *td)
{
	int i;

	(void)td;
	for (i = 0; i < 2000; i++)
		alloc_request(fl_zone, M_INTNOWAIT | M_SWAPPAGER);
}

static int child_floor(void *arg)
{
	int which = *(int *)arg;
	int64_t level, floor, pages0, start;
	const char *lname[] = { "v_free_reserved", "v_interrupt_free_min",
	    "1", "0" };

	test_engine(1);
	trace_init();
	boot(256 * MiB, 1);
	fl_zone = zone();
	if (fl_zone == NULL)
		return 3;
	/* warm up: page tables grown, the next objects need new pages */
	pages0 = fl_zone->stats.pages;
	while (fl_zone->stats.pages == pages0)
		alloc_request(fl_zone, M_INTNOWAIT | M_SWAPPAGER);
	level = which == 0 ? vmstats.v_free_reserved : which == 1 ?
	    vmstats.v_interrupt_free_min : which == 2 ? 1 : 0;
	set_free(level);
	start = vmstats.v_free_count;
	vm_cnt.min_free = start;
	floor = floor_of(fl_zone);
	core_spawn("caller", CORE_PROC, 0, floor_thread, NULL);
	core_run_until(3.0);
	CHECK(vm_cnt.min_free >= (start < floor ? start : floor) &&
	    vm_cnt.min_free >= 0, "%s from F = %s (%lld): page takes stop at "
	    "its floor %lld (lowest F %lld)", cur, lname[which],
	    (long long)start, (long long)floor, (long long)vm_cnt.min_free);
	CHECK(page_sum() == vmstats.v_page_count, "%s from F = %s: no page "
	    "lost", cur, lname[which]);
	return CHECK_DONE();
}

/* ---- fault injection in one page-out ----------------------------------------- */

#define PO_PAGES 16

static struct vm_object *po_obj;
static uint32_t po_pages[PO_PAGES];
static int po_rtvals[PO_PAGES];
static int po_done, po_nth;
static int64_t po_fired;

static void pageout_thread(struct core_thread *td)
{
	int i;

	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	for (i = 0; i < PO_PAGES; i++)
		vm_page_busy(po_obj, po_pages[i]);
	vm_fail_nth_alloc = po_nth;
	swap_pager_putpages(po_obj, po_pages, PO_PAGES, po_rtvals);
	po_fired = vm_fail_injected;
	vm_fail_nth_alloc = 0;
	for (i = 0; i < 1000 && vmstats.v_busy_count > 0; i++)
		core_sleep(0.01);
	po_done = 1;
}

/* 0: passed and the fault fired; 1: passed, the path did not reach n. */
static int child_fault(void *arg)
{
	char err[256];
	int i, ok;
	uint32_t pg;

	po_nth = *(int *)arg;
	test_engine(1);
	trace_init();
	boot(64 * MiB, 1);
	if (swap_pager_swap_init(&cfg, err, sizeof(err)) != 0) {
		printf("# %s: swap_pager_swap_init: %s\n", cur, err);
		return 3;
	}
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1e-4, 1e8, 1e8);
	po_obj = vm_object_create(OBJT_DEFAULT, 64, NULL, NULL);
	for (i = 0; i < PO_PAGES; i++) {
		pg = vm_page_alloc(VM_ALLOC_NORMAL);
		vm_page_array[pg].object = po_obj->id;
		vm_page_array[pg].pindex = (uint32_t)i;
		vm_page_array[pg].flags = PG_DIRTY;
		po_obj->pages[i] = pg;
		po_obj->resident++;
		vm_page_queue_move(pg, PQ_INACTIVE);
		po_pages[i] = pg;
	}
	core_spawn("pagedaemon", CORE_PROC, 0, pageout_thread, NULL);
	core_run_until(30.0);
	ok = page_sum() == vmstats.v_page_count && swap_zone->stats.pages >= 0;
	if (vm_panicked) {
		printf("# %s: n = %d: kernel panic recorded: %s\n", cur,
		    po_nth, vm_panic_msg);
		return ok && vm_fail_injected > 0 ? 0 : 2;
	}
	for (i = 0; i < PO_PAGES; i++)
		if (po_rtvals[i] != VM_PAGER_PEND)
			ok = 0;
	ok = ok && po_done && vmstats.v_busy_count == 0 &&
	    page_sum() + vmstats.v_busy_count == vmstats.v_page_count &&
	    swap_zone->stats.inuse == 1;
	if (!ok) {
		printf("# %s: n = %d: done %d busy %lld inuse %lld sum %lld of "
		    "%lld\n", cur, po_nth, po_done,
		    (long long)vmstats.v_busy_count,
		    (long long)swap_zone->stats.inuse, (long long)page_sum(),
		    (long long)vmstats.v_page_count);
		return 2;
	}
	return po_fired ? 0 : 1;
}

static void test_fault_injection(void)
{
	int n, rc = 0, bad = 0, fired = 0;

	for (n = 1; n <= 200; n++) {
		rc = test_in_child(child_fault, &n);
		if (rc == 1)
			break;
		if (rc == 0)
			fired++;
		else
			bad++;
	}
	if (n == 1)
		CHECK(bad == 0 && rc == 1, "%s: the page-out needs no page "
		    "allocation (n = 1 is never reached) and completes", cur);
	else
		CHECK(bad == 0 && rc == 1, "%s: a page-out with its n-th page "
		    "allocation failing, n = 1..%d: every pass ends with no "
		    "page lost and nothing crashed; from n = %d the path "
		    "completes without reaching n", cur, n - 1, n);
	printf("# %s: %d passes had an injected failure\n", cur, fired);
}

int main(void)
{
	const char *const *names = alloc_names();
	int i, which;

	trace_init();
	for (i = 0; names[i] != NULL; i++) {
		cur = names[i];
		CHECK(alloc_lookup(cur)->reclaimable != NULL, "%s: says what "
		    "its poll may give back (ops->reclaimable)", cur);
		CHECK(alloc_lookup(cur)->page_class != NULL &&
		    (alloc_lookup(cur)->reserve_unit == NULL) ==
		    (alloc_lookup(cur)->options == NULL ||
		    alloc_lookup(cur)->options[0] == NULL),
		    "%s: declares its page class, and a reserve unit exactly "
		    "when it takes options", cur);
		test_balance();
		CHECK(test_in_child(child_nonblocking, NULL) == 0,
		    "%s: child: non-blocking requests", cur);
		for (which = 0; which < 4; which++)
			CHECK(test_in_child(child_floor, &which) == 0,
			    "%s: child: class floor %d", cur, which);
		test_fault_injection();
	}
	return CHECK_DONE();
}
