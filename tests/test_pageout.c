/*
 * test_pageout: the page daemon's pass rules (dragonfly-vm.md 2.3, 2.4),
 * the swap pager's write path (3.4, 3.5) and the free-or-cache choice of
 * an admitted NORMAL request (1.4, vm_page.c:2608).
 *
 * Cases that run the daemon or the swap pager run in a forked child with
 * its own engine.  A daemon pass costs pass_cost = 1 s of CPU here, so a
 * run stopped half-way through that second has seen exactly one pass.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "blkdev.h"
#include "check.h"
#include "config.h"
#include "engine.h"
#include "swap_pager.h"
#include "vm_color.h"
#include "vm_model.h"
#include "vmfix.h"
#include "vm_pageout.h"

#define MiB (1024ULL * 1024)

static struct config cfg;

static void boot(uint64_t ram, uint64_t swap, int ncpus)
{
	vmfix_config(&cfg, ram, ncpus);
	cfg.swap = swap;
	cfg.pass_cost = 1.0;
	snprintf(cfg.swapmeta.name, sizeof(cfg.swapmeta.name), "SWAPMETA");
	snprintf(cfg.swapmeta.allocator, sizeof(cfg.swapmeta.allocator),
	    "zalloc");
	vmfix_boot(&cfg);
}

/* The swap pager and its device; the engine must be up. */
static void boot_swap(void)
{
	char err[256];

	if (swap_pager_swap_init(&cfg, err, sizeof(err)) != 0)
		printf("# swap_pager_swap_init: %s\n", err);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1e-4, 1e8, 1e8);
}

/* A resident page of o on queue q. */
static uint32_t make_page(struct vm_object *o, uint32_t pindex, enum pq q,
    uint8_t flags, uint8_t act)
{
	uint32_t pg = vm_page_alloc(VM_ALLOC_INTERRUPT);
	struct vm_page *m = &vm_page_array[pg];

	m->object = o->id;
	m->pindex = pindex;
	m->flags = flags;
	m->act_count = act;
	o->pages[pindex] = pg;
	o->resident++;
	vm_page_queue_move(pg, q);
	return pg;
}

/* A user thread that only sleeps: the engine runs while one is alive. */
static void idler(struct core_thread *td)
{
	(void)td;
	core_sleep(1000);
}

/* ---- (3) an admitted NORMAL request may recycle a cache page ---------- */

static void test_admitted_normal_takes_cache(void)
{
	struct vm_object *o;
	static char have[512];
	uint32_t pg, n = 0;
	int64_t f0, c0, i;

	/* 2 CPUs: CPU 0's requests start in colours 0..511 */
	boot(64 * MiB, 0, 2);
	o = vm_object_create(OBJT_DEFAULT, 4096, NULL, NULL);
	/* all free pages wired, then a cache page in each of 0..511 */
	vmfix_set_free(0, 0);
	memset(have, 0, sizeof(have));
	for (i = 0; i < vmfix_nheld; i++) {
		pg = vmfix_held[i];
		if (vm_page_color(pg) >= 512 || have[vm_page_color(pg)])
			continue;
		have[vm_page_color(pg)] = 1;
		vmfix_held[i--] = vmfix_held[--vmfix_nheld];
		vm_page_free_kernel(pg);
		make_page(o, n++, PQ_ACTIVE, 0, 0);
		vm_page_cache(o->pages[n - 1]);
	}
	/* and v_free_reserved + 10 free pages, all in colours 512..1023 */
	for (i = 0; i < vmfix_nheld &&
	    vmstats.v_free_count < vmstats.v_free_reserved + 10; i++) {
		if (vm_page_color(vmfix_held[i]) < 512)
			continue;
		vm_page_free_kernel(vmfix_held[i]);
		vmfix_held[i--] = vmfix_held[--vmfix_nheld];
	}
	CHECK(n == 512 && vmstats.v_cache_count == 512 &&
	    vmstats.v_free_count == vmstats.v_free_reserved + 10,
	    "set-up: one cache page per colour of CPU 0, free pages only in "
	    "CPU 1's colours (cache %lld, free %lld)",
	    (long long)vmstats.v_cache_count,
	    (long long)vmstats.v_free_count);
	f0 = vmstats.v_free_count;
	c0 = vmstats.v_cache_count;
	pg = vm_page_alloc(VM_ALLOC_NORMAL);
	CHECK(pg != VM_PAGE_NONE && vmstats.v_cache_count == c0 - 1 &&
	    vmstats.v_free_count == f0, "an admitted NORMAL request whose "
	    "colours hold a cache page and no free page recycles the cache "
	    "page (cache %lld -> %lld, free %lld -> %lld)", (long long)c0,
	    (long long)vmstats.v_cache_count, (long long)f0,
	    (long long)vmstats.v_free_count);
	pg = vm_page_alloc(VM_ALLOC_SYSTEM | VM_ALLOC_INTERRUPT);
	CHECK(pg != VM_PAGE_NONE && vmstats.v_cache_count == c0 - 1 &&
	    vmstats.v_free_count == f0 - 1, "without NORMAL only the free "
	    "queue is searched");
	pg = vm_page_alloc(VM_ALLOC_QUICK | VM_ALLOC_NORMAL);
	CHECK(pg != VM_PAGE_NONE && vmstats.v_cache_count == c0 - 1,
	    "QUICK never uses the cache");
	CHECK(o->resident == 511, "the recycled page left its object");
}

