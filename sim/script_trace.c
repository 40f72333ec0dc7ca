/*
 * script_trace: trace() and p:replay().  See script_trace.h.
 *
 * A trace handle is a full userdata holding an open struct mtr_trace
 * (the file's bytes, checked block by block when it was opened).  It is
 * anchored in the registry for the life of the lua_State, so a replay in
 * progress never outlives its trace; __gc closes it with the state.
 */
#include "script_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "mtr.h"
#include "script_proc.h"
#include "script_state.h"
#include "xmalloc.h"

#define TRACE_MT	"memsim.trace"

struct trace_ud {
	struct mtr_trace *t;
	char tag[CFG_NAME_LEN / 2];	/* the file's base name */
	int exec_counted;
	uint64_t exec_refs;		/* instruction fetches, counted once */
};

/* A path under the scenario's directory: relative, no "..". */
static void resolve(lua_State *L, int line, const char *scenario,
    const char *name, char *out, size_t len)
{
	const char *slash = strrchr(scenario, '/'), *p;
	int dirlen = slash != NULL ? (int)(slash - scenario) : 0;
	size_t n;

	if (name[0] == '/')
		script_raisef(L, line, "trace: '%s': an absolute path (traces "
		    "are named relative to the scenario's directory)", name);
	for (p = name; *p != '\0'; p += n) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			script_raisef(L, line, "trace: '%s': '..' leaves the "
			    "scenario's directory", name);
		if (p[n] == '/')
			n++;
	}
	if (slash != NULL)
		n = (size_t)snprintf(out, len, "%.*s/%s", dirlen, scenario,
		    name);
	else
		n = (size_t)snprintf(out, len, "%s", name);
	if (n >= len)
		script_raisef(L, line, "trace: '%s': path too long", name);
}

static int l_trace(lua_State *L)
{
	struct script *s = script_of(L);
	int line = script_caller_line(L);
	char name[512], path[sizeof(((struct mtr_trace *)0)->path)];
	char err[SCRIPT_MSG_LEN];
	struct trace_ud *ud;
	const char *base;

	if (!s->loading)
		script_raisef(L, line, "trace() can only be used while the "
		    "scenario loads");
	s->in_api = 1;
	if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING)
		script_raisef(L, line, "trace: expected one file name, as in "
		    "trace(\"traces/sort.mtr\"), got %s", lua_gettop(L) == 0 ?
		    "nothing" : luaL_typename(L, 1));
	script_to_name(L, 1, line, "trace", name, sizeof(name));
	resolve(L, line, s->path, name, path, sizeof(path));
	ud = lua_newuserdatauv(L, sizeof(*ud), 0);
	memset(ud, 0, sizeof(*ud));
	luaL_setmetatable(L, TRACE_MT);
	ud->t = xcalloc(1, sizeof(*ud->t));
	if (mtr_open(path, ud->t, err, sizeof(err)) != 0) {
		free(ud->t);
		ud->t = NULL;
		script_raisef(L, line, "trace: %s", err);
	}
	base = strrchr(name, '/');
	snprintf(ud->tag, sizeof(ud->tag), "%s", base != NULL ? base + 1 :
	    name);
	lua_pushvalue(L, -1);
	(void)luaL_ref(L, LUA_REGISTRYINDEX);
	s->in_api = 0;
	return 1;
}

static int trace_gc(lua_State *L)
{
	struct trace_ud *ud = luaL_checkudata(L, 1, TRACE_MT);

	if (ud->t != NULL) {
		mtr_close(ud->t);
		free(ud->t);
		ud->t = NULL;
	}
	return 0;
}

/* t.references, t.records, t.pages (all mappings), t.mappings (count). */
static int trace_index(lua_State *L)
{
	struct trace_ud *ud = luaL_checkudata(L, 1, TRACE_MT);
	const char *k = lua_tostring(L, 2);
	uint64_t pages = 0;
	char name[128];
	int i;

	if (k != NULL && ud->t != NULL) {
		if (strcmp(k, "references") == 0) {
			lua_pushinteger(L, (lua_Integer)ud->t->nrefs);
			return 1;
		}
		if (strcmp(k, "records") == 0) {
			lua_pushinteger(L, (lua_Integer)ud->t->nrecords);
			return 1;
		}
		if (strcmp(k, "mappings") == 0) {
			lua_pushinteger(L, ud->t->nmaps);
			return 1;
		}
		if (strcmp(k, "pages") == 0) {
			for (i = 0; i < ud->t->nmaps; i++)
				pages += ud->t->maps[i].npages;
			lua_pushinteger(L, (lua_Integer)pages);
			return 1;
		}
	}
	script_key_name(L, 2, name, sizeof(name));
	script_raisef(L, script_caller_line(L), "unknown trace field '%s'",
	    name);
}

