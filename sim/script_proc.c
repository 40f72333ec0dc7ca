/*
 * script_proc: process bodies.  Each instance of a process{} runs its
 * body as a Lua coroutine whose first argument is a process object (a
 * full userdata holding the script_proc pointer; its user value is the
 * table of live regions).  p:mmap(), p:munmap(), p:touch(), p:compute()
 * and p:sleep() validate their arguments, fill a struct request and
 * lua_yield(); the process's simulated thread performs the request in
 * the engine and resumes the coroutine.  Nothing here blocks in the
 * engine (see style.md, "SimGrid").
 */
#include "script_proc.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "script_state.h"
#include "script_trace.h"
#include "xmalloc.h"

#define PROC_MT			"memsim.proc"

/* What regions[handle] holds in a process object's region table. */
#define REGION_ANON		1
#define REGION_FILE		2

struct script_proc {
	struct script *s;
	lua_State *co;
	char name[CFG_NAME_LEN];
	int index;
	int started, done;
	int has_req;			/* the last yield came with a request */
	struct request req;
	struct script_proc *next;
};

/* ---------------------------------------------------------------------
 * Process objects: p:mmap(), p:munmap(), p:touch(), p:compute(),
 * p:sleep(), p.name, p.index.  A full userdata holding the script_proc
 * pointer; its user value is the table of live regions (handle -> kind).
 */

static struct script_proc *check_proc(lua_State *L, const char *method,
    int line)
{
	struct script_proc **pp = luaL_testudata(L, 1, PROC_MT);

	if (pp == NULL)
		script_raisef(L, line, "%s: call it as p:%s(...)", method,
		    method);
	if ((*pp)->co != L)
		script_raisef(L, line, "%s: process '%s' used outside its own "
		    "body", method, (*pp)->name);
	return *pp;
}

static int yield_request(lua_State *L, struct script_proc *sp,
    const struct request *req)
{
	sp->req = *req;
	sp->has_req = 1;
	lua_settop(L, 1);
	return lua_yield(L, 0);
}

/* Continuation of p:mmap(): the handle came back as resume's argument. */
static int mmap_done(lua_State *L, int status, lua_KContext ctx)
{
	lua_Integer r;

	(void)status;
	if (lua_gettop(L) < 2 || !lua_isinteger(L, 2) ||
	    (r = lua_tointeger(L, 2)) < 0 || r > INT_MAX) {
		lua_pushnil(L);		/* the engine refused the mapping */
		return 1;
	}
	lua_getiuservalue(L, 1, 1);
	lua_pushinteger(L, (lua_Integer)ctx);
	lua_rawseti(L, -2, r);
	lua_pushinteger(L, r);
	return 1;
}

static const char *const mmap_keys[] = { "file", NULL };

static int l_mmap(lua_State *L)
{
	int line = script_caller_line(L);
	struct script_proc *sp = check_proc(L, "mmap", line);
	struct request req;
	struct script_tbl t;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_MMAP;
	req.line = line;
	req.bytes = script_to_size(L, 2, line, "mmap");
	if (req.bytes == 0)
		script_raisef(L, line, "mmap: size must be > 0");
	if (!lua_isnoneornil(L, 3)) {
		if (lua_type(L, 3) != LUA_TTABLE)
			script_raisef(L, line, "mmap: options must be a table, "
			    "got %s", luaL_typename(L, 3));
		script_check_known(L, 3, line, mmap_keys, "mmap");
		t = (struct script_tbl){ L, 3, line };
		script_opt_name(&t, "file", req.file, sizeof(req.file));
	}
	sp->req = req;
	sp->has_req = 1;
	lua_settop(L, 1);
	return lua_yieldk(L, 0, req.file[0] != '\0' ? REGION_FILE :
	    REGION_ANON, mmap_done);
}

/* A live region of this process: its handle, and *kind. */
static int region_at(lua_State *L, int idx, int line, const char *method,
    int *kind)
{
	lua_Integer r;
	int isint = 0;

	r = lua_type(L, idx) == LUA_TNUMBER ? lua_tointegerx(L, idx, &isint) :
	    0;
	*kind = 0;
	if (isint && r >= 0 && r <= INT_MAX) {
		lua_getiuservalue(L, 1, 1);
		lua_rawgeti(L, -1, r);
		*kind = (int)lua_tointeger(L, -1);
		lua_pop(L, 2);
	}
	if (*kind == 0)
		script_raisef(L, line, "%s: bad region", method);
	return (int)r;
}

