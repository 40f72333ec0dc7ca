/*
 * test_verdict: the deadlock verdict's rule (docs/model.md "The deadlock
 * verdict") over worlds built by hand, in plain C, without the engine.
 * Where it must say proven: every sleeper needs more than can ever be
 * free, nothing runs, no I/O is pending.  Where it must not: an I/O in
 * flight, a timed release, a runnable process, receive buffers or free
 * slabs that will come back, and what it cannot read.
 */
#include <string.h>

#include "allocators/alloc.h"
#include "check.h"
#include "config.h"
#include "core.h"
#include "verdict.h"
#include "vm_model.h"

static struct config cfg;
static char chan_dummy;		/* any non-NULL channel: asleep */
#define ASLEEP ((struct core_chan *)(void *)&chan_dummy)

enum { PD, DB, POLLER, RX, NTHREADS };
static struct core_thread th[NTHREADS + 1];
static struct verdict_world w;
static int64_t sys_floor, severe, reserved;

static void boot(void)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = 64ULL << 20;
	cfg.ncpus = 1;
	if (vm_init(&cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
	sys_floor = vm_class_floor(VM_ALLOC_SYSTEM);
	severe = vmstats.v_free_severe;
	reserved = vmstats.v_free_reserved;
}

static void thread(int i, const char *name, enum core_role role,
    const char *wmesg)
{
	struct core_thread *t = &th[i];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = role == CORE_ROLE_USER ? CORE_PROC : CORE_KTHREAD;
	t->role = role;
	t->wmesg = wmesg;
	t->chan = wmesg != NULL ? ASLEEP : NULL;
}

static void link_threads(int n)
{
	int i;

	for (i = 0; i < n; i++)
		th[i].next_all = i + 1 < n ? &th[i + 1] : NULL;
	w.threads = n > 0 ? &th[0] : NULL;
}

/*
 * The reference stall's shape: the page daemon asleep in kmem_slab_alloc
 * for one page at SYSTEM class, a process asleep in vm_wait_pfault(),
 * the poller and a receive load (background), 4 pages free, nothing in
 * flight, nothing to give back.
 */
static void world(void)
{
	struct core_need *n;

	memset(&w, 0, sizeof(w));
	thread(PD, "pagedaemon", CORE_ROLE_PAGEDAEMON, "VMWait");
	n = &th[PD].need;
	n->kind = CORE_NEED_PAGES;
	n->what = "kmem_slab_alloc";
	n->cls = VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM;
	n->cls_name = "NORMAL|SYSTEM";
	n->count = 1;
	n->index = 1;
	n->total = 32;
	n->floor = sys_floor;
	thread(DB, "db", CORE_ROLE_USER, "pfault");
	n = &th[DB].need;
	n->kind = CORE_NEED_FREE_LEVEL;
	n->level = severe;
	n->floor = reserved;
	n->level_name = "v_free_severe";
	n->floor_name = "v_free_reserved";
	thread(POLLER, "kmalloc_poller", CORE_ROLE_KMPOLL, "kmalloc_poller");
	th[POLLER].need.kind = CORE_NEED_TIMER;
	th[POLLER].timed = 1;
	thread(RX, "rx", CORE_ROLE_RX, NULL);	/* it runs, for ever */
	link_threads(NTHREADS);
	w.free = 4;
}

static enum verdict_kind decide(struct verdict *v)
{
	verdict_decide(&w, v);
	return v->kind;
}

static void test_proven(void)
{
	struct verdict v;

	world();
	CHECK(decide(&v) == VERDICT_DEAD, "every sleeper out of reach, "
	    "nothing runs, no I/O: proven (%s)", v.why);
	CHECK(v.bound == 4, "the bound is free + cache + what comes back "
	    "(%lld)", (long long)v.bound);
	CHECK(strstr(v.why, "at most 4 pages") != NULL,
	    "the reason names the bound (%s)", v.why);

	world();
	w.cache = 3;
	w.rx = sys_floor - 4 - 3 - 2;
	w.polls = 2;
	CHECK(decide(&v) == VERDICT_DEAD && v.bound == sys_floor,
	    "free + cache + returning buffers + free slabs exactly at the "
	    "SYSTEM floor: still proven, no page can be admitted (%s)",
	    v.why);

	world();
	w.daemon_idle = 1;
	th[PD].chan = NULL;	/* running passes with nothing to scan */
	th[PD].need.kind = CORE_NEED_WORK;
	CHECK(decide(&v) == VERDICT_DEAD, "a page daemon running passes "
	    "over empty queues does not keep the run alive (%s)", v.why);

	world();
	w.daemon_idle = 1;	/* asleep on its 0.1 s idle poll */
	th[PD].need.kind = CORE_NEED_WORK;
	th[PD].timed = 1;
	CHECK(decide(&v) == VERDICT_DEAD, "the page daemon's timed idle "
	    "poll with empty queues is no way out: its pass would scan "
	    "nothing (%s)", v.why);
	w.daemon_idle = 0;
	CHECK(decide(&v) == VERDICT_ALIVE && strstr(v.why, "pagedaemon"),
	    "... but with pages queued its next pass can act: alive (%s)",
	    v.why);

	/*
	 * mempool's retry from the page daemon: kmem_slab_alloc(M_RNOWAIT)
	 * pages with no NORMAL bit, promoted to SYSTEM, which may go below
	 * v_free_reserved only with an empty cache and may not take a
	 * cached page; the process waits for free >= v_free_reserved.
	 */
	world();
	th[PD].need.cls = VM_ALLOC_SYSTEM;
	th[PD].need.count = 32;
	w.free = reserved - 1;
	w.cache = 16;
	CHECK(decide(&v) == VERDICT_DEAD && strstr(v.why, "free the cache"),
	    "a SYSTEM request without NORMAL, free one below v_free_reserved "
	    "and pages cached that no daemon pass is left to free: proven "
	    "(%s)", v.why);
	th[PD].need.cls = VM_ALLOC_NORMAL | VM_ALLOC_SYSTEM;
	CHECK(decide(&v) == VERDICT_ALIVE, "... but a NORMAL request "
	    "recycles the cached pages itself: alive (%s)", v.why);
	th[PD].need.cls = VM_ALLOC_SYSTEM;
	thread(NTHREADS, "emergpager", CORE_ROLE_EMERGPAGER, "psleep");
	th[NTHREADS].need.kind = CORE_NEED_WORK;
	th[NTHREADS].timed = 1;
	link_threads(NTHREADS + 1);
	w.daemon_idle = 0;
	CHECK(decide(&v) == VERDICT_ALIVE, "... and so does a daemon that "
	    "can still run a pass, which frees the cache (%s)", v.why);

	world();
	th[PD].need.kind = CORE_NEED_WAKEUP;
	th[PD].need.from = CORE_ROLE_USER;
	CHECK(decide(&v) == VERDICT_DEAD, "a wakeup only a stuck process "
	    "would send never comes (%s)", v.why);

	world();
	thread(NTHREADS, "emergpager", CORE_ROLE_EMERGPAGER, "psleep");
	th[NTHREADS].need.kind = CORE_NEED_SCAN;
	th[NTHREADS].timed = 1;
	link_threads(NTHREADS + 1);
	CHECK(decide(&v) == VERDICT_DEAD, "the emergency pager's timed poll "
	    "with no anonymous page it could cache or launder is no way "
	    "out: proven (%s)", v.why);
	w.scannable = 1;
	CHECK(decide(&v) == VERDICT_ALIVE && strstr(v.why, "emergpager"),
	    "... but with one such page queued its next pass can act: alive "
	    "(%s)", v.why);

	world();
	thread(NTHREADS, "emergpager", CORE_ROLE_EMERGPAGER, NULL);
	link_threads(NTHREADS + 1);
	w.daemon_idle = 1;
	CHECK(decide(&v) == VERDICT_DEAD, "an emergency pager running a pass "
	    "over empty queues does not keep the run alive either (%s)",
	    v.why);

	world();
	th[DB].timed = 1;	/* a timed sleep, but the process lives */
	CHECK(decide(&v) == VERDICT_DEAD, "a user process's timed memory "
	    "wait is no way out unless it exits (%s)", v.why);
}

static void test_not_proven(void)
{
	struct verdict v;

	world();
	w.io = 1;
	CHECK(decide(&v) == VERDICT_ALIVE, "an I/O in flight: alive (%s)",
	    v.why);

	world();
	th[DB].chan = NULL;
	CHECK(decide(&v) == VERDICT_ALIVE && strstr(v.why, "db can run"),
	    "a runnable process: alive (%s)", v.why);

	world();
	w.rx = sys_floor - 4 + 1;
	CHECK(decide(&v) == VERDICT_ALIVE &&
	    strstr(v.why, "pagedaemon can wake") != NULL,
	    "receive buffers whose hold ends would lift free one page above "
	    "the SYSTEM floor: alive (%s)", v.why);

	world();
	w.polls = severe;
	CHECK(decide(&v) == VERDICT_ALIVE, "a releasable hold (free slabs "
	    "the poller can return): alive (%s)", v.why);

	world();
	thread(NTHREADS, "sleeper", CORE_ROLE_KTHREAD, "timer");
	th[NTHREADS].need.kind = CORE_NEED_TIMER;
	th[NTHREADS].timed = 1;
	link_threads(NTHREADS + 1);
	CHECK(decide(&v) == VERDICT_ALIVE && strstr(v.why, "sleeper"),
	    "a timed release pending (a sleep only time ends): alive (%s)",
	    v.why);
}

/* A process killed by the OOM killer exits when its timeout fires. */
static int always_killed(const struct core_thread *t)
{
	return t->role == CORE_ROLE_USER;
}

static void test_cannot_say(void)
{
	struct verdict v;

	world();
	th[DB].timed = 1;
	w.exits_on_timeout = always_killed;
	CHECK(decide(&v) == VERDICT_ALIVE, "a killed process in a timed "
	    "wait exits: alive (%s)", v.why);

	world();
	th[PD].need.kind = CORE_NEED_WAKEUP;
	th[PD].need.from = CORE_ROLE_RX;
	CHECK(decide(&v) == VERDICT_ALIVE, "a wakeup a receive load will "
	    "send: alive (%s)", v.why);

	world();
	w.rx = -1;
	CHECK(decide(&v) == VERDICT_UNKNOWN, "what the receive loads give "
	    "back is not known: never proven (%s)", v.why);

	world();
	w.polls = -1;
	CHECK(decide(&v) == VERDICT_UNKNOWN, "a zone's poll not known: "
	    "never proven (%s)", v.why);

	world();
	th[DB].need.kind = CORE_NEED_TEXT;
	snprintf(th[DB].need_text, sizeof(th[DB].need_text), "words");
	CHECK(decide(&v) == VERDICT_UNKNOWN, "a need in words only: not "
	    "proven (%s)", v.why);

	world();
	th[PD].chan = NULL;
	th[PD].need.kind = CORE_NEED_WORK;
	CHECK(decide(&v) == VERDICT_UNKNOWN, "a page daemon scanning queues "
	    "that are not empty, without progress: not proven (%s)", v.why);

	world();
	th[PD].exited = th[DB].exited = 1;
	CHECK(decide(&v) == VERDICT_UNKNOWN, "no thread waits: nothing to "
	    "prove (%s)", v.why);
}

/*
 * A stuck page daemon whose SWAPMETA zone is `allocator`: the zone's
 * request fails at F = 4 and the daemon sleeps on what the zone says a
 * retry needs, with the zones' polls read the way verdict_check() reads
 * them.  Every allocator must let the verdict decide: a pool with a poll
 * (mempool, pool_lowat) says what that poll could give back, and its
 * failed request names the pages it needs, not "an object of the zone".
 */
static void test_zone_allocator(const char *allocator)
{
	struct zone_cfg zc;
	struct alloc_zone *z;
	struct verdict v;
	uint32_t held[16384];
	int64_t nheld = 0;
	alloc_obj_t obj;
	char err[256];

	boot();
	memset(&zc, 0, sizeof(zc));
	snprintf(zc.name, sizeof(zc.name), "SWAPMETA");
	snprintf(zc.allocator, sizeof(zc.allocator), "%s", allocator);
	z = alloc_zone_create(&zc, "SWAPMETA", 304, 200000, err, sizeof(err));
	if (z == NULL) {
		CHECK(0, "%s: zone created (%s)", allocator, err);
		return;
	}
	while (vmstats.v_free_count > 4 && nheld < 16384) {
		uint32_t pg = vm_page_alloc_kernel(VM_ALLOC_INTERRUPT);
		if (pg == VM_PAGE_NONE)
			break;
		held[nheld++] = pg;
	}
	obj = alloc_request(z, M_INTNOWAIT);
	CHECK(obj == 0 && vmstats.v_free_count == 4, "%s: at F = 4 a "
	    "non-blocking SWAPMETA request fails", allocator);
	world();
	th[PD].need = z->need;
	w.polls = verdict_polls();
	CHECK(w.polls >= 0, "%s: the verdict reads what the zone's poll "
	    "could give back (%lld pages)", allocator, (long long)w.polls);
	CHECK(decide(&v) == VERDICT_DEAD, "%s: the page daemon waiting for "
	    "what a retry needs (%s), nothing else can run: proven, not "
	    "left to the watchdog (%s)", allocator,
	    core_need_kind_name(z->need.kind), v.why);
	while (nheld > 0)
		vm_page_free_kernel(held[--nheld]);
	alloc_zone_destroy(z);
}

int main(void)
{
	boot();
	CHECK(sys_floor > 4 && severe > sys_floor,
	    "64 MiB: SYSTEM floor %lld, v_free_severe %lld",
	    (long long)sys_floor, (long long)severe);
	test_proven();
	test_not_proven();
	test_cannot_say();
	test_zone_allocator("mempool");
	test_zone_allocator("pool_lowat");
	return CHECK_DONE();
}
