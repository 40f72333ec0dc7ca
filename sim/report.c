/*
 * report: see report.h.
 *
 * The table is laid out in two passes (cells first, then widths), and
 * widths count characters, not bytes: the interval is written with an
 * en dash.  Plots go to gnuplot through a pipe: memsim writes the data
 * as gnuplot datablocks and a few variables, then the script; gnuplot
 * writes the files.  No temporary files, nothing to clean up.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "report_table.h"
#include "store.h"
#include "xmalloc.h"


#define CELL_LEN	64

/* analyze/rate.gp and analyze/run.gp, compiled in (meson.build) */
extern const char embed_rate_gp[];
extern const char embed_run_gp[];

/* The thresholds drawn on a run's plot, when its counters have them. */
static const char *const thresholds[] = {
	"v_interrupt_free_min", "v_free_reserved", "v_free_min",
	"v_paging_start", NULL,
};

struct rates {
	struct store_rate *r;
	int n, cap;
};

static int add_rate(void *ctx, const struct store_rate *r)
{
	struct rates *rs = ctx;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 32;
		rs->r = xrealloc(rs->r, (size_t)rs->cap * sizeof(*rs->r));
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static int width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Append s padded to w columns to a row being built. */
static void pad(char *row, size_t len, const char *s, int w)
{
	size_t n = strlen(row);

	snprintf(row + n, len - n, "%s%*s", s, w - width(s) > 0 ?
	    w - width(s) : 0, "");
}

/* Print a row without the blanks that padded empty cells at its end. */
static void put_row(char *row)
{
	size_t n = strlen(row);

	while (n > 0 && row[n - 1] == ' ')
		row[--n] = '\0';
	printf("%s\n", row);
}

static void cell(const struct store_rate *r, char *buf, size_t len)
{
	int n;

	if (r->runs == 0) {
		snprintf(buf, len, "0/0 (%lld errors)", (long long)r->errors);
		return;
	}
	n = snprintf(buf, len, "%lld/%lld (%.1f%% [%.1f\u2013%.1f])",
	    (long long)r->deadlocks, (long long)r->runs,
	    100 * r->rate, 100 * r->wilson_low, 100 * r->wilson_high);
	if (r->panics > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " +%lld panic%s",
		    (long long)r->panics, r->panics == 1 ? "" : "s");
}

/* Where s is among names[0..n), or -1. */
static int index_of_name(char (*names)[CFG_NAME_LEN], int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int index_of_n(const long *ns, int n, long v)
{
	int i;

	for (i = 0; i < n; i++)
		if (ns[i] == v)
			return i;
	return -1;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* One scenario version's block: rows[0..n) all have its name and hash. */
struct block {
	const struct store_rate *rows;
	int n;
	char (*alloc)[CFG_NAME_LEN];
	int nalloc;
	long *ns;			/* reserve N, -1 first: the "-" row */
	int nns;
	char (*cells)[CELL_LEN];	/* nns x nalloc, "" where none */
	int64_t errors;
};

static void block_cells(struct block *b)
{
	int i, a, k;

	b->alloc = xcalloc((size_t)b->n, sizeof(*b->alloc));
	b->ns = xcalloc((size_t)b->n, sizeof(*b->ns));
	for (i = 0; i < b->n; i++) {
		if (index_of_name(b->alloc, b->nalloc, b->rows[i].allocator) < 0)
			memcpy(b->alloc[b->nalloc++], b->rows[i].allocator,
			    CFG_NAME_LEN);
		if (index_of_n(b->ns, b->nns, b->rows[i].reserve_n) < 0)
			b->ns[b->nns++] = b->rows[i].reserve_n;
		b->errors += b->rows[i].errors;
	}
	qsort(b->ns, (size_t)b->nns, sizeof(*b->ns), cmp_long);
	b->cells = xcalloc((size_t)(b->nns * b->nalloc), sizeof(*b->cells));
	for (i = 0; i < b->n; i++) {
		a = index_of_name(b->alloc, b->nalloc, b->rows[i].allocator);
		k = index_of_n(b->ns, b->nns, b->rows[i].reserve_n);
		cell(&b->rows[i], b->cells[k * b->nalloc + a], CELL_LEN);
	}
}

static void block_widths(const struct block *b, int *w)
{
	char nbuf[32];
	int a, k;

	w[0] = 1;		/* "N", and "-" for allocators without N */
	for (k = 0; k < b->nns; k++) {
		snprintf(nbuf, sizeof(nbuf), "%ld", b->ns[k]);
		if (b->ns[k] >= 0 && width(nbuf) > w[0])
			w[0] = width(nbuf);
	}
	for (a = 0; a < b->nalloc; a++) {
		w[a + 1] = width(b->alloc[a]);
		for (k = 0; k < b->nns; k++)
			if (width(b->cells[k * b->nalloc + a]) > w[a + 1])
				w[a + 1] = width(b->cells[k * b->nalloc + a]);
	}
}

static void block_print(const struct block *b)
{
	int *w = xcalloc((size_t)b->nalloc + 1, sizeof(*w));
	size_t len = (size_t)(b->nalloc + 1) * (CELL_LEN + 8) + 64;
	char *row = xmalloc(len), nbuf[32];
	int a, k;

	block_widths(b, w);
	if (b->rows[0].versions > 1)
		printf("%s (version %s; the name has %d versions, each "
		    "counted apart)\n", b->rows[0].scenario,
		    b->rows[0].version + strlen(b->rows[0].scenario) + 1,
		    b->rows[0].versions);
	else
		printf("%s\n", b->rows[0].scenario);
	snprintf(row, len, "  ");
	pad(row, len, "N", w[0]);
	for (a = 0; a < b->nalloc; a++) {
		pad(row, len, "  ", 2);
		pad(row, len, b->alloc[a], w[a + 1]);
	}
	put_row(row);
	for (k = 0; k < b->nns; k++) {
		if (b->ns[k] < 0)
			snprintf(nbuf, sizeof(nbuf), "-");
		else
			snprintf(nbuf, sizeof(nbuf), "%ld", b->ns[k]);
		snprintf(row, len, "  ");
		pad(row, len, nbuf, w[0]);
		for (a = 0; a < b->nalloc; a++) {
			pad(row, len, "  ", 2);
			pad(row, len, b->cells[k * b->nalloc + a], w[a + 1]);
		}
		put_row(row);
	}
	if (b->errors > 0)
		printf("  (%lld runs ended in error and are not counted)\n",
		    (long long)b->errors);
	free(row);
	free(w);
}

static void block_free(struct block *b)
{
	free(b->alloc);
	free(b->ns);
	free(b->cells);
}

/* Calls fn for each scenario version's rows in rs. */
static int each_scenario(const struct rates *rs,
    int (*fn)(const struct store_rate *rows, int n, void *ctx), void *ctx)
{
	int i, j, rc;

	for (i = 0; i < rs->n; i = j) {
		for (j = i; j < rs->n && strcmp(rs->r[j].scenario,
		    rs->r[i].scenario) == 0 && strcmp(rs->r[j].scenario_sha256,
		    rs->r[i].scenario_sha256) == 0; j++)
			;
		if ((rc = fn(rs->r + i, j - i, ctx)) != 0)
			return rc;
	}
	return 0;
}

static int print_block(const struct store_rate *rows, int n, void *ctx)
{
	struct block b;
	int *first = ctx;

	memset(&b, 0, sizeof(b));
	b.rows = rows;
	b.n = n;
	block_cells(&b);
	if (!*first)
		printf("\n");
	*first = 0;
	block_print(&b);
	block_free(&b);
	return 0;
}

/* ---------------------------------------------------------------------
 * Plots.
 */

/* A gnuplot string literal: single quotes, a quote doubled. */
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

static void gp_var(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	gp_str(f, value);
	fputc('\n', f);
}

/* The output path without extension: DIR/prefix_name, name sanitised. */
static void out_path(char *buf, size_t len, const char *dir,
    const char *prefix, const char *name)
{
	size_t n = (size_t)snprintf(buf, len, "%s/%s_", dir, prefix), i;

	for (i = 0; name[i] != '\0' && n + 1 < len; i++, n++)
		buf[n] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"
		    "STUVWXYZ0123456789_.-", name[i]) ? name[i] : '_';
	buf[n] = '\0';
}

/*
 * gnuplot's own messages (warnings about the data, mostly) go to a
 * file, shown only when it fails: a plot that was written needs none.
 */
static char gp_log[512];

static FILE *gp_open(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[600];
	int fd;

	fflush(NULL);
	snprintf(gp_log, sizeof(gp_log), "%s/memsim-gnuplot-XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 400 &&
	    !strchr(tmp, '\'') ? tmp : "/tmp");
	if ((fd = mkstemp(gp_log)) < 0) {
		gp_log[0] = '\0';
		return popen("gnuplot", "w");
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "gnuplot 2>'%s'", gp_log);
	return popen(cmd, "w");
}

static void gp_show_log(void)
{
	char line[512];
	FILE *f;

	if (gp_log[0] == '\0' || (f = fopen(gp_log, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '\n')
			fprintf(stderr, "  gnuplot: %s", line);
	fclose(f);
}

static int gp_close(FILE *f, const char *what)
{
	int st = pclose(f);
	int failed = st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;

	if (failed) {
		fprintf(stderr, "memsim: gnuplot failed on %s%s\n", what,
		    WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (gnuplot is "
		    "not installed: scripts/setup.sh installs gnuplot-nox)" :
		    "");
		gp_show_log();
	}
	if (gp_log[0] != '\0')
		unlink(gp_log);
	gp_log[0] = '\0';
	if (failed)
		return CLI_EXIT_ENV;
	printf("wrote %s.png and %s.svg\n", what, what);
	return 0;
}

/* Names of the allocators with (reserve) or without N, space-separated. */
static void names(const struct store_rate *rows, int n, int reserve,
    char *buf, size_t len)
{
	size_t used = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((rows[i].reserve_n >= 0) != reserve)
			continue;
		for (j = 0; j < i; j++)
			if ((rows[j].reserve_n >= 0) == reserve &&
			    strcmp(rows[j].allocator, rows[i].allocator) == 0)
				break;
		if (j == i && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used ? " " : "", rows[i].allocator);
	}
}

/*
 * $rates: one block per allocator with N (N rate lo hi), in the order
 * of `series`; $flat: per allocator without N, its rate from xmin to
 * xmax, so it draws as a horizontal line with its interval as a band.
 */
static void rate_data(FILE *f, const struct store_rate *rows, int n,
    const char *list, int reserve, double x0, double x1)
{
	char name[CFG_NAME_LEN];
	const char *p = list;
	int i, len;

	fprintf(f, "%s << EOD\n", reserve ? "$rates" : "$flat");
	while (sscanf(p, "%63s%n", name, &len) == 1) {
		p += len;
		for (i = 0; i < n; i++) {
			const struct store_rate *r = &rows[i];

			if ((r->reserve_n >= 0) != reserve || r->runs == 0 ||
			    strcmp(r->allocator, name) != 0)
				continue;
			if (reserve)
				fprintf(f, "%ld %g %g %g\n", r->reserve_n,
				    r->rate, r->wilson_low, r->wilson_high);
			else
				fprintf(f, "%g %g %g %g\n%g %g %g %g\n", x0,
				    r->rate, r->wilson_low, r->wilson_high, x1,
				    r->rate, r->wilson_low, r->wilson_high);
		}
		fprintf(f, "\n\n");
	}
	fprintf(f, "EOD\n");
}

static int plot_rates(const struct store_rate *rows, int n, void *ctx)
{
	const char *dir = ctx;
	char series[1024], flat[1024], out[1024];
	long lo = 0, hi = 1;
	int i, seen = 0;
	FILE *f;

	names(rows, n, 1, series, sizeof(series));
	names(rows, n, 0, flat, sizeof(flat));
	for (i = 0; i < n; i++) {
		if (rows[i].reserve_n < 0)
			continue;
		lo = seen && lo < rows[i].reserve_n ? lo : rows[i].reserve_n;
		hi = seen && hi > rows[i].reserve_n ? hi : rows[i].reserve_n;
		seen = 1;
	}
	/* a rate over N needs runs at two N at least */
	if (!seen || hi == lo) {
		printf("no rate plot for %s: its runs do not vary N\n",
		    rows[0].versions > 1 ? rows[0].version : rows[0].scenario);
		return 0;
	}
	/* one file per version when the name has several */
	out_path(out, sizeof(out), dir, "rate", rows[0].versions > 1 ?
	    rows[0].version : rows[0].scenario);
	if ((f = gp_open()) == NULL)
		return CLI_EXIT_ENV;
	gp_var(f, "out", out);
	gp_var(f, "scen", rows[0].versions > 1 ? rows[0].version :
	    rows[0].scenario);
	gp_var(f, "series", series);
	gp_var(f, "flat", flat);
	fprintf(f, "xmin = %ld\nxmax = %ld\n", lo, hi);
	rate_data(f, rows, n, series, 1, 0, 0);
	rate_data(f, rows, n, flat, 0, lo - 0.5, hi + 0.5);
	fputs(embed_rate_gp, f);
	return gp_close(f, out);
}

/* ---------------------------------------------------------------------
 * One run over time.
 */

struct thr {
	char names[512], values[512];
	size_t nl, vl;
};

/* Is name one of the space-separated words of list? */
static int has_word(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/* A threshold counter, each once (a deadlock may record it again). */
static int add_threshold(void *ctx, const char *name, int64_t value)
{
	struct thr *t = ctx;
	int i;

	for (i = 0; thresholds[i] != NULL; i++) {
		if (strcmp(thresholds[i], name) != 0 || has_word(t->names, name))
			continue;
		t->nl += (size_t)snprintf(t->names + t->nl,
		    sizeof(t->names) - t->nl, "%s%s", t->nl ? " " : "", name);
		t->vl += (size_t)snprintf(t->values + t->vl,
		    sizeof(t->values) - t->vl, "%s%lld", t->vl ? " " : "",
		    (long long)value);
	}
	return 0;
}

struct samples {
	FILE *f;
	int n;
};

static int add_sample(void *ctx, const struct sample_row *s)
{
	struct samples *sm = ctx;

	/* "NaN" where the allocator keeps no reserve: nothing drawn */
	fprintf(sm->f, "%g %lld %lld %lld %lld ", s->t, (long long)s->free,
	    (long long)s->cache, (long long)s->swap_used,
	    (long long)s->swapmeta_pages);
	if (s->reserve_level >= 0)
		fprintf(sm->f, "%lld\n", (long long)s->reserve_level);
	else
		fprintf(sm->f, "NaN\n");
	sm->n++;
	return 0;
}

static void run_title(char *buf, size_t len, int64_t id,
    const struct run_row *r)
{
	char n[32] = "";

	if (r->reserve_n >= 0)
		snprintf(n, sizeof(n), " N=%ld", r->reserve_n);
	snprintf(buf, len, "run %lld: %s, %s%s, seed %llu: %s at t=%.1fs",
	    (long long)id, r->scenario, r->allocator, n,
	    (unsigned long long)r->seed, outcome_name(r->outcome),
	    r->end_time);
}

/* The run's row, thresholds and sample count, before gnuplot starts. */
static int run_facts(struct store *st, int64_t id, struct run_row *row,
    struct thr *t)
{
	char err[512];
	int rc;

	memset(t, 0, sizeof(*t));
	rc = store_run_get(st, id, row, err, sizeof(err));
	if (rc == 0) {
		fprintf(stderr, "memsim: no run %lld in the database\n",
		    (long long)id);
		return CLI_EXIT_USAGE;
	}
	if (rc > 0)
		rc = store_run_counters(st, id, add_threshold, t, err,
		    sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return CLI_EXIT_ENV;
	}
	return 0;
}

static int plot_run(struct store *st, int64_t id, const char *dir)
{
	struct samples sm = { NULL, 0 };
	struct run_row row;
	struct thr t;
	char title[1024], out[1024], idbuf[32], err[512];
	int rc;

	if ((rc = run_facts(st, id, &row, &t)) != 0)
		return rc;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	out_path(out, sizeof(out), dir, "run", idbuf);
	run_title(title, sizeof(title), id, &row);
	if ((sm.f = gp_open()) == NULL)
		return CLI_EXIT_ENV;
	gp_var(sm.f, "out", out);
	gp_var(sm.f, "ttl", title);
	gp_var(sm.f, "thr_names", t.names);
	gp_var(sm.f, "thr_values", t.values);
	fprintf(sm.f, "dl = %g\n$samples << EOD\n", row.deadlock_time);
	rc = store_run_samples(st, id, add_sample, &sm, err, sizeof(err));
	fprintf(sm.f, "EOD\n");
	if (rc != 0 || sm.n == 0) {
		/* gnuplot gets no script: it ends without writing a file */
		pclose(sm.f);
		fprintf(stderr, "memsim: %s\n", rc != 0 ? err :
		    "the run has no samples to plot");
		return rc != 0 ? CLI_EXIT_ENV : CLI_EXIT_USAGE;
	}
	fputs(embed_run_gp, sm.f);
	return gp_close(sm.f, out);
}

/* ---------------------------------------------------------------------
 * The command.
 */

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "memsim: %s: cannot create: %s\n", dir,
	    strerror(errno));
	return CLI_EXIT_ENV;
}

static int load_rates(struct store *st, const struct report_opts *o,
    struct rates *rs)
{
	char err[512];

	if (store_rates(st, o->scenario, add_rate, rs, err, sizeof(err)) < 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return CLI_EXIT_ENV;
	}
	if (rs->n == 0 && o->scenario != NULL) {
		fprintf(stderr, "memsim: %s: no runs of scenario '%s'\n", o->db,
		    o->scenario);
		return CLI_EXIT_USAGE;
	}
	if (rs->n == 0)
		printf("%s: no runs\n", o->db);
	return 0;
}

static int print_signature(void *ctx, const char *hash, const char *text,
    int64_t first_run, int64_t runs)
{
	int *n = ctx;

	if ((*n)++ == 0)
		printf("\ndeadlock signatures (hash, runs, first run):\n");
	printf("  %s %6lld  run %-6lld %s\n", hash, (long long)runs,
	    (long long)first_run, text);
	return 0;
}

int report_main(const struct report_opts *o)
{
	struct store_opts so = { .must_exist = 1, .read_only = 1 };
	struct rates rs = { NULL, 0, 0 };
	struct store *st;
	char err[512];
	int rc, first = 1;

	if (store_open_opts(&st, o->db, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return CLI_EXIT_ENV;
	}
	if (o->plot_dir != NULL && (rc = make_dir(o->plot_dir)) != 0)
		goto out;
	if (o->run_id != 0) {
		rc = plot_run(st, o->run_id, o->plot_dir);
		goto out;
	}
	if (o->format != 0) {
		rc = report_table(st, o->scenario,
		    (enum table_format)(o->format - 1), stdout, err,
		    sizeof(err));
		if (rc == 0 && o->scenario != NULL)
			fprintf(stderr, "memsim: %s: no runs of scenario "
			    "'%s'\n", o->db, o->scenario);
		if (rc < 0)
			fprintf(stderr, "memsim: %s\n", err);
		rc = rc < 0 ? CLI_EXIT_ENV : rc == 0 && o->scenario != NULL ?
		    CLI_EXIT_USAGE : 0;
		goto out;
	}
	if ((rc = load_rates(st, o, &rs)) != 0)
		goto out;
	if (o->plot_dir != NULL)
		rc = each_scenario(&rs, plot_rates, (void *)o->plot_dir);
	else
		rc = each_scenario(&rs, print_block, &first);
	if (rc == 0 && o->plot_dir == NULL) {
		int nsig = 0;
		if (store_signatures(st, o->scenario, print_signature, &nsig,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "memsim: %s\n", err);
			rc = CLI_EXIT_ENV;
		}
	}
out:
	free(rs.r);
	store_close(st);
	return rc;
}
