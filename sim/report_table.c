/*
 * report_table: see report_table.h.
 *
 * The columns are the view's, under its names, so a script reading the
 * JSON and a query on the view agree.  Rates and their Wilson bounds
 * are given to four decimals, times to a millisecond: the same cell in
 * every format.
 */
#include "report_table.h"

#include <errno.h>
#include <string.h>

static const struct table_col cols[] = {
	{ "scenario", TABLE_STR },
	{ "allocator", TABLE_STR },
	{ "reserve_n", TABLE_NUM },
	{ "runs", TABLE_NUM },
	{ "deadlocks", TABLE_NUM },
	{ "panics", TABLE_NUM },
	{ "errors", TABLE_NUM },
	{ "rate", TABLE_NUM },
	{ "wilson_low", TABLE_NUM },
	{ "wilson_high", TABLE_NUM },
	{ "median_time_to_deadlock", TABLE_NUM },
	{ "median_pagedaemon_blocked_seconds", TABLE_NUM },
	{ "peak_swapmeta_pages", TABLE_NUM },
	{ "lowest_reserve_level", TABLE_NUM },
};

static int add_row(void *ctx, const struct store_rate *r)
{
	struct table *t = ctx;

	table_row(t);
	table_str(t, r->scenario);
	table_str(t, r->allocator);
	if (r->reserve_n >= 0)
		table_int(t, r->reserve_n);
	else
		table_null(t);
	table_int(t, r->runs);
	table_int(t, r->deadlocks);
	table_int(t, r->panics);
	table_int(t, r->errors);
	table_real(t, r->rate, 4);
	table_real(t, r->wilson_low, 4);
	table_real(t, r->wilson_high, 4);
	table_real(t, r->median_time_to_deadlock, 3);
	table_real(t, r->median_pagedaemon_blocked_seconds, 3);
	table_int(t, r->peak_swapmeta_pages);
	if (r->lowest_reserve_level >= 0)
		table_int(t, r->lowest_reserve_level);
	else
		table_null(t);
	return 0;
}

int report_table(struct store *st, const char *scenario,
    enum table_format fmt, FILE *f, char *err, size_t errlen)
{
	struct table *t = table_create(cols, (int)(sizeof(cols) /
	    sizeof(cols[0])));

	int rc, rows;

	rc = store_rates(st, scenario, add_row, t, err, errlen);
	rows = table_rows(t);
	if (rc == 0 && (rows > 0 || scenario == NULL) &&
	    table_write(f, t, fmt) != 0) {
		snprintf(err, errlen, "cannot write the report: %s",
		    strerror(errno));
		rc = -1;
	}
	table_destroy(t);
	return rc < 0 ? -1 : rows;
}
