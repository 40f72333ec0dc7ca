/*
 * memsim: command line.
 *
 *   memsim run SCENARIO [-p name=value]... [--seed N] [--choices SEQ]
 *              [--db FILE] [--force]
 *              [--fail-on OUTCOMES] [--wall-limit TIME]
 *              [--lua-budget N] [--lua-mem SIZE]
 *   memsim sweep SCENARIO [-p name=LIST]... [--seeds LIST] [-j N]
 *              [--shard I/K] [--db FILE] [--force] [--wall-limit TIME]
 *              [--busy-timeout TIME] [--lua-budget N] [--lua-mem SIZE]
 *   memsim find-n SCENARIO --seeds K [-p N=LO..HI] [-p name=value]...
 *              [--ignore panic] [--hunt RUNS] [-j N] [--db FILE]
 *   memsim compare SCENARIO --policies P[:opt=value...],... [--seeds K]
 *              [--reserve LIST] [-p name=value]... [-j N] [--db FILE]
 *              [--plot DIR] [--emergency-pager on|off|both]
 *   memsim shrink RUN_ID -o FILE [--db FILE] [--budget RUNS]
 *   memsim merge OUT.db IN.db...
 *   memsim report [--db FILE] [--scenario NAME] [--plot DIR [--run ID]]
 *              [--format text|csv|json|markdown]
 *   memsim explain RUN_ID [--db FILE] [--format text|json]
 *   memsim replay RUN_ID [--db FILE] [--wall-limit TIME]
 *              [--lua-budget N] [--lua-mem SIZE]
 *
 * A LIST is "a,b,c", "lo..hi" or a mix ("1..4,8"); a TIME and a SIZE
 * are written as in scenarios ("5ms", "2", "256M": sim/units.c);
 * OUTCOMES is a list of outcomes, "deadlock,panic".  Every option also
 * takes the form --name=value.
 *
 * Exit status: 0 for a run that completed, survived, deadlocked or
 * panicked, unless --fail-on names its outcome, or names "stall" and the
 * run went VERDICT_STALL_MIN (1 s; "stall=TIME": TIME) or longer without
 * progress: then 3 (--fail-on-deadlock is --fail-on deadlock); 2 for
 * usage and scenario errors, including a run whose outcome is error (an
 * error in a process body, a crash, the wall-clock limit: its row is
 * stored all the same);
 * 3 from find-n when no N is enough; 1 for the environment (database,
 * files); 128 + n for a sweep stopped by signal n.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "choice.h"
#include "cli.h"
#include "compare.h"
#include "core.h"
#include "explain.h"
#include "hunt.h"
#include "mtr_cmd.h"
#include "replay.h"
#include "report.h"
#include "runner.h"
#include "shrink.h"
#include "simrun.h"
#include "store.h"
#include "sweep.h"
#include "table.h"
#include "units.h"
#include "version.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1
#define EXIT_DEADLOCK	3

static void usage_to(FILE *f)
{
	fprintf(f,
	    "usage: memsim run SCENARIO [-p name=value]... [--seed N] "
	    "[--choices SEQ] [--db FILE]\n"
	    "                  [--force]"
	    " (run again a run already recorded: a new row, the old kept)\n"
	    "                  [--fail-on deadlock,panic,error,stall[=TIME],...]\n"
	    "                  [--wall-limit TIME] [--lua-budget N] "
	    "[--lua-mem SIZE]\n"
	    "       memsim sweep SCENARIO [-p name=LIST]... [--seeds LIST] "
	    "[-j N] [--shard I/K]\n"
	    "                  [--db FILE] [--force] [--wall-limit TIME] "
	    "[--busy-timeout TIME]\n"
	    "       memsim find-n SCENARIO --seeds K [-p N=LO..HI] "
	    "[-p name=value]... [--ignore panic]\n"
	    "                  [--hunt RUNS] [-j N] [--db FILE]\n"
	    "       memsim hunt SCENARIO --budget RUNS|TIME [--strategy "
	    "random|guided|exhaustive]\n"
	    "                  [--depth D] [-p name=value]... [-j N] "
	    "[--db FILE] (docs/hunting.md)\n"
	    "       memsim compare SCENARIO --policies P[:opt=v...],... "
	    "[--seeds K] [--reserve LIST]\n"
	    "                  [-p name=value]... [-j N] [--db FILE] "
	    "[--plot DIR]\n"
	    "                  [--emergency-pager on|off|both] "
	    "(docs/compare.md)\n"
	    "       memsim shrink RUN_ID -o FILE [--db FILE] [--budget RUNS]"
	    " (docs/hunting.md)\n"
	    "       memsim merge OUT.db IN.db...\n"
	    "       memsim report [--db FILE] [--scenario NAME] "
	    "[--plot DIR [--run ID]]\n"
	    "                  [--format text|csv|json|markdown]\n"
	    "       memsim explain RUN_ID [--db FILE] [--format text|json]\n"
	    "       memsim replay RUN_ID [--db FILE]\n"
	    "       memsim trace import|dump|stats ... (memsim trace for "
	    "more)\n"
	    "       memsim version\n"
	    "TIME as \"5ms\" or \"2\" (seconds), SIZE as \"256M\"; "
	    "--name=value works as --name value.\n");
}

static void usage(void)
{
	usage_to(stderr);
}

static int add_param(struct run_spec *spec, const char *arg)
{
	char err[2 * CFG_NAME_LEN + 64];

	if (cli_param_add(spec->params, &spec->nparams, arg, err,
	    sizeof(err)) < 0)
		return cli_die(EXIT_USAGE, "%s", err);
	return 0;
}

struct opts {
	struct run_spec spec;
	struct choice_seq choices;
	const char *db;
	struct cli_fail_on fail_on;	/* exit EXIT_DEADLOCK when met */
	int force;			/* --force: a new row beside the old */
};

