/*
 * kmem: kernel_map, map entries, kernel page tables, kmem_slab_alloc().
 * See kmem.h.
 *
 * The arena is a sorted array of free ranges, searched first-fit from the
 * bottom as vm_map_findspace() searches kernel_map.  A map entry is a
 * count: the MAP ENTRY zone is one pool (its per-CPU zalloc caches are
 * folded into it), each CPU has gd_vme_avail.  Page-directory pages of
 * pmap_growkernel() are not modelled, only the PT pages (one per 2 MiB).
 */
#include "kmem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "trace.h"
#include "vm_model.h"
#include "xmalloc.h"

#define KVA_DEFAULT	((uint64_t)8 << 30)	/* script.c's default */
/* vm_map.c:127-128: per-CPU seed entries, less 2*MAP_RESERVE_COUNT */
#define MAPENTRYBSP_CACHE	(SMP_MAXCPU + 1)
#define MAPENTRYAP_CACHE	8

struct kmem_stats kmem_stats;
unsigned kmem_generation;

struct kva_range {
	int64_t start, end;		/* [start, end) free */
};

struct kslab {
	int64_t addr, size;
	uint32_t *pages;
	int npages, cap;
	int live;
};

static struct kva_range *holes;
static int nholes, holes_cap;
static struct kslab *slabs;		/* by id; id 0 unused */
static uint32_t nslabs, slabs_cap;
static uint32_t *free_ids;
static uint32_t nfree_ids;
static int64_t *gd_vme_avail;		/* per CPU */
static int ncpus = 1;
static int mapent_refilling;		/* zgetlk held */
static struct core_thread *mapent_refiller;	/* who holds zgetlk */
static struct core_chan chan_zgetlk;

static int curcpu(void)
{
	return core_curcpu() % ncpus;
}

static int64_t kva_alloc(int64_t size, int64_t align);
static void pmap_growkernel(int64_t end);

static int64_t tunable(const struct config *cfg, const char *name,
    int64_t dflt)
{
	int i;

	for (i = 0; i < cfg->ntunables; i++)
		if (strcmp(cfg->tunables[i].name, name) == 0)
			return (int64_t)cfg->tunables[i].value;
	return dflt;
}

