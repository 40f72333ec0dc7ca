/*
 * proc: simulated user processes.  See proc.h.
 */
#include "proc.h"

#include <stdio.h>
#include <string.h>

#include "proc_replay.h"
#include "trace.h"
#include "vm_fault.h"
#include "xmalloc.h"

struct proc *allproc;
static const struct config *pcfg;
static char first_error[256];
static int nextpid = 48;	/* the OOM killer skips pids < 48 */

void proc_survivors(char *buf, size_t len)
{
	const struct proc *p;
	size_t used = 0;
	int n = 0, w;

	buf[0] = '\0';
	for (p = allproc; p != NULL && used + 1 < len; p = p->next) {
		if (p->exited)
			continue;
		w = snprintf(buf + used, len - used, "%s%s at line %d after "
		    "%lld requests, %s%s", n++ ? "; " : "", p->name, p->line,
		    (long long)p->requests, p->td != NULL &&
		    p->td->chan != NULL ? "in " : "", p->td != NULL &&
		    p->td->chan != NULL ? p->td->wmesg : "running");
		used += w > 0 ? (size_t)w : 0;
	}
	if (used + 1 >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

const char *proc_error(void)
{
	return first_error[0] ? first_error : NULL;
}

static void proc_fail(struct proc *p, const char *msg)
{
	snprintf(p->error, sizeof(p->error), "%s", msg);
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), "%s", msg);
	trace_event("error", "%s: %s", p->name, msg);
}

void proc_flush_cpu(struct proc *p)
{
	double t = p->cpu_pending;

	p->cpu_pending = 0;
	core_cpu(t);
}

int64_t proc_anon_pages(const struct proc *p)
{
	int64_t n = 0;
	int i;

	for (i = 0; i < p->nregions; i++) {
		const struct region *r = &p->regions[i];
		if (r->live && r->obj->type != OBJT_VNODE)
			n += r->obj->resident + r->obj->swapcount;
	}
	return n;
}

void proc_kill(struct proc *p, const char *why)
{
	p->killed = 1;
	p->td->td_flags |= TDF_LOWMEMKILL;
	p->td->nice = -20;
	trace_event("oom_kill", "Try to kill process %d %s (%lld pages): %s",
	    p->pid, p->name, (long long)proc_anon_pages(p), why);
	trace_digest(TRACE_KILL, (uint64_t)p->pid, 0);
	if (vm_chan_vmwait.nwaiters)
		core_wakeup(&vm_chan_vmwait);
}

int64_t proc_mmap(struct proc *p, uint64_t bytes, const char *file)
{
	uint64_t npages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	struct vm_object *obj;
	struct region *r;

	if (npages == 0 || npages >= VM_PAGE_NONE)
		return -1;
	if (file != NULL && file[0]) {
		obj = vm_object_lookup_file(file);
		if (obj == NULL)
			obj = vm_object_create(OBJT_VNODE, (uint32_t)npages,
			    NULL, file);
		else if (npages > obj->size)
			return -2;
		else
			obj->refs++;
	} else {
		obj = vm_object_create(OBJT_DEFAULT, (uint32_t)npages, p,
		    NULL);
	}
	p->regions = xrealloc(p->regions,
	    sizeof(*p->regions) * (size_t)(p->nregions + 1));
	r = &p->regions[p->nregions++];
	r->obj = obj;
	r->live = 1;
	r->cursor = 0;
	return p->nregions;	/* handles are 1-based */
}

static int64_t do_mmap(struct proc *p, const struct request *q)
{
	return proc_mmap(p, q->bytes, q->file);
}

struct region *proc_region(struct proc *p, int handle)
{
	if (handle < 1 || handle > p->nregions ||
	    !p->regions[handle - 1].live)
		return NULL;
	return &p->regions[handle - 1];
}

static void do_munmap(struct region *r)
{
	r->live = 0;
	vm_object_deallocate(r->obj);
}

/*
 * Touch pages: a resident, mapped page costs touch_cost and sets its
 * reference bit (what the pmap's accessed bit tells the daemon); anything
 * else is a fault.  CPU time is charged a quantum at a time.
 */
static int do_touch(struct proc *p, struct region *r, const struct request *q)
{
	struct vm_object *obj = r->obj;
	uint64_t size = obj->size, n, k;
	const double touch_cost = pcfg->touch_cost, quantum = pcfg->quantum;
	uint32_t pindex, pg;
	struct vm_page *m;
	int write;

	n = q->pages < 0 ? size : (uint64_t)q->pages;
	for (k = 0; k < n; k++) {
		if (q->random)
			pindex = (uint32_t)rng_below(&p->rng, size);
		else
			pindex = (uint32_t)(((uint64_t)q->offset + k) % size);
		if (q->write >= 1)
			write = 1;
		else if (q->write <= 0)
			write = 0;
		else
			write = rng_unit(&p->rng) < q->write;

		pg = obj->pages[pindex];
		vm_cnt.page_events++;
		vm_cnt.proc_steps++;
		if (pg != VM_PAGE_NONE) {
			m = &vm_page_array[pg];
			if ((m->flags & (PG_MAPPED | PG_BUSY)) == PG_MAPPED &&
			    (!write || (m->flags & PG_DIRTY))) {
				m->flags |= PG_REFERENCED;
				p->cpu_pending += touch_cost;
				if (p->cpu_pending >= quantum)
					proc_flush_cpu(p);
				continue;
			}
		}
		if (vm_fault(p, obj, pindex, write) < 0)
			return -1;
		p->cpu_pending += touch_cost;
		if (p->cpu_pending >= quantum)
			proc_flush_cpu(p);
	}
	return 0;
}

