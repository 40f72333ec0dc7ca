/*
 * explain_json: see explain_json.h.
 *
 * The text form leaves out idle device threads; JSON is for scripts and
 * keeps every wait row as stored.  Counters are an array of
 * {name, value} because a run may record one name twice (at the
 * deadlock and at the end).  The run's parameters are stored as a JSON
 * object and are written as one when they parse as JSON, as a string
 * otherwise (a database written by something else), so the output is
 * always valid JSON.
 */
#define _POSIX_C_SOURCE 200809L
#include "explain_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signature.h"
#include "table.h"

#define LAST_EVENTS 20

/* ---------------------------------------------------------------------
 * A JSON syntax check: recursive descent over RFC 8259's grammar.
 */

#define JSON_MAX_DEPTH 64

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *j_string(const char *p)
{
	int i;

	for (p++; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;		/* controls, and the end */
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (i = 1; i <= 4; i++)
				if (strchr("0123456789abcdefABCDEF", p[i]) ==
				    NULL || p[i] == '\0')
					return NULL;
			p += 4;
		} else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *j_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		while (is_digit(*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (!is_digit(*++p))
			return NULL;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return NULL;
		while (is_digit(*p))
			p++;
	}
	return p;
}

static const char *j_value(const char *p, int depth);

/* An object or array from its opening bracket. */
static const char *j_members(const char *p, int depth, char close)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (*p != '"' || (p = j_string(p)) == NULL)
				return NULL;
			if (*(p = ws(p)) != ':')
				return NULL;
			p = ws(p + 1);
		}
		if ((p = j_value(p, depth + 1)) == NULL)
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
}

static const char *j_value(const char *p, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{':
		return j_members(p, depth, '}');
	case '[':
		return j_members(p, depth, ']');
	case '"':
		return j_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return j_number(p);
	}
}

int explain_json_valid(const char *s)
{
	const char *p = j_value(ws(s), 0);

	return p != NULL && *ws(p) == '\0';
}

/* ---------------------------------------------------------------------
 * The object.
 */

static void key(FILE *f, const char *k)
{
	fputs(",\n  ", f);
	table_json_string(f, k);
	fputs(": ", f);
}

static void str_or_null(FILE *f, const char *s)
{
	if (s[0] != '\0')
		table_json_string(f, s);
	else
		fputs("null", f);
}

/* A time as a JSON number: 15 digits print 0.1 as 0.1, not 0.1000...1 */
static void num(FILE *f, double v)
{
	fprintf(f, "%.15g", v);
}

struct list {
	FILE *f;
	int n;
};

static void item(struct list *l)
{
	fputs(l->n++ > 0 ? ",\n    " : "\n    ", l->f);
}

static int json_wait(void *ctx, const struct wait_row *w)
{
	struct list *l = ctx;

	item(l);
	fputs("{\"thread\": ", l->f);
	table_json_string(l->f, w->thread);
	fputs(", \"channel\": ", l->f);
	table_json_string(l->f, w->channel);
	fputs(", \"since\": ", l->f);
	if (strcmp(w->channel, "running") == 0)
		fputs("null", l->f);
	else
		num(l->f, w->since);
	fputs(", \"detail\": ", l->f);
	table_json_string(l->f, w->detail);
	fputc('}', l->f);
	return 0;
}

static int json_counter(void *ctx, const char *name, int64_t v)
{
	struct list *l = ctx;

	item(l);
	fputs("{\"name\": ", l->f);
	table_json_string(l->f, name);
	fprintf(l->f, ", \"value\": %lld}", (long long)v);
	return 0;
}

static int json_event(void *ctx, const struct event_row *e)
{
	struct list *l = ctx;

	item(l);
	fputs("{\"t\": ", l->f);
	num(l->f, e->t);
	fputs(", \"kind\": ", l->f);
	table_json_string(l->f, e->kind);
	fputs(", \"thread\": ", l->f);
	table_json_string(l->f, e->thread);
	fputs(", \"detail\": ", l->f);
	table_json_string(l->f, e->detail);
	fputc('}', l->f);
	return 0;
}

