/*
 * blkdev: request queues, and the device that serves them computed in
 * plain C.  See blkdev.h.
 *
 * The state (struct blkdev_state) changes only at events: a latency
 * ends, or a request completes and its slot goes to the oldest waiting
 * request.  An arrival takes a free slot in its latency, which moves no
 * bytes, so it changes no rate: between two events every transfer moves
 * at a constant rate.  The real state is stepped from event to event up
 * to the present (advance()); a copy of it is stepped the same way to
 * find when a request will complete if nothing more comes (project()).
 * Both run the same arithmetic from the same state, so a projection that
 * no arrival upsets is the completion to the last bit.
 */
#include "blkdev.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "choice.h"
#include "vm_model.h"

/*
 * Events this close to the present are due now: an engine timer set for
 * a projected instant may fire an ulp early, and SimGrid treats shorter
 * sleeps than its timing precision (1e-9 s) as already over.
 */
#define BLKDEV_EPS 1e-8

struct blkdev swapdev, filedev;

/*
 * Max-min fair rates of the transfers in flight: `nr` reads and `nw`
 * writes, each read bounded by the read bandwidth shared among reads,
 * each write likewise, and all of them by the shared bandwidth.  Rates
 * rise together until a limit is full; the transfers it binds keep that
 * rate and the others share what the shared limit has left.
 */
static void share(const struct blkdev *d, int nr, int nw, double *xr,
    double *xw)
{
	double lr = nr > 0 ? d->rbw / nr : INFINITY;
	double lw = nw > 0 ? d->wbw / nw : INFINITY;
	double lg = d->rwbw / (nr + nw);

	if (lg <= lr && lg <= lw) {
		*xr = *xw = lg;
	} else if (lr <= lw) {
		*xr = lr;
		*xw = fmin(d->wbw, d->rwbw - d->rbw) / nw;
	} else {
		*xw = lw;
		*xr = fmin(d->rbw, d->rwbw - d->wbw) / nr;
	}
}

/* When s's next event happens (INFINITY: idle), which slot, the rates. */
static double next_event(const struct blkdev *d, const struct blkdev_state *s,
    double *rate, int *which)
{
	double xr = 0, xw = 0, te = INFINITY, e;
	int i, nr = 0, nw = 0;

	for (i = 0; i < d->depth; i++) {
		const struct blkdev_slot *sl = &s->slot[i];

		if (sl->bio != NULL && sl->xfer) {
			nw += sl->bio->write != 0;
			nr += sl->bio->write == 0;
		}
	}
	if (nr + nw > 0)
		share(d, nr, nw, &xr, &xw);
	for (i = 0; i < d->depth; i++) {
		const struct blkdev_slot *sl = &s->slot[i];

		rate[i] = 0;
		if (sl->bio == NULL)
			continue;
		if (sl->xfer) {
			rate[i] = sl->bio->write ? xw : xr;
			e = s->t + sl->left / rate[i];
		} else {
			e = sl->lat_end;
		}
		if (e < te) {
			te = e;
			*which = i;
		}
	}
	return te;
}

/*
 * Move s to its next event at `te` and take it: a latency ends and the
 * transfer starts, or a request completes (returned) and its slot goes
 * to the oldest waiting request, which starts its latency.
 */
static struct bio *take_event(const struct blkdev *d, struct blkdev_state *s,
    double te, int which, const double *rate)
{
	struct blkdev_slot *sl = &s->slot[which];
	double dt = te > s->t ? te - s->t : 0;
	struct bio *done;
	int i;

	for (i = 0; i < d->depth; i++) {
		struct blkdev_slot *o = &s->slot[i];

		if (o->bio != NULL && o->xfer && i != which) {
			o->left -= rate[i] * dt;
			if (o->left < 0)
				o->left = 0;
		}
	}
	if (te > s->t)
		s->t = te;
	if (!sl->xfer) {
		sl->xfer = 1;
		sl->left = (double)sl->bio->npages * PAGE_SIZE;
		return NULL;
	}
	done = sl->bio;
	sl->bio = s->head;
	sl->xfer = 0;
	sl->left = 0;
	if (s->head != NULL) {
		s->head = s->head->next;
		sl->lat_end = te + d->latency;
	}
	return done;
}

