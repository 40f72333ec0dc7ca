/*
 * simrun: see simrun.h.
 */
#include "simrun.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators/alloc.h"
#include "blkdev.h"
#include "core.h"
#include "kload.h"
#include "kmem.h"
#include "proc.h"
#include "swap_pager.h"
#include "trace.h"
#include "verdict.h"
#include "vm_fault.h"
#include "vm_model.h"
#include "vm_pageout.h"

#define SWAP_DEVICE_DEPTH 4	/* requests served at once */
#define FILE_DEVICE_DEPTH 4

static void json_str(char *out, size_t len, size_t *pos, const char *s)
{
	for (; *s && *pos + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			*pos += (size_t)snprintf(out + *pos, len - *pos, "\\%c", c);
		else if (c < 0x20)
			*pos += (size_t)snprintf(out + *pos, len - *pos,
			    "\\u%04x", c);
		else
			out[(*pos)++] = (char)c;
	}
	out[*pos] = 0;
}

void simrun_params_json(const struct config *cfg, char *out, size_t len)
{
	size_t pos = 0;
	int i;

	pos += (size_t)snprintf(out, len, "{");
	for (i = 0; i < cfg->nparams && pos + 8 < len; i++) {
		if (i > 0)
			out[pos++] = ',';
		out[pos++] = '"';
		json_str(out, len, &pos, cfg->params[i].name);
		pos += (size_t)snprintf(out + pos, len - pos, "\":\"");
		json_str(out, len, &pos, cfg->params[i].value);
		out[pos++] = '"';
	}
	snprintf(out + pos, len - pos, "}");
}

static int someone_waits_for_memory(void)
{
	struct core_thread *t;

	for (t = core_threads(); t != NULL; t = t->next_all)
		if (!t->exited && t->chan != NULL && t->memwait)
			return 1;
	return 0;
}

static void sample(struct result *res, double t)
{
	struct sample_row s;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.free = vmstats.v_free_count;
	s.cache = vmstats.v_cache_count;
	s.inactive = vmstats.v_inactive_count;
	s.active = vmstats.v_active_count;
	s.wired = vmstats.v_wire_count;
	s.busy = vmstats.v_busy_count;
	s.swap_used = swap_total_pages - swap_free_pages;
	s.swapmeta_pages = swap_zone->stats.pages;
	s.kva_used = kmem_stats.kva_used;
	s.async_inflight = vm_swap_async_max() - nsw_wcount_async;
	s.reserve_level = swap_zone->stats.reserve_level;
	result_add_sample(res, &s);
}

static void emit_counter(void *ctx, const char *name, int64_t v)
{
	result_add_counter(ctx, name, v);
}

static void record_state(struct result *res)
{
	struct core_thread *t;
	struct alloc_zone *z;
	struct wait_row w;

	for (t = core_threads(); t != NULL; t = t->next_all) {
		if (t->exited)
			continue;
		memset(&w, 0, sizeof(w));
		snprintf(w.thread, sizeof(w.thread), "%s", t->name);
		if (t->chan != NULL) {
			snprintf(w.channel, sizeof(w.channel), "%s",
			    t->wmesg);
			w.since = t->wait_since;
			snprintf(w.detail, sizeof(w.detail), "%s",
			    core_need_text(t));
		} else {
			snprintf(w.channel, sizeof(w.channel), "running");
			w.since = core_now();
		}
		result_add_wait(res, &w);
	}
	result_add_counter(res, "v_free_count", vmstats.v_free_count);
	result_add_counter(res, "v_cache_count", vmstats.v_cache_count);
	result_add_counter(res, "v_inactive_count", vmstats.v_inactive_count);
	result_add_counter(res, "v_active_count", vmstats.v_active_count);
	result_add_counter(res, "v_wire_count", vmstats.v_wire_count);
	result_add_counter(res, "v_busy_count", vmstats.v_busy_count);
	result_add_counter(res, "swap_async_pbufs_in_use",
	    vm_swap_async_max() - nsw_wcount_async);
	result_add_counter(res, "swap_ios_in_flight",
	    swapdev.queued + swapdev.inflight);
	result_add_counter(res, "swap_free_pages", swap_free_pages);
	result_add_counter(res, "swap_pager_full", swap_pager_full);
	for (z = alloc_zones(); z != NULL; z = z->next)
		if (z == swap_zone && z->ops->counters != NULL)
			z->ops->counters(z, emit_counter, res);
}

