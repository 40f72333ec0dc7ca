/*
 * test_kmalloc_obj: kmalloc_obj's slab geometry (dragonfly-vm.md 5.2), its
 * list movements (5.3, 5.6), the poller's retention rules, the reserve
 * layer's top-up, and kmem_slab_alloc's page classes, KVA exhaustion and
 * map-entry reserve (5.4, 7.1, 7.2).
 *
 * Plain C where nothing sleeps; cases that sleep or panic run in a forked
 * child with its own SimGrid engine, whose checks print here too and
 * whose exit status the parent checks.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "allocators/kmalloc_obj.h"
#include "check.h"
#include "engine.h"
#include "config.h"
#include "core.h"
#include "kmem.h"
#include "trace.h"
#include "vm_model.h"
#include "vmfix.h"

#define MiB (1024 * 1024)

static struct config cfg;

/* 256 MiB: v_free_reserved 202, v_interrupt_free_min 55. */
static void boot(uint64_t ram, int ncpus, uint64_t kva)
{
	vmfix_config(&cfg, ram, ncpus);
	cfg.kva = kva;
	vmfix_boot(&cfg);
}

static struct alloc_zone *zone(const char *allocator, size_t objsize,
    long reserve, int intnowait, int exclusive)
{
	struct zone_cfg zc;
	struct alloc_zone *z;
	char err[256];

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.name, sizeof(zc.name), "SWAPMETA");
	snprintf(zc.allocator, sizeof(zc.allocator), "%s", allocator);
	zc.reserve = reserve;
	zc.refill_intnowait = intnowait;
	zc.exclusive = exclusive;
	z = alloc_zone_create(&zc, "SWAPMETA", objsize, 1000000, err,
	    sizeof(err));
	if (z == NULL)
		printf("# alloc_zone_create(%s): %s\n", allocator, err);
	return z;
}

static struct kmo_counts counts(const struct alloc_zone *z)
{
	struct kmo_counts c;

	kmo_counts(z, &c);
	return c;
}

/* ---- geometry ------------------------------------------------------------- */

static void test_objects_per_slab(void)
{
	struct alloc_zone *z;

	CHECK(kmalloc_obj_count(64) == 1815, "64-byte objects: 1815 per slab");
	CHECK(kmalloc_obj_count(128) == 961, "128-byte objects: 961 per slab");
	CHECK(kmalloc_obj_count(320) == 398, "320-byte objects: 398 per slab");
	CHECK(kmalloc_obj_count(512) == 251, "512-byte objects: 251 per slab");
	CHECK(kmalloc_obj_count(1024) == 126, "1024-byte objects: 126 per "
	    "slab");
	CHECK(kmalloc_obj_count(304) == 398, "a 304-byte struct swblock is "
	    "rounded to 320 by MALLOC_DEFINE_OBJ: 398 per slab");
	CHECK(kmalloc_obj_count(65536) == 1 && kmalloc_obj_count(131072) == 0,
	    "the count loop shrinks the count until the objects fit "
	    "(64 KiB: 1, 128 KiB: none)");
	boot(256 * MiB, 1, 0);
	z = zone("kmalloc_obj", 304, 0, 0, 0);
	CHECK(z != NULL && counts(z).objs_per_slab == 398 &&
	    z->stats.pages == 0 && z->stats.reserve_level == -1,
	    "a kmalloc_obj SWAPMETA zone starts with no slab and no reserve");
	alloc_zone_destroy(z);
}

/* ---- list movements --------------------------------------------------------- */