static int region_arg(lua_State *L, int line, const char *method, int *kind)
{
	return region_at(L, 2, line, method, kind);
}

static int l_munmap(lua_State *L)
{
	int line = script_caller_line(L), kind;
	struct script_proc *sp = check_proc(L, "munmap", line);
	struct request req;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_MUNMAP;
	req.line = line;
	req.region = region_arg(L, line, "munmap", &kind);
	lua_getiuservalue(L, 1, 1);
	lua_pushnil(L);
	lua_rawseti(L, -2, req.region);
	return yield_request(L, sp, &req);
}

static const char *const touch_keys[] = {
	"pages", "random", "write", "offset", NULL,
};

static double touch_write(lua_State *L, int line)
{
	double w;

	if (lua_type(L, -1) == LUA_TBOOLEAN)
		return lua_toboolean(L, -1) ? 1.0 : 0.0;
	w = lua_tonumber(L, -1);
	if (lua_type(L, -1) != LUA_TNUMBER || !(w >= 0 && w <= 1)) {
		char got[64];

		script_describe(L, -1, got, sizeof(got));
		script_raisef(L, line, "write: expected a boolean or a "
		    "probability from 0 to 1, got %s", got);
	}
	return w;
}

static int l_touch(lua_State *L)
{
	int line = script_caller_line(L), kind;
	struct script_proc *sp = check_proc(L, "touch", line);
	struct request req;
	struct script_tbl t;
	long v;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_TOUCH;
	req.line = line;
	req.pages = -1;
	req.region = region_arg(L, line, "touch", &kind);
	if (!lua_isnoneornil(L, 3)) {
		if (lua_type(L, 3) != LUA_TTABLE)
			script_raisef(L, line, "touch: options must be a "
			    "table, got %s", luaL_typename(L, 3));
		script_check_known(L, 3, line, touch_keys, "touch");
		t = (struct script_tbl){ L, 3, line };
		v = -1;
		script_opt_long(&t, "pages", 1, LUA_MAXINTEGER, &v);
		req.pages = v;
		v = 0;
		script_opt_long(&t, "offset", 0, LUA_MAXINTEGER, &v);
		req.offset = v;
		script_opt_bool(&t, "random", &req.random);
		if (script_field(&t, "write")) {
			req.write = touch_write(L, line);
			lua_pop(L, 1);
		}
	}
	if (kind == REGION_FILE && req.write > 0)
		script_raisef(L, line, "touch: region %d is a read-only file "
		    "mapping", req.region);
	return yield_request(L, sp, &req);
}

static int l_compute(lua_State *L)
{
	int line = script_caller_line(L);
	struct script_proc *sp = check_proc(L, "compute", line);
	struct request req;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_COMPUTE;
	req.line = line;
	req.seconds = script_to_real(L, 2, line, "compute", &script_kind_time);
	return yield_request(L, sp, &req);
}

static int l_sleep(lua_State *L)
{
	int line = script_caller_line(L);
	struct script_proc *sp = check_proc(L, "sleep", line);
	struct request req;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_SLEEP;
	req.line = line;
	req.seconds = script_to_real(L, 2, line, "sleep", &script_kind_time);
	return yield_request(L, sp, &req);
}

struct script_proc *script_proc_check(lua_State *L, const char *method,
    int line)
{
	return check_proc(L, method, line);
}

int script_proc_yield(lua_State *L, struct script_proc *sp,
    const struct request *req)
{
	return yield_request(L, sp, req);
}

int script_proc_region(lua_State *L, int idx, int line, const char *method,
    int *file)
{
	int kind, r;

	r = region_at(L, idx, line, method, &kind);
	*file = kind == REGION_FILE;
	return r;
}

static const luaL_Reg proc_methods[] = {
	{ "mmap", l_mmap },
	{ "munmap", l_munmap },
	{ "touch", l_touch },
	{ "compute", l_compute },
	{ "sleep", l_sleep },
	{ "replay", script_trace_replay },
	{ NULL, NULL },
};

