/*
 * hunt_corpus: what a random or guided hunt has seen and what it tries
 * next (sim/hunt.c runs the candidates and stores them).
 *
 * It remembers every candidate tried (a seed plus overrides, by hash),
 * so none runs twice, stored runs included; tallies the runs (deadlocks,
 * panics, the closest approach to a deadlock: lowest reserve level,
 * fewest free pages, longest page-daemon sleep) and the deadlock
 * signatures; and, when guided, keeps the corpus: a candidate joins it
 * when its run came closer than any before or showed a new signature.
 * The next candidate is the next seed (random, and guided's first ones)
 * or a mutant of the corpus (sim/mutate.c).
 */
#ifndef MEMSIM_HUNT_CORPUS_H
#define MEMSIM_HUNT_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "hunt.h"
#include "mutate.h"
#include "result.h"
#include "signature.h"

#define HUNT_CORPUS_MAX	512
#define HUNT_MAX_SIGS	256

struct hunt_sig {
	char hash[SIGNATURE_HASH_LEN];
	char text[RES_SIGNATURE_LEN];
	int64_t count, first_id;
};

struct hunt_corpus {
	const struct hunt_opts *o;
	struct hunt_summary *sum;	/* the tallies */
	struct hunt_sig sigs[HUNT_MAX_SIGS];
	int nsigs;
	struct mutate_cand *corpus;
	int ncorpus;
	uint64_t *seen;			/* hashes of candidates tried */
	size_t seen_cap, nseen;
	struct mutate_rng rng;
	uint64_t next_seed_k;		/* the k-th seed of this shard */
};

void hunt_corpus_init(struct hunt_corpus *h, const struct hunt_opts *o,
    struct hunt_summary *sum);
void hunt_corpus_free(struct hunt_corpus *h);
/* 1 when the candidate was tried already; otherwise remember it. */
int hunt_corpus_seen(struct hunt_corpus *h, const struct mutate_cand *c);
/*
 * Account for one run of c (run now, or found stored; id 0 when not
 * known yet): tallies, bests, signatures; guided keeps c when it came
 * closer than any before.  initial: one of the hunt's first seeds.
 */
void hunt_corpus_judge(struct hunt_corpus *h, const struct mutate_cand *c,
    const struct run_row *r, int64_t id, int initial);
/* A run found stored when the hunt starts again: judged, marked seen. */
void hunt_corpus_stored(struct hunt_corpus *h, int64_t id,
    const struct run_row *r);
/* The next candidate not tried yet; 0 when none could be made. */
int hunt_corpus_next(struct hunt_corpus *h, struct mutate_cand *out,
    int *initial);
/* "  N distinct signatures" and one line each, on stdout. */
void hunt_corpus_print_signatures(const struct hunt_corpus *h);

#endif