static void proc_exit(struct proc *p)
{
	int i;

	for (i = 0; i < p->nregions; i++)
		if (p->regions[i].live)
			do_munmap(&p->regions[i]);
	p->exited = 1;
	trace_event(p->killed ? "killed" : "exit", "%s exits%s", p->name,
	    p->killed ? " (out of swap space)" : "");
	trace_digest(TRACE_EXIT, (uint64_t)p->pid, 0);
}

static void proc_main(struct core_thread *td)
{
	struct proc *p = td->arg;
	char err[256], msg[320];
	struct request req;
	struct region *r;
	int64_t retval = 0;
	int rc;

	if (p->sp == NULL) {
		proc_fail(p, "Lua memory limit reached creating the process");
		proc_exit(p);
		return;
	}
	if (p->cfg->start > 0)
		core_sleep(p->cfg->start);
	while (!p->killed && !vm_panicked) {
		rc = script_proc_resume(p->sp, retval, &req, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc < 0) {
			proc_fail(p, err);
			break;
		}
		retval = 0;
		r = NULL;
		if (req.kind == REQ_MUNMAP || req.kind == REQ_TOUCH) {
			r = proc_region(p, req.region);
			if (r == NULL) {
				snprintf(msg, sizeof(msg), "%s:%d: bad region "
				    "%d", pcfg->path, req.line, req.region);
				proc_fail(p, msg);
				break;
			}
		}
		p->line = req.line;
		switch (req.kind) {
		case REQ_MMAP:
			retval = do_mmap(p, &req);
			if (retval < 0) {
				snprintf(msg, sizeof(msg), "%s:%d: mmap: %s",
				    pcfg->path, req.line, retval == -2 ?
				    "file mapped larger than its first "
				    "mapping" : "bad size");
				proc_fail(p, msg);
				goto out;
			}
			break;
		case REQ_MUNMAP:
			do_munmap(r);
			break;
		case REQ_TOUCH:
			if (r->obj->type == OBJT_VNODE && req.write > 0) {
				snprintf(msg, sizeof(msg), "%s:%d: touch: file "
				    "mappings are read-only in this model",
				    pcfg->path, req.line);
				proc_fail(p, msg);
				goto out;
			}
			if (do_touch(p, r, &req) < 0)
				goto out;
			break;
		case REQ_COMPUTE:
			p->cpu_pending += req.seconds;
			proc_flush_cpu(p);
			break;
		case REQ_SLEEP:
			proc_flush_cpu(p);
			core_sleep(req.seconds);
			break;
		case REQ_REPLAY:
			rc = proc_replay(p, &req.replay, pcfg, err, sizeof(err));
			if (rc == -2) {
				snprintf(msg, sizeof(msg), "%s:%d: replay: %s",
				    pcfg->path, req.line, err);
				proc_fail(p, msg);
			}
			if (rc < 0)
				goto out;
			break;
		}
		p->requests++;
		vm_cnt.proc_steps++;
	}
out:
	if (vm_panicked)
		return;
	proc_flush_cpu(p);
	proc_exit(p);
}

void proc_start_all(const struct config *cfg, struct script *s)
{
	struct proc *p, **tail = &allproc;
	int i, k, cpu = 0;

	pcfg = cfg;
	first_error[0] = 0;
	for (i = 0; i < cfg->nprocs; i++) {
		const struct proc_cfg *pc = &cfg->procs[i];
		for (k = 1; k <= pc->count; k++) {
			p = xcalloc(1, sizeof(*p));
			if (pc->count == 1)
				snprintf(p->name, sizeof(p->name), "%s",
				    pc->name);
			else
				snprintf(p->name, sizeof(p->name), "%s.%d",
				    pc->name, k);
			p->pid = nextpid++;
			p->index = k;
			p->cfg = pc;
			rng_seed(&p->rng, cfg->seed, 1000u + (uint64_t)p->pid);
			p->sp = script_proc_create(s, pc, k, p->name);
			*tail = p;
			tail = &p->next;
			p->td = core_spawn(p->name, CORE_PROC,
			    cpu++ % cfg->ncpus, proc_main, p);
			p->td->nice = pc->nice;
		}
	}
}
