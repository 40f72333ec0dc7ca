/*
 * test_table: each format's framing and escaping of awkward cells (CSV
 * quoting as RFC 4180 has it, JSON control characters, markdown pipes
 * and line breaks, text widths in characters), and the JSON syntax
 * check that explain uses before it writes stored parameters as JSON.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "explain_json.h"
#include "table.h"

static const struct table_col cols[] = {
	{ "name", TABLE_STR }, { "n", TABLE_NUM }, { "x", TABLE_NUM },
};

/* The table below written in fmt, in a buffer the caller frees. */
static char *render(enum table_format fmt)
{
	struct table *t = table_create(cols, 3);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	table_row(t);
	table_str(t, "a,b");
	table_int(t, -3);
	table_real(t, 0.125, 2);
	table_row(t);
	table_str(t, "say \"hi\"\nthen | go");
	table_null(t);
	table_real(t, NAN, 2);
	table_row(t);
	table_str(t, " pad");
	table_int(t, 7);		/* x left out: no value */
	table_row(t);
	table_str(t, "\u00e9t\u00e9\t\x01");
	table_int(t, 10);
	table_real(t, 1, 0);
	CHECK(table_rows(t) == 4, "four rows");
	CHECK(table_write(f, t, fmt) == 0, "written");
	fclose(f);
	table_destroy(t);
	return buf;
}

static void same(enum table_format fmt, const char *what, const char *want)
{
	char *got = render(fmt);

	CHECK(strcmp(got, want) == 0, "%s", what);
	if (strcmp(got, want) != 0)
		printf("# got:\n%s# want:\n%s", got, want);
	free(got);
}

static void formats(void)
{
	enum table_format f;

	same(TABLE_CSV, "csv: comma, quote, line break and edge blanks quoted; "
	    "no value empty",
	    "name,n,x\n"
	    "\"a,b\",-3,0.12\n"
	    "\"say \"\"hi\"\"\nthen | go\",,\n"
	    "\" pad\",7,\n"
	    "\u00e9t\u00e9\t\x01,10,1\n");
	same(TABLE_JSON, "json: strings escaped, numbers bare, no value null",
	    "[\n"
	    "  {\"name\": \"a,b\", \"n\": -3, \"x\": 0.12},\n"
	    "  {\"name\": \"say \\\"hi\\\"\\nthen | go\", \"n\": null, "
	    "\"x\": null},\n"
	    "  {\"name\": \" pad\", \"n\": 7, \"x\": null},\n"
	    "  {\"name\": \"\u00e9t\u00e9\\t\\u0001\", \"n\": 10, \"x\": 1}\n"
	    "]\n");
	same(TABLE_MARKDOWN, "markdown: | escaped, a line break as <br>",
	    "| name | n | x |\n"
	    "| --- | ---: | ---: |\n"
	    "| a,b | -3 | 0.12 |\n"
	    "| say \"hi\"<br>then \\| go | - | - |\n"
	    "|  pad | 7 | - |\n"
	    "| \u00e9t\u00e9\t\x01 | 10 | 1 |\n");
	CHECK(table_format_parse("markdown", &f) == 0 && f == TABLE_MARKDOWN,
	    "format names parse");
	CHECK(table_format_parse("CSV", &f) != 0 &&
	    table_format_parse("", &f) != 0, "... exactly");
}

static void text_widths(void)
{
	static const struct table_col c2[] = {
		{ "s", TABLE_STR }, { "v", TABLE_NUM },
	};
	struct table *t = table_create(c2, 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	table_row(t);
	table_str(t, "\u00e9\u00e9");	/* two characters, four bytes */
	table_int(t, 1);
	table_row(t);
	table_str(t, "abc");
	table_int(t, 100);
	table_write(f, t, TABLE_TEXT);
	fclose(f);
	CHECK(strcmp(buf, "s      v\n\u00e9\u00e9     1\nabc  100\n") == 0,
	    "text: columns counted in characters, numbers right-aligned");
	free(buf);
	table_destroy(t);
}

static void json_valid(void)
{
	static const char *const good[] = {
		"{}", "[]", "{\"N\":\"3\",\"allocator\":\"zalloc\"}",
		" [1, -0.5e+3, true, false, null, \"\\u00e9\\n\"] ", "0",
		"{\"a\": {\"b\": [[]]}}",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "-",
		"\"\\x\"", "\"a\nb\"", "[1] x", "tru", "{a:1}", "\"\\u12g4\"",
	};
	size_t i;
	char deep[201];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(explain_json_valid(good[i]), "valid JSON: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!explain_json_valid(bad[i]), "not JSON: bad[%zu]", i);
	memset(deep, '[', 10);
	memset(deep + 10, ']', 10);
	deep[20] = '\0';
	CHECK(explain_json_valid(deep), "10 nested arrays");
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	CHECK(!explain_json_valid(deep), "100 nested arrays: refused (past "
	    "the depth limit, written as a string), no unbounded recursion");
}

int main(void)
{
	formats();
	text_widths();
	json_valid();
	return CHECK_DONE();
}
