/*
 * shrink: see shrink.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "shrink.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choice.h"
#include "cli.h"
#include "config.h"
#include "result.h"
#include "runner.h"
#include "srcedit.h"
#include "store.h"
#include "units.h"
#include "xmalloc.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1

#define MAX_CALLS	64
#define MAX_LOG		64
#define MIN_RAM		(16ULL << 20)	/* machine{} refuses less */
#define PAGE		4096ULL

/* One line of "what changed": the first value and the latest one. */
struct change {
	char what[96];
	char from[64];
	char to[64];
};

struct shrink {
	char *text;			/* the current scenario */
	char *removed;			/* removed declarations, as text */
	char tmp[600];			/* where candidates are written */
	struct run_spec spec;
	struct choice_seq seq;		/* the current overrides */
	char sig[RES_SIGNATURE_LEN];	/* what every candidate must show */
	double end_time;		/* the current deadlock's */
	long runs, budget;
	long kept;			/* candidates kept */
	struct change log[MAX_LOG];
	int nlog;
};

/* The size a shrink makes smaller: processes x RAM x duration. */
struct size {
	int procs;
	uint64_t ram;
	double duration;
};

static double size_product(const struct size *z)
{
	return (double)z->procs * (double)z->ram * z->duration;
}

static void note(struct shrink *sh, const char *what, const char *from,
    const char *to)
{
	int i;

	for (i = 0; i < sh->nlog; i++)
		if (strcmp(sh->log[i].what, what) == 0)
			break;
	if (i == sh->nlog) {
		if (sh->nlog == MAX_LOG)
			return;
		sh->nlog++;
		snprintf(sh->log[i].what, sizeof(sh->log[i].what), "%s", what);
		snprintf(sh->log[i].from, sizeof(sh->log[i].from), "%s", from);
	}
	snprintf(sh->log[i].to, sizeof(sh->log[i].to), "%s", to);
}

/* Drop the changes to fields of a declaration that is now removed. */
static void forget(struct shrink *sh, const char *label)
{
	size_t n = strlen(label);
	int i, j = 0;

	for (i = 0; i < sh->nlog; i++)
		if (strncmp(sh->log[i].what, label, n) != 0 ||
		    sh->log[i].what[n] != ' ')
			sh->log[j++] = sh->log[i];
	sh->nlog = j;
}

/* Values as the units parser reads them back. */
static void fmt_size(uint64_t b, char *out, size_t len)
{
	if (b % (1ULL << 30) == 0)
		snprintf(out, len, "\"%lluG\"", (unsigned long long)(b >> 30));
	else if (b % (1ULL << 20) == 0)
		snprintf(out, len, "\"%lluM\"", (unsigned long long)(b >> 20));
	else if (b % 1024 == 0)
		snprintf(out, len, "\"%lluK\"", (unsigned long long)(b >> 10));
	else
		snprintf(out, len, "%llu", (unsigned long long)b);
}

/* A decimal with at most 3 places, trailing zeros dropped, + suffix. */
static void fmt_dec(double v, const char *suffix, char *out, size_t len)
{
	char num[64];
	size_t n;

	snprintf(num, sizeof(num), "%.3f", v);
	n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		num[--n] = 0;
	if (n > 0 && num[n - 1] == '.')
		num[--n] = 0;
	snprintf(out, len, "\"%s%s\"", num, suffix);
}

