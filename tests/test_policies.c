/*
 * test_policies: the defining rule of each of the other kernels' SWAPMETA
 * policies.
 *  - uma_reserve: only the page daemon's swap-pager requests
 *    (M_USE_RESERVE) take the reserved items; everyone else needs new
 *    pages; at the item limit a second caller finds the zone exhausted,
 *    "swap blk zone exhausted" and the pause, then "swblk zone ok";
 *  - mempool: a free refills the pool before anything goes back to
 *    kmalloc_obj, and wakes a sleeper; without a free, a sleeper retries
 *    after the 5 s io_schedule_timeout;
 *  - pool_lowat: pool_prime/pool_setlowat at boot, replenishment to the
 *    low-water mark in the allocating thread at its page class, and
 *    pool_reclaim never going below the mark.
 * Each case runs in a forked child with its own engine.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "check.h"
#include "config.h"
#include "core.h"
#include "engine.h"
#include "trace.h"
#include "vm_model.h"
#include "vmfix.h"

#define MiB (1024 * 1024)

static struct config cfg;

/* 256 MiB: v_free_reserved 202, v_interrupt_free_min 55. */
static void boot(void)
{
	vmfix_config(&cfg, 256 * MiB, 1);
	vmfix_boot(&cfg);
}

static struct alloc_zone *zone(const char *allocator, long reserve,
    long nentries)
{
	struct zone_cfg zc;
	struct alloc_zone *z;
	char err[256];

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.name, sizeof(zc.name), "SWAPMETA");
	snprintf(zc.allocator, sizeof(zc.allocator), "%s", allocator);
	zc.reserve = reserve;
	z = alloc_zone_create(&zc, "SWAPMETA", 304, nentries, err,
	    sizeof(err));
	if (z == NULL)
		printf("# alloc_zone_create(%s): %s\n", allocator, err);
	return z;
}

/* One named counter of the zone's allocator. */
struct want {
	const char *name;
	int64_t v;
};

static void pick(void *ctx, const char *name, int64_t v)
{
	struct want *w = ctx;

	if (strcmp(name, w->name) == 0)
		w->v = v;
}

static int64_t counter(const struct alloc_zone *z, const char *name)
{
	struct want w = { name, -1 };

	z->ops->counters(z, pick, &w);
	return w.v;
}

static int saw_event(const char *kind)
{
	struct event_row ev[64];
	int n = trace_last(ev, 64), i;

	for (i = 0; i < n; i++)
		if (strcmp(ev[i].kind, kind) == 0)
			return 1;
	return 0;
}

/* ---- uma_reserve ----------------------------------------------------------- */

static struct alloc_zone *tz;
static alloc_obj_t got[64];
static int ngot, step;
static double t_got;

static void uma_user(struct core_thread *td)
{
	(void)td;
	got[ngot++] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	t_got = core_now();
	step = 1;
}

static void uma_daemon(struct core_thread *td)
{
	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	got[ngot++] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	step = 2;
}

static int child_uma_reserve(void *arg)
{
	int64_t pages;

	(void)arg;
	test_engine(1);
	boot();
	tz = zone("uma_reserve", 13, 1000);
	if (tz == NULL)
		return 3;
	CHECK(tz->stats.pages == 1 && counter(tz, "uma_uk_free") == 13,
	    "uma_reserve: uma_prealloc of 13 items is one 13-item slab");
	/* plenty of memory: a plain request makes a new slab */
	pages = tz->stats.pages;
	got[ngot++] = alloc_request(tz, M_NOWAIT);
	CHECK(got[0] != 0 && tz->stats.pages == pages + 1 &&
	    counter(tz, "uma_uk_free") == 13 + 12,
	    "uma_reserve: with memory free, a request without M_USE_RESERVE "
	    "takes a new slab, not a reserved item");
	/* no page: the 25 free items are usable down to the 13 reserved */
	vmfix_set_free(0, 1);
	while (ngot < 30 && (got[ngot] = alloc_request(tz, M_NOWAIT)) != 0)
		ngot++;
	CHECK(ngot == 13 && counter(tz, "uma_uk_free") == 13 &&
	    tz->stats.reserve_level == 13, "uma_reserve: at F = 0 plain "
	    "requests stop with uk_free = uk_reserve = 13 (%d got)", ngot);
	core_spawn("user", CORE_PROC, 0, uma_user, NULL);
	core_run_until(0.5);
	CHECK(step == 0 && counter(tz, "uma_uk_free") == 13 &&
	    counter(tz, "uma_zwaits") == 1, "uma_reserve: a swap-pager "
	    "request from an ordinary thread does not reach the reserve: "
	    "it waits in uma_zwait for a page");
	core_spawn("pagedaemon", CORE_PROC, 0, uma_daemon, NULL);
	core_run_until(1.0);
	CHECK(step == 2 && got[ngot - 1] != 0 &&
	    counter(tz, "uma_uk_free") == 12 && tz->stats.reserve_min_level
	    == 12, "uma_reserve: the page daemon's swap-pager request "
	    "(M_USE_RESERVE) takes a reserved item at F = 0");
	vmfix_set_free(vmstats.v_free_reserved + 100, 1);
	core_run_until(3.0);
	CHECK(step == 1 && t_got > 1.0, "uma_reserve: the ordinary thread "
	    "gets its item once pages are free (at t = %.2f)", t_got);
	return CHECK_DONE();
}

