/* trace: see trace.h. */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "xmalloc.h"

static struct event_row *ring;
static int64_t nevents;		/* ever recorded */
static uint64_t digest;

#define FNV_PRIME 0x100000001b3ULL

void trace_init(void)
{
	ring = xcalloc(TRACE_RING, sizeof(*ring));
	nevents = 0;
	digest = 0xcbf29ce484222325ULL;
}

static void fold(uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		digest ^= (v >> (i * 8)) & 0xff;
		digest *= FNV_PRIME;
	}
}

void trace_digest(enum trace_kind kind, uint64_t a, uint64_t b)
{
	double t = core_now();
	uint64_t tb;

	memcpy(&tb, &t, sizeof(tb));
	fold((uint64_t)kind);
	fold(tb);
	fold(a);
	fold(b);
}

void trace_event(const char *kind, const char *fmt, ...)
{
	struct event_row *e = &ring[nevents % TRACE_RING];
	struct core_thread *td = core_self();
	va_list ap;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->t = core_now();
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->thread, sizeof(e->thread), "%s", td ? td->name : "");
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	nevents++;
	trace_digest(TRACE_EVENT, 0, 0);
	for (i = 0; e->kind[i]; i++)
		fold((uint64_t)(unsigned char)e->kind[i]);
}

int64_t trace_collect(struct result *r)
{
	int64_t first = nevents > TRACE_RING ? nevents - TRACE_RING : 0;
	int64_t i;

	for (i = first; i < nevents; i++)
		result_add_event(r, &ring[i % TRACE_RING]);
	return first;
}

int trace_last(struct event_row *out, int n)
{
	int64_t first = nevents - n;
	int64_t i;
	int k = 0;

	if (first < 0)
		first = 0;
	if (nevents > TRACE_RING && first < nevents - TRACE_RING)
		first = nevents - TRACE_RING;
	for (i = first; i < nevents; i++)
		out[k++] = ring[i % TRACE_RING];
	return k;
}

void trace_digest_hex(char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)digest);
}
