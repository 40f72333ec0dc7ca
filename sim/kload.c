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

#include "core.h"
#include "mbuf.h"
#include "proc.h"
#include "rng.h"
#include "trace.h"
#include "vm_model.h"
#include "xmalloc.h"

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

static void irq_thread(struct core_thread *td)
{
	struct irq *q = td->arg;
	double next = q->cfg->start, now, wake;

	for (;;) {
		now = core_now();
		resolve(q);
		wake = drain(q, now, next);
		if (wake > now)
			core_sleep(wake - now);
		now = core_now();
		if (now < next)
			continue;
		arrive(q, now);
		next = now - log(1.0 - rng_unit(&q->rng)) / q->cfg->rate;
	}
}

int kload_start(const struct config *cfg, char *err, size_t errlen)
{
	int i;

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
	return n;
}
