/*
 * config: one run's scenario, as plain data.
 *
 * The scenario module builds it from Lua at load time (units resolved,
 * options validated); the model reads only this struct.  The one
 * exception is process bodies, which stay Lua functions (body_ref).
 */
#ifndef MEMSIM_CONFIG_H
#define MEMSIM_CONFIG_H

#include <stdint.h>

#define CFG_NAME_LEN	64
#define CFG_MAX_PROCS	64
#define CFG_MAX_IRQ	16
#define CFG_MAX_TUNABLES 64
#define CFG_MAX_PARAMS	32
#define CFG_MAX_ZONES	16
#define CFG_MAX_SWEEP	16
#define CFG_SWEEP_LEN	256

/* A `-p name=value` given on the command line or by a sweep. */
struct param {
	char name[CFG_NAME_LEN];
	char value[CFG_NAME_LEN];
	int used;		/* the scenario read it with param() */
};

/*
 * One axis of the scenario's default sweep grid, sweep { N = "0..8" }:
 * the raw text ("a,b,c" or "lo..hi"), parsed by sim/sweep.c with the
 * same grammar as `memsim sweep -p name=...`.  "seeds" names the seeds.
 */
struct sweep_axis {
	char name[CFG_NAME_LEN];
	char values[CFG_SWEEP_LEN];
};

/* A kernel tunable set by name in machine{}, e.g. v_free_min = 500. */
struct tunable_set {
	char name[CFG_NAME_LEN];
	double value;
};

/* The allocator behind a kernel zone, e.g. kernel{ swapmeta = {...} }. */
struct zone_cfg {
	char name[CFG_NAME_LEN];	/* kernel zone name, e.g. "SWAPMETA" */
	char allocator[CFG_NAME_LEN];	/* registry name, e.g. "zalloc" */
	long reserve;			/* reserve_kmalloc_obj: N slabs */
	int refill_intnowait;		/* reserve top-up may dip to F > 0 */
	int exclusive;			/* only the swap pager takes reserve */
	int no_prealloc;		/* uma_reserve: no uma_prealloc() */
	int retry_waitok;		/* mempool: full-mask retry M_WAITOK */
	uint64_t objsize;		/* bytes; 0: the zone's kernel size */
	/* other kernel zones: a consumer load */
	double load_rate;		/* allocations per second */
	double load_hold;		/* seconds each object is held */
	long load_count;		/* objects per allocation burst */
};

struct proc_cfg {
	char name[CFG_NAME_LEN];
	int count;		/* instances */
	double start;		/* seconds */
	int nice;
	uint64_t rlimit_rss;	/* RLIMIT_RSS in bytes; 0: unlimited */
	int body_ref;		/* Lua registry reference of run(p) */
	int line;		/* where it was declared */
};

/*
 * Kernel consumers driven by arrivals, interrupt_load{}: by default a
 * network receive load taking mbuf clusters with m_getcl(M_NOWAIT);
 * class "interrupt": whole pages at VM_ALLOC_INTERRUPT.
 */
enum irq_class { IRQ_CLASS_MBUF, IRQ_CLASS_INTERRUPT };

struct irq_cfg {
	char name[CFG_NAME_LEN];
	int klass;		/* enum irq_class */
	double rate;		/* arrivals per second */
	long pages;		/* class interrupt: pages per arrival */
	long clusters;		/* class mbuf: mbuf clusters per arrival */
	double hold;		/* seconds held */
	double start;
	/* Receive buffers queued on the sockets of a process{}: freed only
	 * when that process reads them, i.e. is not asleep for memory. */
	char consumer[CFG_NAME_LEN];	/* process{} name; "" none */
	uint64_t sockbuf;		/* bytes per socket; full: dropped */
	int line;
};

struct config {
	/* scenario{} */
	char name[CFG_NAME_LEN];
	char path[512];
	char sha256[65];	/* of the scenario file's bytes */
	double duration;	/* simulated seconds */
	double watchdog;	/* livelock interval */
	double warmup;		/* receive loads start this much later */
	double sample_every;

	/* machine{} */
	uint64_t ram, swap;
	int ncpus;
	double swap_read_bw, swap_write_bw, swap_latency;
	double file_read_bw, file_latency;
	uint64_t kva;			/* kernel address space for kernel_map */
	struct tunable_set tunables[CFG_MAX_TUNABLES];
	int ntunables;

	/* costs of simulated work, seconds (machine{} too) */
	double touch_cost, fault_cost, scan_cost, pass_cost, quantum;

	/* kernel{} */
	int cold_boot;		/* boot = "cold": an empty kernel_map */
	struct zone_cfg swapmeta;
	int emergency_pager;		/* start the emergpager thread */
	struct zone_cfg zones[CFG_MAX_ZONES];	/* other kmalloc_obj zones */
	int nzones;
	int pf_memalloc;	/* the page daemon's pages ignore watermarks */

	struct proc_cfg procs[CFG_MAX_PROCS];
	int nprocs;
	struct irq_cfg irqs[CFG_MAX_IRQ];
	int nirqs;

	/* run identity */
	uint64_t seed;
	struct param params[CFG_MAX_PARAMS];
	int nparams;

	/* sweep{}: the default grid of `memsim sweep`, sorted by name */
	struct sweep_axis sweep[CFG_MAX_SWEEP];
	int nsweep;
	int sweep_line;			/* where sweep{} is, for messages */
};

#endif
