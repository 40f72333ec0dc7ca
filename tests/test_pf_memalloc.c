/*
 * test_pf_memalloc: kernel{ pf_memalloc = true } lets the page daemon's
 * page allocations ignore the watermarks (Linux's PF_MEMALLOC): they
 * succeed while any page is free, at every class it asks for; other
 * threads keep their floors; without the switch the daemon stops at
 * the SYSTEM floor (v_interrupt_free_min) as DragonFly's does.  Each
 * case runs in a forked child with its own engine.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "core.h"
#include "engine.h"
#include "vm_model.h"

#define MiB (1024 * 1024)

static struct config cfg;
static int64_t got_at_one, got_below_floor, user_below_reserve;
static int pf;

/* 64 MiB; free pages taken down to `level` at interrupt class. */
static void boot(int pf_memalloc)
{
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = 64 * MiB;
	cfg.ncpus = 1;
	cfg.pf_memalloc = pf_memalloc;
	if (vm_init(&cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
}

static void drain_to(int64_t level)
{
	while (vmstats.v_free_count > level)
		if (vm_page_alloc_kernel(VM_ALLOC_INTERRUPT) == VM_PAGE_NONE)
			break;
}

static void daemon_body(struct core_thread *td)
{
	vm_pagethread = td;
	td->td_flags |= TDF_SYSTHREAD;
	drain_to(vmstats.v_interrupt_free_min);
	/* at the SYSTEM floor: a NORMAL request of the daemon */
	got_below_floor = vm_page_alloc_kernel(VM_ALLOC_NORMAL) !=
	    VM_PAGE_NONE;
	drain_to(1);
	got_at_one = vm_page_alloc_kernel(VM_ALLOC_NORMAL) != VM_PAGE_NONE;
}

static void user_body(struct core_thread *td)
{
	(void)td;
	drain_to(vmstats.v_free_reserved - 1);
	user_below_reserve = vm_page_alloc_kernel(VM_ALLOC_NORMAL) !=
	    VM_PAGE_NONE;
}

static int child(void *arg)
{
	pf = *(int *)arg;
	test_engine(1);
	boot(pf);
	core_spawn("user", CORE_PROC, 0, user_body, NULL);
	core_run_until(0.1);
	CHECK(!user_below_reserve, "pf_memalloc=%d: an ordinary thread's "
	    "NORMAL request is still refused below v_free_reserved", pf);
	core_spawn("pagedaemon", CORE_PROC, 0, daemon_body, NULL);
	core_run_until(0.2);
	if (pf) {
		CHECK(got_below_floor, "pf_memalloc: the daemon's NORMAL "
		    "request succeeds at F = v_interrupt_free_min");
		CHECK(got_at_one && vmstats.v_free_count == 0,
		    "pf_memalloc: ... and takes the very last free page");
	} else {
		CHECK(!got_below_floor && !got_at_one, "without pf_memalloc the "
		    "daemon's NORMAL request stops at the SYSTEM floor");
	}
	CHECK(vm_page_daemon_class(VM_ALLOC_NORMAL) == VM_ALLOC_NORMAL,
	    "pf_memalloc=%d: a thread that is not the daemon keeps its class",
	    pf);
	return CHECK_DONE();
}

int main(void)
{
	int on = 1, off = 0;

	CHECK(test_in_child(child, &on) == 0, "pf_memalloc = true case passed");
	CHECK(test_in_child(child, &off) == 0, "pf_memalloc = false case "
	    "passed");
	return CHECK_DONE();
}
