/*
 * result: what one run produced, and its trip from the forked child to
 * the parent.
 *
 * Wire format, host byte order (both ends are the same binary on the
 * same machine): the struct run_row bytes, then for waits, samples,
 * events and counters in that order a uint32_t count followed by that
 * many raw records.  A child that dies mid-write leaves a short stream,
 * which result_read() reports as -1 so the parent records the run as
 * lost instead of storing half a result.
 */
#include "result.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

/*
 * A count above this is garbage, not a run: refuse it rather than try.
 * Records are also read in chunks, so a plausible count on a stream
 * that then ends costs only what actually arrived.
 */
#define MAX_RECORDS	10000000u
#define READ_CHUNK	4096u

/* Smallest allocation of a non-empty array, in records. */
#define MIN_CAP		16

static const char *const outcome_names[] = {
	[OUTCOME_COMPLETED] = "completed",
	[OUTCOME_SURVIVED] = "survived",
	[OUTCOME_DEADLOCK] = "deadlock",
	[OUTCOME_PANIC] = "panic",
	[OUTCOME_ERROR] = "error",
};

const char *outcome_name(int outcome)
{
	if (outcome < 0 || (size_t)outcome >= sizeof(outcome_names) /
	    sizeof(outcome_names[0]))
		return "unknown";
	return outcome_names[outcome];
}

void result_init(struct result *r)
{
	/* Zero all of it, padding included: the row goes out as raw bytes. */
	memset(r, 0, sizeof(*r));
	/* The fields whose "nothing to report" is not zero (see result.h). */
	r->row.reserve_n = -1;
	r->row.deadlock_time = -1;
	r->row.reserve_refill_failures = -1;
	r->row.reserve_min_level = -1;
}

int result_label(struct run_row *row, const struct run_row *ident)
{
	if (row->scenario_sha256[0] != '\0')
		return 0;
	memcpy(row->scenario, ident->scenario, sizeof(row->scenario));
	memcpy(row->scenario_sha256, ident->scenario_sha256,
	    sizeof(row->scenario_sha256));
	memcpy(row->allocator, ident->allocator, sizeof(row->allocator));
	memcpy(row->params, ident->params, sizeof(row->params));
	memcpy(row->scenario_path, ident->scenario_path,
	    sizeof(row->scenario_path));
	row->reserve_n = ident->reserve_n;
	return 1;
}

void result_free(struct result *r)
{
	if (r == NULL)
		return;
	free(r->waits);
	free(r->samples);
	free(r->events);
	free(r->counters);
	r->waits = NULL;
	r->samples = NULL;
	r->events = NULL;
	r->counters = NULL;
	r->nwaits = r->nsamples = r->nevents = r->ncounters = 0;
}

/*
 * struct result has counts but no capacities, so the capacity is a
 * function of the count: 0, then MIN_CAP, doubling.  Every array holds
 * at least cap(n) records, which is all add() needs to know.
 */
static size_t cap(size_t n)
{
	size_t c = MIN_CAP;

	if (n == 0)
		return 0;
	while (c < n)
		c *= 2;
	return c;
}

/* Make room for record n (0-based) in an array of n records. */
static void *grow(void *a, int n, size_t size)
{
	assert(n >= 0 && n < INT_MAX);
	if (cap((size_t)n + 1) == cap((size_t)n))
		return a;
	return xrealloc(a, cap((size_t)n + 1) * size);
}

void result_add_wait(struct result *r, const struct wait_row *w)
{
	r->waits = grow(r->waits, r->nwaits, sizeof(*r->waits));
	r->waits[r->nwaits++] = *w;
}

void result_add_sample(struct result *r, const struct sample_row *s)
{
	r->samples = grow(r->samples, r->nsamples, sizeof(*r->samples));
	r->samples[r->nsamples++] = *s;
}

void result_add_event(struct result *r, const struct event_row *e)
{
	r->events = grow(r->events, r->nevents, sizeof(*r->events));
	r->events[r->nevents++] = *e;
}

void result_add_counter(struct result *r, const char *name, int64_t v)
{
	struct counter_row c;

	/* Counter names are constants in the model: a long one is a bug. */
	assert(strlen(name) < sizeof(c.name));
	memset(&c, 0, sizeof(c));
	strncpy(c.name, name, sizeof(c.name) - 1);
	c.value = v;
	r->counters = grow(r->counters, r->ncounters, sizeof(*r->counters));
	r->counters[r->ncounters++] = c;
}

/* write(2) until done: pipes take large writes in pieces. */
static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read(2) until done; end of file before that is a dead writer. */
static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Append one array (count, then the records) at *pos. */
static void put_array(char *buf, size_t *pos, const void *a, int n,
    size_t size)
{
	uint32_t count;

	assert(n >= 0 && (unsigned)n <= MAX_RECORDS);
	count = (uint32_t)n;
	memcpy(buf + *pos, &count, sizeof(count));
	*pos += sizeof(count);
	if (n > 0)
		memcpy(buf + *pos, a, (size_t)n * size);
	*pos += (size_t)n * size;
}