/* Options every command that runs the model takes. */
struct common {
	const char **db;
	double *wall_limit;
	struct script_limits *limits;
};

/* 0: taken; -1: not a common option; otherwise the exit status. */
static int common_opt(const struct common *c, const char *a,
    const char *val)
{
	char err[256];
	uint64_t v;

	if (strcmp(a, "--db") == 0) {
		*c->db = val;
	} else if (strcmp(a, "--wall-limit") == 0) {
		if (units_time(val, c->wall_limit, err, sizeof(err)) != 0)
			return cli_die(EXIT_USAGE, "--wall-limit: %s", err);
	} else if (strcmp(a, "--lua-budget") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v == 0)
			return cli_die(EXIT_USAGE, "--lua-budget %s: "
			    "expected a positive whole number", val);
		c->limits->instructions = v;
	} else if (strcmp(a, "--lua-mem") == 0) {
		if (units_size(val, &v, err, sizeof(err)) != 0 || v == 0)
			return cli_die(EXIT_USAGE, "--lua-mem: %s", v == 0 ?
			    "must be positive" : err);
		c->limits->mem_bytes = v;
	} else {
		return -1;
	}
	return 0;
}

static void limits_defaults(struct script_limits *lim)
{
	lim->mem_bytes = 256ULL << 20;
	lim->instructions = 1000000000ULL;
}

