/*
 * kload: see kload.h.  Arrivals are Poisson, from the run's seed.
 *
 * An arrival of a network receive load (class mbuf) is `clusters`
 * packets, each an mbuf cluster from m_getcl(M_NOWAIT) as a driver's
 * receive path takes it; a NULL drops that packet and the rest of the
 * arrival.  Freeing one is m_freem(): back to its objcache, so its
 * memory returns to the VM only as objcache and kmalloc give it back.
 * An arrival of class interrupt is `pages` whole pages at
 * VM_ALLOC_INTERRUPT, freed straight to the VM.
 *
 * Without a consumer, each arrival's buffers are held `hold` seconds and
 * freed.  With `consumer = "name"`, arrivals are queued round-robin on
 * one socket per instance of that process{}, up to `sockbuf` bytes each
 * (beyond: dropped, as when sbspace() is exhausted), and a buffer is
 * freed once its hold time has passed and its process is not asleep
 * waiting for memory — an application cannot read its socket while it
 * is stuck in a page fault.  That ties these pages to the page daemon's
 * progress, which plain receive buffers are not.
 */
#include "kload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "allocators/kmalloc.h"
#include "allocators/kmalloc_obj.h"
#include "core.h"
#include "kmem.h"
#include "mbuf.h"
#include "proc.h"
#include "rng.h"
#include "trace.h"
#include "vm_model.h"
#include "xmalloc.h"

static int kload_zones_start(const struct config *cfg, char *err,
    size_t errlen);
static int64_t zones_releasable_pages(void);

#define SOCKET_POLL	0.01	/* re-check a blocked reader (seconds) */

struct held {
	double until;
	uint32_t obj;		/* a page, or an mbuf */
};

/* A FIFO of held buffers: every item is held equally long. */
struct sock {
	struct proc *reader;	/* NULL: freed on time, no limit */
	int klass;		/* enum irq_class */
	struct held *ring;
	size_t cap, head, n;
	uint64_t bytes;
};

struct irq {
	const struct irq_cfg *cfg;
	struct rng rng;
	struct sock *socks;
	int nsocks, next_sock;
	int64_t dropped;	/* m_getcl() NULLs (the first is traced) */
};

/* What one buffer counts against sockbuf: a page, or a cluster's data. */
static uint64_t unit_bytes(const struct sock *k)
{
	return k->klass == IRQ_CLASS_MBUF ? MCLBYTES : PAGE_SIZE;
}

/* Every load, for kload_releasable_pages(). */
static struct irq *irqs[CFG_MAX_IRQ];
static int nirqs;

static void push(struct sock *k, double until, uint32_t obj)
{
	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 256, i;
		struct held *r = xmalloc(sizeof(*r) * ncap);
		for (i = 0; i < k->n; i++)
			r[i] = k->ring[(k->head + i) % k->cap];
		free(k->ring);
		k->ring = r;
		k->cap = ncap;
		k->head = 0;
	}
	k->ring[(k->head + k->n) % k->cap] = (struct held){ until, obj };
	k->n++;
	k->bytes += unit_bytes(k);
}

static void pop_free(struct sock *k)
{
	if (k->klass == IRQ_CLASS_MBUF)
		m_freem(k->ring[k->head].obj);
	else
		vm_page_free_kernel(k->ring[k->head].obj);
	k->head = (k->head + 1) % k->cap;
	k->n--;
	k->bytes -= unit_bytes(k);
}

static int closed(const struct sock *k)
{
	return k->reader != NULL && (k->reader->exited || k->reader->killed);
}

/* Can the socket's owner read it now? */
static int readable(const struct sock *k)
{
	const struct core_thread *td;

	if (k->reader == NULL || closed(k))
		return 1;
	td = k->reader->td;
	return !(td->chan != NULL && td->memwait);
}

/* One socket per instance of the consumer, found once processes exist. */
static void resolve(struct irq *q)
{
	struct proc *p;

	if (q->socks != NULL)
		return;
	if (!q->cfg->consumer[0]) {
		q->socks = xcalloc(1, sizeof(*q->socks));
		q->socks[0].klass = q->cfg->klass;
		q->nsocks = 1;
		return;
	}
	for (p = allproc; p != NULL; p = p->next)
		if (strcmp(p->cfg->name, q->cfg->consumer) == 0)
			q->nsocks++;
	q->socks = xcalloc((size_t)q->nsocks, sizeof(*q->socks));
	q->nsocks = 0;
	for (p = allproc; p != NULL; p = p->next)
		if (strcmp(p->cfg->name, q->cfg->consumer) == 0) {
			q->socks[q->nsocks].klass = q->cfg->klass;
			q->socks[q->nsocks++].reader = p;
		}
}

/* Free what its reader has consumed; the earliest time to look again. */
static double drain(struct irq *q, double now, double wake)
{
	int i;

	for (i = 0; i < q->nsocks; i++) {
		struct sock *k = &q->socks[i];
		while (k->n > 0 && (closed(k) ||
		    (k->ring[k->head].until <= now && readable(k))))
			pop_free(k);
		if (k->n == 0)
			continue;
		if (k->ring[k->head].until > now) {
			if (k->ring[k->head].until < wake)
				wake = k->ring[k->head].until;
		} else if (now + SOCKET_POLL < wake) {
			wake = now + SOCKET_POLL;
		}
	}
	return wake;
}

