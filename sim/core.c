/*
 * core: simulated threads, time, devices and wait channels on SimGrid.
 *
 * The only file (with its C++ shim) that includes SimGrid.  Each
 * simulated thread is an actor with a private semaphore; a wait channel
 * is a FIFO of such threads, so sleeping is one semaphore acquire and a
 * wakeup is one release per sleeper.  All actors run in one OS thread,
 * one at a time, so the lists need no locking: nothing runs between two
 * SimGrid calls of the current actor.
 */
#include "core.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <simgrid/version.h>
#include <xbt/log.h>

#include "choice.h"
#include "xmalloc.h"

void core_shim_platform(int ncpus, double flops);
void core_shim_on_deadlock(void (*cb)(void));
void *core_shim_host(void);

unsigned long core_sg_calls;

static struct core_platform plat;
static struct core_thread *all_threads;
/*
 * The running thread and the clock, as of the last return from SimGrid.
 * An actor only loses the processor inside a SimGrid call, and every such
 * call is made here: each one restores both on return (resume()), so
 * core_self() and core_now() on the per-page path never enter SimGrid.
 * NULL and the clock of the last engine step while maestro runs.
 */
static struct core_thread *cur;
static double clock_now;
static int nprocs_alive;
static int hard_deadlock;

unsigned long core_sg_calls_by[CORE_CALL_NKINDS][CORE_ROLE_NROLES];

static const char *const call_kind_names[CORE_CALL_NKINDS] = {
	"cpu", "sleep", "wait", "timed_wait", "wake",
};

/* One engine call of `kind` by the running thread. */
static inline void count_call(enum core_call_kind kind)
{
	core_sg_calls++;
	core_sg_calls_by[kind][cur != NULL ? cur->role : CORE_ROLE_KTHREAD]++;
}

void core_print_calls(FILE *f)
{
	int k, r;

	for (k = 0; k < CORE_CALL_NKINDS; k++)
		for (r = 0; r < CORE_ROLE_NROLES; r++)
			if (core_sg_calls_by[k][r] != 0)
				fprintf(f, "engine_calls %s %s %lu\n",
				    call_kind_names[k], core_role_name(r),
				    core_sg_calls_by[k][r]);
}

/* progress tracking, see core_set_progress() */
static int64_t (*progress_fn)(void);
static void (*progress_on_gap)(double, double);
static double progress_gap_min;
static int64_t progress_last;
static double progress_last_t, progress_longest;

/*
 * Called before every SimGrid call that lets time pass: whatever the
 * thread did since its last such call happened at this instant, so a
 * change of the counter is dated exactly.
 */
static void progress_note(void)
{
	int64_t p;
	double now, gap;

	if (progress_fn == NULL)
		return;
	p = progress_fn();
	if (p == progress_last)
		return;
	progress_last = p;
	now = simgrid_get_clock();
	gap = now - progress_last_t;
	if (gap > progress_longest)
		progress_longest = gap;
	if (gap >= progress_gap_min && progress_on_gap != NULL)
		progress_on_gap(progress_last_t, now);
	progress_last_t = now;
}

void core_set_progress(int64_t (*fn)(void), double gap_min,
    void (*on_gap)(double start, double end))
{
	progress_fn = fn;
	progress_on_gap = on_gap;
	progress_gap_min = gap_min;
	progress_last = fn != NULL ? fn() : 0;
	progress_last_t = core_now();
	progress_longest = 0;
}

double core_last_progress(void)
{
	return progress_last_t;
}

double core_longest_gap(void)
{
	return progress_longest;
}

static void on_deadlock(void)
{
	hard_deadlock = 1;
}