static int parse_run_opts(int argc, char **argv, struct opts *o)
{
	struct common c = { &o->db, &o->spec.wall_limit, &o->spec.limits };
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->spec.seed = 1;
	o->spec.wall_limit = 600;
	limits_defaults(&o->spec.limits);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--fail-on-deadlock") == 0) {
			o->fail_on.outcomes |= 1u << OUTCOME_DEADLOCK;
			continue;
		}
		if (strcmp(a, "--force") == 0) {
			o->force = 1;
			continue;
		}
		if (a[0] != '-') {
			if (o->spec.path != NULL)
				return cli_die(EXIT_USAGE, "unexpected argument "
				    "'%s'", a);
			o->spec.path = a;
			continue;
		}
		if (val == NULL)
			return cli_die(EXIT_USAGE, "%s needs a value", a);
		i++;
		if (strcmp(a, "-p") == 0) {
			if ((rc = add_param(&o->spec, val)) != 0)
				return rc;
		} else if (strcmp(a, "--fail-on") == 0) {
			char err[256];
			if (cli_parse_fail_on(val, &o->fail_on, err,
			    sizeof(err)) != 0)
				return cli_die(EXIT_USAGE, "--fail-on %s: %s", val,
				    err);
		} else if (strcmp(a, "--choices") == 0) {
			char err[300];
			if (choice_seq_parse(val, &o->choices, err,
			    sizeof(err)) != 0)
				return cli_die(EXIT_USAGE, "--%s", err);
			o->spec.choices = &o->choices;
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(val, &o->spec.seed) != 0 ||
			    o->spec.seed > INT64_MAX)
				return cli_die(EXIT_USAGE, "--seed %s: expected a "
				    "whole number below 2^63", val);
		} else if ((rc = common_opt(&c, a, val)) >= 0) {
			if (rc != 0)
				return rc;
		} else {
			return cli_die(EXIT_USAGE, "unknown option '%s'", a);
		}
	}
	if (o->spec.path == NULL) {
		usage();
		return EXIT_USAGE;
	}
	return 0;
}

static void print_summary(int64_t id, const struct result *res)
{
	const struct run_row *r = &res->row;
	int i;

	printf("run %lld: %s allocator=%s seed=%llu params=%s\n",
	    (long long)id, r->scenario, r->allocator,
	    (unsigned long long)r->seed, r->params);
	printf("  %llu choice points in %d streams%s%s\n",
	    (unsigned long long)r->choice_points, r->nstreams,
	    r->choices[0] ? ", overridden: " : "", r->choices);
	/* "deadlock (livelock)": the kind qualifies the outcome */
	printf("  outcome %s%s%s%s at t=%.3fs", outcome_name(r->outcome),
	    r->deadlock_kind[0] ? " (" : "", r->deadlock_kind,
	    r->deadlock_kind[0] ? ")" : "", r->end_time);
	if (r->deadlock_time >= 0)
		printf(" (no progress since t=%.3fs)", r->deadlock_time);
	printf("\n  pageouts %lld, swapins %lld, faults %lld, OOM kills "
	    "%lld, lowest free %lld pages, SWAPMETA pages peak %lld\n",
	    (long long)r->pageouts, (long long)r->swapins,
	    (long long)r->page_faults, (long long)r->oom_kills,
	    (long long)r->min_free_pages, (long long)r->swapmeta_pages_peak);
	if (r->message[0])
		printf("  %s\n", r->message);
	if (r->signature[0])
		printf("  signature %s\n", r->signature);
	for (i = 0; i < res->nwaits; i++) {
		const struct wait_row *w = &res->waits[i];
		if (strcmp(w->channel, "bioq") == 0)
			continue;	/* idle device threads */
		printf("  %-16s %-10s %s\n", w->thread, w->channel, w->detail);
	}
}

/*
 * A run that died before it could say who it was (a crash, the wall
 * limit) still gets its identity: no nameless row in the report.
 */
static void label_result(struct result *res, const struct run_row *id)
{
	struct run_row *row = &res->row;

	if (row->scenario_sha256[0] != '\0')
		return;
	memcpy(row->scenario, id->scenario, sizeof(row->scenario));
	memcpy(row->scenario_sha256, id->scenario_sha256,
	    sizeof(row->scenario_sha256));
	memcpy(row->allocator, id->allocator, sizeof(row->allocator));
	memcpy(row->params, id->params, sizeof(row->params));
	memcpy(row->scenario_path, id->scenario_path,
	    sizeof(row->scenario_path));
	row->reserve_n = id->reserve_n;
	row->seed = id->seed;
}

/* The exit status for a run (see the top of this file). */
static int outcome_status(const struct opts *o, const struct run_row *r)
{
	if (r->outcome == OUTCOME_ERROR)
		return EXIT_USAGE;
	if (cli_fails(&o->fail_on, r->outcome, r->longest_stall_seconds))
		return EXIT_DEADLOCK;
	return 0;
}

