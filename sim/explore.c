/*
 * explore: see explore.h.
 *
 * Prefix replay, depth first.  The parent and its run children share
 * one anonymous mapping: the table of states seen (hash -> the smallest
 * depth it was reached at) and the stack of prefixes still to run.  Runs
 * go one at a time, so nothing in the mapping is ever written by two
 * processes at once.  A run follows its prefix (as overrides of its
 * choice sequence); at each later choice point of the domains, up to
 * depth D, it hashes the state: a state already reached at the same or
 * a smaller depth ends the run there (pruned, no result); otherwise it
 * pushes the point's other options as new prefixes and takes option 0.
 *
 * Forking the live run at a choice point instead of replaying its prefix
 * is not built: explore_can_fork() says so, and `--mode fork` is refused.
 */
#include "explore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocators/alloc.h"
#include "blkdev.h"
#include "choice.h"
#include "core.h"
#include "hunt.h"
#include "kmem.h"
#include "proc.h"
#include "swap_pager.h"
#include "vm_model.h"

#define TABLE_BITS	20		/* 1 Mi states */
#define EXPLORE_TICK	0.01		/* seconds: the clock's grain in a state */
#define TABLE_CAP	(1u << TABLE_BITS)

struct prefix {
	int n;
	struct choice_override ov[CHOICE_MAX_OVERRIDES];
};

struct shm {
	int depth, width;
	unsigned domains;
	int prefix_len;			/* of the run in progress */
	int run_pruned;			/* it ended at a known state */
	int max_depth;
	int64_t states, pruned;
	int full;			/* the state table overflowed */
	int top, stack_cap;
	uint64_t keys[TABLE_CAP];
	uint8_t depth_of[TABLE_CAP];
	struct prefix stack[];
};

/* The run's own count of domain choice points (in the child). */
static int point;

int explore_can_fork(void)
{
	return 0;
}

