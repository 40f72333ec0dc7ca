/*
 * test_sha256: the FIPS 180-4 example messages (and the million-'a'
 * vector) hash to the published digests, one-shot and incrementally.
 */
#include <string.h>

#include "check.h"
#include "sha256.h"

static const char abc448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void oneshot(const char *msg, const char *want)
{
	char out[SHA256_HEX_LEN];

	sha256_hex(msg, strlen(msg), out);
	CHECK(strcmp(out, want) == 0, "sha256(\"%.20s\") (got %s)", msg, out);
}

/* Feeding the message in uneven pieces must not change the digest. */
static void pieces(const char *msg, size_t step, const char *want)
{
	struct sha256_ctx c;
	char out[SHA256_HEX_LEN];
	size_t len = strlen(msg), i, n;

	sha256_init(&c);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		sha256_update(&c, msg + i, n);
	}
	sha256_final_hex(&c, out);
	CHECK(strcmp(out, want) == 0, "sha256 of \"%.20s\" in %zu-byte pieces",
	    msg, step);
}

static void million_a(void)
{
	struct sha256_ctx c;
	char buf[1000], out[SHA256_HEX_LEN];
	int i;

	memset(buf, 'a', sizeof(buf));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, buf, sizeof(buf));
	sha256_final_hex(&c, out);
	CHECK(strcmp(out, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0") == 0,
	    "sha256 of one million 'a' (got %s)", out);
}

/*
 * Lengths around the padding boundary: 55 bytes leave room in the block
 * for the 0x80 and the length, 56 do not.  Digests from Python hashlib.
 */
static const struct {
	size_t len;
	const char *hex;
} edges[] = {
	{ 55, "d5e285683cd4efc02d021a5c62014694"
	    "958901005d6f71e89e0989fac77e4072" },
	{ 56, "04c26261370ee7541549d16dee320c72"
	    "3e3fd14671e66a099afe0a377c16888e" },
	{ 63, "75220b47218278e656f2013bb8f0c455"
	    "a25eaf01e86c64924e9d48d89776d6f2" },
	{ 64, "7ce100971f64e7001e8fe5a51973ecdf"
	    "e1ced42befe7ee8d5fd6219506b5393c" },
	{ 65, "9537c5fdf120482f7d58d25e9ed583f5"
	    "2c02b4e304ea814db1633ad565aed7e9" },
	{ 119, "000b48d4edf0fa7bee3c6236ecd2785b"
	    "aa5db4eeb8bb54341b029e0d9fa5fb0c" },
	{ 120, "13f05a0b594787f5ecd315edc96141bd"
	    "3243203d1b7d4f0836f37308b276ba98" },
};

static void boundaries(void)
{
	char msg[130], one[SHA256_HEX_LEN], inc[SHA256_HEX_LEN];
	struct sha256_ctx c;
	size_t len, i;
	int same = 1;

	memset(msg, 'x', sizeof(msg));
	for (len = 0; len <= sizeof(msg); len++) {
		sha256_hex(msg, len, one);
		sha256_init(&c);
		for (i = 0; i < len; i++)
			sha256_update(&c, msg + i, 1);
		sha256_final_hex(&c, inc);
		if (strcmp(one, inc) != 0)
			same = 0;
	}
	CHECK(same, "byte-at-a-time equals one-shot for lengths 0..130");
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		sha256_hex(msg, edges[i].len, one);
		CHECK(strcmp(one, edges[i].hex) == 0,
		    "sha256 of %zu 'x' (got %s)", edges[i].len, one);
	}
}

int main(void)
{
	oneshot("", "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	oneshot("abc", "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	oneshot(abc448, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	pieces(abc448, 1, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	pieces(abc448, 7, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	million_a();
	boundaries();
	return CHECK_DONE();
}
