/*
 * srcedit: find and rewrite the literal settings of a scenario's text.
 *
 * `memsim shrink` (sim/shrink.c) turns a scenario into a smaller one by
 * editing its source, so the result stays the file a person wrote, with
 * its comments and process bodies, only with smaller numbers and fewer
 * declarations.  This module knows just enough of Lua's lexical grammar
 * (comments, short and long strings, numbers, names, brackets) to find
 * the top-level calls such as `machine { ... }` or `process({ ... })`,
 * the `key = value` fields of their tables, and the literal arguments of
 * method calls such as `p:mmap("70M")`.  It never evaluates anything: a
 * value that is not a literal (a param() call, a local) is left alone.
 */
#ifndef MEMSIM_SRCEDIT_H
#define MEMSIM_SRCEDIT_H

#include <stddef.h>

/* A call of a configuration function: `NAME { ... }` or `NAME({ ... })`. */
struct srcedit_call {
	size_t start, end;		/* the whole call, [start, end) */
	size_t open, close;		/* offsets of its table's { and } */
};

/* A byte range [start, end) of the text. */
struct srcedit_span {
	size_t start, end;
};

/*
 * The calls of `fname` in text order, at most max; the count, or -1 when
 * the text does not lex (an unfinished string or comment).  Field and
 * method accesses (`x.machine {}`, `p:machine {}`) are not calls.
 */
int srcedit_calls(const char *text, const char *fname,
    struct srcedit_call *out, int max);

/* The value of `key = value` at the top level of a call's table: 1 and
 * its span, or 0 when the table has no such key. */
int srcedit_field(const char *text, const struct srcedit_call *c,
    const char *key, struct srcedit_span *val);

/* The first arguments of every `:method(...)` call, in text order; the
 * count (at most max), or -1 when the text does not lex. */
int srcedit_method_args(const char *text, const char *method,
    struct srcedit_span *out, int max);

/* A literal's value: a string literal without escapes gives its contents,
 * a numeral its text.  0, or -1 when the span is not such a literal. */
int srcedit_literal(const char *text, const struct srcedit_span *v,
    char *out, size_t len);

/* A new text (malloc'd through xmalloc) with [s, e) replaced by `with`. */
char *srcedit_replace(const char *text, size_t s, size_t e,
    const char *with);

#endif
