/*
 * vm_object: the VM objects pages belong to, anonymous (OBJT_DEFAULT,
 * OBJT_SWAP once it has swap) and file (OBJT_VNODE), with the per-window
 * state the swap pager and the page tables keep for them.
 *
 * Mirrors sys/vm/vm_object.c (vm_object_allocate(), vm_object_deallocate()
 * and its terminate path freeing pages and swap).  An object's pages are
 * an array by pindex, not a red-black tree; ids stand in for pointers in
 * the page array.
 */
#ifndef MEMSIM_VM_OBJECT_H
#define MEMSIM_VM_OBJECT_H

#include <stdint.h>

#include "config.h"
#include "allocators/alloc.h"

enum objtype { OBJT_DEFAULT, OBJT_SWAP, OBJT_VNODE };

/* One swblock per aligned 32-page window (SWAP_META_PAGES). */
#define SWAP_META_PAGES	32
struct swblock_slot {
	alloc_obj_t swb;	/* from the SWAPMETA zone; 0: none */
	uint8_t count;		/* swb_count: swap blocks held */
};

struct proc;

struct vm_object {
	uint32_t id;
	enum objtype type;
	uint32_t size;			/* pages */
	uint32_t *pages;		/* pindex -> page, VM_PAGE_NONE */
	uint8_t *swapped;		/* pindex -> has a swap block */
	uint32_t *swapblk;		/* pindex -> its block, while swapped */
	struct swblock_slot *swb;	/* per SWAP_META_PAGES window */
	uint16_t *ptmapped;		/* per NPTEPG window: mapped pages */
	uint32_t nmapped;		/* the sum of ptmapped[] */
	uint32_t *ptpage;		/* per NPTEPG window: page-table page */
	alloc_obj_t *ptpv;		/* per NPTEPG window: its pv_entry */
	uint32_t pg_color;		/* vm_quickcolor() at creation */
	int64_t resident, swapcount;
	int refs;			/* mappings */
	int busy;			/* pages under I/O */
	int dead;			/* unmapped while pages were busy */
	struct proc *owner;		/* anonymous objects */
	char name[CFG_NAME_LEN];	/* vnode objects: the file */
};

struct vm_object *vm_object_create(enum objtype type, uint32_t size,
    struct proc *owner, const char *name);
struct vm_object *vm_object_lookup_file(const char *name);
/* By id, on the per-page path: inline. */
extern struct vm_object **vm_objects;
extern int vm_nobjects;
static inline struct vm_object *vm_object_by_id(uint32_t id)
{
	return id > 0 && (int)id <= vm_nobjects ? vm_objects[id] : NULL;
}
void vm_object_deallocate(struct vm_object *obj);
/* Free a dead object once its last I/O is done. */
void vm_object_reap(struct vm_object *obj);
int vm_object_count(void);
/* Free a resident page that no longer belongs (object gone). */
void vm_object_page_remove(struct vm_object *obj, uint32_t pindex);

#endif
