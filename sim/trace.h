/*
 * trace: named events of a run (OOM kill, swap full, SWAPMETA retry,
 * daemon blocked ...) and the digest of its simulated event stream.
 *
 * Events are kept in a bounded ring (the newest win); the digest folds
 * every page-out, swap-in, kill and state change with its simulated time,
 * so two runs with equal digests simulated the same thing.
 */
#ifndef MEMSIM_TRACE_H
#define MEMSIM_TRACE_H

#include <stdint.h>

#include "result.h"

enum trace_kind {
	TRACE_IODONE = 1, TRACE_SWAPIN, TRACE_FAULT, TRACE_KILL, TRACE_EXIT,
	TRACE_EVENT, TRACE_PASS,
};

#define TRACE_RING 10000

void trace_init(void);
void trace_event(const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void trace_digest(enum trace_kind kind, uint64_t a, uint64_t b);
/* Move the events (oldest first) into r; returns how many were dropped. */
int64_t trace_collect(struct result *r);
void trace_digest_hex(char out[17]);
/* The last n events, newest last, for a report. */
int trace_last(struct event_row *out, int n);

#endif
