/*
 * script_trace: page-reference traces in scenarios.
 *
 * trace(path) opens a .mtr trace while the scenario loads (so a missing,
 * corrupt or newer trace is a scenario error, exit 2) and returns a
 * handle; p:replay(handle, { ... }) in a process body asks the process's
 * thread to replay it (sim/proc_replay.c).  Paths are relative to the
 * scenario's directory; absolute paths and ".." are refused, so a
 * scenario reads nothing outside its own tree, and a trace is read once,
 * whole, before the run starts.
 */
#ifndef MEMSIM_SCRIPT_TRACE_H
#define MEMSIM_SCRIPT_TRACE_H

#include <stdint.h>

struct lua_State;
struct mtr_trace;

/* How the trace's mappings become this process's mappings. */
enum replay_layout {
	REPLAY_EACH,	/* one p:mmap per trace mapping, of its size */
	REPLAY_ONE,	/* all folded onto one new anonymous mapping */
	REPLAY_REGION,	/* all folded onto an existing region */
};

/* How a page number shrinks onto fewer pages. */
enum replay_scale { REPLAY_PROPORTIONAL, REPLAY_MODULO };

struct replay_req {
	const struct mtr_trace *trace;
	const char *tag;	/* file objects' name prefix */
	enum replay_layout layout;
	int region;		/* REPLAY_REGION: handle */
	uint64_t scale_pages;	/* 0: full size */
	enum replay_scale scale_by;
	double speed;		/* instructions/s; 0: per-reference cost */
	double cost;		/* seconds per reference; < 0: touch_cost */
	int64_t loop;		/* passes over the trace, >= 1 */
};

/* Install trace() in the sandbox's environment (on top of the stack). */
void script_trace_register(struct lua_State *L);
/* p:replay(): a method of process objects (sim/script_proc.c). */
int script_trace_replay(struct lua_State *L);

#endif