static int64_t pages_for(int64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

int64_t kmem_boot_pt_pages_default(int64_t p)
{
	int64_t span = KVA_PT_SPAN;

	return (p * BOOT_SIZEOF_VM_PAGE + span - 1) / span +
	    (p * BOOT_SIZEOF_PV_ENTRY + span - 1) / span + 1 + 128;
}

int64_t kmem_boot_kva_pages_default(int64_t p)
{
	int64_t kb = p * (PAGE_SIZE / 1024), nbuf, nswbuf_kva;

	/* machdep.c: nbuf = 50 + (KB - 128 MiB)/320 above 128 MiB */
	nbuf = 50 + (kb > 128 * 1024 ? (kb - 128 * 1024) / 320 : 0);
	nswbuf_kva = nbuf / 4 < 512 ? nbuf / 4 : 512;
	if (nswbuf_kva < 16)
		nswbuf_kva = 16;
	return pages_for(p * BOOT_SIZEOF_PV_ENTRY) +
	    pages_for(nbuf * BOOT_BKVASIZE) +
	    pages_for(2 * nswbuf_kva * BOOT_MAXPHYS);
}

/*
 * A booted kernel's kernel_map (see kmem.h): page tables built by
 * create_pagetables() from memory that was never a managed page, the
 * boot-time KVA, and the kmalloc memory of the types in use.
 */
static int boot_warm(const struct config *cfg, char *err, size_t errlen)
{
	int64_t p = vmstats.v_page_count, pt, kva, km, addr, n;
	uint32_t id;

	pt = tunable(cfg, "kernel_boot_pt_pages",
	    kmem_boot_pt_pages_default(p));
	kva = tunable(cfg, "kernel_boot_kva_pages",
	    kmem_boot_kva_pages_default(p));
	km = tunable(cfg, "kernel_boot_kmalloc_pages", p / 64);
	kmem_stats.boot_pt_pages = pt;
	kmem_stats.kernel_vm_end = pt * (int64_t)KVA_PT_SPAN;
	if (kmem_stats.kernel_vm_end > kmem_stats.kva_size)
		kmem_stats.kernel_vm_end = kmem_stats.kva_size;
	if (kva > 0) {
		addr = kva_alloc(kva * PAGE_SIZE, PAGE_SIZE);
		if (addr < 0) {
			snprintf(err, errlen, "tunable kernel_boot_kva_pages: "
			    "%lld pages do not fit in kernel_map (kva %lld "
			    "bytes)", (long long)kva,
			    (long long)kmem_stats.kva_size);
			return -1;
		}
		pmap_growkernel(addr + kva * PAGE_SIZE);
	}
	n = (km + ZONE_MAXPGLOAD_MAPENT - 1) / ZONE_MAXPGLOAD_MAPENT;
	if (n * ZONE_MAXPGLOAD_MAPENT > vmstats.v_free_count / 2) {
		snprintf(err, errlen, "tunable kernel_boot_kmalloc_pages: %lld "
		    "pages is more than half the free memory (%lld pages)",
		    (long long)km, (long long)vmstats.v_free_count);
		return -1;
	}
	for (; n > 0; n--) {
		/* 128 KiB kmalloc zones of the types in use, wired */
		id = kmem_slab_alloc(128 * 1024, 128 * 1024, M_WAITOK, NULL);
		assert(id != 0);
		kmem_stats.boot_kmalloc_pages += kmem_slab_npages(id);
	}
	return 0;
}

int kmem_init(const struct config *cfg, char *err, size_t errlen)
{
	uint32_t i;
	int c;

	for (i = 1; i <= nslabs; i++)
		free(slabs[i].pages);
	free(slabs);
	free(free_ids);
	free(holes);
	free(gd_vme_avail);
	slabs = NULL;
	free_ids = NULL;
	nslabs = slabs_cap = nfree_ids = 0;
	memset(&kmem_stats, 0, sizeof(kmem_stats));
	kmem_stats.kva_size = (int64_t)(cfg->kva ? cfg->kva : KVA_DEFAULT);
	kmem_stats.kva_size -= kmem_stats.kva_size % PAGE_SIZE;
	holes_cap = 16;
	holes = xmalloc(sizeof(*holes) * (size_t)holes_cap);
	holes[0].start = 0;
	holes[0].end = kmem_stats.kva_size;
	nholes = kmem_stats.kva_size > 0 ? 1 : 0;

	/* zbootinit(MAP ENTRY) with MAX_MAPENT static entries */
	kmem_stats.mapent_free = MAX_MAPENT;
	ncpus = vm_ncpus > 0 ? vm_ncpus : 1;
	gd_vme_avail = xcalloc((size_t)ncpus, sizeof(*gd_vme_avail));
	for (c = 0; c < ncpus; c++)
		gd_vme_avail[c] = (c == 0 ? MAPENTRYBSP_CACHE :
		    MAPENTRYAP_CACHE) - 2 * MAP_RESERVE_COUNT;
	mapent_refilling = 0;
	core_chan_init(&chan_zgetlk, "zgetlk");
	kmem_generation++;
	return cfg->cold_boot ? 0 : boot_warm(cfg, err, errlen);
}

int64_t kmem_vme_avail(int cpu)
{
	return gd_vme_avail[cpu % ncpus];
}

/* ---- the arena ---------------------------------------------------------- */

/* vm_map_findspace(): lowest hole with room for an aligned range. */
static int64_t kva_alloc(int64_t size, int64_t align)
{
	int i;

	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	for (i = 0; i < nholes; i++) {
		struct kva_range h = holes[i];
		int64_t a = (h.start + align - 1) / align * align;

		if (a + size > h.end)
			continue;
		if (a > h.start && a + size < h.end) {
			/* split in two */
			if (nholes == holes_cap) {
				holes_cap *= 2;
				holes = xrealloc(holes, sizeof(*holes) *
				    (size_t)holes_cap);
			}
			memmove(&holes[i + 2], &holes[i + 1],
			    sizeof(*holes) * (size_t)(nholes - i - 1));
			holes[i].end = a;
			holes[i + 1].start = a + size;
			holes[i + 1].end = h.end;
			nholes++;
		} else if (a > h.start) {
			holes[i].end = a;
		} else if (a + size < h.end) {
			holes[i].start = a + size;
		} else {
			memmove(&holes[i], &holes[i + 1],
			    sizeof(*holes) * (size_t)(nholes - i - 1));
			nholes--;
		}
		kmem_stats.kva_used += size;
		if (kmem_stats.kva_used > kmem_stats.kva_peak)
			kmem_stats.kva_peak = kmem_stats.kva_used;
		return a;
	}
	return -1;
}

static void kva_free(int64_t addr, int64_t size)
{
	int i, j;

	for (i = 0; i < nholes && holes[i].start < addr; i++)
		;
	assert(i == 0 || holes[i - 1].end <= addr);
	assert(i == nholes || addr + size <= holes[i].start);
	if (nholes == holes_cap) {
		holes_cap *= 2;
		holes = xrealloc(holes, sizeof(*holes) * (size_t)holes_cap);
	}
	memmove(&holes[i + 1], &holes[i], sizeof(*holes) *
	    (size_t)(nholes - i));
	holes[i].start = addr;
	holes[i].end = addr + size;
	nholes++;
	/* coalesce with the neighbours */
	j = i;
	if (j + 1 < nholes && holes[j].end == holes[j + 1].start) {
		holes[j].end = holes[j + 1].end;
		memmove(&holes[j + 1], &holes[j + 2], sizeof(*holes) *
		    (size_t)(nholes - j - 2));
		nholes--;
	}
	if (j > 0 && holes[j - 1].end == holes[j].start) {
		holes[j - 1].end = holes[j].end;
		memmove(&holes[j], &holes[j + 1], sizeof(*holes) *
		    (size_t)(nholes - j - 1));
		nholes--;
	}
	kmem_stats.kva_used -= size;
}

/*
 * pmap_growkernel(), pmap.c:3329-3457: page tables up to `end`, one PT
 * page per 2 MiB, NORMAL|SYSTEM|INTERRUPT; no page is a panic
 * (:3385-3391).  kernel_vm_end only grows.
 */
static void pmap_growkernel(int64_t end)
{
	uint32_t pg;

	while (kmem_stats.kernel_vm_end < end) {
		pg = vm_page_alloc_kernel(VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM |
		    VM_ALLOC_INTERRUPT);
		if (pg == VM_PAGE_NONE)
			vm_panic("pmap_growkernel: no memory to grow kernel");
		kmem_stats.pt_pages++;
		kmem_stats.kernel_vm_end += KVA_PT_SPAN;
	}
}

/* ---- page classes ------------------------------------------------------- */

static const char *class_name(int class, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
	    class & VM_ALLOC_NORMAL ? "NORMAL" : "",
	    class & VM_ALLOC_SYSTEM ? (class & VM_ALLOC_NORMAL ? "|SYSTEM" :
	    "SYSTEM") : "",
	    class & VM_ALLOC_INTERRUPT ? (class & (VM_ALLOC_NORMAL |
	    VM_ALLOC_SYSTEM) ? "|INTERRUPT" : "INTERRUPT") : "",
	    class == 0 ? "none" : "");
	return buf;
}

