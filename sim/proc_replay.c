/*
 * proc_replay: see proc_replay.h.
 *
 * A trace mapping that was a read-only file mapping in the recorded
 * program (MTR_FILE: text, read-only data) becomes a vnode object named
 * after the trace and the mapping, so processes replaying the same trace
 * share its file pages in the page cache as the program's instances
 * share their text; every other kind (heap, stack, anonymous, written
 * private file mappings) becomes anonymous memory, paged to swap.
 */
#include "proc_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtr.h"
#include "vm_fault.h"
#include "xmalloc.h"

/* Where one trace mapping's pages land. */
struct rmap {
	uint64_t start, npages;	/* in the trace */
	struct vm_object *obj;
	uint64_t base;		/* offset in the source space */
	uint64_t from, to;	/* source space pages -> target pages */
	int file;		/* a vnode: references read */
};

struct replay {
	struct proc *p;
	const struct replay_req *q;
	struct rmap *m;
	int nm;
	int handles[MTR_MAX_MAPPINGS];	/* regions this replay made */
	int nhandles;
};

static int map_region(struct replay *rp, uint64_t pages, const char *file,
    struct vm_object **obj, char *err, size_t errlen)
{
	int64_t h = proc_mmap(rp->p, pages * PAGE_SIZE, file);

	if (h < 0) {
		snprintf(err, errlen, "cannot map %llu pages%s%s",
		    (unsigned long long)pages, file ? " of " : "",
		    file ? file : "");
		return -1;
	}
	rp->handles[rp->nhandles++] = (int)h;
	*obj = proc_region(rp->p, (int)h)->obj;
	return 0;
}

/* Pages a mapping keeps when the whole trace shrinks to `scale`. */
static uint64_t shrunk(uint64_t npages, uint64_t total, uint64_t scale)
{
	uint64_t n;

	if (scale == 0 || scale >= total)
		return npages;
	n = (npages * scale + total - 1) / total;
	return n == 0 ? 1 : n;
}

static int layout_each(struct replay *rp, uint64_t total, char *err,
    size_t errlen)
{
	const struct mtr_trace *t = rp->q->trace;
	char name[CFG_NAME_LEN];
	int i;

	for (i = 0; i < rp->nm; i++) {
		struct rmap *m = &rp->m[i];

		m->from = m->npages;
		m->to = shrunk(m->npages, total, rp->q->scale_pages);
		m->file = t->maps[i].kind == MTR_FILE;
		snprintf(name, sizeof(name), "%s#%d", rp->q->tag, i);
		if (map_region(rp, m->to, m->file ? name : NULL, &m->obj, err,
		    errlen) != 0)
			return -1;
		if (m->obj->size < m->to) {
			snprintf(err, errlen, "file object %s is smaller than "
			    "this replay's mapping", name);
			return -1;
		}
	}
	return 0;
}

static int layout_folded(struct replay *rp, uint64_t total, char *err,
    size_t errlen)
{
	const struct replay_req *q = rp->q;
	struct vm_object *obj;
	struct region *r;
	uint64_t target, base = 0;
	int i;

	if (q->layout == REPLAY_REGION) {
		r = proc_region(rp->p, q->region);
		if (r == NULL) {
			snprintf(err, errlen, "bad region %d", q->region);
			return -1;
		}
		obj = r->obj;
		if (obj->type == OBJT_VNODE) {
			snprintf(err, errlen, "region %d is a read-only file "
			    "mapping", q->region);
			return -1;
		}
		target = obj->size;
		if (q->scale_pages > target) {
			snprintf(err, errlen, "scale (%llu pages) is larger "
			    "than region %d (%llu pages)",
			    (unsigned long long)q->scale_pages, q->region,
			    (unsigned long long)target);
			return -1;
		}
		if (q->scale_pages != 0)
			target = q->scale_pages;
	} else {
		target = q->scale_pages != 0 && q->scale_pages < total ?
		    q->scale_pages : total;
		if (map_region(rp, target, NULL, &obj, err, errlen) != 0)
			return -1;
	}
	if (target > total)
		target = total;
	for (i = 0; i < rp->nm; i++) {
		rp->m[i].obj = obj;
		rp->m[i].base = base;
		rp->m[i].from = total;
		rp->m[i].to = target;
		base += rp->m[i].npages;
	}
	return 0;
}

static inline uint32_t pindex_of(const struct rmap *m, uint64_t vpn,
    enum replay_scale by)
{
	uint64_t j = m->base + (vpn - m->start);