void core_engine_start(void)
{
	static int started;
	static char arg0[] = "memsim";
	static char arg1[] = "--log=root.app:file:/dev/null";
	static char arg2[] = "--cfg=contexts/stack-size:512";
#ifdef __SANITIZE_ADDRESS__
	/*
	 * ASan cannot follow the raw contexts' stack switches (Debian's
	 * SimGrid does not announce them): it reports live locals of a
	 * switched-out actor as stack-use-after-return, and stale redzones
	 * after a longjmp on an actor stack.  With one thread per actor it
	 * sees ordinary threads, and it simulates the same thing
	 * (tests/san_smoke.sh compares digests); ASan builds only.
	 */
	static char arg3[] = "--cfg=contexts/factory:thread";
	char *argv[] = { arg0, arg1, arg2, arg3, NULL };
	int argc = 4;
#else
	char *argv[] = { arg0, arg1, arg2, NULL };
	int argc = 3;
#endif

	if (started)
		return;
	started = 1;
	xbt_log_control_set("root.app:file:/dev/null");
	simgrid_init(&argc, argv);
}

int core_can_fork_run(void)
{
#ifdef __SANITIZE_ADDRESS__
	return 0;
#else
	return 1;
#endif
}

void core_init(const struct core_platform *p)
{
	plat = *p;
	core_engine_start();
	core_shim_platform(p->ncpus, p->cpu_flops);
	core_shim_on_deadlock(on_deadlock);
}

/* After a SimGrid call that may have let other actors run: t runs. */
static inline void resume(struct core_thread *t)
{
	cur = t;
	clock_now = simgrid_get_clock();
}

static void actor_main(int argc, char **argv)
{
	struct core_thread *t = sg_actor_self_get_data();

	(void)argc;
	(void)argv;
	resume(t);
	if (t->kind == CORE_KTHREAD) {
		sg_actor_daemonize(sg_actor_self());
		resume(t);
	}
	t->fn(t);
	progress_note();	/* what it did last, e.g. an exit */
	t->exited = 1;
	if (t->kind == CORE_PROC)
		nprocs_alive--;
}

struct core_thread *core_spawn(const char *name, enum core_thread_kind kind,
    int cpu, void (*fn)(struct core_thread *), void *arg)
{
	struct core_thread *t = xcalloc(1, sizeof(*t)), *self = cur;
	sg_actor_t a;

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = kind;
	t->role = kind == CORE_PROC ? CORE_ROLE_USER : CORE_ROLE_KTHREAD;
	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->sg_sem = sg_sem_init(0);
	t->next_all = all_threads;
	all_threads = t;
	if (kind == CORE_PROC)
		nprocs_alive++;
	a = sg_actor_init(t->name, core_shim_host());
	sg_actor_set_data(a, t);
	sg_actor_start(a, actor_main, 0, NULL);
	if (self != NULL)
		resume(self);
	return t;
}

/*
 * Every live thread asleep on a channel with no timeout: nothing can ever
 * wake anyone.  SimGrid reports this itself only from simgrid_run(); with
 * simgrid_run_until() the end date acts as a pending timer, so the check
 * is made here from the threads' own state.
 */
static int all_blocked(void)
{
	struct core_thread *t;
	int procs = 0;

	for (t = all_threads; t != NULL; t = t->next_all) {
		if (t->exited)
			continue;
		if (t->chan == NULL || t->timed || t->spinning)
			return 0;
		procs += t->kind == CORE_PROC;
	}
	return procs > 0;
}

double core_blocked_since(void)
{
	struct core_thread *t;
	double since = 0;

	for (t = all_threads; t != NULL; t = t->next_all)
		if (!t->exited && t->chan != NULL && t->wait_since > since)
			since = t->wait_since;
	return since;
}

enum core_stop core_run_until(double until)
{
	cur = NULL;
	simgrid_run_until(until);
	cur = NULL;
	clock_now = simgrid_get_clock();
	progress_note();
	if (hard_deadlock || all_blocked())
		return CORE_HARD_DEADLOCK;
	if (nprocs_alive == 0)
		return CORE_ALL_EXITED;
	return CORE_RUNNING;
}

double core_now(void)
{
	return clock_now;
}

struct core_thread *core_self(void)
{
	return cur;
}

int core_curcpu(void)
{
	return cur != NULL ? cur->cpu : 0;
}