/* Its identity as the store keys it, before it runs. */
static int run_identity(const struct opts *o, struct run_row *id)
{
	struct config *cfg;
	char err[512];

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return cli_die(EXIT_ENV, "out of memory");
	if (runner_validate(&o->spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	if (runner_file_sha256(o->spec.path, cfg->sha256, err,
	    sizeof(err)) != 0) {
		free(cfg);
		return cli_die(EXIT_USAGE, "%s", err);
	}
	cfg->seed = o->spec.seed;
	memset(id, 0, sizeof(*id));
	simrun_identity(cfg, id);
	free(cfg);
	return 0;
}

/*
 * A run already stored under this key is kept, with its id: ids are
 * quoted as evidence, so none is dropped or reused.
 */
static int already(const struct opts *o, struct store *st, int64_t id)
{
	struct run_row row;
	char err[512];
	int found;

	found = store_run_get(st, id, &row, err, sizeof(err));
	if (found <= 0) {
		store_close(st);
		return cli_die(EXIT_ENV, "%s", found < 0 ? err : "run vanished");
	}
	store_close(st);
	printf("already recorded as run %lld (%s seed=%llu params=%s), "
	    "outcome %s; not run again\n", (long long)id, row.scenario,
	    (unsigned long long)row.seed, row.params,
	    outcome_name(row.outcome));
	return outcome_status(o, &row);
}

static int cmd_run(int argc, char **argv)
{
	struct opts o;
	struct run_row ident;
	struct store *st;
	struct result res;
	char err[512];
	int64_t id = 0;
	int rc, found;

	if ((rc = parse_run_opts(argc, argv, &o)) != 0)
		return rc;
	if ((rc = run_identity(&o, &ident)) != 0)
		return rc;
	if (store_open(&st, o.db, err, sizeof(err)) != 0)
		return cli_die(EXIT_ENV, "%s", err);
	store_set_versions(st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	store_set_force(st, o.force);
	if (o.spec.choices == NULL && !o.force) {
		found = store_find_run(st, ident.scenario_sha256, ident.params,
		    ident.seed, &id);
		if (found < 0) {
			store_close(st);
			return cli_die(EXIT_ENV, "%s: cannot read the runs table",
			    o.db);
		}
		if (found)
			return already(&o, st, id);
	}
	runner_run(&o.spec, &res);
	label_result(&res, &ident);
	/* the overrides a run used are its key: known only once it ran */
	found = o.force ? 0 : store_find_run_seq(st, res.row.scenario_sha256,
	    res.row.params, res.row.seed, res.row.choices, &id);
	if (found > 0) {
		result_free(&res);
		return already(&o, st, id);
	}
	if (found < 0 || store_insert(st, &res, 0, &id, err,
	    sizeof(err)) != 0) {
		store_close(st);
		result_free(&res);
		return cli_die(EXIT_ENV, "%s", found < 0 ? "cannot read the "
		    "runs table" : err);
	}
	store_close(st);
	print_summary(id, &res);
	rc = outcome_status(&o, &res.row);
	result_free(&res);
	return rc;
}

/* "-p name=LIST" of a sweep: one axis per name, the last one wins. */
static int add_axis(struct sweep_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int i;

	if (eq == NULL || eq == arg)
		return cli_die(EXIT_USAGE, "-p %s: expected name=values", arg);
	nlen = (size_t)(eq - arg);
	if (nlen >= CFG_NAME_LEN || strlen(eq + 1) >= CFG_SWEEP_LEN)
		return cli_die(EXIT_USAGE, "-p %s: too long", arg);
	for (i = 0; i < o->naxes; i++)
		if (strlen(o->axes[i].name) == nlen &&
		    strncmp(o->axes[i].name, arg, nlen) == 0)
			break;
	if (i == o->naxes) {
		if (o->naxes == CFG_MAX_PARAMS)
			return cli_die(EXIT_USAGE, "too many -p parameters");
		o->naxes++;
	}
	memcpy(o->axes[i].name, arg, nlen);
	o->axes[i].name[nlen] = 0;
	snprintf(o->axes[i].values, CFG_SWEEP_LEN, "%s", eq + 1);
	return 0;
}

/* "-j N": 1..SWEEP_MAX_JOBS. */
static int parse_jobs(const char *val, int *jobs)
{
	uint64_t v;

	if (cli_parse_u64(val, &v) != 0 || v == 0)
		return cli_die(EXIT_USAGE, "-j %s: expected a positive whole number",
		    val);
	if (v > SWEEP_MAX_JOBS)
		return cli_die(EXIT_USAGE, "-j %s: at most %d", val,
		    SWEEP_MAX_JOBS);
	*jobs = (int)v;
	return 0;
}

/* "--shard I/K" with 1 <= I <= K. */
static int parse_shard(const char *val, int *shard, int *nshards)
{
	if (cli_parse_shard(val, shard, nshards) != 0)
		return cli_die(EXIT_USAGE, "--shard %s: expected I/K with "
		    "1 <= I <= K", val);
	return 0;
}

static int parse_busy(const char *val, int *ms)
{
	char err[256];
	double s;

	if (units_time(val, &s, err, sizeof(err)) != 0)
		return cli_die(EXIT_USAGE, "--busy-timeout: %s", err);
	*ms = s * 1000 > 1e9 ? 1000000000 : (int)(s * 1000);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

/* A sweep's option (findn: those find-n takes); 0, -1 unknown, status. */
static int sweep_opt(struct sweep_opts *o, int findn, const char *a,
    const char *val)
{
	if (strcmp(a, "-p") == 0)
		return add_axis(o, val);
	if (strcmp(a, "--seeds") == 0) {
		o->seeds = val;
		return 0;
	}
	if (strcmp(a, "-j") == 0)
		return parse_jobs(val, &o->jobs);
	if (strcmp(a, "--busy-timeout") == 0)
		return parse_busy(val, &o->busy_ms);
	if (!findn && strcmp(a, "--shard") == 0)
		return parse_shard(val, &o->shard, &o->nshards);
	if (findn && strcmp(a, "--hunt") == 0) {
		uint64_t v;
		if (cli_parse_u64(val, &v) != 0 || v == 0 || v > INT64_MAX)
			return cli_die(EXIT_USAGE, "--hunt %s: expected a positive "
			    "number of runs", val);
		o->hunt_budget = (int64_t)v;
		return 0;
	}
	if (findn && strcmp(a, "--ignore") == 0) {
		char err[160];
		unsigned m;

		if (cli_parse_outcomes(val, &m, err, sizeof(err)) != 0)
			return cli_die(EXIT_USAGE, "--ignore %s: %s", val, err);
		if (m & ~(1u << OUTCOME_PANIC))
			return cli_die(EXIT_USAGE, "--ignore %s: find-n can "
			    "ignore only panic", val);
		o->ignore = m;
		return 0;
	}
	return -1;
}

static int parse_sweep_opts(int argc, char **argv, struct sweep_opts *o,
    int findn)
{
	struct common c = { &o->db, &o->wall_limit, &o->limits };
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->wall_limit = 600;
	limits_defaults(&o->limits);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o->path != NULL)
				return cli_die(EXIT_USAGE, "unexpected argument "
				    "'%s'", a);
			o->path = a;
			continue;
		}
		if (!findn && strcmp(a, "--force") == 0) {
			o->force = 1;
			continue;
		}
		if (i + 1 == argc)
			return cli_die(EXIT_USAGE, "%s needs a value", a);
		rc = sweep_opt(o, findn, a, argv[++i]);
		if (rc < 0)
			rc = common_opt(&c, a, argv[i]);
		if (rc < 0)
			return cli_die(EXIT_USAGE, "unknown option '%s'", a);
		if (rc > 0)
			return rc;
	}
	if (o->path == NULL) {
		usage();
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_sweep(int argc, char **argv, int findn)
{
	struct sweep_opts o;
	int rc;

	if ((rc = parse_sweep_opts(argc, argv, &o, findn)) != 0)
		return rc;
	return findn ? sweep_find_n(&o) : sweep_main(&o);
}

/* Every input is checked before the output is touched. */
static int cmd_merge(int argc, char **argv)
{
	struct store_merge_stats ms;
	struct store *st;
	char err[512];
	int i;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++)
		if (store_check_source(argv[i], err, sizeof(err)) != 0)
			return cli_die(EXIT_ENV, "%s", err);
	if (store_open(&st, argv[0], err, sizeof(err)) != 0)
		return cli_die(EXIT_ENV, "%s", err);
	for (i = 1; i < argc; i++) {
		if (store_merge(st, argv[i], &ms, err, sizeof(err)) != 0) {
			store_close(st);
			return cli_die(EXIT_ENV, "%s", err);
		}
		printf("merged %s: %lld runs added, %lld already there\n",
		    argv[i], (long long)ms.added, (long long)ms.present);
	}
	store_close(st);
	return 0;
}

static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	uint64_t v;
	int i;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (val == NULL)
			return cli_die(EXIT_USAGE, "%s needs a value", a);
		i++;
		if (strcmp(a, "--db") == 0)
			o->db = val;
		else if (strcmp(a, "--scenario") == 0)
			o->scenario = val;
		else if (strcmp(a, "--plot") == 0)
			o->plot_dir = val;
		else if (strcmp(a, "--format") == 0) {
			enum table_format f;
			if (table_format_parse(val, &f) != 0)
				return cli_die(EXIT_USAGE, "--format %s: expected "
				    TABLE_FORMAT_NAMES, val);
			o->format = (int)f + 1;
		}
		else if (strcmp(a, "--run") == 0) {
			if (cli_parse_u64(val, &v) != 0 || v == 0 ||
			    v > INT64_MAX)
				return cli_die(EXIT_USAGE, "--run %s: expected a "
				    "run id", val);
			o->run_id = (int64_t)v;
		} else
			return cli_die(EXIT_USAGE, "unknown option '%s'", a);
	}
	if (o->run_id != 0 && o->plot_dir == NULL)
		return cli_die(EXIT_USAGE, "--run needs --plot DIR");
	if (o->format != 0 && o->plot_dir != NULL)
		return cli_die(EXIT_USAGE, "--format and --plot: choose one");
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	int rc;

	if ((rc = parse_report_opts(argc, argv, &o)) != 0)
		return rc;
	return report_main(&o);
}

