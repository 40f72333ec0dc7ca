/*
 * sweep: see sweep.h.
 *
 * Three steps.  The grid: axes from the scenario's sweep{} and -p, each
 * a list of values, plus the seeds.  The plan: the scenario loaded once
 * per combination of axis values (in this process: loading runs no
 * simulation), reduced to the distinct parameter sets it actually read,
 * times the seeds; run r is seed r / ncombos of combination
 * r % ncombos, so every combination gets its first seeds early and
 * `--shard i/k` (r % k == i - 1) spreads them evenly.  The execution:
 * runs already stored are skipped, the others run in forked children,
 * at most -j at once, their results go to SQLite in batches.
 *
 * The grid is sweep_grid, the plan sweep_plan, the execution
 * sweep_exec, find-n sweep_findn; this file is `memsim sweep`.
 * Nothing here knows the kernel model: the only names it uses are those
 * find-n is about (the allocator with a reserve and its N parameter).
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <stdio.h>
#include <string.h>

#include "store.h"
#include "sweep_exec.h"
#include "sweep_grid.h"
#include "sweep_plan.h"

static void summary(const struct campaign *ss, const struct tally *t)
{
	double n = t->fresh > 0 ? (double)t->fresh : 1;

	/* "new": what this process stored, not what it ran */
	printf("%s: %lld runs, %lld stored (%lld new, %lld already there); "
	    "%lld deadlocks, %lld errors, %lld panics\n", ss->label,
	    (long long)t->runs, (long long)(t->present + t->fresh),
	    (long long)t->added, (long long)(t->present + t->fresh -
	    t->added), (long long)t->deadlocks, (long long)t->errors,
	    (long long)t->panics);
	if (t->fresh > t->added)
		printf("  %lld of the runs done here had been stored meanwhile "
		    "by another process, which keeps them\n",
		    (long long)(t->fresh - t->added));
	if (t->fresh > 0)
		printf("  %.2f runs/s with -j %d; per run %.1f ms in the "
		    "child, %.2f ms more to fork and collect it\n",
		    t->seconds > 0 ? (double)t->fresh / t->seconds : 0,
		    ss->jobs, 1e3 * t->child_wall / n,
		    1e3 * (t->parent_wall - t->child_wall) / n);
}

int sweep_main(const struct sweep_opts *o)
{
	struct campaign ss;
	struct grid g;
	struct plan p;
	struct tally t;
	char err[1024], shard[64] = "";
	int rc;

	if (sweep_plan_build(&p, &g, o, 1, err, sizeof(err)) != 0) {
		sweep_plan_error(o, err);
		rc = SWEEP_EXIT_USAGE;
		goto out;
	}
	if (o->nshards > 0 && (size_t)o->shard > p.nruns) {
		fprintf(stderr, "memsim: --shard %d/%d: the grid has only %zu "
		    "runs, so this shard is empty\n", o->shard, o->nshards,
		    p.nruns);
		rc = SWEEP_EXIT_USAGE;
		goto out;
	}
	if ((rc = sweep_campaign_open(&ss, o)) != 0)
		goto out;
	if (o->nshards > 0)
		snprintf(shard, sizeof(shard), " shard=%d/%d", o->shard,
		    o->nshards);
	snprintf(ss.label, sizeof(ss.label), "sweep %s%s", p.scenario, shard);
	if (strlen(g.text) + strlen(shard) < sizeof(g.text))
		strcat(g.text, shard);
	rc = sweep_run_plan(&ss, &p, g.text, 0, &t);
	if (rc == 0)
		rc = sweep_finish(&ss);
	if (rc == 0 || rc > 128)
		summary(&ss, &t);
	store_close(ss.st);
out:
	sweep_plan_free(&p);
	sweep_grid_free(&g);
	return rc;
}

