/*
 * test_emergpager: the emergency pager (dragonfly-vm.md 2.1, 2.3, 2.8;
 * vm_pageout.c:2398-2419).  While paging is needed and the primary's
 * heartbeat is 2 s old, a second thread on its own CPU runs the pass:
 * anonymous pages only, clean ones cached, dirty ones laundered through
 * the same swap pager, with SWAPMETA from its own CPU's active slab.
 *
 * Each case runs with the pager on and again with it off, in a forked
 * child with its own engine; the off run shows what the case depends on.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "blkdev.h"
#include "check.h"
#include "config.h"
#include "engine.h"
#include "swap_pager.h"
#include "vm_model.h"
#include "verdict.h"
#include "vm_pageout.h"

#define MiB (1024ULL * 1024)

static struct config cfg;

static void boot(int emerg, const char *swapmeta)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = 64 * MiB;
	cfg.swap = 1024 * MiB;
	cfg.ncpus = 2;
	cfg.kva = 1024 * MiB;
	cfg.pass_cost = 1e-3;
	cfg.emergency_pager = emerg;
	snprintf(cfg.swapmeta.name, sizeof(cfg.swapmeta.name), "SWAPMETA");
	snprintf(cfg.swapmeta.allocator, sizeof(cfg.swapmeta.allocator),
	    "%s", swapmeta);
	cfg.swapmeta.exclusive = 1;
	test_engine(2);
	if (vm_init(&cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
	if (swap_pager_swap_init(&cfg, err, sizeof(err)) != 0)
		printf("# swap_pager_swap_init: %s\n", err);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1e-4, 1e8, 1e8);
}

/* Take wired pages until exactly `level` are free. */
static void set_free(int64_t level)
{
	while (vmstats.v_free_count > level &&
	    vm_page_alloc_kernel(VM_ALLOC_INTERRUPT) != VM_PAGE_NONE)
		;
}

/* `n` resident pages of o from pindex 0, on the inactive queue. */
static void make_pages(struct vm_object *o, uint32_t n, uint8_t flags)
{
	uint32_t i, pg;
	struct vm_page *m;

	for (i = 0; i < n; i++) {
		pg = vm_page_alloc(VM_ALLOC_INTERRUPT);
		m = &vm_page_array[pg];
		m->object = o->id;
		m->pindex = i;
		m->flags = flags;
		o->pages[i] = pg;
		o->resident++;
		vm_page_queue_move(pg, PQ_INACTIVE);
	}
}

/* o's pages still on the inactive queue */
static int on_inactive(const struct vm_object *o)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i < o->size; i++)
		n += o->pages[i] != VM_PAGE_NONE &&
		    vm_page_array[o->pages[i]].queue == PQ_INACTIVE;
	return n;
}

static int swapped(const struct vm_object *o)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i < o->size; i++)
		n += o->swapped != NULL && o->swapped[i];
	return n;
}

static void idler(struct core_thread *td)
{
	(void)td;
	core_sleep(1000);
}

/* ---- the primary stuck on the swap pbufs: clean anonymous pages -------- */