struct core_thread *core_threads(void)
{
	return all_threads;
}

int core_nprocs_alive(void)
{
	return nprocs_alive;
}

void core_cpu(double seconds)
{
	if (seconds <= 0)
		return;
	struct core_thread *t = cur;

	progress_note();
	count_call(CORE_CALL_CPU);
	sg_actor_execute(seconds * plat.cpu_flops);
	resume(t);
}

void core_spin(const struct core_need *need, double seconds)
{
	struct core_thread *t = core_self();

	t->need = *need;
	t->memwait = core_need_memwait(need->kind);
	t->wait_since = core_now();
	t->spinning = 1;
	core_cpu(seconds);
	t->spinning = 0;
	t->memwait = 0;
}

void core_sleep(double seconds)
{
	if (seconds <= 0)
		return;
	struct core_thread *t = cur;

	progress_note();
	count_call(CORE_CALL_SLEEP);
	sg_actor_sleep_for(seconds);
	resume(t);
}

void core_chan_init(struct core_chan *ch, const char *name)
{
	memset(ch, 0, sizeof(*ch));
	ch->name = name;
}

static void chan_remove(struct core_chan *ch, struct core_thread *t)
{
	struct core_thread **pp, *prev = NULL;

	for (pp = &ch->head; *pp != NULL; prev = *pp, pp = &(*pp)->wnext) {
		if (*pp == t) {
			*pp = t->wnext;
			if (ch->tail == t)
				ch->tail = prev;
			ch->nwaiters--;
			t->wnext = NULL;
			return;
		}
	}
	assert(0 && "thread not on its wait channel");
}

static int vwait(struct core_chan *ch, const char *wmesg, double timeout,
    struct core_thread *t)
{
	int timedout;

	assert(t->chan == NULL);
	t->wmesg = wmesg != NULL ? wmesg : ch->name;
	t->chan = ch;
	t->timed = timeout >= 0;
	t->woken = 0;
	t->wait_since = core_now();
	t->wnext = NULL;
	if (ch->tail != NULL)
		ch->tail->wnext = t;
	else
		ch->head = t;
	ch->tail = t;
	ch->nwaiters++;

	progress_note();
	count_call(timeout < 0 ? CORE_CALL_WAIT : CORE_CALL_TIMED_WAIT);
	if (timeout < 0) {
		sg_sem_acquire(t->sg_sem);
		timedout = 0;
	} else {
		timedout = sg_sem_acquire_timeout(t->sg_sem, timeout);
	}
	resume(t);
	if (timedout) {
		if (t->woken) {
			/* Woken in the same instant the timer fired: drain. */
			sg_sem_acquire(t->sg_sem);
			resume(t);
		} else {
			chan_remove(ch, t);
			t->chan = NULL;
		}
	}
	assert(t->chan == NULL);
	t->memwait = 0;
	return timedout && !t->woken;
}

int core_wait_need(struct core_chan *ch, const char *wmesg, double timeout,
    const struct core_need *need)
{
	struct core_thread *t = core_self();

	t->need = *need;
	t->memwait = core_need_memwait(need->kind);
	return vwait(ch, wmesg, timeout, t);
}

static int vwait_text(struct core_chan *ch, const char *wmesg,
    double timeout, int memwait, const char *fmt, va_list ap)
{
	struct core_thread *t = core_self();

	memset(&t->need, 0, sizeof(t->need));
	t->need.kind = CORE_NEED_TEXT;
	vsnprintf(t->need_text, sizeof(t->need_text), fmt, ap);
	t->memwait = memwait;
	return vwait(ch, wmesg, timeout, t);
}

int core_wait(struct core_chan *ch, double timeout, int memwait,
    const char *need, ...)
{
	va_list ap;
	int rc;

	va_start(ap, need);
	rc = vwait_text(ch, ch->name, timeout, memwait, need, ap);
	va_end(ap);
	return rc;
}