/* Where the page daemon is, in a few words. */
static void daemon_state(char *buf, size_t len)
{
	struct core_thread *pd = vm_pagethread;

	if (pd->chan == NULL)
		snprintf(buf, len, "page daemon running but freeing nothing");
	else if (pd->need.what != NULL &&
	    strcmp(pd->need.what, "kmem_slab_alloc") == 0)
		snprintf(buf, len, "page daemon blocked in %s",
		    core_need_text(pd));
	else if (pd->chan == &vm_chan_VMWait)
		snprintf(buf, len, "page daemon in vm_wait (%s): %s",
		    swap_zone->stats.failures > 0 ?
		    "swp_pager_meta_build, SWAPMETA NULL" : "VMWait",
		    core_need_text(pd));
	else
		snprintf(buf, len, "page daemon asleep on %s: %s",
		    pd->wmesg, core_need_text(pd));
}

/*
 * One line: who is stuck on what, e.g. "page daemon blocked in
 * kmem_slab_alloc: page 1 of 32 ...; no swap I/O in flight; no other
 * thread can free pages".
 */
static void diagnose(struct result *res)
{
	struct run_row *row = &res->row;
	int nproc = 0, nmem = 0;
	int64_t inflight = swapdev.queued + swapdev.inflight;
	char pd[200];
	struct proc *p;

	for (p = allproc; p != NULL; p = p->next) {
		if (p->td->exited)
			continue;
		nproc++;
		if (p->td->chan != NULL && p->td->memwait)
			nmem++;
	}
	daemon_state(pd, sizeof(pd));
	if (inflight > 0)
		snprintf(row->message, sizeof(row->message), "%s; %lld swap "
		    "I/Os in flight; %d of %d processes wait for memory", pd,
		    (long long)inflight, nmem, nproc);
	else if (nmem == nproc)
		snprintf(row->message, sizeof(row->message), "%s; no swap I/O "
		    "in flight; no other thread can free pages", pd);
	else
		snprintf(row->message, sizeof(row->message), "%s; no swap I/O "
		    "in flight; %d of %d processes wait for memory", pd, nmem,
		    nproc);
}

/* The thresholds, kept with every run for plots and reports. */
static void record_thresholds(struct result *res)
{
	result_add_counter(res, "v_page_count", vmstats.v_page_count);
	result_add_counter(res, "v_free_min", vmstats.v_free_min);
	result_add_counter(res, "v_free_reserved", vmstats.v_free_reserved);
	result_add_counter(res, "v_free_severe", vmstats.v_free_severe);
	result_add_counter(res, "v_interrupt_free_min",
	    vmstats.v_interrupt_free_min);
	result_add_counter(res, "v_pageout_free_min",
	    vmstats.v_pageout_free_min);
	result_add_counter(res, "v_paging_start", vmstats.v_paging_start);
	result_add_counter(res, "v_paging_target1", vmstats.v_paging_target1);
	result_add_counter(res, "v_paging_target2", vmstats.v_paging_target2);
	result_add_counter(res, "v_inactive_target",
	    vmstats.v_inactive_target);
}