static void test_admitted_normal_prefers_near_free(void)
{
	struct vm_object *o;
	uint32_t pg;
	int64_t c0;

	boot(64 * MiB, 0, 1);
	o = vm_object_create(OBJT_DEFAULT, 64, NULL, NULL);
	vmfix_set_free(vmstats.v_free_reserved + 200, 0);
	make_page(o, 0, PQ_ACTIVE, 0, 0);
	vm_page_cache(o->pages[0]);
	c0 = vmstats.v_cache_count;
	/* one CPU: a request for pindex 0 starts at the object's colour */
	pg = vm_queues[PQ_FREE].head;
	o->pg_color = vm_page_color(pg);
	CHECK(vm_page_alloc_obj(VM_ALLOC_NORMAL, o, 0) == pg &&
	    vmstats.v_cache_count == c0, "a NORMAL request finds the free page "
	    "of its own colour first");
}

/* ---- (4) swap_pager_putpages allocates swap once ---------------------- */

static struct vm_object *put_obj;
static int put_rtvals[16];

static void putpages_thread(struct core_thread *td)
{
	uint32_t pages[16];
	int i;

	(void)td;
	for (i = 0; i < 16; i++) {
		pages[i] = put_obj->pages[i];
		vm_page_busy(put_obj, pages[i]);
	}
	swap_pager_putpages(put_obj, pages, 16, put_rtvals);
}

static int child_putpages_once(void *arg)
{
	int i, pend = 0, fail = 0, swapped = 0;

	(void)arg;
	test_engine(1);
	boot(64 * MiB, 200 * 4096, 1);	/* lowat 8 pages, hiwat 12 */
	boot_swap();
	swap_free_pages = 10;		/* 190 blocks in use elsewhere */
	put_obj = vm_object_create(OBJT_DEFAULT, 64, NULL, NULL);
	for (i = 0; i < 16; i++)
		make_page(put_obj, (uint32_t)i, PQ_INACTIVE, PG_DIRTY, 0);
	core_spawn("putpages", CORE_PROC, 0, putpages_thread, NULL);
	core_run_until(0.001);
	for (i = 0; i < 16; i++) {
		pend += put_rtvals[i] == VM_PAGER_PEND;
		fail += put_rtvals[i] == VM_PAGER_FAIL;
		swapped += put_obj->swapped[i];
	}
	CHECK(pend == 8 && fail == 8, "16 pages with 10 blocks free: 16 fails, "
	    "8 is written, the other 8 fail (pend %d fail %d)", pend, fail);
	CHECK(swap_free_pages == 2 && swapped == 8, "swap_pager_full == 2 "
	    "surviving the successful 8-block allocation does not allocate "
	    "again: 8 blocks used, 8 pages hold one (free %lld, swapped %d)",
	    (long long)swap_free_pages, swapped);
	CHECK(swap_pager_full == 2, "swap still below nswap_lowat: "
	    "swap_pager_full stays set");
	return CHECK_DONE();
}

