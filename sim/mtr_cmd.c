/*
 * mtr_cmd: see mtr_cmd.h.
 *
 *   memsim trace import lackey|oracleGeneral|csv -o OUT.mtr [INPUT|-]
 *              [--object-size SIZE] [--pages-per-object N]
 *   memsim trace dump FILE [--expand]
 *   memsim trace stats FILE [--plot DIR]
 *
 * Exit status: 0, 2 for usage and for a bad input (unknown format,
 * corrupt, truncated or newer trace: one line naming the file and what),
 * 1 when an output cannot be written.  A failed import leaves no file.
 *
 * The reuse distance of a reference is the number of distinct other
 * pages referenced since the previous reference to its page (LRU stack
 * distance, counted in records: the repeats of a record have distance
 * 0).  A reference hits in an LRU memory of C pages exactly when its
 * distance is below C, so the histogram is also the miss-ratio curve.
 */
#define _POSIX_C_SOURCE 200809L
#include "mtr_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "mtr.h"
#include "mtr_import.h"
#include "mtr_lackey.h"
#include "units.h"
#include "xmalloc.h"

#define NBUCKETS	40	/* reuse distances: 0, 1, 2-3, 4-7, ... */

extern const char embed_mrc_gp[];

static void usage(void)
{
	fprintf(stderr,
	    "usage: memsim trace import lackey|oracleGeneral|csv -o OUT.mtr "
	    "[INPUT|-]\n"
	    "                  [--object-size SIZE] [--pages-per-object N]\n"
	    "       memsim trace dump FILE [--expand]\n"
	    "       memsim trace stats FILE [--plot DIR]\n"
	    "       memsim trace decode FILE [--loop N]\n");
}

static int cmd_import(int argc, char **argv)
{
	struct mtr_import_opts o = { 0 };
	struct mtr_import_stats st;
	const char *fmt = NULL, *in = NULL, *out = NULL;
	char err[512];
	FILE *f;
	int i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
		    NULL;
		if (strcmp(a, "-o") == 0 || strcmp(a, "--object-size") == 0 ||
		    strcmp(a, "--pages-per-object") == 0) {
			if (v == NULL)
				return cli_die(CLI_EXIT_USAGE, "%s needs a value", a);
			i++;
			if (a[1] == 'o') {
				out = v;
			} else if (a[2] == 'o') {
				if (units_size(v, &o.object_size, err,
				    sizeof(err)) != 0 || o.object_size == 0)
					return cli_die(CLI_EXIT_USAGE, "--object-size:"
					    " %s", o.object_size == 0 &&
					    err[0] == 0 ? "must be > 0" : err);
			} else {
				char *end;
				errno = 0;
				o.pages_per_object = strtoull(v, &end, 10);
				if (errno || *end || v[0] < '1' || v[0] > '9')
					return cli_die(CLI_EXIT_USAGE, "--pages-per-"
					    "object %s: expected a positive "
					    "whole number", v);
			}
		} else if (a[0] == '-' && a[1] != 0) {
			return cli_die(CLI_EXIT_USAGE, "trace import: unknown option "
			    "'%s'", a);
		} else if (fmt == NULL) {
			fmt = a;
		} else if (in == NULL) {
			in = a;
		} else {
			return cli_die(CLI_EXIT_USAGE, "trace import: unexpected "
			    "argument '%s'", a);
		}
	}
	if (fmt == NULL || out == NULL) {
		usage();
		return CLI_EXIT_USAGE;
	}
	if (strcmp(fmt, "lackey") != 0 && strcmp(fmt, "oracleGeneral") != 0 &&
	    strcmp(fmt, "csv") != 0)
		return cli_die(CLI_EXIT_USAGE, "trace import: unknown format '%s' "
		    "(known: lackey, oracleGeneral, csv)", fmt);
	if ((o.object_size || o.pages_per_object) && fmt[0] == 'l')
		return cli_die(CLI_EXIT_USAGE, "trace import lackey: --object-size "
		    "and --pages-per-object are for object traces");
	if (in == NULL || strcmp(in, "-") == 0) {
		f = stdin;
		in = "(stdin)";
	} else if ((f = fopen(in, "rb")) == NULL) {
		return cli_die(CLI_EXIT_USAGE, "%s: cannot read: %s", in,
		    strerror(errno));
	}
	err[0] = 0;
	if (fmt[0] == 'l')
		rc = mtr_lackey_import(f, in, out, &st, err, sizeof(err));
	else if (fmt[0] == 'o')
		rc = mtr_import_oracle(f, in, out, &o, &st, err, sizeof(err));
	else
		rc = mtr_import_csv(f, in, out, &o, &st, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		return cli_die(strstr(err, "cannot write") ? CLI_EXIT_ENV : CLI_EXIT_USAGE,
		    "%s", err);
	printf("%s: %" PRIu64 " references in %" PRIu64 " records, %" PRIu64
	    " mappings (from %" PRIu64 " input %s)\n", out, st.refs,
	    st.records, st.mappings, st.lines, fmt[0] == 'o' ? "records" :
	    "lines");
	return 0;
}

