/*
 * script_state: what the script modules share about one loaded
 * scenario, and the strict readers they all use.
 *
 * struct script is the state of one scenario's sandbox: its lua_State,
 * the config being filled while the chunk runs, the memory and
 * instruction limits, and the first configuration error.  The readers
 * turn Lua values into sizes, times, rates, bandwidths, integers,
 * booleans and names through the one units parser, and raise
 * "path:line: what" errors; the key checks reject a table's unknown
 * keys, reporting the lexicographically smallest so the message never
 * depends on Lua's hash order.
 *
 * Internal to sim/script*.c: other modules use script.h.
 */
#ifndef MEMSIM_SCRIPT_STATE_H
#define MEMSIM_SCRIPT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "config.h"

#ifdef __GNUC__
#define SCRIPT_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define SCRIPT_PRINTF_LIKE(f, a)
#endif

#define SCRIPT_MSG_LEN		1024	/* a whole message, path included */

struct script_proc;

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
	char budget_msg[SCRIPT_MSG_LEN];

	int scenario_line, machine_line, kernel_line;	/* 0: not given */
	int sweep_line;
	/*
	 * A configuration error is fatal even when the scenario catches it
	 * with pcall(): in_api is set while scenario{}, machine{}, ...,
	 * param() run, and the first error raised then is kept in load_err.
	 */
	int in_api;
	char load_err[SCRIPT_MSG_LEN];
	struct script_proc *procs;	/* all coroutines, for destroy */
};

/* The script a lua_State (or any of its threads) belongs to. */
struct script *script_of(lua_State *L);

/* The line of the innermost Lua frame at `level` or above; 0: none. */
int script_line(lua_State *L, int level);
/* From a C function: the scenario line that called it. */
int script_caller_line(lua_State *L);
/* Newlines and tabs become spaces: every message is one line. */
void script_one_line(char *s);
/* Raise "path:line: what" (or "path: what" when no line is known). */
_Noreturn void script_raisef(lua_State *L, int line, const char *fmt, ...)
    SCRIPT_PRINTF_LIKE(3, 4);
/*
 * The one-line message for an error that ended thread `T` with
 * `status`, its error object on top.
 */
void script_format_error(struct script *s, lua_State *T, int status,
    char *err, size_t errlen);

/* A real quantity read through one of the units parsers. */
struct script_real_kind {
	const char *what;
	int (*parse)(const char *s, double *out, char *err, size_t errlen);
};

extern const struct script_real_kind script_kind_time;
extern const struct script_real_kind script_kind_rate;
extern const struct script_real_kind script_kind_bw;

/* "got ..." for a message: a number's value, otherwise its type. */
void script_describe(lua_State *L, int idx, char *buf, size_t len);
uint64_t script_to_size(lua_State *L, int idx, int line, const char *key);
double script_to_real(lua_State *L, int idx, int line, const char *key,
    const struct script_real_kind *k);
lua_Integer script_to_integer(lua_State *L, int idx, int line,
    const char *key, lua_Integer min, lua_Integer max);
int script_to_bool(lua_State *L, int idx, int line, const char *key);
/* A non-empty string that fits `len` bytes, no control characters. */
void script_to_name(lua_State *L, int idx, int line, const char *key,
    char *out, size_t len);

/*
 * Table fields.  Each script_opt_* leaves *out alone when the key is
 * absent (nil), so callers set defaults first.
 */
struct script_tbl {
	lua_State *L;
	int idx;
	int line;
};

/* Pushes t[key] and returns 1, or pushes nothing and returns 0 (nil). */
int script_field(const struct script_tbl *t, const char *key);
void script_opt_size(const struct script_tbl *t, const char *key,
    uint64_t *out);
void script_opt_real(const struct script_tbl *t, const char *key,
    const struct script_real_kind *k, double *out);
void script_opt_long(const struct script_tbl *t, const char *key,
    lua_Integer min, lua_Integer max, long *out);
void script_opt_int(const struct script_tbl *t, const char *key, int min,
    int max, int *out);
void script_opt_bool(const struct script_tbl *t, const char *key, int *out);
/* Returns 1 when the key was there (and read into out). */
int script_opt_name(const struct script_tbl *t, const char *key, char *out,
    size_t len);

/* Which keys a table may hold. */
struct script_keycheck {
	const char *const *known;	/* NULL-terminated */
	lua_Integer array_len;		/* keys 1..array_len are allowed */
	/* Accepts (and may record) a string key not in `known`. */
	int (*extra)(const char *key, void *ctx);
	void *ctx;
};

/* A key as a message shows it. */
void script_key_name(lua_State *L, int idx, char *buf, size_t len);
/* Raise "unknown option 'k' in what" for the smallest unknown key. */
void script_check_keys(lua_State *L, int idx, int line,
    const struct script_keycheck *kc, const char *what);
void script_check_known(lua_State *L, int idx, int line,
    const char *const *known, const char *what);

#endif
