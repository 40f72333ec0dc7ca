/*
 * table: one table of cells written as aligned text, CSV, JSON or a
 * Markdown table, with the same columns and the same cells in each, so
 * what `memsim report` prints can be pasted into a review (markdown),
 * opened in a spreadsheet (csv) or read by a script (json).
 *
 * A cell is text, or no value (SQL's NULL): "-" in text and markdown,
 * an empty field in CSV, null in JSON.  Numeric columns are
 * right-aligned in text and markdown and written as JSON numbers.
 */
#ifndef MEMSIM_TABLE_H
#define MEMSIM_TABLE_H

#include <stdint.h>
#include <stdio.h>

enum table_format { TABLE_TEXT, TABLE_CSV, TABLE_JSON, TABLE_MARKDOWN };

/* The names --format takes, for a usage line: "text, csv, json or markdown". */
#define TABLE_FORMAT_NAMES "text, csv, json or markdown"

/* The format called `name`: 0, or -1 when there is none of that name. */
int table_format_parse(const char *name, enum table_format *out);

enum table_kind { TABLE_STR, TABLE_NUM };

struct table_col {
	const char *name;
	enum table_kind kind;
};

struct table;

struct table *table_create(const struct table_col *cols, int ncols);
void table_destroy(struct table *t);

/*
 * Start a row, then give its cells left to right; a row given fewer
 * cells than there are columns is completed with no-value cells.
 */
void table_row(struct table *t);
void table_str(struct table *t, const char *s);		/* NULL: no value */
void table_int(struct table *t, int64_t v);
void table_real(struct table *t, double v, int decimals); /* NAN: none */
void table_null(struct table *t);
int table_rows(const struct table *t);

/* Writes the table; 0, or -1 when the stream failed. */
int table_write(FILE *f, const struct table *t, enum table_format fmt);

/* A JSON string literal of s (UTF-8 passed through, controls escaped). */
void table_json_string(FILE *f, const char *s);

#endif
