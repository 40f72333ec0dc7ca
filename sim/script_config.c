/*
 * script_config: the scenario tables.  scenario{}, machine{}, kernel{},
 * process{} and interrupt_load{} are the Lua functions
 * a scenario's top level calls while it loads; each checks its table's
 * keys (an unknown one is an error with file:line), reads the values
 * through script_state's strict readers and fills the struct config
 * being built.  Tables are read by name, never in hash order.  param()
 * and sweep{} are sim/script_param.c.
 */
#include "script_config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "allocators/alloc.h"
#include "kload.h"
#include "script_param.h"
#include "script_state.h"
#include "vm_model.h"

#define KERNEL_MIN_RAM		((uint64_t)16 << 20)

struct script *script_config_enter(lua_State *L, const char *what,
    int *line)
{
	struct script *s = script_of(L);

	*line = script_caller_line(L);
	if (!s->loading)
		script_raisef(L, *line, "%s{} can only be used while the "
		    "scenario loads", what);
	s->in_api = 1;
	if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TTABLE)
		script_raisef(L, *line, "%s: expected one table, as in %s { "
		    "... }, got %s", what, what, lua_gettop(L) == 0 ? "nothing"
		    : luaL_typename(L, 1));
	return s;
}

void script_config_once(lua_State *L, int line, int *seen,
    const char *what)
{
	if (*seen)
		script_raisef(L, line, "%s{} given twice (first at line %d)",
		    what, *seen);
	*seen = line > 0 ? line : -1;
}

static const char *const scenario_keys[] = {
	"name", "duration", "watchdog", "sample_every", "warmup", NULL,
};

static int l_scenario(lua_State *L)
{
	struct script *s;
	struct config *cfg;
	struct script_tbl t;
	int line;

	s = script_config_enter(L, "scenario", &line);
	cfg = s->cfg;
	script_config_once(L, line, &s->scenario_line, "scenario");
	script_check_known(L, 1, line, scenario_keys, "scenario");
	t = (struct script_tbl){ L, 1, line };
	script_opt_name(&t, "name", cfg->name, sizeof(cfg->name));
	script_opt_real(&t, "duration", &script_kind_time, &cfg->duration);
	script_opt_real(&t, "watchdog", &script_kind_time, &cfg->watchdog);
	script_opt_real(&t, "sample_every", &script_kind_time,
	    &cfg->sample_every);
	script_opt_real(&t, "warmup", &script_kind_time, &cfg->warmup);
	if (!(cfg->warmup >= 0) || isinf(cfg->warmup))
		script_raisef(L, line, "warmup must be >= 0");
	if (!(cfg->duration > 0))
		script_raisef(L, line, "duration must be > 0");
	if (!(cfg->watchdog > 0))
		script_raisef(L, line, "watchdog must be > 0");
	if (!(cfg->sample_every > 0))
		script_raisef(L, line, "sample_every must be > 0");
	s->in_api = 0;
	return 0;
}

static const char *const machine_keys[] = {
	"ram", "ncpus", "swap", "swap_write_bw", "swap_read_bw",
	"swap_latency", "file_read_bw", "file_latency", "kva", "touch_cost",
	"fault_cost", "scan_cost", "pass_cost", "quantum", NULL,
};

struct tunable_names {
	char name[CFG_MAX_TUNABLES][CFG_NAME_LEN];
	int n, overflow;
};

static int record_tunable(const char *key, void *ctx)
{
	struct tunable_names *tn = ctx;

	if (strlen(key) >= CFG_NAME_LEN || !vm_tunable_known(key))
		return 0;
	if (tn->n == CFG_MAX_TUNABLES)
		tn->overflow = 1;
	else
		memcpy(tn->name[tn->n++], key, strlen(key) + 1);
	return 1;
}

int script_config_cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Kernel tunables by name: sorted, so their order is not hash order. */
static void read_tunables(lua_State *L, int line, struct config *cfg,
    struct tunable_names *tn)
{
	char got[64];
	double v;
	int i;

