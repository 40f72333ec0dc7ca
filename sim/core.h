/*
 * core: the simulation engine, as the model sees it.
 *
 * This is the only interface between the VM model and SimGrid.  It offers
 * simulated threads (SimGrid actors), simulated time (CPU work and sleeps),
 * and wait channels: a kernel-named sleep queue ("vmwait", "VMWait",
 * "wswbuf2", ...) that knows which threads sleep on it and what each of
 * them needs, so that a deadlock report needs no extra bookkeeping.
 *
 * Every function here that can let simulated time pass must be called
 * from a simulated thread, never from a Lua C function and never from a
 * SimGrid callback.
 */
#ifndef MEMSIM_CORE_H
#define MEMSIM_CORE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

struct core_thread;

/* A sleep queue named as in the kernel (the wmesg of tsleep()). */
struct core_chan {
	const char *name;
	struct core_thread *head, *tail;	/* FIFO of sleepers */
	int nwaiters;
};

enum core_thread_kind {
	CORE_KTHREAD,		/* kernel thread: a SimGrid daemon actor */
	CORE_PROC,		/* user process: ends the simulation when all exit */
};

#define CORE_NEED_LEN 160

/*
 * What a sleeping thread needs, as data.  Each sleep records one; the
 * deadlock verdict (sim/verdict.c) reads the fields, and a report turns
 * them into words (core_need_format()) only when it shows them, so a
 * wait costs a struct copy, not a printf.  Which fields a kind uses is
 * said beside it; the rest stay 0.  Strings are static (never freed).
 */
enum core_need_kind {
	CORE_NEED_TEXT,		/* words only (core_wait()); the verdict
				 * cannot read them */
	CORE_NEED_PAGES,	/* `count` more pages at allocation class
				 * `cls` (admitted while free > floor):
				 * page `index` of `total` when total > 0 */
	CORE_NEED_FREE_LEVEL,	/* free+cache >= level and free >= floor
				 * (vm_wait_pfault()'s loop condition) */
	CORE_NEED_MAPENT,	/* map entries: the MAP ENTRY zone, being
				 * refilled by `holder` */
	CORE_NEED_KVA,		/* `count` bytes of kernel_map */
	CORE_NEED_PBUF,		/* a pbuf of the pool `what` (`count` max) */
	CORE_NEED_SWAP,		/* `count` pages of swap space */
	CORE_NEED_SOCKET,	/* socket buffer space, or its reader */
	CORE_NEED_ZONE,		/* an object from the zone `what`, by an
				 * allocator the verdict does not model */
	CORE_NEED_IO,		/* an I/O completion: page `index` of
				 * object `object` on the device `what` */
	CORE_NEED_TIMER,	/* a timed sleep that only time ends */
	CORE_NEED_WORK,		/* idle: work handed over by another thread
				 * (timed: a poll that looks for work) */
	CORE_NEED_SCAN,		/* a timed poll whose pass acts only on
				 * pages of the page queues (`what` says
				 * which): waking changes something only
				 * while such pages are queued */
	CORE_NEED_WAKEUP,	/* a wakeup from `holder`, or from a thread
				 * of role `from` */
	CORE_NEED_NEVER,	/* nothing can wake it (the kernel panicked) */
	CORE_NEED_NKINDS
};

/* What a thread is, for the verdict and for deadlock signatures. */
enum core_role {
	CORE_ROLE_KTHREAD,	/* a kernel thread with no role below */
	CORE_ROLE_USER,		/* a user process (CORE_PROC's default) */
	CORE_ROLE_PAGEDAEMON,	/* vm_pageout */
	CORE_ROLE_EMERGPAGER,	/* the emergency pager */
	CORE_ROLE_RX,		/* an interrupt / network receive load */
	CORE_ROLE_KMPOLL,	/* kmalloc_poller */
	CORE_ROLE_SWAPIO,	/* a swap device thread */
	CORE_ROLE_FILEIO,	/* a file device thread */
	CORE_ROLE_NROLES
};


struct core_need {
	enum core_need_kind kind;
	const char *what;	/* who asks, or the resource's name */
	const char *cls_name;	/* PAGES: the class in words ("SYSTEM") */
	int cls;		/* PAGES: the class bits (VM_ALLOC_*) */
	int from;		/* WAKEUP: enum core_role of the waker */
	int64_t count;		/* PAGES: pages still needed; KVA: bytes */
	int64_t index, total;	/* PAGES: page index of total; IO: pindex */
	int64_t floor, level;	/* PAGES: floor; FREE_LEVEL: both */
	const char *floor_name, *level_name;	/* FREE_LEVEL: thresholds */
	int64_t free, cache;	/* the page counts when it went to sleep */
	int64_t object;		/* IO: the object */
	const struct core_thread *holder;	/* MAPENT, WAKEUP */
};

/* The sleep is a wait for memory (vmwait, pfault, VMWait, a refill). */
int core_need_memwait(enum core_need_kind kind);
/* The need in words, e.g. "kmem_slab_alloc: page 7 of 32 at SYSTEM; ..." */
void core_need_format(const struct core_need *n, char *buf, size_t len);
const char *core_need_kind_name(enum core_need_kind kind);
const char *core_role_name(enum core_role role);

/* A simulated thread.  The model keeps its own data in `arg`. */
struct core_thread {
	char name[48];
	enum core_thread_kind kind;
	enum core_role role;		/* set by whoever spawns it */
	int cpu;			/* the CPU it runs on (per-CPU caches) */
	unsigned td_flags;		/* the model's TDF_* flags */
	int nice;			/* p_nice of a user process */
	void *arg;
	void (*fn)(struct core_thread *);

