/*
 * test_vm: thresholds from RAM (dragonfly-vm.md (a)), the admission floor
 * of each allocation class at each free-page level (§1.4), and zalloc's
 * refill rules (§4.4) — all in plain C, without the engine.
 */
#include <string.h>

#include "allocators/alloc.h"
#include "check.h"
#include "config.h"
#include "kmem.h"
#include "vm_model.h"

static struct config cfg;

static void boot(uint64_t ram)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.cold_boot = 1;	/* an empty kernel_map: the mechanism alone */
	cfg.ram = ram;
	cfg.ncpus = 2;
	if (vm_init(&cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
}

static void test_thresholds(void)
{
	struct vmstats vs;

	vm_thresholds_compute(&vs, (1LL << 30) / 4096);
	CHECK(vs.v_free_min == 1374, "1 GiB: v_free_min 1374 (%lld)",
	    (long long)vs.v_free_min);
	CHECK(vs.v_free_reserved == 694, "1 GiB: v_free_reserved 694");
	CHECK(vs.v_free_severe == 687, "1 GiB: v_free_severe 687");
	CHECK(vs.v_pageout_free_min == 350, "1 GiB: v_pageout_free_min 350");
	CHECK(vs.v_interrupt_free_min == 178,
	    "1 GiB: v_interrupt_free_min 178");
	CHECK(vs.v_paging_wait == 2748, "1 GiB: v_paging_wait 2748");
	CHECK(vs.v_paging_start == 4122, "1 GiB: v_paging_start 4122");
	CHECK(vs.v_paging_target1 == 5496, "1 GiB: v_paging_target1 5496");
	CHECK(vs.v_paging_target2 == 6870, "1 GiB: v_paging_target2 6870");

	vm_thresholds_compute(&vs, (16LL << 30) / 4096);
	CHECK(vs.v_free_min == 21035, "16 GiB: v_free_min 21035");
	CHECK(vs.v_free_reserved == 10524, "16 GiB: v_free_reserved 10524");
	CHECK(vs.v_free_severe == 10517, "16 GiB: v_free_severe 10517");
	CHECK(vs.v_pageout_free_min == 5265, "16 GiB: v_pageout_free_min");
	CHECK(vs.v_interrupt_free_min == 2636,
	    "16 GiB: v_interrupt_free_min 2636");
	CHECK(vs.v_paging_start == 63105, "16 GiB: v_paging_start 63105");
	CHECK(vs.v_paging_target2 == 105175, "16 GiB: v_paging_target2");

	boot(1ULL << 30);
	CHECK(vm_max_launder == 1040, "1 GiB: vm_max_launder 1040");
	CHECK(vm_dma_reserved == 16384, "1 GiB: DMA reserve 16384 pages");
	CHECK(vmstats.v_free_count == 262144 - 16384,
	    "1 GiB: all but the DMA reserve free at boot");
}

/* A warm boot: kernel_map as a booted kernel has it (kmem.h). */
static void test_warm_boot(void)
{
	char err[256];
	int64_t pt, kva, before;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = 128ULL << 20;
	cfg.ncpus = 2;
	cfg.cold_boot = 1;
	CHECK(vm_init(&cfg, err, sizeof(err)) == 0, "cold boot of 128 MiB");
	before = vmstats.v_free_count;
	CHECK(kmem_stats.kernel_vm_end == 0 && kmem_stats.kva_used == 0,
	    "cold: kernel_map empty, no page tables");
	cfg.cold_boot = 0;
	CHECK(vm_init(&cfg, err, sizeof(err)) == 0, "warm boot of 128 MiB");
	pt = kmem_boot_pt_pages_default(32768);
	kva = kmem_boot_kva_pages_default(32768);
	CHECK(pt == 2 + 1 + 1 + 128 && kva == 512 + 200 + 1024,
	    "warm defaults at 128 MiB: 132 PT pages, 1736 pages of KVA");
	CHECK(kmem_stats.kernel_vm_end == pt * 2 * 1048576 &&
	    kmem_stats.pt_pages == 0,
	    "page tables of the boot area built outside the managed pages");
	CHECK(kmem_stats.boot_kmalloc_pages == 512 &&
	    vmstats.v_free_count == before - 512,
	    "the kmalloc types in use wire 16 zones (512 pages)");
	CHECK(kmem_stats.kva_used == (kva + 512) * 4096,
	    "kernel_map holds the boot KVA and those zones");
	strcpy(cfg.tunables[0].name, "kernel_boot_kmalloc_pages");
	cfg.tunables[0].value = 20000;
	cfg.ntunables = 1;
	CHECK(vm_init(&cfg, err, sizeof(err)) != 0 &&
	    strstr(err, "kernel_boot_kmalloc_pages") != NULL,
	    "a boot kmalloc larger than half the memory is refused");
}

static void test_tunable_override(void)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.cold_boot = 1;	/* an empty kernel_map: the mechanism alone */
	cfg.ram = 1ULL << 30;
	cfg.ncpus = 1;
	strcpy(cfg.tunables[0].name, "v_free_min");
	cfg.tunables[0].value = 500;
	strcpy(cfg.tunables[1].name, "v_free_reserved");
	cfg.tunables[1].value = 300;
	cfg.ntunables = 2;
	CHECK(vm_init(&cfg, err, sizeof(err)) == 0, "override accepted");
	CHECK(vmstats.v_free_min == 500, "v_free_min = 500 by name");
	CHECK(vmstats.v_free_reserved == 300, "an explicit override wins");
	CHECK(vmstats.v_paging_start == 1500,
	    "derived thresholds follow the overridden v_free_min");
	CHECK(vm_tunable_known("vm_max_launder") && !vm_tunable_known("nope"),
	    "tunables known by kernel name only");
	cfg.tunables[1].value = -1;
	CHECK(vm_init(&cfg, err, sizeof(err)) != 0 &&
	    strstr(err, "v_free_reserved") != NULL,
	    "a negative tunable is refused by name (%s)", err);
}