/* ---- (1) the active scan needs an inactive shortage ------------------- */

static int child_active_needs_inactive_shortage(void *arg)
{
	struct vm_object *o;
	uint32_t i;
	int64_t act0;

	(void)arg;
	test_engine(1);
	boot(64 * MiB, 1024 * MiB, 1);
	boot_swap();
	o = vm_object_create(OBJT_DEFAULT, 4000, NULL, NULL);
	/* 3000 dirty inactive pages (inactive_target is free/16) and 1000
	 * clean, unreferenced active ones; free + cache below
	 * v_paging_start, so the daemon runs with an avail_shortage */
	for (i = 0; i < 3000; i++)
		make_page(o, i, PQ_INACTIVE, PG_DIRTY, 0);
	for (; i < 4000; i++)
		make_page(o, i, PQ_ACTIVE, 0, 0);
	vmfix_set_free(300, 0);
	act0 = vmstats.v_active_count;
	vm_pageout_start(&cfg);
	core_spawn("idler", CORE_PROC, 0, idler, NULL);
	core_run_until(0.6);	/* the first pass: 0.1 s idle poll + 1 s */
	CHECK(vmstats.v_inactive_target == 300 / 16 &&
	    vmstats.v_paging_target1 > 300, "set-up: inactive queue above its "
	    "target, free below target1 (target %lld)",
	    (long long)vmstats.v_inactive_target);
	CHECK(vmstats.v_active_count == act0 && vmstats.v_cache_count == 0,
	    "an avail_shortage alone does not run the active scan: nothing "
	    "deactivated or cached (active %lld -> %lld, cache %lld)",
	    (long long)act0, (long long)vmstats.v_active_count,
	    (long long)vmstats.v_cache_count);
	return CHECK_DONE();
}

/* ---- (2) the target2 early exit ---------------------------------------- */

static int child_target2_early_exit(void *arg)
{
	struct vm_object *o;
	uint32_t i;

	(void)arg;
	test_engine(1);
	boot(64 * MiB, 1024 * MiB, 1);
	boot_swap();
	o = vm_object_create(OBJT_DEFAULT, 3000, NULL, NULL);
	for (i = 0; i < 3000; i++)
		make_page(o, i, PQ_INACTIVE, 0, 0);	/* clean */
	vmfix_set_free(300, 0);
	vm_pageout_deficit = 5000;	/* a large deficit: shortage >> target2 */
	vm_pageout_start(&cfg);
	core_spawn("idler", CORE_PROC, 0, idler, NULL);
	core_run_until(0.6);
	CHECK(vmstats.v_cache_count > 0 && vmstats.v_free_count +
	    vmstats.v_cache_count == vmstats.v_paging_target2,
	    "the inactive scan caches clean pages only until free+cache reach "
	    "v_paging_target2 (%lld), whatever the deficit (free %lld, cache "
	    "%lld)", (long long)vmstats.v_paging_target2,
	    (long long)vmstats.v_free_count, (long long)vmstats.v_cache_count);
	return CHECK_DONE();
}

int main(void)
{
	test_admitted_normal_takes_cache();
	test_admitted_normal_prefers_near_free();
	CHECK(test_in_child(child_putpages_once, NULL) == 0,
	    "putpages case passed");
	CHECK(test_in_child(child_active_needs_inactive_shortage, NULL) == 0,
	    "active-scan case passed");
	CHECK(test_in_child(child_target2_early_exit, NULL) == 0,
	    "target2 case passed");
	return CHECK_DONE();
}
