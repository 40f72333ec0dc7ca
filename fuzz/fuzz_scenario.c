/*
 * fuzz_scenario: scenario text through the sandboxed loader
 * (sim/script.c), then a few process bodies run as coroutines.
 *
 * The input is the text of a scenario file, loaded with
 * script_load_buffer() under a small instruction budget and Lua heap.
 * A first line "--! name=value ..." gives -p parameters (else N=2 and
 * mode=b); inputs of odd length are loaded under a path longer than
 * Lua's LUA_IDSIZE, so messages go through the shortened ".../tail"
 * form Lua uses for long chunk names.  Then up to MAX_PROCS
 * process{} bodies are created and resumed, round robin, up to
 * MAX_RESUMES times each, as a process thread would: p:mmap() gets a
 * fresh handle, every other request gets 0.  It checks that:
 *   - a failure is one non-empty line naming the file;
 *   - a loaded config is inside the limits the model relies on
 *     (1..CFG_MAX_PROCS distinct process names, positive duration,
 *     enough RAM, counts within their arrays);
 *   - every request a body yields is well-formed (known kind, sizes
 *     positive, probabilities in [0, 1], times finite and >= 0);
 *   - nothing leaks (LeakSanitizer) and nothing crashes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "script.h"

#define PATH		"fuzz.lua"
#define LONG_PATH	"/a/directory/name/long/enough/that/lua/shortens/it/" \
			"in/its/messages/fuzz.lua"
#define MAX_PROCS	4
#define MAX_RESUMES	16
#define ERRLEN		1024

static const char *path = PATH;

static void check_err(const char *what, const char *err)
{
	size_t n = strnlen(err, ERRLEN);

	fuzz_assert(n > 0 && n < ERRLEN, "%s: empty or unterminated error",
	    what);
	fuzz_assert(strncmp(err, path, strlen(path)) == 0, "%s: error \"%s\" "
	    "does not name the file", what, err);
	fuzz_assert(strchr(err, '\n') == NULL && strchr(err, '\r') == NULL,
	    "%s: error \"%s\" is not one line", what, err);
}

static void check_config(const struct config *cfg)
{
	int i, j;

	fuzz_assert(cfg->nprocs >= 1 && cfg->nprocs <= CFG_MAX_PROCS,
	    "nprocs %d", cfg->nprocs);
	fuzz_assert(cfg->nirqs >= 0 && cfg->nirqs <= CFG_MAX_IRQ, "nirqs %d",
	    cfg->nirqs);
	fuzz_assert(cfg->nzones >= 0 && cfg->nzones <= CFG_MAX_ZONES,
	    "nzones %d", cfg->nzones);
	fuzz_assert(cfg->ntunables >= 0 && cfg->ntunables <= CFG_MAX_TUNABLES,
	    "ntunables %d", cfg->ntunables);
	fuzz_assert(cfg->nparams >= 0 && cfg->nparams <= CFG_MAX_PARAMS,
	    "nparams %d", cfg->nparams);
	fuzz_assert(cfg->nsweep >= 0 && cfg->nsweep <= CFG_MAX_SWEEP,
	    "nsweep %d", cfg->nsweep);
	fuzz_assert(cfg->duration > 0 && cfg->watchdog > 0 &&
	    cfg->sample_every > 0, "duration %g watchdog %g sample_every %g",
	    cfg->duration, cfg->watchdog, cfg->sample_every);
	fuzz_assert(cfg->ram >= ((uint64_t)16 << 20), "ram %llu",
	    (unsigned long long)cfg->ram);
	fuzz_assert(cfg->ncpus >= 1 && cfg->ncpus <= 64, "ncpus %d",
	    cfg->ncpus);
	fuzz_assert(memchr(cfg->name, '\0', sizeof(cfg->name)) != NULL &&
	    cfg->name[0] != '\0', "scenario name");
	for (i = 0; i < cfg->nprocs; i++) {
		const struct proc_cfg *p = &cfg->procs[i];

		fuzz_assert(p->name[0] != '\0' &&
		    memchr(p->name, '\0', sizeof(p->name)) != NULL,
		    "process %d name", i);
		fuzz_assert(p->count >= 1, "process %s count %d", p->name,
		    p->count);
		fuzz_assert(isfinite(p->start) && p->start >= 0,
		    "process %s start %g", p->name, p->start);
		for (j = 0; j < i; j++)
			fuzz_assert(strcmp(cfg->procs[j].name, p->name) != 0,
			    "duplicate process name %s", p->name);
	}
	for (i = 0; i < cfg->nirqs; i++)
		fuzz_assert(cfg->irqs[i].rate > 0 && cfg->irqs[i].pages >= 1,
		    "interrupt_load %d", i);
}

static void check_request(const struct request *r)
{
	switch (r->kind) {
	case REQ_MMAP:
		fuzz_assert(r->bytes > 0, "mmap of 0 bytes");
		fuzz_assert(memchr(r->file, '\0', sizeof(r->file)) != NULL,
		    "mmap file name unterminated");
		break;
	case REQ_MUNMAP:
		fuzz_assert(r->region >= 0, "munmap region %d", r->region);
		break;
	case REQ_TOUCH:
		fuzz_assert(r->region >= 0, "touch region %d", r->region);
		fuzz_assert(r->pages == -1 || r->pages >= 1, "touch pages %lld",
		    (long long)r->pages);
		fuzz_assert(r->offset >= 0, "touch offset %lld",
		    (long long)r->offset);
		fuzz_assert(r->write >= 0 && r->write <= 1, "touch write %g",
		    r->write);
		break;
	case REQ_COMPUTE:
	case REQ_SLEEP:
		fuzz_assert(isfinite(r->seconds) && r->seconds >= 0,
		    "seconds %g", r->seconds);
		break;
	default:
		fuzz_fail("unknown request kind %d", (int)r->kind);
	}
}

/* Round robin over the first processes, as their threads would. */
static void run_bodies(struct script *s, const struct config *cfg)
{
	struct script_proc *sp[MAX_PROCS];
	int live[MAX_PROCS], n, i, k, rc, next_region = 1;
	int64_t retval[MAX_PROCS];
	struct request req;
	char err[ERRLEN];

	n = cfg->nprocs < MAX_PROCS ? cfg->nprocs : MAX_PROCS;
	for (i = 0; i < n; i++) {
		sp[i] = script_proc_create(s, &cfg->procs[i], 0,
		    cfg->procs[i].name);
		live[i] = sp[i] != NULL;
		retval[i] = 0;
	}
	for (k = 0; k < MAX_RESUMES; k++) {
		for (i = 0; i < n; i++) {
			if (!live[i])
				continue;
			memset(&req, 0, sizeof(req));
			rc = script_proc_resume(sp[i], retval[i], &req, err,
			    sizeof(err));
			fuzz_assert(rc >= -1 && rc <= 1, "resume returned %d",
			    rc);
			if (rc == 1) {
				check_request(&req);
				retval[i] = req.kind == REQ_MMAP ?
				    next_region++ : 0;
				continue;
			}
			if (rc < 0)
				check_err("resume", err);
			live[i] = 0;
			/* an ended body must say so, not run again */
			rc = script_proc_resume(sp[i], 0, &req, err,
			    sizeof(err));
			fuzz_assert(rc == -1, "an ended process resumed");
			check_err("resume after the end", err);
		}
	}
}

