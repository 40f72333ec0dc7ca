/*
 * test_blkdev: the device model's completion times against what FIFO
 * service, the latency and max-min bandwidth sharing give by hand, and
 * what a read costs in engine waits; the order of waiting requests as a
 * choice point, and the timers of the reads it speeds up.
 */
#include <math.h>
#include <string.h>

#include "blkdev.h"
#include "choice.h"
#include "engine.h"

#define PG 4096.0
#define MS 1e-3

static double done_at[8];
static unsigned long waits[8];
static double start_at[8];

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void reader(struct core_thread *td)
{
	int i = (int)(long)td->arg;
	unsigned long c0;

	if (start_at[i] > 0)
		core_sleep(start_at[i]);
	c0 = core_sg_calls;
	blkdev_read_page(&swapdev, 1, (uint32_t)i, (uint32_t)i, "swread");
	waits[i] = core_sg_calls - c0;
	done_at[i] = core_now();
}

static struct bio wbio;
static double wdone_at = -1;

static void write_done(struct bio *bio)
{
	(void)bio;
	wdone_at = core_now();
}

static void writer(struct core_thread *td)
{
	(void)td;
	memset(&wbio, 0, sizeof(wbio));
	wbio.write = 1;
	wbio.npages = (int)(long)td->arg;
	wbio.done = write_done;
	blkdev_strategy(&swapdev, &wbio);
}

/* Keeps the run going while the device threads (daemons) finish. */
static void bystander(struct core_thread *td)
{
	(void)td;
	core_sleep(20 * MS);
}

static void spawn_readers(int n)
{
	long i;

	core_spawn("bystander", CORE_PROC, 0, bystander, NULL);
	for (i = 0; i < n; i++)
		core_spawn("reader", CORE_PROC, 0, reader, (void *)i);
}

/*
 * One page alone, once the device thread is idle: the latency, then
 * 4 KiB at the read bandwidth, for one engine wait.
 */
static int alone(void *arg)
{
	(void)arg;
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1 * MS,
	    PG * 1000, PG * 1000);
	start_at[0] = 1 * MS;
	spawn_readers(1);
	core_run_until(1.0);
	CHECK(near(done_at[0], 3 * MS), "a read alone takes latency + "
	    "size / bandwidth (%.9f)", done_at[0]);
	CHECK(waits[0] == 1, "a read alone costs one engine wait (%lu)",
	    waits[0]);
	CHECK(swapdev.queued == 0 && swapdev.inflight == 0,
	    "the device is idle after it");
	return CHECK_DONE();
}

/* Five reads at once, depth 4: four share, the fifth waits for a slot. */
static int depth(void *arg)
{
	int i, ok = 1;

	(void)arg;
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1 * MS,
	    PG * 1000, PG * 1000);
	spawn_readers(5);
	core_run_until(1.0);
	for (i = 0; i < 4; i++)
		ok &= near(done_at[i], 5 * MS);
	CHECK(ok, "four overlapping reads share the bandwidth: all end at "
	    "1 + 4 ms (%.9f)", done_at[0]);
	CHECK(near(done_at[4], 7 * MS), "the fifth starts when a slot frees, "
	    "in FIFO order (%.9f)", done_at[4]);
	return CHECK_DONE();
}

/*
 * A read and a 4-page write together: read 2 pages/ms, write 1 page/ms,
 * both 2 pages/ms together.  Both move at 1 page/ms (the write limit and
 * the shared one fill at once); when the read is done the write goes on
 * alone at its own limit.  biodone runs at the write's completion.
 */
static int mixed(void *arg)
{
	(void)arg;
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1 * MS,
	    2 * PG * 1000, PG * 1000);
	core_spawn("writer", CORE_KTHREAD, 0, writer, (void *)4L);
	spawn_readers(1);
	core_run_until(1.0);
	CHECK(near(done_at[0], 2 * MS), "the read shares max-min with the "
	    "write (%.9f)", done_at[0]);
	CHECK(near(wdone_at, 5 * MS), "the write finishes alone at its own "
	    "bandwidth and biodone runs then (%.9f)", wdone_at);
	CHECK(swapdev.nasync == 0 && swapdev.done_head == NULL,
	    "nothing is left to complete");
	return CHECK_DONE();
}

/*
 * A read that comes 0.5 ms after another one: the first moves alone
 * from 1 to 1.5 ms (half its page), then both share; the first is
 * delayed to 2.5 ms (it wakes at 2 ms and sleeps again for the rest),
 * the second ends at 3 ms.
 */
static int delayed(void *arg)
{
	(void)arg;
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 4, 1 * MS,
	    PG * 1000, PG * 1000);
	start_at[1] = 0.5 * MS;
	spawn_readers(2);
	core_run_until(1.0);
	CHECK(near(done_at[0], 2.5 * MS), "a later overlapping read delays "
	    "an earlier one (%.9f)", done_at[0]);
	CHECK(near(done_at[1], 3 * MS), "the later one ends at 3 ms (%.9f)",
	    done_at[1]);
	return CHECK_DONE();
}

