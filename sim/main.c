/*
 * memsim: command line.
 *
 *   memsim run SCENARIO [-p name=value]... [--seed N] [--choices SEQ]
 *              [--db FILE]
 *              [--fail-on-deadlock] [--wall-limit SECONDS]
 *              [--lua-budget N] [--lua-mem SIZE]
 *   memsim sweep SCENARIO [-p name=LIST]... [--seeds LIST] [-j N]
 *              [--shard I/K] [--db FILE] [--wall-limit SECONDS]
 *              [--busy-timeout SECONDS] [--lua-budget N] [--lua-mem SIZE]
 *   memsim find-n SCENARIO --seeds K [-p name=value]... [-j N] [--db FILE]
 *              [--hunt RUNS]
 *   memsim compare SCENARIO --policies P[:opt=value...],... [--seeds K]
 *              [--reserve LIST] [-p name=value]... [-j N] [--db FILE]
 *              [--plot DIR]
 *   memsim shrink RUN_ID -o FILE [--db FILE] [--budget RUNS]
 *   memsim merge OUT.db IN.db...
 *   memsim report [--db FILE] [--scenario NAME] [--plot DIR [--run ID]]
 *              [--format text|csv|json|markdown]
 *   memsim explain RUN_ID [--db FILE] [--format text|json]
 *   memsim replay RUN_ID [--db FILE] [--wall-limit SECONDS]
 *              [--lua-budget N] [--lua-mem SIZE]
 *
 * A LIST is "a,b,c", "lo..hi" or a mix ("1..4,8").
 *
 * Exit status: 0 whatever the simulated outcome (3 for a deadlock with
 * --fail-on-deadlock, and from find-n when no N is enough), 2 for usage
 * and scenario errors, 1 for the environment (database, files), 128 + n
 * for a sweep stopped by signal n.
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
#include "store.h"
#include "sweep.h"
#include "table.h"
#include "units.h"
#include "version.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1
#define EXIT_DEADLOCK	3

static void usage(void)
{
	fprintf(stderr,
	    "usage: memsim run SCENARIO [-p name=value]... [--seed N] "
	    "[--choices SEQ] [--db FILE]\n"
	    "                  [--fail-on-deadlock] [--wall-limit SECONDS] "
	    "[--lua-budget N] [--lua-mem SIZE]\n"
	    "       memsim sweep SCENARIO [-p name=LIST]... [--seeds LIST] "
	    "[-j N] [--shard I/K]\n"
	    "                  [--db FILE] [--wall-limit SECONDS] "
	    "[--busy-timeout SECONDS]\n"
	    "       memsim find-n SCENARIO --seeds K [-p name=value]... "
	    "[-j N] [--db FILE] [--hunt RUNS]\n"
	    "       memsim hunt SCENARIO --budget RUNS|TIME [--strategy "
	    "random|guided|exhaustive]\n"
	    "                  [--depth D] [-p name=value]... [-j N] "
	    "[--db FILE] (docs/hunting.md)\n"
	    "       memsim compare SCENARIO --policies P[:opt=v...],... "
	    "[--seeds K] [--reserve LIST]\n"
	    "                  [-p name=value]... [-j N] [--db FILE] "
	    "[--plot DIR]\n"
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
	    "       memsim version\n");
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
	int fail_on_deadlock;
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
			o->fail_on_deadlock = 1;
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
	printf("  outcome %s%s%s at t=%.3fs", outcome_name(r->outcome),
	    r->deadlock_kind[0] ? " " : "", r->deadlock_kind, r->end_time);
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

static int cmd_run(int argc, char **argv)
{
	struct opts o;
	struct config *cfg;
	struct store *st;
	struct result res;
	char err[512];
	int64_t id = 0;
	int rc;

	if ((rc = parse_run_opts(argc, argv, &o)) != 0)
		return rc;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return cli_die(EXIT_ENV, "out of memory");
	if (runner_validate(&o.spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	free(cfg);
	if (store_open(&st, o.db, err, sizeof(err)) != 0)
		return cli_die(EXIT_ENV, "%s", err);
	store_set_versions(st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	runner_run(&o.spec, &res);
	if (store_insert(st, &res, 1, &id, err, sizeof(err)) != 0) {
		store_close(st);
		result_free(&res);
		return cli_die(EXIT_ENV, "%s", err);
	}
	store_close(st);
	print_summary(id, &res);
	rc = o.fail_on_deadlock && res.row.outcome == OUTCOME_DEADLOCK ?
	    EXIT_DEADLOCK : 0;
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
	unsigned long i, k;
	char *end;

	errno = 0;
	i = strtoul(val, &end, 10);
	if (end != val && *end == '/' && end[1] >= '0' && end[1] <= '9') {
		k = strtoul(end + 1, &end, 10);
		if (*end == '\0' && errno == 0 && i >= 1 && i <= k &&
		    k <= 1000000) {
			*shard = (int)i;
			*nshards = (int)k;
			return 0;
		}
	}
	return cli_die(EXIT_USAGE, "--shard %s: expected I/K with 1 <= I <= K",
	    val);
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

int main(int argc, char **argv)
{
	/*
	 * Over a file-size limit (ulimit -f), write() must fail with EFBIG
	 * and reach SQLite as an error we report, not kill us mid-write.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage();
		return EXIT_USAGE;
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
	usage();
	return EXIT_USAGE;
}