/* Instruction fetches in the whole trace: what `speed` turns into time. */
static uint64_t exec_refs(struct trace_ud *ud)
{
	struct mtr_cursor c;
	struct mtr_rec r;
	char err[16];
	int rc;

	if (ud->exec_counted)
		return ud->exec_refs;
	mtr_cursor_init(&c, ud->t);
	while (mtr_cursor_load(&c, err, sizeof(err)) == 1)
		while ((rc = mtr_cursor_next(&c, &r)) == 1)
			if (r.op == MTR_EXEC)
				ud->exec_refs += r.count;
	mtr_cursor_fini(&c);
	ud->exec_counted = 1;
	return ud->exec_refs;
}

static const char *const replay_keys[] = {
	"cost", "loop", "mapping", "scale", "scale_by", "speed", NULL,
};

static void replay_mapping(lua_State *L, int line, struct replay_req *q)
{
	const char *v;
	int file;

	if (lua_type(L, -1) == LUA_TSTRING) {
		v = lua_tostring(L, -1);
		if (strcmp(v, "each") == 0)
			q->layout = REPLAY_EACH;
		else if (strcmp(v, "one") == 0)
			q->layout = REPLAY_ONE;
		else
			script_raisef(L, line, "replay: mapping '%s': expected "
			    "\"each\", \"one\" or a region from p:mmap()", v);
		return;
	}
	q->layout = REPLAY_REGION;
	q->region = script_proc_region(L, lua_gettop(L), line,
	    "replay: mapping", &file);
	if (file)
		script_raisef(L, line, "replay: mapping: region %d is a "
		    "read-only file mapping", q->region);
}

static void replay_opts(lua_State *L, int line, struct trace_ud *ud,
    struct replay_req *q)
{
	struct script_tbl t = { L, 3, line };
	const char *v;
	long loop = 1;

	if (lua_type(L, 3) != LUA_TTABLE)
		script_raisef(L, line, "replay: options must be a table, got %s",
		    luaL_typename(L, 3));
	script_check_known(L, 3, line, replay_keys, "replay");
	if (script_field(&t, "mapping")) {
		replay_mapping(L, line, q);
		lua_pop(L, 1);
	}
	script_opt_long(&t, "loop", 1, LUA_MAXINTEGER, &loop);
	q->loop = loop;
	q->speed = -1;
	script_opt_real(&t, "speed", &script_kind_rate, &q->speed);
	if (q->speed == 0)
		script_raisef(L, line, "replay: speed must be > 0");
	if (q->speed < 0)
		q->speed = 0;
	script_opt_real(&t, "cost", &script_kind_time, &q->cost);
	if (q->speed > 0 && q->cost >= 0)
		script_raisef(L, line, "replay: give speed (instructions per "
		    "second) or cost (time per reference), not both");
	if (q->speed > 0 && exec_refs(ud) == 0)
		script_raisef(L, line, "replay: speed: trace %s has no "
		    "instruction fetches to time (give cost instead)",
		    ud->t->path);
	script_opt_size(&t, "scale", &q->scale_pages);
	if (script_field(&t, "scale")) {
		lua_pop(L, 1);
		q->scale_pages = (q->scale_pages + 4095) / 4096;
		if (q->scale_pages == 0)
			script_raisef(L, line, "replay: scale must be > 0");
	}
	if (script_field(&t, "scale_by")) {
		v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
		if (strcmp(v, "proportional") == 0)
			q->scale_by = REPLAY_PROPORTIONAL;
		else if (strcmp(v, "modulo") == 0)
			q->scale_by = REPLAY_MODULO;
		else
			script_raisef(L, line, "replay: scale_by: expected "
			    "\"proportional\" or \"modulo\"");
		lua_pop(L, 1);
	}
}

int script_trace_replay(lua_State *L)
{
	int line = script_caller_line(L);
	struct script_proc *sp = script_proc_check(L, "replay", line);
	struct trace_ud *ud = luaL_testudata(L, 2, TRACE_MT);
	struct request req;

	if (ud == NULL || ud->t == NULL)
		script_raisef(L, line, "replay: expected a trace from trace(), "
		    "got %s", luaL_typename(L, 2));
	memset(&req, 0, sizeof(req));
	req.kind = REQ_REPLAY;
	req.line = line;
	req.replay.trace = ud->t;
	req.replay.tag = ud->tag;
	req.replay.layout = REPLAY_EACH;
	req.replay.cost = -1;
	req.replay.loop = 1;
	if (!lua_isnoneornil(L, 3))
		replay_opts(L, line, ud, &req.replay);
	return script_proc_yield(L, sp, &req);
}

void script_trace_register(lua_State *L)
{
	luaL_newmetatable(L, TRACE_MT);
	lua_pushcfunction(L, trace_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, trace_gc);
	lua_setfield(L, -2, "__gc");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
	lua_pushcfunction(L, l_trace);
	lua_setfield(L, -2, "trace");
}
