/*
 * test_choice: choice points follow the generator bit for bit until
 * overridden; overrides address (stream, index), are clamped into the
 * choice's range, survive a text round trip, and are counted; ties take
 * the model's order unless told otherwise.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "choice.h"
#include "rng.h"

static void plain_draws_are_the_generators(void)
{
	struct rng a, b;
	int i, same = 1;

	choice_begin(NULL);
	rng_seed(&a, 7, 1048);
	rng_seed(&b, 7, 1048);
	for (i = 0; i < 1000; i++) {
		uint64_t raw = rng_next(&b);
		uint64_t want = (uint64_t)(((unsigned __int128)raw * 1000) >> 64);
		if (rng_below(&a, 1000) != want)
			same = 0;
	}
	CHECK(same, "without overrides a draw is the generator's own");
	CHECK(choice_count() == 1000, "every draw is counted as a choice "
	    "point (%llu)", (unsigned long long)choice_count());
}

static void overrides_apply_and_clamp(void)
{
	struct choice_seq s;
	struct rng r;
	char err[200];
	uint64_t v0, v1, v2, v3;
	double u4;

	CHECK(choice_seq_parse("1048.1=0.5,1048.2=7,1048.3=-2,100.0=0.25",
	    &s, err, sizeof(err)) == 0, "a sequence parses");
	choice_begin(&s);
	rng_seed(&r, 7, 1048);
	v0 = rng_below(&r, 10);
	v1 = rng_below(&r, 10);
	v2 = rng_below(&r, 10);
	v3 = rng_below(&r, 10);
	(void)v0;
	CHECK(v1 == 5, "u = 0.5 of 10 options is option 5 (%llu)",
	    (unsigned long long)v1);
	CHECK(v2 == 9, "u = 7 is clamped to the last option (%llu)",
	    (unsigned long long)v2);
	CHECK(v3 == 0, "u = -2 is clamped to the first option (%llu)",
	    (unsigned long long)v3);
	rng_seed(&r, 7, 100);
	u4 = rng_unit(&r);
	CHECK(u4 == 0.25, "a unit draw takes its override (%g)", u4);
	CHECK(choice_overrides_used() == 4, "four overrides were reached (%d)",
	    choice_overrides_used());
}

static void text_round_trip(void)
{
	struct choice_seq s, t;
	char a[CHOICE_TEXT_LEN], b[CHOICE_TEXT_LEN], err[200];

	CHECK(choice_seq_parse("1049.3=0.1,100.9=0.75,1049.3=0.2", &s, err,
	    sizeof(err)) == 0 && s.n == 2, "a later duplicate replaces the "
	    "earlier one");
	choice_seq_format(&s, a, sizeof(a));
	CHECK(strcmp(a, "100.9=0.75,1049.3=0.2") == 0, "the text is sorted "
	    "and canonical (%s)", a);
	CHECK(choice_seq_parse(a, &t, err, sizeof(err)) == 0, "it parses "
	    "back");
	choice_seq_format(&t, b, sizeof(b));
	CHECK(strcmp(a, b) == 0, "and formats to the same text");
	CHECK(choice_seq_parse("", &t, err, sizeof(err)) == 0 && t.n == 0,
	    "the empty sequence has no overrides");
	CHECK(choice_seq_parse("100.x=1", &t, err, sizeof(err)) != 0 &&
	    strstr(err, "100.x=1") != NULL, "a bad item is named (%s)", err);
	CHECK(choice_seq_parse("100.1=nan", &t, err, sizeof(err)) != 0,
	    "NaN is refused");
	CHECK(choice_seq_parse("100.1=0.5,", &t, err, sizeof(err)) != 0,
	    "a trailing comma is refused");
}

static void ties(void)
{
	struct choice_seq s;
	char err[200];
	uint32_t a, b, c;

	choice_begin(NULL);
	CHECK(choice_tie(CHOICE_STREAM_WAKEUP, 3) == 0, "a tie keeps the "
	    "model's order by default");
	CHECK(choice_tie(CHOICE_STREAM_WAKEUP, 1) == 0 && choice_count() == 1,
	    "a single event is no choice point");
	(void)choice_seq_parse("10.1=0.9", &s, err, sizeof(err));
	choice_begin(&s);
	a = choice_tie(CHOICE_STREAM_WAKEUP, 4);
	b = choice_tie(CHOICE_STREAM_WAKEUP, 4);
	c = choice_tie(CHOICE_STREAM_WAKEUP, 4);
	CHECK(a == 0 && b == 3 && c == 0, "the second tie takes its "
	    "override (%u %u %u)", a, b, c);
}

static int explore_pick(void *ctx, uint64_t pos, uint32_t stream,
    uint32_t index, enum choice_kind kind, uint64_t n)
{
	(void)ctx;
	(void)stream;
	(void)index;
	(void)kind;
	(void)n;
	return pos < 2 ? 2 : -1;
}

static void explorer(void)
{
	struct choice_seq eff;
	struct rng r;
	uint64_t a, b;
	double u;

	choice_begin(NULL);
	choice_set_explorer(explore_pick, NULL, 3);
	rng_seed(&r, 1, 100);
	u = rng_unit(&r);
	a = rng_below(&r, 2);
	b = rng_below(&r, 1u << 30);
	choice_set_explorer(NULL, NULL, 1);
	CHECK(fabs(u - 2.5 / 3) < 1e-12, "the explorer's option 2 of 3 of "
	    "a unit draw is its upper third's middle (%g)", u);
	CHECK(a == 1, "an option beyond a draw's range is clamped (%llu)",
	    (unsigned long long)a);
	(void)b;
	choice_effective(&eff);
	CHECK(eff.n == 2 && eff.ov[0].index == 0 && eff.ov[1].index == 1,
	    "the explorer's picks become overrides of the run's sequence");
}

int main(void)
{
	plain_draws_are_the_generators();
	overrides_apply_and_clamp();
	text_round_trip();
	ties();
	explorer();
	return CHECK_DONE();
}
