/*
 * srcedit: see srcedit.h.  A token scanner over Lua 5.4 source (the
 * lexical rules of the Lua reference manual §3.1), then searches over
 * the tokens.
 */
#include "srcedit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

enum tok_kind { T_NAME, T_STRING, T_NUMBER, T_PUNCT };

struct tok {
	enum tok_kind kind;
	size_t start, end;
};

struct toks {
	struct tok *t;
	int n, cap;
};

/* Level of a long bracket at p ("[[", "[=[", ...): >= 0, or -1. */
static int long_open(const char *p)
{
	int level = 0;

	if (*p != '[')
		return -1;
	p++;
	while (*p == '=') {
		level++;
		p++;
	}
	return *p == '[' ? level : -1;
}

/* The offset just past the long bracket opened at i, or 0 unclosed. */
static size_t long_skip(const char *s, size_t i, int level)
{
	i += (size_t)level + 2;
	for (; s[i]; i++) {
		if (s[i] == ']') {
			size_t j = i + 1;
			int l = 0;
			while (s[j] == '=') {
				l++;
				j++;
			}
			if (l == level && s[j] == ']')
				return j + 1;
		}
	}
	return 0;
}

static void push(struct toks *ts, enum tok_kind k, size_t s, size_t e)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 256;
		ts->t = xrealloc(ts->t, (size_t)ts->cap * sizeof(*ts->t));
	}
	ts->t[ts->n].kind = k;
	ts->t[ts->n].start = s;
	ts->t[ts->n].end = e;
	ts->n++;
}

static int lex_tokens(const char *s, struct toks *ts);

/* 0, or -1 (and no tokens) when a string or comment is not closed. */
static int lex(const char *s, struct toks *ts)
{
	if (lex_tokens(s, ts) == 0)
		return 0;
	free(ts->t);
	ts->t = NULL;
	return -1;
}

static int lex_tokens(const char *s, struct toks *ts)
{
	size_t i = 0, j;
	int lv;

	memset(ts, 0, sizeof(*ts));
	while (s[i]) {
		unsigned char c = (unsigned char)s[i];

		if (isspace(c)) {
			i++;
		} else if (c == '-' && s[i + 1] == '-') {
			if ((lv = long_open(s + i + 2)) >= 0) {
				if ((j = long_skip(s, i + 2, lv)) == 0)
					return -1;
				i = j;
			} else {
				while (s[i] && s[i] != '\n')
					i++;
			}
		} else if (c == '"' || c == '\'') {
			for (j = i + 1; s[j] && s[j] != (char)c; j++)
				if (s[j] == '\\' && s[j + 1])
					j++;
			if (s[j] != (char)c)
				return -1;
			push(ts, T_STRING, i, j + 1);
			i = j + 1;
		} else if ((lv = long_open(s + i)) >= 0) {
			if ((j = long_skip(s, i, lv)) == 0)
				return -1;
			push(ts, T_STRING, i, j);
			i = j;
		} else if (isalpha(c) || c == '_') {
			for (j = i; isalnum((unsigned char)s[j]) || s[j] == '_';
			    j++)
				;
			push(ts, T_NAME, i, j);
			i = j;
		} else if (isdigit(c) || (c == '.' &&
		    isdigit((unsigned char)s[i + 1]))) {
			for (j = i; isalnum((unsigned char)s[j]) || s[j] == '.' ||
			    ((s[j] == '+' || s[j] == '-') &&
			    strchr("eEpP", s[j - 1]) != NULL); j++)
				;
			push(ts, T_NUMBER, i, j);
			i = j;
		} else {
			/* two-character operators first, so "==" is not "=" */
			static const char *const two[] = { "==", "~=", "<=", ">=",
			    "..", "::", "//", "<<", ">>" };
			size_t k, len = 1;
			for (k = 0; k < sizeof(two) / sizeof(two[0]); k++)
				if (s[i] == two[k][0] && s[i + 1] == two[k][1])
					len = 2;
			push(ts, T_PUNCT, i, i + len);
			i += len;
		}
	}
	return 0;
}

static int is_punct(const char *s, const struct tok *t, char c)
{
	return t->kind == T_PUNCT && t->end - t->start == 1 && s[t->start] == c;
}

static int is_name(const char *s, const struct tok *t, const char *name)
{
	size_t n = strlen(name);

	return t->kind == T_NAME && t->end - t->start == n &&
	    memcmp(s + t->start, name, n) == 0;
}

/* The token matching the opening bracket at i, or -1. */
static int match(const char *s, const struct toks *ts, int i)
{
	int depth = 0;

	for (; i < ts->n; i++) {
		const struct tok *t = &ts->t[i];
		if (is_punct(s, t, '{') || is_punct(s, t, '(') ||
		    is_punct(s, t, '['))
			depth++;
		else if (is_punct(s, t, '}') || is_punct(s, t, ')') ||
		    is_punct(s, t, ']'))
			if (--depth == 0)
				return i;
	}
	return -1;
}