void simrun_identity(const struct config *cfg, struct run_row *row)
{
	char abs[PATH_MAX];

	snprintf(row->scenario, sizeof(row->scenario), "%s", cfg->name);
	snprintf(row->scenario_sha256, sizeof(row->scenario_sha256), "%s",
	    cfg->sha256);
	snprintf(row->allocator, sizeof(row->allocator), "%s",
	    cfg->swapmeta.allocator);
	row->reserve_n = strcmp(cfg->swapmeta.allocator,
	    "reserve_kmalloc_obj") == 0 ? cfg->swapmeta.reserve : -1;
	row->seed = cfg->seed;
	simrun_params_json(cfg, row->params, sizeof(row->params));
	/* absolute, so `memsim replay` works from any directory */
	if (realpath(cfg->path, abs) == NULL ||
	    strlen(abs) >= sizeof(row->scenario_path))
		snprintf(abs, sizeof(abs), "%s", cfg->path);
	snprintf(row->scenario_path, sizeof(row->scenario_path), "%s", abs);
}

static void fill_counters(struct result *res)
{
	struct run_row *row = &res->row;

	row->min_free_pages = vm_cnt.min_free;
	row->pageouts = vm_cnt.pageouts;
	row->swapins = vm_cnt.swapins;
	row->oom_kills = vm_cnt.oom_kills;
	row->page_faults = vm_cnt.page_faults;
	row->pages_scanned = vm_cnt.pages_scanned;
	row->pages_freed = vm_cnt.pages_freed;
	row->pd_blocked_seconds = vm_pd_blocked_seconds();
	row->pd_pbuf_wait_seconds = vm_cnt.pd_pbuf_wait;
	row->swap_peak_pages = swap_peak_used;
	row->irq_alloc_failures = vm_cnt.irq_alloc_failures;
	row->kva_peak = kmem_stats.kva_peak;
	row->sg_calls = core_sg_calls;
	/* for bench/vm_bench.sh: engine calls by kind and role */
	if (getenv("MEMSIM_ENGINE_CALLS") != NULL)
		core_print_calls(stderr);
	row->page_events = (uint64_t)vm_cnt.page_events;
	if (swap_zone != NULL) {
		const struct alloc_stats *st = &swap_zone->stats;
		row->swapmeta_pages_peak = st->pages_peak;
		row->swapmeta_allocs = st->allocs;
		row->swapmeta_alloc_failures = st->failures;
		row->kmem_slab_allocs = st->kmem_slab_allocs;
		row->slab_alloc_waits = st->slab_alloc_waits;
		row->reserve_refill_failures = st->reserve_level >= 0 ||
		    st->reserve_min_level >= 0 ? st->reserve_refill_failures :
		    -1;
		row->reserve_min_level = st->reserve_min_level;
	}
}

static int boot(const struct config *cfg, char *err, size_t errlen)
{
	struct core_platform plat = {
		.ncpus = cfg->ncpus,
		.cpu_flops = 1e9,
	};

	trace_init();
	core_init(&plat);
	if (vm_init(cfg, err, errlen) != 0)
		return -1;
	if (vm_fault_init(cfg, err, errlen) != 0)
		return -1;
	if (swap_pager_swap_init(cfg, err, errlen) != 0)
		return -1;
	blkdev_init(&swapdev, "swapdev", CORE_ROLE_SWAPIO, SWAP_DEVICE_DEPTH,
	    cfg->swap_latency, cfg->swap_read_bw, cfg->swap_write_bw);
	blkdev_init(&filedev, "filedev", CORE_ROLE_FILEIO, FILE_DEVICE_DEPTH,
	    cfg->file_latency, cfg->file_read_bw, cfg->file_read_bw);
	kmalloc_poller_start();
	vm_pageout_start(cfg);
	return kload_start(cfg, err, errlen);
}

/* The check's reason, as the run's last event (outside the digest). */
static void record_verdict(struct result *res, const struct verdict *v)
{
	struct event_row e;

	memset(&e, 0, sizeof(e));
	e.t = core_now();
	snprintf(e.kind, sizeof(e.kind), "verdict");
	snprintf(e.thread, sizeof(e.thread), "%s",
	    verdict_kind_name(v->kind));
	snprintf(e.detail, sizeof(e.detail), "%s", v->why);
	result_add_event(res, &e);
}

