/*
 * mtr_import: see mtr_import.h.
 *
 * Lackey writes one line per memory access ("I  addr,size" for an
 * instruction fetch, " L", " S", " M" for a load, store or modify).  The
 * accesses become page references, and consecutive references to one
 * page with one operation become one record with a count.  Instruction
 * fetches and data accesses are collapsed as two streams (otherwise every
 * data access would break the run of fetches from the code page around
 * it); records are ordered by their first reference.  The mappings come
 * from valgrind's own address-space tables (-d: "file"/"anon" segments of
 * the client, with the names of the files) and from the mmap/brk system
 * calls in between (--trace-syscalls=yes); pages outside all of them are
 * grouped by address into anonymous ranges.
 */
#include "mtr_import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mtr.h"
#include "xmalloc.h"

#define PAGE_SHIFT	MTR_PAGE_SHIFT
#define QCAP		65536	/* records held back for their counts */
#define GAP_PAGES	256	/* a larger gap starts a new unknown range */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- a hash map of 64-bit keys to 64-bit values ---- */
struct u64map {
	uint64_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static void map_grow(struct u64map *m);

/* The value slot of key, created as 0 (*isnew = 1) when absent. */
static uint64_t *map_get(struct u64map *m, uint64_t key, int *isnew)
{
	size_t i;

	if (m->n * 2 >= m->cap)
		map_grow(m);
	for (i = mix(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i]) {
			m->used[i] = 1;
			m->keys[i] = key;
			m->vals[i] = 0;
			m->n++;
			*isnew = 1;
			return &m->vals[i];
		}
		if (m->keys[i] == key) {
			*isnew = 0;
			return &m->vals[i];
		}
	}
}

static void map_grow(struct u64map *m)
{
	struct u64map o = *m;
	size_t i;
	int isnew;

	m->cap = o.cap ? o.cap * 2 : 4096;
	m->keys = xmalloc(m->cap * sizeof(*m->keys));
	m->vals = xmalloc(m->cap * sizeof(*m->vals));
	m->used = xcalloc(m->cap, 1);
	m->n = 0;
	for (i = 0; i < o.cap; i++)
		if (o.used[i])
			*map_get(m, o.keys[i], &isnew) = o.vals[i];
	free(o.keys);
	free(o.vals);
	free(o.used);
}

static void map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
}

/* ---- collapsing references into records ---- */
#define PF_READ		1
#define PF_WRITE	2
#define PF_EXEC		4

struct collapse {
	struct mtr_writer *w;
	struct mtr_rec q[QCAP];
	size_t head, len;
	long open[2];		/* queue positions of the open records */
	struct u64map pages;	/* vpn -> PF_* */
	uint64_t refs, emitted;
	int failed;
};

static struct mtr_rec *qat(struct collapse *c, size_t pos)
{
	return &c->q[pos % QCAP];
}

/* Emit the records at the head that are no longer open. */
static void drain(struct collapse *c, int all)
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

