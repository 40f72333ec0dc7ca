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

static void waker(struct core_thread *td)
{
	(void)td;
	core_sleep(1.0);
	core_wakeup(&chan);
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
	struct core_platform plat = { .ncpus = 1, .cpu_flops = 1e9,
	    .swap_read_bw = 1e8, .swap_write_bw = 1e8, .file_read_bw = 1e8 };
	struct core_thread *t;
	enum core_stop stop;
	int n = 0;

	core_init(&plat);
	core_chan_init(&chan, "testchan");
	core_spawn("timed", CORE_PROC, 0, timed_sleeper, NULL);
	core_spawn("waker", CORE_KTHREAD, 0, waker, NULL);
	core_spawn("p1", CORE_PROC, 0, forever, NULL);
	core_spawn("p2", CORE_PROC, 0, forever, NULL);

	stop = core_run_until(0.75);
	CHECK(stop == CORE_RUNNING && woke_by_timer == 1,
	    "a timed wait times out and says so");
	CHECK(chan.nwaiters == 2, "two threads still on the channel");
	for (t = core_threads(); t != NULL; t = t->next_all)
		if (t->chan == &chan && strcmp(t->need, "a wakeup (7)") == 0)
			n++;
	CHECK(n == 2, "each sleeper records what would wake it");

	stop = core_run_until(100);
	CHECK(woke_by_wakeup == 2, "core_wakeup wakes every sleeper");
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
