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
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "allocators/alloc.h"
#include "units.h"
#include "vm_model.h"
#include "xmalloc.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define DEFAULT_MEM_BYTES	((uint64_t)256 << 20)
#define HOOK_EVERY		1000	/* instructions between count hooks */
#define KERNEL_MIN_RAM		((uint64_t)16 << 20)
#define PROC_MT			"memsim.proc"
#define MSG_LEN			1024	/* a whole message, path included */
#define WHAT_LEN		480	/* the part after "path:line: " */

/* What regions[handle] holds in a process object's region table. */
#define REGION_ANON		1
#define REGION_FILE		2

struct script {
	lua_State *L;
	lua_State *co;			/* the thread the chunk runs on */
	struct config *cfg;		/* while loading only */
	struct param *params;		/* -p values, while loading only */
	int nparams;
	int loading;
	char path[sizeof(((struct config *)0)->path)];
	char short_src[sizeof(((struct config *)0)->path)];	/* as Lua says it */
	int env_ref;

	size_t used, limit;		/* Lua heap, bytes */
	int mem_hit;			/* the allocator refused a request */

	uint64_t instructions, executed;
	int budget_hit;
	char budget_msg[MSG_LEN];

	int scenario_line, machine_line, kernel_line;	/* 0: not given */
	int sweep_line;
	/*
	 * A configuration error is fatal even when the scenario catches it
	 * with pcall(): in_api is set while scenario{}, machine{}, ...,
	 * param() run, and the first error raised then is kept in load_err.
	 */
	int in_api;
	char load_err[MSG_LEN];
	struct script_proc *procs;	/* all coroutines, for destroy */
};

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

static struct script *script_of(lua_State *L)
{
	void *ud;

	(void)lua_getallocf(L, &ud);
	return ud;
}

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

/* The line of the innermost Lua frame at `level` or above; 0: none. */
static int lua_line(lua_State *L, int level)
{
	lua_Debug ar;

	for (; lua_getstack(L, level, &ar); level++)
		if (lua_getinfo(L, "l", &ar) && ar.currentline > 0)
			return ar.currentline;
	return 0;
}

/* From a C function: the scenario line that called it. */
static int caller_line(lua_State *L)
{
	return lua_line(L, 1);
}

static void one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static _Noreturn void raisef(lua_State *L, int line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/* Raise "path:line: what" (or "path: what" when no line is known). */
static _Noreturn void raisef(lua_State *L, int line, const char *fmt, ...)
{
	struct script *s = script_of(L);
	char msg[WHAT_LEN], full[MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", s->path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", s->path, msg);
	one_line(full);
	if (s->in_api && s->loading && s->load_err[0] == '\0')
		memcpy(s->load_err, full, sizeof(full));
	lua_pushstring(L, full);
	lua_error(L);
	abort();	/* lua_error() does not return */
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
		line = lua_line(L, 0);
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
static void format_error(struct script *s, lua_State *T, int status,
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
	line = lua_line(T, 0);
	if (line > 0)
		snprintf(pos, sizeof(pos), "%s:%d", s->path, line);
	else
		snprintf(pos, sizeof(pos), "%s", s->path);
	if (lua_gettop(T) > 0 && lua_type(T, -1) == LUA_TSTRING)
		msg = lua_tostring(T, -1);

	if (status == LUA_ERRMEM ||
	    (s->mem_hit && msg != NULL && strstr(msg, "not enough memory")))
		snprintf(err, errlen, "%s: Lua memory limit exceeded (%zu bytes)",
		    pos, s->limit);
	else if (msg == NULL)
		snprintf(err, errlen, "%s: (error object is a %s value)", pos,
		    lua_gettop(T) > 0 ? luaL_typename(T, -1) : "no");
	else if ((rest = after_position(msg, s->path)) != NULL ||
	    (rest = after_position(msg, s->short_src)) != NULL)
		/* Lua may have shortened a long path to ".../tail" */
		snprintf(err, errlen, "%s%s", s->path, rest);
	else
		snprintf(err, errlen, "%s: %s", pos, msg);
	one_line(err);
}

/* ---------------------------------------------------------------------
 * Reading values: sizes, times, rates, bandwidths, integers, strings.
 */

struct real_kind {
	const char *what;
	int (*parse)(const char *s, double *out, char *err, size_t errlen);
};

static const struct real_kind kind_time = { "time", units_time };
static const struct real_kind kind_rate = { "rate", units_rate };
static const struct real_kind kind_bw = { "bandwidth", units_bandwidth };

/* "got ..." for a message: a number's value, otherwise its type. */
static void describe(lua_State *L, int idx, char *buf, size_t len)
{
	if (lua_type(L, idx) == LUA_TNUMBER && lua_isinteger(L, idx))
		snprintf(buf, len, LUA_INTEGER_FMT, lua_tointeger(L, idx));
	else if (lua_type(L, idx) == LUA_TNUMBER)
		snprintf(buf, len, "%.14g", (double)lua_tonumber(L, idx));
	else
		snprintf(buf, len, "%s", luaL_typename(L, idx));
}

static uint64_t to_size(lua_State *L, int idx, int line, const char *key)
{
	char uerr[160], got[64];
	uint64_t v;
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		if (units_size(lua_tostring(L, idx), &v, uerr,
		    sizeof(uerr)) != 0)
			raisef(L, line, "%s: %s", key, uerr);
		return v;
	case LUA_TNUMBER:
		describe(L, idx, got, sizeof(got));
		if (lua_isinteger(L, idx)) {
			if (lua_tointeger(L, idx) < 0)
				raisef(L, line,
				    "%s: sizes cannot be negative, got %s", key,
				    got);
			return (uint64_t)lua_tointeger(L, idx);
		}
		d = lua_tonumber(L, idx);
		if (isnan(d))
			raisef(L, line, "%s: expected a size, got %s", key, got);
		if (d < 0)
			raisef(L, line, "%s: sizes cannot be negative, got %s",
			    key, got);
		if (d >= 18446744073709551616.0)
			raisef(L, line, "%s: size %s is too large", key, got);
		if (d != floor(d))
			raisef(L, line, "%s: %s is not a whole number of bytes",
			    key, got);
		return (uint64_t)d;
	default:
		raisef(L, line, "%s: expected a size string or number, got %s",
		    key, luaL_typename(L, idx));
	}
}

static double to_real(lua_State *L, int idx, int line, const char *key,
    const struct real_kind *k)
{
	char uerr[160], got[64];
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		if (k->parse(lua_tostring(L, idx), &d, uerr, sizeof(uerr)) != 0)
			raisef(L, line, "%s: %s", key, uerr);
		return d;
	case LUA_TNUMBER:
		d = lua_tonumber(L, idx);
		describe(L, idx, got, sizeof(got));
		if (!isfinite(d))
			raisef(L, line, "%s: expected a finite %s, got %s", key,
			    k->what, got);
		if (d < 0)
			raisef(L, line, "%s: %ss cannot be negative, got %s",
			    key, k->what, got);
		return d;
	default:
		raisef(L, line, "%s: expected a %s string or number, got %s",
		    key, k->what, luaL_typename(L, idx));
	}
}