static int open_trace(const char *path, struct mtr_trace *t)
{
	char err[600];

	if (mtr_open(path, t, err, sizeof(err)) != 0)
		return cli_die(CLI_EXIT_USAGE, "%s", err);
	return 0;
}

static void print_header(const struct mtr_trace *t)
{
	int i;

	printf("# %s: mtr version %d, from %s, page size %u, %" PRIu64
	    " references in %" PRIu64 " records, %" PRIu64 " blocks\n",
	    t->path, t->version, mtr_source_name(t->source), t->page_size,
	    t->nrefs, t->nrecords, t->nblocks);
	for (i = 0; i < t->nmaps; i++)
		printf("# mapping %d: %#" PRIx64 " %" PRIu64 " pages %s %s\n",
		    i + 1, t->maps[i].start << MTR_PAGE_SHIFT,
		    t->maps[i].npages, mtr_kind_name(t->maps[i].kind),
		    t->maps[i].name);
}

/*
 * Walk every record; fn gets each with its mapping (-1: none, which a
 * valid trace does not have).  Returns 0 or the exit status.
 */
static int walk(const struct mtr_trace *t,
    int (*fn)(void *, const struct mtr_rec *, int), void *ctx)
{
	struct mtr_cursor c;
	struct mtr_rec r;
	char err[600];
	int rc, m = -1;

	mtr_cursor_init(&c, t);
	while ((rc = mtr_cursor_load(&c, err, sizeof(err))) == 1) {
		while ((rc = mtr_cursor_next(&c, &r)) == 1) {
			if (m < 0 || r.vpn < t->maps[m].start ||
			    r.vpn >= t->maps[m].start + t->maps[m].npages)
				m = mtr_mapping_of(t, r.vpn);
			if (m < 0) {
				mtr_cursor_fini(&c);
				return cli_die(CLI_EXIT_USAGE, "%s: corrupt trace: "
				    "page %#" PRIx64 " is in no mapping",
				    t->path, r.vpn << MTR_PAGE_SHIFT);
			}
			if ((rc = fn(ctx, &r, m)) != 0) {
				mtr_cursor_fini(&c);
				return rc;
			}
		}
		if (rc < 0) {
			snprintf(err, sizeof(err), "%s: corrupt trace: block "
			    "%" PRIu64 " does not decode", t->path, c.block);
			break;
		}
	}
	mtr_cursor_fini(&c);
	if (rc < 0)
		return cli_die(CLI_EXIT_USAGE, "%s", err);
	return 0;
}

struct dump {
	const struct mtr_trace *t;
	int expand;
};

