/*
 * hunt_opts: see hunt_opts.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "hunt_opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choice.h"
#include "cli.h"
#include "explore.h"
#include "units.h"

#define EXIT_USAGE	2

static const char *const strategy_names[] = {
	[HUNT_RANDOM] = "random",
	[HUNT_GUIDED] = "guided",
	[HUNT_EXHAUSTIVE] = "exhaustive",
};

static int usage_err(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim: hunt: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int add_param(struct hunt_opts *o, const char *arg)
{
	char err[2 * CFG_NAME_LEN + 64];

	if (cli_param_add(o->params, &o->nparams, arg, err, sizeof(err)) < 0)
		return usage_err("%s", err);
	return 0;
}

/* "--budget 2000" (runs) or "--budget 10m" (time, any units_time text). */
static int parse_budget(const char *val, struct hunt_opts *o)
{
	char err[256];
	uint64_t n;
	double s;

	if (cli_parse_u64(val, &n) == 0) {
		if (n == 0)
			return usage_err("--budget 0: a hunt needs at least "
			    "one run");
		o->budget_runs = (int64_t)n;
		return 0;
	}
	if (units_time(val, &s, err, sizeof(err)) != 0)
		return usage_err("--budget %s: expected a number of runs or "
		    "a time (%s)", val, err);
	if (!(s > 0))
		return usage_err("--budget %s: a hunt needs some time", val);
	o->budget_seconds = s;
	return 0;
}

static int parse_domains(const char *val, unsigned *out)
{
	char buf[64], *tok, *save = NULL;

	if (strlen(val) >= sizeof(buf))
		return usage_err("--domain %s: too long", val);
	snprintf(buf, sizeof(buf), "%s", val);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "irq") == 0)
			*out |= HUNT_DOMAIN_IRQ;
		else if (strcmp(tok, "tie") == 0)
			*out |= HUNT_DOMAIN_TIE;
		else if (strcmp(tok, "proc") == 0)
			*out |= HUNT_DOMAIN_PROC;
		else
			return usage_err("--domain %s: unknown domain '%s' "
			    "(irq, tie, proc)", val, tok);
	}
	if (*out == 0)
		return usage_err("--domain %s: no domain", val);
	return 0;
}

static int parse_shard(const char *val, int *shard, int *nshards)
{
	if (cli_parse_shard(val, shard, nshards) != 0)
		return usage_err("--shard %s: expected I/K with 1 <= I <= K",
		    val);
	return 0;
}

/* One option with its value; 0 taken, -1 unknown, else exit status. */
static int hunt_opt(struct hunt_opts *o, const char *a, const char *val,
    int *have_depth, int *have_fresh)
{
	char err[256];
	uint64_t v;
	size_t i;

	if (strcmp(a, "-p") == 0)
		return add_param(o, val);
	if (strcmp(a, "--budget") == 0)
		return parse_budget(val, o);
	if (strcmp(a, "--db") == 0) {
		o->db = val;
	} else if (strcmp(a, "--strategy") == 0) {
		for (i = 0; i < 3; i++)
			if (strcmp(val, strategy_names[i]) == 0)
				break;
		if (i == 3)
			return usage_err("--strategy %s: unknown strategy "
			    "(random, guided or exhaustive)", val);
		o->strategy = (enum hunt_strategy)i;
	} else if (strcmp(a, "-j") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v == 0 || v > HUNT_MAX_JOBS)
			return usage_err("-j %s: expected 1..%d", val,
			    HUNT_MAX_JOBS);
		o->jobs = (int)v;
	} else if (strcmp(a, "--depth") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v == 0 ||
		    v > CHOICE_MAX_OVERRIDES)
			return usage_err("--depth %s: expected 1..%d", val,
			    CHOICE_MAX_OVERRIDES);
		o->depth = (int)v;
		*have_depth = 1;
	} else if (strcmp(a, "--width") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v < 2 || v > 16)
			return usage_err("--width %s: expected 2..16", val);
		o->width = (int)v;
	} else if (strcmp(a, "--domain") == 0) {
		return parse_domains(val, &o->domains);
	} else if (strcmp(a, "--mode") == 0) {
		if (strcmp(val, "fork") == 0)
			o->fork_mode = 1;
		else if (strcmp(val, "prefix") == 0)
			o->fork_mode = 0;
		else
			return usage_err("--mode %s: expected fork or prefix",
			    val);
	} else if (strcmp(a, "--fresh") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v > 100)
			return usage_err("--fresh %s: expected a percentage "
			    "0..100", val);
		o->fresh_pct = (int)v;
		*have_fresh = 1;
	} else if (strcmp(a, "--seed") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v > INT64_MAX / 2)
			return usage_err("--seed %s: expected a whole number "
			    "below 2^62", val);
		o->seed = v;
	} else if (strcmp(a, "--shard") == 0) {
		return parse_shard(val, &o->shard, &o->nshards);
	} else if (strcmp(a, "--wall-limit") == 0) {
		if (units_time(val, &o->wall_limit, err, sizeof(err)) != 0)
			return usage_err("--wall-limit: %s", err);
	} else {
		return -1;
	}
	return 0;
}

