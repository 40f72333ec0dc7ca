/*
 * proc: simulated user processes.
 *
 * Each instance of a process{} declaration is a user thread that runs its
 * Lua body as a coroutine and performs what the body asks: mmap, touch
 * (page faults through vm_fault), compute, sleep, munmap.  Page touches
 * run in plain C and accumulate simulated CPU time, which is charged in
 * quanta, so one engine call covers thousands of touches.
 */
#ifndef MEMSIM_PROC_H
#define MEMSIM_PROC_H

#include <stdint.h>

#include "config.h"
#include "core.h"
#include "rng.h"
#include "script.h"
#include "vm_model.h"

struct region {
	struct vm_object *obj;
	int live;
	int64_t cursor;		/* next page of a sequential touch */
};

struct proc {
	char name[CFG_NAME_LEN];
	int pid;
	int index;		/* instance, 1-based */
	const struct proc_cfg *cfg;
	struct core_thread *td;
	struct script_proc *sp;
	struct region *regions;
	int nregions;
	double cpu_pending;	/* simulated CPU not yet charged */
	/* map->pgout_offset of the RLIMIT_RSS scan: region, page */
	int pgout_region;
	uint32_t pgout_pindex;
	struct rng rng;
	int killed;		/* P_LOWMEMKILL */
	int exited;
	char error[256];	/* a Lua error that ended it */
	int64_t requests;	/* p:... calls done, for a survived run */
	int line;		/* the scenario line of the current one */
	struct proc *next;
};

extern struct proc *allproc;

/* Start every process of the config; returns -1 on a scenario error. */
void proc_start_all(const struct config *cfg, struct script *s);
/* vmspace_anonymous_count + vmspace_swap_count, for the OOM killer. */
int64_t proc_anon_pages(const struct proc *p);
/* killproc(): mark it; the process exits at its next step. */
void proc_kill(struct proc *p, const char *why);
/* Charge pending CPU time now (before a sleep). */
void proc_flush_cpu(struct proc *p);
/* A new mapping of `bytes` (a file's when `file` is non-empty): its
 * 1-based handle, -1 bad size, -2 a file mapped larger than before. */
int64_t proc_mmap(struct proc *p, uint64_t bytes, const char *file);
/* A live region by handle, or NULL. */
struct region *proc_region(struct proc *p, int handle);
/* The first Lua error of any process, or NULL. */
const char *proc_error(void);
/*
 * Which processes are still running and how far they got, in one line
 * ("db.1 at line 20 after 85 requests, in vmwait; ..."; "" when none),
 * for a run that survived its duration.
 */
void proc_survivors(char *buf, size_t len);

#endif