	if (tn->overflow)
		script_raisef(L, line, "too many tunables in machine (max %d)",
		    CFG_MAX_TUNABLES);
	qsort(tn->name, (size_t)tn->n, sizeof(tn->name[0]), script_config_cmp_name);
	for (i = 0; i < tn->n; i++) {
		lua_getfield(L, 1, tn->name[i]);
		script_describe(L, -1, got, sizeof(got));
		v = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v) || v < 0 ||
		    v != floor(v) || v > 9e15)
			script_raisef(L, line, "%s: expected a non-negative "
			    "whole number, got %s", tn->name[i], got);
		lua_pop(L, 1);
		memcpy(cfg->tunables[i].name, tn->name[i], CFG_NAME_LEN);
		cfg->tunables[i].value = v;
	}
	cfg->ntunables = tn->n;
}

/* "8M", "1G", or a byte count. */
static void fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t u = (uint64_t)1 << (10 * (i + 1));

		if (v != 0 && v % u == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v / u, units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

static void machine_check(lua_State *L, int line, const struct config *cfg)
{
	char a[32], b[32];

	if (cfg->ram == 0)
		script_raisef(L, line, "ram must be > 0");
	if (cfg->ram < KERNEL_MIN_RAM) {
		fmt_size(a, sizeof(a), cfg->ram);
		fmt_size(b, sizeof(b), KERNEL_MIN_RAM);
		script_raisef(L, line, "ram %s is smaller than the kernel's "
		    "own needs (%s)", a, b);
	}
	/*
	 * Swap blocks are page numbers of 32 bits, like the page array's
	 * indexes (VM_PAGE_NONE) and the blist's block numbers.
	 */
	if (cfg->swap / PAGE_SIZE >= (uint64_t)VM_PAGE_NONE) {
		fmt_size(a, sizeof(a), cfg->swap);
		script_raisef(L, line, "swap %s is larger than the swap "
		    "address range (at most %" PRIu32 " pages of %dK)", a,
		    VM_PAGE_NONE - 1, PAGE_SIZE / 1024);
	}
	if (cfg->kva == 0)
		script_raisef(L, line, "kva must be > 0");
	if (!(cfg->swap_write_bw > 0))
		script_raisef(L, line, "swap_write_bw must be > 0");
	if (!(cfg->swap_read_bw > 0))
		script_raisef(L, line, "swap_read_bw must be > 0");
	if (!(cfg->file_read_bw > 0))
		script_raisef(L, line, "file_read_bw must be > 0");
	if (!(cfg->quantum > 0))
		script_raisef(L, line, "quantum must be > 0");
}

static int l_machine(lua_State *L)
{
	struct tunable_names tn;
	struct script_keycheck kc;
	struct script *s;
	struct config *cfg;
	struct script_tbl t;
	int line;

	s = script_config_enter(L, "machine", &line);
	cfg = s->cfg;
	script_config_once(L, line, &s->machine_line, "machine");
	tn.n = tn.overflow = 0;
	kc = (struct script_keycheck){ machine_keys, 0, record_tunable, &tn };
	script_check_keys(L, 1, line, &kc, "machine");

	t = (struct script_tbl){ L, 1, line };
	script_opt_size(&t, "ram", &cfg->ram);
	script_opt_int(&t, "ncpus", 1, 64, &cfg->ncpus);
	script_opt_size(&t, "swap", &cfg->swap);
	script_opt_real(&t, "swap_write_bw", &script_kind_bw,
	    &cfg->swap_write_bw);
	script_opt_real(&t, "swap_read_bw", &script_kind_bw,
	    &cfg->swap_read_bw);
	script_opt_real(&t, "swap_latency", &script_kind_time,
	    &cfg->swap_latency);
	script_opt_real(&t, "file_read_bw", &script_kind_bw,
	    &cfg->file_read_bw);
	script_opt_real(&t, "file_latency", &script_kind_time,
	    &cfg->file_latency);
	script_opt_size(&t, "kva", &cfg->kva);
	script_opt_real(&t, "touch_cost", &script_kind_time, &cfg->touch_cost);
	script_opt_real(&t, "fault_cost", &script_kind_time, &cfg->fault_cost);
	script_opt_real(&t, "scan_cost", &script_kind_time, &cfg->scan_cost);
	script_opt_real(&t, "pass_cost", &script_kind_time, &cfg->pass_cost);
	script_opt_real(&t, "quantum", &script_kind_time, &cfg->quantum);
	machine_check(L, line, cfg);
	read_tunables(L, line, cfg, &tn);
	s->in_api = 0;
	return 0;
}

static void check_allocator(lua_State *L, int line, const char *name)
{
	const char *const *n;
	char known[256] = "";
	size_t used = 0;

	for (n = alloc_names(); *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return;
	for (n = alloc_names(); *n != NULL && used < sizeof(known); n++)
		used += (size_t)snprintf(known + used, sizeof(known) - used,
		    "%s%s", used > 0 ? ", " : "", *n);
	script_raisef(L, line, "unknown allocator '%s' (known: %s)", name,
	    known);
}

/* The allocator's zone options: one it does not read is an error. */
static const char *const zone_option_keys[] = {
	"reserve", "refill", "exclusive", "prealloc", "retry", NULL,
};

static void check_zone_options(const struct script_tbl *t, const char *what,
    const char *allocator)
{
	const struct alloc_ops *ops = alloc_lookup(allocator);
	const char *const *k, *const *o;
	char known[128] = "";
	size_t used = 0;

	for (k = zone_option_keys; *k != NULL; k++) {
		if (!script_field(t, *k))
			continue;
		lua_pop(t->L, 1);
		for (o = ops->options; o != NULL && *o != NULL; o++)
			if (strcmp(*o, *k) == 0)
				break;
		if (o != NULL && *o != NULL)
			continue;
		for (o = ops->options; o != NULL && *o != NULL &&
		    used < sizeof(known); o++)
			used += (size_t)snprintf(known + used,
			    sizeof(known) - used, "%s%s", used ? ", " : "", *o);
		script_raisef(t->L, t->line, "%s: allocator '%s' takes no "
		    "option '%s' (its options: %s)", what, allocator, *k,
		    used ? known : "none");
	}
}

/* Options every zone has: which allocator, and its reserve. */
static void read_zone_alloc(const struct script_tbl *t, struct zone_cfg *z,
    const char *what)
{
	char refill[CFG_NAME_LEN], retry[CFG_NAME_LEN];
	int prealloc;

	if (script_opt_name(t, "allocator", z->allocator, sizeof(z->allocator)))
		check_allocator(t->L, t->line, z->allocator);
	check_zone_options(t, what, z->allocator);
	script_opt_long(t, "reserve", 0, LUA_MAXINTEGER, &z->reserve);
	if (script_opt_name(t, "refill", refill, sizeof(refill))) {
		if (strcmp(refill, "intnowait") == 0)
			z->refill_intnowait = 1;
		else if (strcmp(refill, "nowait") == 0)
			z->refill_intnowait = 0;
		else
			script_raisef(t->L, t->line, "refill: expected "
			    "'intnowait' or 'nowait', got '%s'", refill);
	}
	script_opt_bool(t, "exclusive", &z->exclusive);
	if (script_opt_name(t, "retry", retry, sizeof(retry))) {
		if (strcmp(retry, "nowait") == 0)	/* mempool */
			z->retry_waitok = 0;
		else if (strcmp(retry, "waitok") == 0)
			z->retry_waitok = 1;
		else
			script_raisef(t->L, t->line, "retry: expected "
			    "'nowait' or 'waitok', got '%s'", retry);
	}
	prealloc = !z->no_prealloc;	/* uma_reserve: uma_prealloc() */
	script_opt_bool(t, "prealloc", &prealloc);
	z->no_prealloc = !prealloc;
}

static const char *const swapmeta_keys[] = {
	"allocator", "reserve", "refill", "exclusive", "prealloc", "retry",
	NULL,
};

static const char *const zone_keys[] = {
	"name", "allocator", "size", "rate", "hold", "count", "reserve",
	"refill", "exclusive", "prealloc", "retry", NULL,
};

static void zone_defaults(struct zone_cfg *z)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->allocator, sizeof(z->allocator), "kmalloc_obj");
	z->reserve = 3;
	z->refill_intnowait = 1;
	z->load_count = 1;
}

