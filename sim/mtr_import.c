/*
 * mtr_import: see mtr_import.h.  An object trace names objects, not
 * addresses: each object id is given pages of its own, in the order the
 * ids first appear, as many as its size (or the options) says, and a
 * reference to the object is a reference to each of them; all of them
 * are one anonymous mapping, "objects".
 */
#include "mtr_import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtr.h"
#include "mtr_collect.h"
#include "u64map.h"

struct objmap {
	struct mtr_collect *c;
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

	slot = u64map_get(&om->ids, id, &isnew);
	n = obj_pages(om, size);
	if (isnew) {
		*slot = om->next_page + 1;
		om->next_page += n;
	}
	first = *slot - 1;
	/* an object keeps the pages its first reference gave it */
	for (k = 0; k < n; k++)
		mtr_collect_ref(om->c, first + k, op);
}

static int obj_finish(struct objmap *om, struct mtr_import_stats *st,
    const char *out, char *err, size_t errlen)
{
	mtr_collect_region(om->c, 0, om->next_page, MTR_ANON, 0, "objects");
	return mtr_collect_finish(om->c, st, out, err, errlen);
}

static void obj_cleanup(struct objmap *om, struct mtr_writer *w, int rc)
{
	mtr_collect_destroy(om->c);
	u64map_free(&om->ids);
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
	om.c = mtr_collect_create(w);
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
		mtr_seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
	} else if (n != 0) {
		mtr_seterr(err, errlen, "%s: not oracleGeneral: %zu bytes left "
		    "after record %" PRIu64 " (records are 24 bytes)", inname,
		    n, st->lines);
	} else if (st->lines == 0) {
		mtr_seterr(err, errlen, "%s: empty oracleGeneral trace", inname);
	} else {
		rc = obj_finish(&om, st, out, err, errlen);
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

/* The field [s, e) as a decimal number: digits only, and no overflow. */
static int csv_number(const char *s, const char *e, uint64_t *v)
{
	uint64_t x = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
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
	const char *f[4], *e[4], *p;
	size_t cap = 0;
	ssize_t len;
	uint64_t id, size;
	int rc = -1, k;

	memset(st, 0, sizeof(*st));
	w = mtr_writer_create(out, MTR_SRC_CSV, err, errlen);
	if (w == NULL)
		return -1;
	om.c = mtr_collect_create(w);
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
			mtr_seterr(err, errlen, "%s:%" PRIu64 ": expected time,"
			    "object id,size[,op], got '%.60s'", inname,
			    st->lines, line);
			goto out;
		}
		if (csv_number(f[2], e[2], &size) != 0) {
			if (st->lines == 1)
				continue;	/* a header */
			mtr_seterr(err, errlen, "%s:%" PRIu64 ": size '%.*s' is "
			    "not a whole number of bytes", inname, st->lines,
			    (int)(e[2] - f[2] > 40 ? 40 : e[2] - f[2]), f[2]);
			goto out;
		}
		if (csv_number(f[1], e[1], &id) != 0)
			id = hash_id(f[1], (size_t)(e[1] - f[1]));
		obj_ref(&om, id, size, f[3] ? csv_op(f[3], e[3]) : MTR_READ);
	}
	if (ferror(in)) {
		mtr_seterr(err, errlen, "%s: cannot read: %s", inname,
		    strerror(errno));
		goto out;
	}
	if (mtr_collect_refs(om.c) == 0) {
		mtr_seterr(err, errlen, "%s: no references in the CSV", inname);
		goto out;
	}
	rc = obj_finish(&om, st, out, err, errlen);
out:
	free(line);
	obj_cleanup(&om, w, rc);
	return rc;
}
