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

static int is_irq(const struct config *cfg, const char *name, int *sock)
{
	int i;

	for (i = 0; i < cfg->nirqs; i++) {
		if (strcmp(cfg->irqs[i].name, name) == 0) {
			*sock = cfg->irqs[i].consumer[0] != 0;
			return 1;
		}
	}
	return 0;
}

/* The role of a thread, or NULL when it is left out (see above). */
static const char *role_of(const struct config *cfg,
    const struct core_thread *t, char *buf, size_t len)
{
	int sock = 0;
	size_t n;

	if (t->kind == CORE_PROC)
		return "user";
	if (t == vm_pagethread) {
		if (t->chan != NULL && t->wmesg != NULL &&
		    strcmp(t->wmesg, "psleep") == 0)
			return NULL;
		return "pagedaemon";
	}
	if (t->chan == NULL)
		return NULL;
	if (t->wmesg != NULL && strcmp(t->wmesg, "bioq") == 0)
		return NULL;
	if (strcmp(t->name, "kmalloc_poller") == 0 && t->wmesg != NULL &&
	    strcmp(t->wmesg, "kmalloc_poller") == 0)
		return NULL;
	if (is_irq(cfg, t->name, &sock))
		return sock ? "sock" : "irq";
	/* "swapdev.2" -> "swapdev": the instance is a count */
	n = strcspn(t->name, ".");
	snprintf(buf, len, "%.*s", (int)n, t->name);
	return buf;
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
	char rbuf[48], kind[64], text[160];
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
		role = role_of(cfg, t, rbuf, sizeof(rbuf));
		if (role == NULL)
			continue;
		wmesg = t->chan != NULL && t->wmesg != NULL ? t->wmesg :
		    "running";
		signature_need_kind(wmesg, t->chan != NULL ? t->need : "",
		    kind, sizeof(kind));
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
