/*
 * shrink_pass: the reductions `memsim shrink` (sim/shrink.c) tries on a
 * deadlocking scenario, each kept only when the trial run still ends in
 * a deadlock with the same signature: the duration, process{} and
 * interrupt_load{} declarations and their counts and rates, the RAM
 * with the literal p:mmap() sizes scaled alike, the CPUs, and the
 * overridden choices.  Each kept change is logged (what, first value,
 * latest value) for the result's header comment.
 */
#ifndef MEMSIM_SHRINK_PASS_H
#define MEMSIM_SHRINK_PASS_H

#include <stddef.h>
#include <stdint.h>

#include "choice.h"
#include "result.h"
#include "runner.h"

#define SHRINK_MAX_LOG	64

/* One line of "what changed": the first value and the latest one. */
struct shrink_change {
	char what[96];
	char from[64];
	char to[64];
};

struct shrink {
	char *text;			/* the current scenario */
	char *removed;			/* removed declarations, as text */
	char tmp[600];			/* where candidates are written */
	struct run_spec spec;
	struct choice_seq seq;		/* the current overrides */
	char sig[RES_SIGNATURE_LEN];	/* what every candidate must show */
	double end_time;		/* the current deadlock's */
	long runs, budget;
	long kept;			/* candidates kept */
	struct shrink_change log[SHRINK_MAX_LOG];
	int nlog;
};

/* Run path with the shrink's seed, parameters and seq: 1 when it
 * deadlocks with the signature, 0 when not; res is the run's. */
int shrink_same_deadlock(struct shrink *sh, const char *path,
    const struct choice_seq *seq, struct result *res);
/* One round of every reduction; 1 when one was kept. */
int shrink_round(struct shrink *sh);
/* Log a change of `what` (its first value is kept). */
void shrink_note(struct shrink *sh, const char *what, const char *from,
    const char *to);
/* A new text with key = value in the i-th call of fname (inserted when
 * absent; NULL when there is no such call); the literal of key in the
 * i-th call of fname (0, or -1 when none). */
char *shrink_set_field(const char *text, const char *fname, int i,
    const char *key, const char *value);
int shrink_get_field(const char *text, const char *fname, int i,
    const char *key, char *out, size_t len);
/* A size as the units parser reads it back ("64M", quoted). */
void shrink_fmt_size(uint64_t b, char *out, size_t len);

#endif
