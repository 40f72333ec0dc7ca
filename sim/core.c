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
#include <simgrid/disk.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <simgrid/version.h>
#include <xbt/log.h>

#include "xmalloc.h"

void core_shim_platform(int ncpus, double flops, double swap_rbw,
    double swap_wbw, double file_rbw);
void core_shim_on_deadlock(void (*cb)(void));
void *core_shim_host(void);
void *core_shim_disk(int which);

unsigned long core_sg_calls;

static struct core_platform plat;
static struct core_thread *all_threads;
static int nprocs_alive;
static int hard_deadlock;
static int started;

static void on_deadlock(void)
{
	hard_deadlock = 1;
}

void core_init(const struct core_platform *p)
{
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

	plat = *p;
	started = 1;
	xbt_log_control_set("root.app:file:/dev/null");
	simgrid_init(&argc, argv);
	core_shim_platform(p->ncpus, p->cpu_flops, p->swap_read_bw,
	    p->swap_write_bw, p->file_read_bw);
	core_shim_on_deadlock(on_deadlock);
}

static void actor_main(int argc, char **argv)
{
	struct core_thread *t = sg_actor_self_get_data();

	(void)argc;
	(void)argv;
	if (t->kind == CORE_KTHREAD)
		sg_actor_daemonize(sg_actor_self());
	t->fn(t);
	t->exited = 1;
	if (t->kind == CORE_PROC)
		nprocs_alive--;
}

struct core_thread *core_spawn(const char *name, enum core_thread_kind kind,
    int cpu, void (*fn)(struct core_thread *), void *arg)
{
	struct core_thread *t = xcalloc(1, sizeof(*t));
	sg_actor_t a;

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = kind;
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
		if (t->chan == NULL || t->timed)
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
	simgrid_run_until(until);
	if (hard_deadlock || all_blocked())
		return CORE_HARD_DEADLOCK;
	if (nprocs_alive == 0)
		return CORE_ALL_EXITED;
	return CORE_RUNNING;
}

double core_now(void)
{
	return started ? simgrid_get_clock() : 0.0;
}

struct core_thread *core_self(void)
{
	sg_actor_t a;

	if (!started)
		return NULL;
	a = sg_actor_self();
	return a != NULL ? sg_actor_get_data(a) : NULL;
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
	core_sg_calls++;
	sg_actor_execute(seconds * plat.cpu_flops);
}

void core_sleep(double seconds)
{
	if (seconds <= 0)
		return;
	core_sg_calls++;
	sg_actor_sleep_for(seconds);
}

void core_disk_io(enum core_disk disk, double bytes, int write)
{
	double lat = disk == CORE_DISK_SWAP ? plat.swap_latency :
	    plat.file_latency;
	sg_disk_t d = core_shim_disk(disk == CORE_DISK_SWAP ? 0 : 1);

	core_sleep(lat);
	core_sg_calls++;
	if (write)
		sg_disk_write(d, (sg_size_t)bytes);
	else
		sg_disk_read(d, (sg_size_t)bytes);
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
    int memwait, const char *need, va_list ap)
{
	struct core_thread *t = core_self();
	int timedout;

	assert(t->chan == NULL);
	vsnprintf(t->need, sizeof(t->need), need, ap);
	t->wmesg = wmesg;
	t->chan = ch;
	t->memwait = memwait;
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

	core_sg_calls++;
	if (timeout < 0) {
		sg_sem_acquire(t->sg_sem);
		timedout = 0;
	} else {
		timedout = sg_sem_acquire_timeout(t->sg_sem, timeout);
	}
	if (timedout) {
		if (t->woken) {
			/* Woken in the same instant the timer fired: drain. */
			sg_sem_acquire(t->sg_sem);
		} else {
			chan_remove(ch, t);
			t->chan = NULL;
		}
	}
	assert(t->chan == NULL);
	t->memwait = 0;
	return timedout && !t->woken;
}

int core_wait(struct core_chan *ch, double timeout, int memwait,
    const char *need, ...)
{
	va_list ap;
	int rc;

	va_start(ap, need);
	rc = vwait(ch, ch->name, timeout, memwait, need, ap);
	va_end(ap);
	return rc;
}

int core_wait_wmesg(struct core_chan *ch, const char *wmesg, double timeout,
    int memwait, const char *need, ...)
{
	va_list ap;
	int rc;

	va_start(ap, need);
	rc = vwait(ch, wmesg, timeout, memwait, need, ap);
	va_end(ap);
	return rc;
}

static void wake(struct core_thread *t)
{
	t->woken = 1;
	t->chan = NULL;
	t->wnext = NULL;
	core_sg_calls++;
	sg_sem_release(t->sg_sem);
}

void core_wakeup(struct core_chan *ch)
{
	struct core_thread *t = ch->head;

	ch->head = ch->tail = NULL;
	ch->nwaiters = 0;
	while (t != NULL) {
		struct core_thread *next = t->wnext;
		wake(t);
		t = next;
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

void core_set_need(struct core_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->need, sizeof(t->need), fmt, ap);
	va_end(ap);
}

const char *core_simgrid_version(void)
{
	static char v[32];

	snprintf(v, sizeof(v), "%d.%d.%d", SIMGRID_VERSION_MAJOR,
	    SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH);
	return v;
}