/* memsim explain RUN_ID [--db FILE] [--format text|json] */
static int cmd_explain(int argc, char **argv)
{
	const char *db = "results.db";
	uint64_t id = 0;
	int i, have_id = 0, json = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "text") != 0 &&
			    strcmp(argv[i], "json") != 0)
				return cli_die(EXIT_USAGE, "explain --format "
				    "%s: expected text or json", argv[i]);
			json = strcmp(argv[i], "json") == 0;
		} else if (!have_id && cli_parse_u64(argv[i], &id) == 0 &&
		    id > 0 && id <= INT64_MAX) {
			have_id = 1;
		} else {
			return cli_die(EXIT_USAGE, "explain: unexpected argument "
			    "'%s' (usage: memsim explain RUN_ID [--db FILE])",
			    argv[i]);
		}
	}
	if (!have_id)
		return cli_die(EXIT_USAGE, "explain: which run? (usage: memsim "
		    "explain RUN_ID [--db FILE])");
	return explain_run(db, (int64_t)id, json);
}

/*
 * memsim replay RUN_ID [--db FILE] [--wall-limit T] [--lua-budget N]
 * [--lua-mem SIZE]: exit 0 the digest matches, 1 it does not (or the
 * scenario changed), 2 usage or no such run.
 */
static int cmd_replay(int argc, char **argv)
{
	struct script_limits lim;
	const char *db = "results.db";
	double wall_limit = 600;
	struct common c = { &db, &wall_limit, &lim };
	uint64_t id = 0;
	int i, rc, have_id = 0;

	limits_defaults(&lim);
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '-' && i + 1 < argc &&
		    (rc = common_opt(&c, argv[i], argv[i + 1])) >= 0) {
			if (rc != 0)
				return rc;
			i++;
		} else if (!have_id && cli_parse_u64(argv[i], &id) == 0 &&
		    id > 0 && id <= INT64_MAX) {
			have_id = 1;
		} else {
			return cli_die(EXIT_USAGE, "replay: unexpected argument "
			    "'%s' (usage: memsim replay RUN_ID [--db FILE])",
			    argv[i]);
		}
	}
	if (!have_id)
		return cli_die(EXIT_USAGE, "replay: which run? (usage: memsim "
		    "replay RUN_ID [--db FILE])");
	return replay_run(db, (int64_t)id, &lim, wall_limit);
}

