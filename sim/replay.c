/*
 * replay: see replay.h.  Reads through the store, runs through the
 * runner, prints one line.
 */
#include "replay.h"

#include <stdio.h>
#include <string.h>

#include "choice.h"
#include "result.h"
#include "runner.h"
#include "store.h"

#define EXIT_DIFFERS	1
#define EXIT_NORUN	2

/* The stored run, or an exit status (> 0) after saying why not. */
static int fetch(const char *db, int64_t id, struct store_replay *r)
{
	struct store_opts so = { .must_exist = 1 };
	struct store *st;
	char err[512];
	int rc;

	if (store_open_opts(&st, db, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return 1;
	}
	rc = store_run_replay(st, id, r, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "memsim: %s\n", err);
		return 1;
	}
	if (rc == 0) {
		fprintf(stderr, "memsim: %s: no run %lld\n", db, (long long)id);
		return EXIT_NORUN;
	}
	if (r->scenario_path[0] == '\0') {
		fprintf(stderr, "memsim: %s: run %lld has no scenario path "
		    "(stored by an older memsim): cannot replay it\n", db,
		    (long long)id);
		return 1;
	}
	return 0;
}

/* The file must still be the scenario that run read. */
static int same_scenario(int64_t id, const struct store_replay *r)
{
	char now[65], err[600];

	if (runner_file_sha256(r->scenario_path, now, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: run %lld: %s\n", (long long)id, err);
		return 0;
	}
	if (strcmp(now, r->scenario_sha256) != 0) {
		fprintf(stderr, "memsim: run %lld: scenario changed: %s no "
		    "longer has the sha256 the run was stored with (stored "
		    "%.12s..., now %.12s...)\n", (long long)id,
		    r->scenario_path, r->scenario_sha256, now);
		return 0;
	}
	return 1;
}

int replay_run(const char *db, int64_t id, const struct script_limits *lim,
    double wall_limit)
{
	struct store_replay r;
	struct choice_seq seq;
	char err[320];
	struct run_spec spec;
	struct result res;
	int rc;

	if ((rc = fetch(db, id, &r)) != 0)
		return rc;
	if (!same_scenario(id, &r))
		return 1;
	memset(&spec, 0, sizeof(spec));
	spec.path = r.scenario_path;
	memcpy(spec.params, r.p, sizeof(spec.params));
	spec.nparams = r.np;
	spec.seed = r.seed;
	if (choice_seq_parse(r.choices, &seq, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: run %lld: stored %s\n", (long long)id,
		    err);
		return 1;
	}
	spec.choices = &seq;
	spec.limits = *lim;
	spec.wall_limit = wall_limit;
	runner_run(&spec, &res);
	if (strcmp(res.row.digest, r.digest) == 0) {
		printf("run %lld: digest matches (%s), outcome stored %s, "
		    "now %s\n", (long long)id, r.digest[0] ? r.digest :
		    "none", outcome_name(r.outcome),
		    outcome_name(res.row.outcome));
		rc = 0;
	} else {
		printf("run %lld: digest differs (stored %s, now %s), outcome "
		    "stored %s, now %s%s%s\n", (long long)id,
		    r.digest[0] ? r.digest : "none",
		    res.row.digest[0] ? res.row.digest : "none",
		    outcome_name(r.outcome), outcome_name(res.row.outcome),
		    res.row.message[0] ? ": " : "", res.row.message);
		rc = EXIT_DIFFERS;
	}
	result_free(&res);
	return rc;
}