static void read_zone(lua_State *L, int line, struct config *cfg, int i)
{
	struct zone_cfg *z = &cfg->zones[i - 1];
	char what[32];
	struct script_tbl t;
	int j;

	snprintf(what, sizeof(what), "zones[%d]", i);
	if (lua_type(L, -1) != LUA_TTABLE)
		script_raisef(L, line, "%s: expected a table, got %s", what,
		    luaL_typename(L, -1));
	script_check_known(L, -1, line, zone_keys, what);
	t = (struct script_tbl){ L, lua_absindex(L, -1), line };
	zone_defaults(z);
	if (!script_opt_name(&t, "name", z->name, sizeof(z->name)))
		script_raisef(L, line, "%s needs a name", what);
	if (strcmp(z->name, "SWAPMETA") == 0)
		script_raisef(L, line, "%s: SWAPMETA is set up by kernel{ "
		    "swapmeta = { ... } }", what);
	for (j = 0; j < i - 1; j++)
		if (strcmp(cfg->zones[j].name, z->name) == 0)
			script_raisef(L, line, "duplicate zone name '%s'",
			    z->name);
	read_zone_alloc(&t, z, what);
	script_opt_size(&t, "size", &z->objsize);
	if (z->objsize == 0 && kload_zone_kernel_size(z->name) == 0)
		script_raisef(L, line, "%s '%s' needs a size (known kernel "
		    "types: M_VM_OBJECT, M_VNODE, M_VFSCACHE)", what, z->name);
	script_opt_real(&t, "rate", &script_kind_rate, &z->load_rate);
	script_opt_real(&t, "hold", &script_kind_time, &z->load_hold);
	script_opt_long(&t, "count", 1, LUA_MAXINTEGER, &z->load_count);
}