static void test_list_movements(void)
{
	struct alloc_zone *z;
	struct kmo_counts c;
	alloc_obj_t first, h, *objs;
	int64_t i, n = 0;

	boot(256 * MiB, 1, 0);
	z = zone("kmalloc_obj", 304, 0, 0, 0);
	objs = malloc(sizeof(*objs) * 4 * 398);
	first = objs[n++] = alloc_request(z, M_INTNOWAIT);
	c = counts(z);
	CHECK(first != 0 && z->stats.kmem_slab_allocs == 1 &&
	    z->stats.pages == 32 && c.active == 1 && c.alternate == 0,
	    "the first object needs a slab: kmem_slab_alloc, 32 pages, it "
	    "becomes the CPU's active slab");
	for (i = 1; i < 398; i++)
		objs[n++] = alloc_request(z, M_INTNOWAIT);
	CHECK(z->stats.kmem_slab_allocs == 1 && objs[n - 1] == first,
	    "398 objects come from one slab");
	objs[n++] = alloc_request(z, M_INTNOWAIT);
	c = counts(z);
	CHECK(z->stats.kmem_slab_allocs == 2 && c.active == 1 &&
	    c.alternate == 1 && c.empty == 0 && objs[n - 1] != first,
	    "the 399th: a new active slab, the exhausted one becomes the "
	    "alternate");
	for (i = 1; i < 398; i++)
		objs[n++] = alloc_request(z, M_INTNOWAIT);
	objs[n++] = alloc_request(z, M_INTNOWAIT);
	c = counts(z);
	CHECK(z->stats.kmem_slab_allocs == 3 && c.empty == 1,
	    "a third slab pushes the old alternate onto ggm->empty (no free "
	    "object)");
	alloc_release(z, first);
	c = counts(z);
	CHECK(c.empty == 1 && c.partial == 0, "a free does not move its slab: "
	    "the first slab stays on ggm->empty with one free object");
	for (i = 1; i < 398; i++)
		objs[n++] = alloc_request(z, M_INTNOWAIT);
	h = alloc_request(z, M_INTNOWAIT);
	c = counts(z);
	CHECK(h == first && z->stats.kmem_slab_allocs == 3 && c.empty == 1 &&
	    c.partial == 0, "when the CPU runs dry, the allocation polls "
	    "ggm->empty, finds the freed object's slab (via partial) and "
	    "needs no new slab; the second slab goes to ggm->empty");
	alloc_release(z, h);
	for (i = 1; i < n; i++)		/* objs[0] went back above */
		alloc_release(z, objs[i]);
	CHECK(z->stats.inuse == 0 && z->stats.pages == 96,
	    "all objects back, all 3 slabs still held by the zone");
	kmo_poll(z);
	c = counts(z);
	CHECK(c.full == 1 && c.empty == 0 && c.partial == 0 &&
	    z->stats.pages == 96, "the poller moves the fully free slab of "
	    "ggm->empty to ggm->full and keeps it (<= 4 fully free)");
	free(objs);
	alloc_zone_destroy(z);
}

/* ---- the poller ---------------------------------------------------------------- */

static alloc_obj_t *fill_slabs(struct alloc_zone *z, int64_t nslabs,
    int64_t *nobjs)
{
	int64_t i, n = nslabs * 398;
	alloc_obj_t *objs = malloc(sizeof(*objs) * (size_t)n);

	for (i = 0; i < n; i++)
		objs[i] = alloc_request(z, M_INTNOWAIT);
	*nobjs = n;
	return objs;
}

static void free_all(struct alloc_zone *z, alloc_obj_t *objs, int64_t n)
{
	int64_t i;

	for (i = 0; i < n; i++)
		alloc_release(z, objs[i]);
	free(objs);
}

