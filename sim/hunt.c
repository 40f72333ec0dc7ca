/*
 * hunt: see hunt.h.
 *
 * One loop for random and guided: a generator makes the next candidate
 * (seed plus overrides), up to -j children run at once, and each result
 * is stored, tallied (deadlocks, signatures, the closest approach) and,
 * when guided, judged for the corpus.  Exhaustive hands the runs to
 * sim/explore.c and only stores and tallies here.
 */
#define _POSIX_C_SOURCE 200809L
#include "hunt.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "cli.h"
#include "core.h"
#include "explore.h"
#include "mutate.h"
#include "runner.h"
#include "signature.h"
#include "simrun.h"
#include "store.h"
#include "units.h"
#include "version.h"
#include "xmalloc.h"

#define EXIT_USAGE	2
#define EXIT_ENV	1
#define EXIT_DEADLOCK	3

#define MAX_JOBS	64
#define CORPUS_MAX	512
#define MAX_SIGS	256
#define BATCH_RUNS	32
#define BATCH_SECONDS	2.0
#define RECENT		8

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
	return usage_err("--shard %s: expected I/K with 1 <= I <= K", val);
}

/* One option with its value; 0 taken, -1 unknown, else exit status. */
static int hunt_opt(struct hunt_opts *o, const char *a, const char *val,
    int *have_depth)
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
		if (cli_parse_u64(val, &v) != 0 || v == 0 || v > MAX_JOBS)
			return usage_err("-j %s: expected 1..%d", val,
			    MAX_JOBS);
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
		rc = hunt_opt(o, a, argv[++i], &have_depth);
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
	if (o->strategy == HUNT_EXHAUSTIVE && !have_depth)
		return usage_err("--strategy exhaustive needs --depth D");
	if (o->strategy == HUNT_EXHAUSTIVE && o->fork_mode &&
	    !explore_can_fork())
		return usage_err("--mode fork: this build's engine contexts "
		    "cannot be forked (use --mode prefix)");
	return 0;
}

/* ---------------------------------------------------------------- */

struct sig {
	char hash[SIGNATURE_HASH_LEN];
	char text[RES_SIGNATURE_LEN];
	int64_t count, first_id;
};

struct entry {
	struct mutate_cand c;
};

struct job {
	struct runner_child c;
	struct mutate_cand cand;
	int busy;
};

struct hunt {
	const struct hunt_opts *o;
	struct store *st;
	char sha[65], params[512], name[CFG_NAME_LEN];
	struct hunt_summary *sum;
	struct sig sigs[MAX_SIGS];
	int nsigs;
	struct entry *corpus;
	int ncorpus;
	uint64_t *seen;			/* hashes of candidates tried */
	size_t seen_cap, nseen;
	struct mutate_rng rng;
	uint64_t next_seed_k;		/* the k-th seed of this shard */
	struct job jobs[MAX_JOBS];
	int nactive;
	struct result *batch[BATCH_RUNS];
	int nbatch;
	double t0, deadline, last_flush, last_progress;
	int tty, progress_len, failed;
	int64_t started;
	struct explore_stats xs;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static uint64_t cand_hash(const struct mutate_cand *c)
{
	uint64_t h = c->seed * 0x9e3779b97f4a7c15ULL + 1;
	int i;