static int in_domain(unsigned domains, uint32_t stream)
{
	if (stream < CHOICE_STREAM_IRQ)
		return (domains & HUNT_DOMAIN_TIE) != 0;
	if (stream < CHOICE_STREAM_PROC)
		return (domains & HUNT_DOMAIN_IRQ) != 0;
	return (domains & HUNT_DOMAIN_PROC) != 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; s != NULL && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/*
 * The abstract state of explore.h, at the index'th draw of `stream`.  The
 * index keeps apart the successive draws of one stream inside one tick
 * (an interrupt load's gaps, say), which nothing else in the state tells
 * apart: without it a run would stop at its own previous choice point.
 */
static uint64_t state_hash(uint32_t stream, uint32_t index)
{
	const struct core_thread *t;
	const struct proc *p;
	uint64_t h = 0x51ed27aa9e3779b9ULL;
	int i;

	h = mix(h, stream);
	h = mix(h, index);
	h = mix(h, (uint64_t)(core_now() / EXPLORE_TICK));
	h = mix(h, (uint64_t)vmstats.v_free_count);
	h = mix(h, (uint64_t)vmstats.v_cache_count);
	h = mix(h, (uint64_t)vmstats.v_inactive_count);
	h = mix(h, (uint64_t)vmstats.v_active_count);
	h = mix(h, (uint64_t)vmstats.v_wire_count);
	h = mix(h, (uint64_t)vmstats.v_busy_count);
	h = mix(h, (uint64_t)swap_free_pages);
	h = mix(h, (uint64_t)nsw_wcount_async);
	h = mix(h, (uint64_t)(swapdev.queued * 64 + swapdev.inflight));
	h = mix(h, (uint64_t)(filedev.queued * 64 + filedev.inflight));
	h = mix(h, (uint64_t)kmem_stats.kva_used);
	if (swap_zone != NULL) {
		h = mix(h, (uint64_t)swap_zone->stats.pages);
		h = mix(h, (uint64_t)swap_zone->stats.inuse);
		h = mix(h, (uint64_t)swap_zone->stats.reserve_level);
	}
	for (t = core_threads(); t != NULL; t = t->next_all) {
		h = mix(h, (uint64_t)t->exited * 2 + (uint64_t)t->spinning);
		h = hash_str(h, t->chan != NULL ? t->wmesg : "-");
		h = mix(h, (uint64_t)t->need.kind);
	}
	for (p = allproc; p != NULL; p = p->next) {
		h = mix(h, (uint64_t)p->rng.draws);
		h = mix(h, (uint64_t)(p->exited * 2 + p->killed));
		for (i = 0; i < p->nregions; i++)
			h = mix(h, (uint64_t)p->regions[i].cursor * 2 +
			    (uint64_t)p->regions[i].live);
	}
	return h ? h : 1;
}

/* 1 when the state was reached at depth <= d before; else record it. */
static int known(struct shm *m, uint64_t key, int d)
{
	uint32_t i = (uint32_t)(key >> (64 - TABLE_BITS)), n;

	for (n = 0; n < TABLE_CAP; n++, i = (i + 1) & (TABLE_CAP - 1)) {
		if (m->keys[i] == key) {
			if (m->depth_of[i] <= d)
				return 1;
			m->depth_of[i] = (uint8_t)d;
			return 0;
		}
		if (m->keys[i] == 0) {
			if (m->states * 10 >= (int64_t)TABLE_CAP * 9) {
				m->full = 1;	/* explore on, unpruned */
				return 0;
			}
			m->keys[i] = key;
			m->depth_of[i] = (uint8_t)d;
			m->states++;
			return 0;
		}
	}
	m->full = 1;
	return 0;
}

static int explorer(void *ctx, uint64_t pos, uint32_t stream, uint32_t index,
    enum choice_kind kind, uint64_t n)
{
	struct shm *m = ctx;
	struct choice_seq cur;
	uint32_t opts, k;
	int d;

	(void)pos;
	if (!in_domain(m->domains, stream))
		return -1;
	d = point++;
	if (d >= m->depth || d < m->prefix_len)
		return -1;
	if (d + 1 > m->max_depth)
		m->max_depth = d + 1;
	if (known(m, state_hash(stream, index), d)) {
		m->pruned++;
		m->run_pruned = 1;
		fflush(NULL);
		_exit(0);
	}
	opts = choice_domain(kind, n, (uint32_t)m->width);
	choice_effective(&cur);
	for (k = opts - 1; k >= 1; k--) {
		struct prefix *e;
		if (m->top == m->stack_cap) {
			m->full = 1;	/* not every branch will be run */
			break;
		}
		e = &m->stack[m->top++];
		struct choice_seq s = cur;
		(void)choice_seq_set(&s, stream, index, choice_option_u(k,
		    opts));
		e->n = s.n;
		memcpy(e->ov, s.ov, sizeof(e->ov[0]) * (size_t)s.n);
	}
	return 0;
}

static void child_hook(void *ctx)
{
	struct shm *m = ctx;

	point = 0;
	choice_set_explorer(explorer, m, (uint32_t)m->width);
}

int explore_run(const struct explore_opts *eo, const struct run_spec *base,
    explore_leaf_fn *leaf, explore_progress_fn *progress, void *ctx,
    struct explore_stats *st, char *err, size_t errlen)
{
	size_t cap = (size_t)eo->depth * (size_t)eo->width + 8;
	size_t size = sizeof(struct shm) + cap * sizeof(struct prefix);
	struct shm *m;
	struct choice_seq seq;
	struct run_spec spec;
	struct result res;
	int stop = 0;

	memset(st, 0, sizeof(*st));
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "exhaustive: cannot map %zu bytes of "
		    "shared memory", size);
		return -1;
	}
	m->depth = eo->depth;
	m->width = eo->width;
	m->domains = eo->domains;
	m->stack_cap = (int)cap;
	m->top = 1;		/* the empty prefix */
	while (m->top > 0 && !stop) {
		struct prefix *e = &m->stack[--m->top];

		if (eo->max_leaves > 0 && st->leaves >= eo->max_leaves)
			break;
		if (eo->deadline > 0 && runner_now() >= eo->deadline)
			break;
		memset(&seq, 0, sizeof(seq));
		seq.n = e->n;
		memcpy(seq.ov, e->ov, sizeof(seq.ov[0]) * (size_t)e->n);
		spec = *base;
		spec.choices = &seq;
		spec.child_hook = child_hook;
		spec.hook_ctx = m;
		m->prefix_len = e->n;
		m->run_pruned = 0;
		st->started++;
		runner_run(&spec, &res);
		if (m->run_pruned) {
			result_free(&res);
		} else {
			st->leaves++;
			stop = leaf(ctx, &res);
		}
		st->states = m->states;
		st->pruned = m->pruned;
		st->max_depth = m->max_depth;
		if (progress != NULL)
			progress(ctx, st);
	}
	st->complete = m->top == 0 && !stop && !m->full &&
	    !(eo->max_leaves > 0 && st->leaves > eo->max_leaves);
	st->states = m->states;
	st->pruned = m->pruned;
	st->max_depth = m->max_depth;
	munmap(m, size);
	return 0;
}
