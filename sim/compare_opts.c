/*
 * compare_opts: see compare_opts.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "compare_opts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "cli.h"
#include "sweep.h"
#include "units.h"
#include "xmalloc.h"

static const char *unit_of(const struct alloc_ops *ops)
{
	return ops->reserve_unit;
}

static int takes_option(const struct alloc_ops *ops, const char *key)
{
	int i;

	for (i = 0; ops->options != NULL && ops->options[i] != NULL; i++)
		if (strcmp(ops->options[i], key) == 0)
			return 1;
	return 0;
}

static void known_list(char *buf, size_t len)
{
	const char *const *n = alloc_names();
	size_t used = 0;

	buf[0] = 0;
	for (; *n != NULL && used < len; n++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used ? ", " : "", *n);
}

static void options_list(const struct alloc_ops *ops, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	snprintf(buf, len, "none");
	for (i = 0; ops->options != NULL && ops->options[i] != NULL &&
	    used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used ? ", " : "", ops->options[i]);
}

/*
 * A reserve list with an optional unit ("0..8", "0..64items"), for
 * policy p: the list without the unit into out.  0, or the exit status.
 */
static int reserve_list(const char *what, const char *text,
    const struct policy *p, char *out, size_t len)
{
	size_t n = strlen(text), k = n;
	char (*vals)[CFG_NAME_LEN];
	char err[256];
	int nv;

	while (k > 0 && isalpha((unsigned char)text[k - 1]))
		k--;
	if (k < n && strcmp(text + k, unit_of(p->ops)) != 0)
		return cli_die(CLI_EXIT_USAGE, "compare: %s: a reserve in %s, but "
		    "%s's reserve is counted in %s", what, text + k,
		    p->ops->name, unit_of(p->ops));
	if (k == 0 || k >= len)
		return cli_die(CLI_EXIT_USAGE, "compare: %s: expected a list of "
		    "reserve sizes such as 0..8", what);
	memcpy(out, text, k);
	out[k] = 0;
	nv = sweep_values(what, out, &vals, err, sizeof(err));
	if (nv < 0)
		return cli_die(CLI_EXIT_USAGE, "compare: %s", err);
	free(vals);
	return 0;
}

/* One "name[:key=value...]" of --policies; 0, or the exit status. */
static int parse_policy(struct cmp *c, char *item)
{
	struct policy *p;
	char *colon = strchr(item, ':'), *opt, known[512];

	if (colon != NULL)
		*colon = 0;
	if (c->npol == CMP_MAX_POLICIES)
		return cli_die(CLI_EXIT_USAGE, "compare: at most %d policies",
		    CMP_MAX_POLICIES);
	p = &c->pol[c->npol];
	memset(p, 0, sizeof(*p));
	if ((p->ops = alloc_lookup(item)) == NULL) {
		known_list(known, sizeof(known));
		return cli_die(CLI_EXIT_USAGE, "compare: --policies: unknown policy "
		    "'%s' (known: %s)", item, known);
	}
	for (opt = colon ? colon + 1 : NULL; opt != NULL; ) {
		char *next = strchr(opt, ':'), *eq, what[160];

		if (next != NULL)
			*next++ = 0;
		eq = strchr(opt, '=');
		if (eq == NULL || eq == opt || eq[1] == 0)
			return cli_die(CLI_EXIT_USAGE, "compare: --policies: %s:%s: "
			    "expected option=value", item, opt);
		*eq = 0;
		if (!takes_option(p->ops, opt)) {
			options_list(p->ops, known, sizeof(known));
			return cli_die(CLI_EXIT_USAGE, "compare: --policies: %s takes "
			    "no option '%s' (its options: %s)", item, opt,
			    known);
		}
		snprintf(what, sizeof(what), "%s:reserve=%s", item, eq + 1);
		if (strcmp(opt, "reserve") == 0) {
			int rc = reserve_list(what, eq + 1, p, p->reserve,
			    sizeof(p->reserve));
			if (rc != 0)
				return rc;
		} else {
			if (p->nopts == CMP_MAX_OPTS || strlen(opt) >= CFG_NAME_LEN ||
			    strlen(eq + 1) >= CFG_NAME_LEN)
				return cli_die(CLI_EXIT_USAGE, "compare: --policies: "
				    "%s: too many or too long options", item);
			snprintf(p->opts[p->nopts].name, CFG_NAME_LEN, "%s", opt);
			snprintf(p->opts[p->nopts].value, CFG_NAME_LEN, "%s",
			    eq + 1);
			p->nopts++;
		}
		opt = next;
	}
	c->npol++;
	return 0;
}

static int parse_policies(struct cmp *c, const char *list)
{
	char *copy = xstrdup(list), *item, *save = NULL;
	int rc = 0;

	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save))
		rc = parse_policy(c, item);
	free(copy);
	if (rc == 0 && c->npol == 0)
		rc = cli_die(CLI_EXIT_USAGE, "compare: --policies: no policy named");
	return rc;
}

/*
 * --emergency-pager: each policy with -p emergency_pager=true|false;
 * "both" puts each policy twice, with the pager and without.
 */