static int dump_rec(void *ctx, const struct mtr_rec *r, int m)
{
	struct dump *d = ctx;
	uint64_t k, n = d->expand ? r->count : 1;

	for (k = 0; k < n; k++)
		if (printf("%#" PRIx64 " %s %" PRIu64 " %d\n",
		    r->vpn << MTR_PAGE_SHIFT, mtr_op_name(r->op),
		    d->expand ? 1 : r->count, m + 1) < 0)
			return CLI_EXIT_ENV;
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	struct mtr_trace t;
	struct dump d = { &t, 0 };
	const char *path = NULL;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--expand") == 0)
			d.expand = 1;
		else if (argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else
			return cli_die(CLI_EXIT_USAGE, "trace dump: unexpected "
			    "argument '%s'", argv[i]);
	}
	if (path == NULL) {
		usage();
		return CLI_EXIT_USAGE;
	}
	if ((rc = open_trace(path, &t)) != 0)
		return rc;
	print_header(&t);
	printf("# address op count mapping\n");
	rc = walk(&t, dump_rec, &d);
	mtr_close(&t);
	if (rc == 0 && fflush(stdout) != 0)
		rc = cli_die(CLI_EXIT_ENV, "cannot write the dump: %s",
		    strerror(errno));
	return rc;
}

/* ---- stats ---- */
struct stats {
	const struct mtr_trace *t;
	uint64_t ops[3], rec_ops[3];
	uint64_t *map_refs, *map_pages;
	/* reuse distances: a Fenwick tree over record times */
	uint32_t *bit;
	uint64_t n, now;
	void *last;		/* page -> last time + 1 */
	uint64_t hist[NBUCKETS], cold, distinct;
};

/* A small open-addressing map page -> (last time + 1, mapping). */
struct lastmap {
	uint64_t *keys, *vals;
	size_t cap, n;
};

static uint64_t hmix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	return x;
}

static uint64_t *last_slot(struct lastmap *m, uint64_t key);

static void last_grow(struct lastmap *m)
{
	struct lastmap o = *m;
	size_t i;

	m->cap = o.cap ? o.cap * 2 : 1 << 16;
	m->keys = xmalloc(m->cap * sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	m->n = 0;
	for (i = 0; i < o.cap; i++)
		if (o.vals[i])
			*last_slot(m, o.keys[i]) = o.vals[i];
	free(o.keys);
	free(o.vals);
}

static uint64_t *last_slot(struct lastmap *m, uint64_t key)
{
	size_t i;

	if (m->n * 2 >= m->cap)
		last_grow(m);
	for (i = hmix(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->vals[i] == 0) {
			m->keys[i] = key;
			m->n++;	/* counted now: the caller fills it */
			return &m->vals[i];
		}
		if (m->keys[i] == key)
			return &m->vals[i];
	}
}

static void bit_add(struct stats *s, uint64_t i, int v)
{
	for (i++; i <= s->n; i += i & -i)
		s->bit[i - 1] = (uint32_t)((int64_t)s->bit[i - 1] + v);
}

static uint64_t bit_sum(const struct stats *s, uint64_t i)	/* [0, i) */
{
	uint64_t sum = 0;

	for (; i > 0; i -= i & -i)
		sum += s->bit[i - 1];
	return sum;
}

static int bucket(uint64_t d)
{
	int b = 0;

	while (d > 0 && b < NBUCKETS - 1) {
		d >>= 1;
		b++;
	}
	return b;	/* 0: d = 0; b: 2^(b-1) <= d < 2^b */
}

static int stats_rec(void *ctx, const struct mtr_rec *r, int m)
{
	struct stats *s = ctx;
	struct lastmap *lm = s->last;
	uint64_t *slot = last_slot(lm, r->vpn), d;

	s->ops[r->op] += r->count;
	s->rec_ops[r->op]++;
	s->map_refs[m] += r->count;
	if (*slot == 0) {
		s->cold++;
		s->distinct++;
		s->map_pages[m]++;
	} else {
		d = bit_sum(s, s->now) - bit_sum(s, *slot);
		bit_add(s, *slot - 1, -1);
		s->hist[bucket(d)]++;
	}
	s->hist[0] += r->count - 1;
	bit_add(s, s->now, 1);
	*slot = ++s->now;
	return 0;
}

static void print_stats(const struct stats *s)
{
	const struct mtr_trace *t = s->t;
	uint64_t hits = t->nrefs - s->cold, cum = 0, lo;
	int i, top = 0;

	printf("references      %" PRIu64 " (%" PRIu64 " records)\n",
	    t->nrefs, t->nrecords);
	printf("distinct pages  %" PRIu64 " (%.1f MiB footprint)\n",
	    s->distinct, (double)s->distinct * 4096 / (1 << 20));
	printf("reads           %" PRIu64 "\nwrites          %" PRIu64
	    "\ninstr fetches   %" PRIu64 "\n", s->ops[MTR_READ],
	    s->ops[MTR_WRITE], s->ops[MTR_EXEC]);
	for (i = 0; i < t->nmaps; i++)
		printf("mapping %-3d     %-12s %8" PRIu64 " pages, %8" PRIu64
		    " touched, %12" PRIu64 " refs  %s\n", i + 1,
		    mtr_kind_name(t->maps[i].kind), t->maps[i].npages,
		    s->map_pages[i], s->map_refs[i], t->maps[i].name);
	for (i = 0; i < NBUCKETS; i++)
		if (s->hist[i])
			top = i;
	printf("reuse distance (distinct pages between two references to "
	    "a page), and the LRU\nmiss ratio of a memory of that many "
	    "pages:\n");
	printf("  %-18s %14s %10s\n", "distance", "references", "miss "
	    "ratio");
	printf("  %-18s %14" PRIu64 "\n", "cold (first)", s->cold);
	for (i = 0; i <= top; i++) {
		char range[40];
		lo = i == 0 ? 0 : 1ULL << (i - 1);
		if (i <= 1)
			snprintf(range, sizeof(range), "%" PRIu64, lo);
		else
			snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64,
			    lo, ((uint64_t)1 << i) - 1);
		cum += s->hist[i];
		/* a memory of 2^i pages misses distances >= 2^i */
		printf("  %-18s %14" PRIu64 " %10.4f\n", range, s->hist[i],
		    t->nrefs ? (double)(t->nrefs - cum) / (double)t->nrefs :
		    0);
	}
	(void)hits;
}

