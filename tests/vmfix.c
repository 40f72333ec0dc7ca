/*
 * vmfix: see vmfix.h.
 */
#include "vmfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_model.h"

uint32_t *vmfix_held;
int64_t vmfix_nheld;

void vmfix_config(struct config *cfg, uint64_t ram, int ncpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cold_boot = 1;
	cfg->ram = ram;
	cfg->ncpus = ncpus;
}

void vmfix_boot(const struct config *cfg)
{
	char err[256];

	if (vm_init(cfg, err, sizeof(err)) != 0)
		printf("# vm_init: %s\n", err);
	free(vmfix_held);
	vmfix_held = malloc(sizeof(*vmfix_held) *
	    (size_t)vmstats.v_page_count);
	vmfix_nheld = 0;
}

void vmfix_set_free(int64_t level, int give_back)
{
	uint32_t pg;

	while (vmstats.v_free_count > level) {
		pg = vm_page_alloc_kernel(VM_ALLOC_INTERRUPT);
		if (pg == VM_PAGE_NONE)
			break;
		vmfix_held[vmfix_nheld++] = pg;
	}
	while (give_back && vmstats.v_free_count < level && vmfix_nheld > 0)
		vm_page_free_kernel(vmfix_held[--vmfix_nheld]);
}