static void read_zones(lua_State *L, int line, struct config *cfg)
{
	struct script_keycheck kc = { NULL, 0, NULL, NULL };
	lua_Integer n, i;

	if (lua_type(L, -1) != LUA_TTABLE)
		script_raisef(L, line, "zones: expected a list of tables, got "
		    "%s", luaL_typename(L, -1));
	n = (lua_Integer)lua_rawlen(L, -1);
	kc.array_len = n;
	script_check_keys(L, -1, line, &kc, "zones");
	if (n > CFG_MAX_ZONES)
		script_raisef(L, line, "too many zones (max %d)",
		    CFG_MAX_ZONES);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		read_zone(L, line, cfg, (int)i);
		lua_pop(L, 1);
	}
	cfg->nzones = (int)n;
}

static const char *const kernel_keys[] = {
	"boot", "swapmeta", "zones", "pf_memalloc", "emergency_pager", NULL,
};

static int l_kernel(lua_State *L)
{
	struct script *s;
	struct script_tbl t;
	char boot[CFG_NAME_LEN];
	int line;

	s = script_config_enter(L, "kernel", &line);
	script_config_once(L, line, &s->kernel_line, "kernel");
	script_check_known(L, 1, line, kernel_keys, "kernel");
	t = (struct script_tbl){ L, 1, line };
	if (script_opt_name(&t, "boot", boot, sizeof(boot))) {
		if (strcmp(boot, "cold") == 0)
			s->cfg->cold_boot = 1;
		else if (strcmp(boot, "warm") == 0)
			s->cfg->cold_boot = 0;
		else
			script_raisef(L, line, "boot: expected 'warm' or "
			    "'cold', got '%s'", boot);
	}
	if (lua_getfield(L, 1, "swapmeta") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TTABLE)
			script_raisef(L, line, "swapmeta: expected a table, "
			    "got %s", luaL_typename(L, -1));
		script_check_known(L, -1, line, swapmeta_keys, "swapmeta");
		t = (struct script_tbl){ L, lua_absindex(L, -1), line };
		read_zone_alloc(&t, &s->cfg->swapmeta, "swapmeta");
	}
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "zones") != LUA_TNIL)
		read_zones(L, line, s->cfg);
	lua_pop(L, 1);
	t = (struct script_tbl){ L, 1, line };
	script_opt_bool(&t, "pf_memalloc", &s->cfg->pf_memalloc);
	script_opt_bool(&t, "emergency_pager", &s->cfg->emergency_pager);
	s->in_api = 0;
	return 0;
}

static const char *const process_keys[] = {
	"name", "count", "start", "nice", "rlimit_rss", "run", NULL,
};