static void test_poller_retention(void)
{
	struct alloc_zone *z;
	struct kmo_counts c;
	alloc_obj_t *objs;
	int64_t n, free0, gd, i;
	int ok = 1, polls;

	boot(256 * MiB, 1, 0);
	z = zone("kmalloc_obj", 304, 0, 0, 0);
	objs = fill_slabs(z, 30, &n);
	free_all(z, objs, n);
	c = counts(z);
	CHECK(c.empty == 28 && c.active == 1 && c.alternate == 1 &&
	    c.slabs == 30, "30 slabs, all objects freed: 28 still on "
	    "ggm->empty, lazily");
	kmo_poll(z);
	c = counts(z);
	CHECK(c.full == 12 && c.empty == 12 && c.gd_kmslab == 4 &&
	    z->stats.pages == 26 * 32, "one visit: 16 empty-list slabs "
	    "polled to ggm->full, kern.kzone_bretire = 4 retired into "
	    "gd_kmslab (full %lld, empty %lld, gd %lld)", (long long)c.full,
	    (long long)c.empty, (long long)c.gd_kmslab);
	for (polls = 1; polls < 20; polls++) {
		gd = c.gd_kmslab;
		kmo_poll(z);
		c = counts(z);
		if (c.gd_kmslab - gd > 4)
			ok = 0;
		if (c.gd_kmslab == gd && c.empty == 0)
			break;
	}
	CHECK(ok, "no visit retires more than 4 slabs");
	CHECK(c.full == KMALLOC_MAXFREEMAGS && c.gd_kmslab == 24 &&
	    c.slabs == 6 && z->stats.pages == 6 * 32, "the zone keeps "
	    "KMALLOC_MAXFREEMAGS = 4 fully free slabs (+ active, alternate); "
	    "24 went to this CPU's gd_kmslab after %d visits", polls + 1);
	CHECK(kmem_stats.slab_frees == 0, "nothing went back to the VM: "
	    "gd_kmslab had room");
	alloc_zone_destroy(z);

	/* gd_kmslab holds at most kern.kzone_cache = 128 slabs per CPU */
	boot(256 * MiB, 1, 0);
	z = zone("kmalloc_obj", 304, 0, 0, 0);
	objs = fill_slabs(z, 140, &n);
	free_all(z, objs, n);
	free0 = vmstats.v_free_count;
	for (polls = 0; polls < 100; polls++)
		kmo_poll(z);
	c = counts(z);
	CHECK(c.gd_kmslab == KMGD_MAXFREESLABS && kmem_stats.slab_frees == 6 &&
	    vmstats.v_free_count == free0 + 6 * 32, "140 slabs: 134 retired, "
	    "128 cached in gd_kmslab, the other 6 kmem_slab_free()d (%lld "
	    "pages back)", (long long)(vmstats.v_free_count - free0));
	objs = malloc(sizeof(*objs) * 7 * 398);
	for (i = 0; i < 6 * 398; i++)
		objs[i] = alloc_request(z, M_INTNOWAIT);
	CHECK(kmo_gd_kmslab(0) == 128, "6 x 398 objects come from the "
	    "zone's own 6 slabs");
	objs[i++] = alloc_request(z, M_INTNOWAIT);
	CHECK(kmo_gd_kmslab(0) == 127 && z->stats.kmem_slab_allocs == 140,
	    "then a slab comes from gd_kmslab, not from kmem_slab_alloc");
	free_all(z, objs, i);
	alloc_zone_destroy(z);
}

/* ---- the reserve layer ------------------------------------------------------------ */

