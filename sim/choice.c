/*
 * choice: see choice.h.
 *
 * The hot path is a page touch's random draw: with no override and no
 * explorer it costs one comparison on top of the generator (the stream
 * of the previous draw is remembered).  Overrides are looked up through
 * a per-stream cursor, since one stream's indices only grow.
 */
#include "choice.h"

#include "result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	uint32_t stream;
	uint32_t draws;
	uint32_t kinds;
	uint32_t ties;		/* index of this stream's next tie */
	int ov, ov_end;		/* this stream's overrides: [ov, ov_end) */
};

static struct choice_seq seq;
static struct choice_seq picks;	/* the explorer's, as overrides */
static struct slot slots[CHOICE_MAX_STREAMS];
static int nslots;
static int last_slot = -1;
static uint64_t count;
static int used;
static choice_explore_fn *explorer;
static void *explorer_ctx;
static uint32_t explorer_width = 1;

static int cmp_ov(const void *a, const void *b)
{
	const struct choice_override *x = a, *y = b;

	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static double clamp_unit(double u);

void choice_seq_normalize(struct choice_seq *s)
{
	int i, j;

	for (i = 0; i < s->n; i++)
		s->ov[i].u = clamp_unit(s->ov[i].u);
	/* stable for duplicates: the later one must win */
	for (i = 1; i < s->n; i++) {
		struct choice_override o = s->ov[i];
		for (j = i; j > 0 && cmp_ov(&s->ov[j - 1], &o) > 0; j--)
			s->ov[j] = s->ov[j - 1];
		s->ov[j] = o;
	}
	for (i = 0, j = 0; i < s->n; i++) {
		if (j > 0 && cmp_ov(&s->ov[j - 1], &s->ov[i]) == 0)
			s->ov[j - 1] = s->ov[i];
		else
			s->ov[j++] = s->ov[i];
	}
	s->n = j;
}

int choice_seq_set(struct choice_seq *s, uint32_t stream, uint32_t index,
    double u)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (s->ov[i].stream == stream && s->ov[i].index == index) {
			s->ov[i].u = u;
			return 0;
		}
	}
	if (s->n == CHOICE_MAX_OVERRIDES)
		return -1;
	s->ov[s->n++] = (struct choice_override){ stream, index, u };
	choice_seq_normalize(s);
	return 0;
}

int choice_seq_parse(const char *text, struct choice_seq *s, char *err,
    size_t errlen)
{
	const char *p = text;
	char *end;
	unsigned long long st, ix;
	double u;

	memset(s, 0, sizeof(*s));
	while (*p) {
		const char *item = p;
		st = strtoull(p, &end, 10);
		if (end == p || *end != '.' || st > UINT32_MAX)
			goto bad;
		p = end + 1;
		ix = strtoull(p, &end, 10);
		if (end == p || *end != '=' || ix > UINT32_MAX)
			goto bad;
		p = end + 1;
		u = strtod(p, &end);
		if (end == p || isnan(u) || (*end != ',' && *end != '\0'))
			goto bad;
		if (s->n == CHOICE_MAX_OVERRIDES) {
			snprintf(err, errlen, "choices: more than %d overrides",
			    CHOICE_MAX_OVERRIDES);
			return -1;
		}
		s->ov[s->n++] = (struct choice_override){ (uint32_t)st,
		    (uint32_t)ix, u };
		p = *end ? end + 1 : end;
		if (*end == ',' && *p == '\0') {
			snprintf(err, errlen, "choices: '%s' ends with a comma",
			    text);
			return -1;
		}
		continue;
bad:
		snprintf(err, errlen, "choices: bad item '%.*s' (expected "
		    "STREAM.INDEX=U, U a fraction in [0, 1))",
		    (int)strcspn(item, ","), item);
		return -1;
	}
	choice_seq_normalize(s);
	return 0;
}

void choice_seq_format(const struct choice_seq *s, char *out, size_t len)
{
	size_t pos = 0;
	int i;

	out[0] = 0;
	for (i = 0; i < s->n && pos < len; i++) {
		char num[32];
		/* the shortest text that reads back as the same double */
		snprintf(num, sizeof(num), "%.15g", s->ov[i].u);
		if (strtod(num, NULL) != s->ov[i].u)
			snprintf(num, sizeof(num), "%.17g", s->ov[i].u);
		pos += (size_t)snprintf(out + pos, len - pos, "%s%u.%u=%s",
		    i ? "," : "", s->ov[i].stream, s->ov[i].index, num);
	}
}

void choice_begin(const struct choice_seq *s)
{
	int i;

	memset(slots, 0, sizeof(slots));
	nslots = 0;
	last_slot = -1;
	count = 0;
	used = 0;
	memset(&picks, 0, sizeof(picks));
	if (s != NULL)
		seq = *s;
	else
		memset(&seq, 0, sizeof(seq));
	choice_seq_normalize(&seq);
	/* a slot per overridden stream first, with its overrides' range */
	for (i = 0; i < seq.n; i++) {
		if (nslots > 0 && slots[nslots - 1].stream == seq.ov[i].stream) {
			slots[nslots - 1].ov_end = i + 1;
			continue;
		}
		if (nslots == CHOICE_MAX_STREAMS)
			break;
		slots[nslots].stream = seq.ov[i].stream;
		slots[nslots].ov = i;
		slots[nslots].ov_end = i + 1;
		nslots++;
	}
}

