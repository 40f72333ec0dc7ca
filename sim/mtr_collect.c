/*
 * mtr_collect: see mtr_collect.h.
 *
 * Consecutive references to one page with one operation become one
 * record with a count.  Instruction fetches and data accesses are
 * collapsed as two streams (otherwise every data access would break the
 * run of fetches from the code page around it); records are ordered by
 * their first reference and held back, at most QCAP of them, until their
 * count is known.  The mapping table is built at the end: every region
 * that holds a touched page, then the touched pages outside all of them,
 * grouped by address into anonymous ranges.
 */
#include "mtr_collect.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtr.h"
#include "u64map.h"
#include "xmalloc.h"

#define PAGE_SHIFT	MTR_PAGE_SHIFT
#define QCAP		65536	/* records held back for their counts */
#define GAP_PAGES	256	/* a larger gap starts a new unknown range */

/* ---- collapsing references into records ---- */
struct region {
	uint64_t start, end;	/* pages, [start, end) */
	enum mtr_kind kind;
	int file;		/* backed by a file (kind is decided at the end) */
	char name[MTR_NAME_MAX + 1];
	uint64_t seq;		/* when it was seen: a later one wins */
};

struct regions {
	struct region *r;
	int n, cap;
	uint64_t seq;
};

#define PF_READ		1
#define PF_WRITE	2
#define PF_EXEC		4

struct mtr_collect {
	struct mtr_writer *w;
	struct mtr_rec q[QCAP];
	size_t head, len;
	long open[2];		/* queue positions of the open records */
	struct u64map pages;	/* vpn -> PF_* */
	uint64_t refs, emitted;
	int failed;
	struct regions rs;	/* what the converter says is mapped */
};

static struct mtr_rec *qat(struct mtr_collect *c, size_t pos)
{
	return &c->q[pos % QCAP];
}

/* Emit the records at the head that are no longer open. */
static void drain(struct mtr_collect *c, int all)
{
	while (c->len > 0) {
		long pos = (long)c->head;
		if (!all && (pos == c->open[0] || pos == c->open[1]))
			break;
		if (pos == c->open[0])
			c->open[0] = -1;
		if (pos == c->open[1])
			c->open[1] = -1;
		if (mtr_writer_add(c->w, qat(c, c->head)) != 0)
			c->failed = 1;
		c->emitted++;
		c->head++;
		c->len--;
	}
}

void mtr_collect_ref(struct mtr_collect *c, uint64_t vpn, enum mtr_op op)
{
	int s = op == MTR_EXEC, isnew;
	struct mtr_rec *r;
	uint64_t *fl;

	c->refs++;
	fl = u64map_get(&c->pages, vpn, &isnew);
	*fl |= op == MTR_EXEC ? PF_EXEC : op == MTR_WRITE ? PF_WRITE : PF_READ;
	if (c->open[s] >= 0) {
		r = qat(c, (size_t)c->open[s]);
		if (r->vpn == vpn && r->op == op) {
			r->count++;
			return;
		}
		c->open[s] = -1;
	}
	if (c->len == QCAP) {
		/* a run held open too long: close it where it is */
		if ((long)c->head == c->open[!s])
			c->open[!s] = -1;
		drain(c, 0);
		if (c->len == QCAP) {
			c->open[0] = c->open[1] = -1;
			drain(c, 0);
		}
	}
	r = qat(c, c->head + c->len);
	r->vpn = vpn;
	r->op = op;
	r->count = 1;
	c->open[s] = (long)(c->head + c->len);
	c->len++;
	drain(c, 0);
}

struct mtr_collect *mtr_collect_create(struct mtr_writer *w)
{
	struct mtr_collect *c = xcalloc(1, sizeof(*c));

	c->w = w;
	c->open[0] = c->open[1] = -1;
	return c;
}

void mtr_collect_destroy(struct mtr_collect *c)
{
	if (c == NULL)
		return;
	u64map_free(&c->pages);
	free(c->rs.r);
	free(c);
}

uint64_t mtr_collect_refs(const struct mtr_collect *c)
{
	return c->refs;
}

/* ---- mappings ---- */
static void region_add(struct regions *rs, uint64_t start, uint64_t end,
    enum mtr_kind kind, int file, const char *name)
{
	struct region *r;
	int i;

	if (end <= start)
		return;
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->start == start && r->end == end && r->file == file &&
		    strcmp(r->name, name) == 0) {
			r->kind = kind;
			r->seq = ++rs->seq;
			return;
		}
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = xrealloc(rs->r, (size_t)rs->cap * sizeof(*rs->r));
	}
	r = &rs->r[rs->n++];
	r->start = start;
	r->end = end;
	r->kind = kind;
	r->file = file;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->seq = ++rs->seq;
}

void mtr_collect_region(struct mtr_collect *c, uint64_t start, uint64_t end,
    enum mtr_kind kind, int file, const char *name)
{
	region_add(&c->rs, start, end, kind, file, name);
}

/*
 * The smallest region holding vpn (valgrind's tables merge neighbouring
 * anonymous segments; the mmap that made one is more precise), the
 * latest of equal ones; -1 when none does.
 */
