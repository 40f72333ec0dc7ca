/*
 * mbuf: see mbuf.h.  Line numbers are sys/kern/uipc_mbuf.c at HEAD.
 */
#include "mbuf.h"

#include <stdio.h>
#include <string.h>

#include "allocators/alloc.h"
#include "allocators/kmalloc.h"
#include "kmem.h"
#include "vm_model.h"

#define BASE_CACHEFRAC	16		/* :407-409 */
#define MCLPH_CACHEFRAC	(BASE_CACHEFRAC * 2)
#define MCLMETA_SIZE	16		/* sizeof(struct mbcluster) */

int64_t nmbclusters;
struct mbstat mbstat;
struct objcache *mbufphdrcluster_cache, *mclmeta_cache;
static struct alloc_zone *m_mbuf, *m_mbufcl, *m_mclmeta;

/*
 * init_param2(), kern/subr_param.c:237-276: maxusers = min(RAM, KVA) in
 * MiB / 8 (at least 32), maxproc = 20 + 16*maxusers; NMBCLUSTERS =
 * 512 + maxproc*4 (uipc_mbuf.c:405).
 */
int64_t mbuf_nmbclusters_default(int64_t pages)
{
	int64_t limsize = pages * PAGE_SIZE, maxusers, maxproc;

	if (kmem_stats.kva_size > 0 && limsize > kmem_stats.kva_size)
		limsize = kmem_stats.kva_size;
	limsize >>= 20;
	maxusers = limsize / 8;
	if (maxusers < 32)
		maxusers = 32;
	maxproc = 20 + 16 * maxusers;
	if (maxproc > limsize * 40)
		maxproc = limsize * 40;
	if (maxproc < 32)
		maxproc = 32;
	return 512 + maxproc * 4;
}

/* mclmeta_ctor(), :607-622: the 2 KiB cluster itself. */
static int mclmeta_ctor(struct objcache *oc, struct oc_obj *o, int ocflags)
{
	(void)oc;
	o->data = alloc_request(m_mbufcl, (ocflags & M_NOWAIT) ?
	    M_NOWAIT | M_ZERO : M_INTWAIT | M_ZERO);
	return o->data != 0;
}

/* mclmeta_dtor(), :641-648 */
static void mclmeta_dtor(struct objcache *oc, struct oc_obj *o)
{
	(void)oc;
	alloc_release(m_mbufcl, o->data);
	o->data = 0;
}

/*
 * mbufphdrcluster_ctor(), :677-692: attach a cluster or fail.  The kernel
 * counts m_drops here and again in m_getcl_cache(); memsim counts a drop
 * once per packet.
 */
static int mbufphdrcluster_ctor(struct objcache *oc, struct oc_obj *o,
    int ocflags)
{
	(void)oc;
	o->ext = objcache_get(mclmeta_cache, ocflags);
	return o->ext != 0;
}

/* mbufcluster_dtor(), :746-767: the cluster back to its cache. */
static void mbufcluster_dtor(struct objcache *oc, struct oc_obj *o)
{
	(void)oc;
	objcache_put(mclmeta_cache, o->ext);
	o->ext = 0;
}

static struct alloc_zone *mtype(const char *name, size_t size, char *err,
    size_t errlen)
{
	struct zone_cfg zc;

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.name, sizeof(zc.name), "%s", name);
	snprintf(zc.allocator, sizeof(zc.allocator), "kmalloc");
	return alloc_zone_create(&zc, name, size, 0, err, errlen);
}

int mbuf_init(const struct config *cfg, char *err, size_t errlen)
{
	int64_t ncl_limit, jcl_limit, cl_limit, mb_limit;
	int i;

	memset(&mbstat, 0, sizeof(mbstat));
	objcache_destroy(mbufphdrcluster_cache);
	objcache_destroy(mclmeta_cache);
	mbufphdrcluster_cache = mclmeta_cache = NULL;
	nmbclusters = mbuf_nmbclusters_default(vmstats.v_page_count);
	for (i = 0; i < cfg->ntunables; i++)
		if (strcmp(cfg->tunables[i].name, "nmbclusters") == 0)
			nmbclusters = (int64_t)cfg->tunables[i].value;
	if (nmbclusters < 1) {
		snprintf(err, errlen, "tunable nmbclusters: must be >= 1");
		return -1;
	}
	m_mbuf = mtype("mbuf", MSIZE, err, errlen);
	m_mbufcl = m_mbuf ? mtype("mbufcl", MCLBYTES, err, errlen) : NULL;
	m_mclmeta = m_mbufcl ? mtype("mclmeta", MCLMETA_SIZE, err, errlen) :
	    NULL;
	if (m_mclmeta == NULL)
		return -1;
	ncl_limit = nmbclusters;
	mclmeta_cache = objcache_create("mbuf cluster", ncl_limit,
	    nmbclusters / BASE_CACHEFRAC, mclmeta_ctor, mclmeta_dtor, NULL,
	    m_mclmeta);
	mbufphdrcluster_cache = objcache_create("mbuf pkthdr+cl",
	    nmbclusters, nmbclusters / MCLPH_CACHEFRAC, mbufphdrcluster_ctor,
	    mbufcluster_dtor, NULL, m_mbuf);
	/*
	 * :855-867: the backing types' limits raised for the caches (mbuf
	 * limits as the kernel sums them over its six mbuf caches, nmbufs =
	 * max(nmbclusters/2 + maxfiles, 2*nmbclusters) taken as 2*nmbclusters
	 * per cache; jumbo clusters nmbclusters/4).
	 */
	jcl_limit = nmbclusters / 4;
	cl_limit = ncl_limit + jcl_limit;
	cl_limit += cl_limit / 8;
	kmalloc_raise_limit(m_mclmeta, MCLMETA_SIZE * cl_limit);
	kmalloc_raise_limit(m_mbufcl, MCLBYTES * ncl_limit + 4096 * jcl_limit);
	mb_limit = 2 * (2 * nmbclusters) + 2 * nmbclusters + 2 * jcl_limit;
	mb_limit += mb_limit / 8;
	kmalloc_raise_limit(m_mbuf, MSIZE * mb_limit);
	return 0;
}

uint32_t m_getcl(int how)
{
	/* MB_OCFLAG(): M_WAITOK or M_NOWAIT (sys/mbuf.h:364) */
	uint32_t m = objcache_get(mbufphdrcluster_cache,
	    (how & M_WAITOK) ? M_WAITOK : M_NOWAIT);

	if (m == 0) {
		mbstat.m_drops++;
		return 0;
	}
	mbstat.m_clusters++;
	return m;
}

/* m_free() of an unshared pkthdr+cl mbuf (:1371-1400). */
void m_freem(uint32_t m)
{
	objcache_put(mbufphdrcluster_cache, m);
}
