/*
 * mtr: the .mtr trace format.  See mtr.h and docs/traces.md.
 */
#include "mtr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "xmalloc.h"

#define HDR_FIXED	64	/* bytes before the mapping table */
#define BLK_HDR		16
#define ZSTD_LEVEL	19

void mtr_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* CRC-32 as zlib and gzip compute it (polynomial 0xedb88320). */
uint32_t mtr_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (crc_table[1] == 0)
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

const char *mtr_kind_name(enum mtr_kind k)
{
	static const char *const names[] = {
		[MTR_ANON] = "anon", [MTR_FILE] = "file", [MTR_HEAP] = "heap",
		[MTR_STACK] = "stack", [MTR_FILE_PRIVATE] = "file-private",
	};
	return (unsigned)k < MTR_NKINDS ? names[k] : "?";
}

const char *mtr_op_name(enum mtr_op op)
{
	return op == MTR_READ ? "R" : op == MTR_WRITE ? "W" : "X";
}

const char *mtr_source_name(enum mtr_source s)
{
	return s == MTR_SRC_LACKEY ? "lackey" : s == MTR_SRC_ORACLE ?
	    "oracleGeneral" : s == MTR_SRC_CSV ? "csv" : "?";
}

/* ------------------------------------------------------------------ */

struct mtr_writer {
	char path[512], tmp[530];
	FILE *f;		/* the blocks, in the temporary file */
	enum mtr_source src;
	uint8_t *raw, *out;
	size_t rawlen, outcap;
	uint32_t blkrecs;
	uint64_t vpn;		/* previous record's, within the block */
	uint64_t nrecords, nrefs, nblocks;
	ZSTD_CCtx *cctx;
	int failed;
};

struct mtr_writer *mtr_writer_create(const char *path, enum mtr_source src,
    char *err, size_t errlen)
{
	struct mtr_writer *w = xcalloc(1, sizeof(*w));

	if (strlen(path) >= sizeof(w->path)) {
		mtr_seterr(err, errlen, "%s: path too long", path);
		free(w);
		return NULL;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp%ld", path, (long)getpid());
	w->f = fopen(w->tmp, "w+b");
	if (w->f == NULL) {
		mtr_seterr(err, errlen, "%s: cannot write: %s", w->tmp,
		    strerror(errno));
		free(w);
		return NULL;
	}
	w->src = src;
	w->raw = xmalloc(MTR_BLOCK_RAW + 32);
	w->outcap = ZSTD_compressBound(MTR_BLOCK_RAW + 32);
	w->out = xmalloc(w->outcap);
	w->cctx = ZSTD_createCCtx();
	if (w->cctx == NULL)
		abort();
	return w;
}

void mtr_writer_destroy(struct mtr_writer *w)
{
	if (w == NULL)
		return;
	if (w->f != NULL) {
		fclose(w->f);
		unlink(w->tmp);
	}
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->out);
	free(w);
}

/* Compress the pending records into one block of the temporary file. */
static int flush_block(struct mtr_writer *w)
{
	uint8_t hdr[BLK_HDR];
	size_t n;
	uint32_t crc;

	if (w->blkrecs == 0)
		return 0;
	n = ZSTD_compressCCtx(w->cctx, w->out, w->outcap, w->raw, w->rawlen,
	    ZSTD_LEVEL);
	if (ZSTD_isError(n))
		return -1;
	put32(hdr, (uint32_t)n);
	put32(hdr + 4, (uint32_t)w->rawlen);
	put32(hdr + 8, w->blkrecs);
	crc = mtr_crc32(0, hdr, 12);
	crc = mtr_crc32(crc, w->out, n);
	put32(hdr + 12, crc);
	if (fwrite(hdr, 1, BLK_HDR, w->f) != BLK_HDR ||
	    fwrite(w->out, 1, n, w->f) != n)
		return -1;
	w->nblocks++;
	w->rawlen = 0;
	w->blkrecs = 0;
	w->vpn = 0;
	return 0;
}

