/*
 * verdict: see verdict.h; the rule is docs/model.md "The deadlock verdict".
 *
 * The check is a wait-for analysis over the model's actual producers of
 * what sleepers need.  Pages are the resource everything waits on in the
 * end; who can still put a page on the free or cache queue?
 *
 *   - a user process that runs (it may unmap or exit), or the page
 *     daemon, running or on its idle poll, while it has pages to scan
 *     (it caches and launders them);
 *   - a device thread with an I/O queued or in flight (a completion
 *     unbusies pages, releases pbufs and frees pages of dead objects);
 *   - a receive load whose buffers' hold ends, as far as kload says;
 *   - the kmalloc poller, with the all-free slabs it could return;
 *   - the emergency pager's once-a-second poll, only while anonymous
 *     pages it could cache or launder are queued (else its pass can only
 *     move cached pages to the free queue, which B counts already).
 *
 * If a thread of the first two kinds can act, the run is alive.  If none
 * can, the last two are bounded: at most B = free + cache + what they
 * can give back can ever be free, since whatever else allocates only
 * takes.  A sleeper whose need is out of reach at B, or that waits for a
 * wakeup only another stuck thread would send, stays asleep; when every
 * sleeper does, the run is dead.
 */
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "allocators/alloc.h"
#include "blkdev.h"
#include "core.h"
#include "kload.h"
#include "proc.h"
#include "swap_pager.h"
#include "vm_model.h"
#include "vm_pageout.h"

const char *verdict_kind_name(enum verdict_kind kind)
{
	switch (kind) {
	case VERDICT_ALIVE:
		return "alive";
	case VERDICT_DEAD:
		return "dead";
	default:
		return "unknown";
	}
}

/* A user thread killed by the OOM killer exits when its timeout ends. */
static int killed_proc(const struct core_thread *t)
{
	struct proc *p;

	for (p = allproc; p != NULL; p = p->next)
		if (p->td == t)
			return p->killed;
	return 0;
}

/* Threads that run for ever and whose effect B bounds. */
static int background(const struct core_thread *t)
{
	return t->role == CORE_ROLE_RX || t->role == CORE_ROLE_KMPOLL;
}


enum reach { NO, YES, CANNOT_SAY };

/* Could `t`'s need ever be met, with at most `b` pages free? */
static enum reach reachable(const struct verdict_world *w,
    const struct core_thread *t, int64_t b, int64_t bfree)
{
	const struct core_need *n = &t->need;
	int cache_ok = (n->cls & VM_ALLOC_INTERRUPT) ||
	    ((n->cls & VM_ALLOC_NORMAL) && !(n->cls & VM_ALLOC_QUICK));
	int64_t floor;

	if (t->role == CORE_ROLE_USER && t->timed &&
	    w->exits_on_timeout != NULL && w->exits_on_timeout(t))
		return YES;	/* woken by its timeout, it exits */
	switch (n->kind) {
	case CORE_NEED_PAGES:
		if (cache_ok || bfree == b)
			return b - vm_class_floor(n->cls) >= n->count ? YES : NO;
		/*
		 * No cache page is for it, and with the cache never emptied
		 * SYSTEM may not go below v_free_reserved (vm_page.c:2592-
		 * 2599): only pages that reach the free queue count.
		 */
		floor = vm_class_floor(n->cls & ~VM_ALLOC_SYSTEM);
		return bfree - floor >= n->count ? YES : NO;
	case CORE_NEED_FREE_LEVEL:	/* free+cache >= level, free >= floor */
		return b >= n->level && bfree >= n->floor ? YES : NO;
	case CORE_NEED_IO:	/* no I/O is pending: its issuer is stuck */
	case CORE_NEED_PBUF:	/* released only by I/O completions */
	case CORE_NEED_MAPENT:	/* the refiller is stuck too */
	case CORE_NEED_NEVER:
		return NO;
	case CORE_NEED_WORK:	/* a timed idle poll looks for work itself */
		if ((t->role == CORE_ROLE_PAGEDAEMON ||
		    t->role == CORE_ROLE_EMERGPAGER) && w->daemon_idle)
			return NO;	/* ...and a pass would find none */
		return t->timed ? YES : NO;
	case CORE_NEED_SCAN:	/* its pass has something to act on */
		return w->scannable > 0 ? YES : NO;
	case CORE_NEED_TIMER:
		return YES;
	case CORE_NEED_WAKEUP:
		return n->from == CORE_ROLE_RX || n->from == CORE_ROLE_KMPOLL ?
		    YES : NO;
	default:		/* words, a zone, KVA, swap, a socket */
		return CANNOT_SAY;
	}
}