/*
 * Depth 1, three reads at once: the first is served (done at 2 ms), the
 * other two wait.  When the third joins the second, which of them the
 * device serves next is a choice point: FIFO by default (second at
 * 4 ms, third at 6 ms); an override lets the third go first; a value
 * past the range is clamped to the last option.  Either way every read
 * completes and the device ends idle.
 */
static int reorder(void *arg)
{
	const char *text = arg;
	struct choice_seq seq;
	char err[128];
	int swapped = text[0] != '\0';

	if (choice_seq_parse(text, &seq, err, sizeof(err)) != 0)
		return 1;
	choice_begin(&seq);
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 1, 1 * MS,
	    PG * 1000, PG * 1000);
	spawn_readers(3);
	core_run_until(1.0);
	CHECK(near(done_at[0], 2 * MS), "the first read is served at once "
	    "(%.9f)", done_at[0]);
	CHECK(near(done_at[1], swapped ? 6 * MS : 4 * MS) &&
	    near(done_at[2], swapped ? 4 * MS : 6 * MS),
	    "%s: the waiting reads end at %.9f and %.9f", swapped ?
	    "the override serves the newcomer first" : "FIFO by default",
	    done_at[1], done_at[2]);
	CHECK(choice_count() == 1, "one choice point, at the second waiter "
	    "(%llu)", (unsigned long long)choice_count());
	CHECK(swapdev.queued == 0 && swapdev.inflight == 0 &&
	    swapdev.st.head == NULL && swapdev.tail == NULL,
	    "the device is idle after them");
	return CHECK_DONE();
}

/*
 * The override must keep every waiter's timer right when it changes
 * which requests share the device.  Depth 3, read 4 pages/ms, write
 * 1 page/ms: a 8-page write W0 and a 16-page read R0 at 0, an 8-page
 * read R1 at 0.5 ms, a 4-page read R2 at 0.51 ms (queued), a 4-page
 * write W3 at 6.5 ms, which the choice point puts after R2 (FIFO) or
 * before it.  R1 ends at 41/6 ms either way and a waiting request takes
 * its slot (1 ms of latency).  With R2 there R0 shares with another
 * read, at 1.5 pages/ms, then 2 once W0 ends at 9 ms: R0 ends at
 * 79/8 ms.  With W3 there (2 writes, 1 read) R0 moves at 3 pages/ms
 * and ends at 9 ms, before the timer it set when it last woke, with R2
 * still the next in line: it must be woken and end then.
 */
static struct bio mbio[2];

static void mwrite(struct core_thread *td)
{
	long i = (long)td->arg;

	if (i == 1)
		core_sleep(6.5 * MS);
	memset(&mbio[i], 0, sizeof(mbio[i]));
	mbio[i].write = 1;
	mbio[i].npages = i == 0 ? 8 : 4;
	mbio[i].done = write_done;
	blkdev_strategy(&swapdev, &mbio[i]);
}

static void mread(struct core_thread *td)
{
	static const double at[] = { 0, 0.5 * MS, 0.51 * MS };
	static const int npages[] = { 16, 8, 4 };
	uint32_t pg[BIO_MAXPAGES];
	int i = (int)(long)td->arg, k;

	if (at[i] > 0)
		core_sleep(at[i]);
	for (k = 0; k < npages[i]; k++)
		pg[k] = (uint32_t)(i * 64 + k);
	blkdev_read_pages(&swapdev, 1, (uint32_t)i * 64, pg, npages[i],
	    "swread");
	done_at[i] = core_now();
}

static int reorder_mixed(void *arg)
{
	const char *text = arg;
	struct choice_seq seq;
	char err[128];
	int ahead = text[0] != '\0';

	if (choice_seq_parse(text, &seq, err, sizeof(err)) != 0)
		return 1;
	choice_begin(&seq);
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 3, 1 * MS,
	    4 * PG * 1000, PG * 1000);
	core_spawn("bystander", CORE_PROC, 0, bystander, NULL);
	core_spawn("w0", CORE_KTHREAD, 0, mwrite, (void *)0L);
	core_spawn("r0", CORE_PROC, 0, mread, (void *)0L);
	core_spawn("r1", CORE_PROC, 0, mread, (void *)1L);
	core_spawn("r2", CORE_PROC, 0, mread, (void *)2L);
	core_spawn("w3", CORE_KTHREAD, 0, mwrite, (void *)1L);
	core_run_until(1.0);
	CHECK(near(done_at[1], 41.0 / 6 * MS), "R1 ends at 41/6 ms (%.9f)",
	    done_at[1]);
	CHECK(near(done_at[0], ahead ? 9 * MS : 79.0 / 8 * MS),
	    "%s: R0 ends at %.9f", ahead ? "W3 ahead of R2, R0 ends sooner "
	    "and its reader wakes then" : "FIFO, R0 shares with R2",
	    done_at[0]);
	CHECK(choice_count() == 1, "one choice point, W3 joining R2 (%llu)",
	    (unsigned long long)choice_count());
	CHECK(swapdev.queued == 0 && swapdev.inflight == 0 &&
	    swapdev.nasync == 0, "the device is idle after them");
	return CHECK_DONE();
}