static int l_process(lua_State *L)
{
	struct proc_cfg *pc;
	struct config *cfg;
	struct script *s;
	struct script_tbl t;
	int line, i;

	s = script_config_enter(L, "process", &line);
	cfg = s->cfg;
	script_check_known(L, 1, line, process_keys, "process");
	if (cfg->nprocs == CFG_MAX_PROCS)
		script_raisef(L, line, "too many process{} declarations (max "
		    "%d)", CFG_MAX_PROCS);
	pc = &cfg->procs[cfg->nprocs];
	memset(pc, 0, sizeof(*pc));
	pc->count = 1;
	pc->line = line;
	t = (struct script_tbl){ L, 1, line };
	if (!script_opt_name(&t, "name", pc->name, sizeof(pc->name)))
		script_raisef(L, line, "process{} needs a name");
	for (i = 0; i < cfg->nprocs; i++)
		if (strcmp(cfg->procs[i].name, pc->name) == 0)
			script_raisef(L, line, "duplicate process name '%s' "
			    "(first at line %d)", pc->name, cfg->procs[i].line);
	script_opt_int(&t, "count", 1, INT_MAX, &pc->count);
	script_opt_real(&t, "start", &script_kind_time, &pc->start);
	script_opt_int(&t, "nice", -20, 20, &pc->nice);
	script_opt_size(&t, "rlimit_rss", &pc->rlimit_rss);
	if (lua_getfield(L, 1, "run") != LUA_TFUNCTION)
		script_raisef(L, line, "run: expected a function, got %s",
		    luaL_typename(L, -1));
	pc->body_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	cfg->nprocs++;
	s->in_api = 0;
	return 0;
}

static const char *const irq_keys[] = {
	"class", "clusters", "consumer", "hold", "name", "pages", "rate",
	"sockbuf", "start", NULL,
};

/* An interrupt_load's consumer must name a process{} (declared anywhere). */
static int check_consumers(const struct config *cfg, const char *path,
    char *err, size_t errlen)
{
	int i, k;

	for (i = 0; i < cfg->nirqs; i++) {
		const struct irq_cfg *q = &cfg->irqs[i];
		if (!q->consumer[0])
			continue;
		for (k = 0; k < cfg->nprocs; k++)
			if (strcmp(cfg->procs[k].name, q->consumer) == 0)
				break;
		if (k == cfg->nprocs) {
			snprintf(err, errlen, "%s:%d: consumer '%s' is not a "
			    "process{}", path, q->line, q->consumer);
			return -1;
		}
	}
	return 0;
}

static int l_interrupt_load(lua_State *L)
{
	struct config *cfg;
	struct irq_cfg *q;
	struct script *s;
	struct script_tbl t;
	char klass[CFG_NAME_LEN];
	int line, i, forever;

	s = script_config_enter(L, "interrupt_load", &line);
	cfg = s->cfg;
	script_check_known(L, 1, line, irq_keys, "interrupt_load");
	if (cfg->nirqs == CFG_MAX_IRQ)
		script_raisef(L, line, "too many interrupt_load{} declarations "
		    "(max %d)", CFG_MAX_IRQ);
	q = &cfg->irqs[cfg->nirqs];
	memset(q, 0, sizeof(*q));
	q->pages = 1;
	t = (struct script_tbl){ L, 1, line };
	if (!script_opt_name(&t, "name", q->name, sizeof(q->name)))
		snprintf(q->name, sizeof(q->name), "irq%d", cfg->nirqs + 1);
	for (i = 0; i < cfg->nirqs; i++)
		if (strcmp(cfg->irqs[i].name, q->name) == 0)
			script_raisef(L, line, "duplicate interrupt_load name "
			    "'%s'", q->name);
	if (!script_field(&t, "rate"))
		script_raisef(L, line, "interrupt_load{} needs a rate");
	lua_pop(L, 1);
	script_opt_real(&t, "rate", &script_kind_rate, &q->rate);
	if (!(q->rate > 0))
		script_raisef(L, line, "rate must be > 0");
	if (script_opt_name(&t, "class", klass, sizeof(klass))) {
		if (strcmp(klass, "interrupt") == 0)
			q->klass = IRQ_CLASS_INTERRUPT;
		else if (strcmp(klass, "mbuf") != 0)
			script_raisef(L, line, "class: expected 'mbuf' or "
			    "'interrupt', got '%s'", klass);
	}
	q->clusters = 1;
	if (q->klass == IRQ_CLASS_MBUF) {
		if (script_field(&t, "pages"))
			script_raisef(L, line, "pages: only with class = "
			    "\"interrupt\"; a network receive load takes "
			    "clusters");
		script_opt_long(&t, "clusters", 1, LUA_MAXINTEGER,
		    &q->clusters);
	} else {
		if (script_field(&t, "clusters"))
			script_raisef(L, line, "clusters: only with class = "
			    "\"mbuf\" (the default); class \"interrupt\" "
			    "takes pages");
		script_opt_long(&t, "pages", 1, LUA_MAXINTEGER, &q->pages);
	}
	if (script_field(&t, "hold")) {
		forever = lua_type(L, -1) == LUA_TSTRING &&
		    strcmp(lua_tostring(L, -1), "forever") == 0;
		lua_pop(L, 1);
		if (forever)
			q->hold = INFINITY;	/* a leak: never given back */
		else
			script_opt_real(&t, "hold", &script_kind_time,
			    &q->hold);
	}
	script_opt_real(&t, "start", &script_kind_time, &q->start);
	script_opt_name(&t, "consumer", q->consumer, sizeof(q->consumer));
	q->sockbuf = 256 << 10;
	script_opt_size(&t, "sockbuf", &q->sockbuf);
	if (q->consumer[0] && q->sockbuf < (q->klass == IRQ_CLASS_MBUF ?
	    2048u : 4096u))
		script_raisef(L, line, "sockbuf must hold at least one %s",
		    q->klass == IRQ_CLASS_MBUF ? "cluster" : "page");
	q->line = line;
	cfg->nirqs++;
	s->in_api = 0;
	return 0;
}