/* "--! a=1 b=x" on the first line: up to MAX_PARAMS -p pairs. */
#define MAX_PARAMS 4
static int header_params(const uint8_t *data, size_t size,
    struct param *p)
{
	size_t i = 3, k;
	int n = 0;

	if (size < 3 || memcmp(data, "--!", 3) != 0)
		return -1;
	while (i < size && data[i] != '\n' && n < MAX_PARAMS) {
		char tok[2 * CFG_NAME_LEN], *eq;

		while (i < size && data[i] == ' ')
			i++;
		for (k = 0; i < size && data[i] != ' ' && data[i] != '\n' &&
		    k + 1 < sizeof(tok); i++)
			tok[k++] = (char)data[i];
		tok[k] = '\0';
		eq = strchr(tok, '=');
		if (eq == NULL || eq == tok || (size_t)(eq - tok) >=
		    CFG_NAME_LEN || strlen(eq + 1) >= CFG_NAME_LEN)
			continue;
		memset(&p[n], 0, sizeof(p[n]));
		memcpy(p[n].name, tok, (size_t)(eq - tok));
		memcpy(p[n].value, eq + 1, strlen(eq + 1) + 1);
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct script_limits lim = { 8u << 20, 200000 };
	struct param params[MAX_PARAMS] = {
		{ "N", "2", 0 }, { "mode", "b", 0 },
	};
	struct config *cfg = calloc(1, sizeof(*cfg));
	char err[ERRLEN];
	struct script *s;
	int np;

	if (cfg == NULL)
		abort();
	np = header_params(data, size, params);
	if (np < 0)
		np = 2;
	path = size % 2 ? LONG_PATH : PATH;
	s = script_load_buffer(path, (const char *)data, size, params, np, 1,
	    &lim, cfg, err, sizeof(err));
	if (s == NULL) {
		check_err("load", err);
	} else {
		check_config(cfg);
		run_bodies(s, cfg);
		script_destroy(s);
	}
	free(cfg);
	return 0;
}
