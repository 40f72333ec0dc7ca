/*
 * shrink_pass: see shrink_pass.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "shrink_pass.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srcedit.h"
#include "units.h"
#include "xmalloc.h"

#define MAX_CALLS	64
#define MIN_RAM		(16ULL << 20)	/* machine{} refuses less */
#define PAGE		4096ULL

void shrink_note(struct shrink *sh, const char *what, const char *from,
    const char *to)
{
	int i;

	for (i = 0; i < sh->nlog; i++)
		if (strcmp(sh->log[i].what, what) == 0)
			break;
	if (i == sh->nlog) {
		if (sh->nlog == SHRINK_MAX_LOG)
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
void shrink_fmt_size(uint64_t b, char *out, size_t len)
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

int shrink_same_deadlock(struct shrink *sh, const char *path,
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
	ok = shrink_same_deadlock(sh, sh->tmp, seq, &res);
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

char *shrink_set_field(const char *text, const char *fname, int i,
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

int shrink_get_field(const char *text, const char *fname, int i,
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

	if (shrink_get_field(sh->text, "scenario", 0, "duration", cur, sizeof(cur))
	    != 0 || units_time(cur, &d, from, sizeof(from)) != 0)
		d = 60;		/* scenario{}'s default */
	/* just past the moment the deadlock was declared */
	want = ceil(sh->end_time * 10 + 1) / 10;
	if (want >= d)
		return;
	fmt_dec(want, "s", val, sizeof(val));
	fmt_dec(d, "s", from, sizeof(from));
	if (try(sh, shrink_set_field(sh->text, "scenario", 0, "duration", val),
	    &sh->seq))
		shrink_note(sh, "scenario duration", from, val);
}

/* The count of the i-th process{} (1 when not a literal). */
static long proc_count(const char *text, int i)
{
	char cur[64];

	if (shrink_get_field(text, "process", i, "count", cur, sizeof(cur)) != 0)
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
		shrink_note(sh, label, "declared", "removed");
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
			if (try(sh, shrink_set_field(sh->text, "process", i, "count",
			    val), &sh->seq)) {
				shrink_note(sh, what, from, val);
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

	if (shrink_get_field(sh->text, fname, i, key, cur, sizeof(cur)) != 0 ||
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
	if (try(sh, shrink_set_field(sh->text, fname, i, key, val), &sh->seq))
		shrink_note(sh, what, from, val);
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

	if (shrink_get_field(sh->text, "machine", 0, "ram", cur, sizeof(cur)) != 0 ||
	    units_size(cur, &ram, err, sizeof(err)) != 0)
		ram = 256ULL << 20;	/* machine{}'s default */
	sz = ram / den * num / PAGE * PAGE;
	if (sz < MIN_RAM || sz >= ram)
		return 0;
	shrink_fmt_size(ram, from, sizeof(from));
	shrink_fmt_size(sz, val, sizeof(val));
	t = shrink_set_field(sh->text, "machine", 0, "ram", val);
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
		shrink_fmt_size(m, nv, sizeof(nv));
		t2 = srcedit_replace(t, args[i].start, args[i].end, nv);
		free(t);
		t = t2;
	}
	if (!try(sh, t, &sh->seq))
		return 0;
	shrink_note(sh, "machine ram", from, val);
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
		shrink_note(sh, "p:mmap() sizes", "x1", f);
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
	struct srcedit_call c;
	struct srcedit_span v;
	char cur[64];
	long n;

	if (shrink_get_field(sh->text, "machine", 0, "ncpus", cur,
	    sizeof(cur)) == 0) {
		n = strtol(cur, NULL, 10);
		snprintf(cur, sizeof(cur), "%ld", n);
	} else if (nth_call(sh->text, "machine", 0, &c) &&
	    srcedit_field(sh->text, &c, "ncpus", &v)) {
		n = 2;		/* an expression: try 1, say what it was */
		snprintf(cur, sizeof(cur), "%.*s", (int)(v.end - v.start),
		    sh->text + v.start);
	} else {
		n = 2;		/* machine{}'s default */
		snprintf(cur, sizeof(cur), "%ld", n);
	}
	if (n <= 1)
		return;
	if (try(sh, shrink_set_field(sh->text, "machine", 0, "ncpus", "1"), &sh->seq))
		shrink_note(sh, "machine ncpus", cur, "1");
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
		shrink_note(sh, "overridden choices", i < sh->nlog ? sh->log[i].from :
		    from, to);
	}
}

int shrink_round(struct shrink *sh)
{
	long kept = sh->kept;

	shrink_duration(sh);
	shrink_procs(sh);
	shrink_irqs(sh);
	shrink_memory(sh);
	shrink_cpus(sh);
	shrink_choices(sh);
	shrink_duration(sh);
	return sh->kept != kept;
}