int hunt_parse(int argc, char **argv, struct hunt_opts *o)
{
	int i, rc, have_depth = 0, have_width = 0, have_mode = 0;
	int have_fresh = 0;

	memset(o, 0, sizeof(*o));
	o->db = "results.db";
	o->strategy = HUNT_GUIDED;
	o->jobs = 1;
	o->width = 3;
	o->domains = HUNT_DOMAIN_IRQ | HUNT_DOMAIN_TIE;
	o->fork_mode = explore_can_fork();
	o->seed = 1;
	o->wall_limit = 600;
	o->limits.mem_bytes = 256ULL << 20;
	o->limits.instructions = 1000000000ULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--fail-on-deadlock") == 0) {
			o->fail_on_deadlock = 1;
			continue;
		}
		if (a[0] != '-') {
			if (o->path != NULL)
				return usage_err("unexpected argument '%s'", a);
			o->path = a;
			continue;
		}
		if (i + 1 == argc)
			return usage_err("%s needs a value", a);
		have_width |= strcmp(a, "--width") == 0 ||
		    strcmp(a, "--domain") == 0;
		have_mode |= strcmp(a, "--mode") == 0;
		rc = hunt_opt(o, a, argv[++i], &have_depth, &have_fresh);
		if (rc < 0)
			return usage_err("unknown option '%s'", a);
		if (rc > 0)
			return rc;
	}
	if (o->path == NULL)
		return usage_err("which scenario? (usage: memsim hunt SCENARIO "
		    "--budget RUNS|TIME [--strategy random|guided|exhaustive]"
		    " ...)");
	if (o->budget_runs == 0 && o->budget_seconds == 0 &&
	    o->strategy != HUNT_EXHAUSTIVE)
		return usage_err("--budget RUNS|TIME is needed");
	if (o->strategy != HUNT_EXHAUSTIVE && (have_depth || have_width ||
	    have_mode))
		return usage_err("--depth, --width, --domain and --mode "
		    "belong to --strategy exhaustive");
	if (o->strategy != HUNT_GUIDED && have_fresh)
		return usage_err("--fresh belongs to --strategy guided");
	if (o->strategy == HUNT_EXHAUSTIVE && !have_depth)
		return usage_err("--strategy exhaustive needs --depth D");
	if (o->strategy == HUNT_EXHAUSTIVE && o->fork_mode &&
	    !explore_can_fork())
		return usage_err("--mode fork: this build's engine contexts "
		    "cannot be forked (use --mode prefix)");
	return 0;
}

const char *hunt_strategy_name(enum hunt_strategy s)
{
	return strategy_names[s];
}
