/*
 * run_cmd: `memsim run`, one run of a scenario: its options, the key it
 * is stored under (a run already recorded is kept, not run again), the
 * run in a forked child, its row and its summary.
 */
#define _POSIX_C_SOURCE 200809L
#include "run_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "choice.h"
#include "cli.h"
#include "core.h"
#include "result.h"
#include "runner.h"
#include "simrun.h"
#include "store.h"
#include "version.h"

static int add_param(struct run_spec *spec, const char *arg)
{
	char err[2 * CFG_NAME_LEN + 64];

	if (cli_param_add(spec->params, &spec->nparams, arg, err,
	    sizeof(err)) < 0)
		return cli_die(CLI_EXIT_USAGE, "%s", err);
	return 0;
}

struct opts {
	struct run_spec spec;
	struct choice_seq choices;
	const char *db;
	struct cli_fail_on fail_on;	/* exit CLI_EXIT_FAIL when met */
	int force;			/* --force: a new row beside the old */
};

static int parse_run_opts(int argc, char **argv, struct opts *o)
{
	struct cli_common c = { &o->db, &o->spec.wall_limit, &o->spec.limits };
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->spec.seed = 1;
	o->spec.wall_limit = 600;
	cli_limits_defaults(&o->spec.limits);
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
				return cli_die(CLI_EXIT_USAGE, "unexpected argument "
				    "'%s'", a);
			o->spec.path = a;
			continue;
		}
		if (val == NULL)
			return cli_die(CLI_EXIT_USAGE, "%s needs a value", a);
		i++;
		if (strcmp(a, "-p") == 0) {
			if ((rc = add_param(&o->spec, val)) != 0)
				return rc;
		} else if (strcmp(a, "--fail-on") == 0) {
			char err[256];
			if (cli_parse_fail_on(val, &o->fail_on, err,
			    sizeof(err)) != 0)
				return cli_die(CLI_EXIT_USAGE, "--fail-on %s: %s", val,
				    err);
		} else if (strcmp(a, "--choices") == 0) {
			char err[300];
			if (choice_seq_parse(val, &o->choices, err,
			    sizeof(err)) != 0)
				return cli_die(CLI_EXIT_USAGE, "--%s", err);
			o->spec.choices = &o->choices;
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(val, &o->spec.seed) != 0 ||
			    o->spec.seed > INT64_MAX)
				return cli_die(CLI_EXIT_USAGE, "--seed %s: expected a "
				    "whole number below 2^63", val);
		} else if ((rc = cli_common_opt(&c, a, val)) >= 0) {
			if (rc != 0)
				return rc;
		} else {
			return cli_die(CLI_EXIT_USAGE, "unknown option '%s'", a);
		}
	}
	if (o->spec.path == NULL) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
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
	if (result_label(&res->row, id))
		res->row.seed = id->seed;
}

/* The exit status for a run (see the top of this file). */
static int outcome_status(const struct opts *o, const struct run_row *r)
{
	if (r->outcome == OUTCOME_ERROR)
		return CLI_EXIT_USAGE;
	if (cli_fails(&o->fail_on, r->outcome, r->longest_stall_seconds))
		return CLI_EXIT_FAIL;
	return 0;
}

/* Its identity as the store keys it, before it runs. */
static int run_identity(const struct opts *o, struct run_row *id)
{
	struct config *cfg;
	char err[512];

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return cli_die(CLI_EXIT_ENV, "out of memory");
	if (runner_validate(&o->spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		fprintf(stderr, "%s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (runner_file_sha256(o->spec.path, cfg->sha256, err,
	    sizeof(err)) != 0) {
		free(cfg);
		return cli_die(CLI_EXIT_USAGE, "%s", err);
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
		return cli_die(CLI_EXIT_ENV, "%s", found < 0 ? err : "run vanished");
	}
	store_close(st);
	printf("already recorded as run %lld (%s seed=%llu params=%s), "
	    "outcome %s; not run again\n", (long long)id, row.scenario,
	    (unsigned long long)row.seed, row.params,
	    outcome_name(row.outcome));
	return outcome_status(o, &row);
}

int run_cmd_main(int argc, char **argv)
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
		return cli_die(CLI_EXIT_ENV, "%s", err);
	store_set_versions(st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	store_set_force(st, o.force);
	if (o.spec.choices == NULL && !o.force) {
		found = store_find_run(st, ident.scenario_sha256, ident.params,
		    ident.seed, &id);
		if (found < 0) {
			store_close(st);
			return cli_die(CLI_EXIT_ENV, "%s: cannot read the runs table",
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
		return cli_die(CLI_EXIT_ENV, "%s", found < 0 ? "cannot read the "
		    "runs table" : err);
	}
	store_close(st);
	print_summary(id, &res);
	rc = outcome_status(&o, &res.row);
	result_free(&res);
	return rc;
}
