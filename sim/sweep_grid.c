/*
 * sweep_grid: see sweep_grid.h.  Value lists ("a,b,c", "0..8",
 * "1..3,7") become axes, sorted by name so the same grid has the same
 * text however it was spelt.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep_grid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define MAX_AXIS_VALUES		100000

void sweep_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Value lists: "a,b,c", "0..8", "1..3,7".
 */

/* A whole number filling s[0..len), optionally negative. */
static int whole(const char *s, size_t len, long long *out)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!(buf[0] == '-' ? buf[1] >= '0' && buf[1] <= '9' :
	    buf[0] >= '0' && buf[0] <= '9'))
		return -1;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

struct vlist {
	char (*v)[CFG_NAME_LEN];
	int n, cap;
};

static void vpush(struct vlist *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, (size_t)l->cap * sizeof(*l->v));
	}
	memcpy(l->v[l->n], s, len);
	l->v[l->n++][len] = '\0';
}

static int range(const char *what, const char *item, size_t len,
    const char *dots, struct vlist *l, char *err, size_t errlen)
{
	long long lo, hi, i;
	char buf[32];

	if (whole(item, (size_t)(dots - item), &lo) != 0 ||
	    whole(dots + 2, len - (size_t)(dots + 2 - item), &hi) != 0) {
		sweep_seterr(err, errlen,
		    "%s: '%.*s' is not a range of whole numbers "
		    "(lo..hi)", what, (int)len, item);
		return -1;
	}
	if (lo > hi) {
		sweep_seterr(err, errlen,
		    "%s: range '%.*s' is empty (%lld > %lld)",
		    what, (int)len, item, lo, hi);
		return -1;
	}
	/* unsigned: the difference of two far-apart long longs overflows */
	if ((unsigned long long)hi - (unsigned long long)lo >=
	    (unsigned long long)(MAX_AXIS_VALUES - l->n)) {
		sweep_seterr(err, errlen, "%s: more than %d values", what,
		    MAX_AXIS_VALUES);
		return -1;
	}
	for (i = lo; i <= hi; i++)
		vpush(l, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", i));
	return 0;
}

static int item(const char *what, const char *s, size_t len,
    struct vlist *l, char *err, size_t errlen)
{
	const char *dots;

	if (len == 0) {
		sweep_seterr(err, errlen,
		    "%s: an empty item in the list", what);
		return -1;
	}
	dots = memchr(s, '.', len);
	if (dots != NULL && dots + 1 < s + len && dots[1] == '.')
		return range(what, s, len, dots, l, err, errlen);
	if (len >= CFG_NAME_LEN) {
		sweep_seterr(err, errlen,
		    "%s: value '%.20s...' is longer than %d "
		    "bytes", what, s, CFG_NAME_LEN - 1);
		return -1;
	}
	if (l->n == MAX_AXIS_VALUES) {
		sweep_seterr(err, errlen, "%s: more than %d values", what,
		    MAX_AXIS_VALUES);
		return -1;
	}
	vpush(l, s, len);
	return 0;
}

struct keyed {
	const char *key;
	int idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Which of n strings (key(i)) repeat an earlier one: keep[i] is 0 for
 * those.  Sorting keeps it O(n log n) for long seed lists.
 */
char *sweep_first_of_each(int n, const char *(*key)(void *, int),
    void *ctx)
{
	struct keyed *k = xcalloc((size_t)n + 1, sizeof(*k));
	char *keep = xcalloc((size_t)n + 1, 1);
	int i;

	for (i = 0; i < n; i++)
		k[i] = (struct keyed){ key(ctx, i), i };
	qsort(k, (size_t)n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++)
		keep[k[i].idx] = i == 0 || strcmp(k[i].key, k[i - 1].key) != 0;
	free(k);
	return keep;
}

static const char *value_key(void *ctx, int i)
{
	return ((const char (*)[CFG_NAME_LEN])ctx)[i];
}

/* Drop repeated values, keeping each one's first place. */
static int dedupe_values(char (*v)[CFG_NAME_LEN], int n)
{
	char *keep = sweep_first_of_each(n, value_key, v);
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (keep[i] && k++ != i)
			memcpy(v[k - 1], v[i], sizeof(v[0]));
	free(keep);
	return k;
}

int sweep_values(const char *what, const char *text,
    char (**out)[CFG_NAME_LEN], char *err, size_t errlen)
{
	struct vlist l = { NULL, 0, 0 };
	const char *s = text, *comma;

	*out = NULL;
	if (*text == '\0') {
		sweep_seterr(err, errlen, "%s: no values", what);
		return -1;
	}
	for (;;) {
		comma = strchr(s, ',');
		if (item(what, s, comma ? (size_t)(comma - s) : strlen(s), &l,
		    err, errlen) != 0) {
			free(l.v);
			return -1;
		}
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	*out = l.v;
	return dedupe_values(l.v, l.n);
}

/* Seeds: whole numbers below 2^63, as `memsim run --seed` takes. */
static int parse_seeds(const char *what, const char *text, uint64_t **out,
    char *err, size_t errlen)
{
	char (*v)[CFG_NAME_LEN];
	char *end;
	int n, i;

	n = sweep_values(what, text, &v, err, errlen);
	if (n < 0)
		return -1;
	*out = xcalloc((size_t)n, sizeof(**out));
	for (i = 0; i < n; i++) {
		errno = 0;
		(*out)[i] = strtoull(v[i], &end, 10);
		if (v[i][0] < '0' || v[i][0] > '9' || *end != '\0' ||
		    errno != 0 || (*out)[i] > INT64_MAX) {
			sweep_seterr(err, errlen,
			    "%s: seed '%s' is not a whole "
			    "number below 2^63", what, v[i]);
			free(v);
			free(*out);
			*out = NULL;
			return -1;
		}
	}
	free(v);
	return n;
}

/* ---------------------------------------------------------------------
 * The grid: named axes of values, and the seeds.
 */

void sweep_grid_free(struct grid *g)
{
	int i;

	for (i = 0; i < g->nax; i++)
		free(g->ax[i].v);
	free(g->seeds);
	memset(g, 0, sizeof(*g));
}

/* Set axis `name` (a later setting replaces an earlier one). */
static int grid_set(struct grid *g, const char *name, const char *text,
    const char *what, int cli, char *err, size_t errlen)
{
	struct axis *a;
	int i;

	for (i = 0; i < g->nax; i++)
		if (strcmp(g->ax[i].name, name) == 0)
			break;
	if (i == SWEEP_MAX_AXES) {
		sweep_seterr(err, errlen, "%s: more than %d parameters", what,
		    SWEEP_MAX_AXES);
		return -1;
	}
	a = &g->ax[i];
	if (i == g->nax)
		g->nax++;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->text, sizeof(a->text), "%s", text);
	snprintf(a->what, sizeof(a->what), "%s", what);
	a->cli = cli;
	return 0;
}

static int cmp_axis(const void *a, const void *b)
{
	return strcmp(((const struct axis *)a)->name,
	    ((const struct axis *)b)->name);
}

/* "N=0..8 allocator=a,b seeds=1..20": one text per grid, for `sweeps`. */
void sweep_grid_text(struct grid *g, const char *prefix)
{
	size_t used;
	int i;

	used = (size_t)snprintf(g->text, sizeof(g->text), "%s", prefix);
	for (i = 0; i < g->nax && used < sizeof(g->text); i++)
		used += (size_t)snprintf(g->text + used, sizeof(g->text) - used,
		    "%s%s=%s", used > 0 ? " " : "", g->ax[i].name,
		    g->ax[i].text);
	if (used < sizeof(g->text))
		snprintf(g->text + used, sizeof(g->text) - used, "%sseeds=%s",
		    used > 0 ? " " : "", g->seeds_text);
}

/*
 * Axes: the scenario's sweep{} (when use_defaults), then -p over them;
 * seeds: --seeds, else sweep{ seeds = ... }, else 1.  Sorted by name,
 * so the same grid has the same text however it was spelt.
 */
int sweep_grid_build(struct grid *g, const struct sweep_opts *o,
    const struct config *def, int use_defaults, char *err, size_t errlen)
{
	const char *seeds = o->seeds, *seeds_what = "--seeds";
	char what[CFG_SWEEP_LEN + 160];
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; use_defaults && i < def->nsweep; i++) {
		const struct sweep_axis *sa = &def->sweep[i];

		snprintf(what, sizeof(what), "%s: sweep{} %s = \"%s\"",
		    o->path, sa->name, sa->values);
		if (strcmp(sa->name, "seeds") == 0) {
			if (seeds == NULL) {
				seeds = sa->values;
				seeds_what = "sweep{} seeds";
			}
		} else if (grid_set(g, sa->name, sa->values, what, 0, err,
		    errlen) != 0) {
			return -1;
		}
	}
	for (i = 0; i < o->naxes; i++) {
		snprintf(what, sizeof(what), "-p %s=%s", o->axes[i].name,
		    o->axes[i].values);
		if (grid_set(g, o->axes[i].name, o->axes[i].values, what, 1,
		    err, errlen) != 0)
			return -1;
	}
	qsort(g->ax, (size_t)g->nax, sizeof(g->ax[0]), cmp_axis);
	for (i = 0; i < g->nax; i++)
		if ((g->ax[i].n = sweep_values(g->ax[i].what, g->ax[i].text,
		    &g->ax[i].v, err, errlen)) < 0)
			return -1;
	if (seeds == NULL)
		seeds = "1";
	snprintf(g->seeds_text, sizeof(g->seeds_text), "%s", seeds);
	snprintf(what, sizeof(what), "%s %s", seeds_what, seeds);
	if ((g->nseeds = parse_seeds(what, seeds, &g->seeds, err,
	    errlen)) < 0)
		return -1;
	sweep_grid_text(g, "");
	return 0;
}