int mtr_writer_add(struct mtr_writer *w, const struct mtr_rec *r)
{
	int64_t d = (int64_t)(r->vpn - w->vpn);
	uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);

	if (w->failed)
		return -1;
	if (r->count == 0 || r->op > MTR_EXEC || z >> 60) {
		w->failed = 1;
		return -1;
	}
	w->rawlen += put_varint(w->raw + w->rawlen,
	    z << 3 | (uint64_t)r->op << 1 | (r->count > 1));
	if (r->count > 1)
		w->rawlen += put_varint(w->raw + w->rawlen, r->count - 2);
	w->vpn = r->vpn;
	w->blkrecs++;
	w->nrecords++;
	w->nrefs += r->count;
	if (w->rawlen >= MTR_BLOCK_RAW && flush_block(w) != 0) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

static size_t header_len(const struct mtr_mapping *maps, int nmaps)
{
	size_t n = HDR_FIXED + 4;
	int i;

	for (i = 0; i < nmaps; i++)
		n += 20 + strlen(maps[i].name);
	return n;
}

int mtr_writer_finish(struct mtr_writer *w, const struct mtr_mapping *maps,
    int nmaps, char *err, size_t errlen)
{
	size_t hlen = header_len(maps, nmaps), off, n;
	uint8_t *h, buf[65536];
	long blocks_len;
	FILE *out;
	int i, rc = -1;

	if (nmaps > MTR_MAX_MAPPINGS) {
		mtr_seterr(err, errlen, "%s: too many mappings (%d, at most %d)",
		    w->path, nmaps, MTR_MAX_MAPPINGS);
		return -1;
	}
	if (w->failed || flush_block(w) != 0 || fflush(w->f) != 0 ||
	    (blocks_len = ftell(w->f)) < 0) {
		mtr_seterr(err, errlen, "%s: cannot write: %s", w->tmp,
		    errno ? strerror(errno) : "bad record");
		return -1;
	}
	h = xcalloc(1, hlen);
	memcpy(h, MTR_MAGIC, 8);
	put16(h + 8, MTR_VERSION);
	put16(h + 10, 1);		/* flags: blocks are zstd frames */
	put32(h + 12, 1u << MTR_PAGE_SHIFT);
	put32(h + 16, (uint32_t)hlen);
	put32(h + 20, (uint32_t)nmaps);
	put64(h + 24, w->nrecords);
	put64(h + 32, w->nrefs);
	put64(h + 40, w->nblocks);
	put64(h + 48, (uint64_t)hlen + (uint64_t)blocks_len);
	put32(h + 56, (uint32_t)w->src);
	off = HDR_FIXED;
	for (i = 0; i < nmaps; i++) {
		n = strlen(maps[i].name);
		put64(h + off, maps[i].start);
		put64(h + off + 8, maps[i].npages);
		h[off + 16] = (uint8_t)maps[i].kind;
		h[off + 17] = 0;
		put16(h + off + 18, (uint16_t)n);
		memcpy(h + off + 20, maps[i].name, n);
		off += 20 + n;
	}
	put32(h + off, mtr_crc32(0, h, off));

	/* the final file: header, then the blocks copied over */
	snprintf((char *)buf, sizeof(buf), "%s.new", w->tmp);
	out = fopen((char *)buf, "wb");
	if (out == NULL)
		goto fail;
	if (fwrite(h, 1, hlen, out) != hlen)
		goto fail_out;
	rewind(w->f);
	while ((n = fread(buf + 1024, 1, sizeof(buf) - 1024, w->f)) > 0)
		if (fwrite(buf + 1024, 1, n, out) != n)
			goto fail_out;
	if (ferror(w->f) || fclose(out) != 0) {
		out = NULL;
		goto fail_out;
	}
	out = NULL;
	snprintf((char *)buf, sizeof(buf), "%s.new", w->tmp);
	if (rename((char *)buf, w->path) != 0)
		goto fail_out;
	fclose(w->f);
	unlink(w->tmp);
	w->f = NULL;
	free(h);
	return 0;
fail_out:
	if (out != NULL)
		fclose(out);
	snprintf((char *)buf, sizeof(buf), "%s.new", w->tmp);
	unlink((char *)buf);
fail:
	mtr_seterr(err, errlen, "%s: cannot write: %s", w->path, strerror(errno));
	free(h);
	return rc;
}

/* ------------------------------------------------------------------ */

