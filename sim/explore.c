/*
 * explore: see explore.h.
 *
 * Depth first, in one of two modes.  The parent and its run processes
 * share one anonymous mapping: the table of states seen (hash -> the
 * smallest depth it was reached at), counters, and in prefix mode the
 * stack of prefixes still to run.  One process simulates at a time, so
 * nothing in the mapping is ever written by two at once.  At each
 * choice point of the domains, up to depth D, the running process
 * hashes the state: a state already reached at the same or a smaller
 * depth ends it there (pruned, no result).  Otherwise:
 *
 *   prefix mode: it pushes the point's other options as prefixes (as
 *   overrides of the choice sequence) and takes option 0; the parent
 *   runs each prefix later in a fresh run, which follows it and goes on
 *   from where it ends.
 *
 *   fork mode: it forks one process per option 0..W-2, in turn, and
 *   waits for each (its whole subtree) before the next, then takes the
 *   last option itself.  Every process that reaches the run's end
 *   writes its result down the pipe the run began with; only one writes
 *   at a time, and the parent reads results until the pipe ends.  A
 *   forked branch that dies becomes an error result with its choices,
 *   written by the process that waited for it.  The order of the
 *   branches, so of the states entered and cut, is the prefix mode's:
 *   the two modes explore the same tree.
 *
 * A run that ended in error, in either mode, left its subtree
 * unexplored: the search then makes no claim.
 */
#include "explore.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
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
	int fork_mode;
	int64_t forks;			/* branches forked */
	int fork_errno;			/* a fork() that failed; 0: none */
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
	return core_can_fork_run();
}

/* See EXPLORE_CRASH_ENV in explore.h.  No core file: tests crash on purpose. */
static void test_crash_hook(int64_t nth)
{
	const char *v = getenv(EXPLORE_CRASH_ENV);
	struct rlimit none = { 0, 0 };

	if (v == NULL || *v == '\0' || strtoll(v, NULL, 10) != nth)
		return;
	setrlimit(RLIMIT_CORE, &none);
	raise(SIGSEGV);
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

/* A forked branch (option k of opts at stream/index) ended badly. */
static void branch_died(struct shm *m, uint32_t stream, uint32_t index,
    uint32_t k, uint32_t opts, int status)
{
	struct choice_seq s;

	m->full = 1;		/* a subtree not explored: no claim */
	choice_effective(&s);
	(void)choice_seq_set(&s, stream, index, choice_option_u(k, opts));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		runner_child_error(&s, "a forked branch exceeded the "
		    "wall-clock limit");
	else if (WIFSIGNALED(status))
		runner_child_error(&s, "a forked branch died with signal %d "
		    "(%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		runner_child_error(&s, "a forked branch ended with exit "
		    "status %d", WEXITSTATUS(status));
}

/*
 * Fork mode at a new state: options 0..opts-2 each in a process of its
 * own, one after the other; returns the option this process takes (in
 * a forked branch, its own).
 */
static int fork_options(struct shm *m, uint32_t stream, uint32_t index,
    uint32_t opts)
{
	pid_t self = getpid(), pid;
	uint32_t k;
	int status;

	for (k = 0; k + 1 < opts; k++) {
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			m->fork_errno = errno;
			m->full = 1;
			break;
		}
		if (pid == 0) {
			runner_child_forked(self);
			test_crash_hook(++m->forks);
			return (int)k;
		}
		runner_child_pause();
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		runner_child_resume();
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			branch_died(m, stream, index, k, opts, status);
	}
	return (int)opts - 1;
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
	if (m->fork_mode)
		return fork_options(m, stream, index, opts);
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

static void stats_from(struct explore_stats *st, const struct shm *m)
{
	st->states = m->states;
	st->pruned = m->pruned;
	st->max_depth = m->max_depth;
}

static void spec_for(struct run_spec *spec, const struct run_spec *base,
    struct choice_seq *seq, struct shm *m)
{
	*spec = *base;
	spec->choices = seq;
	spec->child_hook = child_hook;
	spec->hook_ctx = m;
}

/* Prefix mode: one fresh run per prefix on the stack. */
static void explore_replay(const struct explore_opts *eo,
    const struct run_spec *base, explore_leaf_fn *leaf,
    explore_progress_fn *progress, void *ctx, struct explore_stats *st,
    struct shm *m)
{
	struct choice_seq seq;
	struct run_spec spec;
	struct result res;
	int stop = 0, lost = 0;

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
		spec_for(&spec, base, &seq, m);
		m->prefix_len = e->n;
		m->run_pruned = 0;
		st->started++;
		runner_run(&spec, &res);
		if (m->run_pruned) {
			result_free(&res);
		} else {
			st->leaves++;
			lost |= res.row.outcome == OUTCOME_ERROR;
			stop = leaf(ctx, &res);
		}
		stats_from(st, m);
		if (progress != NULL)
			progress(ctx, st);
	}
	st->complete = m->top == 0 && !stop && !m->full && !lost &&
	    !(eo->max_leaves > 0 && st->leaves > eo->max_leaves);
}