static int region_of(const struct regions *rs, uint64_t vpn)
{
	const struct region *r, *b;
	int i, best = -1;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (vpn < r->start || vpn >= r->end)
			continue;
		b = best >= 0 ? &rs->r[best] : NULL;
		if (b == NULL || r->end - r->start < b->end - b->start ||
		    (r->end - r->start == b->end - b->start && r->seq > b->seq))
			best = i;
	}
	return best;
}

struct pageflag {
	uint64_t vpn, flags;
};

static int cmp_pf(const void *a, const void *b)
{
	const struct pageflag *x = a, *y = b;

	return x->vpn < y->vpn ? -1 : x->vpn > y->vpn;
}

static int cmp_map(const void *a, const void *b)
{
	const struct mtr_mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct maplist {
	struct mtr_mapping *m;
	int n, cap;
};

static struct mtr_mapping *maplist_add(struct maplist *ml)
{
	if (ml->n == ml->cap) {
		ml->cap = ml->cap ? ml->cap * 2 : 64;
		ml->m = xrealloc(ml->m, (size_t)ml->cap * sizeof(*ml->m));
	}
	memset(&ml->m[ml->n], 0, sizeof(ml->m[0]));
	return &ml->m[ml->n++];
}

/*
 * The mapping table: every region that holds a touched page (a file
 * region with a written page is copy-on-write, MTR_FILE_PRIVATE), then
 * the touched pages outside them, in ranges split at gaps and at regions.
 */
static int build_mappings(struct mtr_collect *c, struct regions *rs,
    struct maplist *ml)
{
	struct pageflag *pf = xmalloc((c->pages.n + 1) * sizeof(*pf));
	int *written = xcalloc((size_t)rs->n + 1, sizeof(int));
	int *touched = xcalloc((size_t)rs->n + 1, sizeof(int));
	size_t i, n = 0, k;
	int j, nreg;
	struct mtr_mapping *m;

	for (i = 0; i < c->pages.cap; i++)
		if (c->pages.used[i]) {
			pf[n].vpn = c->pages.keys[i];
			pf[n].flags = c->pages.vals[i];
			n++;
		}
	qsort(pf, n, sizeof(*pf), cmp_pf);
	for (i = 0; i < n; i++) {
		j = region_of(rs, pf[i].vpn);
		if (j >= 0) {
			touched[j] = 1;
			if (pf[i].flags & PF_WRITE)
				written[j] = 1;
		}
	}
	for (j = 0; j < rs->n; j++) {
		struct region *r = &rs->r[j];
		if (!touched[j])
			continue;
		m = maplist_add(ml);
		m->start = r->start;
		m->npages = r->end - r->start;
		m->kind = r->file ? (written[j] ? MTR_FILE_PRIVATE : MTR_FILE) :
		    r->kind;
		snprintf(m->name, sizeof(m->name), "%s", r->name);
	}
	/* overlapping regions: the later start wins the overlap */
	qsort(ml->m, (size_t)ml->n, sizeof(*ml->m), cmp_map);
	for (j = 1; j < ml->n; j++) {
		struct mtr_mapping *p = &ml->m[j - 1];
		if (p->start + p->npages > ml->m[j].start)
			p->npages = ml->m[j].start - p->start;
	}
	for (j = k = 0; j < ml->n; j++)
		if (ml->m[j].npages > 0)
			ml->m[k++] = ml->m[j];
	ml->n = (int)k;
	nreg = ml->n;

	/* pages outside every mapping */
	for (i = 0; i < n;) {
		uint64_t lo = pf[i].vpn, hi;
		int lo_in = 0;
		for (j = 0; j < nreg; j++)
			if (lo >= ml->m[j].start &&
			    lo < ml->m[j].start + ml->m[j].npages)
				lo_in = 1;
		if (lo_in) {
			i++;
			continue;
		}
		hi = lo;
		for (k = i + 1; k < n; k++) {
			int cut = pf[k].vpn - hi > GAP_PAGES;
			for (j = 0; j < nreg && !cut; j++)
				if (ml->m[j].start > hi &&
				    ml->m[j].start <= pf[k].vpn)
					cut = 1;
			if (cut)
				break;
			hi = pf[k].vpn;
		}
		m = maplist_add(ml);
		m->start = lo;
		m->npages = hi - lo + 1;
		m->kind = MTR_ANON;
		snprintf(m->name, sizeof(m->name), "anon@%#" PRIx64,
		    lo << PAGE_SHIFT);
		i = k;
	}
	qsort(ml->m, (size_t)ml->n, sizeof(*ml->m), cmp_map);
	free(pf);
	free(written);
	free(touched);
	return 0;
}

int mtr_collect_finish(struct mtr_collect *c, struct mtr_import_stats *st,
    const char *out, char *err, size_t errlen)
{
	struct maplist ml = { 0 };
	int rc;

	drain(c, 1);
	if (c->failed) {
		mtr_seterr(err, errlen, "%s: cannot write the trace", out);
		return -1;
	}
	build_mappings(c, &c->rs, &ml);
	rc = mtr_writer_finish(c->w, ml.m, ml.n, err, errlen);
	st->refs = c->refs;
	st->records = c->emitted;
	st->mappings = (uint64_t)ml.n;
	free(ml.m);
	return rc;
}
