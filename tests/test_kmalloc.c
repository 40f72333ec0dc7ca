/*
 * test_kmalloc: regular kmalloc's size classes and zone geometry
 * (kern_slaballoc.c zoneindex(), :1083-1099), the page class its flags
 * map to (dragonfly-vm.md 5.5: M_NOWAIT SYSTEM all or nothing,
 * M_INTNOWAIT down to the last pages), the lazy return of free zones,
 * objcache's magazines, depot and limit (kern_objcache.c), and m_getcl()
 * dropping a packet, counted, when kmalloc(M_NOWAIT) fails.
 * Plain C: nothing here sleeps.
 */
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "allocators/kmalloc.h"
#include "check.h"
#include "config.h"
#include "kmem.h"
#include "mbuf.h"
#include "objcache.h"
#include "trace.h"
#include "vm_model.h"
#include "vmfix.h"

#define MiB (1024 * 1024)

static struct config cfg;

static void boot(uint64_t ram)
{
	vmfix_config(&cfg, ram, 1);
	vmfix_boot(&cfg);
}

static struct alloc_zone *mtype(const char *name, size_t size)
{
	struct zone_cfg zc;
	char err[256];
	struct alloc_zone *z;

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.allocator, sizeof(zc.allocator), "kmalloc");
	z = alloc_zone_create(&zc, name, size, 0, err, sizeof(err));
	if (z == NULL)
		printf("# %s: %s\n", name, err);
	return z;
}

static void test_geometry(void)
{
	int64_t chunk = 0, align = 0;
	int zi;

	zi = kmalloc_zoneindex(2048, &chunk, &align);
	CHECK(zi >= 0 && chunk == 2048 && kmalloc_zone_nmax(chunk, align) ==
	    63, "a 2 KiB cluster: 63 chunks per 128 KiB zone");
	zi = kmalloc_zoneindex(300, &chunk, &align);
	CHECK(zi >= 0 && chunk == 320 && align == 32,
	    "300 bytes round to the 320-byte class");
	zi = kmalloc_zoneindex(16, &chunk, &align);
	CHECK(zi >= 0 && kmalloc_zone_nmax(chunk, align) ==
	    (131072 - 112) / 16, "16-byte chunks after the 112-byte header");
	CHECK(kmalloc_zoneindex(16384, &chunk, &align) < 0 &&
	    kmalloc_zoneindex(12288, &chunk, &align) < 0 &&
	    kmalloc_zoneindex(8192, &chunk, &align) >= 0,
	    ">= 16 KiB and whole pages above two pages go to kmem directly");
}

static void test_classes(void)
{
	struct alloc_zone *t, *w;
	alloc_obj_t o;
	int64_t before;

	boot(256 * MiB);
	t = mtype("t_classes", 2048);
	/* kernel page tables for the first 2 MiB, made while memory is plenty */
	w = mtype("t_warm", 64);
	alloc_release(w, alloc_request(w, M_WAITOK));
	/* SYSTEM needs F > v_interrupt_free_min with an empty cache */
	vmfix_set_free(vmstats.v_interrupt_free_min + 10, 1);
	before = vmstats.v_free_count;
	o = alloc_request(t, M_NOWAIT);
	CHECK(o == 0 && vmstats.v_free_count == before,
	    "M_NOWAIT: SYSTEM class, 10 pages above the floor are not a "
	    "32-page zone; all pages go back (free %lld)",
	    (long long)vmstats.v_free_count);
	o = alloc_request(t, M_INTNOWAIT);
	CHECK(o != 0 && vmstats.v_free_count == before - 32,
	    "M_INTNOWAIT: SYSTEM|INTERRUPT takes the 32 pages below the "
	    "SYSTEM floor");
	alloc_release(t, o);
	CHECK(vmstats.v_free_count == before - 32 && t->stats.pages == 32,
	    "the only zone of its class stays, wired, when its chunk is freed");
}