/*
 * Fork mode: one run, forking at its choice points; its results arrive
 * in turn down one pipe.  At max_leaves one more is read: the search is
 * complete only if the pipe ends there.
 */
static void explore_forked(const struct explore_opts *eo,
    const struct run_spec *base, explore_leaf_fn *leaf,
    explore_progress_fn *progress, void *ctx, struct explore_stats *st,
    struct shm *m)
{
	struct choice_seq seq;
	struct run_spec spec;
	struct runner_child c;
	struct result res;
	int rc, stop = 0, ended = 0, lost = 0;

	memset(&seq, 0, sizeof(seq));
	spec_for(&spec, base, &seq, m);
	m->prefix_len = 0;
	if (runner_start(&spec, &c, &res) != 0) {
		st->leaves++;
		(void)leaf(ctx, &res);
		return;
	}
	while (!stop) {
		rc = runner_next(&c, eo->deadline, &res);
		if (rc <= 0) {
			ended = rc == 0;
			break;
		}
		if (eo->max_leaves > 0 && st->leaves >= eo->max_leaves) {
			result_free(&res);	/* one more than the budget */
			break;
		}
		st->leaves++;
		lost |= res.row.outcome == OUTCOME_ERROR;
		stop = leaf(ctx, &res);
		stats_from(st, m);
		st->started = m->forks + 1;
		if (progress != NULL)
			progress(ctx, st);
	}
	runner_kill(&c);
	stats_from(st, m);
	st->started = m->forks + 1;
	st->complete = ended && !stop && !m->full && !lost;
}

int explore_run(const struct explore_opts *eo, const struct run_spec *base,
    explore_leaf_fn *leaf, explore_progress_fn *progress, void *ctx,
    struct explore_stats *st, char *err, size_t errlen)
{
	size_t cap = eo->fork_mode ? 0 :
	    (size_t)eo->depth * (size_t)eo->width + 8;
	size_t size = sizeof(struct shm) + cap * sizeof(struct prefix);
	struct shm *m;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (eo->fork_mode && !explore_can_fork()) {
		snprintf(err, errlen, "exhaustive: this build cannot fork a "
		    "run at a choice point");
		return -1;
	}
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
	m->fork_mode = eo->fork_mode;
	m->stack_cap = (int)cap;
	st->fork_mode = eo->fork_mode;
	if (eo->fork_mode)
		explore_forked(eo, base, leaf, progress, ctx, st, m);
	else
		explore_replay(eo, base, leaf, progress, ctx, st, m);
	stats_from(st, m);
	if (m->fork_errno != 0) {
		snprintf(err, errlen, "exhaustive: fork at a choice point: %s",
		    strerror(m->fork_errno));
		rc = -1;
	}
	munmap(m, size);
	return rc;
}
