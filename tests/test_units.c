/*
 * test_units: the strict units parser accepts exactly the documented
 * grammar and names the problem when it refuses.
 *
 * CHECK() evaluates its condition twice, so calls happen outside it.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "units.h"

static char err[256];

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int rc;

	err[0] = '\0';
	rc = units_size(s, &v, err, sizeof(err));
	CHECK(rc == 0 && v == want, "size \"%s\" = %llu (got %llu, %s)", s,
	    (unsigned long long)want, (unsigned long long)v, err);
}

/* A refused string leaves *out alone and says why in err. */
static void size_bad(const char *s, const char *msg)
{
	uint64_t v = 12345;
	int rc;

	err[0] = '\0';
	rc = units_size(s, &v, err, sizeof(err));
	CHECK(rc == -1 && v == 12345 && strstr(err, msg) != NULL,
	    "size \"%s\" refused with \"%s\" (got: %s)", s, msg, err);
}

typedef int (*real_parser)(const char *, double *, char *, size_t);

static void real_ok(real_parser f, const char *what, const char *s,
    double want)
{
	double v = -1;
	int rc;

	err[0] = '\0';
	rc = f(s, &v, err, sizeof(err));
	CHECK(rc == 0 && v == want, "%s \"%s\" = %g (got %.17g, %s)", what, s,
	    want, v, err);
}

static void real_bad(real_parser f, const char *what, const char *s,
    const char *msg)
{
	double v = 12345;
	int rc;

	err[0] = '\0';
	rc = f(s, &v, err, sizeof(err));
	CHECK(rc == -1 && v == 12345 && strstr(err, msg) != NULL,
	    "%s \"%s\" refused with \"%s\" (got: %s)", what, s, msg, err);
}

static void sizes(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4K", 4096);
	size_ok("256M", 256ull << 20);
	size_ok("1G", 1ull << 30);
	size_ok("2T", 2ull << 40);
	size_ok("0K", 0);
	size_ok("0.5K", 512);
	size_ok("1.5G", 3ull << 29);
	size_ok("1.25K", 1280);
	size_ok("4096.000", 4096);
	size_ok("0.0009765625K", 1);	/* 2^-10 K is exactly one byte */
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215.99999904632568359375T", UINT64_MAX - 1048575);
	size_ok("007K", 7168);

	size_bad("", "bad size \"\": empty string");
	size_bad("12MB", "bad size \"12MB\": unknown suffix \"MB\" "
	    "(use K, M, G or T)");
	size_bad("4k", "unknown suffix \"k\" (use K, M, G or T)");
	size_bad("4KiB", "unknown suffix \"KiB\"");
	size_bad("4 K", "bad size \"4 K\": unexpected space");
	size_bad(" 4K", "unexpected space");
	size_bad("4K\t", "bad size \"4K\\x09\": unexpected space");
	size_bad("4K\x01", "unknown suffix \"K\\x01\"");
	size_bad("4\"K", "bad size \"4\\\"K\"");
	size_bad("-4K", "bad size \"-4K\": sizes cannot be negative");
	size_bad("+4K", "bad size \"+4K\": unexpected sign");
	size_bad("1e999G", "bad size \"1e999G\": too large");
	size_bad("1e3", "bad size \"1e3\": not a number");
	size_bad("1E3K", "not a number");
	size_bad("16E", "unknown suffix \"E\"");
	size_bad("K", "bad size \"K\": not a number");
	size_bad(".5K", "not a number");
	size_bad("5.K", "not a number");
	size_bad("1.2.3K", "not a number");
	size_bad("inf", "not a number");
	size_bad("nan", "not a number");
	size_bad("0x10", "unknown suffix \"x10\"");
	size_bad("1.5", "bad size \"1.5\": not a whole number of bytes");
	size_bad("1.3K", "bad size \"1.3K\": not a whole number of bytes");
	size_bad("0.00048828125K", "not a whole number of bytes");
	size_bad("18446744073709551616", "too large");
	size_bad("16384P", "unknown suffix");
	size_bad("16777216T", "bad size \"16777216T\": too large");
	size_bad("99999999999999999999999999G", "too large");
	size_bad("1e20", "too large");
	size_bad("1e19", "not a number");
}