static void test_lazy_return(void)
{
	struct alloc_zone *t;
	alloc_obj_t *objs = malloc(sizeof(*objs) * 63 * 5);
	int64_t f;
	int i;

	boot(256 * MiB);
	t = mtype("t_lazy", 2048);
	for (i = 0; i < 63 * 5; i++)
		objs[i] = alloc_request(t, M_WAITOK);
	CHECK(t->stats.pages == 5 * 32, "315 2 KiB chunks: 5 zones");
	kmalloc_zone_cache = 2;
	f = vmstats.v_free_count;
	for (i = 0; i < 63 * 5; i++)
		alloc_release(t, objs[i]);
	CHECK(vmstats.v_free_count == f && kmalloc_free_zone_pages() == 4 * 32,
	    "kfree returns no page: 4 free zones wait on FreeZones, one "
	    "stays listed");
	objs[0] = alloc_request(t, M_NOWAIT);
	CHECK(kmalloc_free_zone_pages() == 4 * 32 && vmstats.v_free_count == f,
	    "a non-blocking kmalloc releases nothing");
	objs[1] = alloc_request(t, M_WAITOK);
	CHECK(kmalloc_free_zone_pages() == 2 * 32 &&
	    vmstats.v_free_count == f + 64,
	    "a blocking kmalloc releases free zones above kern.zone_cache");
	alloc_release(t, objs[0]);
	alloc_release(t, objs[1]);
	free(objs);
}

static void test_objcache(void)
{
	struct alloc_zone *t;
	struct objcache *oc;
	uint32_t objs[120];
	int64_t full, empty, allocs;
	int i, n = 0;

	boot(256 * MiB);
	t = mtype("t_oc", 256);
	oc = objcache_create("t", 100, 10, NULL, NULL, NULL, t);
	CHECK(objcache_magcapacity(oc) == 6 && objcache_unallocated(oc) ==
	    112, "capacity 10/2/2+1 aligned to a cache line (6); limit "
	    "100 + 2 magazines per CPU");
	while (n < 120 && (objs[n] = objcache_get(oc, M_NOWAIT)) != 0)
		n++;
	CHECK(n == 112 && objcache_stats(oc)->gets_exhausted == 1 &&
	    t->stats.allocs == 112, "112 objects from kmalloc, then NULL "
	    "at the limit without calling kmalloc");
	for (i = 0; i < n; i++)
		objcache_put(oc, objs[i]);
	objcache_depot(oc, &full, &empty);
	CHECK(objcache_cpu_rounds(oc, 0) == 12 && full == 2 && empty == 0 &&
	    t->stats.inuse == 24 && objcache_unallocated(oc) == 88,
	    "put: two magazines on the CPU, two full in the depot, the rest "
	    "destroyed back to kmalloc (%lld in use)",
	    (long long)t->stats.inuse);
	allocs = t->stats.allocs;
	for (i = 0; i < 24; i++)
		objs[i] = objcache_get(oc, M_NOWAIT);
	objcache_depot(oc, &full, &empty);
	CHECK(t->stats.allocs == allocs && full == 0 && empty == 2 &&
	    objs[23] != 0, "the 24 cached objects come back without kmalloc");
	for (i = 0; i < 24; i++)
		objcache_put(oc, objs[i]);
	objcache_destroy(oc);
}

static void test_mbuf(void)
{
	char err[256];
	uint32_t m;
	int64_t f;

	boot(128 * MiB);
	if (mbuf_init(&cfg, err, sizeof(err)) != 0)
		printf("# mbuf_init: %s\n", err);
	CHECK(nmbclusters == 2640, "128 MiB: maxproc 532, nmbclusters 2640 "
	    "(%lld)", (long long)nmbclusters);
	vmfix_set_free(vmstats.v_interrupt_free_min + 20, 1);
	f = vmstats.v_free_count - 1;	/* less the one kernel PT page */
	m = m_getcl(M_NOWAIT);
	CHECK(m == 0 && mbstat.m_drops == 1 && vmstats.v_free_count == f,
	    "m_getcl(M_NOWAIT) below the SYSTEM floor + 32: dropped, counted, "
	    "no page kept");
	vmfix_set_free(vmstats.v_free_reserved + 200, 1);
	f = vmstats.v_free_count;
	m = m_getcl(M_NOWAIT);
	CHECK(m != 0 && mbstat.m_clusters == 1 && vmstats.v_free_count ==
	    f - 3 * 32 && kmem_stats.pt_pages == 1, "the first cluster takes three 128 KiB zones: mbuf, "
	    "mclmeta, mbufcl");
	m_freem(m);
	f = vmstats.v_free_count;
	vmfix_set_free(0, 1);
	m = m_getcl(M_NOWAIT);
	CHECK(m != 0, "a freed mbuf cluster is reused from its magazine at "
	    "F = 0");
	m_freem(m);
}

int main(void)
{
	trace_init();
	test_geometry();
	test_classes();
	test_lazy_return();
	test_objcache();
	test_mbuf();
	return CHECK_DONE();
}
