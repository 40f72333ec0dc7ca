/*
 * script: Lua scenarios.
 *
 * Loads a scenario file in a sandboxed Lua 5.4 state (base without
 * dofile/loadfile/collectgarbage, table, string, math, utf8; text chunks
 * only; undefined globals are errors), runs its top level once, and fills
 * a struct config from the scenario{}, machine{}, kernel{}, process{} and
 * interrupt_load{} tables.  Process bodies stay Lua functions: each
 * simulated process runs its body as a coroutine whose p:... calls yield
 * a struct request; the process thread performs it (possibly sleeping in
 * simulated time) and resumes the coroutine with the result.  No Lua C
 * function here ever blocks in the engine.
 */
#ifndef MEMSIM_SCRIPT_H
#define MEMSIM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct script;
struct script_proc;

enum req_kind { REQ_MMAP, REQ_MUNMAP, REQ_TOUCH, REQ_COMPUTE, REQ_SLEEP };

struct request {
	enum req_kind kind;
	int region;		/* REQ_MUNMAP, REQ_TOUCH: handle from mmap */
	uint64_t bytes;		/* REQ_MMAP */
	char file[CFG_NAME_LEN];	/* REQ_MMAP: file name; "" anonymous */
	int64_t pages;		/* REQ_TOUCH: pages to touch; -1 all */
	int64_t offset;		/* REQ_TOUCH: first page (sequential) */
	int random;		/* REQ_TOUCH: uniform random pages */
	double write;		/* REQ_TOUCH: probability of a write, 0..1 */
	double seconds;		/* REQ_COMPUTE, REQ_SLEEP */
	int line;		/* scenario line of the call */
};

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

/* A coroutine for one instance of a process{} declaration. */
struct script_proc *script_proc_create(struct script *s,
    const struct proc_cfg *pc, int instance, const char *name);
/*
 * Resume the body; `retval` is the result of the previous request (the
 * region handle for REQ_MMAP).  Returns 1 with *req filled when the body
 * made a request, 0 when it returned, -1 on an error ("file:line: msg").
 */
int script_proc_resume(struct script_proc *sp, int64_t retval,
    struct request *req, char *err, size_t errlen);

#endif