static void test_reserve_topup(void)
{
	struct alloc_zone *z;
	struct kmo_counts c;
	alloc_obj_t a;
	int64_t i, ifm, f;

	boot(256 * MiB, 1, 0);
	ifm = vmstats.v_interrupt_free_min;
	z = zone("reserve_kmalloc_obj", 304, 3, 0, 1);
	c = counts(z);
	CHECK(z != NULL && z->stats.reserve_level == 3 && c.full == 3 &&
	    c.reserved == 3 && z->stats.pages == 96 &&
	    z->stats.kmem_slab_allocs == 0, "boot: 3 fully free slabs "
	    "installed on ggm->full as the reserve (not counted as run "
	    "slab traffic)");
	a = alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(a != 0 && z->stats.reserve_level == 3 &&
	    z->stats.kmem_slab_allocs == 1 && z->stats.pages == 128 &&
	    z->stats.reserve_min_level == 3, "taking a reserved slab tops "
	    "the reserve back up to N when pages are plentiful");
	for (i = 0; i < 397; i++)
		alloc_request(z, M_INTNOWAIT);
	CHECK(z->stats.kmem_slab_allocs == 1, "the rest of a reserved slab, "
	    "once active, serves any caller (the reserve is per slab)");
	alloc_request(z, M_INTNOWAIT);
	c = counts(z);
	CHECK(c.reserved == 3 && z->stats.kmem_slab_allocs == 2,
	    "exclusive: a caller without M_SWAPPAGER skips the reserve and "
	    "gets a new slab");
	for (i = 0; i < 397; i++)
		alloc_request(z, M_INTNOWAIT);
	vmfix_set_free(ifm, 1);
	f = vmstats.v_free_count;
	alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(z->stats.reserve_level == 2 &&
	    z->stats.reserve_refill_failures == 1 &&
	    vmstats.v_free_count == f && z->stats.reserve_min_level == 2,
	    "at F = v_interrupt_free_min an M_NOWAIT top-up is refused "
	    "(SYSTEM floor), counted, and takes no page (level %lld, "
	    "failures %lld)", (long long)z->stats.reserve_level,
	    (long long)z->stats.reserve_refill_failures);
	alloc_zone_destroy(z);

	boot(256 * MiB, 1, 0);
	z = zone("reserve_kmalloc_obj", 304, 3, 1, 1);
	alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	for (i = 0; i < 397; i++)
		alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	vmfix_set_free(ifm, 1);
	alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(z->stats.reserve_level == 3 &&
	    z->stats.reserve_refill_failures == 0 &&
	    vmstats.v_free_count == ifm - 32, "at the same F an M_INTNOWAIT "
	    "top-up succeeds, dipping into the interrupt reserve (free %lld)",
	    (long long)vmstats.v_free_count);
	vmfix_set_free(20, 1);
	for (i = 0; i < 398; i++)
		alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(z->stats.reserve_level == 2 &&
	    z->stats.reserve_refill_failures == 1 &&
	    vmstats.v_free_count == 20, "with fewer than 32 free pages even "
	    "M_INTNOWAIT fails and gives its pages back");
	alloc_zone_destroy(z);

	/* drained under pressure, refilled by the next new slab */
	boot(256 * MiB, 1, 0);
	z = zone("reserve_kmalloc_obj", 304, 2, 0, 1);
	alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	vmfix_set_free(ifm, 1);
	for (i = 0; i < 3 * 398 - 1; i++)
		alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(z->stats.reserve_level == 0 &&
	    z->stats.reserve_refill_failures == 2 &&
	    z->stats.reserve_min_level == 0, "below the SYSTEM floor the "
	    "M_NOWAIT top-ups fail and the reserve drains to 0");
	vmfix_set_free(vmstats.v_free_reserved + 200, 1);
	alloc_request(z, M_INTNOWAIT | M_SWAPPAGER);
	CHECK(z->stats.reserve_level == 2 && z->stats.kmem_slab_allocs == 4,
	    "with pages back, the next allocation that needs a new slab "
	    "(kmem_slab_alloc) also tops the empty reserve up to N");
	alloc_zone_destroy(z);

	boot(256 * MiB, 1, 0);
	z = zone("reserve_kmalloc_obj", 304, 2, 0, 0);
	alloc_request(z, M_WAITOK);
	c = counts(z);
	CHECK(c.reserved == 2 && z->stats.kmem_slab_allocs == 1 &&
	    c.slabs == 3, "not exclusive: an ordinary M_WAITOK caller takes a "
	    "reserved slab and the reserve is topped up");
	alloc_zone_destroy(z);
}