/*
 * The free count a class may not go below with an empty cache: a page is
 * admitted while free > floor (vm_page.c:2592-2599).
 */
static int64_t class_floor(int class)
{
	if (class & VM_ALLOC_INTERRUPT)
		return 0;
	if (class & VM_ALLOC_SYSTEM)
		return vmstats.v_interrupt_free_min;
	return vmstats.v_free_reserved - 1;
}

/* The class vm_page_alloc() will use: the daemon gets SYSTEM (:2583),
 * and INTERRUPT under pf_memalloc. */
static int effective_class(int class)
{
	return vm_page_daemon_class(class);
}

/*
 * vm_page_grab(NORMAL|RETRY) semantics for `what`: loop vm_wait(0) until
 * the page comes, counting each sleep.
 */
static uint32_t page_grab_retry(int class, const char *what, int i, int n,
    struct alloc_stats *st)
{
	struct core_need need;
	uint32_t pg;

	for (;;) {
		pg = vm_page_alloc_kernel(class);
		if (pg != VM_PAGE_NONE)
			return pg;
		kmem_stats.mapent_waits++;
		if (st != NULL)
			st->slab_alloc_waits++;
		vm_need_pages(&need, what, class, n - i, i + 1, n);
		vm_wait_need(0, &need);
	}
}

/* ---- map entries -------------------------------------------------------- */

/*
 * zget() of the ZONE_SPECIAL MAP ENTRY zone (vm_zone.c:670-691) under
 * zgetlk: kmem_alloc3(kernel_map, 32 pages, KM_KRESERVE) - KVA with a
 * kreserved entry (debit without refill, :998-1023), then 32 pages by
 * vm_page_grab(NORMAL|RETRY), blocking (vm_kern.c:211-305).  A second
 * refiller sleeps on zgetlk (LK_SLEEPFAIL) and retries.
 */
