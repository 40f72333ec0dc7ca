/*
 * mutate: new choice sequences from old ones, for the guided hunt.
 *
 * A candidate is a seed plus overrides (sim/choice.h).  The operators
 * are those of coverage-guided fuzzers, applied to the override list:
 * change one choice, insert one (the stream's later overrides move one
 * index on), delete one (they move back), splice two candidates (the
 * first one's early choices of each stream, the second one's late
 * ones), and reseed.  Two operators aim at what makes reserves run dry:
 * an interrupt burst (a run of consecutive arrival gaps of one interrupt
 * load set near zero) and a wake-up order (a tie given a non-default
 * option).  Streams are picked with a bias to interrupt loads and ties.
 */
#ifndef MEMSIM_MUTATE_H
#define MEMSIM_MUTATE_H

#include <stdint.h>

#include "choice.h"

struct mutate_cand {
	uint64_t seed;
	struct choice_seq seq;
	/* what the run of this candidate drew (from its run row) */
	struct choice_stream streams[CHOICE_MAX_STREAMS];
	int nstreams;
};

/* The hunt's own generator (never a choice point). */
struct mutate_rng {
	uint64_t s;
};

uint64_t mutate_next(struct mutate_rng *r);
uint64_t mutate_below(struct mutate_rng *r, uint64_t n);
double mutate_unit(struct mutate_rng *r);

/*
 * out = a mutant of a (other: a second parent for splicing, may be
 * NULL); 1..3 stacked operators.  new_seed is used by reseeding.
 * Returns a short name of the last operator applied.
 */
const char *mutate_cand(struct mutate_rng *r, const struct mutate_cand *a,
    const struct mutate_cand *other, uint64_t new_seed,
    struct mutate_cand *out);

#endif