static struct sock *pick(struct irq *q)
{
	int i;

	for (i = 0; i < q->nsocks; i++) {
		struct sock *k = &q->socks[q->next_sock++ % q->nsocks];
		if (!closed(k))
			return k;
	}
	return NULL;
}

static void arrive(struct irq *q, double now)
{
	const struct irq_cfg *c = q->cfg;
	struct sock *k = pick(q);
	long i, n = c->klass == IRQ_CLASS_MBUF ? c->clusters : c->pages;
	uint32_t obj;
	int got;

	if (k == NULL)
		return;
	if (k->reader != NULL &&
	    k->bytes + (uint64_t)n * unit_bytes(k) > c->sockbuf) {
		vm_cnt.irq_alloc_failures++;	/* socket buffer full */
		return;
	}
	for (i = 0; i < n; i++) {
		if (c->klass == IRQ_CLASS_MBUF) {
			obj = m_getcl(M_NOWAIT);
			got = obj != 0;
			if (!got && !q->dropped++)
				trace_event("m_drops", "%s: m_getcl(M_NOWAIT) "
				    "returned NULL, packet dropped (free %lld)",
				    c->name, (long long)vmstats.v_free_count);
		} else {
			obj = vm_page_alloc_kernel(VM_ALLOC_INTERRUPT);
			got = obj != VM_PAGE_NONE;
		}
		if (!got) {
			vm_cnt.irq_alloc_failures++;
			break;
		}
		push(k, now + c->hold, obj);
	}
}

/*
 * One wake handles every event due by then, in their order: each arrival
 * at its own instant (its buffers held from that instant), with the
 * buffers whose hold ended before it freed first.  The thread wakes at
 * the next event, but not sooner than one quantum after its last wake:
 * an event is handled less than a quantum late, never early, and events
 * further apart than a quantum are handled at their instants.
 */
static double irq_batch;	/* the machine's quantum */
/* A timer set for an instant may end an ulp before it: that is due. */
#define IRQ_EPS 1e-9

static void irq_thread(struct core_thread *td)
{
	struct irq *q = td->arg;
	double next = q->cfg->start, now, wake;

	for (;;) {
		now = core_now();
		resolve(q);
		while (next <= now + IRQ_EPS) {
			drain(q, next, next);
			arrive(q, next);
			next -= log(1.0 - rng_unit(&q->rng)) / q->cfg->rate;
		}
		wake = drain(q, now + IRQ_EPS, next);
		if (wake < now + irq_batch)
			wake = now + irq_batch;
		core_sleep(wake - now);
	}
}

int kload_start(const struct config *cfg, char *err, size_t errlen)
{
	int i;

	if (kload_zones_start(cfg, err, errlen) != 0)
		return -1;
	irq_batch = cfg->quantum;

	/* mbinit(): the mbuf types and caches, for runs that receive */
	for (i = 0; i < cfg->nirqs; i++)
		if (cfg->irqs[i].klass == IRQ_CLASS_MBUF) {
			if (mbuf_init(cfg, err, errlen) != 0)
				return -1;
			break;
		}
	nirqs = 0;
	for (i = 0; i < cfg->nirqs; i++) {
		struct irq *q = xcalloc(1, sizeof(*q));
		irqs[nirqs++] = q;
		q->cfg = &cfg->irqs[i];
		rng_seed(&q->rng, cfg->seed, 100u + (uint64_t)i);
		core_spawn(cfg->irqs[i].name, CORE_KTHREAD, i % cfg->ncpus,
		    irq_thread, q)->role = CORE_ROLE_RX;
	}
	return 0;
}

int64_t kload_releasable_pages(void)
{
	int64_t n = 0;
	int i, j;

	for (i = 0; i < nirqs; i++) {
		const struct irq *q = irqs[i];

		if (isinf(q->cfg->hold) || q->cfg->klass == IRQ_CLASS_MBUF)
			continue;	/* a leak, or clusters back to objcache */
		for (j = 0; j < q->nsocks; j++) {
			const struct sock *k = &q->socks[j];
			if (closed(k) || readable(k))
				n += (int64_t)k->n;
		}
	}
	return n + zones_releasable_pages();
}

/* ---- zones{}: other kmalloc_obj and kmalloc types ---------------------- */

/*
 * Object sizes of the kernel types zones{} may name without a size.
 * sizeof() of these structures is not in the reference; the figures are
 * assumed (x86_64 HEAD, rounded): they only set objects per slab.
 */
static const struct { const char *name; uint64_t size; } kernel_sizes[] = {
	{ "M_VM_OBJECT", 320 },		/* struct vm_object */
	{ "M_VNODE", 512 },		/* struct vnode */
	{ "M_VFSCACHE", 128 },		/* struct namecache */
	{ NULL, 0 },
};

