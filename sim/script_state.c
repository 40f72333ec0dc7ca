/*
 * script_state: the state one scenario's script modules share, its
 * one-line errors, and the strict readers of Lua values (see
 * script_state.h).
 */
#include "script_state.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "units.h"

#define WHAT_LEN		480	/* the part after "path:line: " */

struct script *script_of(lua_State *L)
{
	void *ud;

	(void)lua_getallocf(L, &ud);
	return ud;
}

/* The line of the innermost Lua frame at `level` or above; 0: none. */
int script_line(lua_State *L, int level)
{
	lua_Debug ar;

	for (; lua_getstack(L, level, &ar); level++)
		if (lua_getinfo(L, "l", &ar) && ar.currentline > 0)
			return ar.currentline;
	return 0;
}

/* From a C function: the scenario line that called it. */
int script_caller_line(lua_State *L)
{
	return script_line(L, 1);
}

void script_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

/* Raise "path:line: what" (or "path: what" when no line is known). */
_Noreturn void script_raisef(lua_State *L, int line, const char *fmt, ...)
{
	struct script *s = script_of(L);
	char msg[WHAT_LEN], full[SCRIPT_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", s->path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", s->path, msg);
	script_one_line(full);
	if (s->in_api && s->loading && s->load_err[0] == '\0')
		memcpy(s->load_err, full, sizeof(full));
	lua_pushstring(L, full);
	lua_error(L);
	abort();	/* lua_error() does not return */
}

/* If msg starts with "prefix:<digits>:", the part after prefix. */
static const char *after_position(const char *msg, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;

	if (n == 0 || strncmp(msg, prefix, n) != 0 || msg[n] != ':')
		return NULL;
	p = msg + n + 1;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ':' ? msg + n : NULL;
}

/*
 * The one-line message for an error that ended thread `T` with
 * `status`, its error object on top.  T's stack was not unwound (a dead
 * coroutine keeps it), so the failing line can still be found.
 */
void script_format_error(struct script *s, lua_State *T, int status,
    char *err, size_t errlen)
{
	char pos[sizeof(s->path) + 16];
	const char *msg = NULL, *rest;
	int line;

	if (errlen == 0)
		return;
	if (s->budget_hit) {
		snprintf(err, errlen, "%s", s->budget_msg);
		return;
	}
	line = script_line(T, 0);
	if (line > 0)
		snprintf(pos, sizeof(pos), "%s:%d", s->path, line);
	else
		snprintf(pos, sizeof(pos), "%s", s->path);
	if (lua_gettop(T) > 0 && lua_type(T, -1) == LUA_TSTRING)
		msg = lua_tostring(T, -1);

	if (status == LUA_ERRMEM ||
	    (s->mem_hit && msg != NULL && strstr(msg, "not enough memory")))
		snprintf(err, errlen, "%s: Lua memory limit exceeded (%zu "
		    "bytes)", pos, s->limit);
	else if (msg == NULL)
		snprintf(err, errlen, "%s: (error object is a %s value)", pos,
		    lua_gettop(T) > 0 ? luaL_typename(T, -1) : "no");
	else if ((rest = after_position(msg, s->path)) != NULL ||
	    (rest = after_position(msg, s->short_src)) != NULL)
		/* Lua may have shortened a long path to ".../tail" */
		snprintf(err, errlen, "%s%s", s->path, rest);
	else
		snprintf(err, errlen, "%s: %s", pos, msg);
	script_one_line(err);
}

/* ---------------------------------------------------------------------
 * Reading values: sizes, times, rates, bandwidths, integers, strings.
 */

const struct script_real_kind script_kind_time = { "time", units_time };
const struct script_real_kind script_kind_rate = { "rate", units_rate };
const struct script_real_kind script_kind_bw = { "bandwidth", units_bandwidth };

/* "got ..." for a message: a number's value, otherwise its type. */
void script_describe(lua_State *L, int idx, char *buf, size_t len)
{
	if (lua_type(L, idx) == LUA_TNUMBER && lua_isinteger(L, idx))
		snprintf(buf, len, LUA_INTEGER_FMT, lua_tointeger(L, idx));
	else if (lua_type(L, idx) == LUA_TNUMBER)
		snprintf(buf, len, "%.14g", (double)lua_tonumber(L, idx));
	else
		snprintf(buf, len, "%s", luaL_typename(L, idx));
}