/* Take every event due by `now`: completions are recorded here. */
static void advance(struct blkdev *d, double now)
{
	double rate[BLKDEV_MAXDEPTH], te;
	struct bio *b, *head;
	int which = 0;

	for (;;) {
		te = next_event(d, &d->st, rate, &which);
		if (te > now + BLKDEV_EPS)
			return;
		head = d->st.head;
		b = take_event(d, &d->st, te, which, rate);
		if (b == NULL)
			continue;
		if (d->st.head != head) {
			d->queued--;
			if (d->st.head == NULL)
				d->tail = NULL;
		} else {
			d->inflight--;
		}
		vm_cnt.ios_done++;
		b->complete = 1;
		if (b->done == NULL) {
			/* its reader's timer is set for this instant */
			assert(b->wake_at <= te + BLKDEV_EPS);
			continue;
		}
		/* the device thread's timer is set for now or before */
		assert(d->td_wake <= te + BLKDEV_EPS);
		d->nasync--;
		b->next = NULL;
		if (d->done_tail != NULL)
			d->done_tail->next = b;
		else
			d->done_head = b;
		d->done_tail = b;
	}
}

/*
 * When `want` completes if nothing more comes; want NULL: the first
 * asynchronous request to complete.  INFINITY when none is in the queue.
 */
static double project(const struct blkdev *d, const struct bio *want)
{
	struct blkdev_state s = d->st;
	double rate[BLKDEV_MAXDEPTH], te;
	struct bio *b;
	int which = 0;

	for (;;) {
		te = next_event(d, &s, rate, &which);
		if (te == INFINITY)
			return INFINITY;
		b = take_event(d, &s, te, which, rate);
		if (b != NULL && (want != NULL ? b == want : b->done != NULL))
			return te;
	}
}

/* The device thread: biodone of asynchronous requests, when they end. */
static void blkdev_thread(struct core_thread *td)
{
	static const struct core_need idle = { .kind = CORE_NEED_WORK,
	    .what = "I/O request" };
	struct blkdev *d = td->arg;
	struct core_need need;
	struct bio *b;
	double next, now;

	for (;;) {
		advance(d, core_now());
		while ((b = d->done_head) != NULL) {
			d->done_head = b->next;
			if (d->done_head == NULL)
				d->done_tail = NULL;
			b->done(b);
		}
		now = core_now();
		next = d->nasync > 0 ? project(d, NULL) : INFINITY;
		d->td_wake = next;
		if (next == INFINITY) {
			core_wait_need(&d->chan, NULL, -1, &idle);
		} else {
			memset(&need, 0, sizeof(need));
			need.kind = CORE_NEED_IO;
			need.what = d->wwhat;
			core_wait_need(&d->chan, NULL, next - now, &need);
		}
		d->td_wake = -1;
	}
}

void blkdev_init(struct blkdev *d, const char *name, enum core_role role,
    int depth, double latency, double read_bw, double write_bw)
{
	char buf[48];

	assert(depth >= 1 && depth <= BLKDEV_MAXDEPTH);
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->rwhat = role == CORE_ROLE_SWAPIO ? "swapdev read" : "filedev read";
	d->wwhat = role == CORE_ROLE_SWAPIO ? "swapdev write" :
	    "filedev write";
	d->depth = depth;
	d->latency = latency;
	d->rbw = read_bw;
	d->wbw = write_bw;
	d->rwbw = fmax(read_bw, write_bw);
	d->td_wake = -1;
	core_chan_init(&d->chan, "bioq");
	snprintf(buf, sizeof(buf), "%s", name);
	d->td = core_spawn(buf, CORE_KTHREAD, 0, blkdev_thread, d);
	d->td->role = role;
}

/*
 * A newcomer put ahead of waiting requests changes which of them is in
 * flight with the requests in service, and a read sharing the device
 * with a write instead of another read moves faster (share()), as does
 * a write beside a read: so a request may now complete before its
 * waiter's timer.  Wake each such waiter (a reader, or the device thread
 * for the asynchronous ones) to set its timer again from the new order.
 */
