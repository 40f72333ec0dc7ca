/* kload: see kload.h.  Arrivals are Poisson, from the run's seed. */
#include "kload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "rng.h"
#include "vm_model.h"
#include "xmalloc.h"

struct held {
	double until;
	uint32_t pg;
};

struct irq {
	const struct irq_cfg *cfg;
	struct rng rng;
	struct held *ring;	/* FIFO: every item is held equally long */
	size_t cap, head, n;
};

static void push(struct irq *q, double until, uint32_t pg)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 256, i;
		struct held *r = xmalloc(sizeof(*r) * ncap);
		for (i = 0; i < q->n; i++)
			r[i] = q->ring[(q->head + i) % q->cap];
		free(q->ring);
		q->ring = r;
		q->cap = ncap;
		q->head = 0;
	}
	q->ring[(q->head + q->n) % q->cap] = (struct held){ until, pg };
	q->n++;
}

static void irq_thread(struct core_thread *td)
{
	struct irq *q = td->arg;
	const struct irq_cfg *c = q->cfg;
	double next = c->start, now;
	long i;
	uint32_t pg;

	for (;;) {
		double wake = next;
		if (q->n > 0 && q->ring[q->head].until < wake)
			wake = q->ring[q->head].until;
		now = core_now();
		if (wake > now)
			core_sleep(wake - now);
		now = core_now();
		while (q->n > 0 && q->ring[q->head].until <= now) {
			vm_page_free_kernel(q->ring[q->head].pg);
			q->head = (q->head + 1) % q->cap;
			q->n--;
		}
		if (now < next)
			continue;
		for (i = 0; i < c->pages; i++) {
			pg = vm_page_alloc_kernel(VM_ALLOC_INTERRUPT);
			if (pg == VM_PAGE_NONE) {
				vm_cnt.irq_alloc_failures++;
				break;
			}
			push(q, now + c->hold, pg);
		}
		next = now - log(1.0 - rng_unit(&q->rng)) / c->rate;
	}
}

void kload_start(const struct config *cfg)
{
	int i;

	for (i = 0; i < cfg->nirqs; i++) {
		struct irq *q = xcalloc(1, sizeof(*q));
		q->cfg = &cfg->irqs[i];
		rng_seed(&q->rng, cfg->seed, 100u + (uint64_t)i);
		core_spawn(cfg->irqs[i].name, CORE_KTHREAD, i % cfg->ncpus,
		    irq_thread, q);
	}
}