static const char *const commands[] = {
	"run", "sweep", "find-n", "hunt", "compare", "shrink", "merge",
	"report", "explain",
	"replay", "trace", "version", "help",
};

/* Edit distance of two short words (a typo is one or two edits away). */
static size_t edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[32], prev, tmp;

	if (la >= 31 || lb >= 31)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < d[j] ?
			    (prev < d[j - 1] ? prev : d[j - 1]) :
			    (d[j] < d[j - 1] ? d[j] : d[j - 1]));
			prev = tmp;
		}
	}
	return d[lb];
}

static int unknown_command(const char *cmd)
{
	const char *best = NULL;
	size_t i, e, beste = 3;

	/* the first command it begins, else the nearest within two edits */
	for (i = 0; *cmd != '\0' &&
	    i < sizeof(commands) / sizeof(commands[0]); i++)
		if (best == NULL && strncmp(cmd, commands[i], strlen(cmd)) == 0)
			best = commands[i];
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		e = edits(cmd, commands[i]);
		if (e < beste && (best == NULL || beste < 3)) {
			beste = e;
			best = commands[i];
		}
	}
	if (best != NULL)
		return cli_die(EXIT_USAGE, "unknown command '%s'; did you mean "
		    "%s? (memsim --help lists them)", cmd, best);
	return cli_die(EXIT_USAGE, "unknown command '%s' (memsim --help "
	    "lists them)", cmd);
}

