/*
 * rng: xoshiro256** seeded through splitmix64.  One stream per actor, so
 * adding a process does not shift the others' randomness.
 *
 * Each generator carries its stream id and how many draws it has made:
 * every draw is a choice point of sim/choice.c, which may override it.
 */
#ifndef MEMSIM_RNG_H
#define MEMSIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
	uint32_t stream;
	uint32_t draws;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);

#endif