static void ref(struct collapse *c, uint64_t vpn, enum mtr_op op)
{
	int s = op == MTR_EXEC, isnew;
	struct mtr_rec *r;
	uint64_t *fl;

	c->refs++;
	fl = map_get(&c->pages, vpn, &isnew);
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

static struct collapse *collapse_create(struct mtr_writer *w)
{
	struct collapse *c = xcalloc(1, sizeof(*c));

	c->w = w;
	c->open[0] = c->open[1] = -1;
	return c;
}

static void collapse_destroy(struct collapse *c)
{
	if (c == NULL)
		return;
	map_free(&c->pages);
	free(c);
}

/* ---- mappings ---- */
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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
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
static int build_mappings(struct collapse *c, struct regions *rs,
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

/* ---- lackey ---- */
struct lackey {
	struct collapse *c;
	struct regions rs;
	char *slots[64];		/* aspacem segment-name slots */
	char *fds[1024];		/* open file names, from openat */
	char pending_open[512];
	int in_table;
	int prev_smupper;		/* previous segment: RSVN SmUpper */
	uint64_t prev_anon_start, prev_anon_end;
	int prev_anon;
	uint64_t brk_start, brk_end;
};

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex digits at *pp (an optional 0x); -1 when there are none. */
static int parse_hex(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;
	int d, n = 0;

	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	while ((d = hexval(*p)) >= 0 && n < 17) {
		x = x << 4 | (uint64_t)d;
		p++;
		n++;
	}
	if (n == 0 || n > 16)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

static int parse_dec(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9' && n < 20) {
		x = x * 10 + (uint64_t)(*p - '0');
		p++;
		n++;
	}
	if (n == 0)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

/* "I  addr,size", " L addr,size", " S ...", " M ...". */
static int lackey_access(struct lackey *lk, const char *line)
{
	const char *p = line + 3;
	uint64_t addr, size, first, last, v;
	enum mtr_op op;
	char t = line[0] == 'I' ? 'I' : line[1];

	if (parse_hex(&p, &addr) != 0 || *p++ != ',' ||
	    parse_dec(&p, &size) != 0)
		return -1;
	op = t == 'I' ? MTR_EXEC : t == 'L' ? MTR_READ : MTR_WRITE;
	first = addr >> PAGE_SHIFT;
	last = (addr + (size ? size - 1 : 0)) >> PAGE_SHIFT;
	for (v = first; v <= last; v++)
		ref(lk->c, v, op);
	return 0;
}

/*
 * "--PID:1: aspacem   4: file 000010b000-000010cfff    8192 rw--- d=..
 * i=.. o=8192    (1,49)", "... anon 0004035000-0004035fff 4096 rwx--",
 * "... RSVN 1ffe801000-1ffeffefff 8380416 ----- SmUpper", and the name
 * slots "--PID:1: aspacem (1,49,7) /path".  Upper-case FILE and ANON are
 * valgrind's own.
 */
static void lackey_aspacem(struct lackey *lk, const char *p)
{
	uint64_t start, end, slot;
	const char *q;
	char kind[8];
	int n = 0;

	while (*p == ' ')
		p++;
	if (strncmp(p, "<<< SHOW_SEGMENTS", 17) == 0) {
		lk->in_table = 1;
		lk->prev_smupper = lk->prev_anon = 0;
		return;
	}
	if (strncmp(p, ">>>", 3) == 0) {
		if (lk->prev_anon)
			region_add(&lk->rs, lk->prev_anon_start,
			    lk->prev_anon_end, MTR_ANON, 0, "anon");
		lk->prev_anon = 0;
		lk->in_table = 0;
		return;
	}
	if (!lk->in_table)
		return;
	if (*p == '(') {
		q = p + 1;
		if (parse_dec(&q, &slot) == 0 && slot < 64 &&
		    (q = strchr(q, ')')) != NULL && q[1] == ' ') {
			free(lk->slots[slot]);
			lk->slots[slot] = xstrdup(q + 2);
		}
		return;
	}
	/* "N: KIND START-END ..." */
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ':')
		return;
	while (*p == ' ')
		p++;
	while (n < 7 && *p >= 'A' && *p <= 'z' && *p != ' ')
		kind[n++] = *p++;
	kind[n] = 0;
	while (*p == ' ')
		p++;
	if (parse_hex(&p, &start) != 0 || *p++ != '-' ||
	    parse_hex(&p, &end) != 0)
		return;
	start >>= PAGE_SHIFT;
	end = (end >> PAGE_SHIFT) + 1;
	if (lk->prev_anon) {
		/* the anon segment just below the brk reservation is the heap */
		int heap = strcmp(kind, "RSVN") == 0 && strstr(p, "SmLower");
		region_add(&lk->rs, lk->prev_anon_start, lk->prev_anon_end,
		    heap ? MTR_HEAP : MTR_ANON, 0, heap ? "heap" : "anon");
		lk->prev_anon = 0;
	}
	if (strcmp(kind, "anon") == 0) {
		if (lk->prev_smupper) {
			/* just above the stack's reservation: the stack */
			region_add(&lk->rs, start, end, MTR_STACK, 0, "stack");
		} else {
			lk->prev_anon = 1;
			lk->prev_anon_start = start;
			lk->prev_anon_end = end;
		}
	} else if (strcmp(kind, "file") == 0) {
		char name[MTR_NAME_MAX + 1] = "file";
		uint64_t off = 0;
		const char *o = strstr(p, " o="), *s = strrchr(p, '(');
		if (o != NULL) {
			o += 3;
			parse_dec(&o, &off);
		}
		q = s ? s + 1 : NULL;
		if (q != NULL && parse_dec(&q, &slot) == 0 && slot < 64 &&
		    lk->slots[slot] != NULL)
			snprintf(name, sizeof(name), "%.180s+%#" PRIx64,
			    base_name(lk->slots[slot]), off);
		region_add(&lk->rs, start, end, MTR_FILE, 1, name);
	}
	lk->prev_smupper = strcmp(kind, "RSVN") == 0 &&
	    strstr(p, "SmUpper") != NULL;
}

/* The value of the first "Success(0x...)" in the line. */
static int success(const char *line, uint64_t *v)
{
	const char *p = strstr(line, "Success(");

	if (p == NULL)
		return -1;
	p += 8;
	return parse_hex(&p, v);
}

/* Six comma-separated arguments after "sys_mmap ( ". */
static int mmap_args(const char *p, uint64_t a[6])
{
	int i;

	for (i = 0; i < 6; i++) {
		while (*p == ' ')
			p++;
		if ((p[0] == '0' && p[1] == 'x' ? parse_hex(&p, &a[i]) :
		    parse_dec(&p, &a[i])) != 0)
			return -1;
		while (*p == ' ')
			p++;
		if (*p == ',' || *p == ')')
			p++;
	}
	return 0;
}

static void lackey_syscall(struct lackey *lk, const char *line)
{
	const char *p;
	uint64_t v, a[6];

	if ((p = strstr(line, "sys_openat ( ")) != NULL ||
	    (p = strstr(line, "sys_open ( ")) != NULL) {
		const char *s = strchr(p, '('), *e;
		lk->pending_open[0] = 0;
		s = s ? strchr(s + 1, '(') : NULL;
		e = s ? strchr(s, ')') : NULL;
		if (s != NULL && e != NULL && e - s - 1 < 500)
			snprintf(lk->pending_open, sizeof(lk->pending_open),
			    "%.*s", (int)(e - s - 1), s + 1);
		p = strstr(p, "-->");
		if (p == NULL || strstr(p, "[async]") != NULL)
			return;
	}
	if (strstr(line, "[async] --> ") != NULL ||
	    strstr(line, "sys_open") != NULL) {
		if (lk->pending_open[0] && success(line, &v) == 0 &&
		    v < 1024) {
			free(lk->fds[v]);
			lk->fds[v] = xstrdup(lk->pending_open);
		}
		lk->pending_open[0] = 0;
		return;
	}
	if ((p = strstr(line, "sys_mmap ( ")) != NULL) {
		if (mmap_args(p + 11, a) != 0 || success(line, &v) != 0)
			return;
		if ((a[3] & 0x20) || a[4] >= 1024 || lk->fds[a[4]] == NULL) {
			region_add(&lk->rs, v >> PAGE_SHIFT,
			    (v + a[1] + 4095) >> PAGE_SHIFT, MTR_ANON, 0,
			    "anon");
		} else {
			char name[MTR_NAME_MAX + 1];
			snprintf(name, sizeof(name), "%.180s+%#" PRIx64,
			    base_name(lk->fds[a[4]]), a[5]);
			region_add(&lk->rs, v >> PAGE_SHIFT,
			    (v + a[1] + 4095) >> PAGE_SHIFT, MTR_FILE, 1,
			    name);
		}
		return;
	}
	if ((p = strstr(line, "sys_brk ( ")) != NULL) {
		if (success(line, &v) != 0)
			return;
		if (lk->brk_start == 0)
			lk->brk_start = v;
		if (v > lk->brk_end)
			lk->brk_end = v;
	}
}

static void lackey_free(struct lackey *lk)
{
	int i;

	for (i = 0; i < 64; i++)
		free(lk->slots[i]);
	for (i = 0; i < 1024; i++)
		free(lk->fds[i]);
	free(lk->rs.r);
}

static int finish(struct collapse *c, struct regions *rs,
    struct mtr_writer *w, struct mtr_import_stats *st, const char *out,
    char *err, size_t errlen)
{
	struct maplist ml = { 0 };
	int rc;

	drain(c, 1);
	if (c->failed) {
		seterr(err, errlen, "%s: cannot write the trace", out);
		return -1;
	}
	build_mappings(c, rs, &ml);
	rc = mtr_writer_finish(w, ml.m, ml.n, err, errlen);
	st->refs = c->refs;
	st->records = c->emitted;
	st->mappings = (uint64_t)ml.n;
	free(ml.m);
	return rc;
}

int mtr_import_lackey(FILE *in, const char *inname, const char *out,
    struct mtr_import_stats *st, char *err, size_t errlen)
{
	struct lackey lk;
	struct mtr_writer *w;
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t len;
	int rc = -1, seen = 0;

	memset(&lk, 0, sizeof(lk));
	memset(st, 0, sizeof(*st));
	w = mtr_writer_create(out, MTR_SRC_LACKEY, err, errlen);
	if (w == NULL)
		return -1;
	lk.c = collapse_create(w);
	while ((len = getline(&line, &cap, in)) > 0) {
		st->lines++;
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if ((line[0] == 'I' && line[1] == ' ' && line[2] == ' ') ||
		    (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' ||
		    line[1] == 'M') && line[2] == ' ')) {
			if (lackey_access(&lk, line) != 0) {
				seterr(err, errlen, "%s:%" PRIu64 ": not a "
				    "lackey access line: '%.60s'", inname,
				    st->lines, line);
				goto out;
			}
			continue;
		}
		if (strncmp(line, "==", 2) == 0) {
			if (strstr(line, "Lackey") != NULL)
				seen = 1;
			continue;
		}
		if (strncmp(line, "SYSCALL[", 8) == 0) {
			lackey_syscall(&lk, line);
			continue;
		}
		if (strncmp(line, "--", 2) == 0 &&
		    (p = strstr(line, " aspacem ")) != NULL) {
			lackey_aspacem(&lk, p + 9);
			continue;
		}
		/* other debug and program output is not ours to read */
	}
	if (ferror(in)) {
		seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
		goto out;
	}
	if (!seen || lk.c->refs == 0) {
		seterr(err, errlen, "%s: not lackey output (no \"Lackey\" "
		    "banner or no memory accesses; record with "
		    "valgrind --tool=lackey --trace-mem=yes)", inname);
		goto out;
	}
	if (lk.brk_end > lk.brk_start)
		region_add(&lk.rs, lk.brk_start >> PAGE_SHIFT,
		    (lk.brk_end + 4095) >> PAGE_SHIFT, MTR_HEAP, 0, "heap");
	rc = finish(lk.c, &lk.rs, w, st, out, err, errlen);
out:
	free(line);
	collapse_destroy(lk.c);
	lackey_free(&lk);
	mtr_writer_destroy(w);
	return rc;
}

/* ---- object traces: oracleGeneral and CSV ---- */
struct objmap {
	struct collapse *c;
	struct u64map ids;	/* object id -> first page + 1 */
	uint64_t next_page;
	const struct mtr_import_opts *o;
};

static uint64_t obj_pages(const struct objmap *om, uint64_t size)
{
	uint64_t s = om->o->object_size ? om->o->object_size : size;

	if (om->o->pages_per_object)
		return om->o->pages_per_object;
	return s == 0 ? 1 : (s + 4095) / 4096;
}

static void obj_ref(struct objmap *om, uint64_t id, uint64_t size,
    enum mtr_op op)
{
	uint64_t *slot, first, n, k;
	int isnew;

	slot = map_get(&om->ids, id, &isnew);
	n = obj_pages(om, size);
	if (isnew) {
		*slot = om->next_page + 1;
		om->next_page += n;
	}
	first = *slot - 1;
	/* an object keeps the pages its first reference gave it */
	for (k = 0; k < n; k++)
		ref(om->c, first + k, op);
}

static int obj_finish(struct objmap *om, struct mtr_writer *w,
    struct mtr_import_stats *st, const char *out, char *err, size_t errlen)
{
	struct regions rs = { 0 };
	int rc;

	region_add(&rs, 0, om->next_page, MTR_ANON, 0, "objects");
	rc = finish(om->c, &rs, w, st, out, err, errlen);
	free(rs.r);
	return rc;
}

static void obj_cleanup(struct objmap *om, struct mtr_writer *w, int rc)
{
	collapse_destroy(om->c);
	map_free(&om->ids);
	mtr_writer_destroy(w);
	(void)rc;
}

/*
 * libCacheSim's oracleGeneral: little-endian packed records of
 * { uint32 timestamp; uint64 obj_id; uint32 obj_size; int64
 * next_access_vtime }, 24 bytes each, no header.
 */
int mtr_import_oracle(FILE *in, const char *inname, const char *out,
    const struct mtr_import_opts *o, struct mtr_import_stats *st,
    char *err, size_t errlen)
{
	struct objmap om = { 0 };
	struct mtr_writer *w;
	uint8_t b[24];
	uint64_t id;
	uint32_t size;
	size_t n;
	int rc = -1, i;

	memset(st, 0, sizeof(*st));
	w = mtr_writer_create(out, MTR_SRC_ORACLE, err, errlen);
	if (w == NULL)
		return -1;
	om.c = collapse_create(w);
	om.o = o;
	while ((n = fread(b, 1, sizeof(b), in)) == sizeof(b)) {
		st->lines++;
		for (id = 0, i = 7; i >= 0; i--)
			id = id << 8 | b[4 + i];
		size = (uint32_t)b[12] | (uint32_t)b[13] << 8 |
		    (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24;
		obj_ref(&om, id, size, MTR_READ);
	}
	if (ferror(in)) {
		seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
	} else if (n != 0) {
		seterr(err, errlen, "%s: not oracleGeneral: %zu bytes left "
		    "after record %" PRIu64 " (records are 24 bytes)", inname,
		    n, st->lines);
	} else if (st->lines == 0) {
		seterr(err, errlen, "%s: empty oracleGeneral trace", inname);
	} else {
		rc = obj_finish(&om, w, st, out, err, errlen);
	}
	obj_cleanup(&om, w, rc);
	return rc;
}

/* FNV-1a of an object id that is not a number. */
static uint64_t hash_id(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* A CSV field: [s, e); the next field starts after the comma. */
static const char *csv_field(const char *p, const char **e)
{
	const char *c = strchr(p, ',');

	*e = c ? c : p + strlen(p);
	return c ? c + 1 : NULL;
}

static enum mtr_op csv_op(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);
	static const char *const writes[] = {
		"w", "W", "write", "WRITE", "Write", "set", "SET", "put",
		"PUT", "store", "update", NULL,
	};
	int i;

	for (i = 0; writes[i] != NULL; i++)
		if (strlen(writes[i]) == n && strncmp(s, writes[i], n) == 0)
			return MTR_WRITE;
	return MTR_READ;
}

/* time,object id,size,op: a header line, and an op column, optional. */
int mtr_import_csv(FILE *in, const char *inname, const char *out,
    const struct mtr_import_opts *o, struct mtr_import_stats *st,
    char *err, size_t errlen)
{
	struct objmap om = { 0 };
	struct mtr_writer *w;
	char *line = NULL;
	const char *f[4], *e[4], *p, *q;
	size_t cap = 0;
	ssize_t len;
	uint64_t id, size;
	int rc = -1, k;

	memset(st, 0, sizeof(*st));
	w = mtr_writer_create(out, MTR_SRC_CSV, err, errlen);
	if (w == NULL)
		return -1;
	om.c = collapse_create(w);
	om.o = o;
	while ((len = getline(&line, &cap, in)) > 0) {
		st->lines++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		p = line;
		for (k = 0; k < 4; k++) {
			f[k] = p;
			if (p == NULL) {
				e[k] = NULL;
				continue;
			}
			p = csv_field(p, &e[k]);
		}
		if (f[2] == NULL) {
			seterr(err, errlen, "%s:%" PRIu64 ": expected time,"
			    "object id,size[,op], got '%.60s'", inname,
			    st->lines, line);
			goto out;
		}
		q = f[2];
		if (parse_dec(&q, &size) != 0 || q != e[2]) {
			if (st->lines == 1)
				continue;	/* a header */
			seterr(err, errlen, "%s:%" PRIu64 ": size '%.*s' is "
			    "not a whole number of bytes", inname, st->lines,
			    (int)(e[2] - f[2] > 40 ? 40 : e[2] - f[2]), f[2]);
			goto out;
		}
		q = f[1];
		if (parse_dec(&q, &id) != 0 || q != e[1])
			id = hash_id(f[1], (size_t)(e[1] - f[1]));
		obj_ref(&om, id, size, f[3] ? csv_op(f[3], e[3]) : MTR_READ);
	}
	if (ferror(in)) {
		seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
		goto out;
	}
	if (om.c->refs == 0) {
		seterr(err, errlen, "%s: no references in the CSV", inname);
		goto out;
	}
	rc = obj_finish(&om, w, st, out, err, errlen);
out:
	free(line);
	obj_cleanup(&om, w, rc);
	return rc;
}