static int is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
	    strcmp(a, "help") == 0;
}

/*
 * "--name=value" becomes "--name" "value", for every command.  Only
 * what starts with "--": "-p name=value" keeps its own '='.
 */
static char **split_equals(int argc, char **argv, int *nargc)
{
	char **out = calloc((size_t)argc * 2 + 1, sizeof(*out));
	int i, n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (i > 0 && strncmp(argv[i], "--", 2) == 0 && eq != NULL &&
		    eq > argv[i] + 2) {
			*eq = '\0';
			out[n++] = argv[i];
			out[n++] = eq + 1;
		} else {
			out[n++] = argv[i];
		}
	}
	*nargc = n;
	return out;
}

static int dispatch(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	/* "trace" has its own usage */
	for (i = 1; i < argc && strcmp(argv[1], "trace") != 0; i++) {
		if (is_help(argv[i]) && (i == 1 || strcmp(argv[i], "help"))) {
			usage_to(stdout);
			return 0;
		}
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "sweep") == 0)
		return cmd_sweep(argc - 2, argv + 2, 0);
	if (strcmp(argv[1], "find-n") == 0)
		return cmd_sweep(argc - 2, argv + 2, 1);
	if (strcmp(argv[1], "hunt") == 0)
		return hunt_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "compare") == 0)
		return compare_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "shrink") == 0)
		return shrink_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "merge") == 0)
		return cmd_merge(argc - 2, argv + 2);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 2, argv + 2);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 2, argv + 2);
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 2, argv + 2);
	if (strcmp(argv[1], "trace") == 0)
		return mtr_cmd_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "version") == 0) {
		printf("memsim %s (SimGrid %s, %s, SQLite %s)\n",
		    MEMSIM_VERSION, core_simgrid_version(), LUA_RELEASE,
		    store_sqlite_version());
		return 0;
	}
	return unknown_command(argv[1]);
}

int main(int argc, char **argv)
{
	char **args;
	int n, rc;

	/*
	 * Over a file-size limit (ulimit -f), write() must fail with EFBIG
	 * and reach SQLite as an error we report, not kill us mid-write.
	 */
	signal(SIGXFSZ, SIG_IGN);
	args = split_equals(argc, argv, &n);
	if (args == NULL)
		return cli_die(EXIT_ENV, "out of memory");
	rc = dispatch(n, args);
	free(args);
	return rc;
}
