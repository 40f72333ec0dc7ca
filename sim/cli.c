/*
 * cli: see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "script.h"
#include "units.h"
#include "verdict.h"

int cli_die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int cli_parse_shard(const char *s, int *shard, int *nshards)
{
	unsigned long i, k;
	char *end;

	errno = 0;
	i = strtoul(s, &end, 10);
	if (end == s || *end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	k = strtoul(end + 1, &end, 10);
	if (*end != '\0' || errno != 0 || i < 1 || i > k || k > 1000000)
		return -1;
	*shard = (int)i;
	*nshards = (int)k;
	return 0;
}

int cli_param_add(struct param *params, int *nparams, const char *arg,
    char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int i;

	if (eq == NULL || eq == arg) {
		snprintf(err, errlen, "-p %s: expected name=value", arg);
		return -1;
	}
	nlen = (size_t)(eq - arg);
	if (nlen >= CFG_NAME_LEN || strlen(eq + 1) >= CFG_NAME_LEN) {
		snprintf(err, errlen, "-p %s: too long", arg);
		return -1;
	}
	for (i = 0; i < *nparams; i++)
		if (strlen(params[i].name) == nlen &&
		    strncmp(params[i].name, arg, nlen) == 0)
			break;
	if (i == *nparams) {
		if (*nparams == CFG_MAX_PARAMS) {
			snprintf(err, errlen, "too many -p parameters");
			return -1;
		}
		(*nparams)++;
	}
	memcpy(params[i].name, arg, nlen);
	params[i].name[nlen] = 0;
	snprintf(params[i].value, CFG_NAME_LEN, "%s", eq + 1);
	return 0;
}

static int parse_outcomes(const char *list, unsigned *mask, int stall_ok,
    char *err, size_t errlen)
{
	const char *s = list, *comma;
	size_t n;
	int o, found;

	*mask = 0;
	for (;;) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		found = 0;
		for (o = 0; o <= OUTCOME_ERROR; o++) {
			if (strlen(outcome_name(o)) == n &&
			    strncmp(outcome_name(o), s, n) == 0) {
				*mask |= 1u << o;
				found = 1;
			}
		}
		if (!found) {
			snprintf(err, errlen, "'%.*s' is not an outcome "
			    "(deadlock, panic, error, survived, completed%s)",
			    (int)n, s, stall_ok ? ", or stall[=TIME]" : "");
			return -1;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

int cli_parse_outcomes(const char *list, unsigned *mask, char *err,
    size_t errlen)
{
	return parse_outcomes(list, mask, 0, err, errlen);
}

/* "stall" or "stall=TIME" at s (n bytes): 1 and *secs; 0 if neither. */
static int parse_stall(const char *s, size_t n, double *secs, char *err,
    size_t errlen)
{
	char val[64], uerr[160];

	if (n == 5 && strncmp(s, "stall", 5) == 0) {
		*secs = VERDICT_STALL_MIN;
		return 1;
	}
	if (n < 6 || strncmp(s, "stall=", 6) != 0)
		return 0;
	if (n - 6 >= sizeof(val)) {
		snprintf(err, errlen, "'%.*s': time too long", (int)n, s);
		return -1;
	}
	memcpy(val, s + 6, n - 6);
	val[n - 6] = 0;
	if (units_time(val, secs, uerr, sizeof(uerr)) != 0) {
		snprintf(err, errlen, "'%.*s': %s", (int)n, s, uerr);
		return -1;
	}
	if (*secs <= 0) {
		snprintf(err, errlen, "'%.*s': the stall must be longer than "
		    "0 s", (int)n, s);
		return -1;
	}
	return 1;
}

int cli_parse_fail_on(const char *list, struct cli_fail_on *f, char *err,
    size_t errlen)
{
	const char *s = list, *comma;
	unsigned m;
	size_t n;
	char one[64];
	double secs;
	int rc;

	for (;;) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		rc = parse_stall(s, n, &secs, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* the shortest threshold named wins */
			if (f->stall == 0 || secs < f->stall)
				f->stall = secs;
		} else {
			snprintf(one, sizeof(one), "%.*s", (int)(n < 63 ? n :
			    63), s);
			if (n >= sizeof(one) || parse_outcomes(one, &m, 1,
			    err, errlen) != 0) {
				if (n >= sizeof(one))
					snprintf(err, errlen, "'%.*s' is not an "
					    "outcome", (int)n, s);
				return -1;
			}
			f->outcomes |= m;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

int cli_fails(const struct cli_fail_on *f, int outcome,
    double longest_stall)
{
	if (f->outcomes & (1u << outcome))
		return 1;
	return f->stall > 0 && longest_stall >= f->stall;
}

void cli_usage(FILE *f)
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
	    "                  [--depth D] [--mode fork|prefix] "
	    "[--fresh P] [-p name=value]...\n"
	    "                  [-j N] [--shard I/K] [--db FILE] "
	    "(docs/hunting.md)\n"
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

int cli_common_opt(const struct cli_common *c, const char *a,
    const char *val)
{
	char err[256];
	uint64_t v;

	if (strcmp(a, "--db") == 0) {
		*c->db = val;
	} else if (strcmp(a, "--wall-limit") == 0) {
		if (units_time(val, c->wall_limit, err, sizeof(err)) != 0)
			return cli_die(CLI_EXIT_USAGE, "--wall-limit: %s", err);
	} else if (strcmp(a, "--lua-budget") == 0) {
		if (cli_parse_u64(val, &v) != 0 || v == 0)
			return cli_die(CLI_EXIT_USAGE, "--lua-budget %s: "
			    "expected a positive whole number", val);
		c->limits->instructions = v;
	} else if (strcmp(a, "--lua-mem") == 0) {
		if (units_size(val, &v, err, sizeof(err)) != 0 || v == 0)
			return cli_die(CLI_EXIT_USAGE, "--lua-mem: %s", v == 0 ?
			    "must be positive" : err);
		c->limits->mem_bytes = v;
	} else {
		return -1;
	}
	return 0;
}

void cli_limits_defaults(struct script_limits *lim)
{
	lim->mem_bytes = 256ULL << 20;
	lim->instructions = 1000000000ULL;
}
