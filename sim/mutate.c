/*
 * mutate: see mutate.h.
 */
#include "mutate.h"

#include <string.h>

#define BURST_MIN	4
#define BURST_MAX	24
#define BURST_GAP_U	0.05	/* arrival gaps at most -ln(0.95)/rate */

uint64_t mutate_next(struct mutate_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t mutate_below(struct mutate_rng *r, uint64_t n)
{
	return n ? (uint64_t)(((unsigned __int128)mutate_next(r) * n) >> 64) :
	    0;
}

double mutate_unit(struct mutate_rng *r)
{
	return (double)(mutate_next(r) >> 11) * 0x1.0p-53;
}

static int is_irq(uint32_t s)
{
	return s >= CHOICE_STREAM_IRQ && s < CHOICE_STREAM_PROC;
}

static int is_tie(uint32_t s)
{
	return s < CHOICE_STREAM_IRQ;
}

/* A stream of the run: interrupt loads and ties weigh 4, the rest 1. */
static const struct choice_stream *pick_stream(struct mutate_rng *r,
    const struct mutate_cand *c, int irq_only)
{
	uint64_t total = 0, x;
	int i, w;

	for (i = 0; i < c->nstreams; i++) {
		if (irq_only && !is_irq(c->streams[i].stream))
			continue;
		total += is_irq(c->streams[i].stream) ||
		    is_tie(c->streams[i].stream) ? 4 : 1;
	}
	if (total == 0)
		return NULL;
	x = mutate_below(r, total);
	for (i = 0; i < c->nstreams; i++) {
		if (irq_only && !is_irq(c->streams[i].stream))
			continue;
		w = is_irq(c->streams[i].stream) ||
		    is_tie(c->streams[i].stream) ? 4 : 1;
		if (x < (uint64_t)w)
			return &c->streams[i];
		x -= (uint64_t)w;
	}
	return NULL;
}

/* Room for k more overrides: drop random ones if needed. */
static void make_room(struct mutate_rng *r, struct choice_seq *s, int k)
{
	while (s->n + k > CHOICE_MAX_OVERRIDES && s->n > 0) {
		int i = (int)mutate_below(r, (uint64_t)s->n);
		memmove(&s->ov[i], &s->ov[i + 1],
		    sizeof(s->ov[0]) * (size_t)(s->n - i - 1));
		s->n--;
	}
}

static void op_change(struct mutate_rng *r, struct mutate_cand *c)
{
	const struct choice_stream *st = pick_stream(r, c, 0);

	if (st == NULL)
		return;
	make_room(r, &c->seq, 1);
	(void)choice_seq_set(&c->seq, st->stream,
	    (uint32_t)mutate_below(r, st->draws), mutate_unit(r));
}

static void op_burst(struct mutate_rng *r, struct mutate_cand *c)
{
	const struct choice_stream *st = pick_stream(r, c, 1);
	uint32_t at, len, i;

	if (st == NULL) {
		op_change(r, c);
		return;
	}
	len = BURST_MIN + (uint32_t)mutate_below(r, BURST_MAX - BURST_MIN + 1);
	at = (uint32_t)mutate_below(r, st->draws);
	make_room(r, &c->seq, (int)len);
	for (i = 0; i < len; i++)
		(void)choice_seq_set(&c->seq, st->stream, at + i,
		    mutate_unit(r) * BURST_GAP_U);
}

/* A tie of the run given another option; any stream's choice if none. */
static void op_wakeup(struct mutate_rng *r, struct mutate_cand *c)
{
	int i, n = 0;

	for (i = 0; i < c->nstreams; i++)
		n += is_tie(c->streams[i].stream);
	if (n == 0) {
		op_change(r, c);
		return;
	}
	n = (int)mutate_below(r, (uint64_t)n);
	for (i = 0; i < c->nstreams; i++) {
		if (!is_tie(c->streams[i].stream) || n-- > 0)
			continue;
		make_room(r, &c->seq, 1);
		(void)choice_seq_set(&c->seq, c->streams[i].stream,
		    (uint32_t)mutate_below(r, c->streams[i].draws),
		    0.5 + 0.5 * mutate_unit(r));
		return;
	}
}

/* Shift the overrides of `stream` at index >= from by delta (+1/-1). */
static void shift(struct choice_seq *s, uint32_t stream, uint32_t from,
    int delta)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ov[i].stream == stream && s->ov[i].index >= from &&
		    (delta > 0 || s->ov[i].index > 0))
			s->ov[i].index = (uint32_t)((int64_t)s->ov[i].index +
			    delta);
	choice_seq_normalize(s);
}