static lua_Integer to_integer(lua_State *L, int idx, int line,
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
	describe(L, idx, got, sizeof(got));
	raisef(L, line, "%s: expected %s, got %s", key, want, got);
}

static int to_bool(lua_State *L, int idx, int line, const char *key)
{
	if (lua_type(L, idx) != LUA_TBOOLEAN)
		raisef(L, line, "%s: expected a boolean, got %s", key,
		    luaL_typename(L, idx));
	return lua_toboolean(L, idx);
}

/* A non-empty string that fits a CFG_NAME_LEN buffer. */
static void to_name(lua_State *L, int idx, int line, const char *key,
    char *out, size_t len)
{
	const char *v;
	size_t n, i;

	if (lua_type(L, idx) != LUA_TSTRING)
		raisef(L, line, "%s: expected a string, got %s", key,
		    luaL_typename(L, idx));
	v = lua_tolstring(L, idx, &n);
	if (n == 0)
		raisef(L, line, "%s: must not be empty", key);
	if (n >= len || strlen(v) != n)
		raisef(L, line, "%s: '%.32s...' is longer than %zu bytes", key,
		    v, len - 1);
	/* names end up in one-line messages, summaries and SQLite */
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			raisef(L, line, "%s: control character \\x%02x in a "
			    "name", key, (unsigned char)v[i]);
	memcpy(out, v, n + 1);
}

/*
 * Table fields.  Each opt_* leaves *out alone when the key is absent
 * (nil), so callers set defaults first.
 */
struct tbl {
	lua_State *L;
	int idx;
	int line;
};

static int field(const struct tbl *t, const char *key)
{
	if (lua_getfield(t->L, t->idx, key) != LUA_TNIL)
		return 1;
	lua_pop(t->L, 1);
	return 0;
}

static void opt_size(const struct tbl *t, const char *key, uint64_t *out)
{
	if (field(t, key)) {
		*out = to_size(t->L, -1, t->line, key);
		lua_pop(t->L, 1);
	}
}

static void opt_real(const struct tbl *t, const char *key,
    const struct real_kind *k, double *out)
{
	if (field(t, key)) {
		*out = to_real(t->L, -1, t->line, key, k);
		lua_pop(t->L, 1);
	}
}

static void opt_long(const struct tbl *t, const char *key, lua_Integer min,
    lua_Integer max, long *out)
{
	if (field(t, key)) {
		*out = (long)to_integer(t->L, -1, t->line, key, min, max);
		lua_pop(t->L, 1);
	}
}

static void opt_int(const struct tbl *t, const char *key, int min, int max,
    int *out)
{
	if (field(t, key)) {
		*out = (int)to_integer(t->L, -1, t->line, key, min, max);
		lua_pop(t->L, 1);
	}
}

static void opt_bool(const struct tbl *t, const char *key, int *out)
{
	if (field(t, key)) {
		*out = to_bool(t->L, -1, t->line, key);
		lua_pop(t->L, 1);
	}
}

