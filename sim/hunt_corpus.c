/*
 * hunt_corpus: see hunt_corpus.h.
 */
#include "hunt_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define RECENT		8	/* mutate one of the newest this often */

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

int hunt_corpus_seen(struct hunt_corpus *h, const struct mutate_cand *c)
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

static uint64_t next_seed(struct hunt_corpus *h)
{
	int nsh = h->o->nshards ? h->o->nshards : 1;
	int sh = h->o->shard ? h->o->shard - 1 : 0;

	return h->o->seed + h->next_seed_k++ * (uint64_t)nsh + (uint64_t)sh;
}

static void note_signature(struct hunt_corpus *h, const struct run_row *r,
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
	if (h->nsigs == HUNT_MAX_SIGS)
		return;
	snprintf(h->sigs[i].hash, sizeof(h->sigs[i].hash), "%s", hash);
	snprintf(h->sigs[i].text, sizeof(h->sigs[i].text), "%s", r->signature);
	h->sigs[i].count = 1;
	h->sigs[i].first_id = id;
	h->nsigs++;
}

static int known_signature(const struct hunt_corpus *h, const char *text)
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

static void corpus_add(struct hunt_corpus *h, const struct mutate_cand *c,
    const struct run_row *r)
{
	struct mutate_cand *e;

	if (h->ncorpus == HUNT_CORPUS_MAX) {
		/* forget an old one, never the seeds' first few */
		int i = 4 + (int)mutate_below(&h->rng,
		    HUNT_CORPUS_MAX - 4);
		h->corpus[i] = h->corpus[--h->ncorpus];
	}
	e = &h->corpus[h->ncorpus++];
	*e = *c;
	memcpy(e->streams, r->streams, sizeof(e->streams));
	e->nstreams = r->nstreams;
}

void hunt_corpus_judge(struct hunt_corpus *h, const struct mutate_cand *c,
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

int hunt_corpus_next(struct hunt_corpus *h, struct mutate_cand *out,
    int *initial)
{
	const struct hunt_opts *o = h->o;
	int tries, init = o->jobs > 4 ? o->jobs : 4;

	for (tries = 0; tries < 64; tries++) {
		memset(out, 0, sizeof(*out));
		*initial = 0;
		if (o->strategy == HUNT_RANDOM || h->ncorpus < init ||
		    (o->fresh_pct > 0 &&
		    mutate_below(&h->rng, 100) < (uint64_t)o->fresh_pct)) {
			/* the next seed not run yet: a resumed hunt may
			 * have stored any number of them.  --fresh P: P% of
			 * a guided hunt's candidates are fresh seeds, so it
			 * explores seeds as random does while its measures
			 * do not move (the rng is drawn only with P > 0) */
			*initial = 1;
			do
				out->seed = next_seed(h);
			while (hunt_corpus_seen(h, out));
			return 1;
		} else {
			int n = h->ncorpus, a, b;
			a = mutate_below(&h->rng, 2) ? n - 1 -
			    (int)mutate_below(&h->rng, (uint64_t)(n < RECENT ?
			    n : RECENT)) : (int)mutate_below(&h->rng,
			    (uint64_t)n);
			b = (int)mutate_below(&h->rng, (uint64_t)n);
			(void)mutate_cand(&h->rng, &h->corpus[a],
			    &h->corpus[b], next_seed(h), out);
		}
		if (!hunt_corpus_seen(h, out))
			return 1;
	}
	return 0;
}

void hunt_corpus_stored(struct hunt_corpus *h, int64_t id,
    const struct run_row *r)
{
	struct mutate_cand c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.seed = r->seed;
	if (choice_seq_parse(r->choices, &c.seq, err, sizeof(err)) != 0)
		return;
	if (hunt_corpus_seen(h, &c))
		return;
	if (h->o->strategy == HUNT_GUIDED && c.seq.n == 0) {
		/* a stored seed run is an initial candidate */
		h->next_seed_k++;
		hunt_corpus_judge(h, &c, r, id, 1);
	} else {
		hunt_corpus_judge(h, &c, r, id, 0);
	}
}

void hunt_corpus_init(struct hunt_corpus *h, const struct hunt_opts *o,
    struct hunt_summary *sum)
{
	memset(h, 0, sizeof(*h));
	h->o = o;
	h->sum = sum;
	h->rng.s = o->seed * 0x2545f4914f6cdd1dULL +
	    (uint64_t)(o->shard ? o->shard : 1);
	h->corpus = xcalloc(HUNT_CORPUS_MAX, sizeof(*h->corpus));
}

void hunt_corpus_free(struct hunt_corpus *h)
{
	free(h->corpus);
	free(h->seen);
	h->corpus = NULL;
	h->seen = NULL;
}

void hunt_corpus_print_signatures(const struct hunt_corpus *h)
{
	int i;

	printf("  %d distinct signatures\n", h->nsigs);
	for (i = 0; i < h->nsigs; i++)
		printf("    %s  %lld runs, first run id %lld: %s\n",
		    h->sigs[i].hash, (long long)h->sigs[i].count,
		    (long long)h->sigs[i].first_id, h->sigs[i].text);
}