uint64_t kload_zone_kernel_size(const char *name)
{
	int i;

	for (i = 0; kernel_sizes[i].name != NULL; i++)
		if (strcmp(kernel_sizes[i].name, name) == 0)
			return kernel_sizes[i].size;
	return 0;
}

/* One CPU's share of a zone's consumer load. */
struct zload {
	const struct zone_cfg *cfg;
	struct alloc_zone *z;
	double rate;			/* this CPU's share */
	struct rng rng;
	struct sock ring;		/* reader NULL: freed on time */
};

static struct zload *zloads[CFG_MAX_ZONES * 64];
static int nzloads;

static void zone_thread(struct core_thread *td)
{
	struct zload *l = td->arg;
	double next = -log(1.0 - rng_unit(&l->rng)) / l->rate, now, wake;
	struct sock *k = &l->ring;
	alloc_obj_t obj;
	long i;

	for (;;) {
		now = core_now();
		while (k->n > 0 && k->ring[k->head].until <= now) {
			alloc_release(l->z, k->ring[k->head].obj);
			k->head = (k->head + 1) % k->cap;
			k->n--;
		}
		wake = next;
		if (k->n > 0 && k->ring[k->head].until < wake)
			wake = k->ring[k->head].until;
		if (wake > now)
			core_sleep(wake - now);
		now = core_now();
		if (now < next)
			continue;
		/* kmalloc_obj(M_WAITOK) / kmalloc(M_WAITOK): may sleep */
		for (i = 0; i < l->cfg->load_count; i++) {
			obj = alloc_request(l->z, M_WAITOK);
			if (obj == 0)
				break;
			push(k, core_now() + l->cfg->load_hold, (uint32_t)obj);
		}
		next = core_now() - log(1.0 - rng_unit(&l->rng)) / l->rate;
	}
}

/*
 * For the verdict: what zones{} loads could ever give back - every page
 * of a type whose objects are freed after a finite hold (an upper bound:
 * the poller or a blocking kmalloc returns them only once whole slabs or
 * zones are free).
 */
static int64_t zones_releasable_pages(void)
{
	int64_t n = 0;
	int i, j;

	for (i = 0; i < nzloads; i++) {
		for (j = 0; j < i; j++)
			if (zloads[j]->z == zloads[i]->z)
				break;
		if (j == i && !isinf(zloads[i]->cfg->load_hold))
			n += zloads[i]->z->stats.pages;
	}
	return n;
}

static int kload_zones_start(const struct config *cfg, char *err,
    size_t errlen)
{
	int i, c;

	nzloads = 0;
	for (i = 0; i < cfg->nzones; i++) {
		const struct zone_cfg *zc = &cfg->zones[i];
		struct alloc_zone *z = alloc_zone_create(zc, zc->name,
		    kload_zone_kernel_size(zc->name), 0, err, errlen);
		char name[CFG_NAME_LEN];

		if (z == NULL)
			return -1;
		if (!(zc->load_rate > 0))
			continue;
		/* process-context allocations: every CPU takes a share */
		for (c = 0; c < cfg->ncpus; c++) {
			struct zload *l = xcalloc(1, sizeof(*l));
			l->cfg = zc;
			l->z = z;
			l->rate = zc->load_rate / cfg->ncpus;
			rng_seed(&l->rng, cfg->seed, 200u + 64u * (uint64_t)i +
			    (uint64_t)c);
			zloads[nzloads++] = l;
			snprintf(name, sizeof(name), "%.40s/%d", zc->name, c);
			core_spawn(name, CORE_KTHREAD, c, zone_thread,
			    l)->role = CORE_ROLE_RX;
		}
	}
	return 0;
}

void kload_record(struct result *res, int ncpus)
{
	struct kmalloc_counts kc;
	struct alloc_zone *z;
	char name[RES_CHAN_LEN];
	int64_t gd = 0;
	int c;

	kmalloc_counts(&kc);
	for (c = 0; c < ncpus; c++)
		gd += kmo_gd_kmslab(c);
	result_add_counter(res, "kernel_vm_end", kmem_stats.kernel_vm_end);
	result_add_counter(res, "kernel_pt_pages", kmem_stats.pt_pages);
	result_add_counter(res, "kva_used", kmem_stats.kva_used);
	result_add_counter(res, "kmalloc_zone_pages", kc.pages);
	result_add_counter(res, "kmalloc_free_zones", kc.free_zones);
	result_add_counter(res, "gd_kmslab_all_cpus", gd);
	result_add_counter(res, "m_clusters", mbstat.m_clusters);
	result_add_counter(res, "m_drops", mbstat.m_drops);
	for (z = alloc_zones(); z != NULL; z = z->next) {
		if (strcmp(z->name, "SWAPMETA") == 0)
			continue;
		snprintf(name, sizeof(name), "%.40s_pages", z->name);
		result_add_counter(res, name, z->stats.pages);
		snprintf(name, sizeof(name), "%.40s_inuse", z->name);
		result_add_counter(res, name, z->stats.inuse);
	}
}