static int opt_name(const struct tbl *t, const char *key, char *out,
    size_t len)
{
	if (!field(t, key))
		return 0;
	to_name(t->L, -1, t->line, key, out, len);
	lua_pop(t->L, 1);
	return 1;
}

/* ---------------------------------------------------------------------
 * Unknown keys, reported deterministically.
 */

struct keycheck {
	const char *const *known;	/* NULL-terminated */
	lua_Integer array_len;		/* keys 1..array_len are allowed */
	/* Accepts (and may record) a string key not in `known`. */
	int (*extra)(const char *key, void *ctx);
	void *ctx;
};

static int in_list(const char *const *list, const char *k)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, k) == 0)
			return 1;
	return 0;
}

static void key_name(lua_State *L, int idx, char *buf, size_t len)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		snprintf(buf, len, "%s", lua_tostring(L, idx));
		break;
	case LUA_TNUMBER:
		describe(L, idx, buf, len);
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

static int key_allowed(lua_State *L, const struct keycheck *kc)
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

static void check_keys(lua_State *L, int idx, int line,
    const struct keycheck *kc, const char *what)
{
	char worst[128] = "", name[128];
	int found = 0;

	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (key_allowed(L, kc))
			continue;
		key_name(L, -1, name, sizeof(name));
		if (!found || strcmp(name, worst) < 0)
			memcpy(worst, name, sizeof(worst));
		found = 1;
	}
	if (found)
		raisef(L, line, "unknown option '%s' in %s", worst, what);
}

static void check_known(lua_State *L, int idx, int line,
    const char *const *known, const char *what)
{
	struct keycheck kc = { known, 0, NULL, NULL };

	check_keys(L, idx, line, &kc, what);
}

/* ---------------------------------------------------------------------
 * The scenario API.
 */

/* Common entry of scenario{}, machine{}, ...: returns the caller's line. */
static struct script *api_enter(lua_State *L, const char *what, int *line)
{
	struct script *s = script_of(L);

	*line = caller_line(L);
	if (!s->loading)
		raisef(L, *line, "%s{} can only be used while the scenario "
		    "loads", what);
	s->in_api = 1;
	if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TTABLE)
		raisef(L, *line, "%s: expected one table, as in %s { ... }, "
		    "got %s", what, what, lua_gettop(L) == 0 ? "nothing" :
		    luaL_typename(L, 1));
	return s;
}

static void once(lua_State *L, int line, int *seen, const char *what)
{
	if (*seen)
		raisef(L, line, "%s{} given twice (first at line %d)", what,
		    *seen);
	*seen = line > 0 ? line : -1;
}

static const char *const scenario_keys[] = {
	"name", "duration", "watchdog", "sample_every", NULL,
};

static int l_scenario(lua_State *L)
{
	struct script *s;
	struct config *cfg;
	struct tbl t;
	int line;

	s = api_enter(L, "scenario", &line);
	cfg = s->cfg;
	once(L, line, &s->scenario_line, "scenario");
	check_known(L, 1, line, scenario_keys, "scenario");
	t = (struct tbl){ L, 1, line };
	opt_name(&t, "name", cfg->name, sizeof(cfg->name));
	opt_real(&t, "duration", &kind_time, &cfg->duration);
	opt_real(&t, "watchdog", &kind_time, &cfg->watchdog);
	opt_real(&t, "sample_every", &kind_time, &cfg->sample_every);
	if (!(cfg->duration > 0))
		raisef(L, line, "duration must be > 0");
	if (!(cfg->watchdog > 0))
		raisef(L, line, "watchdog must be > 0");
	if (!(cfg->sample_every > 0))
		raisef(L, line, "sample_every must be > 0");
	s->in_api = 0;
	return 0;
}

static const char *const machine_keys[] = {
	"ram", "ncpus", "swap", "swap_write_bw", "swap_read_bw",
	"swap_latency", "file_read_bw", "file_latency", "kva", "touch_cost",
	"fault_cost", "scan_cost", "pass_cost", "quantum", NULL,
};

struct tunable_names {
	char name[CFG_MAX_TUNABLES][CFG_NAME_LEN];
	int n, overflow;
};

static int record_tunable(const char *key, void *ctx)
{
	struct tunable_names *tn = ctx;

	if (strlen(key) >= CFG_NAME_LEN || !vm_tunable_known(key))
		return 0;
	if (tn->n == CFG_MAX_TUNABLES)
		tn->overflow = 1;
	else
		memcpy(tn->name[tn->n++], key, strlen(key) + 1);
	return 1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Kernel tunables by name: sorted, so their order is not hash order. */
static void read_tunables(lua_State *L, int line, struct config *cfg,
    struct tunable_names *tn)
{
	char got[64];
	double v;
	int i;

	if (tn->overflow)
		raisef(L, line, "too many tunables in machine (max %d)",
		    CFG_MAX_TUNABLES);
	qsort(tn->name, (size_t)tn->n, sizeof(tn->name[0]), cmp_name);
	for (i = 0; i < tn->n; i++) {
		lua_getfield(L, 1, tn->name[i]);
		describe(L, -1, got, sizeof(got));
		v = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v) || v < 0 ||
		    v != floor(v) || v > 9e15)
			raisef(L, line, "%s: expected a non-negative whole "
			    "number, got %s", tn->name[i], got);
		lua_pop(L, 1);
		memcpy(cfg->tunables[i].name, tn->name[i], CFG_NAME_LEN);
		cfg->tunables[i].value = v;
	}
	cfg->ntunables = tn->n;
}

