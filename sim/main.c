/*
 * memsim: command line.  This file picks the command and holds the small
 * ones; `run` is sim/run_cmd.c, `sweep`, `find-n` and `merge` are
 * sim/sweep_cmd.c, and what they share (usage, options) is sim/cli.c.
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "cli.h"
#include "compare.h"
#include "core.h"
#include "explain.h"
#include "hunt.h"
#include "mtr_cmd.h"
#include "replay.h"
#include "report.h"
#include "run_cmd.h"
#include "script.h"
#include "shrink.h"
#include "store.h"
#include "sweep_cmd.h"
#include "table.h"
#include "version.h"

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
			return cli_die(CLI_EXIT_USAGE, "%s needs a value", a);
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
				return cli_die(CLI_EXIT_USAGE, "--format %s: expected "
				    TABLE_FORMAT_NAMES, val);
			o->format = (int)f + 1;
		}
		else if (strcmp(a, "--run") == 0) {
			if (cli_parse_u64(val, &v) != 0 || v == 0 ||
			    v > INT64_MAX)
				return cli_die(CLI_EXIT_USAGE, "--run %s: expected a "
				    "run id", val);
			o->run_id = (int64_t)v;
		} else
			return cli_die(CLI_EXIT_USAGE, "unknown option '%s'", a);
	}
	if (o->run_id != 0 && o->plot_dir == NULL)
		return cli_die(CLI_EXIT_USAGE, "--run needs --plot DIR");
	if (o->format != 0 && o->plot_dir != NULL)
		return cli_die(CLI_EXIT_USAGE, "--format and --plot: choose one");
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
				return cli_die(CLI_EXIT_USAGE, "explain --format "
				    "%s: expected text or json", argv[i]);
			json = strcmp(argv[i], "json") == 0;
		} else if (!have_id && cli_parse_u64(argv[i], &id) == 0 &&
		    id > 0 && id <= INT64_MAX) {
			have_id = 1;
		} else {
			return cli_die(CLI_EXIT_USAGE, "explain: unexpected argument "
			    "'%s' (usage: memsim explain RUN_ID [--db FILE])",
			    argv[i]);
		}
	}
	if (!have_id)
		return cli_die(CLI_EXIT_USAGE, "explain: which run? (usage: memsim "
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
	struct cli_common c = { &db, &wall_limit, &lim };
	uint64_t id = 0;
	int i, rc, have_id = 0;

	cli_limits_defaults(&lim);
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '-' && i + 1 < argc &&
		    (rc = cli_common_opt(&c, argv[i], argv[i + 1])) >= 0) {
			if (rc != 0)
				return rc;
			i++;
		} else if (!have_id && cli_parse_u64(argv[i], &id) == 0 &&
		    id > 0 && id <= INT64_MAX) {
			have_id = 1;
		} else {
			return cli_die(CLI_EXIT_USAGE, "replay: unexpected argument "
			    "'%s' (usage: memsim replay RUN_ID [--db FILE])",
			    argv[i]);
		}
	}
	if (!have_id)
		return cli_die(CLI_EXIT_USAGE, "replay: which run? (usage: memsim "
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
		return cli_die(CLI_EXIT_USAGE, "unknown command '%s'; did you mean "
		    "%s? (memsim --help lists them)", cmd, best);
	return cli_die(CLI_EXIT_USAGE, "unknown command '%s' (memsim --help "
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
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	/* "trace" has its own usage */
	for (i = 1; i < argc && strcmp(argv[1], "trace") != 0; i++) {
		if (is_help(argv[i]) && (i == 1 || strcmp(argv[i], "help"))) {
			cli_usage(stdout);
			return 0;
		}
	}
	if (strcmp(argv[1], "run") == 0)
		return run_cmd_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "sweep") == 0)
		return sweep_cmd_main(argc - 2, argv + 2, 0);
	if (strcmp(argv[1], "find-n") == 0)
		return sweep_cmd_main(argc - 2, argv + 2, 1);
	if (strcmp(argv[1], "hunt") == 0)
		return hunt_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "compare") == 0)
		return compare_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "shrink") == 0)
		return shrink_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "merge") == 0)
		return sweep_cmd_merge(argc - 2, argv + 2);
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
		return cli_die(CLI_EXIT_ENV, "out of memory");
	rc = dispatch(n, args);
	free(args);
	return rc;
}
