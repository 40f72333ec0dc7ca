/*
 * signature: the canonical wait-for structure of a stuck run.
 *
 * At a deadlock, each thread that is not merely waiting for its own
 * timer or idling becomes one element "role:wmesg:need": its role (the
 * page daemon, a user process, a device thread, an interrupt consumer),
 * the wait channel it sleeps on (the kernel's wmesg) and the kind of
 * resource it needs (pages, a 32-page slab at a class, a pbuf, a busy
 * page, a zone lock, an I/O).  Counts are abstracted: several threads
 * with one element give "role*".  Elements are sorted and joined with
 * " + ", e.g.
 *     pagedaemon:VMWait:slab@NORMAL|SYSTEM + user*:pfault:pages
 * so two runs stuck the same way share one signature whatever their
 * seeds, scenarios (process names are not part of it) and machines.  A
 * panic's signature is "panic:" and the panicking function.
 */
#ifndef MEMSIM_SIGNATURE_H
#define MEMSIM_SIGNATURE_H

#include <stddef.h>

#include "config.h"
#include "result.h"

#define SIGNATURE_LEN	RES_SIGNATURE_LEN
#define SIGNATURE_HASH_LEN 17	/* 16 hex digits and the NUL */

/* In the run's process, at its end: the signature of the live threads. */
void signature_compute(const struct config *cfg, const struct run_row *row,
    char *out, size_t len);
/* The short hash that names a signature (first 64 bits of its sha256). */
void signature_hash(const char *text, char out[SIGNATURE_HASH_LEN]);
/*
 * The kind of need a sleeper's words describe (used by compute, and by
 * the parent for stored runs): "pages", "slab@CLASS", "pbuf", ...
 */
void signature_need_kind(const char *wmesg, const char *need, char *out,
    size_t len);

#endif