/* "8M", "1G", or a byte count. */
static void fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t u = (uint64_t)1 << (10 * (i + 1));

		if (v != 0 && v % u == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v / u, units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

static void machine_check(lua_State *L, int line, const struct config *cfg)
{
	char a[32], b[32];

	if (cfg->ram == 0)
		raisef(L, line, "ram must be > 0");
	if (cfg->ram < KERNEL_MIN_RAM) {
		fmt_size(a, sizeof(a), cfg->ram);
		fmt_size(b, sizeof(b), KERNEL_MIN_RAM);
		raisef(L, line, "ram %s is smaller than the kernel's own "
		    "needs (%s)", a, b);
	}
	/*
	 * Swap blocks are page numbers of 32 bits, like the page array's
	 * indexes (VM_PAGE_NONE) and the blist's block numbers.
	 */
	if (cfg->swap / PAGE_SIZE >= (uint64_t)VM_PAGE_NONE) {
		fmt_size(a, sizeof(a), cfg->swap);
		raisef(L, line, "swap %s is larger than the swap address range "
		    "(at most %" PRIu32 " pages of %dK)", a, VM_PAGE_NONE - 1,
		    PAGE_SIZE / 1024);
	}
	if (cfg->kva == 0)
		raisef(L, line, "kva must be > 0");
	if (!(cfg->swap_write_bw > 0))
		raisef(L, line, "swap_write_bw must be > 0");
	if (!(cfg->swap_read_bw > 0))
		raisef(L, line, "swap_read_bw must be > 0");
	if (!(cfg->file_read_bw > 0))
		raisef(L, line, "file_read_bw must be > 0");
	if (!(cfg->quantum > 0))
		raisef(L, line, "quantum must be > 0");
}

static int l_machine(lua_State *L)
{
	struct tunable_names tn;
	struct keycheck kc;
	struct script *s;
	struct config *cfg;
	struct tbl t;
	int line;

	s = api_enter(L, "machine", &line);
	cfg = s->cfg;
	once(L, line, &s->machine_line, "machine");
	tn.n = tn.overflow = 0;
	kc = (struct keycheck){ machine_keys, 0, record_tunable, &tn };
	check_keys(L, 1, line, &kc, "machine");

	t = (struct tbl){ L, 1, line };
	opt_size(&t, "ram", &cfg->ram);
	opt_int(&t, "ncpus", 1, 64, &cfg->ncpus);
	opt_size(&t, "swap", &cfg->swap);
	opt_real(&t, "swap_write_bw", &kind_bw, &cfg->swap_write_bw);
	opt_real(&t, "swap_read_bw", &kind_bw, &cfg->swap_read_bw);
	opt_real(&t, "swap_latency", &kind_time, &cfg->swap_latency);
	opt_real(&t, "file_read_bw", &kind_bw, &cfg->file_read_bw);
	opt_real(&t, "file_latency", &kind_time, &cfg->file_latency);
	opt_size(&t, "kva", &cfg->kva);
	opt_real(&t, "touch_cost", &kind_time, &cfg->touch_cost);
	opt_real(&t, "fault_cost", &kind_time, &cfg->fault_cost);
	opt_real(&t, "scan_cost", &kind_time, &cfg->scan_cost);
	opt_real(&t, "pass_cost", &kind_time, &cfg->pass_cost);
	opt_real(&t, "quantum", &kind_time, &cfg->quantum);
	machine_check(L, line, cfg);
	read_tunables(L, line, cfg, &tn);
	s->in_api = 0;
	return 0;
}

static void check_allocator(lua_State *L, int line, const char *name)
{
	const char *const *n;
	char known[256] = "";
	size_t used = 0;

	for (n = alloc_names(); *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return;
	for (n = alloc_names(); *n != NULL && used < sizeof(known); n++)
		used += (size_t)snprintf(known + used, sizeof(known) - used,
		    "%s%s", used > 0 ? ", " : "", *n);
	raisef(L, line, "unknown allocator '%s' (known: %s)", name, known);
}

/* Options every zone has: which allocator, and its reserve. */
static void read_zone_alloc(const struct tbl *t, struct zone_cfg *z)
{
	char refill[CFG_NAME_LEN];

	if (opt_name(t, "allocator", z->allocator, sizeof(z->allocator)))
		check_allocator(t->L, t->line, z->allocator);
	opt_long(t, "reserve", 0, LUA_MAXINTEGER, &z->reserve);
	if (opt_name(t, "refill", refill, sizeof(refill))) {
		if (strcmp(refill, "intnowait") == 0)
			z->refill_intnowait = 1;
		else if (strcmp(refill, "nowait") == 0)
			z->refill_intnowait = 0;
		else
			raisef(t->L, t->line, "refill: expected 'intnowait' or "
			    "'nowait', got '%s'", refill);
	}
	opt_bool(t, "exclusive", &z->exclusive);
}

static const char *const swapmeta_keys[] = {
	"allocator", "reserve", "refill", "exclusive", NULL,
};

static const char *const zone_keys[] = {
	"name", "allocator", "size", "rate", "hold", "count", "reserve",
	"refill", "exclusive", NULL,
};

static void zone_defaults(struct zone_cfg *z)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->allocator, sizeof(z->allocator), "kmalloc_obj");
	z->reserve = 3;
	z->refill_intnowait = 1;
	z->load_count = 1;
}

