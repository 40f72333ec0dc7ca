/*
 * vm_object: VM objects, their creation, lookup and teardown.
 *
 * Mirrors sys/vm/vm_object.c: vm_object_allocate() (a new object takes
 * its page colour from vm_quickcolor(), as the kernel's pg_color does),
 * vm_object_deallocate() and vm_object_terminate() (the last reference
 * frees the resident pages, the swap blocks and the SWAPMETA; a page
 * under I/O is unmapped now and freed by its completion).
 */
#include "vm_object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swap_pager.h"
#include "vm_color.h"
#include "vm_model.h"
#include "xmalloc.h"

struct vm_object **vm_objects;	/* by id; id 0 unused */
int vm_nobjects;
static int objects_cap;

int vm_object_count(void)
{
	return vm_nobjects;
}

struct vm_object *vm_object_create(enum objtype type, uint32_t size,
    struct proc *owner, const char *name)
{
	struct vm_object *o = xcalloc(1, sizeof(*o));
	uint32_t i, nwin = (size + NPTEPG - 1) / NPTEPG;

	if (vm_nobjects + 1 >= objects_cap) {
		objects_cap = objects_cap ? objects_cap * 2 : 64;
		vm_objects = xrealloc(vm_objects,
		    sizeof(*vm_objects) * objects_cap);
	}
	o->id = (uint32_t)++vm_nobjects;
	vm_objects[o->id] = o;
	o->type = type;
	o->pg_color = vm_quickcolor(core_curcpu());
	o->size = size;
	o->owner = owner;
	o->refs = 1;
	snprintf(o->name, sizeof(o->name), "%s", name ? name : "");
	o->pages = xmalloc(sizeof(*o->pages) * (size ? size : 1));
	for (i = 0; i < size; i++)
		o->pages[i] = VM_PAGE_NONE;
	o->ptmapped = xcalloc(nwin ? nwin : 1, sizeof(*o->ptmapped));
	o->ptpage = xmalloc(sizeof(*o->ptpage) * (nwin ? nwin : 1));
	o->ptpv = xcalloc(nwin ? nwin : 1, sizeof(*o->ptpv));
	for (i = 0; i < nwin; i++)
		o->ptpage[i] = VM_PAGE_NONE;
	if (type != OBJT_VNODE) {
		o->swapped = xcalloc(size ? size : 1, 1);
		o->swapblk = xcalloc(size ? size : 1, sizeof(*o->swapblk));
		o->swb = xcalloc((size + SWAP_META_PAGES - 1) /
		    SWAP_META_PAGES + 1, sizeof(*o->swb));
	}
	return o;
}

struct vm_object *vm_object_lookup_file(const char *name)
{
	int i;

	for (i = 1; i <= vm_nobjects; i++)
		if (vm_objects[i] != NULL &&
		    vm_objects[i]->type == OBJT_VNODE &&
		    strcmp(vm_objects[i]->name, name) == 0)
			return vm_objects[i];
	return NULL;
}

void vm_object_reap(struct vm_object *o)
{
	if (!o->dead || o->busy > 0)
		return;
	vm_objects[o->id] = NULL;
	free(o->pages);
	free(o->swapped);
	free(o->swapblk);
	free(o->swb);
	free(o->ptmapped);
	free(o->ptpage);
	free(o->ptpv);
	free(o);
}

/*
 * The last mapping went away (munmap, exit).  Anonymous memory is freed
 * with its swap and SWAPMETA; pages under a swap write are unmapped now
 * and freed by the I/O completion.  A file's pages stay in the page
 * cache, unmapped, as the vnode's pages do.
 */
void vm_object_deallocate(struct vm_object *o)
{
	uint32_t i, pg;

	if (o->dead) {
		vm_object_reap(o);
		return;
	}
	if (--o->refs > 0)
		return;
	for (i = 0; i < o->size && o->resident > 0; i++) {
		pg = o->pages[i];
		if (pg == VM_PAGE_NONE)
			continue;
		if (o->type == OBJT_VNODE ||
		    (vm_page_array[pg].flags & PG_BUSY))
			vm_page_unmap(pg);
		else
			vm_page_free(pg);
	}
	if (o->type == OBJT_VNODE)
		return;
	swp_pager_meta_free_all(o);
	o->dead = 1;
	vm_object_reap(o);
}

void vm_object_page_remove(struct vm_object *o, uint32_t pindex)
{
	uint32_t pg = o->pages[pindex];

	if (pg != VM_PAGE_NONE)
		vm_page_free(pg);
}
