/*
 * script: Lua scenarios, loaded in a sandbox and turned into a struct
 * config; process bodies run later as coroutines that yield requests.
 *
 * The sandbox follows what Redis does for EVAL: one lua_State per run,
 * created with lua_newstate() over a counting allocator with a byte
 * limit; only base (without dofile, loadfile, load, collectgarbage,
 * warn), table, string, math and utf8; text chunks only; an instruction
 * budget through a count hook; math.random seeded once from the run's
 * seed, with math.randomseed taken away.  The chunk runs with an _ENV
 * table of its own whose metatable turns a read of an undefined name or
 * the creation of a new global into an error with file:line.
 *
 * The top-level chunk runs as a coroutine, like the process bodies: a
 * coroutine that died of an error keeps its stack, so the line of the
 * failing scenario statement can be found even for errors that carry no
 * position (error objects, memory errors, error(msg, 0)).
 *
 * A process body never blocks here: p:mmap(), p:touch() and friends
 * validate their arguments, fill a struct request and lua_yield(); the
 * process's simulated thread performs the request in the engine and
 * resumes the coroutine (see style.md, "SimGrid").
 *
 * Nothing here iterates a Lua table in hash order where the order can
 * be seen: known keys are read by name, and when a table holds unknown
 * keys the lexicographically smallest is reported.
 */
#include "script.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "script_config.h"
#include "script_proc.h"
#include "script_state.h"
#include "script_trace.h"
#include "xmalloc.h"

#define DEFAULT_MEM_BYTES	((uint64_t)256 << 20)
#define HOOK_EVERY		1000	/* instructions between count hooks */

/*
 * The counting allocator.  A refusal makes Lua collect garbage and try
 * once more, so mem_hit alone does not mean the scenario failed: it
 * only tells the error formatter what a "not enough memory" meant.
 */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct script *s = ud;
	size_t old = ptr != NULL ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		s->used -= old;
		return NULL;
	}
	if (nsize > old && nsize - old > s->limit - s->used) {
		s->mem_hit = 1;
		return NULL;
	}
	p = realloc(ptr, nsize);
	if (p != NULL)
		s->used = s->used - old + nsize;
	return p;
}

static int l_panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	fprintf(stderr, "memsim: unprotected Lua error: %s\n",
	    msg != NULL ? msg : "(not a string)");
	abort();
}

/*
 * The count hook.  Once the budget is spent it stays spent: the hook
 * then fires on every instruction of the thread, so a pcall() in the
 * scenario cannot swallow the error for long, and the callers report
 * budget_msg whatever the Lua code made of it.
 */
static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct script *s = script_of(L);
	int line;

	(void)ar;
	s->executed += HOOK_EVERY;
	if (!s->budget_hit && s->executed <= s->instructions)
		return;
	if (!s->budget_hit) {
		s->budget_hit = 1;
		line = script_line(L, 0);
		if (line > 0)
			snprintf(s->budget_msg, sizeof(s->budget_msg),
			    "%s:%d: instruction budget exceeded (%" PRIu64 ")",
			    s->path, line, s->instructions);
		else
			snprintf(s->budget_msg, sizeof(s->budget_msg),
			    "%s: instruction budget exceeded (%" PRIu64 ")",
			    s->path, s->instructions);
	}
	lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
	lua_pushstring(L, s->budget_msg);
	lua_error(L);
}

/* ---------------------------------------------------------------------
 * The sandbox.
 */

static int strict_index(lua_State *L)
{
	char name[128];

	script_key_name(L, 2, name, sizeof(name));
	script_raisef(L, script_caller_line(L), "unknown name '%s'", name);
}

static int strict_newindex(lua_State *L)
{
	char name[128];

	script_key_name(L, 2, name, sizeof(name));
	script_raisef(L, script_caller_line(L), "assignment to undeclared "
	    "global '%s'", name);
}

static const luaL_Reg sandbox_libs[] = {
	{ LUA_GNAME, luaopen_base },
	{ LUA_TABLIBNAME, luaopen_table },
	{ LUA_STRLIBNAME, luaopen_string },
	{ LUA_MATHLIBNAME, luaopen_math },
	{ LUA_UTF8LIBNAME, luaopen_utf8 },
	{ NULL, NULL },
};