static int expand_epager(struct cmp *c)
{
	int i, n = c->npol;

	if (c->epager == NULL)
		return 0;
	if (strcmp(c->epager, "both") == 0) {
		if (2 * n > CMP_MAX_POLICIES)
			return cli_die(CLI_EXIT_USAGE, "compare: --emergency-pager "
			    "both: at most %d policies", CMP_MAX_POLICIES / 2);
		for (i = n - 1; i >= 0; i--) {
			c->pol[2 * i] = c->pol[i];
			c->pol[2 * i + 1] = c->pol[i];
			c->pol[2 * i].epager = "on";
			c->pol[2 * i + 1].epager = "off";
		}
		c->npol = 2 * n;
	} else {
		for (i = 0; i < n; i++)
			c->pol[i].epager = c->epager;
	}
	for (i = 0; i < c->npol; i++) {
		struct policy *p = &c->pol[i];

		if (p->nopts == CMP_MAX_OPTS)
			return cli_die(CLI_EXIT_USAGE, "compare: --policies: %s: "
			    "too many options", p->ops->name);
		snprintf(p->opts[p->nopts].name, CFG_NAME_LEN, "%s",
		    CMP_EPAGER_PARAM);
		snprintf(p->opts[p->nopts].value, CFG_NAME_LEN, "%s",
		    strcmp(p->epager, "on") == 0 ? "true" : "false");
		p->nopts++;
	}
	return 0;
}

int compare_opts_parse(int argc, char **argv, struct cmp *c)
{
	const char *policies = NULL, *seeds = "20";
	char err[256];
	uint64_t v;
	int i, rc;

	memset(c, 0, sizeof(*c));
	c->db = "results.db";
	c->wall_limit = 600;
	c->limits.mem_bytes = 256ULL << 20;
	c->limits.instructions = 1000000000ULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (a[0] != '-') {
			if (c->path != NULL)
				return cli_die(CLI_EXIT_USAGE, "compare: unexpected "
				    "argument '%s'", a);
			c->path = a;
			continue;
		}
		if (val == NULL)
			return cli_die(CLI_EXIT_USAGE, "compare: %s needs a value", a);
		i++;
		if (strcmp(a, "--policies") == 0) {
			policies = val;
		} else if (strcmp(a, "--seeds") == 0) {
			seeds = val;
		} else if (strcmp(a, "--reserve") == 0) {
			c->reserve = val;
		} else if (strcmp(a, "--db") == 0) {
			c->db = val;
		} else if (strcmp(a, "--plot") == 0) {
			c->plot_dir = val;
		} else if (strcmp(a, "--emergency-pager") == 0) {
			if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0 &&
			    strcmp(val, "both") != 0)
				return cli_die(CLI_EXIT_USAGE, "compare: "
				    "--emergency-pager %s: expected on, off or "
				    "both", val);
			c->epager = val;
		} else if (strcmp(a, "-j") == 0) {
			if (cli_parse_u64(val, &v) != 0 || v == 0 ||
			    v > SWEEP_MAX_JOBS)
				return cli_die(CLI_EXIT_USAGE, "compare: -j %s: "
				    "expected 1 to %d", val, SWEEP_MAX_JOBS);
			c->jobs = (int)v;
		} else if (strcmp(a, "--wall-limit") == 0) {
			if (units_time(val, &c->wall_limit, err, sizeof(err)))
				return cli_die(CLI_EXIT_USAGE, "compare: --wall-limit: "
				    "%s", err);
		} else if (strcmp(a, "-p") == 0) {
			if (strncmp(val, CMP_ALLOC_PARAM "=", 10) == 0 ||
			    strncmp(val, CMP_N_PARAM "=", 2) == 0)
				return cli_die(CLI_EXIT_USAGE, "compare: -p %s: compare "
				    "sets -p %s and -p %s itself", val,
				    CMP_ALLOC_PARAM, CMP_N_PARAM);
			if (strncmp(val, CMP_EPAGER_PARAM "=", 16) == 0)
				return cli_die(CLI_EXIT_USAGE, "compare: -p %s: use "
				    "--emergency-pager on|off|both", val);
			if (cli_param_add(c->params, &c->nparams, val, err,
			    sizeof(err)) != 0)
				return cli_die(CLI_EXIT_USAGE, "compare: %s", err);
		} else {
			return cli_die(CLI_EXIT_USAGE, "compare: unknown option '%s'",
			    a);
		}
	}
	if (c->path == NULL)
		return cli_die(CLI_EXIT_USAGE, "compare: which scenario? (usage: "
		    "memsim compare SCENARIO --policies LIST [--seeds K])");
	if (policies == NULL)
		return cli_die(CLI_EXIT_USAGE, "compare: --policies LIST is required "
		    "(e.g. zalloc,kmalloc_obj,reserve_kmalloc_obj)");
	if (cli_parse_u64(seeds, &c->nseeds) != 0 || c->nseeds == 0 ||
	    c->nseeds > 1000000)
		return cli_die(CLI_EXIT_USAGE, "compare: --seeds %s: expected a "
		    "number of seeds, 1 to 1000000", seeds);
	snprintf(c->seeds, sizeof(c->seeds), "1..%llu",
	    (unsigned long long)c->nseeds);
	if ((rc = parse_policies(c, policies)) != 0 ||
	    (rc = expand_epager(c)) != 0)
		return rc;
	for (i = 0; i < c->npol; i++) {
		struct policy *p = &c->pol[i];
		char what[CFG_SWEEP_LEN + 16];

		if (unit_of(p->ops) == NULL || p->reserve[0])
			continue;
		snprintf(what, sizeof(what), "--reserve %s",
		    c->reserve ? c->reserve : CMP_DEFAULT_RESERVE);
		if ((rc = reserve_list(what, c->reserve ? c->reserve :
		    CMP_DEFAULT_RESERVE, p, p->reserve, sizeof(p->reserve))) != 0)
			return rc;
	}
	return 0;
}