uint64_t script_to_size(lua_State *L, int idx, int line, const char *key)
{
	char uerr[160], got[64];
	uint64_t v;
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		if (units_size(lua_tostring(L, idx), &v, uerr,
		    sizeof(uerr)) != 0)
			script_raisef(L, line, "%s: %s", key, uerr);
		return v;
	case LUA_TNUMBER:
		script_describe(L, idx, got, sizeof(got));
		if (lua_isinteger(L, idx)) {
			if (lua_tointeger(L, idx) < 0)
				script_raisef(L, line,
				    "%s: sizes cannot be negative, got %s", key,
				    got);
			return (uint64_t)lua_tointeger(L, idx);
		}
		d = lua_tonumber(L, idx);
		if (isnan(d))
			script_raisef(L, line, "%s: expected a size, got %s",
			    key, got);
		if (d < 0)
			script_raisef(L, line, "%s: sizes cannot be negative, "
			    "got %s", key, got);
		if (d >= 18446744073709551616.0)
			script_raisef(L, line, "%s: size %s is too large", key,
			    got);
		if (d != floor(d))
			script_raisef(L, line, "%s: %s is not a whole number "
			    "of bytes", key, got);
		return (uint64_t)d;
	default:
		script_raisef(L, line, "%s: expected a size string or number, "
		    "got %s", key, luaL_typename(L, idx));
	}
}

double script_to_real(lua_State *L, int idx, int line, const char *key,
    const struct script_real_kind *k)
{
	char uerr[160], got[64];
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		if (k->parse(lua_tostring(L, idx), &d, uerr, sizeof(uerr)) != 0)
			script_raisef(L, line, "%s: %s", key, uerr);
		return d;
	case LUA_TNUMBER:
		d = lua_tonumber(L, idx);
		script_describe(L, idx, got, sizeof(got));
		if (!isfinite(d))
			script_raisef(L, line, "%s: expected a finite %s, got "
			    "%s", key, k->what, got);
		if (d < 0)
			script_raisef(L, line, "%s: %ss cannot be negative, "
			    "got %s", key, k->what, got);
		return d;
	default:
		script_raisef(L, line, "%s: expected a %s string or number, "
		    "got %s", key, k->what, luaL_typename(L, idx));
	}
}

lua_Integer script_to_integer(lua_State *L, int idx, int line,
    const char *key, lua_Integer min, lua_Integer max)
{
	char want[96], got[64];
	lua_Integer v = 0;
	int isint = 0;

	if (lua_type(L, idx) == LUA_TNUMBER)
		v = lua_tointegerx(L, idx, &isint);
	if (isint && v >= min && v <= max)
		return v;
	if (max >= INT_MAX && isint && v > max)
		snprintf(want, sizeof(want), "an integer no larger than "
		    LUA_INTEGER_FMT, max);
	else if (max >= INT_MAX && min == 0)
		snprintf(want, sizeof(want), "a non-negative integer");
	else if (max >= INT_MAX && min == 1)
		snprintf(want, sizeof(want), "a positive integer");
	else if (max >= INT_MAX)
		snprintf(want, sizeof(want), "an integer >= " LUA_INTEGER_FMT,
		    min);
	else
		snprintf(want, sizeof(want), "an integer from " LUA_INTEGER_FMT
		    " to " LUA_INTEGER_FMT, min, max);
	script_describe(L, idx, got, sizeof(got));
	script_raisef(L, line, "%s: expected %s, got %s", key, want, got);
}

int script_to_bool(lua_State *L, int idx, int line, const char *key)
{
	if (lua_type(L, idx) != LUA_TBOOLEAN)
		script_raisef(L, line, "%s: expected a boolean, got %s", key,
		    luaL_typename(L, idx));
	return lua_toboolean(L, idx);
}