/* reserve = 0 is kmalloc_obj: the same sequence gives the same state. */
static void run_sequence(struct alloc_zone *z, int64_t out[12])
{
	alloc_obj_t *objs = malloc(sizeof(*objs) * 20000);
	uint64_t x = 12345;
	int64_t n = 0, i;
	struct kmo_counts c;

	for (i = 0; i < 20000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if ((x >> 33) % 100 < 60 || n == 0) {
			objs[n++] = alloc_request(z, M_INTNOWAIT);
		} else {
			int64_t k = (int64_t)((x >> 40) % (uint64_t)n);
			alloc_release(z, objs[k]);
			objs[k] = objs[--n];
		}
		if (i % 1000 == 999)
			kmo_poll(z);
	}
	c = counts(z);
	out[0] = z->stats.allocs;
	out[1] = z->stats.frees;
	out[2] = z->stats.pages;
	out[3] = z->stats.pages_peak;
	out[4] = z->stats.kmem_slab_allocs;
	out[5] = c.partial;
	out[6] = c.full;
	out[7] = c.empty;
	out[8] = c.gd_kmslab;
	out[9] = vmstats.v_free_count;
	out[10] = z->stats.reserve_refill_failures;
	out[11] = kmem_stats.kva_used;
	free(objs);
}

static void test_reserve_zero(void)
{
	struct alloc_zone *z;
	int64_t a[12], b[12];

	boot(256 * MiB, 1, 0);
	z = zone("kmalloc_obj", 304, 0, 0, 0);
	run_sequence(z, a);
	alloc_zone_destroy(z);
	boot(256 * MiB, 1, 0);
	z = zone("reserve_kmalloc_obj", 304, 0, 1, 0);
	run_sequence(z, b);
	CHECK(memcmp(a, b, sizeof(a)) == 0 && z->stats.reserve_level == 0,
	    "reserve = 0 behaves exactly like kmalloc_obj (allocs, frees, "
	    "pages, slab allocs, lists, gd_kmslab, free pages, KVA)");
	alloc_zone_destroy(z);
}

/* ---- kmem_slab_alloc ------------------------------------------------------------- */

static void test_kmem_classes(void)
{
	struct alloc_stats st;
	int64_t res, ifm, vme;
	uint32_t id;

	memset(&st, 0, sizeof(st));
	boot(256 * MiB, 1, 0);
	res = vmstats.v_free_reserved;
	ifm = vmstats.v_interrupt_free_min;
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_WAITOK,
	    &st);
	CHECK(id != 0 && kmem_stats.pt_pages == 1 &&
	    kmem_stats.kernel_vm_end == 2 * MiB && kmem_stats.kva_used ==
	    KMALLOC_SLAB_SIZE && st.kmem_slab_allocs == 1,
	    "the first slab grows the kernel page tables by one PT page");
	kmem_slab_free(id);
	CHECK(kmem_stats.pt_pages == 1 && kmem_stats.kva_used == 0 &&
	    kmem_stats.kva_peak == KMALLOC_SLAB_SIZE, "kmem_slab_free gives "
	    "back KVA and pages, not page tables");
	vme = kmem_vme_avail(0);

	vmfix_set_free(32, 1);
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_INTNOWAIT, &st);
	CHECK(id != 0 && vmstats.v_free_count == 0 && kmem_slab_npages(id) ==
	    32, "M_INTNOWAIT (SYSTEM|INTERRUPT) takes pages down to F = 0");
	kmem_slab_free(id);
	vmfix_set_free(31, 1);
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_INTNOWAIT, &st);
	CHECK(id == 0 && vmstats.v_free_count == 31 &&
	    kmem_stats.kva_used == 0, "31 free pages: M_INTNOWAIT fails and "
	    "gives back every page and the KVA (free count unchanged)");
	vmfix_set_free(ifm + 32, 1);
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_NOWAIT,
	    &st);
	CHECK(id != 0 && vmstats.v_free_count == ifm, "M_NOWAIT (SYSTEM) "
	    "takes pages while F > v_interrupt_free_min");
	kmem_slab_free(id);
	vmfix_set_free(ifm + 31, 1);
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_NOWAIT,
	    &st);
	CHECK(id == 0 && vmstats.v_free_count == ifm + 31, "M_NOWAIT is "
	    "refused below the SYSTEM floor, free count unchanged");
	vmfix_set_free(res + 31, 1);
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_WAITOK,
	    &st);
	CHECK(id != 0 && vmstats.v_free_count == res - 1 &&
	    st.slab_alloc_waits == 0, "M_WAITOK (NORMAL) takes pages while "
	    "F >= v_free_reserved");
	kmem_slab_free(id);
	CHECK(kmem_vme_avail(0) == vme && kmem_stats.kva_used == 0,
	    "map entries and KVA balance over alloc/free (gd_vme_avail %lld)",
	    (long long)kmem_vme_avail(0));
	CHECK(kmem_stats.slab_alloc_failures == 2 && st.kmem_slab_allocs == 4,
	    "failures and successes counted");
}