/* Write text to the candidate file; 0 or -1 with errno. */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	size_t n = strlen(text);

	if (f == NULL)
		return -1;
	if (fwrite(text, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: short read", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Run `path` with the shrink's seed, parameters and seq: 1 when it
 * deadlocks with the signature, 0 when not; res is the run's. */
static int same_deadlock(struct shrink *sh, const char *path,
    const struct choice_seq *seq, struct result *res)
{
	struct run_spec spec = sh->spec;

	spec.path = path;
	spec.choices = seq->n > 0 ? seq : NULL;
	runner_run(&spec, res);
	sh->runs++;
	return res->row.outcome == OUTCOME_DEADLOCK &&
	    strcmp(res->row.signature, sh->sig) == 0;
}

/* The size of a scenario text, loaded as the run would load it. */
static int text_size(struct shrink *sh, const char *path, struct size *z)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct run_spec spec = sh->spec;
	char err[512];
	int i;

	spec.path = path;
	if (runner_validate(&spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		return -1;
	}
	z->procs = 0;
	for (i = 0; i < cfg->nprocs; i++)
		z->procs += cfg->procs[i].count;
	z->ram = cfg->ram;
	z->duration = cfg->duration;
	free(cfg);
	return 0;
}

/*
 * Try a candidate: keep it (taking ownership of text) when it deadlocks
 * the same way; otherwise free it.  1 kept, 0 not.
 */
static int try(struct shrink *sh, char *text, const struct choice_seq *seq)
{
	struct result res;
	int ok;

	if (sh->runs >= sh->budget) {
		free(text);
		return 0;
	}
	if (text == NULL)
		text = xstrdup(sh->text);
	if (write_file(sh->tmp, text) != 0) {
		free(text);
		return 0;
	}
	ok = same_deadlock(sh, sh->tmp, seq, &res);
	if (ok) {
		free(sh->text);
		sh->text = text;
		sh->seq = *seq;
		sh->end_time = res.row.end_time;
		sh->kept++;
	} else {
		free(text);
	}
	result_free(&res);
	return ok;
}

/* The i-th call of fname in the current text, or 0 when gone. */
static int nth_call(const char *text, const char *fname, int i,
    struct srcedit_call *c)
{
	struct srcedit_call calls[MAX_CALLS];
	int n = srcedit_calls(text, fname, calls, MAX_CALLS);

	if (n <= i)
		return 0;
	*c = calls[i];
	return 1;
}

/* A call's label: its name = "..." literal, else fname#i. */
static void call_label(const char *text, const char *fname, int i,
    const struct srcedit_call *c, char *out, size_t len)
{
	struct srcedit_span v;
	char name[CFG_NAME_LEN];

	if (srcedit_field(text, c, "name", &v) &&
	    srcedit_literal(text, &v, name, sizeof(name)) == 0)
		snprintf(out, len, "%s %s", fname, name);
	else
		snprintf(out, len, "%s #%d", fname, i + 1);
}

/* Set key = value in the i-th call of fname (inserted when absent). */
static char *set_field(const char *text, const char *fname, int i,
    const char *key, const char *value)
{
	struct srcedit_call c;
	struct srcedit_span v;
	char ins[160];

	if (!nth_call(text, fname, i, &c))
		return NULL;
	if (srcedit_field(text, &c, key, &v))
		return srcedit_replace(text, v.start, v.end, value);
	snprintf(ins, sizeof(ins), " %s = %s,", key, value);
	return srcedit_replace(text, c.open + 1, c.open + 1, ins);
}

/* The literal of key in the i-th call of fname: 0, or -1 none. */
static int get_field(const char *text, const char *fname, int i,
    const char *key, char *out, size_t len)
{
	struct srcedit_call c;
	struct srcedit_span v;

	if (!nth_call(text, fname, i, &c) || !srcedit_field(text, &c, key, &v))
		return -1;
	return srcedit_literal(text, &v, out, len);
}

static void shrink_duration(struct shrink *sh)
{
	char cur[64], val[64], from[64];
	double d, want;

	if (get_field(sh->text, "scenario", 0, "duration", cur, sizeof(cur))
	    != 0 || units_time(cur, &d, from, sizeof(from)) != 0)
		d = 60;		/* scenario{}'s default */
	/* just past the moment the deadlock was declared */
	want = ceil(sh->end_time * 10 + 1) / 10;
	if (want >= d)
		return;
	fmt_dec(want, "s", val, sizeof(val));
	fmt_dec(d, "s", from, sizeof(from));
	if (try(sh, set_field(sh->text, "scenario", 0, "duration", val),
	    &sh->seq))
		note(sh, "scenario duration", from, val);
}

/* The count of the i-th process{} (1 when not a literal). */
static long proc_count(const char *text, int i)
{
	char cur[64];

	if (get_field(text, "process", i, "count", cur, sizeof(cur)) != 0)
		return 1;
	return strtol(cur, NULL, 10);
}

/* Cut the source text of a call out, keeping it for the header. */
static char *cut_call(struct shrink *sh, const struct srcedit_call *c,
    char **piece)
{
	size_t n = c->end - c->start;

	*piece = xmalloc(n + 1);
	memcpy(*piece, sh->text + c->start, n);
	(*piece)[n] = 0;
	return srcedit_replace(sh->text, c->start, c->end, "");
}

static void keep_removed(struct shrink *sh, const char *piece)
{
	size_t old = sh->removed ? strlen(sh->removed) : 0;

	sh->removed = xrealloc(sh->removed, old + strlen(piece) + 2);
	memcpy(sh->removed + old, piece, strlen(piece));
	sh->removed[old + strlen(piece)] = '\n';
	sh->removed[old + strlen(piece) + 1] = 0;
}

/* Try removing the i-th call of fname; 1 removed. */
static int remove_call(struct shrink *sh, const char *fname, int i)
{
	struct srcedit_call c;
	char label[160], *piece;

	if (!nth_call(sh->text, fname, i, &c))
		return 0;
	call_label(sh->text, fname, i, &c, label, sizeof(label));
	if (try(sh, cut_call(sh, &c, &piece), &sh->seq)) {
		forget(sh, label);
		note(sh, label, "declared", "removed");
		keep_removed(sh, piece);
		free(piece);
		return 1;
	}
	free(piece);
	return 0;
}

static void shrink_procs(struct shrink *sh)
{
	struct srcedit_call calls[MAX_CALLS];
	int i, n;

	n = srcedit_calls(sh->text, "process", calls, MAX_CALLS);
	/* fewer declarations (one must stay) */
	for (i = n - 1; i >= 0 && n > 1; i--)
		if (remove_call(sh, "process", i))
			n--;
	for (i = 0; i < n; i++) {
		long cnt = proc_count(sh->text, i), tries[3];
		struct srcedit_call c;
		char label[160], what[200], val[32], from[32];
		int k;

		if (cnt <= 1 || !nth_call(sh->text, "process", i, &c))
			continue;
		call_label(sh->text, "process", i, &c, label, sizeof(label));
		snprintf(what, sizeof(what), "%s count", label);
		tries[0] = 1;
		tries[1] = cnt / 2;
		tries[2] = cnt - 1;
		for (k = 0; k < 3; k++) {
			if (tries[k] < 1 || tries[k] >= cnt)
				continue;
			snprintf(val, sizeof(val), "%ld", tries[k]);
			snprintf(from, sizeof(from), "%ld", cnt);
			if (try(sh, set_field(sh->text, "process", i, "count",
			    val), &sh->seq)) {
				note(sh, what, from, val);
				break;
			}
		}
	}
}

/* Halve a numeric field of the i-th call (a rate, a count). */
static void halve_field(struct shrink *sh, const char *fname, int i,
    const char *key, int is_rate)
{
	struct srcedit_call c;
	char cur[64], label[160], what[200], val[64], from[64], err[128];
	double v;

	if (get_field(sh->text, fname, i, key, cur, sizeof(cur)) != 0 ||
	    !nth_call(sh->text, fname, i, &c))
		return;
	call_label(sh->text, fname, i, &c, label, sizeof(label));
	snprintf(what, sizeof(what), "%s %s", label, key);
	if (is_rate) {
		if (units_rate(cur, &v, err, sizeof(err)) != 0 || v <= 0)
			return;
		fmt_dec(v, "/s", from, sizeof(from));
		if (v / 2 < 0.001)
			return;
		fmt_dec(v / 2, "/s", val, sizeof(val));
	} else {
		long n = strtol(cur, NULL, 10);
		if (n <= 1)
			return;
		snprintf(from, sizeof(from), "%ld", n);
		snprintf(val, sizeof(val), "%ld", n / 2);
	}
	if (try(sh, set_field(sh->text, fname, i, key, val), &sh->seq))
		note(sh, what, from, val);
}

static void shrink_irqs(struct shrink *sh)
{
	struct srcedit_call calls[MAX_CALLS];
	int i, n;

	n = srcedit_calls(sh->text, "interrupt_load", calls, MAX_CALLS);
	for (i = n - 1; i >= 0; i--)
		if (remove_call(sh, "interrupt_load", i))
			n--;
	for (i = 0; i < n; i++) {
		halve_field(sh, "interrupt_load", i, "rate", 1);
		halve_field(sh, "interrupt_load", i, "pages", 0);
	}
}

/*
 * RAM times num/den, and with it every literal p:mmap() size, so the
 * memory pressure stays what it was; with mmaps = 0 the RAM alone.
 */
static int scale_memory(struct shrink *sh, unsigned num, unsigned den,
    int mmaps)
{
	struct srcedit_span args[MAX_CALLS];
	char cur[64], val[64], from[64], err[128], *t;
	uint64_t ram, sz;
	int i, n;

	if (get_field(sh->text, "machine", 0, "ram", cur, sizeof(cur)) != 0 ||
	    units_size(cur, &ram, err, sizeof(err)) != 0)
		ram = 256ULL << 20;	/* machine{}'s default */
	sz = ram / den * num / PAGE * PAGE;
	if (sz < MIN_RAM || sz >= ram)
		return 0;
	fmt_size(ram, from, sizeof(from));
	fmt_size(sz, val, sizeof(val));
	t = set_field(sh->text, "machine", 0, "ram", val);
	if (t == NULL)
		return 0;
	/* the literal sizes of p:mmap(), last first so offsets hold */
	n = mmaps ? srcedit_method_args(t, "mmap", args, MAX_CALLS) : 0;
	for (i = n - 1; i >= 0; i--) {
		char lit[64], nv[64], *t2;
		uint64_t m;

		if (srcedit_literal(t, &args[i], lit, sizeof(lit)) != 0 ||
		    units_size(lit, &m, err, sizeof(err)) != 0)
			continue;
		m = m / den * num / PAGE * PAGE;
		if (m < PAGE)
			m = PAGE;
		fmt_size(m, nv, sizeof(nv));
		t2 = srcedit_replace(t, args[i].start, args[i].end, nv);
		free(t);
		t = t2;
	}
	if (!try(sh, t, &sh->seq))
		return 0;
	note(sh, "machine ram", from, val);
	if (n > 0) {
		char f[64];
		snprintf(f, sizeof(f), "x%u/%u", num, den);
		/* accumulate the factor on the text */
		for (i = 0; i < sh->nlog; i++)
			if (strcmp(sh->log[i].what, "p:mmap() sizes") == 0)
				break;
		if (i < sh->nlog) {
			double prev = strtod(sh->log[i].to + 1, NULL);
			snprintf(f, sizeof(f), "x%.4g", prev * num / den);
		} else {
			snprintf(f, sizeof(f), "x%.4g", (double)num / den);
		}
		note(sh, "p:mmap() sizes", "x1", f);
	}
	return 1;
}

static void shrink_memory(struct shrink *sh)
{
	while (scale_memory(sh, 1, 2, 1))
		;
	scale_memory(sh, 3, 4, 1);
	scale_memory(sh, 1, 2, 0);
}

static void shrink_cpus(struct shrink *sh)
{
	char cur[64];
	long n;

	if (get_field(sh->text, "machine", 0, "ncpus", cur, sizeof(cur)) != 0)
		n = 2;		/* machine{}'s default */
	else
		n = strtol(cur, NULL, 10);
	if (n <= 1)
		return;
	snprintf(cur, sizeof(cur), "%ld", n);
	if (try(sh, set_field(sh->text, "machine", 0, "ncpus", "1"), &sh->seq))
		note(sh, "machine ncpus", cur, "1");
}

/* Fewer overridden choices: all gone, then one at a time. */
static void shrink_choices(struct shrink *sh)
{
	struct choice_seq none = { 0 }, s;
	char from[32], to[32];
	int i, j, start = sh->seq.n;

	if (sh->seq.n == 0)
		return;
	if (!try(sh, NULL, &none)) {
		for (i = sh->seq.n - 1; i >= 0; i--) {
			s = sh->seq;
			for (j = i; j + 1 < s.n; j++)
				s.ov[j] = s.ov[j + 1];
			s.n--;
			try(sh, NULL, &s);
		}
	}
	if (sh->seq.n < start) {
		for (i = 0; i < sh->nlog; i++)
			if (strcmp(sh->log[i].what, "overridden choices") == 0)
				break;
		snprintf(from, sizeof(from), "%d", start);
		snprintf(to, sizeof(to), "%d", sh->seq.n);
		note(sh, "overridden choices", i < sh->nlog ? sh->log[i].from :
		    from, to);
	}
}

/* Give the result its own scenario name (runs of it are not the
 * original's); when scenario{} has no literal name, leave it. */
static char *rename_scenario(const char *text)
{
	char cur[CFG_NAME_LEN], val[CFG_NAME_LEN + 8];

	if (get_field(text, "scenario", 0, "name", cur, sizeof(cur)) != 0 ||
	    strlen(cur) + 8 >= CFG_NAME_LEN)
		return xstrdup(text);
	snprintf(val, sizeof(val), "\"%s_min\"", cur);
	return set_field(text, "scenario", 0, "name", val);
}

/* "-- " before every line of s. */
static void comment_lines(FILE *f, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(f, "--   %.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
}

static void fmt_size_plain(uint64_t b, char *out, size_t len)
{
	fmt_size(b, out, len);
	if (out[0] == '"') {
		size_t n = strlen(out);
		memmove(out, out + 1, n - 2);
		out[n - 2] = 0;
	}
}

static int write_result(struct shrink *sh, const char *out, int64_t id,
    const char *orig_path, const struct size *z0, const struct size *z1)
{
	char choices[CHOICE_TEXT_LEN], a[32], b[32];
	char *body = rename_scenario(sh->text);
	FILE *f = fopen(out, "w");
	int i;

	if (f == NULL) {
		free(body);
		return -1;
	}
	fprintf(f, "-- Shrunk by `memsim shrink` from run %lld of %s.\n",
	    (long long)id, orig_path);
	fprintf(f, "-- It deadlocks with the same signature:\n--   %s\n",
	    sh->sig);
	fprintf(f, "-- Reproduce with:\n--   memsim run FILE --seed %llu",
	    (unsigned long long)sh->spec.seed);
	for (i = 0; i < sh->spec.nparams; i++)
		fprintf(f, " -p %s=%s", sh->spec.params[i].name,
		    sh->spec.params[i].value);
	choice_seq_format(&sh->seq, choices, sizeof(choices));
	if (choices[0])
		fprintf(f, " --choices '%s'", choices);
	fprintf(f, "\n");
	fmt_size_plain(z0->ram, a, sizeof(a));
	fmt_size_plain(z1->ram, b, sizeof(b));
	fprintf(f, "-- Size (processes x RAM x duration): %d x %s x %gs -> "
	    "%d x %s x %gs, %.3g of the original.\n", z0->procs, a,
	    z0->duration, z1->procs, b, z1->duration,
	    size_product(z1) / size_product(z0));
	fprintf(f, "-- Changed:\n");
	for (i = 0; i < sh->nlog; i++)
		fprintf(f, "--   %s: %s -> %s\n", sh->log[i].what,
		    sh->log[i].from, sh->log[i].to);
	if (sh->nlog == 0)
		fprintf(f, "--   nothing: no reduction kept the signature\n");
	if (sh->removed) {
		fprintf(f, "-- Removed declarations:\n");
		comment_lines(f, sh->removed);
	}
	fprintf(f, "-- The original's comments below describe the original.\n"
	    "\n%s", body);
	free(body);
	return fclose(f);
}

static int parse(int argc, char **argv, int64_t *id, const char **out,
    const char **db, long *budget, double *wall)
{
	char err[256];
	uint64_t v;
	int i;

	*id = 0;
	*out = NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (*id != 0 || cli_parse_u64(a, &v) != 0 || v == 0 ||
			    v > INT64_MAX)
				return cli_die(EXIT_USAGE, "shrink: unexpected "
				    "argument '%s' (usage: memsim shrink RUN_ID "
				    "-o FILE [--db FILE] [--budget RUNS])", a);
			*id = (int64_t)v;
			continue;
		}
		if (val == NULL)
			return cli_die(EXIT_USAGE, "shrink: %s needs a value", a);
		i++;
		if (strcmp(a, "-o") == 0) {
			*out = val;
		} else if (strcmp(a, "--db") == 0) {
			*db = val;
		} else if (strcmp(a, "--budget") == 0) {
			if (cli_parse_u64(val, &v) != 0 || v == 0 || v > 1000000)
				return cli_die(EXIT_USAGE, "shrink: --budget %s: "
				    "expected a number of runs, 1 to 1000000",
				    val);
			*budget = (long)v;
		} else if (strcmp(a, "--wall-limit") == 0) {
			if (units_time(val, wall, err, sizeof(err)) != 0)
				return cli_die(EXIT_USAGE, "shrink: --wall-limit: "
				    "%s", err);
		} else {
			return cli_die(EXIT_USAGE, "shrink: unknown option '%s'",
			    a);
		}
	}
	if (*id == 0)
		return cli_die(EXIT_USAGE, "shrink: which run? (usage: memsim "
		    "shrink RUN_ID -o FILE [--db FILE] [--budget RUNS])");
	if (*out == NULL)
		return cli_die(EXIT_USAGE, "shrink: -o FILE is required");
	return 0;
}

/* The stored run, checked: 0, or the exit status after one line. */
static int load_run(const char *db, int64_t id, struct store_replay *r,
    struct run_row *row, char *sig, size_t slen)
{
	struct store_opts so = { .must_exist = 1 };
	char err[600], now[65], choices[CHOICE_TEXT_LEN];
	struct store *st;
	int rc;

	if (store_open_opts(&st, db, &so, err, sizeof(err)) != 0)
		return cli_die(EXIT_ENV, "%s", err);
	rc = store_run_replay(st, id, r, err, sizeof(err));
	if (rc == 1)
		rc = store_run_get(st, id, row, err, sizeof(err));
	if (rc == 1 && store_run_signature(st, id, choices, sizeof(choices),
	    sig, slen) != 1)
		rc = -1;
	store_close(st);
	if (rc < 0)
		return cli_die(EXIT_ENV, "%s", err);
	if (rc == 0)
		return cli_die(EXIT_USAGE, "shrink: %s: no run %lld", db,
		    (long long)id);
	if (r->outcome != OUTCOME_DEADLOCK)
		return cli_die(EXIT_USAGE, "shrink: run %lld did not deadlock "
		    "(outcome %s): there is nothing to shrink", (long long)id,
		    outcome_name(r->outcome));
	if (sig[0] == '\0')
		return cli_die(EXIT_USAGE, "shrink: run %lld has no deadlock "
		    "signature (stored by an older memsim)", (long long)id);
	if (r->scenario_path[0] == '\0')
		return cli_die(EXIT_USAGE, "shrink: run %lld has no scenario "
		    "path (stored by an older memsim)", (long long)id);
	if (runner_file_sha256(r->scenario_path, now, err, sizeof(err)) != 0)
		return cli_die(EXIT_USAGE, "shrink: run %lld: %s",
		    (long long)id, err);
	if (strcmp(now, r->scenario_sha256) != 0)
		return cli_die(EXIT_USAGE, "shrink: run %lld: scenario changed: "
		    "%s no longer has the sha256 the run was stored with",
		    (long long)id, r->scenario_path);
	return 0;
}

int shrink_main(int argc, char **argv)
{
	struct store_replay r;
	struct run_row row;
	struct shrink sh;
	struct size z0, z1;
	struct result res;
	const char *out, *db = "results.db";
	char err[600];
	double wall = 600;
	int64_t id;
	int rc, ok;

	memset(&sh, 0, sizeof(sh));
	sh.budget = 400;
	if ((rc = parse(argc, argv, &id, &out, &db, &sh.budget, &wall)) != 0)
		return rc;
	if ((rc = load_run(db, id, &r, &row, sh.sig, sizeof(sh.sig))) != 0)
		return rc;
	if (choice_seq_parse(r.choices, &sh.seq, err, sizeof(err)) != 0)
		return cli_die(EXIT_ENV, "shrink: run %lld: stored %s",
		    (long long)id, err);
	memcpy(sh.spec.params, r.p, sizeof(sh.spec.params));
	sh.spec.nparams = r.np;
	sh.spec.seed = r.seed;
	sh.spec.limits.mem_bytes = 256ULL << 20;
	sh.spec.limits.instructions = 1000000000ULL;
	sh.spec.wall_limit = wall;
	sh.end_time = row.end_time;
	if ((sh.text = read_file(r.scenario_path, err, sizeof(err))) == NULL)
		return cli_die(EXIT_ENV, "shrink: %s", err);
	snprintf(sh.tmp, sizeof(sh.tmp), "%s.try.lua", out);

	/* the run must still deadlock this way with this memsim */
	if (text_size(&sh, r.scenario_path, &z0) != 0 ||
	    !same_deadlock(&sh, r.scenario_path, &sh.seq, &res)) {
		fprintf(stderr, "memsim: shrink: run %lld no longer deadlocks "
		    "with signature %s (now %s%s%s)\n", (long long)id, sh.sig,
		    outcome_name(res.row.outcome), res.row.signature[0] ?
		    ": " : "", res.row.signature);
		result_free(&res);
		free(sh.text);
		return EXIT_ENV;
	}
	result_free(&res);

	do {
		long kept = sh.kept;

		shrink_duration(&sh);
		shrink_procs(&sh);
		shrink_irqs(&sh);
		shrink_memory(&sh);
		shrink_cpus(&sh);
		shrink_choices(&sh);
		shrink_duration(&sh);
		ok = sh.kept != kept;
	} while (ok && sh.runs < sh.budget);
	remove(sh.tmp);

	if (write_result(&sh, out, id, r.scenario_path, &z0, &z0) != 0 ||
	    text_size(&sh, out, &z1) != 0) {
		free(sh.text);
		free(sh.removed);
		return cli_die(EXIT_ENV, "shrink: cannot write %s: %s", out,
		    strerror(errno));
	}
	/* the header's sizes, now that the result is known */
	write_result(&sh, out, id, r.scenario_path, &z0, &z1);
	ok = same_deadlock(&sh, out, &sh.seq, &res);
	result_free(&res);
	free(sh.text);
	free(sh.removed);
	if (!ok)
		return cli_die(EXIT_ENV, "shrink: %s does not deadlock the same "
		    "way when run as written", out);
	printf("wrote %s: processes x RAM x duration %d x %lluM x %gs -> "
	    "%d x %lluM x %gs (%.3g of run %lld), %d overridden choices, "
	    "same signature, %ld trial runs\n", out, z0.procs,
	    (unsigned long long)(z0.ram >> 20), z0.duration, z1.procs,
	    (unsigned long long)(z1.ram >> 20), z1.duration,
	    size_product(&z1) / size_product(&z0), (long long)id, sh.seq.n,
	    sh.runs);
	return 0;
}