void choice_set_explorer(choice_explore_fn *fn, void *ctx, uint32_t width)
{
	explorer = fn;
	explorer_ctx = ctx;
	explorer_width = width ? width : 1;
}

static struct slot *find_slot(uint32_t stream)
{
	int i;

	if (last_slot >= 0 && slots[last_slot].stream == stream)
		return &slots[last_slot];
	for (i = 0; i < nslots; i++)
		if (slots[i].stream == stream)
			break;
	if (i == nslots) {
		if (nslots == CHOICE_MAX_STREAMS)
			return NULL;	/* counted globally only */
		memset(&slots[i], 0, sizeof(slots[i]));
		slots[i].stream = stream;
		nslots++;
	}
	last_slot = i;
	return &slots[i];
}

/* The override of (stream, index), if any: its u, else NAN. */
static double lookup(struct slot *sl, uint32_t index)
{
	while (sl->ov < sl->ov_end && seq.ov[sl->ov].index < index)
		sl->ov++;
	if (sl->ov < sl->ov_end && seq.ov[sl->ov].index == index) {
		used++;
		return seq.ov[sl->ov].u;
	}
	return NAN;
}

static double clamp_unit(double u)
{
	if (!(u > 0))
		return 0;
	return u < 1 ? u : nextafter(1.0, 0.0);
}

static uint64_t scale(double u, uint64_t n)
{
	uint64_t k;

	if (n == 0)
		return 0;
	k = (uint64_t)(clamp_unit(u) * (double)n);
	return k < n ? k : n - 1;
}

uint32_t choice_domain(enum choice_kind kind, uint64_t n, uint32_t width)
{
	if (width < 1)
		width = 1;
	if (kind == CHOICE_UNIT)
		return width;
	if (n < 1)
		return 1;
	return n < width ? (uint32_t)n : width;
}

double choice_option_u(uint32_t k, uint32_t options)
{
	return ((double)k + 0.5) / (double)(options ? options : 1);
}

/*
 * Account for a choice point and find its value: the explorer's pick,
 * else the override, else NAN (the caller's default).
 */
static double decide(uint32_t stream, uint32_t index, enum choice_kind kind,
    uint64_t n)
{
	struct slot *sl = find_slot(stream);
	double u = NAN;
	uint64_t pos = count++;
	uint32_t opts;
	int k;

	if (sl != NULL) {
		if (index + 1 > sl->draws)
			sl->draws = index + 1;
		sl->kinds |= 1u << kind;
		if (sl->ov < sl->ov_end)
			u = lookup(sl, index);
	}
	if (explorer != NULL &&
	    (k = explorer(explorer_ctx, pos, stream, index, kind, n)) >= 0) {
		opts = choice_domain(kind, n, explorer_width);
		u = choice_option_u((uint32_t)k < opts ? (uint32_t)k :
		    opts - 1, opts);
		(void)choice_seq_set(&picks, stream, index, u);
	}
	return u;
}

uint64_t choice_below(uint32_t stream, uint32_t index, uint64_t n,
    uint64_t raw)
{
	double u;

	if (seq.n == 0 && explorer == NULL) {
		/* the fast path: count, remember the stream's extent */
		if (last_slot >= 0 && slots[last_slot].stream == stream) {
			count++;
			if (index + 1 > slots[last_slot].draws)
				slots[last_slot].draws = index + 1;
		} else {
			(void)decide(stream, index, CHOICE_BELOW, n);
		}
		return n ? (uint64_t)(((unsigned __int128)raw * n) >> 64) : 0;
	}
	u = decide(stream, index, CHOICE_BELOW, n);
	if (isnan(u))
		return n ? (uint64_t)(((unsigned __int128)raw * n) >> 64) : 0;
	return scale(u, n);
}

double choice_unit(uint32_t stream, uint32_t index, uint64_t raw)
{
	double u = decide(stream, index, CHOICE_UNIT, 0);

	if (isnan(u))
		return (double)(raw >> 11) * 0x1.0p-53;
	return clamp_unit(u);
}

uint32_t choice_tie(uint32_t stream, uint32_t n)
{
	struct slot *sl;
	uint32_t index;
	double u;

	if (n <= 1)
		return 0;
	sl = find_slot(stream);
	index = sl != NULL ? sl->ties++ : 0;
	u = decide(stream, index, CHOICE_TIE, n);
	if (isnan(u))
		return 0;
	return (uint32_t)scale(u, n);
}

uint64_t choice_count(void)
{
	return count;
}

int choice_streams(struct choice_stream *out, int max)
{
	int i, k = 0;

	for (i = 0; i < nslots && k < max; i++) {
		if (slots[i].draws == 0)
			continue;
		out[k].stream = slots[i].stream;
		out[k].draws = slots[i].draws;
		out[k].kinds = slots[i].kinds;
		k++;
	}
	return k;
}

int choice_overrides_used(void)
{
	return used;
}

void choice_effective(struct choice_seq *out)
{
	int i;

	*out = seq;
	for (i = 0; i < picks.n; i++)
		(void)choice_seq_set(out, picks.ov[i].stream,
		    picks.ov[i].index, picks.ov[i].u);
}

void choice_record(struct run_row *row)
{
	struct choice_seq eff;

	choice_effective(&eff);
	choice_seq_format(&eff, row->choices, sizeof(row->choices));
	row->choice_points = count;
	row->nstreams = choice_streams(row->streams, CHOICE_MAX_STREAMS);
}
