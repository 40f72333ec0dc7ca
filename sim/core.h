/*
 * core: the simulation engine, as the model sees it.
 *
 * This is the only interface between the VM model and SimGrid.  It offers
 * simulated threads (SimGrid actors), simulated time (CPU work and sleeps),
 * the swap and file devices (SimGrid's disk model plus a fixed latency),
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

/* A simulated thread.  The model keeps its own data in `arg`. */
struct core_thread {
	char name[48];
	enum core_thread_kind kind;
	int cpu;			/* the CPU it runs on (per-CPU caches) */
	unsigned td_flags;		/* the model's TDF_* flags */
	int nice;			/* p_nice of a user process */
	void *arg;
	void (*fn)(struct core_thread *);

	/* while sleeping */
	struct core_chan *chan;		/* NULL when running */
	const char *wmesg;		/* the sleep's name: chan's, or given */
	struct core_thread *wnext;
	double wait_since;
	char need[CORE_NEED_LEN];	/* what would wake it, in words */
	int woken;
	int memwait;			/* the sleep is a wait for memory */
	int timed;			/* the sleep has a timeout */

	int exited;
	void *sg_sem;			/* private semaphore; opaque here */
	struct core_thread *next_all;
};

struct core_platform {
	int ncpus;
	double cpu_flops;		/* flops per second per core */
	double swap_read_bw, swap_write_bw, swap_latency;
	double file_read_bw, file_latency;
};

enum core_disk { CORE_DISK_SWAP, CORE_DISK_FILE };

/* Engine life cycle: once per process (each run is a forked child). */
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
struct core_thread *core_threads(void);	/* list, via next_all */
int core_nprocs_alive(void);

/* Time passes for the calling thread. */
void core_cpu(double seconds);		/* CPU work, shared among ncpus cores */
void core_sleep(double seconds);
void core_disk_io(enum core_disk disk, double bytes, int write);

/* Wait channels. */
void core_chan_init(struct core_chan *ch, const char *name);
/*
 * Sleep on `ch` until woken or `timeout` seconds passed (timeout < 0:
 * forever).  `need` (printf format) says what would wake the thread; it
 * is kept for deadlock reports.  Returns 0 when woken, 1 on timeout.
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
/* Update the words of a sleeping thread (e.g. a changing need). */
void core_set_need(struct core_thread *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counters for the engine benchmark. */
extern unsigned long core_sg_calls;

const char *core_simgrid_version(void);

#endif
