/*
 * mbuf: the receive side of sys/kern/uipc_mbuf.c (HEAD) - mbuf clusters
 * for drivers, m_getcl() and m_freem() - on objcache and kmalloc.
 *
 * A driver's m_getcl(M_NOWAIT, MT_DATA, M_PKTHDR) (:1176-1181,
 * m_getcl_cache() :1101-1135) takes an object of the "mbuf pkthdr+cl"
 * objcache (:833-837): a 512-byte mbuf (MSIZE) kmalloc'ed from M_MBUF
 * with the caller's flags, whose ctor (mbufphdrcluster_ctor(), :680-692)
 * takes an "mbuf cluster" object (mclmeta_cache, :812-816): a 16-byte
 * struct mbcluster from M_MCLMETA whose ctor (mclmeta_ctor(), :607-622)
 * kmallocs the 2 KiB cluster (MCLBYTES) from M_MBUFCL with M_NOWAIT (or
 * M_INTWAIT for a waiting caller).  Any NULL on the way drops the packet
 * (m_drops); nothing waits.  m_freem() puts the mbuf back in its objcache
 * with its cluster attached; only an object the cache destroys gives its
 * cluster back to mclmeta_cache, and its memory to kmalloc.
 */
#ifndef MEMSIM_MBUF_H
#define MEMSIM_MBUF_H

#include <stdint.h>

#include "config.h"
#include "objcache.h"

#define MSIZE		512	/* sys/sys/param.h (x86_64) */
#define MCLBYTES	2048

/* kern.ipc.nmbclusters: 512 + maxproc*4 (:416), maxproc from RAM */
extern int64_t nmbclusters;

struct mbstat {
	int64_t m_clusters;	/* m_getcl() successes */
	int64_t m_drops;	/* m_getcl() NULL returns */
};
extern struct mbstat mbstat;
extern struct objcache *mbufphdrcluster_cache, *mclmeta_cache;

/* mbinit() (:771-868): the malloc types and the two objcaches. */
int mbuf_init(const struct config *cfg, char *err, size_t errlen);
/* The default nmbclusters for a machine of `pages` pages. */
int64_t mbuf_nmbclusters_default(int64_t pages);

/* m_getcl(how, MT_DATA, M_PKTHDR): an mbuf id, or 0 (dropped). */
uint32_t m_getcl(int how);
void m_freem(uint32_t m);

#endif