	for (i = 0; i < c->seq.n; i++) {
		uint64_t u;
		memcpy(&u, &c->seq.ov[i].u, sizeof(u));
		h = (h ^ c->seq.ov[i].stream) * 0x100000001b3ULL;
		h = (h ^ c->seq.ov[i].index) * 0x100000001b3ULL;
		h = (h ^ u) * 0x100000001b3ULL;
	}
	return h ? h : 1;
}

/* 1 when already tried; otherwise remember it. */
static int seen_before(struct hunt *h, const struct mutate_cand *c)
{
	uint64_t k = cand_hash(c);
	size_t i, n;

	if (h->nseen * 2 >= h->seen_cap) {
		uint64_t *old = h->seen;
		size_t ocap = h->seen_cap;
		h->seen_cap = ocap ? ocap * 2 : 4096;
		h->seen = xcalloc(h->seen_cap, sizeof(*h->seen));
		h->nseen = 0;
		for (n = 0; n < ocap; n++) {
			if (old[n] == 0)
				continue;
			for (i = old[n] % h->seen_cap; h->seen[i] != 0;
			    i = (i + 1) % h->seen_cap)
				;
			h->seen[i] = old[n];
			h->nseen++;
		}
		free(old);
	}
	for (i = k % h->seen_cap; h->seen[i] != 0; i = (i + 1) % h->seen_cap)
		if (h->seen[i] == k)
			return 1;
	h->seen[i] = k;
	h->nseen++;
	return 0;
}

static uint64_t next_seed(struct hunt *h)
{
	int nsh = h->o->nshards ? h->o->nshards : 1;
	int sh = h->o->shard ? h->o->shard - 1 : 0;

	return h->o->seed + h->next_seed_k++ * (uint64_t)nsh + (uint64_t)sh;
}

static void note_signature(struct hunt *h, const struct run_row *r,
    int64_t id)
{
	char hash[SIGNATURE_HASH_LEN];
	int i;

	if (!r->signature[0])
		return;
	signature_hash(r->signature, hash);
	for (i = 0; i < h->nsigs; i++) {
		if (strcmp(h->sigs[i].hash, hash) == 0) {
			h->sigs[i].count++;
			if (id > 0 && (h->sigs[i].first_id <= 0 ||
			    id < h->sigs[i].first_id))
				h->sigs[i].first_id = id;
			return;
		}
	}
	if (h->nsigs == MAX_SIGS)
		return;
	snprintf(h->sigs[i].hash, sizeof(h->sigs[i].hash), "%s", hash);
	snprintf(h->sigs[i].text, sizeof(h->sigs[i].text), "%s", r->signature);
	h->sigs[i].count = 1;
	h->sigs[i].first_id = id;
	h->nsigs++;
}

static int known_signature(const struct hunt *h, const char *text)
{
	char hash[SIGNATURE_HASH_LEN];
	int i;

	if (!text[0])
		return 1;
	signature_hash(text, hash);
	for (i = 0; i < h->nsigs; i++)
		if (strcmp(h->sigs[i].hash, hash) == 0)
			return 1;
	return 0;
}

static void corpus_add(struct hunt *h, const struct mutate_cand *c,
    const struct run_row *r)
{
	struct entry *e;

	if (h->ncorpus == CORPUS_MAX) {
		/* forget an old one, never the seeds' first few */
		int i = 4 + (int)mutate_below(&h->rng, CORPUS_MAX - 4);
		h->corpus[i] = h->corpus[--h->ncorpus];
	}
	e = &h->corpus[h->ncorpus++];
	e->c = *c;
	memcpy(e->c.streams, r->streams, sizeof(e->c.streams));
	e->c.nstreams = r->nstreams;
}

/*
 * Account for one run (run now, or found stored): tallies, bests,
 * signatures; guided keeps it when it came closer than any before.
 */
static void judge(struct hunt *h, const struct mutate_cand *c,
    const struct run_row *r, int64_t id, int initial)
{
	struct hunt_summary *s = h->sum;
	int better = initial;

	s->runs++;
	if (r->outcome == OUTCOME_DEADLOCK || r->outcome == OUTCOME_PANIC) {
		if (r->outcome == OUTCOME_DEADLOCK)
			s->deadlocks++;
		else
			s->panics++;
		if (s->first_found == 0) {
			s->first_found = s->runs;
			s->first_id = id;
		}
	}
	if (r->outcome == OUTCOME_ERROR) {
		s->errors++;
		return;
	}
	if (!known_signature(h, r->signature))
		better = 1;
	note_signature(h, r, id);
	s->nsignatures = h->nsigs;
	if (r->reserve_min_level >= 0 && (s->best_reserve_min < 0 ||
	    r->reserve_min_level < s->best_reserve_min)) {
		s->best_reserve_min = r->reserve_min_level;
		better = 1;
	}
	if (r->min_free_pages < s->best_min_free) {
		s->best_min_free = r->min_free_pages;
		better = 1;
	}
	if (r->pd_blocked_seconds > s->best_pd_blocked + 1e-3) {
		s->best_pd_blocked = r->pd_blocked_seconds;
		better = 1;
	}
	if (h->o->strategy == HUNT_GUIDED && better && c != NULL)
		corpus_add(h, c, r);
}

/* The next candidate; 0 when the budget is spent. */
static int generate(struct hunt *h, struct mutate_cand *out, int *initial)
{
	const struct hunt_opts *o = h->o;
	int tries, init = o->jobs > 4 ? o->jobs : 4;

	if (o->budget_runs > 0 && h->sum->runs + h->nactive >= o->budget_runs)
		return 0;
	if (o->budget_seconds > 0 && runner_now() >= h->deadline)
		return 0;
	for (tries = 0; tries < 64; tries++) {
		memset(out, 0, sizeof(*out));
		*initial = 0;
		if (o->strategy == HUNT_RANDOM || h->ncorpus < init) {
			out->seed = next_seed(h);
			*initial = 1;
		} else {
			int n = h->ncorpus, a, b;
			a = mutate_below(&h->rng, 2) ? n - 1 -
			    (int)mutate_below(&h->rng, (uint64_t)(n < RECENT ?
			    n : RECENT)) : (int)mutate_below(&h->rng,
			    (uint64_t)n);
			b = (int)mutate_below(&h->rng, (uint64_t)n);
			(void)mutate_cand(&h->rng, &h->corpus[a].c,
			    &h->corpus[b].c, next_seed(h), out);
		}
		if (!seen_before(h, out))
			return 1;
	}
	return 0;
}

static void progress(struct hunt *h, int last)
{
	const struct hunt_summary *s = h->sum;
	double now = runner_now(), el = now - h->t0;
	char line[320], left[48];
	int n;

	if (h->o->quiet)
		return;
	if (!last && now - h->last_progress < (h->tty ? 0.25 : 10))
		return;
	h->last_progress = now;
	if (h->o->budget_seconds > 0)
		snprintf(left, sizeof(left), "%.0fs left", h->deadline > now ?
		    h->deadline - now : 0);
	else if (h->o->budget_runs > 0)
		snprintf(left, sizeof(left), "%lld left", (long long)
		    (h->o->budget_runs - s->runs));
	else
		snprintf(left, sizeof(left), "until done");
	char states[48] = "";

	if (h->o->strategy == HUNT_EXHAUSTIVE)
		snprintf(states, sizeof(states), " (%lld states)",
		    (long long)h->xs.states);
	n = snprintf(line, sizeof(line), "hunt %s: %lld runs%s, %lld "
	    "deadlocks, %lld panics, %d signatures, best: reserve %lld, "
	    "free %lld, pd blocked %.2fs, %.1f runs/s, %s",
	    strategy_names[h->o->strategy], (long long)s->runs, states,
	    (long long)s->deadlocks, (long long)s->panics, s->nsignatures,
	    (long long)s->best_reserve_min, (long long)s->best_min_free,
	    s->best_pd_blocked, el > 0 ? (double)s->runs / el : 0, left);
	if (h->tty) {
		fprintf(stderr, "\r%s%*s", line, h->progress_len > n ?
		    h->progress_len - n : 0, "");
		h->progress_len = n;
		if (last)
			fputc('\n', stderr);
	} else if (!last) {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

static int flush(struct hunt *h)
{
	char err[512];
	int inserted = 0, i, rc;

	if (h->nbatch == 0)
		return 0;
	rc = store_insert_batch(h->st, h->batch, h->nbatch, 0, 0, &inserted,
	    err, sizeof(err));
	for (i = 0; i < h->nbatch; i++) {
		result_free(h->batch[i]);
		free(h->batch[i]);
	}
	h->nbatch = 0;
	h->last_flush = runner_now();
	if (rc != 0) {
		fprintf(stderr, "%smemsim: %s\n", h->tty ? "\n" : "", err);
		h->failed = 1;
		return -1;
	}
	return 0;
}

/* A result to store (taken over) and judge; its id is not known yet. */
static void collect(struct hunt *h, const struct mutate_cand *c,
    struct result *res, int initial)
{
	struct result *keep = xmalloc(sizeof(*keep));
	int64_t id = 0;

	if (res->row.outcome == OUTCOME_DEADLOCK ||
	    res->row.outcome == OUTCOME_PANIC) {
		/* findings are stored at once, so their id can be shown */
		char err[512];
		if (flush(h) != 0 || store_insert(h->st, res, 0, &id, err,
		    sizeof(err)) != 0) {
			if (!h->failed)
				fprintf(stderr, "memsim: %s\n", err);
			h->failed = 1;
		}
		judge(h, c, &res->row, id, initial);
		result_free(res);
		free(keep);
		return;
	}
	judge(h, c, &res->row, 0, initial);
	*keep = *res;
	h->batch[h->nbatch++] = keep;
	if (h->nbatch == BATCH_RUNS)
		(void)flush(h);
}

static void spec_base(const struct hunt *h, struct run_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->path = h->o->path;
	memcpy(spec->params, h->o->params, sizeof(spec->params));
	spec->nparams = h->o->nparams;
	spec->limits = h->o->limits;
	spec->wall_limit = h->o->wall_limit;
}

/* Start a run of the candidate in job j, unless it is stored already. */
static int launch(struct hunt *h, struct job *j, const struct mutate_cand *c,
    int initial)
{
	struct run_spec spec;
	struct result res;

	/* stored candidates were marked seen by resume_one(): never here */
	j->cand = *c;
	spec_base(h, &spec);
	spec.seed = c->seed;
	spec.choices = &j->cand.seq;
	if (runner_start(&spec, &j->c, &res) != 0) {
		fprintf(stderr, "%smemsim: cannot start a run: %s\n",
		    h->tty ? "\n" : "", res.row.message);
		result_free(&res);
		h->failed = 1;
		return -1;
	}
	j->busy = 1;
	j->cand.nstreams = initial;	/* remembered until it is judged */
	h->nactive++;
	h->started++;
	return 0;
}

static void finish(struct hunt *h, struct job *j, int overran)
{
	struct result res;
	int initial = j->cand.nstreams;

	runner_finish(&j->c, overran, &res);
	j->busy = 0;
	h->nactive--;
	j->cand.nstreams = 0;
	if (j->c.signal == SIGINT || j->c.signal == SIGTERM ||
	    j->c.signal == SIGHUP) {
		result_free(&res);
		return;
	}
	collect(h, &j->cand, &res, initial);
}

static void wait_some(struct hunt *h)
{
	struct pollfd pfd[MAX_JOBS];
	int idx[MAX_JOBS], i, n = 0;
	double now = runner_now();

	for (i = 0; i < h->o->jobs; i++) {
		if (!h->jobs[i].busy)
			continue;
		pfd[n] = (struct pollfd){ .fd = h->jobs[i].c.fd,
		    .events = POLLIN };
		idx[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, h->tty ? 250 : 1000) < 0 || stop_signal)
		return;
	now = runner_now();
	for (i = 0; i < n; i++) {
		struct job *j = &h->jobs[idx[i]];
		if (pfd[i].revents != 0)
			finish(h, j, 0);
		else if (j->c.deadline > 0 && now >= j->c.deadline)
			finish(h, j, 1);
	}
}

static void abandon(struct hunt *h)
{
	struct result res;
	int i;

	for (i = 0; i < h->o->jobs; i++) {
		if (!h->jobs[i].busy)
			continue;
		runner_finish(&h->jobs[i].c, 1, &res);
		result_free(&res);
		h->jobs[i].busy = 0;
		h->nactive--;
	}
}

static int loop(struct hunt *h)
{
	struct mutate_cand c;
	int i, initial, more = 1;

	while (!stop_signal && !h->failed) {
		for (i = 0; i < h->o->jobs && more && !h->failed; i++) {
			if (h->jobs[i].busy)
				continue;
			more = generate(h, &c, &initial);
			if (more && launch(h, &h->jobs[i], &c, initial) != 0)
				break;
		}
		if (h->nactive == 0 && !more)
			break;
		if (h->nactive > 0)
			wait_some(h);
		if (h->nbatch > 0 && runner_now() - h->last_flush >=
		    BATCH_SECONDS)
			(void)flush(h);
		progress(h, 0);
	}
	if (stop_signal || h->failed)
		abandon(h);
	if (!h->failed)
		(void)flush(h);
	return 0;
}

/* Guided and random, started again: what is stored counts. */
static int resume_one(void *ctx, int64_t id, const struct run_row *r)
{
	struct hunt *h = ctx;
	struct mutate_cand c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.seed = r->seed;
	if (choice_seq_parse(r->choices, &c.seq, err, sizeof(err)) != 0)
		return 0;
	if (seen_before(h, &c))
		return 0;
	if (h->o->strategy == HUNT_GUIDED && c.seq.n == 0) {
		/* a stored seed run is an initial candidate */
		h->next_seed_k++;
		judge(h, &c, r, id, 1);
	} else {
		judge(h, &c, r, id, 0);
	}
	return 0;
}

static int explore_leaf(void *ctx, struct result *res)
{
	struct hunt *h = ctx;

	collect(h, NULL, res, 0);
	return h->failed || stop_signal;
}

static void explore_progress(void *ctx, const struct explore_stats *s)
{
	struct hunt *h = ctx;

	h->xs = *s;
	h->sum->states = s->states;
	if (h->nbatch > 0 && runner_now() - h->last_flush >= BATCH_SECONDS)
		(void)flush(h);
	progress(h, 0);
}

static int run_exhaustive(struct hunt *h)
{
	struct explore_opts eo = {
		.depth = h->o->depth,
		.width = h->o->width,
		.domains = h->o->domains,
		.fork_mode = h->o->fork_mode,
		.max_leaves = h->o->budget_runs,
		.deadline = h->o->budget_seconds > 0 ? h->deadline : 0,
	};
	struct run_spec spec;
	char err[512];

	spec_base(h, &spec);
	spec.seed = h->o->seed;
	if (explore_run(&eo, &spec, explore_leaf, explore_progress, h,
	    &h->xs, err, sizeof(err)) != 0) {
		fprintf(stderr, "%smemsim: %s\n", h->tty ? "\n" : "", err);
		h->failed = 1;
	}
	h->sum->states = h->xs.states;
	h->sum->complete = h->xs.complete && !stop_signal;
	if (!h->failed)
		(void)flush(h);
	return 0;
}

static void summary(const struct hunt *h)
{
	const struct hunt_summary *s = h->sum;
	double el = runner_now() - h->t0;
	int i;

	printf("hunt %s (%s): %lld runs in %.1fs (%.1f runs/s), %lld "
	    "deadlocks, %lld panics, %lld errors\n", h->name,
	    strategy_names[h->o->strategy], (long long)s->runs, el,
	    el > 0 ? (double)s->runs / el : 0, (long long)s->deadlocks,
	    (long long)s->panics, (long long)s->errors);
	if (s->first_found > 0)
		printf("  first deadlock or panic at run %lld of the hunt "
		    "(run id %lld)\n", (long long)s->first_found,
		    (long long)s->first_id);
	if (h->o->strategy == HUNT_EXHAUSTIVE) {
		printf("  explored %lld distinct states (%lld branches cut "
		    "at known states, %s)", (long long)h->xs.states,
		    (long long)h->xs.pruned, h->xs.fork_mode ?
		    "forking at choice points" : "replaying prefixes");
		if (s->deadlocks + s->panics == 0 && s->complete)
			printf(", no deadlock within depth %d\n  (a proof "
			    "only for this model, depth %d, width %d over "
			    "these choice domains, and the state "
			    "abstraction of docs/hunting.md)\n",
			    h->o->depth, h->o->depth, h->o->width);
		else if (!s->complete)
			printf(", stopped before every branch was explored: "
			    "no claim within depth %d\n", h->o->depth);
		else
			printf("\n");
	}
	printf("  %d distinct signatures\n", h->nsigs);
	for (i = 0; i < h->nsigs; i++)
		printf("    %s  %lld runs, first run id %lld: %s\n",
		    h->sigs[i].hash, (long long)h->sigs[i].count,
		    (long long)h->sigs[i].first_id, h->sigs[i].text);
	printf("  closest approach: reserve level %lld, free pages %lld, "
	    "page daemon blocked %.3fs\n", (long long)s->best_reserve_min,
	    (long long)s->best_min_free, s->best_pd_blocked);
}

static int open_hunt(struct hunt *h, char *err, size_t errlen)
{
	struct run_spec spec;
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	int rc;

	spec_base(h, &spec);
	spec.seed = h->o->seed;
	rc = runner_validate(&spec, cfg, err, errlen);
	if (rc == 0)
		rc = runner_file_sha256(h->o->path, h->sha, err, errlen);
	if (rc == 0) {
		snprintf(cfg->sha256, sizeof(cfg->sha256), "%s", h->sha);
		simrun_params_json(cfg, h->params, sizeof(h->params));
		snprintf(h->name, sizeof(h->name), "%s", cfg->name);
	}
	free(cfg);
	return rc;
}

int hunt_run(const struct hunt_opts *o, struct hunt_summary *sum)
{
	struct hunt *h = xcalloc(1, sizeof(*h));
	struct sigaction sa, old[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char err[512];
	int rc = 0, i;

	memset(sum, 0, sizeof(*sum));
	sum->best_reserve_min = -1;
	sum->best_min_free = INT64_MAX;
	h->o = o;
	h->sum = sum;
	h->tty = isatty(STDERR_FILENO);
	h->rng.s = o->seed * 0x2545f4914f6cdd1dULL +
	    (uint64_t)(o->shard ? o->shard : 1);
	h->corpus = xcalloc(CORPUS_MAX, sizeof(*h->corpus));
	if (open_hunt(h, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (store_open(&h->st, o->db, err, sizeof(err)) != 0) {
		fprintf(stderr, "memsim: %s\n", err);
		rc = EXIT_ENV;
		goto out;
	}
	store_set_versions(h->st, MEMSIM_VERSION, core_simgrid_version(),
	    LUA_RELEASE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	h->t0 = h->last_flush = runner_now();
	h->deadline = o->budget_seconds > 0 ? h->t0 + o->budget_seconds : 0;
	if (o->strategy == HUNT_EXHAUSTIVE) {
		run_exhaustive(h);
	} else {
		if (store_each_run(h->st, h->sha, h->params, resume_one, h,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "memsim: %s\n", err);
			h->failed = 1;
		} else {
			loop(h);
		}
	}
	progress(h, 1);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (sum->best_min_free == INT64_MAX)
		sum->best_min_free = -1;
	if (!o->quiet && !h->failed)
		summary(h);
	if (h->failed)
		rc = EXIT_ENV;
	else if (stop_signal)
		rc = 128 + stop_signal;
	else if (o->fail_on_deadlock && sum->deadlocks + sum->panics > 0)
		rc = EXIT_DEADLOCK;
	store_close(h->st);
out:
	free(h->corpus);
	free(h->seen);
	free(h);
	return rc;
}

int hunt_main(int argc, char **argv)
{
	struct hunt_opts o;
	struct hunt_summary s;
	int rc;

	if ((rc = hunt_parse(argc, argv, &o)) != 0)
		return rc;
	return hunt_run(&o, &s);
}