static void read_zone(lua_State *L, int line, struct config *cfg, int i)
{
	struct zone_cfg *z = &cfg->zones[i - 1];
	char what[32];
	struct tbl t;
	int j;

	snprintf(what, sizeof(what), "zones[%d]", i);
	if (lua_type(L, -1) != LUA_TTABLE)
		raisef(L, line, "%s: expected a table, got %s", what,
		    luaL_typename(L, -1));
	check_known(L, -1, line, zone_keys, what);
	t = (struct tbl){ L, lua_absindex(L, -1), line };
	zone_defaults(z);
	if (!opt_name(&t, "name", z->name, sizeof(z->name)))
		raisef(L, line, "%s needs a name", what);
	if (strcmp(z->name, "SWAPMETA") == 0)
		raisef(L, line, "%s: SWAPMETA is set up by kernel{ swapmeta = "
		    "{ ... } }", what);
	for (j = 0; j < i - 1; j++)
		if (strcmp(cfg->zones[j].name, z->name) == 0)
			raisef(L, line, "duplicate zone name '%s'", z->name);
	read_zone_alloc(&t, z);
	opt_size(&t, "size", &z->objsize);
	opt_real(&t, "rate", &kind_rate, &z->load_rate);
	opt_real(&t, "hold", &kind_time, &z->load_hold);
	opt_long(&t, "count", 1, LUA_MAXINTEGER, &z->load_count);
}

static void read_zones(lua_State *L, int line, struct config *cfg)
{
	struct keycheck kc = { NULL, 0, NULL, NULL };
	lua_Integer n, i;

	if (lua_type(L, -1) != LUA_TTABLE)
		raisef(L, line, "zones: expected a list of tables, got %s",
		    luaL_typename(L, -1));
	n = (lua_Integer)lua_rawlen(L, -1);
	kc.array_len = n;
	check_keys(L, -1, line, &kc, "zones");
	if (n > CFG_MAX_ZONES)
		raisef(L, line, "too many zones (max %d)", CFG_MAX_ZONES);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		read_zone(L, line, cfg, (int)i);
		lua_pop(L, 1);
	}
	cfg->nzones = (int)n;
}

static const char *const kernel_keys[] = { "swapmeta", "zones", NULL };

static int l_kernel(lua_State *L)
{
	struct script *s;
	struct tbl t;
	int line;

	s = api_enter(L, "kernel", &line);
	once(L, line, &s->kernel_line, "kernel");
	check_known(L, 1, line, kernel_keys, "kernel");
	if (lua_getfield(L, 1, "swapmeta") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TTABLE)
			raisef(L, line, "swapmeta: expected a table, got %s",
			    luaL_typename(L, -1));
		check_known(L, -1, line, swapmeta_keys, "swapmeta");
		t = (struct tbl){ L, lua_absindex(L, -1), line };
		read_zone_alloc(&t, &s->cfg->swapmeta);
	}
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "zones") != LUA_TNIL)
		read_zones(L, line, s->cfg);
	lua_pop(L, 1);
	s->in_api = 0;
	return 0;
}

static const char *const process_keys[] = {
	"name", "count", "start", "nice", "run", NULL,
};

static int l_process(lua_State *L)
{
	struct proc_cfg *pc;
	struct config *cfg;
	struct script *s;
	struct tbl t;
	int line, i;

	s = api_enter(L, "process", &line);
	cfg = s->cfg;
	check_known(L, 1, line, process_keys, "process");
	if (cfg->nprocs == CFG_MAX_PROCS)
		raisef(L, line, "too many process{} declarations (max %d)",
		    CFG_MAX_PROCS);
	pc = &cfg->procs[cfg->nprocs];
	memset(pc, 0, sizeof(*pc));
	pc->count = 1;
	pc->line = line;
	t = (struct tbl){ L, 1, line };
	if (!opt_name(&t, "name", pc->name, sizeof(pc->name)))
		raisef(L, line, "process{} needs a name");
	for (i = 0; i < cfg->nprocs; i++)
		if (strcmp(cfg->procs[i].name, pc->name) == 0)
			raisef(L, line, "duplicate process name '%s' (first at "
			    "line %d)", pc->name, cfg->procs[i].line);
	opt_int(&t, "count", 1, INT_MAX, &pc->count);
	opt_real(&t, "start", &kind_time, &pc->start);
	opt_int(&t, "nice", -20, 20, &pc->nice);
	if (lua_getfield(L, 1, "run") != LUA_TFUNCTION)
		raisef(L, line, "run: expected a function, got %s",
		    luaL_typename(L, -1));
	pc->body_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	cfg->nprocs++;
	s->in_api = 0;
	return 0;
}