static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static int plot_stats(const struct stats *s, const char *dir)
{
	const struct mtr_trace *t = s->t;
	const char *base = strrchr(t->path, '/');
	char out[1024], ttl[700];
	uint64_t cum = 0;
	size_t n, i;
	FILE *f;
	int st, b;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return cli_die(CLI_EXIT_ENV, "%s: cannot create: %s", dir,
		    strerror(errno));
	base = base ? base + 1 : t->path;
	n = (size_t)snprintf(out, sizeof(out), "%s/trace_", dir);
	for (i = 0; base[i] != '\0' && strcmp(base + i, ".mtr") != 0 &&
	    n + 1 < sizeof(out); i++)
		out[n++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		    "QRSTUVWXYZ0123456789_.-", base[i]) ? base[i] : '_';
	out[n] = 0;
	snprintf(ttl, sizeof(ttl), "%s: %" PRIu64 " references, %" PRIu64
	    " distinct pages", base, t->nrefs, s->distinct);
	fflush(NULL);
	f = popen("gnuplot", "w");
	if (f == NULL)
		return cli_die(CLI_EXIT_ENV, "cannot run gnuplot: %s",
		    strerror(errno));
	fprintf(f, "out = ");
	gp_str(f, out);
	fprintf(f, "\nttl = ");
	gp_str(f, ttl);
	fprintf(f, "\n$mrc << EOD\n");
	/* memory of 2^b pages: references, miss ratio */
	for (b = 0; b < NBUCKETS; b++) {
		cum += s->hist[b];
		fprintf(f, "%" PRIu64 " %" PRIu64 " %.6f\n", (uint64_t)1 << b,
		    s->hist[b], t->nrefs ? (double)(t->nrefs - cum) /
		    (double)t->nrefs : 0);
		if (cum + s->cold >= t->nrefs && (1ULL << b) > s->distinct)
			break;
	}
	fprintf(f, "EOD\n");
	fputs(embed_mrc_gp, f);
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cli_die(CLI_EXIT_ENV, "gnuplot failed on %s%s", out,
		    WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (gnuplot is "
		    "not installed: scripts/setup.sh installs gnuplot-nox)" :
		    "");
	printf("wrote %s.png and %s.svg\n", out, out);
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct mtr_trace t;
	struct stats s;
	struct lastmap lm = { 0 };
	const char *path = NULL, *plot = NULL;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc)
			plot = argv[++i];
		else if (argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else
			return cli_die(CLI_EXIT_USAGE, "trace stats: unexpected "
			    "argument '%s'", argv[i]);
	}
	if (path == NULL) {
		usage();
		return CLI_EXIT_USAGE;
	}
	if ((rc = open_trace(path, &t)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.t = &t;
	s.n = t.nrecords;
	s.bit = xcalloc(s.n + 1, sizeof(*s.bit));
	s.map_refs = xcalloc((size_t)t.nmaps + 1, sizeof(uint64_t));
	s.map_pages = xcalloc((size_t)t.nmaps + 1, sizeof(uint64_t));
	s.last = &lm;
	rc = walk(&t, stats_rec, &s);
	if (rc == 0) {
		print_stats(&s);
		if (plot != NULL)
			rc = plot_stats(&s, plot);
	}
	free(s.bit);
	free(s.map_refs);
	free(s.map_pages);
	free(lm.keys);
	free(lm.vals);
	mtr_close(&t);
	return rc;
}

/*
 * Decode every record N times and do nothing else: the raw decode speed
 * a replay is measured against (bench/replay_bench.sh), and a check that
 * every block decodes.
 */
static int cmd_decode(int argc, char **argv)
{
	struct mtr_trace t;
	struct mtr_cursor c;
	struct mtr_rec r;
	const char *path = NULL;
	uint64_t loop = 1, n, recs = 0, refs = 0, sum = 0;
	char err[600];
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0 && i + 1 < argc) {
			if (cli_parse_u64(argv[++i], &loop) != 0 || loop == 0)
				return cli_die(CLI_EXIT_USAGE, "trace decode: --loop "
				    "%s: expected a positive whole number",
				    argv[i]);
		} else if (argv[i][0] != '-' && path == NULL) {
			path = argv[i];
		} else {
			return cli_die(CLI_EXIT_USAGE, "trace decode: unexpected "
			    "argument '%s'", argv[i]);
		}
	}
	if (path == NULL) {
		usage();
		return CLI_EXIT_USAGE;
	}
	if ((rc = open_trace(path, &t)) != 0)
		return rc;
	mtr_cursor_init(&c, &t);
	for (n = 0; n < loop && rc == 0; n++) {
		mtr_cursor_rewind(&c);
		while ((rc = mtr_cursor_load(&c, err, sizeof(err))) == 1) {
			while ((rc = mtr_cursor_next(&c, &r)) == 1) {
				recs++;
				refs += r.count;
				sum += r.vpn ^ (uint64_t)r.op;
			}
			if (rc < 0) {
				snprintf(err, sizeof(err), "%s: block %llu does "
				    "not decode", path,
				    (unsigned long long)c.block);
				break;
			}
		}
	}
	mtr_cursor_fini(&c);
	mtr_close(&t);
	if (rc < 0)
		return cli_die(CLI_EXIT_USAGE, "%s", err);
	printf("%" PRIu64 " records, %" PRIu64 " references decoded "
	    "(checksum %016" PRIx64 ")\n", recs, refs, sum);
	return 0;
}

int mtr_cmd_main(int argc, char **argv)
{
	if (argc < 1) {
		usage();
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[0], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[0], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(argv[0], "stats") == 0)
		return cmd_stats(argc - 1, argv + 1);
	if (strcmp(argv[0], "decode") == 0)
		return cmd_decode(argc - 1, argv + 1);
	usage();
	return CLI_EXIT_USAGE;
}