/* Take free pages (wired) until exactly `level` are free. */
static void drain_to(int64_t level)
{
	while (vmstats.v_free_count > level)
		if (vm_page_alloc_kernel(VM_ALLOC_INTERRUPT) == VM_PAGE_NONE)
			break;
}

static void test_class_floors(void)
{
	int64_t res, ifm;

	boot(64ULL << 20);
	res = vmstats.v_free_reserved;
	ifm = vmstats.v_interrupt_free_min;

	drain_to(res);
	CHECK(vm_page_admit(VM_ALLOC_NORMAL), "NORMAL admitted at F = "
	    "v_free_reserved");
	CHECK(vm_page_admit(VM_ALLOC_QUICK), "QUICK admitted at F = reserved");
	drain_to(res - 1);
	CHECK(!vm_page_admit(VM_ALLOC_NORMAL), "NORMAL refused below reserved "
	    "with an empty cache");
	CHECK(!vm_page_admit(VM_ALLOC_QUICK), "QUICK refused below reserved");
	CHECK(vm_page_admit(VM_ALLOC_SYSTEM), "SYSTEM admitted below reserved "
	    "while C == 0 and F > v_interrupt_free_min");
	drain_to(ifm);
	CHECK(!vm_page_admit(VM_ALLOC_SYSTEM), "SYSTEM refused at F = "
	    "v_interrupt_free_min");
	CHECK(vm_page_admit(VM_ALLOC_INTERRUPT), "INTERRUPT admitted at F > 0");
	drain_to(1);
	CHECK(vm_page_alloc(VM_ALLOC_INTERRUPT) != VM_PAGE_NONE,
	    "INTERRUPT takes the very last free page");
	CHECK(vmstats.v_free_count == 0, "free count reaches zero");
	CHECK(vm_page_alloc(VM_ALLOC_INTERRUPT) == VM_PAGE_NONE,
	    "nothing below zero");
	CHECK(vm_pageout_deficit > 0, "a refused allocation counts a deficit");
}