static void mapent_zget(struct alloc_stats *st)
{
	int64_t size = (int64_t)ZONE_MAXPGLOAD_MAPENT * PAGE_SIZE, addr;
	int cpu = curcpu(), i;

	if (mapent_refilling) {
		kmem_stats.mapent_waits++;
		if (st != NULL)
			st->slab_alloc_waits++;
		struct core_need need = { .kind = CORE_NEED_MAPENT,
		    .what = "zgetlk", .holder = mapent_refiller };

		core_wait_need(&chan_zgetlk, NULL, -1, &need);
		return;
	}
	mapent_refilling = 1;
	mapent_refiller = core_self();
	gd_vme_avail[cpu] -= MAP_RESERVE_COUNT;		/* kreserve */
	addr = kva_alloc(size, PAGE_SIZE);
	if (addr < 0)
		vm_panic("vm_map_entry_reserve: kernel_map full, no KVA to "
		    "refill the MAP ENTRY zone");
	pmap_growkernel(addr + size);
	gd_vme_avail[cpu] += MAP_RESERVE_COUNT - 1;	/* krelease */
	for (i = 0; i < ZONE_MAXPGLOAD_MAPENT; i++)
		page_grab_retry(VM_ALLOC_NORMAL, "MAP ENTRY refill "
		    "(kmem_alloc3)", i, ZONE_MAXPGLOAD_MAPENT, st);
	kmem_stats.mapent_pages += ZONE_MAXPGLOAD_MAPENT;
	kmem_stats.mapent_refills++;
	kmem_stats.mapent_free += size / VM_MAP_ENTRY_SIZE;
	mapent_refilling = 0;
	if (chan_zgetlk.nwaiters)
		core_wakeup(&chan_zgetlk);
}

/*
 * vm_map_entry_reserve(), vm_map.c:920-942: make sure this CPU has
 * `count` spare entries, taking them from the MAP ENTRY zone (which may
 * need a blocking refill), then debit them.
 */
static int vm_map_entry_reserve(int count, struct alloc_stats *st)
{
	int cpu;

	for (;;) {
		cpu = curcpu();
		if (gd_vme_avail[cpu] >= count)
			break;
		if (kmem_stats.mapent_free > 0) {
			kmem_stats.mapent_free--;
			gd_vme_avail[cpu]++;
			continue;
		}
		mapent_zget(st);
	}
	gd_vme_avail[cpu] -= count;
	return count;
}

/* vm_map_entry_release(), vm_map.c:955-986: credit, trim 512 -> 448. */
static void vm_map_entry_release(int count)
{
	int cpu = curcpu();

	gd_vme_avail[cpu] += count;
	if (gd_vme_avail[cpu] > MAP_RESERVE_SLOP) {
		kmem_stats.mapent_free += gd_vme_avail[cpu] - MAP_RESERVE_HYST;
		gd_vme_avail[cpu] = MAP_RESERVE_HYST;
	}
}

/* ---- mappings ------------------------------------------------------------ */

int64_t kmem_alloc_pageable(uint64_t bytes)
{
	int64_t size = (int64_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE *
	    PAGE_SIZE), addr;
	int count;

	count = vm_map_entry_reserve(MAP_RESERVE_COUNT, NULL);
	addr = size > 0 ? kva_alloc(size, PAGE_SIZE) : -1;
	if (addr >= 0) {
		pmap_growkernel(addr + size);
		count--;		/* vm_map_insert */
	}
	vm_map_entry_release(count);
	return addr;
}

static uint32_t slab_new(int64_t addr, int64_t size)
{
	uint32_t id;
	struct kslab *s;

	if (nfree_ids > 0) {
		id = free_ids[--nfree_ids];
	} else {
		if (nslabs + 1 >= slabs_cap) {
			slabs_cap = slabs_cap ? slabs_cap * 2 : 64;
			slabs = xrealloc(slabs, sizeof(*slabs) * slabs_cap);
			free_ids = xrealloc(free_ids, sizeof(*free_ids) *
			    slabs_cap);
		}
		id = ++nslabs;
		slabs[id].pages = NULL;
		slabs[id].cap = 0;
	}
	s = &slabs[id];
	if (s->cap < size / PAGE_SIZE) {
		free(s->pages);
		s->cap = (int)(size / PAGE_SIZE);
		s->pages = xmalloc(sizeof(*s->pages) * (size_t)s->cap);
	}
	s->addr = addr;
	s->size = size;
	s->npages = 0;
	s->live = 1;
	return id;
}