static void exh_user(struct core_thread *td)
{
	(void)td;
	alloc_request(tz, M_WAITOK);
	step |= 1;
}

static void exh_daemon(struct core_thread *td)
{
	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	got[0] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	t_got = core_now();
	step |= 2;
}

static int child_uma_exhausted(void *arg)
{
	alloc_obj_t o;
	int i, n = 0;

	(void)arg;
	test_engine(1);
	boot();
	tz = zone("uma_reserve", 0, 26);
	if (tz == NULL)
		return 3;
	while (n < 40 && (o = alloc_request(tz, M_NOWAIT)) != 0)
		n++;
	CHECK(n == 26 && counter(tz, "uma_uz_max_items") == 26,
	    "uma_reserve: uma_zone_reserve_kva caps the zone at 26 items");
	core_spawn("user", CORE_PROC, 0, exh_user, NULL);
	core_run_until(0.05);
	core_spawn("pagedaemon", CORE_PROC, 0, exh_daemon, NULL);
	core_run_until(1.0);
	CHECK(step == 0 && saw_event("swblk_zone_exhausted") &&
	    counter(tz, "uma_swzonxb") >= 9 && counter(tz, "uma_swzonxb") <=
	    11, "uma_reserve: with a thread asleep at the limit the daemon "
	    "finds the zone exhausted, says so and pauses 10 ticks per try "
	    "(%lld pauses in 1 s)", (long long)counter(tz, "uma_swzonxb"));
	for (i = 0; i < 2; i++)
		alloc_release(tz, 1);
	core_run_until(2.0);
	CHECK(step == 3 && saw_event("swblk_zone_ok") && t_got > 1.0,
	    "uma_reserve: two frees let both through, and \"swblk zone ok\" "
	    "follows");
	return CHECK_DONE();
}

/* ---- mempool ----------------------------------------------------------------- */

static void mp_sleeper(struct core_thread *td)
{
	(void)td;
	got[0] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	t_got = core_now();
	step = 1;
}

static int child_mempool_refill(void *arg)
{
	int64_t inuse;
	alloc_obj_t held_objs[400];
	int n = 0, k;

	(void)arg;
	test_engine(1);
	boot();
	tz = zone("mempool", 3, 1000);
	if (tz == NULL)
		return 3;
	CHECK(counter(tz, "mempool_curr_nr") == 3 && tz->stats.pages == 32,
	    "mempool: mempool_create preallocates min_nr = 3 elements (one "
	    "kmalloc_obj slab)");
	vmfix_set_free(0, 1);
	/* the slab's other objects first, then the pool */
	while (n < 400 && (held_objs[n] = alloc_request(tz, M_NOWAIT)) != 0)
		n++;
	CHECK(n == 398 && counter(tz, "mempool_curr_nr") == 0 &&
	    counter(tz, "mempool_pool_takes") == 3, "mempool: at F = 0 the "
	    "backing slab's 395 other objects go first, then the 3 pool "
	    "elements, then NULL for an atomic caller (%d got)", n);
	inuse = counter(tz, "zone_inuse");
	for (k = 0; k < 3; k++)
		alloc_release(tz, held_objs[--n]);
	CHECK(counter(tz, "mempool_curr_nr") == 3 &&
	    counter(tz, "mempool_refills") == 3 &&
	    counter(tz, "zone_inuse") == inuse, "mempool: the first 3 frees "
	    "refill the pool; kmalloc_obj gets nothing back");
	alloc_release(tz, held_objs[--n]);
	CHECK(counter(tz, "mempool_curr_nr") == 3 &&
	    counter(tz, "zone_inuse") == inuse - 1, "mempool: with the pool "
	    "full, the next free goes to kmalloc_obj");
	/* a sleeper is woken by a refill */
	while ((held_objs[n] = alloc_request(tz, M_NOWAIT)) != 0)
		n++;
	core_spawn("sleeper", CORE_PROC, 0, mp_sleeper, NULL);
	core_run_until(1.0);
	CHECK(step == 0 && counter(tz, "mempool_sleeps") == 1,
	    "mempool: pool and backing empty: a GFP_NOIO caller sleeps");
	alloc_release(tz, held_objs[--n]);
	core_run_until(1.5);
	CHECK(step == 1 && got[0] != 0 && t_got >= 1.0 && t_got < 1.01 &&
	    counter(tz, "mempool_timeouts") == 0, "mempool: the free at "
	    "t = 1 refills the pool and wakes it at once (t = %.3f)", t_got);
	return CHECK_DONE();
}