/*
 * The whole stream in one write(2): each write wakes the parent, which
 * polls the pipe, and a run's result is small next to what that costs.
 */
int result_write(int fd, const struct result *r)
{
	size_t len = sizeof(r->row) + 4 * sizeof(uint32_t) +
	    (size_t)r->nwaits * sizeof(*r->waits) +
	    (size_t)r->nsamples * sizeof(*r->samples) +
	    (size_t)r->nevents * sizeof(*r->events) +
	    (size_t)r->ncounters * sizeof(*r->counters);
	char *buf = xmalloc(len);
	size_t pos = sizeof(r->row);
	int rc;

	memcpy(buf, &r->row, sizeof(r->row));
	put_array(buf, &pos, r->waits, r->nwaits, sizeof(*r->waits));
	put_array(buf, &pos, r->samples, r->nsamples, sizeof(*r->samples));
	put_array(buf, &pos, r->events, r->nevents, sizeof(*r->events));
	put_array(buf, &pos, r->counters, r->ncounters,
	    sizeof(*r->counters));
	assert(pos == len);
	rc = write_full(fd, buf, len);
	free(buf);
	return rc;
}

/*
 * Read one array into *ap, *np.  *np counts only records fully read, so
 * on failure the result is still consistent and result_free() can take
 * it.  The allocation follows the data in READ_CHUNK steps and always
 * holds at least cap(*np) records, so result_add_*() works afterwards.
 */
static int read_array(int fd, void **ap, int *np, size_t size)
{
	uint32_t count, want;

	if (read_full(fd, &count, sizeof(count)) != 0 || count > MAX_RECORDS)
		return -1;
	while ((uint32_t)*np < count) {
		want = count - (uint32_t)*np;
		if (want > READ_CHUNK)
			want = READ_CHUNK;
		*ap = xrealloc(*ap, cap((size_t)*np + want) * size);
		if (read_full(fd, (char *)*ap + (size_t)*np * size,
		    want * size) != 0)
			return -1;
		*np += (int)want;
	}
	return 0;
}

/*
 * The strings came from another process; make sure each ends inside its
 * field before anyone calls strlen() on it.
 */
#define TERMINATE(field)	((field)[sizeof(field) - 1] = '\0')

static void terminate_strings(struct result *r)
{
	int i;

	TERMINATE(r->row.scenario);
	TERMINATE(r->row.scenario_sha256);
	TERMINATE(r->row.allocator);
	TERMINATE(r->row.params);
	TERMINATE(r->row.deadlock_kind);
	TERMINATE(r->row.message);
	TERMINATE(r->row.digest);
	TERMINATE(r->row.scenario_path);
	for (i = 0; i < r->nwaits; i++) {
		TERMINATE(r->waits[i].thread);
		TERMINATE(r->waits[i].channel);
		TERMINATE(r->waits[i].detail);
	}
	for (i = 0; i < r->nevents; i++) {
		TERMINATE(r->events[i].kind);
		TERMINATE(r->events[i].thread);
		TERMINATE(r->events[i].detail);
	}
	for (i = 0; i < r->ncounters; i++)
		TERMINATE(r->counters[i].name);
}

/*
 * r is the caller's memory and need not be initialised; on failure it is
 * left empty (as after result_init()) and owns nothing.
 */
int result_read(int fd, struct result *r)
{
	void *waits = NULL, *samples = NULL, *events = NULL, *counters = NULL;
	int rc = -1;

	result_init(r);
	for (;;) {		/* nothing at all before EOF: no more results */
		ssize_t n = read(fd, &r->row, 1);
		if (n == 0)
			return 1;
		if (n == 1)
			break;
		if (errno != EINTR)
			goto out;
	}
	if (read_full(fd, (char *)&r->row + 1, sizeof(r->row) - 1) != 0)
		goto out;
	/* Through void * locals: the array pointers have different types. */
	if (read_array(fd, &waits, &r->nwaits, sizeof(*r->waits)) != 0)
		goto out;
	if (read_array(fd, &samples, &r->nsamples, sizeof(*r->samples)) != 0)
		goto out;
	if (read_array(fd, &events, &r->nevents, sizeof(*r->events)) != 0)
		goto out;
	if (read_array(fd, &counters, &r->ncounters,
	    sizeof(*r->counters)) != 0)
		goto out;
	rc = 0;
out:
	r->waits = waits;
	r->samples = samples;
	r->events = events;
	r->counters = counters;
	if (rc != 0) {
		result_free(r);
		result_init(r);
		return -1;
	}
	terminate_strings(r);
	return 0;
}