int srcedit_calls(const char *text, const char *fname,
    struct srcedit_call *out, int max)
{
	struct toks ts;
	int i, n = 0;

	if (lex(text, &ts) != 0)
		return -1;
	for (i = 0; i + 1 < ts.n && n < max; i++) {
		const struct tok *t = &ts.t[i];
		int open, close, end;

		if (!is_name(text, t, fname))
			continue;
		if (i > 0 && (is_punct(text, &ts.t[i - 1], '.') ||
		    is_punct(text, &ts.t[i - 1], ':') ||
		    is_name(text, &ts.t[i - 1], "function")))
			continue;
		open = i + 1;
		if (is_punct(text, &ts.t[open], '(') && open + 1 < ts.n &&
		    is_punct(text, &ts.t[open + 1], '{'))
			open++;
		if (!is_punct(text, &ts.t[open], '{'))
			continue;
		if ((close = match(text, &ts, open)) < 0)
			continue;
		end = close;
		if (open == i + 2) {
			end = match(text, &ts, i + 1);
			if (end < 0)
				continue;
		}
		out[n].start = t->start;
		out[n].end = ts.t[end].end;
		out[n].open = ts.t[open].start;
		out[n].close = ts.t[close].start;
		n++;
		i = end;
	}
	free(ts.t);
	return n;
}

int srcedit_field(const char *text, const struct srcedit_call *c,
    const char *key, struct srcedit_span *val)
{
	struct toks ts;
	int i, depth = 0, found = 0;

	if (lex(text, &ts) != 0)
		return 0;
	for (i = 0; i < ts.n && ts.t[i].start <= c->open; i++)
		;
	/* i: the first token inside the table */
	for (; i < ts.n && ts.t[i].start < c->close; i++) {
		const struct tok *t = &ts.t[i];

		if (is_punct(text, t, '{') || is_punct(text, t, '(') ||
		    is_punct(text, t, '[')) {
			depth++;
			continue;
		}
		if (is_punct(text, t, '}') || is_punct(text, t, ')') ||
		    is_punct(text, t, ']')) {
			depth--;
			continue;
		}
		if (depth == 0 && is_name(text, t, key) && i + 2 < ts.n &&
		    is_punct(text, &ts.t[i + 1], '=') &&
		    (i == 0 || is_punct(text, &ts.t[i - 1], '{') ||
		    is_punct(text, &ts.t[i - 1], ',') ||
		    is_punct(text, &ts.t[i - 1], ';'))) {
			int j = i + 2, d = 0;
			val->start = ts.t[j].start;
			for (; j < ts.n && ts.t[j].start < c->close; j++) {
				const struct tok *v = &ts.t[j];
				if (d == 0 && (is_punct(text, v, ',') ||
				    is_punct(text, v, ';')))
					break;
				if (is_punct(text, v, '{') ||
				    is_punct(text, v, '(') ||
				    is_punct(text, v, '['))
					d++;
				else if (is_punct(text, v, '}') ||
				    is_punct(text, v, ')') ||
				    is_punct(text, v, ']'))
					d--;
				val->end = v->end;
			}
			found = 1;
			break;
		}
	}
	free(ts.t);
	return found;
}

int srcedit_method_args(const char *text, const char *method,
    struct srcedit_span *out, int max)
{
	struct toks ts;
	int i, n = 0;

	if (lex(text, &ts) != 0)
		return -1;
	for (i = 1; i + 2 < ts.n && n < max; i++) {
		if (!is_name(text, &ts.t[i], method) ||
		    !is_punct(text, &ts.t[i - 1], ':') ||
		    !is_punct(text, &ts.t[i + 1], '('))
			continue;
		out[n].start = ts.t[i + 2].start;
		out[n].end = ts.t[i + 2].end;
		n++;
	}
	free(ts.t);
	return n;
}

int srcedit_literal(const char *text, const struct srcedit_span *v,
    char *out, size_t len)
{
	size_t n = v->end - v->start;
	const char *p = text + v->start;
	size_t k;

	if (n == 0 || n >= len + 2)
		return -1;
	if (p[0] == '"' || p[0] == '\'') {
		if (n < 2 || p[n - 1] != p[0])
			return -1;
		for (k = 1; k + 1 < n; k++)
			if (p[k] == '\\' || p[k] == p[0])
				return -1;
		memcpy(out, p + 1, n - 2);
		out[n - 2] = 0;
		return 0;
	}
	if (n >= len)
		return -1;
	for (k = 0; k < n; k++)
		if (!isalnum((unsigned char)p[k]) && p[k] != '.')
			return -1;
	if (!isdigit((unsigned char)p[0]) && p[0] != '.')
		return -1;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

char *srcedit_replace(const char *text, size_t s, size_t e,
    const char *with)
{
	size_t tl = strlen(text), wl = strlen(with);
	char *out;

	out = xmalloc(tl - (e - s) + wl + 1);
	memcpy(out, text, s);
	memcpy(out + s, with, wl);
	memcpy(out + s + wl, text + e, tl - e + 1);
	return out;
}