int core_wait_wmesg(struct core_chan *ch, const char *wmesg, double timeout,
    int memwait, const char *need, ...)
{
	va_list ap;
	int rc;

	va_start(ap, need);
	rc = vwait_text(ch, wmesg, timeout, memwait, need, ap);
	va_end(ap);
	return rc;
}

static void wake(struct core_thread *t)
{
	struct core_thread *self = cur;

	t->woken = 1;
	t->chan = NULL;
	t->wnext = NULL;
	count_call(CORE_CALL_WAKE);
	sg_sem_release(t->sg_sem);
	if (self != NULL)
		resume(self);
}

/*
 * wakeup(): every sleeper becomes runnable at once; which runs first is
 * a tie the model orders, so it is a choice point (sim/choice.c,
 * CHOICE_STREAM_WAKEUP): option k lets the k-th sleeper go first and
 * the others follow in sleep order, wrapping round.  Without an
 * override k is 0, the order they went to sleep in.
 */
void core_wakeup(struct core_chan *ch)
{
	struct core_thread *head = ch->head, *start = head, *t, *next;
	uint32_t k = 0, i;

	if (ch->nwaiters > 1)
		k = choice_tie(CHOICE_STREAM_WAKEUP, (uint32_t)ch->nwaiters);
	for (i = 0; i < k && start != NULL; i++)
		start = start->wnext;
	ch->head = ch->tail = NULL;
	ch->nwaiters = 0;
	for (t = start; t != NULL; t = next) {	/* the k-th to the last */
		next = t->wnext;
		wake(t);
	}
	for (t = head; t != start; t = next) {	/* then the first k */
		next = t->wnext;
		wake(t);
	}
}

void core_wakeup_one(struct core_chan *ch)
{
	struct core_thread *t = ch->head;

	if (t == NULL)
		return;
	ch->head = t->wnext;
	if (ch->head == NULL)
		ch->tail = NULL;
	ch->nwaiters--;
	wake(t);
}

void core_set_need(struct core_thread *t, const struct core_need *need)
{
	t->need = *need;
	t->memwait = core_need_memwait(need->kind);
}

/* ---- needs in words --------------------------------------------------- */

int core_need_memwait(enum core_need_kind kind)
{
	return kind == CORE_NEED_PAGES || kind == CORE_NEED_FREE_LEVEL ||
	    kind == CORE_NEED_MAPENT || kind == CORE_NEED_KVA ||
	    kind == CORE_NEED_ZONE;
}

static const char *const kind_names[CORE_NEED_NKINDS] = {
	[CORE_NEED_TEXT] = "text",
	[CORE_NEED_PAGES] = "pages",
	[CORE_NEED_FREE_LEVEL] = "free_level",
	[CORE_NEED_MAPENT] = "mapent",
	[CORE_NEED_KVA] = "kva",
	[CORE_NEED_PBUF] = "pbuf",
	[CORE_NEED_SWAP] = "swap",
	[CORE_NEED_SOCKET] = "socket",
	[CORE_NEED_ZONE] = "zone",
	[CORE_NEED_IO] = "io",
	[CORE_NEED_TIMER] = "timer",
	[CORE_NEED_WORK] = "work",
	[CORE_NEED_SCAN] = "scan",
	[CORE_NEED_WAKEUP] = "wakeup",
	[CORE_NEED_NEVER] = "never",
};

static const char *const role_names[CORE_ROLE_NROLES] = {
	[CORE_ROLE_KTHREAD] = "kthread",
	[CORE_ROLE_USER] = "user",
	[CORE_ROLE_PAGEDAEMON] = "pagedaemon",
	[CORE_ROLE_EMERGPAGER] = "emergpager",
	[CORE_ROLE_RX] = "rx",
	[CORE_ROLE_KMPOLL] = "kmalloc_poller",
	[CORE_ROLE_SWAPIO] = "swapio",
	[CORE_ROLE_FILEIO] = "fileio",
};

