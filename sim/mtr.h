/*
 * mtr: memsim's compact page-reference trace format (.mtr).
 *
 * A trace is what a program did to its pages, in order: a header (magic,
 * version, page size, the program's mappings as address ranges, totals),
 * then blocks of records, each block zstd-compressed and checksummed on
 * its own.  A record is one run of consecutive references to one page
 * with one operation: the page's virtual page number as a signed delta
 * from the previous record's (zigzag varint), the operation (read, write,
 * instruction fetch) and the repeat count.  docs/traces.md describes it
 * byte by byte.
 *
 * Writing streams (one block in memory); reading keeps the file's bytes
 * (compressed: a few MB) and decodes one block at a time, so a trace of
 * many millions of references never sits decoded in memory.
 */
#ifndef MEMSIM_MTR_H
#define MEMSIM_MTR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MTR_VERSION	1
#define MTR_MAGIC	"\x89MTR\r\n\x1a\n"
#define MTR_PAGE_SHIFT	12
#define MTR_NAME_MAX	200	/* bytes of a mapping's name */
#define MTR_MAX_MAPPINGS 4096
#define MTR_BLOCK_RAW	(256u * 1024)	/* raw record bytes per block */

enum mtr_op { MTR_READ = 0, MTR_WRITE = 1, MTR_EXEC = 2 };

/* What a mapping was in the recorded program. */
enum mtr_kind {
	MTR_ANON = 0,	/* anonymous mmap */
	MTR_FILE = 1,	/* mmap of a file, never written */
	MTR_HEAP = 2,	/* brk */
	MTR_STACK = 3,	/* the main thread's stack */
	MTR_FILE_PRIVATE = 4,	/* mmap of a file, written (copy on write) */
	MTR_NKINDS
};

/* The format a trace was imported from. */
enum mtr_source {
	MTR_SRC_LACKEY = 1, MTR_SRC_ORACLE = 2, MTR_SRC_CSV = 3,
};

struct mtr_mapping {
	uint64_t start;		/* first virtual page number */
	uint64_t npages;
	enum mtr_kind kind;
	char name[MTR_NAME_MAX + 1];
};

struct mtr_rec {
	uint64_t vpn;
	uint64_t count;		/* >= 1 */
	enum mtr_op op;
};

/* ---- writing ---- */
struct mtr_writer;

/* Records go to a temporary file beside `path` until mtr_writer_finish(). */
struct mtr_writer *mtr_writer_create(const char *path, enum mtr_source src,
    char *err, size_t errlen);
int mtr_writer_add(struct mtr_writer *w, const struct mtr_rec *r);
/*
 * Write the header with these mappings, then the blocks, and rename the
 * file into place.  Returns 0, or -1 with err (nothing left behind).
 */
int mtr_writer_finish(struct mtr_writer *w, const struct mtr_mapping *maps,
    int nmaps, char *err, size_t errlen);
/* Drop everything written (no file is left); NULL is a no-op. */
void mtr_writer_destroy(struct mtr_writer *w);

/* ---- reading ---- */
struct mtr_block {
	const uint8_t *data;	/* stored bytes */
	uint32_t stored_len, raw_len, nrecords;
};

struct mtr_trace {
	char path[512];
	int version;
	enum mtr_source source;
	uint32_t page_size;
	uint64_t nrecords, nrefs;
	struct mtr_mapping *maps;
	int nmaps;
	struct mtr_block *blocks;
	uint64_t nblocks;
	uint8_t *file;		/* the whole file */
	size_t file_len;
};

/*
 * Read and check a trace: magic, version, header checksum, every block's
 * checksum, the length.  Returns 0, or -1 with one line in err naming the
 * file and what is wrong.
 */
int mtr_open(const char *path, struct mtr_trace *t, char *err,
    size_t errlen);
void mtr_close(struct mtr_trace *t);
/* The mapping holding vpn, or -1. */
int mtr_mapping_of(const struct mtr_trace *t, uint64_t vpn);

/* A cursor decodes the trace's records in order, one block at a time. */
struct mtr_cursor {
	const struct mtr_trace *t;
	uint64_t block;		/* next block to decode */
	uint8_t *raw;		/* the current block's records */
	const uint8_t *p, *end;
	uint64_t vpn;
	uint32_t left;		/* records left in the current block */
	void *dctx;
};

int mtr_cursor_init(struct mtr_cursor *c, const struct mtr_trace *t);
void mtr_cursor_fini(struct mtr_cursor *c);
/* Back to the first record. */
void mtr_cursor_rewind(struct mtr_cursor *c);
/* Decode the next block; 1 loaded, 0 no more, -1 corrupt (err). */
int mtr_cursor_load(struct mtr_cursor *c, char *err, size_t errlen);

static inline int mtr_varint(const uint8_t **pp, const uint8_t *end,
    uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	int shift = 0;

	while (p < end && shift < 64) {
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = x;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/*
 * The next record of the current block: 1, 0 when the block is done
 * (call mtr_cursor_load), -1 when the block's bytes do not decode.
 */
static inline int mtr_cursor_next(struct mtr_cursor *c, struct mtr_rec *r)
{
	uint64_t v, n;
	int64_t d;

	if (c->left == 0)
		return 0;
	if (c->p < c->end && !(*c->p & 0x80)) {
		v = *c->p++;	/* the common one-byte record */
	} else if (mtr_varint(&c->p, c->end, &v) != 0) {
		return -1;
	}
	d = (int64_t)(v >> 4) ^ -(int64_t)((v >> 3) & 1);
	c->vpn += (uint64_t)d;
	r->vpn = c->vpn;
	r->op = (enum mtr_op)((v >> 1) & 3);
	if (r->op > MTR_EXEC)
		return -1;
	if (v & 1) {
		if (mtr_varint(&c->p, c->end, &n) != 0 || n > UINT64_MAX - 2)
			return -1;
		r->count = n + 2;
	} else {
		r->count = 1;
	}
	c->left--;
	return 1;
}

const char *mtr_kind_name(enum mtr_kind k);
const char *mtr_op_name(enum mtr_op op);
const char *mtr_source_name(enum mtr_source s);
uint32_t mtr_crc32(uint32_t crc, const void *buf, size_t len);
/* One line of error for the trace modules' callers: vsnprintf into err. */
void mtr_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
