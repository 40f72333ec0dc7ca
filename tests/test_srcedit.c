/*
 * test_srcedit: the scenario-text scanner finds configuration calls in
 * both call forms, not in comments, strings or field accesses; finds a
 * table's top-level fields but not nested ones or `==`; finds literal
 * method arguments; reads literals; and rewrites a span exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "srcedit.h"

static const char *src =
    "-- machine { ram = \"1G\" } in a comment\n"
    "--[==[ process { name = \"x\" } ]==]\n"
    "local s = \"process { name = 'y' }\"\n"
    "scenario { name = \"t\", duration = \"30s\" }\n"
    "machine({ ram = \"128M\", ncpus = 2, t = { ram = \"1M\" } })\n"
    "if a == b then x.process { } end\n"
    "process { name = \"db\", count = 3, run = function(p)\n"
    "  local r = p:mmap(\"70M\")\n"
    "  if p.count == 1 then p:mmap(4096) end\n"
    "end }\n"
    "process { name = 'w', run = function(p) p:mmap(size) end }\n";

static void finds_calls(void)
{
	struct srcedit_call c[8];
	int n;

	n = srcedit_calls(src, "process", c, 8);
	CHECK(n == 2, "two process{} calls, none from comments, strings or "
	    "field accesses (%d)", n);
	CHECK(n >= 1 && strncmp(src + c[0].start, "process { name = \"db\"",
	    21) == 0, "the first is the db declaration");
	CHECK(n >= 1 && src[c[0].end - 1] == '}' && src[c[0].close] == '}',
	    "a call ends at its table's closing brace");
	n = srcedit_calls(src, "machine", c, 8);
	CHECK(n == 1 && src[c[0].end - 1] == ')', "machine({...}) is one call "
	    "that ends at its parenthesis");
}

static void finds_fields(void)
{
	struct srcedit_call c[8];
	struct srcedit_span v;
	char lit[64];

	srcedit_calls(src, "machine", c, 8);
	CHECK(srcedit_field(src, &c[0], "ram", &v) &&
	    srcedit_literal(src, &v, lit, sizeof(lit)) == 0 &&
	    strcmp(lit, "128M") == 0, "the top-level ram, not the nested one");
	CHECK(srcedit_field(src, &c[0], "ncpus", &v) &&
	    srcedit_literal(src, &v, lit, sizeof(lit)) == 0 &&
	    strcmp(lit, "2") == 0, "a numeral field reads as its text");
	CHECK(!srcedit_field(src, &c[0], "swap", &v), "an absent key is not "
	    "found");
	srcedit_calls(src, "process", c, 8);
	CHECK(srcedit_field(src, &c[0], "run", &v) &&
	    srcedit_literal(src, &v, lit, sizeof(lit)) != 0,
	    "a function value is found but is no literal");
	CHECK(!srcedit_field(src, &c[0], "count == 1", &v) &&
	    srcedit_field(src, &c[0], "count", &v) &&
	    srcedit_literal(src, &v, lit, sizeof(lit)) == 0 &&
	    strcmp(lit, "3") == 0, "count is the field, not p.count == 1");
	CHECK(srcedit_field(src, &c[1], "name", &v) &&
	    srcedit_literal(src, &v, lit, sizeof(lit)) == 0 &&
	    strcmp(lit, "w") == 0, "a single-quoted literal reads");
}

static void finds_method_args(void)
{
	struct srcedit_span a[8];
	char lit[64];
	int n = srcedit_method_args(src, "mmap", a, 8);

	CHECK(n == 3, "three p:mmap() calls (%d)", n);
	CHECK(n == 3 && srcedit_literal(src, &a[0], lit, sizeof(lit)) == 0 &&
	    strcmp(lit, "70M") == 0, "the first argument is \"70M\"");
	CHECK(n == 3 && srcedit_literal(src, &a[2], lit, sizeof(lit)) != 0,
	    "a variable argument is no literal");
}

static void replaces(void)
{
	struct srcedit_call c[8];
	char *t = srcedit_replace("abcdef", 2, 4, "XYZ");

	CHECK(strcmp(t, "abXYZef") == 0, "a span is replaced exactly (%s)", t);
	free(t);
	CHECK(srcedit_calls("machine { ram = \"1G\" ", "machine", c, 8) == 0,
	    "an unclosed table is no call");
	CHECK(srcedit_calls("x = \"unclosed", "machine", c, 8) == -1,
	    "an unclosed string does not lex");
}

int main(void)
{
	finds_calls();
	finds_fields();
	finds_method_args();
	replaces();
	return CHECK_DONE();
}