static int child_takes_over(void *arg)
{
	int emerg = *(const int *)arg;
	struct vm_object *stuck, *anon, *file;
	int anon1, file1, anon3, file3;

	boot(emerg, "zalloc");
	/*
	 * The page daemon's first page is dirty and already went round
	 * once: it launders it and sleeps on "wswbuf2" for an async pbuf
	 * that never comes.  Behind it: clean anonymous and file pages.
	 */
	nsw_wcount_async = 0;
	stuck = vm_object_create(OBJT_DEFAULT, 1, NULL, NULL);
	anon = vm_object_create(OBJT_DEFAULT, 200, NULL, NULL);
	file = vm_object_create(OBJT_VNODE, 200, NULL, "file");
	make_pages(stuck, 1, PG_DIRTY | PG_WINATCFLS);
	make_pages(anon, 200, 0);
	make_pages(file, 200, 0);
	set_free(300);
	vm_pageout_start(&cfg);
	core_spawn("idler", CORE_PROC, 0, idler, NULL);
	core_run_until(1.9);
	anon1 = on_inactive(anon);
	file1 = on_inactive(file);
	core_run_until(3.5);
	anon3 = on_inactive(anon);
	file3 = on_inactive(file);
	CHECK(vm_pagethread->chan == &swap_chan_wswbuf, "set-up: the page "
	    "daemon sleeps on wswbuf2 inside its first page-out");
	CHECK(anon1 == 200 && file1 == 200, "before the heartbeat is 2 s old "
	    "nothing else scans (anonymous %d, file %d of 200 inactive)",
	    anon1, file1);
	if (emerg) {
		CHECK(anon3 == 0, "the emergency pager takes over once the "
		    "heartbeat is stale and caches the clean anonymous pages "
		    "(%d of 200 left inactive)", anon3);
		CHECK(file3 == 200, "... and leaves vnode-backed pages alone "
		    "(%d of 200 inactive)", file3);
		CHECK(vm_emergpager->cpu == 1, "it runs on the second CPU");
	} else {
		CHECK(anon3 == 200 && file3 == 200, "without it the pages stay "
		    "where they are (anonymous %d, file %d)", anon3, file3);
	}
	return CHECK_DONE();
}

/* ---- the primary stuck in kmem_slab_alloc for SWAPMETA ----------------- */

static struct vm_object *mine, *first, *second;

/*
 * On CPU 1: one SWAPMETA object while memory is plentiful, so that CPU's
 * active slab has room; then memory down to the SYSTEM floor, and the
 * dirty pages.
 */
static void cpu1_thread(struct core_thread *td)
{
	(void)td;
	mine->swb[0].swb = alloc_request(swap_zone, M_INTNOWAIT |
	    M_SWAPPAGER);
	set_free(vmstats.v_interrupt_free_min + 64 + 16);
	make_pages(first, 64, PG_DIRTY | PG_WINATCFLS);
	make_pages(second, 16, PG_DIRTY | PG_WINATCFLS);
	core_sleep(1000);
}

static int child_own_cpu_slab(void *arg)
{
	int emerg = *(const int *)arg;
	int sw_first, sw_second;

	boot(emerg, "kmalloc_obj");
	/*
	 * The daemon's cluster (64 dirty pages of `first`) needs a swblock
	 * on CPU 0, which has no slab: kmem_slab_alloc needs 32 pages at
	 * NORMAL|SYSTEM, refused with free at the floor and no cache.
	 */
	first = vm_object_create(OBJT_DEFAULT, 64, NULL, NULL);
	second = vm_object_create(OBJT_DEFAULT, 16, NULL, NULL);
	mine = vm_object_create(OBJT_DEFAULT, 32, NULL, NULL);
	vm_pageout_start(&cfg);
	core_spawn("cpu1", CORE_KTHREAD, 1, cpu1_thread, NULL);
	core_spawn("idler", CORE_PROC, 0, idler, NULL);
	core_run_until(4.5);
	sw_first = swapped(first);
	sw_second = swapped(second);
	CHECK(mine->swb[0].swb != 0, "set-up: CPU 1 took a SWAPMETA slab");
	CHECK(vm_pagethread->chan == &vm_chan_VMWait &&
	    vm_pagethread->need.what != NULL &&
	    strcmp(vm_pagethread->need.what, "kmem_slab_alloc") == 0,
	    "set-up: the page daemon waits inside kmem_slab_alloc (%s)",
	    core_need_text(vm_pagethread));
	if (emerg) {
		CHECK(sw_second == 16 && vm_cnt.pageouts >= 16, "the emergency "
		    "pager, on CPU 1, gets its swblock from that CPU's active "
		    "slab and pages out what the primary could not reach "
		    "(%d of 16 swapped, %lld page-outs)", sw_second,
		    (long long)vm_cnt.pageouts);
	} else {
		CHECK(sw_second == 0 && vm_cnt.pageouts == 0, "without it "
		    "nothing is paged out (%d swapped, %lld page-outs)",
		    sw_second, (long long)vm_cnt.pageouts);
	}
	CHECK(sw_first == 0, "the primary's own cluster is still unwritten "
	    "(%d swapped)", sw_first);
	return CHECK_DONE();
}

