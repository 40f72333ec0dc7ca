/*
 * units: the one strict parser for sizes, times and rates in scenarios
 * and on the command line.
 *
 * Sizes: a non-negative integer byte count, or a number with an IEC
 * suffix K, M, G, T (powers of 1024), e.g. "4K", "256M", "1.5G".
 * Times: a number of seconds, or a number with a suffix ns, us, ms, s.
 * Rates: "<count>/s" or a plain number per second.
 * The whole string must be consumed; no spaces, no sign, finite values.
 * Each parser returns 0, or -1 with a message in err.
 */
#ifndef MEMSIM_UNITS_H
#define MEMSIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

int units_size(const char *s, uint64_t *out, char *err, size_t errlen);
int units_time(const char *s, double *out, char *err, size_t errlen);
int units_rate(const char *s, double *out, char *err, size_t errlen);
/* A bandwidth is a size per second: "100M" means 100 MiB/s. */
int units_bandwidth(const char *s, double *out, char *err, size_t errlen);

#endif
