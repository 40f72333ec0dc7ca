/*
 * shrink: see shrink.h.  The driver: the command line, the stored run,
 * the rounds, the result file and its header; the reductions themselves
 * are in sim/shrink_pass.c.
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
#include "shrink_pass.h"
#include "srcedit.h"
#include "store.h"
#include "units.h"
#include "xmalloc.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1

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

/* The size of a scenario text, loaded as the run would load it. */
static int text_size(struct shrink *sh, const char *path, struct size *z,
    char *err, size_t errlen)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct run_spec spec = sh->spec;
	int i;

	spec.path = path;
	if (runner_validate(&spec, cfg, err, errlen) != 0) {
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
 * Keep only the parameters the shrunk scenario at path still reads: a
 * removed declaration may have been the one reading one (an interrupt
 * load's rate), and the result's reproduction line and its runs must
 * pass only what it reads.
 */
static void drop_unread_params(struct shrink *sh, const char *path)
{
	struct param p[CFG_MAX_PARAMS];
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct script *s;
	char err[512];
	int i, n = 0;

	memcpy(p, sh->spec.params, sizeof(p));
	for (i = 0; i < sh->spec.nparams; i++)
		p[i].used = 0;
	s = script_load(path, p, sh->spec.nparams, sh->spec.seed,
	    &sh->spec.limits, cfg, err, sizeof(err));
	if (s != NULL) {
		script_destroy(s);
		for (i = 0; i < sh->spec.nparams; i++)
			if (p[i].used)
				sh->spec.params[n++] = sh->spec.params[i];
		sh->spec.nparams = n;
	}
	free(cfg);
}

/* Give the result its own scenario name (runs of it are not the
 * original's); when scenario{} has no literal name, leave it. */
static char *rename_scenario(const char *text)
{
	char cur[CFG_NAME_LEN], val[CFG_NAME_LEN + 8];

	if (shrink_get_field(text, "scenario", 0, "name", cur, sizeof(cur)) != 0 ||
	    strlen(cur) + 8 >= CFG_NAME_LEN)
		return xstrdup(text);
	snprintf(val, sizeof(val), "\"%s_min\"", cur);
	return shrink_set_field(text, "scenario", 0, "name", val);
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
	shrink_fmt_size(b, out, len);
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
	if (text_size(&sh, r.scenario_path, &z0, err, sizeof(err)) != 0 ||
	    !shrink_same_deadlock(&sh, r.scenario_path, &sh.seq, &res)) {
		fprintf(stderr, "memsim: shrink: run %lld no longer deadlocks "
		    "with signature %s (now %s%s%s)\n", (long long)id, sh.sig,
		    outcome_name(res.row.outcome), res.row.signature[0] ?
		    ": " : "", res.row.signature);
		result_free(&res);
		free(sh.text);
		return EXIT_ENV;
	}
	result_free(&res);

	do
		ok = shrink_round(&sh);
	while (ok && sh.runs < sh.budget);
	remove(sh.tmp);

	if (write_result(&sh, out, id, r.scenario_path, &z0, &z0) != 0) {
		free(sh.text);
		free(sh.removed);
		return cli_die(EXIT_ENV, "shrink: cannot write %s: %s", out,
		    strerror(errno));
	}
	drop_unread_params(&sh, out);
	if (text_size(&sh, out, &z1, err, sizeof(err)) != 0) {
		free(sh.text);
		free(sh.removed);
		return cli_die(EXIT_ENV, "shrink: the result does not load: %s",
		    err);
	}
	/* the header's sizes, now that the result is known */
	write_result(&sh, out, id, r.scenario_path, &z0, &z1);
	ok = shrink_same_deadlock(&sh, out, &sh.seq, &res);
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