static void rewake_waiters(struct blkdev *d)
{
	struct bio *b;
	int i;

	if (d->td_wake >= 0 && d->nasync > 0 &&
	    project(d, NULL) < d->td_wake - BLKDEV_EPS) {
		d->td_wake = -1;
		core_wakeup_one(&d->chan);
	}

	for (i = 0; i < d->depth; i++) {
		b = d->st.slot[i].bio;
		if (b != NULL && b->done == NULL && b->waiter != NULL &&
		    project(d, b) < b->wake_at - BLKDEV_EPS)
			core_wakeup_one(b->waiter);
	}
	for (b = d->st.head; b != NULL; b = b->next)
		if (b->done == NULL && b->waiter != NULL &&
		    project(d, b) < b->wake_at - BLKDEV_EPS)
			core_wakeup_one(b->waiter);
}

/*
 * Put a request in the wait queue.  Which of the waiting requests the
 * device serves first is a choice point (CHOICE_STREAM_IODONE), met
 * when a request joins others already waiting: option 0 is the tail,
 * the model's FIFO order; option k puts it ahead of the k requests that
 * came last.  Only the newcomer moves forward, so each request already
 * waiting is served later than it was projected, as when a later
 * request shares the bandwidth; but the requests in flight beside it
 * may end sooner (rewake_waiters()).
 */
static void queue(struct blkdev *d, struct bio *bio)
{
	struct bio **pp = &d->st.head;
	uint32_t k = 0;
	int skip;

	if (d->queued > 0)
		k = choice_tie(CHOICE_STREAM_IODONE, (uint32_t)d->queued + 1);
	for (skip = d->queued - (int)k; skip > 0; skip--)
		pp = &(*pp)->next;
	bio->next = *pp;
	*pp = bio;
	if (bio->next == NULL)
		d->tail = bio;
	d->queued++;
	if (k > 0)
		rewake_waiters(d);
}

void blkdev_strategy(struct blkdev *d, struct bio *bio)
{
	int i;

	advance(d, core_now());
	bio->next = NULL;
	bio->complete = 0;
	bio->wake_at = core_now();	/* its issuer runs now */
	for (i = 0; d->st.head == NULL && i < d->depth; i++)
		if (d->st.slot[i].bio == NULL)
			break;
	if (d->st.head == NULL && i < d->depth) {
		d->st.slot[i].bio = bio;
		d->st.slot[i].xfer = 0;
		d->st.slot[i].lat_end = core_now() + d->latency;
		d->inflight++;
	} else {
		queue(d, bio);
	}
	if (bio->done == NULL)
		return;
	d->nasync++;
	/* the device thread sleeps past this one's completion: wake it */
	if (d->td_wake >= 0 && project(d, NULL) < d->td_wake - BLKDEV_EPS) {
		d->td_wake = -1;
		core_wakeup_one(&d->chan);
	}
}

void blkdev_read_pages(struct blkdev *d, uint32_t object, uint32_t pindex,
    const uint32_t *pages, int n, const char *wmesg)
{
	struct core_need need = { .kind = CORE_NEED_IO, .what = d->rwhat,
	    .object = object, .index = pindex };
	struct core_chan ch;
	struct bio bio;
	double now;

	assert(n >= 1 && n <= BIO_MAXPAGES);
	memset(&bio, 0, sizeof(bio));
	core_chan_init(&ch, wmesg);
	bio.object = object;
	bio.pindex = pindex;
	bio.npages = n;
	memcpy(bio.pages, pages, sizeof(pages[0]) * (size_t)n);
	bio.waiter = &ch;
	blkdev_strategy(d, &bio);
	for (;;) {
		now = core_now();
		advance(d, now);
		if (bio.complete)
			return;
		/* nothing wakes it early: later requests only delay it */
		bio.wake_at = project(d, &bio);
		assert(bio.wake_at > now + BLKDEV_EPS);
		core_wait_need(&ch, NULL, bio.wake_at - now, &need);
	}
}

void blkdev_read_page(struct blkdev *d, uint32_t object, uint32_t pindex,
    uint32_t pg, const char *wmesg)
{
	blkdev_read_pages(d, object, pindex, &pg, 1, wmesg);
}
