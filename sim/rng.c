/* rng: see rng.h.  The generators are the published xoshiro256** and
 * splitmix64 recurrences (Blackman and Vigna). */
#include "rng.h"

#include "choice.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->stream = (uint32_t)stream;
	r->draws = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Both draws are choice points: the generator's value unless overridden. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t raw = rng_next(r);

	return choice_below(r->stream, r->draws++, n, raw);
}

double rng_unit(struct rng *r)
{
	uint64_t raw = rng_next(r);

	return choice_unit(r->stream, r->draws++, raw);
}