static void head(FILE *f, int64_t id, const struct run_row *r)
{
	fprintf(f, "{\n  \"run\": %lld", (long long)id);
	key(f, "scenario");
	table_json_string(f, r->scenario);
	key(f, "scenario_sha256");
	table_json_string(f, r->scenario_sha256);
	key(f, "allocator");
	table_json_string(f, r->allocator);
	key(f, "reserve_n");
	if (r->reserve_n >= 0)
		fprintf(f, "%ld", r->reserve_n);
	else
		fputs("null", f);
	key(f, "seed");
	fprintf(f, "%llu", (unsigned long long)r->seed);
	key(f, "params");
	if (explain_json_valid(r->params))
		fputs(r->params, f);
	else
		table_json_string(f, r->params);
	key(f, "outcome");
	table_json_string(f, outcome_name(r->outcome));
	key(f, "deadlock_kind");
	str_or_null(f, r->deadlock_kind);
	key(f, "end_time");
	num(f, r->end_time);
	key(f, "deadlock_time");
	if (r->deadlock_time >= 0)
		num(f, r->deadlock_time);
	else
		fputs("null", f);
	key(f, "message");
	str_or_null(f, r->message);
	key(f, "still_running");
	str_or_null(f, r->still_running);
	key(f, "rerun");
	fprintf(f, "%lld", (long long)r->rerun);
}

/* One list: its key, then the rows the store hands over. */
static void list(FILE *f, const char *name, struct list *l)
{
	key(f, name);
	fputc('[', f);
	l->f = f;
	l->n = 0;
}

static void list_end(struct list *l)
{
	fputs(l->n > 0 ? "\n  ]" : "]", l->f);
}

static int object(struct store *st, int64_t id, const struct run_row *row,
    FILE *f, char *err, size_t errlen)
{
	char choices[CHOICE_TEXT_LEN] = "", sig[RES_SIGNATURE_LEN] = "";
	char hash[SIGNATURE_HASH_LEN];
	struct list l;
	int rc;

	head(f, id, row);
	list(f, "threads", &l);
	rc = store_run_waits(st, id, json_wait, &l, err, errlen);
	list_end(&l);
	if (rc == 0) {
		list(f, "counters", &l);
		rc = store_run_counters(st, id, json_counter, &l, err, errlen);
		list_end(&l);
	}
	if (rc == 0) {
		list(f, "last_events", &l);
		rc = store_run_events_last(st, id, LAST_EVENTS, json_event, &l,
		    err, errlen);
		list_end(&l);
	}
	if (rc < 0)
		return -1;
	if (store_run_signature(st, id, choices, sizeof(choices), sig,
	    sizeof(sig)) <= 0)
		choices[0] = sig[0] = '\0';
	key(f, "signature");
	str_or_null(f, sig);
	key(f, "signature_hash");
	if (sig[0]) {
		signature_hash(sig, hash);
		table_json_string(f, hash);
	} else {
		fputs("null", f);
	}
	key(f, "choices");
	str_or_null(f, choices);
	fputs("\n}\n", f);
	return 0;
}

/* Built in memory first, so a database error prints no half object. */
int explain_json(struct store *st, int64_t id, const struct run_row *row,
    FILE *f, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (m == NULL) {
		snprintf(err, errlen, "cannot build the JSON: %s",
		    strerror(errno));
		return -1;
	}
	rc = object(st, id, row, m, err, errlen);
	if (fclose(m) != 0 && rc == 0) {
		snprintf(err, errlen, "cannot build the JSON: %s",
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0 && (fwrite(buf, 1, len, f) != len || fflush(f) != 0)) {
		snprintf(err, errlen, "cannot write the JSON: %s",
		    strerror(errno));
		rc = -1;
	}
	free(buf);
	return rc;
}