	if (m->from == m->to)
		return (uint32_t)j;
	if (by == REPLAY_MODULO)
		return (uint32_t)(j % m->to);
	return (uint32_t)(j * m->to / m->from);	/* both < 2^32 */
}

/* One record: its first reference may fault, the repeats hit. */
static inline int reference(struct proc *p, const struct rmap *m,
    uint32_t pindex, int write)
{
	struct vm_object *obj = m->obj;
	uint32_t pg = obj->pages[pindex];
	struct vm_page *pgp;

	vm_cnt.page_events++;
	vm_cnt.proc_steps++;
	if (pg != VM_PAGE_NONE) {
		pgp = &vm_page_array[pg];
		if ((pgp->flags & (PG_MAPPED | PG_BUSY)) == PG_MAPPED &&
		    (!write || (pgp->flags & PG_DIRTY))) {
			pgp->flags |= PG_REFERENCED;
			return 0;
		}
	}
	return vm_fault(p, obj, pindex, write);
}

static int pass(struct replay *rp, struct mtr_cursor *c,
    const struct config *cfg, char *err, size_t errlen)
{
	struct proc *p = rp->p;
	const struct replay_req *q = rp->q;
	const struct mtr_trace *t = q->trace;
	const double cost = q->cost >= 0 ? q->cost : cfg->touch_cost;
	const double per_insn = q->speed > 0 ? 1.0 / q->speed : 0;
	const double quantum = cfg->quantum;
	const struct rmap *m = &rp->m[0];
	struct mtr_rec r;
	int rc, k;

	mtr_cursor_rewind(c);
	while ((rc = mtr_cursor_load(c, err, errlen)) == 1) {
		while ((rc = mtr_cursor_next(c, &r)) == 1) {
			if (r.vpn - m->start >= m->npages) {
				k = mtr_mapping_of(t, r.vpn);
				if (k < 0) {
					snprintf(err, errlen, "%s: page %#llx "
					    "is in no mapping", t->path,
					    (unsigned long long)r.vpn);
					return -2;
				}
				m = &rp->m[k];
			}
			if (reference(p, m, pindex_of(m, r.vpn, q->scale_by),
			    r.op == MTR_WRITE && !m->file) < 0)
				return -1;
			if (per_insn > 0) {
				if (r.op == MTR_EXEC)
					p->cpu_pending += (double)r.count *
					    per_insn;
			} else {
				p->cpu_pending += (double)r.count * cost;
			}
			if (p->cpu_pending >= quantum) {
				proc_flush_cpu(p);
				if (p->killed || vm_panicked)
					return -1;
			}
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: block %llu does not decode",
			    t->path, (unsigned long long)c->block);
			return -2;
		}
	}
	return rc < 0 ? -2 : 0;
}

int proc_replay(struct proc *p, const struct replay_req *q,
    const struct config *cfg, char *err, size_t errlen)
{
	const struct mtr_trace *t = q->trace;
	struct replay *rp;
	struct mtr_cursor c;
	uint64_t total = 0;
	int64_t n;
	int i, rc;

	if (t->nmaps == 0 || t->nrecords == 0)
		return 0;
	rp = xcalloc(1, sizeof(*rp));
	rp->p = p;
	rp->q = q;
	rp->nm = t->nmaps;
	rp->m = xcalloc((size_t)t->nmaps, sizeof(*rp->m));
	for (i = 0; i < t->nmaps; i++) {
		rp->m[i].start = t->maps[i].start;
		rp->m[i].npages = t->maps[i].npages;
		total += t->maps[i].npages;
	}
	if (q->layout == REPLAY_EACH)
		rc = layout_each(rp, total, err, errlen);
	else
		rc = layout_folded(rp, total, err, errlen);
	if (rc != 0) {
		rc = -2;
	} else {
		mtr_cursor_init(&c, t);
		for (n = 0; n < q->loop && rc == 0; n++)
			rc = pass(rp, &c, cfg, err, errlen);
		mtr_cursor_fini(&c);
	}
	/* the recorded program's mappings end with its run */
	if (!vm_panicked)
		for (i = 0; i < rp->nhandles; i++) {
			struct region *r = proc_region(p, rp->handles[i]);
			if (r != NULL) {
				r->live = 0;
				vm_object_deallocate(r->obj);
			}
		}
	free(rp->m);
	free(rp);
	return rc;
}