const char *core_need_kind_name(enum core_need_kind kind)
{
	return (unsigned)kind < CORE_NEED_NKINDS ? kind_names[kind] : "?";
}

const char *core_role_name(enum core_role role)
{
	return (unsigned)role < CORE_ROLE_NROLES ? role_names[role] : "?";
}

static const char *str(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

void core_need_format(const struct core_need *n, char *buf, size_t len)
{
	long long cnt = (long long)n->count, fr = (long long)n->free,
	    ca = (long long)n->cache;

	switch (n->kind) {
	case CORE_NEED_TEXT:
		snprintf(buf, len, "%s", str(n->what, ""));
		break;
	case CORE_NEED_PAGES:
		if (n->total > 0)
			snprintf(buf, len, "%s: page %lld of %lld at %s; free "
			    "%lld, floor %lld", str(n->what, "pages"),
			    (long long)n->index, (long long)n->total,
			    str(n->cls_name, "?"), fr, (long long)n->floor);
		else
			snprintf(buf, len, "%s: %lld page%s at %s; free %lld "
			    "cache %lld, floor %lld", str(n->what, "pages"),
			    cnt, cnt == 1 ? "" : "s", str(n->cls_name, "?"), fr,
			    ca, (long long)n->floor);
		break;
	case CORE_NEED_FREE_LEVEL:
		if (n->floor_name != NULL)
			snprintf(buf, len, "free+cache >= %s (%lld) and free >= "
			    "%s (%lld); free %lld cache %lld",
			    str(n->level_name, "level"), (long long)n->level,
			    n->floor_name, (long long)n->floor, fr, ca);
		else
			snprintf(buf, len, "free+cache >= %s (%lld); free %lld "
			    "cache %lld", str(n->level_name, "level"),
			    (long long)n->level, fr, ca);
		break;
	case CORE_NEED_MAPENT:
		snprintf(buf, len, "%s: %s refills the MAP ENTRY zone",
		    str(n->what, "map entries"),
		    n->holder != NULL ? n->holder->name : "another thread");
		break;
	case CORE_NEED_KVA:
		snprintf(buf, len, "%s: %lld bytes of kernel_map",
		    str(n->what, "kva"), cnt);
		break;
	case CORE_NEED_PBUF:
		snprintf(buf, len, "a pbuf of %s (%lld, all in use)",
		    str(n->what, "a pool"), cnt);
		break;
	case CORE_NEED_SWAP:
		snprintf(buf, len, "%s: %lld pages of swap space",
		    str(n->what, "swap"), cnt);
		break;
	case CORE_NEED_SOCKET:
		snprintf(buf, len, "%s: socket buffer space",
		    str(n->what, "socket"));
		break;
	case CORE_NEED_ZONE:
		snprintf(buf, len, "an object from zone %s; free %lld cache "
		    "%lld", str(n->what, "?"), fr, ca);
		break;
	case CORE_NEED_IO:
		snprintf(buf, len, "%s: page %lld of object %lld",
		    str(n->what, "I/O"), (long long)n->index,
		    (long long)n->object);
		break;
	case CORE_NEED_TIMER:
	case CORE_NEED_WORK:
	case CORE_NEED_SCAN:
	case CORE_NEED_NEVER:
		snprintf(buf, len, "%s", str(n->what, kind_names[n->kind]));
		break;
	case CORE_NEED_WAKEUP:
		snprintf(buf, len, "%s: a wakeup from %s", str(n->what, "?"),
		    n->holder != NULL ? n->holder->name :
		    core_role_name((enum core_role)n->from));
		break;
	default:
		snprintf(buf, len, "?");
	}
}

const char *core_need_text(struct core_thread *t)
{
	if (t->need.kind != CORE_NEED_TEXT)
		core_need_format(&t->need, t->need_text, sizeof(t->need_text));
	return t->need_text;
}

const char *core_simgrid_version(void)
{
	static char v[32];

	snprintf(v, sizeof(v), "%d.%d.%d", SIMGRID_VERSION_MAJOR,
	    SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH);
	return v;
}