static void op_insert(struct mutate_rng *r, struct mutate_cand *c)
{
	struct choice_override o;

	if (c->seq.n == 0) {
		op_change(r, c);
		return;
	}
	o = c->seq.ov[mutate_below(r, (uint64_t)c->seq.n)];
	make_room(r, &c->seq, 1);
	shift(&c->seq, o.stream, o.index, +1);
	(void)choice_seq_set(&c->seq, o.stream, o.index, mutate_unit(r));
}

static void op_delete(struct mutate_rng *r, struct mutate_cand *c)
{
	int i;
	struct choice_override o;

	if (c->seq.n == 0) {
		op_change(r, c);
		return;
	}
	i = (int)mutate_below(r, (uint64_t)c->seq.n);
	o = c->seq.ov[i];
	memmove(&c->seq.ov[i], &c->seq.ov[i + 1],
	    sizeof(c->seq.ov[0]) * (size_t)(c->seq.n - i - 1));
	c->seq.n--;
	shift(&c->seq, o.stream, o.index + 1, -1);
}

/* Per stream: a's overrides before a cut fraction of it, b's after. */
static void op_splice(struct mutate_rng *r, struct mutate_cand *c,
    const struct mutate_cand *b)
{
	double cut = mutate_unit(r);
	struct choice_seq s;
	int i, j;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < c->seq.n; i++) {
		uint32_t draws = 1;
		for (j = 0; j < c->nstreams; j++)
			if (c->streams[j].stream == c->seq.ov[i].stream)
				draws = c->streams[j].draws;
		if (c->seq.ov[i].index < (uint32_t)(cut * draws))
			s.ov[s.n++] = c->seq.ov[i];
	}
	for (i = 0; i < b->seq.n && s.n < CHOICE_MAX_OVERRIDES; i++) {
		uint32_t draws = 1;
		for (j = 0; j < b->nstreams; j++)
			if (b->streams[j].stream == b->seq.ov[i].stream)
				draws = b->streams[j].draws;
		if (b->seq.ov[i].index >= (uint32_t)(cut * draws))
			s.ov[s.n++] = b->seq.ov[i];
	}
	choice_seq_normalize(&s);
	c->seq = s;
}

const char *mutate_cand(struct mutate_rng *r, const struct mutate_cand *a,
    const struct mutate_cand *other, uint64_t new_seed,
    struct mutate_cand *out)
{
	const char *name = "change";
	int k, nops = 1 + (int)mutate_below(r, 3);
	uint64_t x;

	*out = *a;
	for (k = 0; k < nops; k++) {
		x = mutate_below(r, 100);
		if (x < 30) {
			op_change(r, out);
			name = "change";
		} else if (x < 55) {
			op_burst(r, out);
			name = "burst";
		} else if (x < 67) {
			op_wakeup(r, out);
			name = "wakeup";
		} else if (x < 77) {
			op_insert(r, out);
			name = "insert";
		} else if (x < 87) {
			op_delete(r, out);
			name = "delete";
		} else if (x < 95 && other != NULL) {
			op_splice(r, out, other);
			name = "splice";
		} else {
			out->seed = new_seed;
			name = "reseed";
		}
	}
	return name;
}
