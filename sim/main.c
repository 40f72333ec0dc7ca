/*
 * memsim: command line.
 *
 *   memsim run SCENARIO [-p name=value]... [--seed N] [--db FILE]
 *              [--fail-on-deadlock] [--wall-limit SECONDS]
 *              [--lua-budget N] [--lua-mem SIZE]
 *
 * Exit status: 0 whatever the simulated outcome (3 for a deadlock with
 * --fail-on-deadlock), 2 for usage and scenario errors, 1 for the
 * environment (database, files).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "core.h"
#include "runner.h"
#include "store.h"
#include "units.h"
#include "version.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1
#define EXIT_DEADLOCK	3

static void usage(void)
{
	fprintf(stderr,
	    "usage: memsim run SCENARIO [-p name=value]... [--seed N] "
	    "[--db FILE]\n"
	    "                  [--fail-on-deadlock] [--wall-limit SECONDS] "
	    "[--lua-budget N] [--lua-mem SIZE]\n"
	    "       memsim version\n");
}

static int die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "-p name=value": one entry per name, the last one wins. */
static int add_param(struct run_spec *spec, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int i;

	if (eq == NULL || eq == arg)
		return die(EXIT_USAGE, "-p %s: expected name=value", arg);
	nlen = (size_t)(eq - arg);
	if (nlen >= CFG_NAME_LEN || strlen(eq + 1) >= CFG_NAME_LEN)
		return die(EXIT_USAGE, "-p %s: too long", arg);
	for (i = 0; i < spec->nparams; i++)
		if (strlen(spec->params[i].name) == nlen &&
		    strncmp(spec->params[i].name, arg, nlen) == 0)
			break;
	if (i == spec->nparams) {
		if (spec->nparams == CFG_MAX_PARAMS)
			return die(EXIT_USAGE, "too many -p parameters");
		spec->nparams++;
	}
	memcpy(spec->params[i].name, arg, nlen);
	spec->params[i].name[nlen] = 0;
	snprintf(spec->params[i].value, CFG_NAME_LEN, "%s", eq + 1);
	return 0;
}

struct opts {
	struct run_spec spec;
	const char *db;
	int fail_on_deadlock;
};

static int parse_run_opts(int argc, char **argv, struct opts *o)
{
	char err[256];
	uint64_t v;
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->spec.seed = 1;
	o->spec.wall_limit = 600;
	o->spec.limits.mem_bytes = 256ULL << 20;
	o->spec.limits.instructions = 1000000000ULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--fail-on-deadlock") == 0) {
			o->fail_on_deadlock = 1;
			continue;
		}
		if (a[0] != '-') {
			if (o->spec.path != NULL)
				return die(EXIT_USAGE, "unexpected argument "
				    "'%s'", a);
			o->spec.path = a;
			continue;
		}
		if (val == NULL)
			return die(EXIT_USAGE, "%s needs a value", a);
		i++;
		if (strcmp(a, "-p") == 0) {
			if ((rc = add_param(&o->spec, val)) != 0)
				return rc;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_u64(val, &o->spec.seed) != 0 ||
			    o->spec.seed > INT64_MAX)
				return die(EXIT_USAGE, "--seed %s: expected a "
				    "whole number below 2^63", val);
		} else if (strcmp(a, "--db") == 0) {
			o->db = val;
		} else if (strcmp(a, "--wall-limit") == 0) {
			if (units_time(val, &o->spec.wall_limit, err,
			    sizeof(err)) != 0)
				return die(EXIT_USAGE, "--wall-limit: %s", err);
		} else if (strcmp(a, "--lua-budget") == 0) {
			if (parse_u64(val, &v) != 0 || v == 0)
				return die(EXIT_USAGE, "--lua-budget %s: "
				    "expected a positive whole number", val);
			o->spec.limits.instructions = v;
		} else if (strcmp(a, "--lua-mem") == 0) {
			if (units_size(val, &v, err, sizeof(err)) != 0 ||
			    v == 0)
				return die(EXIT_USAGE, "--lua-mem: %s", v == 0 ?
				    "must be positive" : err);
			o->spec.limits.mem_bytes = v;
		} else {
			return die(EXIT_USAGE, "unknown option '%s'", a);
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
		return die(EXIT_ENV, "out of memory");
	if (runner_validate(&o.spec, cfg, err, sizeof(err)) != 0) {
		free(cfg);
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	free(cfg);
	if (store_open(&st, o.db, err, sizeof(err)) != 0)
		return die(EXIT_ENV, "%s", err);
	store_set_versions(st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	runner_run(&o.spec, &res);
	if (store_insert(st, &res, 1, &id, err, sizeof(err)) != 0) {
		store_close(st);
		result_free(&res);
		return die(EXIT_ENV, "%s", err);
	}
	store_close(st);
	print_summary(id, &res);
	rc = o.fail_on_deadlock && res.row.outcome == OUTCOME_DEADLOCK ?
	    EXIT_DEADLOCK : 0;
	result_free(&res);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "version") == 0) {
		printf("memsim %s (SimGrid %s, %s, SQLite %s)\n",
		    MEMSIM_VERSION, core_simgrid_version(), LUA_RELEASE,
		    store_sqlite_version());
		return 0;
	}
	usage();
	return EXIT_USAGE;
}
