/*
 * table: see table.h.
 *
 * Cells are kept as text, made once when given, so every format writes
 * the same characters for a cell and differs only in how it frames,
 * quotes or escapes them: CSV as RFC 4180 has it (a field with a comma,
 * a quote or a line break is quoted, a quote doubled), JSON with every
 * control character escaped, Markdown with "|" escaped and a line break
 * as <br>.  Text widths count characters, not bytes.
 */
#include "table.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct table {
	const struct table_col *cols;
	int ncols;
	char **cells;		/* nrows x ncols, NULL: no value */
	int nrows, cap;		/* rows in use, rows allocated */
	int next;		/* the next cell of the last row */
};

static const char *const format_names[] = {
	[TABLE_TEXT] = "text", [TABLE_CSV] = "csv", [TABLE_JSON] = "json",
	[TABLE_MARKDOWN] = "markdown",
};

int table_format_parse(const char *name, enum table_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(format_names[i], name) == 0) {
			*out = (enum table_format)i;
			return 0;
		}
	return -1;
}

struct table *table_create(const struct table_col *cols, int ncols)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->cols = cols;
	t->ncols = ncols;
	return t;
}

void table_destroy(struct table *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, (size_t)t->cap *
		    (size_t)t->ncols * sizeof(*t->cells));
	}
	memset(t->cells + (size_t)t->nrows * (size_t)t->ncols, 0,
	    (size_t)t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->next = 0;
}

static void put(struct table *t, char *cell)
{
	assert(t->nrows > 0 && t->next < t->ncols);
	t->cells[(size_t)(t->nrows - 1) * (size_t)t->ncols +
	    (size_t)t->next++] = cell;
}

void table_str(struct table *t, const char *s)
{
	put(t, s != NULL ? xstrdup(s) : NULL);
}

void table_null(struct table *t)
{
	put(t, NULL);
}

void table_int(struct table *t, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	put(t, xstrdup(buf));
}

void table_real(struct table *t, double v, int decimals)
{
	char buf[64];

	if (!isfinite(v)) {
		put(t, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	put(t, xstrdup(buf));
}

int table_rows(const struct table *t)
{
	return t->nrows;
}

static const char *at(const struct table *t, int row, int col)
{
	return t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}

/* ---------------------------------------------------------------------
 * The formats.
 */

static int columns(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* A cell as text and markdown show it. */
static const char *shown(const struct table *t, int row, int col)
{
	const char *s = at(t, row, col);

	return s != NULL ? s : "-";
}

static void text_cell(FILE *f, const char *s, int w, int right, int last)
{
	int padw = w - columns(s);

	if (right && padw > 0)
		fprintf(f, "%*s", padw, "");
	fputs(s, f);
	if (!right && !last && padw > 0)
		fprintf(f, "%*s", padw, "");
}

static void write_text(FILE *f, const struct table *t)
{
	int *w = xcalloc((size_t)t->ncols, sizeof(*w));
	int r, c;

	for (c = 0; c < t->ncols; c++) {
		w[c] = columns(t->cols[c].name);
		for (r = 0; r < t->nrows; r++)
			if (columns(shown(t, r, c)) > w[c])
				w[c] = columns(shown(t, r, c));
	}
	for (r = -1; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputs("  ", f);
			text_cell(f, r < 0 ? t->cols[c].name : shown(t, r, c),
			    w[c], t->cols[c].kind == TABLE_NUM,
			    c == t->ncols - 1);
		}
		fputc('\n', f);
	}
	free(w);
}

static void csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct table *t)
{
	int r, c;

	for (r = -1; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(',', f);
			csv_field(f, r < 0 ? t->cols[c].name : at(t, r, c));
		}
		fputc('\n', f);
	}
}

void table_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void write_json(FILE *f, const struct table *t)
{
	int r, c;

	fputc('[', f);
	for (r = 0; r < t->nrows; r++) {
		fputs(r > 0 ? ",\n  {" : "\n  {", f);
		for (c = 0; c < t->ncols; c++) {
			const char *s = at(t, r, c);

			if (c > 0)
				fputs(", ", f);
			table_json_string(f, t->cols[c].name);
			fputs(": ", f);
			if (s == NULL)
				fputs("null", f);
			else if (t->cols[c].kind == TABLE_NUM)
				fputs(s, f);
			else
				table_json_string(f, s);
		}
		fputc('}', f);
	}
	fputs(t->nrows > 0 ? "\n]\n" : "]\n", f);
}

static void md_cell(FILE *f, const char *s)
{
	fputc(' ', f);
	for (; *s != '\0'; s++) {
		if (*s == '|' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("<br>", f);
		else if (*s != '\r')
			fputc(*s, f);
	}
	fputs(" |", f);
}

static void write_markdown(FILE *f, const struct table *t)
{
	int r, c;

	for (r = -2; r < t->nrows; r++) {
		fputc('|', f);
		for (c = 0; c < t->ncols; c++) {
			if (r == -2)
				md_cell(f, t->cols[c].name);
			else if (r == -1)
				fputs(t->cols[c].kind == TABLE_NUM ? " ---: |" :
				    " --- |", f);
			else
				md_cell(f, shown(t, r, c));
		}
		fputc('\n', f);
	}
}

int table_write(FILE *f, const struct table *t, enum table_format fmt)
{
	switch (fmt) {
	case TABLE_TEXT:
		write_text(f, t);
		break;
	case TABLE_CSV:
		write_csv(f, t);
		break;
	case TABLE_JSON:
		write_json(f, t);
		break;
	case TABLE_MARKDOWN:
		write_markdown(f, t);
		break;
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