static void test_kva_arena(void)
{
	uint32_t ids[9];
	int64_t f;
	int i;

	boot(64 * MiB, 1, 1 * MiB);
	for (i = 0; i < 8; i++)
		ids[i] = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
		    M_INTNOWAIT, NULL);
	CHECK(ids[7] != 0 && kmem_stats.kva_used == 1 * MiB &&
	    kmem_slab_addr(ids[3]) == 3 * KMALLOC_SLAB_SIZE, "a 1 MiB "
	    "kernel_map holds 8 aligned slabs, first fit from the bottom");
	f = vmstats.v_free_count;
	ids[8] = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_INTNOWAIT, NULL);
	CHECK(ids[8] == 0 && vmstats.v_free_count == f && !vm_panicked,
	    "kernel_map full: NULL with M_NULLOK, no page taken");
	kmem_slab_free(ids[3]);
	kmem_slab_free(ids[5]);
	ids[3] = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_INTNOWAIT, NULL);
	CHECK(kmem_slab_addr(ids[3]) == 3 * KMALLOC_SLAB_SIZE,
	    "a freed hole is reused, lowest first");
	CHECK(kmem_alloc_pageable(64 * 1024) == 5 * KMALLOC_SLAB_SIZE &&
	    kmem_alloc_pageable(64 * 1024 + 1) == -1 &&
	    kmem_alloc_pageable(60 * 1024 + 1) == 5 * KMALLOC_SLAB_SIZE +
	    64 * 1024, "kmem_alloc_pageable rounds to pages and fits the "
	    "rest of a hole");
	CHECK(kmem_alloc_pageable(4096) == -1 && kmem_stats.kva_used ==
	    1 * MiB, "then kernel_map is full");
	CHECK(kmem_stats.pt_pages == 1, "all of it under one PT page");
}

static int child_kva_panic_body_done;

static void kva_panic_thread(struct core_thread *td)
{
	int i;

	(void)td;
	for (i = 0; i < 9; i++)
		kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_WAITOK,
		    NULL);
	child_kva_panic_body_done = 1;
}

static int child_kva_panic(void *arg)
{
	(void)arg;
	test_engine(1);
	boot(64 * MiB, 1, 1 * MiB);
	core_spawn("kmalloc", CORE_PROC, 0, kva_panic_thread, NULL);
	core_run_until(2.0);
	CHECK(vm_panicked && strcmp(vm_panic_msg, "kmem_slab_alloc(): "
	    "kernel_map ran out of space!") == 0 &&
	    !child_kva_panic_body_done, "kernel_map full without M_NULLOK: "
	    "the kernel panics (recorded: \"%s\")", vm_panic_msg);
	return CHECK_DONE();
}

/* M_WAITOK sleeps page by page, keeping what it has. */
static struct alloc_stats waitok_st;
static uint32_t waitok_id;
static struct core_thread *waitok_td;

static void waitok_thread(struct core_thread *td)
{
	(void)td;
	waitok_id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_WAITOK, &waitok_st);
}

static void freer_thread(struct core_thread *td)
{
	(void)td;
	core_sleep(0.5);
	vmfix_set_free(vmstats.v_free_count + 40, 1);
}

