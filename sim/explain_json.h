/*
 * explain_json: `memsim explain RUN_ID --format json`, one JSON object
 * with what the text shows: the run's identity and outcome, every
 * thread's wait channel, the counters at the end, the last events, the
 * message or diagnosis, the signature and the overridden choices.
 */
#ifndef MEMSIM_EXPLAIN_JSON_H
#define MEMSIM_EXPLAIN_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"
#include "store.h"

/* Writes run `id` (its row already read) to f; 0, or -1 with a message. */
int explain_json(struct store *st, int64_t id, const struct run_row *row,
    FILE *f, char *err, size_t errlen);

/* Is s one JSON value and nothing else (RFC 8259, whitespace around)? */
int explain_json_valid(const char *s);

#endif
