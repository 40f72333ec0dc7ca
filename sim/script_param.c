/*
 * script_param: param(), the values a run is given (-p name=value, or
 * the scenario's default, recorded in the run's params either way), and
 * sweep{}, a sweep's default grid (an axis given on the command line
 * replaces the scenario's).
 */
#include "script_param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "script_config.h"
#include "script_state.h"

/* Store the value param() returned, keeping cfg->params sorted by name. */
static void record_param(lua_State *L, int line, struct config *cfg,
    const char *name)
{
	char value[CFG_NAME_LEN];
	const char *v;
	size_t n;
	int i, j;

	switch (lua_type(L, -1)) {
	case LUA_TNUMBER:
		snprintf(value, sizeof(value), "%.14g",
		    (double)lua_tonumber(L, -1));
		break;
	case LUA_TBOOLEAN:
		snprintf(value, sizeof(value), "%s",
		    lua_toboolean(L, -1) ? "true" : "false");
		break;
	default:
		v = lua_tolstring(L, -1, &n);
		if (n >= sizeof(value) || strlen(v) != n)
			script_raisef(L, line, "param '%s': value is longer "
			    "than %zu bytes", name, sizeof(value) - 1);
		memcpy(value, v, n + 1);
		break;
	}
	for (i = 0; i < cfg->nparams; i++) {
		int c = strcmp(cfg->params[i].name, name);

		if (c == 0)
			return;		/* read before: keep the first value */
		if (c > 0)
			break;
	}
	if (cfg->nparams == CFG_MAX_PARAMS)
		script_raisef(L, line, "too many parameters (max %d)",
		    CFG_MAX_PARAMS);
	for (j = cfg->nparams; j > i; j--)
		cfg->params[j] = cfg->params[j - 1];
	memset(&cfg->params[i], 0, sizeof(cfg->params[i]));
	memcpy(cfg->params[i].name, name, strlen(name) + 1);
	memcpy(cfg->params[i].value, value, strlen(value) + 1);
	cfg->params[i].used = 1;
	cfg->nparams++;
}

/* Convert a -p value to the type of param()'s default and push it. */
static void push_given(lua_State *L, int line, const char *name,
    const char *value)
{
	switch (lua_type(L, 2)) {
	case LUA_TNUMBER:
		if (lua_stringtonumber(L, value) == 0)
			script_raisef(L, line, "param '%s': expected a number, "
			    "got '%s'", name, value);
		if (!isfinite(lua_tonumber(L, -1)))
			script_raisef(L, line, "param '%s': expected a finite "
			    "number, got '%s'", name, value);
		break;
	case LUA_TBOOLEAN:
		if (strcmp(value, "true") == 0)
			lua_pushboolean(L, 1);
		else if (strcmp(value, "false") == 0)
			lua_pushboolean(L, 0);
		else
			script_raisef(L, line, "param '%s': expected true or "
			    "false, got '%s'", name, value);
		break;
	default:
		lua_pushstring(L, value);
		break;
	}
}

static int l_param(lua_State *L)
{
	struct script *s = script_of(L);
	char name[CFG_NAME_LEN];
	const char *value = NULL;
	int line = script_caller_line(L), i, t;

	if (!s->loading)
		script_raisef(L, line, "param() can only be used while the "
		    "scenario loads");
	s->in_api = 1;
	script_to_name(L, 1, line, "param name", name, sizeof(name));
	t = lua_type(L, 2);
	if (t != LUA_TNUMBER && t != LUA_TBOOLEAN && t != LUA_TSTRING)
		script_raisef(L, line, "param '%s': the default must be a "
		    "number, boolean or string, got %s", name, luaL_typename(L,
		    2));
	lua_settop(L, 2);
	for (i = 0; i < s->nparams; i++) {
		if (strcmp(s->params[i].name, name) != 0)
			continue;
		if (value == NULL)
			value = s->params[i].value;
		s->params[i].used = 1;
	}
	if (value != NULL)
		push_given(L, line, name, value);
	else
		lua_pushvalue(L, 2);
	record_param(L, line, s->cfg, name);
	s->in_api = 0;
	return 1;
}