static int child_waitok_sleeps(void *arg)
{
	(void)arg;
	int64_t res;
	uint32_t id;

	test_engine(1);
	boot(256 * MiB, 1, 0);
	res = vmstats.v_free_reserved;
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_WAITOK,
	    NULL);
	kmem_slab_free(id);		/* page tables grown */
	vmfix_set_free(res + 5, 1);
	waitok_td = core_spawn("kmalloc", CORE_PROC, 0, waitok_thread, NULL);
	core_run_until(0.25);
	CHECK(waitok_id == 0 && waitok_td->chan != NULL &&
	    strcmp(waitok_td->chan->name, "vmwait") == 0 &&
	    strcmp(core_need_text(waitok_td), "kmem_slab_alloc: page 7 of 32 at "
	    "NORMAL; free 201, floor 201") == 0, "M_WAITOK below "
	    "v_free_reserved sleeps in vm_wait, saying what it needs (\"%s\")",
	    core_need_text(waitok_td));
	CHECK(waitok_st.slab_alloc_waits == 1 && vmstats.v_free_count ==
	    res - 1, "it keeps the 6 pages it has while asleep");
	core_spawn("freer", CORE_PROC, 0, freer_thread, NULL);
	core_run_until(5.0);
	CHECK(waitok_id != 0 && kmem_slab_npages(waitok_id) == 32 &&
	    vmstats.v_free_count == res - 1 + 40 - 26,
	    "after 40 pages are freed it completes with 26 more pages "
	    "(free %lld)", (long long)vmstats.v_free_count);
	return CHECK_DONE();
}

/* The daemon gets SYSTEM: it sleeps only at v_interrupt_free_min. */
static void daemon_thread(struct core_thread *td)
{
	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	waitok_id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE,
	    M_WAITOK, &waitok_st);
}

static int child_daemon_class(void *arg)
{
	(void)arg;
	int64_t ifm;
	uint32_t id;

	test_engine(1);
	boot(256 * MiB, 1, 0);
	ifm = vmstats.v_interrupt_free_min;
	id = kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_WAITOK,
	    NULL);
	kmem_slab_free(id);
	vmfix_set_free(ifm + 10, 1);
	waitok_td = core_spawn("pagedaemon", CORE_PROC, 0, daemon_thread, NULL);
	core_run_until(0.25);
	CHECK(waitok_id == 0 && vmstats.v_free_count == ifm &&
	    waitok_td->chan != NULL &&
	    strcmp(waitok_td->chan->name, "VMWait") == 0 &&
	    strstr(core_need_text(waitok_td), "at NORMAL|SYSTEM; free 55, floor 55") !=
	    NULL, "the page daemon's slab pages are NORMAL|SYSTEM: it takes "
	    "them down to v_interrupt_free_min, then sleeps (\"%s\")",
	    core_need_text(waitok_td));
	return CHECK_DONE();
}

/* Map entries: CPU 1 starts with none spare; refills can sleep. */
static int mapent_phase;
static int64_t mapent_seen[4];

static void mapent_thread(struct core_thread *td)
{
	(void)td;
	mapent_seen[0] = kmem_stats.mapent_free;
	kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_INTNOWAIT,
	    NULL);
	mapent_seen[1] = kmem_stats.mapent_free;
	mapent_seen[2] = kmem_vme_avail(1);
	mapent_phase = 1;
	kmem_stats.mapent_free = 0;
	kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_INTNOWAIT,
	    NULL);
	mapent_phase = 2;
	kmem_stats.mapent_free = 0;
	kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_INTNOWAIT,
	    NULL);
	kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_INTNOWAIT,
	    NULL);
	vmfix_set_free(vmstats.v_free_reserved - 1, 1);
	mapent_phase = 3;
	kmem_stats.mapent_free = 0;
	kmem_slab_alloc(KMALLOC_SLAB_SIZE, KMALLOC_SLAB_SIZE, M_INTNOWAIT,
	    NULL);
	mapent_phase = 4;
}