/*
 * The same for the device thread's timer.  Depth 2: an 8-page read R0
 * and an 8-page write W1 at 0, a 16-page write W2 at 0 (queued), a
 * 16-page read R3 at 3 ms.  R0 ends at 11/3 ms; FIFO, W2 takes its slot
 * and W1 shares the write bandwidth with it (0.5 pages/ms): W1 ends at
 * 40/3 ms.  With R3 put ahead of W2, W1 shares with a read and keeps
 * 1 page/ms: its biodone runs at 9 ms, before the timer the device
 * thread set when W2 was the next in line.
 */
static struct bio abio[2];
static double adone_at[2];

static void adone(struct bio *bio)
{
	adone_at[(long)bio->arg] = core_now();
}

static void awrite(struct core_thread *td)
{
	long i = (long)td->arg;

	memset(&abio[i], 0, sizeof(abio[i]));
	abio[i].write = 1;
	abio[i].npages = i == 0 ? 8 : 16;
	abio[i].done = adone;
	abio[i].arg = (void *)i;
	blkdev_strategy(&swapdev, &abio[i]);
}

static void aread(struct core_thread *td)
{
	uint32_t pg[BIO_MAXPAGES];
	int i = (int)(long)td->arg, n = i == 0 ? 8 : 16, k;

	if (i == 1)
		core_sleep(3 * MS);
	for (k = 0; k < n; k++)
		pg[k] = (uint32_t)(i * 64 + k);
	blkdev_read_pages(&swapdev, 1, (uint32_t)i * 64, pg, n, "swread");
	done_at[i] = core_now();
}

/* W2 ends after 20 ms: keep the run going until 40. */
static void long_bystander(struct core_thread *td)
{
	(void)td;
	core_sleep(40 * MS);
}

static int reorder_async(void *arg)
{
	const char *text = arg;
	struct choice_seq seq;
	char err[128];
	int ahead = text[0] != '\0';

	if (choice_seq_parse(text, &seq, err, sizeof(err)) != 0)
		return 1;
	choice_begin(&seq);
	test_engine(1);
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, 2, 1 * MS,
	    4 * PG * 1000, PG * 1000);
	core_spawn("bystander", CORE_PROC, 0, long_bystander, NULL);
	core_spawn("r0", CORE_PROC, 0, aread, (void *)0L);
	core_spawn("w1", CORE_KTHREAD, 0, awrite, (void *)0L);
	core_spawn("w2", CORE_KTHREAD, 0, awrite, (void *)1L);
	core_spawn("r3", CORE_PROC, 0, aread, (void *)1L);
	core_run_until(1.0);
	CHECK(near(done_at[0], 11.0 / 3 * MS), "R0 ends at 11/3 ms (%.9f)",
	    done_at[0]);
	CHECK(near(adone_at[0], ahead ? 9 * MS : 40.0 / 3 * MS),
	    "%s: W1's biodone at %.9f", ahead ? "R3 ahead of W2, W1 ends "
	    "sooner and the device thread wakes then" : "FIFO, W1 shares "
	    "with W2", adone_at[0]);
	CHECK(swapdev.queued == 0 && swapdev.inflight == 0 &&
	    swapdev.nasync == 0, "the device is idle after them");
	return CHECK_DONE();
}

int main(void)
{
	CHECK(test_in_child(alone, NULL) == 0, "child: a read alone");
	CHECK(test_in_child(depth, NULL) == 0, "child: queue depth");
	CHECK(test_in_child(mixed, NULL) == 0, "child: read and write");
	CHECK(test_in_child(delayed, NULL) == 0, "child: a delayed read");
	CHECK(test_in_child(reorder, "") == 0, "child: FIFO order");
	CHECK(test_in_child(reorder, "11.0=0.9") == 0,
	    "child: a device-order override");
	CHECK(test_in_child(reorder, "11.0=7") == 0,
	    "child: an out-of-range device-order override");
	CHECK(test_in_child(reorder_mixed, "") == 0,
	    "child: mixed reads and writes, FIFO");
	CHECK(test_in_child(reorder_mixed, "11.0=1") == 0,
	    "child: a write put ahead speeds a read up");
	CHECK(test_in_child(reorder_async, "") == 0,
	    "child: writes behind a read, FIFO");
	CHECK(test_in_child(reorder_async, "11.0=1") == 0,
	    "child: a read put ahead speeds a write up");
	return CHECK_DONE();
}