	/* while sleeping (chan != NULL) or spinning (spinning != 0) */
	struct core_chan *chan;		/* NULL when running */
	const char *wmesg;		/* the sleep's name: chan's, or given */
	struct core_thread *wnext;
	double wait_since;
	struct core_need need;		/* what would wake it, as data */
	int woken;
	int memwait;			/* the sleep is a wait for memory */
	int timed;			/* the sleep has a timeout */
	int spinning;			/* in core_spin(): retrying `need` */

	int exited;
	void *sg_sem;			/* private semaphore; opaque here */
	struct core_thread *next_all;
	char need_text[CORE_NEED_LEN];	/* CORE_NEED_TEXT's words, and
					 * core_need_text()'s buffer */
};

/* The thread's need in words (formatted now, into t->need_text). */
const char *core_need_text(struct core_thread *t);

struct core_platform {
	int ncpus;
	double cpu_flops;		/* flops per second per core */
};

/*
 * Engine life cycle: once per process (each run is a forked child).
 * core_engine_start() starts SimGrid without a machine; a parent that
 * forks many runs calls it once, so that no child repeats it.
 * core_init() starts it if that was not done, then builds the machine.
 */
void core_engine_start(void);
/*
 * Can a process fork() in the middle of a run and simulate on in both?
 * With raw contexts every actor lives on one thread, so yes; the thread
 * contexts of sanitizer builds would leave the child with one thread.
 */
int core_can_fork_run(void);
void core_init(const struct core_platform *plat);
struct core_thread *core_spawn(const char *name, enum core_thread_kind kind,
    int cpu, void (*fn)(struct core_thread *), void *arg);

enum core_stop {
	CORE_RUNNING,		/* stopped at the requested time */
	CORE_ALL_EXITED,	/* every user process has exited */
	CORE_HARD_DEADLOCK,	/* SimGrid: every thread blocked, no timer */
};
/* Run the simulation until simulated time `until`. */
enum core_stop core_run_until(double until);

double core_now(void);
/* When the last of the sleeping threads went to sleep. */
double core_blocked_since(void);
struct core_thread *core_self(void);
/* The calling thread's CPU, mycpu->gd_cpuid (0 outside the engine). */
int core_curcpu(void);
struct core_thread *core_threads(void);	/* list, via next_all */
int core_nprocs_alive(void);

/* Time passes for the calling thread. */
void core_cpu(double seconds);		/* CPU work, shared among ncpus cores */
void core_sleep(double seconds);

/* Wait channels. */
void core_chan_init(struct core_chan *ch, const char *name);
/*
 * Sleep on `ch` until woken or `timeout` seconds passed (timeout < 0:
 * forever), as tsleep(ident, ..., wmesg, timo): `wmesg` NULL means the
 * channel's name.  `need` (copied) says what would wake the thread; it
 * is kept for the verdict and for reports.  Returns 0 when woken, 1 on
 * timeout.
 */
int core_wait_need(struct core_chan *ch, const char *wmesg, double timeout,
    const struct core_need *need);
/*
 * The same with the need in words only (CORE_NEED_TEXT, printed at once):
 * for sleeps the verdict need not read.  Prefer core_wait_need().
 */
int core_wait(struct core_chan *ch, double timeout, int memwait,
    const char *need, ...) __attribute__((format(printf, 4, 5)));
/* The same, with its own wmesg, as tsleep(ident, ..., wmesg): several
 * sleeps can share one channel under different names. */
int core_wait_wmesg(struct core_chan *ch, const char *wmesg, double timeout,
    int memwait, const char *need, ...)
    __attribute__((format(printf, 5, 6)));
/* Wake every sleeper (wakeup()) or the first one (wakeup_one()). */
void core_wakeup(struct core_chan *ch);
void core_wakeup_one(struct core_chan *ch);
/* Update what a sleeping thread needs (e.g. a changing need). */
void core_set_need(struct core_thread *t, const struct core_need *need);
/*
 * CPU time spent retrying `need` without sleeping (a kernel spin, e.g.
 * swp_pager_meta_build() when vm_wait() returns at once): the thread
 * counts as waiting for `need` while the time passes.
 */
void core_spin(const struct core_need *need, double seconds);

/*
 * Progress, as the model counts it: `fn` returns a counter that grows
 * whenever work is done (pages freed, I/Os completed, process steps).
 * The engine reads it each time a thread lets time pass, so it knows
 * when the last progress happened to the simulated instant.  When
 * progress resumes after a gap of at least `gap_min` seconds, `on_gap`
 * is called (from a thread; it must not block) with the gap's start and
 * end.  fn NULL turns the tracking off.
 */
void core_set_progress(int64_t (*fn)(void), double gap_min,
    void (*on_gap)(double start, double end));
/* When the progress counter last changed (0 before any). */
double core_last_progress(void);
/* The longest gap between two changes of the counter so far. */
double core_longest_gap(void);

/* Counters for the engine benchmark: calls, and calls by kind and role. */
enum core_call_kind {
	CORE_CALL_CPU, CORE_CALL_SLEEP, CORE_CALL_WAIT, CORE_CALL_TIMED_WAIT,
	CORE_CALL_WAKE, CORE_CALL_NKINDS
};
extern unsigned long core_sg_calls;
extern unsigned long core_sg_calls_by[CORE_CALL_NKINDS][CORE_ROLE_NROLES];
/* "engine_calls KIND ROLE N" lines, one per pair that was called. */
void core_print_calls(FILE *f);

const char *core_simgrid_version(void);

#endif