static int read_file(const char *path, uint8_t **data, size_t *len,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, k;
	uint8_t *b;

	if (f == NULL) {
		mtr_seterr(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	b = xmalloc(cap);
	while ((k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = xrealloc(b, cap *= 2);
	}
	if (ferror(f)) {
		mtr_seterr(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	*data = b;
	*len = n;
	return 0;
}

static int parse_mappings(struct mtr_trace *t, const uint8_t *h,
    size_t hlen, char *err, size_t errlen)
{
	size_t off = HDR_FIXED, n;
	int i;

	t->maps = xcalloc((size_t)t->nmaps + 1, sizeof(*t->maps));
	for (i = 0; i < t->nmaps; i++) {
		struct mtr_mapping *m = &t->maps[i];
		if (off + 20 > hlen - 4)
			goto bad;
		m->start = get64(h + off);
		m->npages = get64(h + off + 8);
		m->kind = (enum mtr_kind)h[off + 16];
		n = get16(h + off + 18);
		if (n > MTR_NAME_MAX || off + 20 + n > hlen - 4 ||
		    m->kind >= MTR_NKINDS || m->npages == 0 ||
		    m->start + m->npages < m->start)
			goto bad;
		memcpy(m->name, h + off + 20, n);
		m->name[n] = 0;
		if (i > 0 && m->start < t->maps[i - 1].start +
		    t->maps[i - 1].npages)
			goto bad;
		off += 20 + n;
	}
	if (off != hlen - 4)
		goto bad;
	return 0;
bad:
	mtr_seterr(err, errlen, "%s: corrupt trace: bad mapping table (entry %d)",
	    t->path, i + 1);
	return -1;
}

static int parse_blocks(struct mtr_trace *t, size_t off, char *err,
    size_t errlen)
{
	uint64_t i, nrec = 0;
	const uint8_t *b;

	t->blocks = xcalloc(t->nblocks + 1, sizeof(*t->blocks));
	for (i = 0; i < t->nblocks; i++) {
		struct mtr_block *k = &t->blocks[i];
		if (off + BLK_HDR > t->file_len)
			goto trunc;
		b = t->file + off;
		k->stored_len = get32(b);
		k->raw_len = get32(b + 4);
		k->nrecords = get32(b + 8);
		if (k->stored_len > t->file_len - off - BLK_HDR)
			goto trunc;
		if (mtr_crc32(mtr_crc32(0, b, 12), b + BLK_HDR,
		    k->stored_len) != get32(b + 12)) {
			mtr_seterr(err, errlen, "%s: corrupt trace: checksum of "
			    "block %llu (at byte %zu) does not match", t->path,
			    (unsigned long long)i + 1, off);
			return -1;
		}
		if (k->raw_len > MTR_BLOCK_RAW + 32 || k->nrecords == 0 ||
		    k->nrecords > k->raw_len) {
			mtr_seterr(err, errlen, "%s: corrupt trace: block %llu has "
			    "impossible sizes", t->path,
			    (unsigned long long)i + 1);
			return -1;
		}
		k->data = b + BLK_HDR;
		nrec += k->nrecords;
		off += BLK_HDR + k->stored_len;
	}
	if (off != t->file_len) {
		mtr_seterr(err, errlen, "%s: corrupt trace: %zu bytes after the "
		    "last block", t->path, t->file_len - off);
		return -1;
	}
	if (nrec != t->nrecords) {
		mtr_seterr(err, errlen, "%s: corrupt trace: blocks hold %llu "
		    "records, header says %llu", t->path,
		    (unsigned long long)nrec,
		    (unsigned long long)t->nrecords);
		return -1;
	}
	return 0;
trunc:
	mtr_seterr(err, errlen, "%s: truncated trace: block %llu of %llu runs "
	    "past the end of the file (%zu bytes)", t->path,
	    (unsigned long long)i + 1, (unsigned long long)t->nblocks,
	    t->file_len);
	return -1;
}

int mtr_open(const char *path, struct mtr_trace *t, char *err,
    size_t errlen)
{
	uint64_t declared;
	uint32_t hlen;
	uint8_t *h;

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	if (read_file(path, &t->file, &t->file_len, err, errlen) != 0)
		return -1;
	h = t->file;
	if (t->file_len < 8 || memcmp(h, MTR_MAGIC, 8) != 0) {
		mtr_seterr(err, errlen, "%s: not a memsim trace (no .mtr magic "
		    "at the start)", path);
		goto fail;
	}
	if (t->file_len < HDR_FIXED + 4) {
		mtr_seterr(err, errlen, "%s: truncated trace: %zu bytes, shorter "
		    "than a header", path, t->file_len);
		goto fail;
	}
	t->version = get16(h + 8);
	if (t->version > MTR_VERSION || t->version == 0) {
		mtr_seterr(err, errlen, "%s: trace format version %d is not one "
		    "this memsim reads (it reads version %d)", path,
		    t->version, MTR_VERSION);
		goto fail;
	}
	hlen = get32(h + 16);
	if (hlen < HDR_FIXED + 4 || hlen > t->file_len) {
		mtr_seterr(err, errlen, "%s: %s trace: header length %u, file "
		    "%zu bytes", path, hlen > t->file_len ? "truncated" :
		    "corrupt", hlen, t->file_len);
		goto fail;
	}
	if (mtr_crc32(0, h, hlen - 4) != get32(h + hlen - 4)) {
		mtr_seterr(err, errlen, "%s: corrupt trace: header checksum does "
		    "not match", path);
		goto fail;
	}
	declared = get64(h + 48);
	if (declared != t->file_len) {
		mtr_seterr(err, errlen, "%s: %s trace: %zu bytes, its header "
		    "says %llu", path, declared > t->file_len ? "truncated" :
		    "corrupt", t->file_len, (unsigned long long)declared);
		goto fail;
	}
	if (get16(h + 10) != 1 || get32(h + 12) != 1u << MTR_PAGE_SHIFT) {
		mtr_seterr(err, errlen, "%s: unsupported trace: flags %u, page "
		    "size %u (this memsim reads zstd blocks of 4096-byte "
		    "pages)", path, get16(h + 10), get32(h + 12));
		goto fail;
	}
	t->page_size = get32(h + 12);
	t->nmaps = (int)get32(h + 20);
	t->nrecords = get64(h + 24);
	t->nrefs = get64(h + 32);
	t->nblocks = get64(h + 40);
	t->source = (enum mtr_source)get32(h + 56);
	if (t->nmaps > MTR_MAX_MAPPINGS || t->nblocks > t->file_len) {
		mtr_seterr(err, errlen, "%s: corrupt trace: %d mappings, %llu "
		    "blocks", path, t->nmaps,
		    (unsigned long long)t->nblocks);
		goto fail;
	}
	if (parse_mappings(t, h, hlen, err, errlen) != 0 ||
	    parse_blocks(t, hlen, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	mtr_close(t);
	return -1;
}

void mtr_close(struct mtr_trace *t)
{
	free(t->file);
	free(t->maps);
	free(t->blocks);
	t->file = NULL;
	t->maps = NULL;
	t->blocks = NULL;
}

int mtr_mapping_of(const struct mtr_trace *t, uint64_t vpn)
{
	int lo = 0, hi = t->nmaps - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (vpn < t->maps[mid].start)
			hi = mid - 1;
		else if (vpn >= t->maps[mid].start + t->maps[mid].npages)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

int mtr_cursor_init(struct mtr_cursor *c, const struct mtr_trace *t)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->raw = xmalloc(MTR_BLOCK_RAW + 32);
	c->dctx = ZSTD_createDCtx();
	if (c->dctx == NULL)
		abort();
	return 0;
}

void mtr_cursor_fini(struct mtr_cursor *c)
{
	free(c->raw);
	ZSTD_freeDCtx(c->dctx);
	c->raw = NULL;
	c->dctx = NULL;
}

void mtr_cursor_rewind(struct mtr_cursor *c)
{
	c->block = 0;
	c->left = 0;
	c->p = c->end = NULL;
}

int mtr_cursor_load(struct mtr_cursor *c, char *err, size_t errlen)
{
	const struct mtr_block *b;
	size_t n;

	if (c->left != 0 || c->p != c->end) {
		mtr_seterr(err, errlen, "%s: corrupt trace: block %llu does not "
		    "decode to its record count", c->t->path,
		    (unsigned long long)c->block);
		return -1;
	}
	if (c->block == c->t->nblocks)
		return 0;
	b = &c->t->blocks[c->block++];
	n = ZSTD_decompressDCtx(c->dctx, c->raw, MTR_BLOCK_RAW + 32, b->data,
	    b->stored_len);
	if (ZSTD_isError(n) || n != b->raw_len) {
		mtr_seterr(err, errlen, "%s: corrupt trace: block %llu does not "
		    "decompress", c->t->path, (unsigned long long)c->block);
		return -1;
	}
	c->p = c->raw;
	c->end = c->raw + n;
	c->left = b->nrecords;
	c->vpn = 0;
	return 1;
}
