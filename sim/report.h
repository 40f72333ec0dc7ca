/*
 * report: what a results database says, as `memsim report`.
 *
 * The table: per scenario, deadlocks/runs with the 95% Wilson interval,
 * rows by reserve N, allocators side by side (allocators without a
 * reserve on a row "-").  The plots (--plot DIR): deadlock rate against
 * N per allocator, or with --run ID that run's free pages and swap use
 * over time against the paging thresholds; PNG and SVG through gnuplot,
 * with the gnuplot scripts of analyze/ compiled in.  Everything is read
 * through sim/store (the deadlock_rate view of analyze/views.sql).
 */
#ifndef MEMSIM_REPORT_H
#define MEMSIM_REPORT_H

#include <stdint.h>

struct report_opts {
	const char *db;
	const char *scenario;		/* NULL: every scenario */
	const char *plot_dir;		/* NULL: the table on stdout */
	int64_t run_id;			/* with plot_dir: this run; 0: rates */
	int format;			/* enum table_format + 1; 0: the grid */
};

/* Returns the exit status: 0, 1 (database, gnuplot), 2 (no such run). */
int report_main(const struct report_opts *o);

#endif