/* ---- nothing left to page out: the verdict still proves the deadlock ---- */

static struct core_chan never_chan;

/* A process that needs more pages than the machine has, untimed. */
static void hungry(struct core_thread *td)
{
	static const struct core_need all = { .kind = CORE_NEED_PAGES,
		.what = "test", .cls = VM_ALLOC_NORMAL, .cls_name = "NORMAL",
		.count = 1 << 20 };

	(void)td;
	core_chan_init(&never_chan, "never");
	core_wait_need(&never_chan, "never", -1, &all);
}

static int child_dead_with_poll(void *arg)
{
	int emerg = *(const int *)arg;
	struct vm_object *stuck, *anon, *file;
	struct verdict v1, v3;
	int64_t sc1, sc3;

	boot(emerg, "zalloc");
	/*
	 * As in the takeover case: the primary sleeps on wswbuf2 for good.
	 * The only process waits for more pages than exist.  Once the
	 * emergency pager has cached the clean anonymous pages, what is
	 * left on the queues is vnode-backed, which it never touches: its
	 * once-a-second poll can change nothing.
	 */
	nsw_wcount_async = 0;
	stuck = vm_object_create(OBJT_DEFAULT, 1, NULL, NULL);
	anon = vm_object_create(OBJT_DEFAULT, 200, NULL, NULL);
	file = vm_object_create(OBJT_VNODE, 200, NULL, "file");
	make_pages(stuck, 1, PG_DIRTY | PG_WINATCFLS);
	make_pages(anon, 200, 0);
	make_pages(file, 200, 0);
	set_free(300);
	vm_pageout_start(&cfg);
	core_spawn("hungry", CORE_PROC, 0, hungry, NULL);
	core_run_until(1.9);
	verdict_check(&v1);
	sc1 = vm_emergpager_scannable();
	core_run_until(3.5);
	verdict_check(&v3);
	sc3 = vm_emergpager_scannable();
	if (emerg) {
		CHECK(sc1 == 200 && sc3 == 0, "what its pass could act on: "
		    "%lld pages at t = 1.9 s, %lld at 3.5 s", (long long)sc1,
		    (long long)sc3);
		CHECK(v1.kind == VERDICT_ALIVE &&
		    strstr(v1.why, "emergpager") != NULL, "with 200 clean "
		    "anonymous pages queued, the emergency pager's poll can "
		    "still act: alive (%s)", v1.why);
		CHECK(vm_emergpager->chan != NULL &&
		    vm_emergpager->need.kind == CORE_NEED_SCAN &&
		    vm_emergpager->timed, "set-up: at the end it sleeps in its "
		    "timed poll (%s)", core_need_text(vm_emergpager));
		CHECK(on_inactive(anon) == 0 && on_inactive(file) == 200,
		    "set-up: it cached the anonymous pages, left the file's");
	} else {
		CHECK(v1.kind == VERDICT_DEAD, "without it, nothing can free "
		    "a page at t = 1.9 s already: proven (%s)", v1.why);
	}
	CHECK(v3.kind == VERDICT_DEAD, "with only vnode pages left, a poll "
	    "that can page nothing out does not keep the run alive: proven "
	    "(%s)", v3.why);
	return CHECK_DONE();
}

int main(void)
{
	int on = 1, off = 0;

	CHECK(test_in_child(child_takes_over, &on) == 0,
	    "takes over from a stuck primary");
	CHECK(test_in_child(child_takes_over, &off) == 0,
	    "... and without it, nothing does");
	CHECK(test_in_child(child_own_cpu_slab, &on) == 0,
	    "pages out with its own CPU's SWAPMETA slab");
	CHECK(test_in_child(child_own_cpu_slab, &off) == 0,
	    "... and without it, nothing is paged out");
	CHECK(test_in_child(child_dead_with_poll, &on) == 0,
	    "a deadlock stays proven while the emergency pager polls");
	CHECK(test_in_child(child_dead_with_poll, &off) == 0,
	    "... and without it");
	return CHECK_DONE();
}