static const char *const irq_keys[] = {
	"consumer", "hold", "name", "pages", "rate", "sockbuf", "start", NULL,
};

/* An interrupt_load's consumer must name a process{} (declared anywhere). */
static int check_consumers(const struct config *cfg, const char *path,
    char *err, size_t errlen)
{
	int i, k;

	for (i = 0; i < cfg->nirqs; i++) {
		const struct irq_cfg *q = &cfg->irqs[i];
		if (!q->consumer[0])
			continue;
		for (k = 0; k < cfg->nprocs; k++)
			if (strcmp(cfg->procs[k].name, q->consumer) == 0)
				break;
		if (k == cfg->nprocs) {
			snprintf(err, errlen, "%s:%d: consumer '%s' is not a "
			    "process{}", path, q->line, q->consumer);
			return -1;
		}
	}
	return 0;
}

static int l_interrupt_load(lua_State *L)
{
	struct config *cfg;
	struct irq_cfg *q;
	struct script *s;
	struct tbl t;
	int line, i;

	s = api_enter(L, "interrupt_load", &line);
	cfg = s->cfg;
	check_known(L, 1, line, irq_keys, "interrupt_load");
	if (cfg->nirqs == CFG_MAX_IRQ)
		raisef(L, line, "too many interrupt_load{} declarations "
		    "(max %d)", CFG_MAX_IRQ);
	q = &cfg->irqs[cfg->nirqs];
	memset(q, 0, sizeof(*q));
	q->pages = 1;
	t = (struct tbl){ L, 1, line };
	if (!opt_name(&t, "name", q->name, sizeof(q->name)))
		snprintf(q->name, sizeof(q->name), "irq%d", cfg->nirqs + 1);
	for (i = 0; i < cfg->nirqs; i++)
		if (strcmp(cfg->irqs[i].name, q->name) == 0)
			raisef(L, line, "duplicate interrupt_load name '%s'",
			    q->name);
	if (!field(&t, "rate"))
		raisef(L, line, "interrupt_load{} needs a rate");
	lua_pop(L, 1);
	opt_real(&t, "rate", &kind_rate, &q->rate);
	if (!(q->rate > 0))
		raisef(L, line, "rate must be > 0");
	opt_long(&t, "pages", 1, LUA_MAXINTEGER, &q->pages);
	opt_real(&t, "hold", &kind_time, &q->hold);
	opt_real(&t, "start", &kind_time, &q->start);
	opt_name(&t, "consumer", q->consumer, sizeof(q->consumer));
	q->sockbuf = 256 << 10;
	opt_size(&t, "sockbuf", &q->sockbuf);
	if (q->consumer[0] && q->sockbuf < 4096)
		raisef(L, line, "sockbuf must hold at least one page");
	q->line = line;
	cfg->nirqs++;
	s->in_api = 0;
	return 0;
}

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
			raisef(L, line, "param '%s': value is longer than "
			    "%zu bytes", name, sizeof(value) - 1);
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
		raisef(L, line, "too many parameters (max %d)", CFG_MAX_PARAMS);
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
			raisef(L, line, "param '%s': expected a number, got "
			    "'%s'", name, value);
		if (!isfinite(lua_tonumber(L, -1)))
			raisef(L, line, "param '%s': expected a finite number, "
			    "got '%s'", name, value);
		break;
	case LUA_TBOOLEAN:
		if (strcmp(value, "true") == 0)
			lua_pushboolean(L, 1);
		else if (strcmp(value, "false") == 0)
			lua_pushboolean(L, 0);
		else
			raisef(L, line, "param '%s': expected true or false, "
			    "got '%s'", name, value);
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
	int line = caller_line(L), i, t;

	if (!s->loading)
		raisef(L, line, "param() can only be used while the scenario "
		    "loads");
	s->in_api = 1;
	to_name(L, 1, line, "param name", name, sizeof(name));
	t = lua_type(L, 2);
	if (t != LUA_TNUMBER && t != LUA_TBOOLEAN && t != LUA_TSTRING)
		raisef(L, line, "param '%s': the default must be a number, "
		    "boolean or string, got %s", name, luaL_typename(L, 2));
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
		describe(L, -1, buf, len);
		return;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		raisef(L, line, "sweep: %s: expected a string, a number or a "
		    "list of them, got %s", name, luaL_typename(L, -1));
	v = lua_tostring(L, -1);
	if (strlen(v) >= len)
		raisef(L, line, "sweep: %s: value is longer than %zu bytes",
		    name, len - 1);
	snprintf(buf, len, "%s", v);
}