static const luaL_Reg api_funcs[] = {
	{ "scenario", l_scenario },
	{ "machine", l_machine },
	{ "kernel", l_kernel },
	{ "process", l_process },
	{ "interrupt_load", l_interrupt_load },
	{ NULL, NULL },
};

void script_config_register(struct lua_State *L)
{
	luaL_setfuncs(L, api_funcs, 0);
	script_param_register(L);
}

void script_config_defaults(struct config *cfg, const char *path,
    uint64_t seed)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->seed = seed;
	cfg->duration = 60;
	cfg->watchdog = 10;
	cfg->sample_every = 0.1;

	cfg->ram = (uint64_t)256 << 20;
	cfg->ncpus = 2;
	cfg->swap = (uint64_t)1 << 30;
	cfg->swap_write_bw = 100.0 * (1 << 20);
	cfg->swap_read_bw = 200.0 * (1 << 20);
	cfg->swap_latency = 2e-3;
	cfg->file_read_bw = 200.0 * (1 << 20);
	cfg->file_latency = 5e-3;
	cfg->kva = (uint64_t)8 << 30;
	cfg->touch_cost = 50 / 1e9;
	cfg->fault_cost = 2 / 1e6;
	cfg->scan_cost = 100 / 1e9;
	cfg->pass_cost = 20 / 1e6;
	cfg->quantum = 1 / 1e3;

	zone_defaults(&cfg->swapmeta);
	snprintf(cfg->swapmeta.name, sizeof(cfg->swapmeta.name), "SWAPMETA");
	snprintf(cfg->swapmeta.allocator, sizeof(cfg->swapmeta.allocator),
	    "zalloc");
	cfg->swapmeta.exclusive = 1;
	cfg->emergency_pager = 1;	/* SYSINIT(emergpager), always started */
}

/* The file's base name without ".lua". */
static void default_name(struct config *cfg, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".lua") == 0)
		n -= 4;
	if (n >= sizeof(cfg->name))
		n = sizeof(cfg->name) - 1;
	memcpy(cfg->name, base, n);
	cfg->name[n] = '\0';
}

int script_config_finish(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	int i;

	if (cfg->nprocs == 0) {
		snprintf(err, errlen, "%s: scenario starts no process", path);
		return -1;
	}
	if (check_consumers(cfg, path, err, errlen) != 0)
		return -1;
	if (cfg->name[0] == '\0')
		default_name(cfg, path);
	/* warmup: the receive loads start late, the run lasts as long */
	for (i = 0; i < cfg->nirqs; i++)
		cfg->irqs[i].start += cfg->warmup;
	cfg->duration += cfg->warmup;
	return 0;
}
