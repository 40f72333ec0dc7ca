/*
 * choice: every nondeterministic decision of a run, in one place.
 *
 * A run is determined by its scenario, its parameters and its choice
 * sequence.  Each decision the model leaves to chance is a choice point:
 * a draw of an actor's generator (an interrupt arrival gap, a random page
 * of a touch, a write fraction) or a tie the model orders (which of
 * several sleepers a wakeup() lets run first, which of the requests
 * waiting for a device's queue it serves first).  Every one of them comes
 * here, is counted, and takes the sequence's value.
 *
 * A sequence is stored compactly as the run's seed plus the choices that
 * were overridden.  A choice is addressed by its stream (the actor's
 * generator: 100 + i for the i-th interrupt load, 1000 + pid for a
 * process, CHOICE_STREAM_WAKEUP for wake-up ties) and its index in that
 * stream, so an override keeps naming the same actor's k-th decision
 * when an earlier change shifts the interleaving.  An override is a
 * fraction u in [0, 1): a draw below n takes floor(u * n), a unit draw
 * takes u, a tie among n takes floor(u * n).  Values outside [0, 1) are
 * clamped, so any mutated sequence is a valid run.  Without an override
 * a draw is the generator's, bit for bit what it was before choice
 * points existed, and a tie takes the model's own order (option 0).
 *
 * One more client may watch the decisions as they are made: an explorer
 * (bounded exhaustive search, sim/explore.c) that picks the options of
 * the first choice points itself.
 */
#ifndef MEMSIM_CHOICE_H
#define MEMSIM_CHOICE_H

#include <stddef.h>
#include <stdint.h>

#define CHOICE_MAX_OVERRIDES	64
#define CHOICE_TEXT_LEN		1280	/* formatted overrides, NUL included */
#define CHOICE_MAX_STREAMS	48	/* per-stream counts kept per run */

/* Stream ids of the choice points that are not generator draws. */
#define CHOICE_STREAM_WAKEUP	10u	/* order of threads woken together */
#define CHOICE_STREAM_IODONE	11u	/* which waiting I/O a device serves */

/* The first stream ids of the actors' generators (see proc.c, kload.c). */
#define CHOICE_STREAM_IRQ	100u
#define CHOICE_STREAM_PROC	1000u

enum choice_kind {
	CHOICE_BELOW,		/* integer in [0, n) */
	CHOICE_UNIT,		/* real in [0, 1) */
	CHOICE_TIE,		/* one of n simultaneous events; default 0 */
};

struct choice_override {
	uint32_t stream, index;
	double u;
};

/* The overrides of a sequence, sorted by (stream, index), unique. */
struct choice_seq {
	int n;
	struct choice_override ov[CHOICE_MAX_OVERRIDES];
};

/* How many choices one stream made in a run. */
struct choice_stream {
	uint32_t stream;
	uint32_t draws;
	uint32_t kinds;		/* bit (1 << enum choice_kind) */
};

/*
 * Parse "S.I=U,S.I=U" (empty: no overrides).  Later duplicates win.
 * 0, or -1 with a one-line message naming the bad item.
 */
int choice_seq_parse(const char *text, struct choice_seq *seq, char *err,
    size_t errlen);
/* The canonical text of seq ("" when none): parses back to seq. */
void choice_seq_format(const struct choice_seq *seq, char *out, size_t len);
/* Sort by (stream, index), keep the last of duplicates. */
void choice_seq_normalize(struct choice_seq *seq);
/* Set one override (replacing one at the same address); -1 when full. */
int choice_seq_set(struct choice_seq *seq, uint32_t stream, uint32_t index,
    double u);

/*
 * The explorer's hook, called at each choice point while it is set:
 * `pos` is the run's global count of choice points before this one,
 * `options` the size of the bounded domain of this point (>= 1).
 * Returns the option in [0, options) to take, or -1 to let the sequence
 * decide.
 */
typedef int choice_explore_fn(void *ctx, uint64_t pos, uint32_t stream,
    uint32_t index, enum choice_kind kind, uint64_t n);

/* In the run's process: the sequence every decision follows from now. */
void choice_begin(const struct choice_seq *seq);
/* width: the most options of any point (a unit draw has exactly width). */
void choice_set_explorer(choice_explore_fn *fn, void *ctx, uint32_t width);

/* The choice points (rng.c routes its draws here; raw: the generator's). */
uint64_t choice_below(uint32_t stream, uint32_t index, uint64_t n,
    uint64_t raw);
double choice_unit(uint32_t stream, uint32_t index, uint64_t raw);
/* A tie among n events of one stream: which goes first (default 0). */
uint32_t choice_tie(uint32_t stream, uint32_t n);

/* The bounded domain the explorer uses for a point: 1..width options. */
uint32_t choice_domain(enum choice_kind kind, uint64_t n, uint32_t width);
/* The override value of option k of such a domain. */
double choice_option_u(uint32_t k, uint32_t options);

/* What the run has drawn so far. */
uint64_t choice_count(void);
int choice_streams(struct choice_stream *out, int max);
/* How many overrides were actually reached by the run. */
int choice_overrides_used(void);
/* The sequence the run followed: its overrides plus the explorer's
 * picks, each at its (stream, index). */
void choice_effective(struct choice_seq *out);

struct run_row;
/* Fill a run row's choices, choice_points and streams. */
void choice_record(struct run_row *row);

#endif