void simrun(const struct config *cfg, struct script *s, struct result *res)
{
	struct run_row *row = &res->row;
	double now = 0, next_sample = 0, until;
	int64_t nsamples = 0;
	enum core_stop stop;
	struct verdict v;
	int stalled;
	char err[256];

	memset(&v, 0, sizeof(v));
	simrun_identity(cfg, row);
	if (boot(cfg, err, sizeof(err)) != 0) {
		row->outcome = OUTCOME_ERROR;
		snprintf(row->message, sizeof(row->message), "%s: %s",
		    cfg->path, err);
		return;
	}
	proc_start_all(cfg, s);
	verdict_stalls_start();
	row->outcome = -1;
	while (row->outcome < 0) {
		until = next_sample < cfg->duration ? next_sample :
		    cfg->duration;
		stop = core_run_until(until);
		now = core_now();
		if (now + 1e-12 >= next_sample && next_sample <= cfg->duration) {
			sample(res, now);
			next_sample = (double)++nsamples * cfg->sample_every;
		}
		if (vm_panicked) {
			row->outcome = OUTCOME_PANIC;
			snprintf(row->message, sizeof(row->message), "panic: %s",
			    vm_panic_msg);
			break;
		} else if (proc_error() != NULL) {
			row->outcome = OUTCOME_ERROR;
			snprintf(row->message, sizeof(row->message), "%s",
			    proc_error());
			break;
		} else if (stop == CORE_ALL_EXITED) {
			row->outcome = OUTCOME_COMPLETED;
			break;
		}
		verdict_check(&v);
		if (stop == CORE_HARD_DEADLOCK) {
			row->outcome = OUTCOME_DEADLOCK;
			snprintf(row->deadlock_kind, sizeof(row->deadlock_kind),
			    "hard");
		} else if (v.kind == VERDICT_DEAD) {
			row->outcome = OUTCOME_DEADLOCK;
			snprintf(row->deadlock_kind, sizeof(row->deadlock_kind),
			    "proven");
		} else if (v.kind != VERDICT_ALIVE &&
		    now - core_last_progress() >= cfg->watchdog &&
		    someone_waits_for_memory()) {
			row->outcome = OUTCOME_DEADLOCK;
			snprintf(row->deadlock_kind, sizeof(row->deadlock_kind),
			    "livelock");
		} else if (now >= cfg->duration) {
			row->outcome = OUTCOME_SURVIVED;
		} else {
			verdict_stall_note(now);
		}
	}
	row->deadlock_time = row->outcome == OUTCOME_DEADLOCK ?
	    core_last_progress() : -1;
	row->end_time = now;
	record_thresholds(res);
	kload_record(res, cfg->ncpus);
	if (row->outcome == OUTCOME_DEADLOCK || row->outcome == OUTCOME_PANIC) {
		record_state(res);
		if (row->outcome == OUTCOME_DEADLOCK)
			diagnose(res);
	}
	/* who was still at work, and where, when the duration ran out */
	if (row->outcome == OUTCOME_SURVIVED) {
		record_state(res);
		proc_survivors(row->still_running,
		    sizeof(row->still_running));
		snprintf(row->message, sizeof(row->message), "%s%s",
		    row->still_running[0] ? "still running at the end: " :
		    "no process was running at the end",
		    row->still_running);
	}
	fill_counters(res);
	row->events_dropped = trace_collect(res);
	stalled = now - core_last_progress() >= VERDICT_STALL_MIN;
	row->longest_stall_seconds = verdict_stalls_finish(res, now,
	    row->outcome != OUTCOME_DEADLOCK);
	/* why a deadlock was called, or why a stalled survivor was not */
	if (row->outcome == OUTCOME_DEADLOCK ||
	    (row->outcome == OUTCOME_SURVIVED && v.why[0] && stalled))
		record_verdict(res, &v);
	trace_digest_hex(row->digest);
}
