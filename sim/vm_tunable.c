/*
 * vm_tunable: the free-page thresholds and the tunables machine{} sets
 * by their kernel names.
 *
 * Mirrors vm_pageout_free_page_calc() and the HEAD paging targets of
 * sys/vm/vm_pageout.c (:2177-2193, :2277, :2287-2292, the inactive
 * target at :2324), vm.dma_reserved of sys/vm/vm_page.c (:429-433) and
 * the defaults of vm.swap_async_max and vm.swap_burst_read
 * (sys/vm/swap_pager.c).
 */
#include "vm_tunable.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vm_model.h"

/*
 * The thresholds that derive from v_free_min.  Integer division
 * throughout, as in the kernel.
 */
static void derive_from_free_min(struct vmstats *vs)
{
	int64_t fm = vs->v_free_min;

	vs->v_free_reserved = fm * 4 / 8 + 7;
	vs->v_free_severe = fm * 4 / 8;
	vs->v_pageout_free_min = fm * 2 / 8 + 7;
	vs->v_interrupt_free_min = fm * 1 / 8 + 7;
	vs->v_free_target = 2 * fm;
	vs->v_paging_wait = 2 * fm;
	vs->v_paging_start = 3 * fm;
	vs->v_paging_target1 = 4 * fm;
	vs->v_paging_target2 = 5 * fm;
}

/*
 * vm_pageout_free_page_calc() and the HEAD paging targets, from the
 * managed page count.
 */
void vm_thresholds_compute(struct vmstats *vs, int64_t pages)
{
	vs->v_page_count = pages;
	vs->v_free_min = 64 + pages / 200;
	derive_from_free_min(vs);
}

struct tunable {
	const char *name;
	int64_t *var;
};

static int64_t swap_async_max_value = 4;
static int64_t swap_burst_read_value;	/* 0: swap_pager.c's default */
static int64_t dummy;
/* Read by their own modules from cfg->tunables (mbuf.c, kmem.c). */
static int64_t elsewhere;

static const struct tunable tunables[] = {
	{ "v_free_min", &vmstats.v_free_min },
	{ "v_free_reserved", &vmstats.v_free_reserved },
	{ "v_free_severe", &vmstats.v_free_severe },
	{ "v_pageout_free_min", &vmstats.v_pageout_free_min },
	{ "v_interrupt_free_min", &vmstats.v_interrupt_free_min },
	{ "v_free_target", &vmstats.v_free_target },
	{ "v_paging_wait", &vmstats.v_paging_wait },
	{ "v_paging_start", &vmstats.v_paging_start },
	{ "v_paging_target1", &vmstats.v_paging_target1 },
	{ "v_paging_target2", &vmstats.v_paging_target2 },
	{ "v_inactive_target", &vmstats.v_inactive_target },
	{ "vm_max_launder", &vm_max_launder },
	{ "vm_page_free_hysteresis", &vm_page_free_hysteresis },
	{ "dma_reserved", &vm_dma_reserved },
	{ "swap_async_max", &swap_async_max_value },
	{ "swap_burst_read", &swap_burst_read_value },
	{ "nmbclusters", &elsewhere },
	{ "kernel_boot_pt_pages", &elsewhere },
	{ "kernel_boot_kva_pages", &elsewhere },
	{ "kernel_boot_kmalloc_pages", &elsewhere },
	{ NULL, &dummy },
};

int vm_tunable_known(const char *name)
{
	const struct tunable *t;

	for (t = tunables; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return 1;
	return 0;
}

int64_t vm_swap_async_max(void)
{
	return swap_async_max_value;
}

int64_t vm_swap_burst_read(void)
{
	return swap_burst_read_value;
}

int vm_tunable_set(const char *name, double value, char *err, size_t errlen)
{
	const struct tunable *t;

	for (t = tunables; t->name != NULL; t++) {
		if (strcmp(t->name, name) != 0)
			continue;
		if (!(value >= 0) || value > 9e15 || value != floor(value)) {
			snprintf(err, errlen, "tunable %s: %g is not a "
			    "non-negative whole number", name, value);
			return -1;
		}
		*t->var = (int64_t)value;
		return 0;
	}
	snprintf(err, errlen, "unknown tunable '%s'", name);
	return -1;
}

static const struct tunable_set *find_set(const struct config *cfg,
    const char *name)
{
	int i;

	for (i = 0; i < cfg->ntunables; i++)
		if (strcmp(cfg->tunables[i].name, name) == 0)
			return &cfg->tunables[i];
	return NULL;
}

int vm_tunables_apply(const struct config *cfg, int64_t pages, char *err,
    size_t errlen)
{
	const struct tunable *t;
	const struct tunable_set *ts;

	/* v_free_min first; the rest derive from it unless set */
	vm_thresholds_compute(&vmstats, pages);
	ts = find_set(cfg, "v_free_min");
	if (ts != NULL) {
		if (vm_tunable_set("v_free_min", ts->value, err, errlen))
			return -1;
		derive_from_free_min(&vmstats);
	}
	vm_max_launder = pages / 256 + 16;
	/* vm.dma_reserved = min(128 MiB, RAM/16), vm_page.c:429-433 */
	vm_dma_reserved = pages / 16;
	if (vm_dma_reserved > (128 << 20) / PAGE_SIZE)
		vm_dma_reserved = (128 << 20) / PAGE_SIZE;
	swap_async_max_value = 4;
	swap_burst_read_value = 0;
	vm_page_free_hysteresis = 16;
	for (t = tunables; t->name != NULL; t++) {
		if (strcmp(t->name, "v_free_min") == 0 ||
		    strcmp(t->name, "v_inactive_target") == 0)
			continue;
		ts = find_set(cfg, t->name);
		if (ts != NULL && vm_tunable_set(t->name, ts->value, err,
		    errlen))
			return -1;
	}
	return 0;
}

/* v_inactive_target = v_free_count/16 at daemon start (:2324). */
void vm_pageout_targets_init(const struct config *cfg)
{
	const struct tunable_set *ts = find_set(cfg, "v_inactive_target");

	vmstats.v_inactive_target = vmstats.v_free_count / 16;
	if (ts != NULL)
		vmstats.v_inactive_target = (int64_t)ts->value;
}