static int proc_index(lua_State *L)
{
	struct script_proc *sp = *(struct script_proc **)lua_touserdata(L, 1);
	const luaL_Reg *m;
	const char *k;
	char name[128];

	if (lua_type(L, 2) == LUA_TSTRING) {
		k = lua_tostring(L, 2);
		if (strcmp(k, "name") == 0) {
			lua_pushstring(L, sp->name);
			return 1;
		}
		if (strcmp(k, "index") == 0) {
			lua_pushinteger(L, sp->index);
			return 1;
		}
		for (m = proc_methods; m->name != NULL; m++)
			if (strcmp(k, m->name) == 0) {
				lua_pushcfunction(L, m->func);
				return 1;
			}
	}
	script_key_name(L, 2, name, sizeof(name));
	script_raisef(L, script_caller_line(L), "unknown process field '%s'",
	    name);
}

static int proc_newindex(lua_State *L)
{
	char name[128];

	script_key_name(L, 2, name, sizeof(name));
	script_raisef(L, script_caller_line(L), "cannot set '%s': process "
	    "objects are read-only", name);
}

/* ---------------------------------------------------------------------
 * Process coroutines.
 */

struct mk_args {
	struct script_proc *sp;
	int body_ref;
};

/* Under lua_pcall: the thread, anchored, with body and p on its stack. */
static int mk_proc(lua_State *L)
{
	struct mk_args *a = lua_touserdata(L, 1);
	struct script_proc **ud;

	a->sp->co = lua_newthread(L);
	(void)luaL_ref(L, LUA_REGISTRYINDEX);
	if (lua_rawgeti(L, LUA_REGISTRYINDEX, a->body_ref) != LUA_TFUNCTION)
		return luaL_error(L, "process body is not a function");
	ud = lua_newuserdatauv(L, sizeof(*ud), 1);
	*ud = a->sp;
	luaL_setmetatable(L, PROC_MT);
	lua_newtable(L);
	lua_setiuservalue(L, -2, 1);
	lua_xmove(L, a->sp->co, 2);
	return 0;
}

struct script_proc *script_proc_create(struct script *s,
    const struct proc_cfg *pc, int instance, const char *name)
{
	struct script_proc *sp;
	struct mk_args a;

	assert(s != NULL && s->L != NULL && pc != NULL && name != NULL);
	sp = xcalloc(1, sizeof(*sp));
	sp->s = s;
	sp->index = instance;
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	a.sp = sp;
	a.body_ref = pc->body_ref;
	lua_pushcfunction(s->L, mk_proc);
	lua_pushlightuserdata(s->L, &a);
	if (lua_pcall(s->L, 1, 0, 0) != LUA_OK) {
		lua_pop(s->L, 1);
		free(sp);
		return NULL;
	}
	sp->next = s->procs;
	s->procs = sp;
	return sp;
}

int script_proc_resume(struct script_proc *sp, int64_t retval,
    struct request *req, char *err, size_t errlen)
{
	struct script *s = sp->s;
	int status, nres, nargs = 0;

	assert(req != NULL && err != NULL && errlen > 0);
	err[0] = '\0';
	if (sp->done) {
		snprintf(err, errlen, "%s: process '%s' has already ended",
		    s->path, sp->name);
		script_one_line(err);
		return -1;
	}
	if (s->budget_hit) {
		snprintf(err, errlen, "%s", s->budget_msg);
		sp->done = 1;
		return -1;
	}
	if (!sp->started) {
		nargs = 1;		/* p, below it the body */
		sp->started = 1;
	} else if (sp->has_req && sp->req.kind == REQ_MMAP) {
		if (!lua_checkstack(sp->co, 1)) {
			snprintf(err, errlen, "%s:%d: Lua memory limit "
			    "exceeded (%zu bytes)", s->path, sp->req.line,
			    s->limit);
			sp->done = 1;
			return -1;
		}
		lua_pushinteger(sp->co, (lua_Integer)retval);
		nargs = 1;
	}
	sp->has_req = 0;
	status = lua_resume(sp->co, NULL, nargs, &nres);
	if (s->budget_hit || (status != LUA_OK && status != LUA_YIELD)) {
		script_format_error(s, sp->co, status, err, errlen);
		sp->done = 1;
		return -1;
	}
	lua_pop(sp->co, nres);
	if (status == LUA_OK) {
		sp->done = 1;
		return 0;
	}
	/* no coroutine library: every yield is one of p's requests */
	assert(sp->has_req);
	*req = sp->req;
	return 1;
}

void script_proc_register(struct lua_State *L)
{
	luaL_newmetatable(L, PROC_MT);
	lua_pushcfunction(L, proc_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, proc_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
}

void script_proc_free_all(struct script_proc *sp)
{
	struct script_proc *next;

	for (; sp != NULL; sp = next) {
		next = sp->next;
		free(sp);
	}
}
