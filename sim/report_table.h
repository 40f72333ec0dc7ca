/*
 * report_table: `memsim report --format text|csv|json|markdown`, the
 * deadlock_rate view (analyze/views.sql) as one flat table, a row per
 * (scenario, allocator, reserve N), the same columns in every format.
 */
#ifndef MEMSIM_REPORT_TABLE_H
#define MEMSIM_REPORT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"
#include "table.h"

/*
 * Writes the rows of one scenario (NULL: all) to f and returns how many
 * there were, or -1 with a message in err.  With no rows, an empty
 * database gives the header alone (an empty array in JSON), a scenario
 * with no runs writes nothing: the caller says so.
 */
int report_table(struct store *st, const char *scenario,
    enum table_format fmt, FILE *f, char *err, size_t errlen);

#endif
