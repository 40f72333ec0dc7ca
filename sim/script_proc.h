/*
 * script_proc: a scenario's process bodies as coroutines that yield
 * requests (p:mmap(), p:touch(), ...) for the simulated thread to
 * perform.  Declared through script.h for the rest of the simulator.
 */
#ifndef MEMSIM_SCRIPT_PROC_H
#define MEMSIM_SCRIPT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "script_trace.h"

struct script;
struct script_proc;
struct lua_State;

enum req_kind {
	REQ_MMAP, REQ_MUNMAP, REQ_TOUCH, REQ_COMPUTE, REQ_SLEEP, REQ_REPLAY,
};

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
	struct replay_req replay;	/* REQ_REPLAY */
	int line;		/* scenario line of the call */
};

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

/* The process objects' metatable, made once per lua_State (sandbox). */
void script_proc_register(struct lua_State *L);
/*
 * For methods defined in other modules (p:replay): the process object
 * at index 1, checked; yield a request; a live region argument at
 * index `idx` (*file set for a file mapping).
 */
struct script_proc *script_proc_check(struct lua_State *L,
    const char *method, int line);
int script_proc_yield(struct lua_State *L, struct script_proc *sp,
    const struct request *req);
int script_proc_region(struct lua_State *L, int idx, int line,
    const char *method, int *file);
/* Free a script's list of coroutines (their threads die with L). */
void script_proc_free_all(struct script_proc *sp);

#endif
