/*
 * signature: see signature.h.
 *
 * A thread is left out when it is not part of the wait-for structure:
 * an idle device thread (bioq), the page daemon's idle poll (psleep),
 * the kmalloc poller on its own channel, and threads on no channel at
 * all other than the page daemon and the user processes (interrupt
 * loads and zone loads sleep on timers: they always come back).
 */
#include "signature.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sha256.h"
#include "vm_model.h"

#define MAX_ELEMS	64

struct elem {
	char text[96];
	int count;
};

/* The text after "at " up to ';', ',' or a blank: a class list. */
static void class_of(const char *need, char *out, size_t len)
{
	const char *at = strstr(need, " at ");
	size_t n;

	if (at == NULL) {
		snprintf(out, len, "?");
		return;
	}
	at += 4;
	n = strcspn(at, ";, ");
	snprintf(out, len, "%.*s", (int)n, at);
}

void signature_need_kind(const char *wmesg, const char *need, char *out,
    size_t len)
{
	char cls[48];

	if (strncmp(need, "kmem_slab_alloc", 15) == 0) {
		class_of(need, cls, sizeof(cls));
		snprintf(out, len, "slab@%s", cls);
	} else if (strcmp(wmesg, "vmwait") == 0 ||
	    strcmp(wmesg, "VMWait") == 0 || strcmp(wmesg, "pfault") == 0) {
		snprintf(out, len, "pages");
	} else if (strncmp(wmesg, "wswbuf", 6) == 0) {
		snprintf(out, len, "pbuf");
	} else if (strcmp(wmesg, "pgrbwt") == 0) {
		snprintf(out, len, "busy-page");
	} else if (strcmp(wmesg, "zgetlk") == 0) {
		snprintf(out, len, "zone-lock");
	} else if (strstr(need, " read of ") != NULL) {
		snprintf(out, len, "io");
	} else if (strcmp(wmesg, "running") == 0) {
		snprintf(out, len, "cpu");
	} else {
		snprintf(out, len, "%s", wmesg);
	}
}

/* The role of a thread, or NULL when it is left out (see above). */
static const char *role_of(const struct config *cfg,
    const struct core_thread *t)
{
	int i;

	(void)cfg;
	if (t->role == CORE_ROLE_PAGEDAEMON || t->role == CORE_ROLE_EMERGPAGER)
		return t->chan == NULL && !t->spinning ? core_role_name(t->role)
		    : t->need.kind == CORE_NEED_WORK ||
		    t->need.kind == CORE_NEED_SCAN ? NULL :
		    core_role_name(t->role);
	if (t->kind == CORE_PROC || t->role == CORE_ROLE_USER)
		return "user";
	if (t->chan == NULL && !t->spinning)
		return NULL;
	if (t->need.kind == CORE_NEED_WORK || t->need.kind == CORE_NEED_TIMER)
		return NULL;
	if (t->role == CORE_ROLE_RX) {
		for (i = 0; i < cfg->nirqs; i++)
			if (strcmp(cfg->irqs[i].name, t->name) == 0 &&
			    cfg->irqs[i].consumer[0])
				return "sock";
		return "rx";
	}
	return core_role_name(t->role);
}

/* The resource of a structured need, with its class for pages. */
static void need_of(const struct core_thread *t, char *out, size_t len)
{
	const struct core_need *n = &t->need;

	if (t->chan == NULL && !t->spinning) {
		snprintf(out, len, "cpu");
		return;
	}
	switch (n->kind) {
	case CORE_NEED_PAGES:
		snprintf(out, len, "%s@%s", n->total > 1 ? "slab-pages" :
		    "pages", n->cls_name != NULL ? n->cls_name : "?");
		break;
	case CORE_NEED_FREE_LEVEL:
		snprintf(out, len, "free>=%s", n->level_name != NULL ?
		    n->level_name : "level");
		break;
	case CORE_NEED_PBUF:
	case CORE_NEED_ZONE:
		snprintf(out, len, "%s:%s", core_need_kind_name(n->kind),
		    n->what != NULL ? n->what : "?");
		break;
	case CORE_NEED_WAKEUP:
		snprintf(out, len, "wakeup<-%s", n->holder != NULL ?
		    core_role_name(n->holder->role) :
		    core_role_name((enum core_role)n->from));
		break;
	case CORE_NEED_TEXT:
		signature_need_kind(t->wmesg != NULL ? t->wmesg : "?",
		    t->need_text, out, len);
		break;
	default:
		snprintf(out, len, "%s", core_need_kind_name(n->kind));
		break;
	}
}

static int cmp_elem(const void *a, const void *b)
{
	return strcmp(((const struct elem *)a)->text,
	    ((const struct elem *)b)->text);
}

static void add(struct elem *e, int *n, const char *text)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (strcmp(e[i].text, text) == 0) {
			e[i].count++;
			return;
		}
	}
	if (*n == MAX_ELEMS)
		return;
	snprintf(e[*n].text, sizeof(e[*n].text), "%s", text);
	e[*n].count = 1;
	(*n)++;
}

static void panic_signature(const struct run_row *row, char *out,
    size_t len)
{
	const char *m = row->message;
	size_t n;

	if (strncmp(m, "panic: ", 7) == 0)
		m += 7;
	n = strcspn(m, ":( ");
	snprintf(out, len, "panic:%.*s", (int)n, m);
}

void signature_compute(const struct config *cfg, const struct run_row *row,
    char *out, size_t len)
{
	struct elem e[MAX_ELEMS];
	const struct core_thread *t;
	char kind[64], text[160];
	const char *role, *wmesg;
	size_t pos = 0;
	int n = 0, i;

	out[0] = 0;
	if (row->outcome == OUTCOME_PANIC) {
		panic_signature(row, out, len);
		return;
	}
	if (row->outcome != OUTCOME_DEADLOCK)
		return;
	for (t = core_threads(); t != NULL; t = t->next_all) {
		if (t->exited)
			continue;
		role = role_of(cfg, t);
		if (role == NULL)
			continue;
		wmesg = (t->chan != NULL || t->spinning) && t->wmesg != NULL ?
		    t->wmesg : t->spinning ? "spin" : "running";
		need_of(t, kind, sizeof(kind));
		snprintf(text, sizeof(text), "%s\t%s:%s", role, wmesg, kind);
		add(e, &n, text);
	}
	qsort(e, (size_t)n, sizeof(e[0]), cmp_elem);
	for (i = 0; i < n && pos + 1 < len; i++) {
		char *tab = strchr(e[i].text, '\t');
		*tab = 0;
		pos += (size_t)snprintf(out + pos, len - pos, "%s%s%s:%s",
		    i ? " + " : "", e[i].text, e[i].count > 1 ? "*" : "",
		    tab + 1);
	}
	if (n == 0)
		snprintf(out, len, "no thread asleep");
}

void signature_hash(const char *text, char out[SIGNATURE_HASH_LEN])
{
	struct sha256_ctx ctx;
	char hex[65];

	sha256_init(&ctx);
	sha256_update(&ctx, text, strlen(text));
	sha256_final_hex(&ctx, hex);
	memcpy(out, hex, 16);
	out[16] = 0;
}