/*
 * Can a cached page still reach the free queue?  A page daemon pass
 * frees them (vm_pageout_scan_cache()), so a daemon that runs or sleeps
 * on its timed poll can; a NORMAL request recycles them too, but only a
 * thread that runs makes one, and none does when this is asked.
 */
static int cache_can_free(const struct verdict_world *w)
{
	const struct core_thread *t;

	for (t = w->threads; t != NULL; t = t->next_all) {
		if (t->exited || (t->role != CORE_ROLE_PAGEDAEMON &&
		    t->role != CORE_ROLE_EMERGPAGER))
			continue;
		if (t->chan == NULL && !t->spinning)
			return 1;
		if (t->timed && (t->need.kind == CORE_NEED_WORK ||
		    t->need.kind == CORE_NEED_SCAN))
			return 1;
	}
	return 0;
}

static void why_thread(char *why, size_t len, const char *verb,
    struct core_thread *t)
{
	snprintf(why, len, "%s %s on %s: %s", t->name, verb,
	    t->spinning ? "a spin" : t->wmesg, core_need_text(t));
}

int64_t verdict_polls(void)
{
	struct alloc_zone *z;
	int64_t r, n = 0;

	for (z = alloc_zones(); z != NULL; z = z->next) {
		r = alloc_reclaimable(z);
		if (r < 0)
			return -1;
		n += r;
	}
	return n;
}

void verdict_check(struct verdict *v)
{
	struct verdict_world w;

	memset(&w, 0, sizeof(w));
	w.threads = core_threads();
	w.io = (int64_t)swapdev.queued + swapdev.inflight + filedev.queued +
	    filedev.inflight;
	w.free = vmstats.v_free_count;
	w.cache = vmstats.v_cache_count;
	if (w.io > 0) {
		verdict_decide(&w, v);	/* alive: the rest is not needed */
		return;
	}
	w.rx = kload_releasable_pages();
	w.polls = verdict_polls();
	/*
	 * With nothing on the active and inactive queues and no OOM kill
	 * possible, a pass can only move cached pages to the free queue
	 * (B counts them already).
	 */
	w.daemon_idle = vm_queues[PQ_ACTIVE].count == 0 &&
	    vm_queues[PQ_INACTIVE].count == 0 && !swap_pager_full;
	w.scannable = vm_emergpager_scannable();
	w.exits_on_timeout = killed_proc;
	verdict_decide(&w, v);
}

void verdict_decide(const struct verdict_world *w, struct verdict *v)
{
	int64_t b, bfree;
	struct core_thread *t, *unknown = NULL;
	int nsleepers = 0;

	memset(v, 0, sizeof(*v));
	v->bound = -1;
	if (w->io > 0) {
		v->kind = VERDICT_ALIVE;
		snprintf(v->why, sizeof(v->why), "%lld I/Os queued or in "
		    "flight", (long long)w->io);
		return;
	}
	for (t = w->threads; t != NULL; t = t->next_all) {
		if (t->exited || background(t))
			continue;
		if (t->chan != NULL || t->spinning) {
			nsleepers++;
			continue;
		}
		if (t->role == CORE_ROLE_USER) {
			v->kind = VERDICT_ALIVE;
			snprintf(v->why, sizeof(v->why), "%s can run", t->name);
			return;
		}
		if ((t->role == CORE_ROLE_PAGEDAEMON ||
		    t->role == CORE_ROLE_EMERGPAGER) && w->daemon_idle)
			continue;
		if (unknown == NULL)
			unknown = t;
	}
	if (w->rx < 0 || w->polls < 0) {
		v->kind = VERDICT_UNKNOWN;
		snprintf(v->why, sizeof(v->why), "what %s could give back is "
		    "not known", w->rx < 0 ? "the receive loads" :
		    "a zone's poll");
		return;
	}
	b = w->free + w->cache + w->rx + w->polls;
	bfree = cache_can_free(w) ? b : b - w->cache;
	v->bound = b;
	for (t = w->threads; t != NULL; t = t->next_all) {
		if (t->exited || background(t) ||
		    (t->chan == NULL && !t->spinning))
			continue;
		switch (reachable(w, t, b, bfree)) {
		case YES:
			v->kind = VERDICT_ALIVE;
			why_thread(v->why, sizeof(v->why), "can wake", t);
			return;
		case CANNOT_SAY:
			if (unknown == NULL)
				unknown = t;
			break;
		case NO:
			break;
		}
	}
	if (unknown != NULL) {
		v->kind = VERDICT_UNKNOWN;
		if (unknown->chan == NULL && !unknown->spinning)
			snprintf(v->why, sizeof(v->why), "%s runs without "
			    "progress, in a way the check does not model",
			    unknown->name);
		else
			why_thread(v->why, sizeof(v->why), "waits, unreadably,",
			    unknown);
		return;
	}
	if (nsleepers == 0) {
		v->kind = VERDICT_UNKNOWN;
		snprintf(v->why, sizeof(v->why), "no thread waits");
		return;
	}
	v->kind = VERDICT_DEAD;
	snprintf(v->why, sizeof(v->why), "no thread can run and no I/O is "
	    "pending; %sat most %lld pages can ever be free (free %lld + cache "
	    "%lld + %lld receive buffers ending + %lld in free slabs), out of "
	    "reach of every sleeper's need", bfree < b ? "no daemon pass is "
	    "left to free the cache; " : "", (long long)b,
	    (long long)w->free, (long long)w->cache, (long long)w->rx,
	    (long long)w->polls);
}

