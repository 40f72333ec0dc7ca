/*
 * sha256: SHA-256 (FIPS 180-4), for the scenario_sha256 that every run
 * row carries so a result can be traced to the exact scenario text.
 *
 * One-shot: sha256_hex().  Incremental: sha256_init(), any number of
 * sha256_update() calls, then sha256_final().
 */
#ifndef MEMSIM_SHA256_H
#define MEMSIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_HEX_LEN		65	/* 64 hex digits and a NUL */

struct sha256_ctx {
	uint32_t h[8];			/* intermediate hash value */
	uint64_t nbytes;		/* message length so far */
	unsigned char block[64];	/* partial block awaiting input */
	size_t nblock;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c,
    unsigned char digest[SHA256_DIGEST_LEN]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_final_hex(struct sha256_ctx *c, char out[SHA256_HEX_LEN]);
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