static void times(void)
{
	real_ok(units_time, "time", "2", 2.0);
	real_ok(units_time, "time", "0.5", 0.5);
	real_ok(units_time, "time", "0", 0.0);
	real_ok(units_time, "time", "2s", 2.0);
	real_ok(units_time, "time", "5ms", 5e-3);
	real_ok(units_time, "time", "100us", 1e-4);
	real_ok(units_time, "time", "250ns", 250e-9);
	real_ok(units_time, "time", "1.5ms", 1.5e-3);

	real_bad(units_time, "time", "5 ms",
	    "bad time \"5 ms\": unexpected space");
	real_bad(units_time, "time", "5ms ", "unexpected space");
	real_bad(units_time, "time", "", "bad time \"\": empty string");
	real_bad(units_time, "time", "-5ms",
	    "bad time \"-5ms\": times cannot be negative");
	real_bad(units_time, "time", "+5ms", "unexpected sign");
	real_bad(units_time, "time", "5min",
	    "unknown suffix \"min\" (use ns, us, ms or s)");
	real_bad(units_time, "time", "5MS", "unknown suffix \"MS\"");
	real_bad(units_time, "time", "5sec", "unknown suffix \"sec\"");
	real_bad(units_time, "time", "1e999s", "too large");
	real_bad(units_time, "time", "1e-3", "not a number");
	real_bad(units_time, "time", "ms", "not a number");
	real_bad(units_time, "time", "inf", "not a number");
}

static void rates(void)
{
	real_ok(units_rate, "rate", "500/s", 500.0);
	real_ok(units_rate, "rate", "500", 500.0);
	real_ok(units_rate, "rate", "0.5/s", 0.5);
	real_ok(units_rate, "rate", "0", 0.0);

	real_bad(units_rate, "rate", "500/m",
	    "bad rate \"500/m\": unknown suffix \"/m\" (use /s)");
	real_bad(units_rate, "rate", "500 /s", "unexpected space");
	real_bad(units_rate, "rate", "-1/s", "rates cannot be negative");
	real_bad(units_rate, "rate", "500s", "unknown suffix \"s\"");
	real_bad(units_rate, "rate", "/s", "not a number");
}

static void bandwidths(void)
{
	real_ok(units_bandwidth, "bandwidth", "100M", 104857600.0);
	real_ok(units_bandwidth, "bandwidth", "100M/s", 104857600.0);
	real_ok(units_bandwidth, "bandwidth", "1G", 1073741824.0);
	real_ok(units_bandwidth, "bandwidth", "4096", 4096.0);
	real_ok(units_bandwidth, "bandwidth", "4096/s", 4096.0);
	real_ok(units_bandwidth, "bandwidth", "1.5K/s", 1536.0);
	real_ok(units_bandwidth, "bandwidth", "0.1K", 102.4);

	real_bad(units_bandwidth, "bandwidth", "100MB/s",
	    "unknown suffix \"MB/s\"");
	real_bad(units_bandwidth, "bandwidth", "100M/ms",
	    "unknown suffix \"M/ms\"");
	real_bad(units_bandwidth, "bandwidth", "100M /s", "unexpected space");
	real_bad(units_bandwidth, "bandwidth", "-1M",
	    "bandwidths cannot be negative");
	real_bad(units_bandwidth, "bandwidth", "1e999M", "too large");
}

/* A small buffer truncates the message but still terminates it. */
static void short_err(void)
{
	char small[8];
	uint64_t v;
	int rc;

	memset(small, 'x', sizeof(small));
	rc = units_size("12MB", &v, small, sizeof(small));
	CHECK(rc == -1 && strcmp(small, "bad siz") == 0,
	    "a short err buffer is truncated and NUL-terminated");
	rc = units_size("12MB", &v, NULL, 0);
	CHECK(rc == -1, "err may be NULL");
}

/* A long bad string is cut short in the message, not the whole line. */
static void long_input(void)
{
	char s[300];
	uint64_t v;
	int rc;

	memset(s, '9', sizeof(s) - 2);
	s[sizeof(s) - 2] = 'X';
	s[sizeof(s) - 1] = '\0';
	rc = units_size(s, &v, err, sizeof(err));
	CHECK(rc == -1 &&
	    strstr(err, "9...\": unknown suffix \"X\"") != NULL &&
	    strlen(err) < 160, "a long bad string is shortened: %s", err);
}

int main(void)
{
	sizes();
	times();
	rates();
	bandwidths();
	short_err();
	long_input();
	return CHECK_DONE();
}