/* A list { "a", "b" } becomes "a,b"; items must not hold commas. */
static void axis_list(lua_State *L, int line, const char *name, char *out,
    size_t len)
{
	struct keycheck kc = { NULL, 0, NULL, NULL };
	char item[CFG_SWEEP_LEN];
	size_t used = 0;
	lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);

	kc.array_len = n;
	check_keys(L, -1, line, &kc, "sweep");
	if (n == 0)
		raisef(L, line, "sweep: %s: empty list", name);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		axis_item(L, line, name, item, sizeof(item));
		lua_pop(L, 1);
		if (strchr(item, ',') != NULL)
			raisef(L, line, "sweep: %s: list item '%s' holds a "
			    "comma", name, item);
		if (used + strlen(item) + 2 > len)
			raisef(L, line, "sweep: %s: list is longer than %zu "
			    "bytes", name, len - 1);
		used += (size_t)snprintf(out + used, len - used, "%s%s",
		    i > 1 ? "," : "", item);
	}
}

static int l_sweep(lua_State *L)
{
	struct axis_names an;
	struct keycheck kc;
	struct script *s;
	struct sweep_axis *a;
	int line, i;

	s = api_enter(L, "sweep", &line);
	once(L, line, &s->sweep_line, "sweep");
	an.n = an.overflow = 0;
	kc = (struct keycheck){ NULL, 0, record_axis, &an };
	check_keys(L, 1, line, &kc, "sweep");
	if (an.overflow)
		raisef(L, line, "sweep: too many axes (max %d)", CFG_MAX_SWEEP);
	qsort(an.name, (size_t)an.n, sizeof(an.name[0]), cmp_name);
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
	s->in_api = 0;
	return 0;
}

static const luaL_Reg api_funcs[] = {
	{ "scenario", l_scenario },
	{ "machine", l_machine },
	{ "kernel", l_kernel },
	{ "process", l_process },
	{ "interrupt_load", l_interrupt_load },
	{ "param", l_param },
	{ "sweep", l_sweep },
	{ NULL, NULL },
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
		raisef(L, line, "%s: call it as p:%s(...)", method, method);
	if ((*pp)->co != L)
		raisef(L, line, "%s: process '%s' used outside its own body",
		    method, (*pp)->name);
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
	int line = caller_line(L);
	struct script_proc *sp = check_proc(L, "mmap", line);
	struct request req;
	struct tbl t;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_MMAP;
	req.line = line;
	req.bytes = to_size(L, 2, line, "mmap");
	if (req.bytes == 0)
		raisef(L, line, "mmap: size must be > 0");
	if (!lua_isnoneornil(L, 3)) {
		if (lua_type(L, 3) != LUA_TTABLE)
			raisef(L, line, "mmap: options must be a table, got %s",
			    luaL_typename(L, 3));
		check_known(L, 3, line, mmap_keys, "mmap");
		t = (struct tbl){ L, 3, line };
		opt_name(&t, "file", req.file, sizeof(req.file));
	}
	sp->req = req;
	sp->has_req = 1;
	lua_settop(L, 1);
	return lua_yieldk(L, 0, req.file[0] != '\0' ? REGION_FILE :
	    REGION_ANON, mmap_done);
}

/* A live region of this process: its handle, and *kind. */
static int region_arg(lua_State *L, int line, const char *method, int *kind)
{
	lua_Integer r;
	int isint = 0;

	r = lua_type(L, 2) == LUA_TNUMBER ? lua_tointegerx(L, 2, &isint) : 0;
	*kind = 0;
	if (isint && r >= 0 && r <= INT_MAX) {
		lua_getiuservalue(L, 1, 1);
		lua_rawgeti(L, -1, r);
		*kind = (int)lua_tointeger(L, -1);
		lua_pop(L, 2);
	}
	if (*kind == 0)
		raisef(L, line, "%s: bad region", method);
	return (int)r;
}

static int l_munmap(lua_State *L)
{
	int line = caller_line(L), kind;
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

		describe(L, -1, got, sizeof(got));
		raisef(L, line, "write: expected a boolean or a probability "
		    "from 0 to 1, got %s", got);
	}
	return w;
}

static int l_touch(lua_State *L)
{
	int line = caller_line(L), kind;
	struct script_proc *sp = check_proc(L, "touch", line);
	struct request req;
	struct tbl t;
	long v;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_TOUCH;
	req.line = line;
	req.pages = -1;
	req.region = region_arg(L, line, "touch", &kind);
	if (!lua_isnoneornil(L, 3)) {
		if (lua_type(L, 3) != LUA_TTABLE)
			raisef(L, line, "touch: options must be a table, got %s",
			    luaL_typename(L, 3));
		check_known(L, 3, line, touch_keys, "touch");
		t = (struct tbl){ L, 3, line };
		v = -1;
		opt_long(&t, "pages", 1, LUA_MAXINTEGER, &v);
		req.pages = v;
		v = 0;
		opt_long(&t, "offset", 0, LUA_MAXINTEGER, &v);
		req.offset = v;
		opt_bool(&t, "random", &req.random);
		if (field(&t, "write")) {
			req.write = touch_write(L, line);
			lua_pop(L, 1);
		}
	}
	if (kind == REGION_FILE && req.write > 0)
		raisef(L, line, "touch: region %d is a read-only file mapping",
		    req.region);
	return yield_request(L, sp, &req);
}