/* The base library minus dofile, loadfile, load, collectgarbage, warn. */
static const char *const base_names[] = {
	"assert", "error", "getmetatable", "ipairs", "next", "pairs",
	"pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select",
	"setmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION",
	NULL,
};

static void seed_random(lua_State *L, uint64_t seed)
{
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)seed);
	lua_call(L, 1, 0);
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
}

static void push_env(lua_State *L)
{
	const char *const *n;
	const luaL_Reg *lib;

	lua_newtable(L);
	for (n = base_names; *n != NULL; n++) {
		lua_getglobal(L, *n);
		lua_setfield(L, -2, *n);
	}
	for (lib = sandbox_libs + 1; lib->name != NULL; lib++) {
		lua_getglobal(L, lib->name);
		lua_setfield(L, -2, lib->name);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, LUA_GNAME);
	lua_newtable(L);
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_getfield(L, -1, "random");
	lua_setfield(L, -3, "random");
	lua_pop(L, 1);
	lua_setfield(L, -2, "sim");
	script_config_register(L);
	script_trace_register(L);

	lua_newtable(L);
	lua_pushcfunction(L, strict_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, strict_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

/* Everything that allocates before the chunk runs, under lua_pcall. */
static int setup(lua_State *L)
{
	struct script *s = lua_touserdata(L, 1);
	const luaL_Reg *lib;

	for (lib = sandbox_libs; lib->name != NULL; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	seed_random(L, s->cfg->seed);
	push_env(L);
	s->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	script_proc_register(L);

	s->co = lua_newthread(L);
	(void)luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* ---------------------------------------------------------------------
 * Loading.
 */

static char *read_file(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	size_t cap = 4096, n = 0, got;
	char *buf;
	FILE *f;
	int e;

	errno = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
		errno = 0;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0 || n > max)
			break;
	}
	e = ferror(f) ? (errno != 0 ? errno : EIO) : 0;
	fclose(f);
	if (e != 0 || n > max) {
		if (e != 0)
			snprintf(err, errlen, "%s: cannot read: %s", path,
			    strerror(e));
		else
			snprintf(err, errlen, "%s: cannot read: larger than "
			    "the Lua memory limit (%zu bytes)", path, max);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static struct script *script_new(const char *path,
    const struct script_limits *lim)
{
	struct script *s = xcalloc(1, sizeof(*s));

	snprintf(s->path, sizeof(s->path), "%s", path);
	s->limit = (size_t)(lim != NULL && lim->mem_bytes != 0 ?
	    lim->mem_bytes : DEFAULT_MEM_BYTES);
	s->instructions = lim != NULL ? lim->instructions : 0;
	s->env_ref = LUA_NOREF;
	return s;
}

/*
 * The name Lua puts in front of its own messages: "path", or ".../tail"
 * when the path is longer than LUA_IDSIZE.  Found by compiling an empty
 * chunk under the same name rather than by copying luaO_chunkid().
 */
static void find_short_src(struct script *s, const char *chunkname)
{
	lua_Debug ar;

	snprintf(s->short_src, sizeof(s->short_src), "%s", s->path);
	if (luaL_loadbufferx(s->L, "", 0, chunkname, "t") != LUA_OK) {
		lua_pop(s->L, 1);
		return;
	}
	lua_getinfo(s->L, ">S", &ar);
	snprintf(s->short_src, sizeof(s->short_src), "%s", ar.short_src);
}

/* Compile the chunk onto s->co with the sandbox as its _ENV. */
static int compile(struct script *s, const char *buf, size_t len,
    char *err, size_t errlen)
{
	char chunkname[sizeof(s->path) + 1];
	lua_State *L = s->L;
	int status;

	snprintf(chunkname, sizeof(chunkname), "@%s", s->path);
	find_short_src(s, chunkname);
	status = luaL_loadbufferx(L, buf, len, chunkname, "t");
	if (status != LUA_OK) {
		script_format_error(s, L, status, err, errlen);
		lua_pop(L, 1);
		return -1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->env_ref);
	if (lua_setupvalue(L, -2, 1) == NULL)
		lua_pop(L, 1);
	lua_xmove(L, s->co, 1);
	return 0;
}

static int run_chunk(struct script *s, char *err, size_t errlen)
{
	int status, nres;

	s->loading = 1;
	status = lua_resume(s->co, NULL, 0, &nres);
	s->loading = 0;
	if (!s->budget_hit && s->load_err[0] != '\0') {
		snprintf(err, errlen, "%s", s->load_err);
		return -1;
	}
	if (s->budget_hit || (status != LUA_OK && status != LUA_YIELD)) {
		script_format_error(s, s->co, status, err, errlen);
		return -1;
	}
	if (status == LUA_YIELD) {
		snprintf(err, errlen, "%s: the scenario yielded while loading",
		    s->path);
		return -1;
	}
	lua_settop(s->co, 0);
	return 0;
}

/* The checks and defaults both loaders share; NULL with err set. */
static struct script *load_begin(const char *path, struct param *params,
    int nparams, uint64_t seed, const struct script_limits *lim,
    struct config *cfg, char *err, size_t errlen)
{
	struct script *s;

	assert(path != NULL && cfg != NULL && err != NULL && errlen > 0);
	assert(nparams == 0 || params != NULL);
	/* the -p array must not live inside the config being built */
	assert(params == NULL || (uintptr_t)params >= (uintptr_t)(cfg + 1) ||
	    (uintptr_t)(params + nparams) <= (uintptr_t)cfg);
	err[0] = '\0';
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return NULL;
	}
	script_config_defaults(cfg, path, seed);
	s = script_new(path, lim);
	s->cfg = cfg;
	s->params = params;
	s->nparams = nparams;
	return s;
}

/* Run the scenario text in s's new sandbox; destroys s on failure. */
static struct script *load_text(struct script *s, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct config *cfg = s->cfg;
	int status;

	s->L = lua_newstate(l_alloc, s);
	if (s->L == NULL) {
		snprintf(err, errlen, "%s: Lua memory limit exceeded (%zu "
		    "bytes)", s->path, s->limit);
		goto fail;
	}
	lua_atpanic(s->L, l_panic);
	lua_gc(s->L, LUA_GCGEN, 0, 0);
	if (s->instructions > 0)
		lua_sethook(s->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);

	lua_pushcfunction(s->L, setup);
	lua_pushlightuserdata(s->L, s);
	status = lua_pcall(s->L, 1, 0, 0);
	if (status != LUA_OK) {
		script_format_error(s, s->L, status, err, errlen);
		goto fail;
	}
	if (compile(s, buf, len, err, errlen) != 0 ||
	    run_chunk(s, err, errlen) != 0)
		goto fail;
	if (script_config_finish(cfg, s->path, err, errlen) != 0)
		goto fail;
	s->cfg = NULL;
	s->params = NULL;
	return s;
fail:
	script_destroy(s);
	return NULL;
}

struct script *script_load(const char *path, struct param *params,
    int nparams, uint64_t seed, const struct script_limits *lim,
    struct config *cfg, char *err, size_t errlen)
{
	struct script *s;
	size_t len;
	char *buf;

	s = load_begin(path, params, nparams, seed, lim, cfg, err, errlen);
	if (s == NULL)
		return NULL;
	buf = read_file(path, s->limit, &len, err, errlen);
	if (buf == NULL) {
		script_destroy(s);
		return NULL;
	}
	s = load_text(s, buf, len, err, errlen);
	free(buf);
	return s;
}

struct script *script_load_buffer(const char *path, const char *text,
    size_t len, struct param *params, int nparams, uint64_t seed,
    const struct script_limits *lim, struct config *cfg, char *err,
    size_t errlen)
{
	struct script *s;

	assert(text != NULL || len == 0);
	s = load_begin(path, params, nparams, seed, lim, cfg, err, errlen);
	if (s == NULL)
		return NULL;
	return load_text(s, text != NULL ? text : "", len, err, errlen);
}

void script_destroy(struct script *s)
{
	if (s == NULL)
		return;
	if (s->L != NULL)
		lua_close(s->L);
	script_proc_free_all(s->procs);
	free(s);
}