static int child_mempool_timeout(void *arg)
{
	(void)arg;
	test_engine(1);
	boot();
	tz = zone("mempool", 1, 1000);
	if (tz == NULL)
		return 3;
	vmfix_set_free(0, 1);
	while (alloc_request(tz, M_NOWAIT) != 0)
		;
	core_spawn("sleeper", CORE_PROC, 0, mp_sleeper, NULL);
	core_run_until(2.0);
	/* pages come back, but no element: nothing wakes it */
	vmfix_set_free(vmstats.v_free_reserved + 200, 1);
	core_run_until(4.9);
	CHECK(step == 0, "mempool: free pages alone do not wake a pool "
	    "sleeper");
	core_run_until(6.0);
	CHECK(step == 1 && got[0] != 0 && t_got >= 5.0 && t_got < 5.01 &&
	    counter(tz, "mempool_timeouts") == 1, "mempool: after the 5 s "
	    "io_schedule_timeout it retries the backing allocator and gets "
	    "its object (t = %.3f)", t_got);
	return CHECK_DONE();
}

/* ---- pool_lowat -------------------------------------------------------------- */

static int64_t pl_fail_user, pl_fail_daemon;

static void pl_user(struct core_thread *td)
{
	int64_t f0 = counter(tz, "pool_catchup_failures");

	(void)td;
	got[0] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	pl_fail_user = counter(tz, "pool_catchup_failures") - f0;
	step = 1;
}

static void pl_daemon(struct core_thread *td)
{
	int64_t f0 = counter(tz, "pool_catchup_failures");

	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	got[1] = alloc_request(tz, M_INTNOWAIT | M_SWAPPAGER);
	pl_fail_daemon = counter(tz, "pool_catchup_failures") - f0;
	step = 2;
}

static int child_pool_lowat(void *arg)
{
	alloc_obj_t objs[64];
	int i, n = 0;
	int64_t pages;

	(void)arg;
	test_engine(1);
	boot();
	tz = zone("pool_lowat", 20, 1000);
	if (tz == NULL)
		return 3;
	CHECK(counter(tz, "pool_itemsperpage") == 13 &&
	    tz->stats.pages == 2 && counter(tz, "pool_nitems") == 26,
	    "pool_lowat: pool_prime(20) of 13-item pages is 2 pages, 26 "
	    "items");
	for (i = 0; i < 6; i++)
		objs[n++] = alloc_request(tz, M_NOWAIT);
	CHECK(tz->stats.pages == 2 && counter(tz, "pool_nitems") == 20,
	    "pool_lowat: 6 gets leave 20 free: no catch-up yet");
	objs[n++] = alloc_request(tz, M_NOWAIT);
	CHECK(tz->stats.pages == 3 && counter(tz, "pool_nitems") == 32,
	    "pool_lowat: the get that goes below lowat grows a page in the "
	    "same call (pool_catchup)");
	/* free between the SYSTEM floor and v_free_reserved */
	for (i = 0; i < 12; i++)
		objs[n++] = alloc_request(tz, M_NOWAIT);
	vmfix_set_free(vmstats.v_interrupt_free_min + 10, 1);
	pages = tz->stats.pages;
	core_spawn("user", CORE_PROC, 0, pl_user, NULL);
	core_run_until(0.1);
	CHECK(step == 1 && got[0] != 0 && pl_fail_user == 1 &&
	    tz->stats.pages == pages, "pool_lowat: below v_free_reserved an "
	    "ordinary thread gets its item but cannot replenish (NORMAL)");
	core_spawn("pagedaemon", CORE_PROC, 0, pl_daemon, NULL);
	core_run_until(0.2);
	CHECK(step == 2 && got[1] != 0 && pl_fail_daemon == 0 &&
	    counter(tz, "pool_nitems") >= 20, "pool_lowat: the page daemon "
	    "replenishes to lowat from the same state (the VM gives it "
	    "SYSTEM)");
	/* reclaim: everything back, pages idle 10 s, never below lowat */
	alloc_release(tz, got[0]);
	alloc_release(tz, got[1]);
	while (n > 0)
		alloc_release(tz, objs[--n]);
	vmfix_set_free(vmstats.v_free_reserved + 500, 1);
	pages = tz->stats.pages;
	core_run_until(5.0);
	tz->ops->poll(tz);
	CHECK(tz->stats.pages == pages, "pool_lowat: pages idle under 10 s "
	    "are kept");
	core_run_until(20.0);
	tz->ops->poll(tz);
	CHECK(tz->stats.pages == 2 && counter(tz, "pool_nitems") >= 20,
	    "pool_lowat: pool_reclaim frees idle pages down to pr_minpages, "
	    "keeping >= lowat items (%lld pages)", (long long)tz->stats.pages);
	return CHECK_DONE();
}

int main(void)
{
	trace_init();
	CHECK(test_in_child(child_uma_reserve, NULL) == 0,
	    "child: uma_reserve M_USE_RESERVE");
	CHECK(test_in_child(child_uma_exhausted, NULL) == 0,
	    "child: uma_reserve exhausted zone");
	CHECK(test_in_child(child_mempool_refill, NULL) == 0,
	    "child: mempool refill on free");
	CHECK(test_in_child(child_mempool_timeout, NULL) == 0,
	    "child: mempool 5 s retry");
	CHECK(test_in_child(child_pool_lowat, NULL) == 0,
	    "child: pool_lowat");
	return CHECK_DONE();
}