static int l_compute(lua_State *L)
{
	int line = caller_line(L);
	struct script_proc *sp = check_proc(L, "compute", line);
	struct request req;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_COMPUTE;
	req.line = line;
	req.seconds = to_real(L, 2, line, "compute", &kind_time);
	return yield_request(L, sp, &req);
}

static int l_sleep(lua_State *L)
{
	int line = caller_line(L);
	struct script_proc *sp = check_proc(L, "sleep", line);
	struct request req;

	memset(&req, 0, sizeof(req));
	req.kind = REQ_SLEEP;
	req.line = line;
	req.seconds = to_real(L, 2, line, "sleep", &kind_time);
	return yield_request(L, sp, &req);
}

static const luaL_Reg proc_methods[] = {
	{ "mmap", l_mmap },
	{ "munmap", l_munmap },
	{ "touch", l_touch },
	{ "compute", l_compute },
	{ "sleep", l_sleep },
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
	key_name(L, 2, name, sizeof(name));
	raisef(L, caller_line(L), "unknown process field '%s'", name);
}

static int proc_newindex(lua_State *L)
{
	char name[128];

	key_name(L, 2, name, sizeof(name));
	raisef(L, caller_line(L), "cannot set '%s': process objects are "
	    "read-only", name);
}

/* ---------------------------------------------------------------------
 * The sandbox.
 */

static int strict_index(lua_State *L)
{
	char name[128];

	key_name(L, 2, name, sizeof(name));
	raisef(L, caller_line(L), "unknown name '%s'", name);
}

static int strict_newindex(lua_State *L)
{
	char name[128];

	key_name(L, 2, name, sizeof(name));
	raisef(L, caller_line(L), "assignment to undeclared global '%s'",
	    name);
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
	luaL_setfuncs(L, api_funcs, 0);

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

	luaL_newmetatable(L, PROC_MT);
	lua_pushcfunction(L, proc_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, proc_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);

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

static void config_defaults(struct config *cfg, const char *path,
    uint64_t seed)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->seed = seed;
	cfg->duration = 60;
	cfg->watchdog = 10;
	cfg->sample_every = 0.1;

	cfg->ram = (uint64_t)256 << 20;
	cfg->ncpus = 2;
	cfg->swap = (uint64_t)1 << 30;
	cfg->swap_write_bw = 100.0 * (1 << 20);
	cfg->swap_read_bw = 200.0 * (1 << 20);
	cfg->swap_latency = 2e-3;
	cfg->file_read_bw = 200.0 * (1 << 20);
	cfg->file_latency = 5e-3;
	cfg->kva = (uint64_t)8 << 30;
	cfg->touch_cost = 50 / 1e9;
	cfg->fault_cost = 2 / 1e6;
	cfg->scan_cost = 100 / 1e9;
	cfg->pass_cost = 20 / 1e6;
	cfg->quantum = 1 / 1e3;

	zone_defaults(&cfg->swapmeta);
	snprintf(cfg->swapmeta.name, sizeof(cfg->swapmeta.name), "SWAPMETA");
	snprintf(cfg->swapmeta.allocator, sizeof(cfg->swapmeta.allocator),
	    "zalloc");
	cfg->swapmeta.exclusive = 1;
}

/* The file's base name without ".lua". */
static void default_name(struct config *cfg, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".lua") == 0)
		n -= 4;
	if (n >= sizeof(cfg->name))
		n = sizeof(cfg->name) - 1;
	memcpy(cfg->name, base, n);
	cfg->name[n] = '\0';
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
		format_error(s, L, status, err, errlen);
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
		format_error(s, s->co, status, err, errlen);
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
	config_defaults(cfg, path, seed);
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
		snprintf(err, errlen, "%s: Lua memory limit exceeded (%zu bytes)",
		    s->path, s->limit);
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
		format_error(s, s->L, status, err, errlen);
		goto fail;
	}
	if (compile(s, buf, len, err, errlen) != 0 ||
	    run_chunk(s, err, errlen) != 0)
		goto fail;
	if (cfg->nprocs == 0) {
		snprintf(err, errlen, "%s: scenario starts no process", s->path);
		goto fail;
	}
	if (check_consumers(cfg, s->path, err, errlen) != 0)
		goto fail;
	if (cfg->name[0] == '\0')
		default_name(cfg, s->path);
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
	struct script_proc *sp, *next;

	if (s == NULL)
		return;
	if (s->L != NULL)
		lua_close(s->L);
	for (sp = s->procs; sp != NULL; sp = next) {
		next = sp->next;
		free(sp);
	}
	free(s);
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
		one_line(err);
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
		format_error(s, sp->co, status, err, errlen);
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
