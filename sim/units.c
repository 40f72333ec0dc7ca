/*
 * units: the one strict parser for sizes, times, rates and bandwidths.
 *
 * Scenarios and the command line say "512M", "4K", "5ms", "500/s"; a
 * typo there must stop the run with one clear line, not quietly become
 * a different machine.  So the grammar is small and closed: digits,
 * optionally "." and more digits, then exactly one suffix from the
 * kind's table and nothing else.  No spaces, no sign, no exponent, no
 * ".5" or "5.", no lower-case "k": each of those is something a reader
 * could take two ways.  Sizes are exact integers (IEC powers of 1024)
 * and must come out as whole bytes; times, rates and bandwidths are
 * doubles and must be finite.
 *
 * Decimal conversion of the validated number goes through strtod(),
 * which reads "." as the decimal point only in the "C" locale; memsim
 * never calls setlocale(), so that holds.
 */
#include "units.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* value = number * 2^shift / div */
struct suffix {
	const char *name;
	int shift;
	double div;
};

struct kind {
	const char *name;		/* "size", for "bad size ..." */
	const char *negative;		/* why a leading '-' is wrong */
	const struct suffix *suffixes;	/* terminated by a NULL name */
	const char *valid;		/* for the unknown-suffix message */
};

/* The pieces of a string that passed the grammar. */
struct lexed {
	const char *frac;		/* digits after '.', or NULL */
	size_t nfrac;
	int exponent;			/* had e.g. "e3": always rejected */
	const char *suffix;		/* the rest, possibly "" */
};

static const struct suffix size_suffixes[] = {
	{ "", 0, 1 }, { "K", 10, 1 }, { "M", 20, 1 }, { "G", 30, 1 },
	{ "T", 40, 1 }, { NULL, 0, 0 },
};

/*
 * Divide rather than multiply by 1e-6: 1e-6 is not exact in binary, and
 * 100 * 1e-6 is not the double nearest 1e-4 while 100 / 1e6 is.
 */
static const struct suffix time_suffixes[] = {
	{ "", 0, 1 }, { "ns", 0, 1e9 }, { "us", 0, 1e6 }, { "ms", 0, 1e3 },
	{ "s", 0, 1 }, { NULL, 0, 0 },
};

static const struct suffix rate_suffixes[] = {
	{ "", 0, 1 }, { "/s", 0, 1 }, { NULL, 0, 0 },
};

static const struct suffix bandwidth_suffixes[] = {
	{ "", 0, 1 }, { "K", 10, 1 }, { "M", 20, 1 }, { "G", 30, 1 },
	{ "T", 40, 1 }, { "/s", 0, 1 }, { "K/s", 10, 1 }, { "M/s", 20, 1 },
	{ "G/s", 30, 1 }, { "T/s", 40, 1 }, { NULL, 0, 0 },
};

static const struct kind size_kind = {
	"size", "sizes cannot be negative", size_suffixes,
	"K, M, G or T",
};
static const struct kind time_kind = {
	"time", "times cannot be negative", time_suffixes,
	"ns, us, ms or s",
};
static const struct kind rate_kind = {
	"rate", "rates cannot be negative", rate_suffixes,
	"/s",
};
static const struct kind bandwidth_kind = {
	"bandwidth", "bandwidths cannot be negative", bandwidth_suffixes,
	"K, M, G or T, optionally followed by /s",
};

/*
 * The message is one line of a terminal or a log, and the string in it
 * came from a user: show control bytes, quotes and backslashes escaped,
 * and cut a very long string short.
 */
static void quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (*s != '\0')
		n += (size_t)snprintf(buf + n, len - n, "...");
	buf[n] = '\0';
}

static int fail(const struct kind *k, const char *s, const char *why,
    char *err, size_t errlen)
{
	char q[80];

	if (err != NULL && errlen > 0) {
		quote(s, q, sizeof(q));
		snprintf(err, errlen, "bad %s \"%s\": %s", k->name, q, why);
	}
	return -1;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Check the grammar and split the string.  Errors are reported here in
 * the order a reader would fix them: missing, spaces, sign, then the
 * shape of the number and its suffix.
 */
static int lex(const struct kind *k, const char *s, struct lexed *lx,
    const struct suffix **sfx, char *err, size_t errlen)
{
	char why[128], q[40];
	const char *p;

	if (*s == '\0')
		return fail(k, s, "empty string", err, errlen);
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			return fail(k, s, "unexpected space", err, errlen);
	if (*s == '-')
		return fail(k, s, k->negative, err, errlen);
	if (*s == '+')
		return fail(k, s, "unexpected sign", err, errlen);

	memset(lx, 0, sizeof(*lx));
	p = s;
	if (!digit(*p))
		return fail(k, s, "not a number", err, errlen);
	while (digit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!digit(*p))
			return fail(k, s, "not a number", err, errlen);
		lx->frac = p;
		while (digit(*p))
			p++;
		lx->nfrac = (size_t)(p - lx->frac);
	}
	/*
	 * Skip an exponent here so the suffix is found; it is refused by
	 * the caller, after it has had the chance to say "too large".
	 */
	if ((*p == 'e' || *p == 'E') && (digit(p[1]) ||
	    ((p[1] == '+' || p[1] == '-') && digit(p[2])))) {
		lx->exponent = 1;
		p += 2;
		while (digit(*p))
			p++;
	}
	/* "1.2.3K" is a malformed number, not a number with suffix ".3K". */
	if (*p == '.')
		return fail(k, s, "not a number", err, errlen);
	lx->suffix = p;

	for (*sfx = k->suffixes; (*sfx)->name != NULL; (*sfx)++)
		if (strcmp((*sfx)->name, p) == 0)
			return 0;
	quote(p, q, sizeof(q));
	snprintf(why, sizeof(why), "unknown suffix \"%s\" (use %s)", q,
	    k->valid);
	return fail(k, s, why, err, errlen);
}