static int child_mapent(void *arg)
{
	(void)arg;
	struct core_thread *td;

	test_engine(2);
	boot(256 * MiB, 2, 0);
	CHECK(kmem_stats.mapent_free == MAX_MAPENT && kmem_vme_avail(0) ==
	    257 - 8 && kmem_vme_avail(1) == 0, "boot: MAX_MAPENT = %d entries "
	    "in the MAP ENTRY zone, CPU 0 seeded with 257-8, CPU 1 with 8-8",
	    MAX_MAPENT);
	td = core_spawn("kmalloc", CORE_PROC, 1, mapent_thread, NULL);
	core_run_until(2.5);
	CHECK(mapent_seen[1] == mapent_seen[0] - 4 && mapent_seen[2] == 3,
	    "a slab on CPU 1 takes MAP_RESERVE_COUNT = 4 entries from the "
	    "zone, uses one, keeps 3");
	CHECK(kmem_stats.mapent_refills == 2 && kmem_stats.mapent_pages == 64,
	    "with the zone empty, vm_map_entry_reserve refills it with 32 "
	    "pages (kmem_alloc3)");
	CHECK(mapent_phase == 3 && td->chan != NULL &&
	    strstr(core_need_text(td), "MAP ENTRY refill") != NULL &&
	    strstr(core_need_text(td), "at NORMAL;") != NULL, "below v_free_reserved "
	    "that refill sleeps, even for an M_INTNOWAIT slab (\"%s\")",
	    core_need_text(td));
	vmfix_set_free(vmstats.v_free_reserved + 100, 1);
	core_run_until(6.0);
	CHECK(mapent_phase == 4 && kmem_stats.mapent_refills == 3 &&
	    kmem_stats.mapent_free == 1024 - 2, "once pages are back the "
	    "refill completes: 1024 entries, 2 taken (pool %lld)",
	    (long long)kmem_stats.mapent_free);
	return CHECK_DONE();
}

/* The kmalloc_poller thread: one zone per ~1 s wake, retires to orig CPU. */
static struct alloc_zone *poller_zone;

static void cpu1_thread(struct core_thread *td)
{
	alloc_obj_t *objs;
	int64_t n;

	(void)td;
	objs = fill_slabs(poller_zone, 10, &n);
	free_all(poller_zone, objs, n);
	core_sleep(60);		/* daemons live while a process does */
}

static int child_poller(void *arg)
{
	(void)arg;
	struct kmo_counts c;

	test_engine(2);
	boot(256 * MiB, 2, 0);
	poller_zone = zone("kmalloc_obj", 304, 0, 0, 0);
	core_spawn("user", CORE_PROC, 1, cpu1_thread, NULL);
	kmalloc_poller_start();
	core_run_until(0.9);
	c = counts(poller_zone);
	CHECK(c.empty == 8 && c.gd_kmslab == 0, "before the poller's first "
	    "wake the 8 freed slabs sit on ggm->empty");
	core_run_until(1.5);
	CHECK(kmo_gd_kmslab(1) == 4 && kmo_gd_kmslab(0) == 0 &&
	    counts(poller_zone).full == 4, "its first wake (1 s) retires 4 "
	    "into gd_kmslab of the CPU the slabs came from (CPU 1)");
	core_run_until(10.0);
	CHECK(kmo_gd_kmslab(1) == 4 && counts(poller_zone).full == 4,
	    "later wakes keep KMALLOC_MAXFREEMAGS = 4");
	return CHECK_DONE();
}

int main(void)
{
	trace_init();
	test_objects_per_slab();
	test_list_movements();
	test_poller_retention();
	test_reserve_topup();
	test_reserve_zero();
	test_kmem_classes();
	test_kva_arena();
	CHECK(test_in_child(child_kva_panic, NULL) == 0, "child: KVA exhaustion panic");
	CHECK(test_in_child(child_waitok_sleeps, NULL) == 0, "child: M_WAITOK sleeps");
	CHECK(test_in_child(child_daemon_class, NULL) == 0, "child: the daemon's class");
	CHECK(test_in_child(child_mapent, NULL) == 0, "child: map-entry reserve");
	CHECK(test_in_child(child_poller, NULL) == 0, "child: kmalloc_poller thread");
	return CHECK_DONE();
}
