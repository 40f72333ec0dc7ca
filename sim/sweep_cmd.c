/*
 * sweep_cmd: the options of `memsim sweep` and `memsim find-n` (axes,
 * seeds, jobs, shards, lock wait) into a struct sweep_opts, and `memsim
 * merge`, which brings sharded sweeps' databases into one.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep_cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "result.h"
#include "store.h"
#include "sweep.h"
#include "units.h"

/* "-p name=LIST" of a sweep: one axis per name, the last one wins. */
static int add_axis(struct sweep_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int i;

	if (eq == NULL || eq == arg)
		return cli_die(CLI_EXIT_USAGE, "-p %s: expected name=values", arg);
	nlen = (size_t)(eq - arg);
	if (nlen >= CFG_NAME_LEN || strlen(eq + 1) >= CFG_SWEEP_LEN)
		return cli_die(CLI_EXIT_USAGE, "-p %s: too long", arg);
	for (i = 0; i < o->naxes; i++)
		if (strlen(o->axes[i].name) == nlen &&
		    strncmp(o->axes[i].name, arg, nlen) == 0)
			break;
	if (i == o->naxes) {
		if (o->naxes == CFG_MAX_PARAMS)
			return cli_die(CLI_EXIT_USAGE, "too many -p parameters");
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
		return cli_die(CLI_EXIT_USAGE, "-j %s: expected a positive whole number",
		    val);
	if (v > SWEEP_MAX_JOBS)
		return cli_die(CLI_EXIT_USAGE, "-j %s: at most %d", val,
		    SWEEP_MAX_JOBS);
	*jobs = (int)v;
	return 0;
}

/* "--shard I/K" with 1 <= I <= K. */
static int parse_shard(const char *val, int *shard, int *nshards)
{
	if (cli_parse_shard(val, shard, nshards) != 0)
		return cli_die(CLI_EXIT_USAGE, "--shard %s: expected I/K with "
		    "1 <= I <= K", val);
	return 0;
}

static int parse_busy(const char *val, int *ms)
{
	char err[256];
	double s;

	if (units_time(val, &s, err, sizeof(err)) != 0)
		return cli_die(CLI_EXIT_USAGE, "--busy-timeout: %s", err);
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
			return cli_die(CLI_EXIT_USAGE, "--hunt %s: expected a positive "
			    "number of runs", val);
		o->hunt_budget = (int64_t)v;
		return 0;
	}
	if (findn && strcmp(a, "--ignore") == 0) {
		char err[160];
		unsigned m;

		if (cli_parse_outcomes(val, &m, err, sizeof(err)) != 0)
			return cli_die(CLI_EXIT_USAGE, "--ignore %s: %s", val, err);
		if (m & ~(1u << OUTCOME_PANIC))
			return cli_die(CLI_EXIT_USAGE, "--ignore %s: find-n can "
			    "ignore only panic", val);
		o->ignore = m;
		return 0;
	}
	return -1;
}

static int parse_sweep_opts(int argc, char **argv, struct sweep_opts *o,
    int findn)
{
	struct cli_common c = { &o->db, &o->wall_limit, &o->limits };
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->wall_limit = 600;
	cli_limits_defaults(&o->limits);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o->path != NULL)
				return cli_die(CLI_EXIT_USAGE, "unexpected argument "
				    "'%s'", a);
			o->path = a;
			continue;
		}
		if (!findn && strcmp(a, "--force") == 0) {
			o->force = 1;
			continue;
		}
		if (i + 1 == argc)
			return cli_die(CLI_EXIT_USAGE, "%s needs a value", a);
		rc = sweep_opt(o, findn, a, argv[++i]);
		if (rc < 0)
			rc = cli_common_opt(&c, a, argv[i]);
		if (rc < 0)
			return cli_die(CLI_EXIT_USAGE, "unknown option '%s'", a);
		if (rc > 0)
			return rc;
	}
	if (o->path == NULL) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int sweep_cmd_main(int argc, char **argv, int findn)
{
	struct sweep_opts o;
	int rc;

	if ((rc = parse_sweep_opts(argc, argv, &o, findn)) != 0)
		return rc;
	return findn ? sweep_find_n(&o) : sweep_main(&o);
}

/* Every input is checked before the output is touched. */
int sweep_cmd_merge(int argc, char **argv)
{
	struct store_merge_stats ms;
	struct store *st;
	char err[512];
	int i;

	if (argc < 2) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++)
		if (store_check_source(argv[i], err, sizeof(err)) != 0)
			return cli_die(CLI_EXIT_ENV, "%s", err);
	if (store_open(&st, argv[0], err, sizeof(err)) != 0)
		return cli_die(CLI_EXIT_ENV, "%s", err);
	for (i = 1; i < argc; i++) {
		if (store_merge(st, argv[i], &ms, err, sizeof(err)) != 0) {
			store_close(st);
			return cli_die(CLI_EXIT_ENV, "%s", err);
		}
		printf("merged %s: %lld runs added, %lld already there\n",
		    argv[i], (long long)ms.added, (long long)ms.present);
	}
	store_close(st);
	return 0;
}
