/*
 * test_core: the engine layer — wait channels, timed waits, and SimGrid's
 * hard deadlock seen through core_run_until().  One engine per process.
 */
#include <string.h>

#include "check.h"
#include "core.h"

static struct core_chan chan;
static int woke_by_timer, woke_by_wakeup, ran;

static void timed_sleeper(struct core_thread *td)
{
	(void)td;
	woke_by_timer = core_wait(&chan, 0.5, 1, "nothing will come");
}

static int64_t work;
static double gap_start = -1, gap_end = -1;

static int64_t work_done(void)
{
	return work;
}

static void on_gap(double start, double end)
{
	gap_start = start;
	gap_end = end;
}

static void waker(struct core_thread *td)
{
	(void)td;
	core_sleep(1.0);
	work++;			/* progress, then the wakeup */
	core_wakeup(&chan);
}

static struct core_chan pchan;
static int spun;

/* A structured need, then a spin on the same need. */
static void pages_sleeper(struct core_thread *td)
{
	struct core_need n = { .kind = CORE_NEED_PAGES, .what = "test_alloc",
	    .cls_name = "SYSTEM", .count = 26, .index = 7, .total = 32,
	    .floor = 35, .free = 4 };

	(void)td;
	core_wait_need(&pchan, "VMWait", 0.25, &n);
	n.kind = CORE_NEED_ZONE;
	n.what = "SWAPMETA";
	core_spin(&n, 0.25);
	spun = 1;
}

static void forever(struct core_thread *td)
{
	(void)td;
	ran++;
	woke_by_wakeup += core_wait(&chan, -1, 1, "a wakeup (%d)", 7) == 0;
	core_wait(&chan, -1, 1, "a wakeup that never comes");
}

int main(void)
{
	struct core_platform plat = { .ncpus = 1, .cpu_flops = 1e9 };
	struct core_thread *t;
	enum core_stop stop;
	int n = 0;

	core_init(&plat);
	core_set_progress(work_done, 0.5, on_gap);
	core_chan_init(&chan, "testchan");
	core_spawn("timed", CORE_PROC, 0, timed_sleeper, NULL);
	core_spawn("waker", CORE_KTHREAD, 0, waker, NULL);
	core_spawn("p1", CORE_PROC, 0, forever, NULL);
	core_spawn("p2", CORE_PROC, 0, forever, NULL);
	core_chan_init(&pchan, "pchan");
	t = core_spawn("pd", CORE_KTHREAD, 0, pages_sleeper, NULL);
	t->role = CORE_ROLE_PAGEDAEMON;
	CHECK(core_threads()->role == CORE_ROLE_PAGEDAEMON &&
	    core_threads()->next_all->role == CORE_ROLE_USER &&
	    strcmp(core_role_name(CORE_ROLE_PAGEDAEMON), "pagedaemon") == 0,
	    "a process is a user thread by default; a spawner names a role");

	stop = core_run_until(0.1);
	CHECK(t->chan == &pchan && strcmp(t->wmesg, "VMWait") == 0 &&
	    t->need.kind == CORE_NEED_PAGES && t->need.count == 26 &&
	    t->memwait && t->timed,
	    "a sleep records its need as data, under its own wmesg");
	CHECK(strcmp(core_need_text(t), "test_alloc: page 7 of 32 at SYSTEM; "
	    "free 4, floor 35") == 0, "... and puts it in words on demand "
	    "(\"%s\")", core_need_text(t));
	stop = core_run_until(0.3);
	CHECK(t->chan == NULL && t->spinning && t->memwait &&
	    t->need.kind == CORE_NEED_ZONE && !spun,
	    "a spinning thread counts as waiting for what it retries");

	stop = core_run_until(0.75);
	CHECK(spun && !t->spinning, "the spin ends when its time has passed");
	CHECK(stop == CORE_RUNNING && woke_by_timer == 1,
	    "a timed wait times out and says so");
	CHECK(chan.nwaiters == 2, "two threads still on the channel");
	for (t = core_threads(); t != NULL; t = t->next_all)
		if (t->chan == &chan && strcmp(core_need_text(t), "a wakeup (7)") == 0)
			n++;
	CHECK(n == 2, "each sleeper records what would wake it");

	stop = core_run_until(100);
	CHECK(woke_by_wakeup == 2, "core_wakeup wakes every sleeper");
	CHECK(core_last_progress() == 1.0, "progress is dated to the instant "
	    "it happened, t=1 (%g)", core_last_progress());
	CHECK(gap_start == 0 && gap_end == 1.0 && core_longest_gap() == 1.0,
	    "a gap without progress longer than the minimum is reported with "
	    "its start and end (%g..%g)", gap_start, gap_end);
	CHECK(stop == CORE_HARD_DEADLOCK,
	    "every user thread blocked without a timer is a hard deadlock");
	CHECK(core_blocked_since() == 1.0, "the deadlock began at t=1, when "
	    "the last thread went to sleep (%g)", core_blocked_since());
	n = 0;
	for (t = core_threads(); t != NULL; t = t->next_all)
		if (t->chan == &chan && t->memwait)
			n++;
	CHECK(n == 2, "the deadlocked threads still say where they wait");
	return CHECK_DONE();
}