/*
 * The number as a double, scaled by the suffix.  strtod() stops where
 * lex() did: every suffix starts with a character strtod() cannot take.
 */
static double scaled(const char *s, const struct lexed *lx,
    const struct suffix *sfx)
{
	char *end;
	double v;

	v = strtod(s, &end);
	assert(end == lx->suffix);
	(void)end;
	return ldexp(v, sfx->shift) / sfx->div;
}

/*
 * The fraction digits f times 2^shift, if that is a whole number.  A
 * decimal fraction times 2^shift is whole only when it equals j / 2^shift,
 * whose decimal expansion has at most shift digits; so after trailing
 * zeros go there are at most 40 digits, and doubling them in decimal
 * shift times yields the integer part one bit at a time, exactly.
 */
static int frac_bytes(const char *f, size_t n, int shift, uint64_t *out)
{
	unsigned char d[40];
	uint64_t v = 0;
	size_t i;
	int b, carry;

	while (n > 0 && f[n - 1] == '0')
		n--;
	if (n > (size_t)shift)
		return -1;
	for (i = 0; i < n; i++)
		d[i] = (unsigned char)(f[i] - '0');
	for (b = 0; b < shift; b++) {
		carry = 0;
		for (i = n; i-- > 0;) {
			int x = d[i] * 2 + carry;

			d[i] = (unsigned char)(x % 10);
			carry = x / 10;
		}
		v = v << 1 | (uint64_t)carry;
	}
	for (i = 0; i < n; i++)
		if (d[i] != 0)
			return -1;
	*out = v;
	return 0;
}

int units_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	const struct kind *k = &size_kind;
	const struct suffix *sfx;
	struct lexed lx;
	uint64_t whole = 0, frac = 0;
	const char *p;
	double v;

	assert(s != NULL && out != NULL);
	if (lex(k, s, &lx, &sfx, err, errlen) != 0)
		return -1;
	if (lx.exponent) {
		v = scaled(s, &lx, sfx);
		if (!isfinite(v) || v >= 18446744073709551616.0)
			return fail(k, s, "too large", err, errlen);
		return fail(k, s, "not a number (exponents are not accepted)",
		    err, errlen);
	}
	for (p = s; digit(*p); p++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return fail(k, s, "too large", err, errlen);
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (whole > UINT64_MAX >> sfx->shift)
		return fail(k, s, "too large", err, errlen);
	whole <<= sfx->shift;
	if (lx.frac != NULL &&
	    frac_bytes(lx.frac, lx.nfrac, sfx->shift, &frac) != 0)
		return fail(k, s, "not a whole number of bytes", err, errlen);
	if (frac > UINT64_MAX - whole)
		return fail(k, s, "too large", err, errlen);
	*out = whole + frac;
	return 0;
}

/* Times, rates and bandwidths: a finite, non-negative double. */
static int parse_real(const struct kind *k, const char *s, double *out,
    char *err, size_t errlen)
{
	const struct suffix *sfx;
	struct lexed lx;
	double v;

	assert(s != NULL && out != NULL);
	if (lex(k, s, &lx, &sfx, err, errlen) != 0)
		return -1;
	v = scaled(s, &lx, sfx);
	if (!isfinite(v))
		return fail(k, s, "too large", err, errlen);
	if (lx.exponent)
		return fail(k, s, "not a number (exponents are not accepted)",
		    err, errlen);
	*out = v;
	return 0;
}

int units_time(const char *s, double *out, char *err, size_t errlen)
{
	return parse_real(&time_kind, s, out, err, errlen);
}

int units_rate(const char *s, double *out, char *err, size_t errlen)
{
	return parse_real(&rate_kind, s, out, err, errlen);
}

/*
 * A bandwidth is a rate of bytes, so unlike a size it may be fractional:
 * "0.1K" is 102.4 bytes per second, a meaningful speed.
 */
int units_bandwidth(const char *s, double *out, char *err, size_t errlen)
{
	return parse_real(&bandwidth_kind, s, out, err, errlen);
}
