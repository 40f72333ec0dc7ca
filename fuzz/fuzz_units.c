/*
 * fuzz_units: the units parser (sim/units.c) against arbitrary bytes.
 *
 * The input, cut at its first NUL, goes to units_size, units_time,
 * units_rate and units_bandwidth.  Beyond "no crash, no read past the
 * string" it checks what the grammar promises:
 *   - every failure leaves a one-line, NUL-terminated message starting
 *     "bad <kind> \"", also in a tiny buffer, and with no buffer at all;
 *   - the answer does not depend on the size of the error buffer;
 *   - a size printed back (as bytes, and with its largest exact IEC
 *     suffix) parses to the same size, and equals the bandwidth of the
 *     same text when it is below 2^53;
 *   - a time, rate or bandwidth is finite and not negative; a bare
 *     number means the same with "s" or "/s" after it, and "ms" divides
 *     it by 1000 exactly as the parser documents.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "units.h"

#define ERRLEN 256

typedef int real_fn(const char *s, double *out, char *err, size_t errlen);

static void check_message(const char *kind, const char *s, const char *err,
    size_t errlen)
{
	char want[32];
	size_t n = strnlen(err, errlen), i;

	fuzz_assert(n < errlen, "%s(\"%s\"): error not NUL-terminated", kind,
	    s);
	if (errlen < ERRLEN)
		return;
	fuzz_assert(n > 0, "%s(\"%s\"): failed with no message", kind, s);
	snprintf(want, sizeof(want), "bad %s \"", kind);
	fuzz_assert(strncmp(err, want, strlen(want)) == 0,
	    "%s(\"%s\"): message \"%s\" does not start \"%s\"", kind, s, err,
	    want);
	for (i = 0; i < n; i++)
		fuzz_assert((unsigned char)err[i] >= 0x20 && err[i] != 0x7f,
		    "%s(\"%s\"): control byte in message \"%s\"", kind, s,
		    err);
}

/*
 * Parse s with a full error buffer, a heap buffer of exactly `small`
 * bytes (so ASan sees any write past it), and none; all three agree.
 */
static int parse_size(const char *s, uint64_t *v, size_t small, char *err)
{
	uint64_t v2 = 0, v3 = 0;
	char *tiny = malloc(small);
	int rc, rc2, rc3;

	if (tiny == NULL)
		abort();
	rc = units_size(s, v, err, ERRLEN);
	if (rc != 0)
		check_message("size", s, err, ERRLEN);
	rc2 = units_size(s, &v2, tiny, small);
	if (rc2 != 0)
		check_message("size", s, tiny, small);
	rc3 = units_size(s, &v3, NULL, 0);
	free(tiny);
	fuzz_assert(rc == rc2 && rc == rc3, "size(\"%s\"): answer depends on "
	    "the error buffer", s);
	fuzz_assert(rc != 0 || (*v == v2 && *v == v3), "size(\"%s\"): value "
	    "depends on the error buffer", s);
	return rc;
}

static int parse_real(real_fn *fn, const char *kind, const char *s,
    double *v, size_t small, char *err)
{
	char *tiny = malloc(small);
	double v2 = 0, v3 = 0;
	int rc, rc2, rc3;

	if (tiny == NULL)
		abort();
	rc = fn(s, v, err, ERRLEN);
	if (rc != 0)
		check_message(kind, s, err, ERRLEN);
	rc2 = fn(s, &v2, tiny, small);
	if (rc2 != 0)
		check_message(kind, s, tiny, small);
	rc3 = fn(s, &v3, NULL, 0);
	free(tiny);
	fuzz_assert(rc == rc2 && rc == rc3, "%s(\"%s\"): answer depends on "
	    "the error buffer", kind, s);
	if (rc == 0) {
		fuzz_assert(*v == v2 && *v == v3, "%s(\"%s\"): value depends "
		    "on the error buffer", kind, s);
		fuzz_assert(isfinite(*v) && *v >= 0, "%s(\"%s\") = %g: not a "
		    "finite non-negative value", kind, s, *v);
	}
	return rc;
}