/* A non-empty string that fits a CFG_NAME_LEN buffer. */
void script_to_name(lua_State *L, int idx, int line, const char *key,
    char *out, size_t len)
{
	const char *v;
	size_t n, i;

	if (lua_type(L, idx) != LUA_TSTRING)
		script_raisef(L, line, "%s: expected a string, got %s", key,
		    luaL_typename(L, idx));
	v = lua_tolstring(L, idx, &n);
	if (n == 0)
		script_raisef(L, line, "%s: must not be empty", key);
	if (n >= len || strlen(v) != n)
		script_raisef(L, line, "%s: '%.32s...' is longer than %zu "
		    "bytes", key, v, len - 1);
	/* names end up in one-line messages, summaries and SQLite */
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			script_raisef(L, line, "%s: control character \\x%02x "
			    "in a name", key, (unsigned char)v[i]);
	memcpy(out, v, n + 1);
}

int script_field(const struct script_tbl *t, const char *key)
{
	if (lua_getfield(t->L, t->idx, key) != LUA_TNIL)
		return 1;
	lua_pop(t->L, 1);
	return 0;
}

void script_opt_size(const struct script_tbl *t, const char *key,
    uint64_t *out)
{
	if (script_field(t, key)) {
		*out = script_to_size(t->L, -1, t->line, key);
		lua_pop(t->L, 1);
	}
}

void script_opt_real(const struct script_tbl *t, const char *key,
    const struct script_real_kind *k, double *out)
{
	if (script_field(t, key)) {
		*out = script_to_real(t->L, -1, t->line, key, k);
		lua_pop(t->L, 1);
	}
}

void script_opt_long(const struct script_tbl *t, const char *key,
    lua_Integer min, lua_Integer max, long *out)
{
	if (script_field(t, key)) {
		*out = (long)script_to_integer(t->L, -1, t->line, key, min,
		    max);
		lua_pop(t->L, 1);
	}
}

void script_opt_int(const struct script_tbl *t, const char *key, int min,
    int max, int *out)
{
	if (script_field(t, key)) {
		*out = (int)script_to_integer(t->L, -1, t->line, key, min,
		    max);
		lua_pop(t->L, 1);
	}
}

void script_opt_bool(const struct script_tbl *t, const char *key, int *out)
{
	if (script_field(t, key)) {
		*out = script_to_bool(t->L, -1, t->line, key);
		lua_pop(t->L, 1);
	}
}

int script_opt_name(const struct script_tbl *t, const char *key, char *out,
    size_t len)
{
	if (!script_field(t, key))
		return 0;
	script_to_name(t->L, -1, t->line, key, out, len);
	lua_pop(t->L, 1);
	return 1;
}

/* ---------------------------------------------------------------------
 * Unknown keys, reported deterministically.
 */

static int in_list(const char *const *list, const char *k)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, k) == 0)
			return 1;
	return 0;
}

void script_key_name(lua_State *L, int idx, char *buf, size_t len)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		snprintf(buf, len, "%s", lua_tostring(L, idx));
		break;
	case LUA_TNUMBER:
		script_describe(L, idx, buf, len);
		break;
	case LUA_TBOOLEAN:
		snprintf(buf, len, "%s", lua_toboolean(L, idx) ? "true" :
		    "false");
		break;
	default:
		snprintf(buf, len, "(%s)", luaL_typename(L, idx));
		break;
	}
}

static int key_allowed(lua_State *L, const struct script_keycheck *kc)
{
	lua_Integer i;

	if (lua_type(L, -1) == LUA_TSTRING) {
		const char *k = lua_tostring(L, -1);

		return in_list(kc->known, k) ||
		    (kc->extra != NULL && kc->extra(k, kc->ctx));
	}
	if (lua_isinteger(L, -1)) {
		i = lua_tointeger(L, -1);
		return i >= 1 && i <= kc->array_len;
	}
	return 0;
}

void script_check_keys(lua_State *L, int idx, int line,
    const struct script_keycheck *kc, const char *what)
{
	char worst[128] = "", name[128];
	int found = 0;

	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (key_allowed(L, kc))
			continue;
		script_key_name(L, -1, name, sizeof(name));
		if (!found || strcmp(name, worst) < 0)
			memcpy(worst, name, sizeof(worst));
		found = 1;
	}
	if (found)
		script_raisef(L, line, "unknown option '%s' in %s", worst,
		    what);
}

void script_check_known(lua_State *L, int idx, int line,
    const char *const *known, const char *what)
{
	struct script_keycheck kc = { known, 0, NULL, NULL };

	script_check_keys(L, idx, line, &kc, what);
}