/* ---- stalls ------------------------------------------------------------ */

struct stall {
	double start, end;
	int nwaits;
	struct event_row waits[16];	/* who waited on what */
};

static struct stall stalls[VERDICT_MAX_STALLS];
static int nstalls, stalls_dropped;
static struct stall pending;		/* the gap being watched */
static int have_pending;
static double longest;

static void on_gap(double start, double end)
{
	struct stall *s;

	if (end - start > longest)
		longest = end - start;
	if (nstalls == VERDICT_MAX_STALLS) {
		stalls_dropped++;
		return;
	}
	s = &stalls[nstalls++];
	if (have_pending && pending.start == start)
		*s = pending;
	else
		memset(s, 0, sizeof(*s));
	s->start = start;
	s->end = end;
	have_pending = 0;
}

static int64_t progress(void)
{
	return vm_cnt.pages_freed + vm_cnt.pages_cached + vm_cnt.ios_done +
	    vm_cnt.proc_steps;
}

void verdict_stalls_start(void)
{
	nstalls = stalls_dropped = 0;
	have_pending = 0;
	longest = 0;
	core_set_progress(progress, VERDICT_STALL_MIN, on_gap);
}

void verdict_stall_note(double now)
{
	double since = core_last_progress();
	struct core_thread *t;
	struct event_row *e;

	if (now - since < VERDICT_STALL_MIN ||
	    (have_pending && pending.start == since))
		return;
	memset(&pending, 0, sizeof(pending));
	pending.start = since;
	have_pending = 1;
	for (t = core_threads(); t != NULL; t = t->next_all) {
		if (t->exited || pending.nwaits == 16)
			continue;
		if (t->chan == NULL && !t->spinning)
			continue;
		if (t->need.kind == CORE_NEED_WORK && !t->timed)
			continue;	/* an idle device thread */
		e = &pending.waits[pending.nwaits++];
		e->t = since;
		snprintf(e->kind, sizeof(e->kind), "stall_wait");
		snprintf(e->thread, sizeof(e->thread), "%s", t->name);
		snprintf(e->detail, sizeof(e->detail), "%s: %s",
		    t->spinning ? "spin" : t->wmesg, core_need_text(t));
	}
}

double verdict_stalls_finish(struct result *res, double now, int ongoing)
{
	struct event_row e;
	int i, k;

	if (ongoing && now - core_last_progress() >= VERDICT_STALL_MIN) {
		verdict_stall_note(now);
		on_gap(core_last_progress(), now);
		if (nstalls > 0 && stalls[nstalls - 1].end == now)
			stalls[nstalls - 1].end = -now;	/* still stalled */
	}
	for (i = 0; i < nstalls; i++) {
		const struct stall *s = &stalls[i];
		double end = s->end < 0 ? -s->end : s->end;

		memset(&e, 0, sizeof(e));
		e.t = s->start;
		snprintf(e.kind, sizeof(e.kind), "stall");
		snprintf(e.detail, sizeof(e.detail), "no progress for %.3f s, "
		    "t=%.3f..%.3f%s", end - s->start, s->start, end,
		    s->end < 0 ? " (still stalled when the run ended)" :
		    ", then progress resumed");
		result_add_event(res, &e);
		for (k = 0; k < s->nwaits; k++)
			result_add_event(res, &s->waits[k]);
	}
	if (stalls_dropped > 0) {
		memset(&e, 0, sizeof(e));
		e.t = now;
		snprintf(e.kind, sizeof(e.kind), "stall");
		snprintf(e.detail, sizeof(e.detail), "%d more stalls not "
		    "recorded", stalls_dropped);
		result_add_event(res, &e);
	}
	if (core_longest_gap() > longest)
		longest = core_longest_gap();
	core_set_progress(NULL, 0, NULL);
	return longest;
}