/* The size printed back, plain and with its largest exact suffix. */
static void size_round_trip(const char *s, uint64_t v)
{
	static const char sfx[] = "KMGT";
	char buf[64], err[ERRLEN];
	uint64_t w;
	int i;

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	fuzz_assert(units_size(buf, &w, err, sizeof(err)) == 0 && w == v,
	    "size(\"%s\") = %" PRIu64 ", but \"%s\" does not parse back "
	    "(%s)", s, v, buf, err);
	for (i = 3; i >= 0; i--) {
		uint64_t u = (uint64_t)1 << (10 * (i + 1));

		if (v != 0 && v % u == 0) {
			snprintf(buf, sizeof(buf), "%" PRIu64 "%c", v / u,
			    sfx[i]);
			fuzz_assert(units_size(buf, &w, err, sizeof(err)) == 0
			    && w == v, "size(\"%s\") = %" PRIu64 ", but \"%s\""
			    " does not parse back (%s)", s, v, buf, err);
			break;
		}
	}
}

/* s with `suffix` appended means `want`, for a bare number s. */
static void same_with(real_fn *fn, const char *kind, const char *s,
    const char *suffix, double want)
{
	char err[ERRLEN];
	size_t n = strlen(s);
	char *t = malloc(n + strlen(suffix) + 1);
	double v = -1;
	int rc;

	if (t == NULL)
		abort();
	memcpy(t, s, n);
	strcpy(t + n, suffix);
	rc = fn(t, &v, err, sizeof(err));
	fuzz_assert(rc == 0 && v == want, "%s(\"%s\") = %.17g but %s(\"%s\")"
	    " = %.17g (%s)", kind, s, want, kind, t, v, rc ? err : "ok");
	free(t);
}

/* The reason comes last, after the quoted (escaped) input. */
static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void one(const char *s, size_t small)
{
	char err[ERRLEN];
	double t = 0, r = 0, bw = 0;
	uint64_t sz = 0;
	int size_ok, time_ok, rate_ok, bw_ok, fraction;
	size_t n = strlen(s);
	int bare = n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9';

	size_ok = parse_size(s, &sz, small, err) == 0;
	fraction = !size_ok && ends_with(err, "\": not a whole number of "
	    "bytes");
	time_ok = parse_real(units_time, "time", s, &t, small, err) == 0;
	rate_ok = parse_real(units_rate, "rate", s, &r, small, err) == 0;
	bw_ok = parse_real(units_bandwidth, "bandwidth", s, &bw, small,
	    err) == 0;

	if (size_ok) {
		size_round_trip(s, sz);
		fuzz_assert(bw_ok, "size(\"%s\") parses but bandwidth does not",
		    s);
		if (sz < ((uint64_t)1 << 53))
			fuzz_assert(bw == (double)sz, "size(\"%s\") = %" PRIu64
			    " but bandwidth = %.17g", s, sz, bw);
	}
	/* a fraction of a byte is still a valid bandwidth: 0.1K is 102.4 */
	if (fraction)
		fuzz_assert(bw_ok, "\"%s\" is a fraction of a byte, but not "
		    "a bandwidth", s);
	if (bare && time_ok) {
		fuzz_assert(rate_ok && bw_ok && r == t && bw == t, "a bare "
		    "number \"%s\" means different things: time %.17g, rate "
		    "%.17g, bandwidth %.17g", s, t, r, bw);
		same_with(units_time, "time", s, "s", t);
		same_with(units_time, "time", s, "ms", t / 1e3);
		same_with(units_rate, "rate", s, "/s", r);
		same_with(units_bandwidth, "bandwidth", s, "/s", bw);
	}
	if (bare && !time_ok)
		fuzz_assert(!rate_ok && !bw_ok, "a bare \"%s\" is a rate or a "
		    "bandwidth but not a time", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t small = 1 + (size > 0 ? data[0] % 24 : 0);
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	one(s, small);
	/* The same text without its first byte, which chose the buffer. */
	if (size > 0)
		one(s + 1, small);
	free(s);
	return 0;
}