static void slab_release(uint32_t id)
{
	slabs[id].live = 0;
	free_ids[nfree_ids++] = id;
}

static int slab_class(int flags)
{
	int class = 0;

	/* "bad flags" panic in the kernel: a bug in the model here */
	assert(flags & (M_RNOWAIT | M_WAITOK));
	if (flags & M_USE_RESERVE)
		class |= VM_ALLOC_SYSTEM;
	if (flags & M_USE_INTERRUPT_RESERVE)
		class |= VM_ALLOC_INTERRUPT;
	if (flags & M_WAITOK)
		class |= VM_ALLOC_NORMAL;
	return class;
}

uint32_t kmem_slab_alloc(size_t size, size_t align, int flags,
    struct alloc_stats *st)
{
	int64_t sz = (int64_t)((size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE);
	int class = slab_class(flags);
	int count, n, i, slept = 0;
	int64_t addr;
	uint32_t id, pg;
	struct kslab *s;
	char cname[48];
	struct core_need need;

	/* 1. map entries: may sleep even for M_RNOWAIT (:1718) */
	count = vm_map_entry_reserve(MAP_RESERVE_COUNT, st);
	/* 2. a hole in kernel_map (:1720-1728) */
	addr = kva_alloc(sz, (int64_t)align);
	if (addr < 0) {
		if (!(flags & M_NULLOK))
			vm_panic("kmem_slab_alloc(): kernel_map ran out of "
			    "space!");
		vm_map_entry_release(count);
		kmem_stats.slab_alloc_failures++;
		return 0;
	}
	pmap_growkernel(addr + sz);
	/* 3. vm_map_insert() */
	count--;
	id = slab_new(addr, sz);
	n = (int)(sz / PAGE_SIZE);
	/* 5. the pages, one at a time (:1776-1807) */
	for (i = 0; i < n;) {
		pg = vm_page_alloc_kernel(class);
		s = &slabs[id];
		if (pg != VM_PAGE_NONE) {
			s->pages[i++] = pg;
			s->npages = i;
			continue;
		}
		if (!(flags & M_WAITOK)) {
			/* :1809-1824: give everything back */
			while (i > 0)
				vm_page_free_kernel(s->pages[--i]);
			s->npages = 0;
			kva_free(addr, sz);
			slab_release(id);
			count++;	/* the entry, disposed */
			vm_map_entry_release(count);
			kmem_stats.slab_alloc_failures++;
			return 0;
		}
		kmem_stats.slab_alloc_waits++;
		if (st != NULL)
			st->slab_alloc_waits++;
		class_name(effective_class(class), cname, sizeof(cname));
		if (!slept++)
			trace_event("slab_alloc_wait", "kmem_slab_alloc: page "
			    "%d of %d at %s; free %lld, floor %lld", i + 1, n,
			    cname, (long long)vmstats.v_free_count,
			    (long long)class_floor(effective_class(class)));
		vm_need_pages(&need, "kmem_slab_alloc", class, n - i, i + 1, n);
		vm_wait_need(0, &need);
	}
	/* 6. unused reserved entries go back (:1833-1862) */
	vm_map_entry_release(count);
	kmem_stats.slab_allocs++;
	if (st != NULL)
		st->kmem_slab_allocs++;
	return id;
}

void kmem_slab_need(struct core_need *n, const char *what, size_t size,
    int flags)
{
	int64_t pages = (int64_t)((size + PAGE_SIZE - 1) / PAGE_SIZE);

	vm_need_pages(n, what, slab_class(flags), pages, 1, pages);
}

void kmem_slab_free(uint32_t id)
{
	struct kslab *s = &slabs[id];
	int count, i;

	assert(id > 0 && id <= nslabs && s->live);
	/* vm_map_remove() reserves entries first (it may clip) */
	count = vm_map_entry_reserve(MAP_RESERVE_COUNT, NULL);
	s = &slabs[id];
	for (i = 0; i < s->npages; i++)
		vm_page_free_kernel(s->pages[i]);
	s->npages = 0;
	kva_free(s->addr, s->size);
	slab_release(id);
	count++;			/* the entry, disposed */
	vm_map_entry_release(count);
	kmem_stats.slab_frees++;
}

int kmem_slab_npages(uint32_t id)
{
	return id > 0 && id <= nslabs && slabs[id].live ? slabs[id].npages :
	    0;
}

int64_t kmem_slab_addr(uint32_t id)
{
	return id > 0 && id <= nslabs && slabs[id].live ? slabs[id].addr : -1;
}