/*
 * sweep { name = values, ... }: the default grid of `memsim sweep`.
 * Values stay raw text ("0..8", "a,b" or a list joined with commas);
 * sim/sweep.c parses them like `-p name=...`, so both read the same.
 */
struct axis_names {
	char name[CFG_MAX_SWEEP][CFG_NAME_LEN];
	int n, overflow;
};

static int record_axis(const char *key, void *ctx)
{
	struct axis_names *an = ctx;

	if (strlen(key) == 0 || strlen(key) >= CFG_NAME_LEN)
		return 0;
	if (an->n == CFG_MAX_SWEEP)
		an->overflow = 1;
	else
		memcpy(an->name[an->n++], key, strlen(key) + 1);
	return 1;
}

/* One list item or a whole value: a string or a number, as text. */
static void axis_item(lua_State *L, int line, const char *name, char *buf,
    size_t len)
{
	const char *v;

	if (lua_type(L, -1) == LUA_TNUMBER) {
		script_describe(L, -1, buf, len);
		return;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		script_raisef(L, line, "sweep: %s: expected a string, a number "
		    "or a list of them, got %s", name, luaL_typename(L, -1));
	v = lua_tostring(L, -1);
	if (strlen(v) >= len)
		script_raisef(L, line, "sweep: %s: value is longer than %zu "
		    "bytes", name, len - 1);
	snprintf(buf, len, "%s", v);
}

/* A list { "a", "b" } becomes "a,b"; items must not hold commas. */
static void axis_list(lua_State *L, int line, const char *name, char *out,
    size_t len)
{
	struct script_keycheck kc = { NULL, 0, NULL, NULL };
	char item[CFG_SWEEP_LEN];
	size_t used = 0;
	lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);

	kc.array_len = n;
	script_check_keys(L, -1, line, &kc, "sweep");
	if (n == 0)
		script_raisef(L, line, "sweep: %s: empty list", name);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		axis_item(L, line, name, item, sizeof(item));
		lua_pop(L, 1);
		if (strchr(item, ',') != NULL)
			script_raisef(L, line, "sweep: %s: list item '%s' "
			    "holds a comma", name, item);
		if (used + strlen(item) + 2 > len)
			script_raisef(L, line, "sweep: %s: list is longer than "
			    "%zu bytes", name, len - 1);
		used += (size_t)snprintf(out + used, len - used, "%s%s",
		    i > 1 ? "," : "", item);
	}
}

static int l_sweep(lua_State *L)
{
	struct axis_names an;
	struct script_keycheck kc;
	struct script *s;
	struct sweep_axis *a;
	int line, i;

	s = script_config_enter(L, "sweep", &line);
	script_config_once(L, line, &s->sweep_line, "sweep");
	an.n = an.overflow = 0;
	kc = (struct script_keycheck){ NULL, 0, record_axis, &an };
	script_check_keys(L, 1, line, &kc, "sweep");
	if (an.overflow)
		script_raisef(L, line, "sweep: too many axes (max %d)",
		    CFG_MAX_SWEEP);
	qsort(an.name, (size_t)an.n, sizeof(an.name[0]), script_config_cmp_name);
	for (i = 0; i < an.n; i++) {
		a = &s->cfg->sweep[i];
		memcpy(a->name, an.name[i], CFG_NAME_LEN);
		lua_getfield(L, 1, a->name);
		if (lua_type(L, -1) == LUA_TTABLE)
			axis_list(L, line, a->name, a->values,
			    sizeof(a->values));
		else
			axis_item(L, line, a->name, a->values,
			    sizeof(a->values));
		lua_pop(L, 1);
	}
	s->cfg->nsweep = an.n;
	s->cfg->sweep_line = line;
	s->in_api = 0;
	return 0;
}

static const luaL_Reg param_funcs[] = {
	{ "param", l_param },
	{ "sweep", l_sweep },
	{ NULL, NULL },
};

void script_param_register(struct lua_State *L)
{
	luaL_setfuncs(L, param_funcs, 0);
}