/* A clean page of an object, in PQ_CACHE. */
static void make_cache_page(struct vm_object *o, uint32_t pindex)
{
	uint32_t pg = vm_page_alloc(VM_ALLOC_INTERRUPT);

	vm_page_array[pg].object = o->id;
	vm_page_array[pg].pindex = pindex;
	o->pages[pindex] = pg;
	o->resident++;
	vm_page_queue_move(pg, PQ_ACTIVE);
	vm_page_cache(pg);
}

static void test_cache_recycling(void)
{
	struct vm_object *o;
	int64_t res;
	uint32_t pg;

	boot(64ULL << 20);
	res = vmstats.v_free_reserved;
	o = vm_object_create(OBJT_DEFAULT, 64, NULL, NULL);
	drain_to(res + 8);
	for (uint32_t i = 0; i < 8; i++)
		make_cache_page(o, i);
	CHECK(vmstats.v_cache_count == 8, "8 pages cached");
	drain_to(res - 3);
	CHECK(!vm_page_admit(VM_ALLOC_SYSTEM),
	    "SYSTEM alone refused below reserved while the cache is not empty");
	pg = vm_page_alloc(VM_ALLOC_NORMAL);
	CHECK(pg != VM_PAGE_NONE, "NORMAL recycles cache pages below reserved");
	CHECK(vmstats.v_cache_count == 5 && vmstats.v_free_count == res - 1,
	    "recycled 3 cache pages until F reached v_free_reserved, then took "
	    "one (C %lld F %lld)", (long long)vmstats.v_cache_count,
	    (long long)vmstats.v_free_count);
	CHECK(o->resident == 5, "recycled pages left their object");
}

static void test_zalloc_refill(void)
{
	struct zone_cfg zc = { .name = "T", .allocator = "zalloc" };
	struct alloc_zone *z;
	char err[256];
	int64_t ifm, n;

	boot(64ULL << 20);
	z = alloc_zone_create(&zc, "SWAPMETA", 304, 100000, err, sizeof(err));
	CHECK(z != NULL, "zinit of a SWAPMETA-sized zalloc zone");
	CHECK(z->stats.pages == 32, "zinit pre-populates one 32-page refill "
	    "(%lld)", (long long)z->stats.pages);
	/* 32 pages of 320-byte items: 409 items, 12 zfreemin */
	for (n = 0; n < 409 - 12; n++)
		alloc_request(z, M_INTNOWAIT);
	CHECK(z->stats.pages == 32, "397 items come from the boot refill");
	ifm = vmstats.v_interrupt_free_min;
	drain_to(ifm);
	alloc_request(z, M_INTNOWAIT);
	CHECK(z->stats.pages == 36, "below the SYSTEM floor a refill takes "
	    "only the 4 INTERRUPT-class pages, stopping at the first failure "
	    "(%lld)", (long long)z->stats.pages);
	/* 4 pages gave 51 items: one to the caller, 50 to the pool,
	 * which still held its 12 zfreemin items */
	drain_to(0);
	n = 0;
	while (n < 1000 && alloc_request(z, M_INTNOWAIT) != 0)
		n++;
	CHECK(n == 62, "with F = 0 every pooled item, the zfreemin reserve "
	    "included, is handed out before NULL (%lld)", (long long)n);
	CHECK(z->stats.failures == 1, "then zalloc returns NULL: F = 0, no "
	    "cache, nothing pooled");
	vm_page_free_kernel(vm_dma_reserved);	/* any wired page back */
	CHECK(alloc_request(z, M_INTNOWAIT) != 0 && z->stats.pages == 37,
	    "one free page is enough to make progress (12 items)");
	alloc_release(z, 1);
	CHECK(z->stats.pages == 37, "zfree never returns pages to the VM");
}

int main(void)
{
	test_thresholds();
	test_tunable_override();
	test_warm_boot();
	test_class_floors();
	test_cache_recycling();
	test_zalloc_refill();
	return CHECK_DONE();
}
