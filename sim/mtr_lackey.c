/*
 * mtr_lackey: see mtr_lackey.h.
 *
 * Lackey writes one line per memory access ("I  addr,size" for an
 * instruction fetch, " L", " S", " M" for a load, store or modify); an
 * access is a reference to every page it covers (mtr_collect.c makes
 * the records).  The mappings come from valgrind's own address-space
 * tables (-d: "file"/"anon" segments of the client, with the names of
 * the files) and from the mmap/brk system calls in between
 * (--trace-syscalls=yes).
 */
#include "mtr_lackey.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtr.h"
#include "mtr_collect.h"
#include "xmalloc.h"

#define PAGE_SHIFT	MTR_PAGE_SHIFT

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

struct lackey {
	struct mtr_collect *c;
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
		mtr_collect_ref(lk->c, v, op);
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
			mtr_collect_region(lk->c, lk->prev_anon_start,
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
		mtr_collect_region(lk->c, lk->prev_anon_start, lk->prev_anon_end,
		    heap ? MTR_HEAP : MTR_ANON, 0, heap ? "heap" : "anon");
		lk->prev_anon = 0;
	}
	if (strcmp(kind, "anon") == 0) {
		if (lk->prev_smupper) {
			/* just above the stack's reservation: the stack */
			mtr_collect_region(lk->c, start, end, MTR_STACK, 0, "stack");
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
		mtr_collect_region(lk->c, start, end, MTR_FILE, 1, name);
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
			mtr_collect_region(lk->c, v >> PAGE_SHIFT,
			    (v + a[1] + 4095) >> PAGE_SHIFT, MTR_ANON, 0,
			    "anon");
		} else {
			char name[MTR_NAME_MAX + 1];
			snprintf(name, sizeof(name), "%.180s+%#" PRIx64,
			    base_name(lk->fds[a[4]]), a[5]);
			mtr_collect_region(lk->c, v >> PAGE_SHIFT,
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
}

int mtr_lackey_import(FILE *in, const char *inname, const char *out,
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
	lk.c = mtr_collect_create(w);
	while ((len = getline(&line, &cap, in)) > 0) {
		st->lines++;
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if ((line[0] == 'I' && line[1] == ' ' && line[2] == ' ') ||
		    (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' ||
		    line[1] == 'M') && line[2] == ' ')) {
			if (lackey_access(&lk, line) != 0) {
				mtr_seterr(err, errlen, "%s:%" PRIu64 ": not a "
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
		mtr_seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
		goto out;
	}
	if (!seen || mtr_collect_refs(lk.c) == 0) {
		mtr_seterr(err, errlen, "%s: not lackey output (no \"Lackey\" "
		    "banner or no memory accesses; record with "
		    "valgrind --tool=lackey --trace-mem=yes)", inname);
		goto out;
	}
	if (lk.brk_end > lk.brk_start)
		mtr_collect_region(lk.c, lk.brk_start >> PAGE_SHIFT,
		    (lk.brk_end + 4095) >> PAGE_SHIFT, MTR_HEAP, 0, "heap");
	rc = mtr_collect_finish(lk.c, st, out, err, errlen);
out:
	free(line);
	mtr_collect_destroy(lk.c);
	lackey_free(&lk);
	mtr_writer_destroy(w);
	return rc;
}
