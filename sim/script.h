/*
 * script: Lua scenarios.
 *
 * Loads a scenario file in a sandboxed Lua 5.4 state (base without
 * dofile/loadfile/collectgarbage, table, string, math, utf8; text chunks
 * only; undefined globals are errors), runs its top level once, and fills
 * a struct config from the scenario{}, machine{}, kernel{}, process{} and
 * interrupt_load{} tables (script_config).  Process bodies stay Lua
 * functions (script_proc): each simulated process runs its body as a
 * coroutine whose p:... calls yield a struct request; the process
 * thread performs it (possibly sleeping in simulated time) and resumes
 * the coroutine with the result.  No Lua C function here ever blocks in
 * the engine.
 */
#ifndef MEMSIM_SCRIPT_H
#define MEMSIM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "script_proc.h"

struct script;

struct script_limits {
	uint64_t mem_bytes;		/* Lua heap limit */
	uint64_t instructions;		/* instruction budget, 0: none */
};

/*
 * Load `path` with the given -p parameters and seed into cfg.  Returns
 * NULL and a one-line message "file:line: what" in err on any error.
 * Marks each param the scenario read (params[i].used) and stores the
 * values param() returned in cfg->params (defaults included).
 */
struct script *script_load(const char *path, struct param *params,
    int nparams, uint64_t seed, const struct script_limits *lim,
    struct config *cfg, char *err, size_t errlen);
/*
 * script_load() of scenario text already in memory (the fuzz targets);
 * `path` only names it in messages and in cfg->path.
 */
struct script *script_load_buffer(const char *path, const char *text,
    size_t len, struct param *params, int nparams, uint64_t seed,
    const struct script_limits *lim, struct config *cfg, char *err,
    size_t errlen);
void script_destroy(struct script *s);

#endif
