/*
 * test_result: a result survives the pipe from child to parent intact,
 * and a stream that ends early (the child died) or carries garbage is
 * refused with the result left empty and freeable.
 *
 * CHECK() evaluates its condition twice, so calls happen outside it.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "result.h"

static void fill(struct result *r, int nsamples)
{
	struct wait_row w;
	struct sample_row s;
	struct event_row e;
	int i;

	result_init(r);
	strcpy(r->row.scenario, "swap-storm");
	strcpy(r->row.scenario_sha256, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	strcpy(r->row.allocator, "reserve_kmalloc_obj");
	r->row.reserve_n = 4;
	r->row.seed = UINT64_C(0xdeadbeefcafef00d);
	strcpy(r->row.params, "{\"mem\":\"512M\",\"procs\":8}");
	r->row.outcome = OUTCOME_DEADLOCK;
	strcpy(r->row.deadlock_kind, "hard");
	strcpy(r->row.message, "pagedaemon waits on swblk, swblk waits on "
	    "free pages");
	r->row.end_time = 12.5;
	r->row.deadlock_time = 11.25;
	r->row.min_free_pages = -3;
	r->row.pageouts = 123456789012LL;
	r->row.swapmeta_alloc_failures = 17;
	r->row.kva_peak = INT64_MAX;
	r->row.sg_calls = UINT64_MAX;
	r->row.wall_seconds = 0.125;
	strcpy(r->row.digest, "0123456789abcdef");

	for (i = 0; i < 3; i++) {
		memset(&w, 0, sizeof(w));
		snprintf(w.thread, sizeof(w.thread), "proc%d", i);
		strcpy(w.channel, i == 0 ? "vmwait" : "swblk");
		w.since = 10.0 + i;
		snprintf(w.detail, sizeof(w.detail), "needs %d pages", i + 1);
		result_add_wait(r, &w);
	}
	for (i = 0; i < nsamples; i++) {
		memset(&s, 0, sizeof(s));
		s.t = i * 0.01;
		s.free = 1000 - i;
		s.swap_used = (int64_t)i * 3;
		s.reserve_level = -1;
		result_add_sample(r, &s);
	}
	for (i = 0; i < 5; i++) {
		memset(&e, 0, sizeof(e));
		e.t = 11.0 + i / 8.0;
		snprintf(e.kind, sizeof(e.kind), "kind%d", i);
		strcpy(e.thread, "pagedaemon");
		snprintf(e.detail, sizeof(e.detail), "event %d", i);
		result_add_event(r, &e);
	}
	result_add_counter(r, "v_free_count", 12);
	result_add_counter(r, "swapmeta_free", 0);
	result_add_counter(r, "pbuf_free", -1);
}

/* Field by field, so a failure says what broke. */
static void compare(const struct result *a, const struct result *b,
    const char *how)
{
	const struct run_row *x = &a->row, *y = &b->row;
	int i, same;

	CHECK(strcmp(x->scenario, y->scenario) == 0 &&
	    strcmp(x->scenario_sha256, y->scenario_sha256) == 0 &&
	    strcmp(x->allocator, y->allocator) == 0 &&
	    strcmp(x->params, y->params) == 0 &&
	    strcmp(x->deadlock_kind, y->deadlock_kind) == 0 &&
	    strcmp(x->message, y->message) == 0 &&
	    strcmp(x->digest, y->digest) == 0,
	    "%s: run row strings", how);
	CHECK(x->reserve_n == y->reserve_n && x->seed == y->seed &&
	    x->outcome == y->outcome && x->end_time == y->end_time &&
	    x->deadlock_time == y->deadlock_time &&
	    x->min_free_pages == y->min_free_pages &&
	    x->pageouts == y->pageouts &&
	    x->swapmeta_alloc_failures == y->swapmeta_alloc_failures &&
	    x->reserve_min_level == y->reserve_min_level &&
	    x->kva_peak == y->kva_peak && x->sg_calls == y->sg_calls &&
	    x->wall_seconds == y->wall_seconds,
	    "%s: run row numbers", how);
	CHECK(memcmp(x, y, sizeof(*x)) == 0, "%s: run row bytes", how);

	same = a->nwaits == b->nwaits;
	for (i = 0; same && i < a->nwaits; i++)
		same = strcmp(a->waits[i].thread, b->waits[i].thread) == 0 &&
		    strcmp(a->waits[i].channel, b->waits[i].channel) == 0 &&
		    strcmp(a->waits[i].detail, b->waits[i].detail) == 0 &&
		    a->waits[i].since == b->waits[i].since;
	CHECK(same, "%s: %d waits", how, a->nwaits);

	same = a->nsamples == b->nsamples;
	for (i = 0; same && i < a->nsamples; i++)
		same = a->samples[i].t == b->samples[i].t &&
		    a->samples[i].free == b->samples[i].free &&
		    a->samples[i].swap_used == b->samples[i].swap_used &&
		    a->samples[i].reserve_level == b->samples[i].reserve_level;
	CHECK(same, "%s: %d samples", how, a->nsamples);

	same = a->nevents == b->nevents;
	for (i = 0; same && i < a->nevents; i++)
		same = a->events[i].t == b->events[i].t &&
		    strcmp(a->events[i].kind, b->events[i].kind) == 0 &&
		    strcmp(a->events[i].thread, b->events[i].thread) == 0 &&
		    strcmp(a->events[i].detail, b->events[i].detail) == 0;
	CHECK(same, "%s: %d events", how, a->nevents);

	same = a->ncounters == b->ncounters;
	for (i = 0; same && i < a->ncounters; i++)
		same = strcmp(a->counters[i].name, b->counters[i].name) == 0 &&
		    a->counters[i].value == b->counters[i].value;
	CHECK(same, "%s: %d counters", how, a->ncounters);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A forked writer, as in memsim: it may block on a full pipe, so the
 * reader must be another process.  Returns the read end.
 */
static int child_writes(const struct result *r, int delay_ms, pid_t *pid)
{
	struct timespec ts = { 0, delay_ms * 1000000L };
	int fd[2];

	if (pipe(fd) != 0)
		abort();
	*pid = fork();
	if (*pid < 0)
		abort();
	if (*pid == 0) {
		close(fd[0]);
		if (delay_ms > 0)
			nanosleep(&ts, NULL);
		_exit(result_write(fd[1], r) == 0 ? 0 : 1);
	}
	close(fd[1]);
	return fd[0];
}

/* The same for raw bytes, to send streams that end early. */
static int child_sends(const void *buf, size_t len, pid_t *pid)
{
	const char *p = buf;
	ssize_t n;
	int fd[2];

	if (pipe(fd) != 0)
		abort();
	*pid = fork();
	if (*pid < 0)
		abort();
	if (*pid == 0) {
		close(fd[0]);
		while (len > 0) {
			n = write(fd[1], p, len);
			if (n <= 0)
				_exit(1);
			p += n;
			len -= (size_t)n;
		}
		_exit(0);
	}
	close(fd[1]);
	return fd[0];
}

static int empty(const struct result *r)
{
	return r->waits == NULL && r->samples == NULL && r->events == NULL &&
	    r->counters == NULL && r->nwaits == 0 && r->nsamples == 0 &&
	    r->nevents == 0 && r->ncounters == 0;
}

static void roundtrip(int nsamples)
{
	struct result a, b;
	struct sample_row s;
	pid_t pid;
	int fd, rc, wrc;

	fill(&a, nsamples);
	fd = child_writes(&a, 0, &pid);
	rc = result_read(fd, &b);
	close(fd);
	wrc = wait_child(pid);
	CHECK(rc == 0, "round trip with %d samples: result_read succeeds",
	    nsamples);
	CHECK(wrc == 0, "round trip with %d samples: "
	    "result_write succeeds", nsamples);
	if (rc == 0)
		compare(&a, &b, nsamples > 1000 ? "large round trip" :
		    "round trip");

	/* A read result keeps growing like one built by result_add_*(). */
	memset(&s, 0, sizeof(s));
	s.t = -1;
	result_add_sample(&b, &s);
	CHECK(b.nsamples == nsamples + 1 && b.samples[nsamples].t == -1,
	    "a read result takes more samples (%d)", nsamples);
	result_free(&a);
	result_free(&b);
}

/* The whole stream as bytes, read back from a child. */
static char *stream_of(const struct result *r, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	pid_t pid;
	ssize_t n;
	int fd;

	fd = child_writes(r, 0, &pid);
	*len = 0;
	while ((n = read(fd, buf + *len, cap - *len)) > 0) {
		*len += (size_t)n;
		if (*len == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	wait_child(pid);
	return buf;
}

static int read_bytes(const void *buf, size_t len, struct result *r)
{
	pid_t pid;
	int fd, rc;

	fd = child_sends(buf, len, &pid);
	rc = result_read(fd, r);
	close(fd);
	wait_child(pid);
	return rc;
}

static void truncated(void)
{
	struct result a, b;
	size_t len, cut[6], i;
	char *buf;
	int rc;

	fill(&a, 40);
	buf = stream_of(&a, &len);
	CHECK(len == sizeof(struct run_row) + 4 * sizeof(uint32_t) +
	    3 * sizeof(struct wait_row) + 40 * sizeof(struct sample_row) +
	    5 * sizeof(struct event_row) + 3 * sizeof(struct counter_row),
	    "the stream is the row, four counts and the records (%zu bytes)",
	    len);
	rc = read_bytes(buf, len, &b);
	CHECK(rc == 0, "the captured stream reads back");
	result_free(&b);

	memset(&b, 0xa5, sizeof(b));
	rc = read_bytes(buf, 0, &b);
	CHECK(rc == 1 && empty(&b),
	    "a stream that ends before a result begins is the end (1), "
	    "result empty");
	result_free(&b);
	cut[0] = 1;				/* one byte of the row */
	cut[1] = len / 2;			/* in the samples */
	cut[2] = sizeof(struct run_row) - 1;	/* inside the row */
	cut[3] = sizeof(struct run_row);	/* before the first count */
	cut[4] = sizeof(struct run_row) + 2;	/* inside a count */
	cut[5] = len - 1;			/* one byte short */
	for (i = 0; i < 6; i++) {
		memset(&b, 0xa5, sizeof(b));	/* result_read must not care */
		rc = read_bytes(buf, cut[i], &b);
		CHECK(rc == -1 && empty(&b),
		    "a stream cut at %zu of %zu bytes is refused, result empty",
		    cut[i], len);
		result_free(&b);
	}
	free(buf);
	result_free(&a);
}

/* A row of 'A's (no NUL anywhere) followed by the given counts. */
static size_t garbage_stream(char *buf, const uint32_t *counts, int n)
{
	size_t len = sizeof(struct run_row);
	int i;

	memset(buf, 'A', len);
	for (i = 0; i < n; i++, len += sizeof(uint32_t))
		memcpy(buf + len, &counts[i], sizeof(uint32_t));
	return len;
}

static void garbage(void)
{
	static const uint32_t huge[] = { UINT32_MAX };
	static const uint32_t over[] = { 10000001 };
	static const uint32_t promised[] = { 9000000 };
	static const uint32_t none[] = { 0, 0, 0, 0 };
	char buf[sizeof(struct run_row) + 4 * sizeof(uint32_t)];
	struct result r;
	size_t len;
	int rc;

	len = garbage_stream(buf, huge, 1);
	rc = read_bytes(buf, len, &r);
	CHECK(rc == -1 && empty(&r), "a count of 2^32-1 waits is refused");
	result_free(&r);

	len = garbage_stream(buf, over, 1);
	rc = read_bytes(buf, len, &r);
	CHECK(rc == -1 && empty(&r), "a count over ten million is refused");
	result_free(&r);

	/* Plausible count, no records: fails without a huge allocation. */
	len = garbage_stream(buf, promised, 1);
	rc = read_bytes(buf, len, &r);
	CHECK(rc == -1 && empty(&r), "nine million promised waits, none sent");
	result_free(&r);

	len = garbage_stream(buf, none, 4);
	rc = read_bytes(buf, len, &r);
	CHECK(rc == 0 && strlen(r.row.scenario) == CFG_NAME_LEN - 1 &&
	    strlen(r.row.message) == RES_MSG_LEN - 1 &&
	    strlen(r.row.digest) == 16,
	    "unterminated strings from the wire are terminated");
	result_free(&r);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A signal without SA_RESTART makes the blocked read(2) fail with EINTR;
 * the read loop must carry on, not report a dead child.
 */
static void interrupted(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa, old;
	struct result a, b;
	pid_t pid;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, &old);

	fill(&a, 2000);
	fd = child_writes(&a, 200, &pid);
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	rc = result_read(fd, &b);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	close(fd);
	wait_child(pid);
	CHECK(alarms > 0 && rc == 0, "result_read rides out EINTR "
	    "(%d signals)", (int)alarms);
	if (rc == 0)
		compare(&a, &b, "interrupted read");
	result_free(&a);
	result_free(&b);
}

/* The reader went away: the writer gets EPIPE and says so. */
static void reader_gone(void)
{
	struct result a;
	int fd[2], rc;

	signal(SIGPIPE, SIG_IGN);
	fill(&a, 10);
	if (pipe(fd) != 0)
		abort();
	close(fd[0]);
	rc = result_write(fd[1], &a);
	CHECK(rc == -1, "result_write to a closed pipe "
	    "fails");
	close(fd[1]);
	result_free(&a);
}

static void names(void)
{
	CHECK(strcmp(outcome_name(OUTCOME_COMPLETED), "completed") == 0 &&
	    strcmp(outcome_name(OUTCOME_SURVIVED), "survived") == 0 &&
	    strcmp(outcome_name(OUTCOME_DEADLOCK), "deadlock") == 0 &&
	    strcmp(outcome_name(OUTCOME_PANIC), "panic") == 0 &&
	    strcmp(outcome_name(OUTCOME_ERROR), "error") == 0,
	    "outcome names");
	CHECK(strcmp(outcome_name(-1), "unknown") == 0 &&
	    strcmp(outcome_name(OUTCOME_ERROR + 1), "unknown") == 0,
	    "an out-of-range outcome is \"unknown\"");
}

static void init_free(void)
{
	struct result r;

	result_init(&r);
	CHECK(empty(&r) && r.row.reserve_n == -1 && r.row.deadlock_time < 0 &&
	    r.row.reserve_min_level == -1, "result_init: empty, n/a fields -1");
	result_free(&r);
	result_free(&r);
	result_free(NULL);
	CHECK(empty(&r), "result_free twice and on NULL is harmless");
}

int main(void)
{
	names();
	init_free();
	roundtrip(40);
	roundtrip(0);
	roundtrip(5000);
	truncated();
	garbage();
	interrupted();
	reader_gone();
	return CHECK_DONE();
}
