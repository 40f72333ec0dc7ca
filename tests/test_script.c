/*
 * test_script: the scenario loader and the process coroutines.
 *
 * Each test writes a scenario into a fresh mkdtemp() directory, loads it
 * and checks the config it produced or the exact one-line error.  Needs
 * vm_tunable_known() (knowing v_free_min and swap_async_max) and
 * alloc_names() from the model or stand-ins; allocator names are taken
 * from alloc_names() so the test follows the registry.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocators/alloc.h"
#include "check.h"
#include "script.h"

#define ERRLEN 1024

static char dir[64];
static char path[512];
static struct config cfg;
static char err[ERRLEN];

static const struct script_limits limits = { 64u << 20, 10000000 };

/* Write `text` to dir/name; path names it afterwards. */
static void write_scenario(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static struct script *load_with(const char *text, struct param *p, int np,
    uint64_t seed, const struct script_limits *lim)
{
	write_scenario("t.lua", text);
	return script_load(path, p, np, seed, lim, &cfg, err, sizeof(err));
}

static struct script *load(const char *text)
{
	return load_with(text, NULL, 0, 1, &limits);
}

/* err is exactly path followed by `tail`. */
static int err_is(const char *tail)
{
	char want[ERRLEN];

	snprintf(want, sizeof(want), "%s%s", path, tail);
	if (strcmp(err, want) == 0)
		return 1;
	printf("# got:  %s\n# want: %s\n", err, want);
	return 0;
}

/* err starts with path followed by `tail`. */
static int err_starts(const char *tail)
{
	char want[ERRLEN];

	snprintf(want, sizeof(want), "%s%s", path, tail);
	if (strncmp(err, want, strlen(want)) == 0)
		return 1;
	printf("# got:  %s\n# want: %s...\n", err, want);
	return 0;
}

/* The scenario fails to load with exactly path+tail. */
static int fails_with(const char *text, const char *tail)
{
	struct script *s = load(text);

	if (s != NULL) {
		script_destroy(s);
		printf("# loaded, expected %s\n", tail);
		return 0;
	}
	return err_is(tail);
}

#define PROC "process { name = 'a', run = function(p) end }\n"

/* The good scenario; %s is an allocator name (twice). */
#define GOOD_SCENARIO \
	"local n = param('n', 3)\n" \
	"local fast = param('fast', false)\n" \
	"local tag = param('tag', 'x')\n" \
	"local n2 = param('n', 5)\n" \
	"scenario { name = 'swap_storm', duration = '120s', watchdog = 5," \
	" sample_every = '100ms', warmup = '1s' }\n" \
	"machine { ram = '512M', ncpus = 4, swap = '2G'," \
	" swap_write_bw = '50M', swap_read_bw = 1048576," \
	" swap_latency = '3ms', file_read_bw = '100M'," \
	" file_latency = '4ms', kva = '4G', touch_cost = '60ns'," \
	" fault_cost = '3us', scan_cost = '200ns', pass_cost = '30us'," \
	" quantum = '2ms', v_free_min = 500, swap_async_max = 4 }\n" \
	"kernel { boot = 'cold', emergency_pager = false, swapmeta = { allocator = '%s'," \
	" reserve = 5, refill = 'nowait', exclusive = false },\n" \
	"  zones = { { name = 'VNODE', size = '512', rate = '200/s'," \
	" hold = '2s', count = 2 },\n" \
	"    { name = 'NAMEI', allocator = '%s', size = 1024 } } }\n" \
	"process { name = 'hog', count = n, start = '1s', nice = 5," \
	" run = function(p) end }\n" \
	"process { name = tag .. (fast and '!' or '')," \
	" run = function(p) end }\n" \
	"interrupt_load { name = 'rx', class = 'interrupt', rate = '500/s'," \
	" pages = 2, hold = '20ms', start = '3s' }\n" \
	"interrupt_load { rate = 10 }\n"

static void test_good_scenario(void)
{
	struct param p[] = {
		{ "n", "7", 0 }, { "zzz", "1", 0 }, { "tag", "hello", 0 },
	};
	const char *const *names = alloc_names();
	const char *alloc;
	static char text[4096];
	struct script *s;

	/* the last registered allocator: not a default, if there are two */
	for (alloc = *names; *names != NULL; names++)
		alloc = *names;
	/* swapmeta's options are reserve_kmalloc_obj's */
	snprintf(text, sizeof(text), GOOD_SCENARIO, "reserve_kmalloc_obj",
	    alloc);
	s = load_with(text, p, 3, 99, &limits);
	CHECK(s != NULL, "good scenario loads");
	if (s == NULL) {
		printf("# %s\n", err);
		return;
	}
	CHECK(strcmp(cfg.name, "swap_storm") == 0, "scenario name");
	CHECK(strcmp(cfg.path, path) == 0, "cfg->path is the file");
	CHECK(cfg.sha256[0] == '\0', "sha256 left to the caller");
	CHECK(cfg.seed == 99, "seed recorded");
	CHECK(cfg.duration == 121 && cfg.watchdog == 5 && cfg.warmup == 1 &&
	    fabs(cfg.sample_every - 0.1) < 1e-12,
	    "scenario times; warmup lengthens the run");
	CHECK(cfg.cold_boot == 1, "kernel boot = cold");
	CHECK(cfg.emergency_pager == 0, "kernel emergency_pager = false");
	CHECK(cfg.ram == 512ull << 20 && cfg.ncpus == 4 &&
	    cfg.swap == 2ull << 30 && cfg.kva == 4ull << 30, "machine sizes");
	CHECK(cfg.swap_write_bw == 50.0 * 1048576 &&
	    cfg.swap_read_bw == 1048576 && cfg.file_read_bw == 100.0 * 1048576,
	    "machine bandwidths");
	CHECK(fabs(cfg.swap_latency - 3e-3) < 1e-15 &&
	    fabs(cfg.file_latency - 4e-3) < 1e-15, "machine latencies");
	CHECK(fabs(cfg.touch_cost - 60e-9) < 1e-18 &&
	    fabs(cfg.fault_cost - 3e-6) < 1e-18 &&
	    fabs(cfg.scan_cost - 200e-9) < 1e-18 &&
	    fabs(cfg.pass_cost - 30e-6) < 1e-18 &&
	    fabs(cfg.quantum - 2e-3) < 1e-15, "machine costs");
	CHECK(cfg.ntunables == 2 &&
	    strcmp(cfg.tunables[0].name, "swap_async_max") == 0 &&
	    cfg.tunables[0].value == 4 &&
	    strcmp(cfg.tunables[1].name, "v_free_min") == 0 &&
	    cfg.tunables[1].value == 500, "tunables, sorted by name");
	CHECK(strcmp(cfg.swapmeta.name, "SWAPMETA") == 0 &&
	    strcmp(cfg.swapmeta.allocator, "reserve_kmalloc_obj") == 0 &&
	    cfg.swapmeta.reserve == 5 && cfg.swapmeta.refill_intnowait == 0 &&
	    cfg.swapmeta.exclusive == 0, "swapmeta");
	CHECK(cfg.nzones == 2 && strcmp(cfg.zones[0].name, "VNODE") == 0 &&
	    strcmp(cfg.zones[0].allocator, "kmalloc_obj") == 0 &&
	    cfg.zones[0].objsize == 512 && cfg.zones[0].load_rate == 200 &&
	    cfg.zones[0].load_hold == 2 && cfg.zones[0].load_count == 2,
	    "zone 1");
	CHECK(strcmp(cfg.zones[1].name, "NAMEI") == 0 &&
	    strcmp(cfg.zones[1].allocator, alloc) == 0 &&
	    cfg.zones[1].objsize == 1024 && cfg.zones[1].load_rate == 0 &&
	    cfg.zones[1].load_count == 1, "zone 2 defaults");
	CHECK(cfg.nprocs == 2 && strcmp(cfg.procs[0].name, "hog") == 0 &&
	    cfg.procs[0].count == 7 && cfg.procs[0].start == 1 &&
	    cfg.procs[0].nice == 5 && cfg.procs[0].line == 10 &&
	    cfg.procs[0].body_ref > 0, "process hog (count from -p)");
	CHECK(strcmp(cfg.procs[1].name, "hello") == 0 &&
	    cfg.procs[1].count == 1 && cfg.procs[1].start == 0 &&
	    cfg.procs[1].line == 11 &&
	    cfg.procs[1].body_ref != cfg.procs[0].body_ref,
	    "process 2 defaults, name from a string param");
	CHECK(cfg.nirqs == 2 && strcmp(cfg.irqs[0].name, "rx") == 0 &&
	    cfg.irqs[0].klass == IRQ_CLASS_INTERRUPT &&
	    cfg.irqs[0].rate == 500 && cfg.irqs[0].pages == 2 &&
	    fabs(cfg.irqs[0].hold - 0.02) < 1e-15 && cfg.irqs[0].start == 4,
	    "interrupt_load rx, starting after the warmup");
	CHECK(strcmp(cfg.irqs[1].name, "irq2") == 0 && cfg.irqs[1].rate == 10 &&
	    cfg.irqs[1].klass == IRQ_CLASS_MBUF &&
	    cfg.irqs[1].clusters == 1 && cfg.irqs[1].hold == 0,
	    "interrupt_load defaults: a receive load of one cluster");
	CHECK(cfg.nparams == 3 && strcmp(cfg.params[0].name, "fast") == 0 &&
	    strcmp(cfg.params[0].value, "false") == 0 &&
	    strcmp(cfg.params[1].name, "n") == 0 &&
	    strcmp(cfg.params[1].value, "7") == 0 &&
	    strcmp(cfg.params[2].name, "tag") == 0 &&
	    strcmp(cfg.params[2].value, "hello") == 0,
	    "params recorded once each, sorted, -p values and defaults");
	CHECK(p[0].used == 1 && p[1].used == 0 && p[2].used == 1,
	    "used marks the -p params that were read, and only them");
	script_destroy(s);
}

static void test_defaults(void)
{
	struct script *s;

	write_scenario("my_test.lua", PROC);
	s = script_load(path, NULL, 0, 5, &limits, &cfg, err, sizeof(err));
	CHECK(s != NULL, "minimal scenario loads");
	if (s == NULL)
		return;
	CHECK(strcmp(cfg.name, "my_test") == 0, "name defaults to basename");
	CHECK(cfg.duration == 60 && cfg.watchdog == 10 &&
	    fabs(cfg.sample_every - 0.1) < 1e-15, "default times");
	CHECK(cfg.ram == 256ull << 20 && cfg.ncpus == 2 &&
	    cfg.swap == 1ull << 30 && cfg.kva == 8ull << 30 &&
	    cfg.swap_write_bw == 100.0 * 1048576 &&
	    cfg.swap_read_bw == 200.0 * 1048576 &&
	    cfg.file_read_bw == 200.0 * 1048576 &&
	    fabs(cfg.swap_latency - 2e-3) < 1e-15 &&
	    fabs(cfg.file_latency - 5e-3) < 1e-15, "default machine");
	CHECK(fabs(cfg.touch_cost - 50e-9) < 1e-18 &&
	    fabs(cfg.fault_cost - 2e-6) < 1e-18 &&
	    fabs(cfg.scan_cost - 100e-9) < 1e-18 &&
	    fabs(cfg.pass_cost - 20e-6) < 1e-18 &&
	    fabs(cfg.quantum - 1e-3) < 1e-15, "default costs");
	CHECK(strcmp(cfg.swapmeta.name, "SWAPMETA") == 0 &&
	    strcmp(cfg.swapmeta.allocator, "zalloc") == 0 &&
	    cfg.swapmeta.reserve == 3 && cfg.swapmeta.refill_intnowait == 1 &&
	    cfg.swapmeta.exclusive == 1, "default swapmeta");
	CHECK(cfg.ntunables == 0 && cfg.nzones == 0 && cfg.nirqs == 0 &&
	    cfg.nparams == 0 && cfg.nprocs == 1, "nothing else");
	CHECK(cfg.emergency_pager == 1, "the emergency pager runs by default, "
	    "as DragonFly starts it unconditionally");
	CHECK(cfg.swapmeta.no_prealloc == 0, "uma_prealloc() by default");
	script_destroy(s);
	s = load("kernel { swapmeta = { allocator = 'uma_reserve',"
	    " prealloc = false } }\n" PROC);
	CHECK(s != NULL && cfg.swapmeta.no_prealloc == 1,
	    "uma_reserve's prealloc = false reaches the zone");
	if (s != NULL)
		script_destroy(s);
	s = load("kernel { swapmeta = { allocator = 'mempool',"
	    " retry = 'waitok' } }\n" PROC);
	CHECK(s != NULL && cfg.swapmeta.retry_waitok == 1,
	    "mempool's retry = 'waitok' reaches the zone");
	if (s != NULL)
		script_destroy(s);
}

static void test_syntax_and_runtime(void)
{
	CHECK(fails_with("scenario {\n  name = = 1 }\n",
	    ":2: unexpected symbol near '='"), "syntax error has file:line");
	CHECK(fails_with("local t\nt.x = 1\n",
	    ":2: attempt to index a nil value (local 't')"),
	    "runtime error at load has file:line");
	CHECK(fails_with("\nerror('boom')\n", ":2: boom"), "error() at load");
	CHECK(fails_with("\n\nerror('boom', 0)\n", ":3: boom"),
	    "error without position gets the line from the stack");
	CHECK(fails_with("local x = 1\nerror({ code = 42 })\n",
	    ":2: (error object is a table value)"), "error object");
	CHECK(fails_with("error('two\\nlines')\n", ":1: two lines"),
	    "messages are one line");
	CHECK(fails_with("\x1bLua", ": attempt to load a binary chunk "
	    "(mode is 't')"), "binary chunks refused");
}

static void test_unknown_options(void)
{
	int i, ok = 1;

	CHECK(fails_with("scenario { nmae = 'x' }\n",
	    ":1: unknown option 'nmae' in scenario"), "unknown in scenario");
	CHECK(fails_with("\nmachine { rma = '1G' }\n",
	    ":2: unknown option 'rma' in machine"), "unknown in machine");
	CHECK(fails_with("kernel { boot = 'hot' }\n",
	    ":1: boot: expected 'warm' or 'cold', got 'hot'"), "boot values");
	CHECK(fails_with("scenario { warmup = '-1s' }\n" PROC,
	    ":1: warmup: bad time \"-1s\": times cannot be negative"),
	    "warmup >= 0");
	CHECK(fails_with("kernel { swap = {} }\n",
	    ":1: unknown option 'swap' in kernel"), "unknown in kernel");
	CHECK(fails_with("kernel { swapmeta = { reserv = 3 } }\n",
	    ":1: unknown option 'reserv' in swapmeta"), "unknown in swapmeta");
	CHECK(fails_with("kernel { swapmeta = { allocator = 'kmalloc_obj',"
	    " prealloc = false } }\n", ":1: swapmeta: allocator "
	    "'kmalloc_obj' takes no option 'prealloc' (its options: none)"),
	    "an option its allocator does not read");
	CHECK(fails_with("kernel { swapmeta = { allocator = 'mempool',"
	    " refill = 'nowait' } }\n", ":1: swapmeta: allocator 'mempool'"
	    " takes no option 'refill' (its options: reserve, retry)"),
	    "... naming the options it does read");
	CHECK(fails_with("kernel { swapmeta = { allocator = 'mempool',"
	    " retry = 'again' } }\n",
	    ":1: retry: expected 'nowait' or 'waitok', got 'again'"),
	    "mempool's retry names");
	CHECK(fails_with("kernel { zones = { { name = 'A', size = 64,"
	    " exclusive = true } } }\n", ":1: zones[1]: allocator "
	    "'kmalloc_obj' takes no option 'exclusive' (its options: none)"),
	    "... in a zone too");
	CHECK(fails_with("kernel { zones = { { name = 'A', size = 64 },"
	    " { name = 'B', sise = 1 } } }\n",
	    ":1: unknown option 'sise' in zones[2]"), "unknown in a zone");
	CHECK(fails_with("kernel { zones = { { name = 'A' }, x = 1 } }\n",
	    ":1: unknown option 'x' in zones"), "zones is a list");
	CHECK(fails_with("process { name = 'a', run = function() end,"
	    " cnt = 2 }\n", ":1: unknown option 'cnt' in process"),
	    "unknown in process");
	CHECK(fails_with("interrupt_load { rate = 1, page = 2 }\n",
	    ":1: unknown option 'page' in interrupt_load"),
	    "unknown in interrupt_load");
	CHECK(fails_with("machine { 'x' }\n",
	    ":1: unknown option '1' in machine"), "positional value");
	CHECK(fails_with("machine { v_free_minn = 5 }\n",
	    ":1: unknown option 'v_free_minn' in machine"),
	    "near-miss tunable is unknown");
	/* hash order differs between states: the message must not */
	for (i = 0; i < 30 && ok; i++)
		ok = fails_with("machine { zz = 1, mm = 2, aa = 3, ram = '1G',"
		    " v_free_min = 3, qq = 4, bb = 5 }\n",
		    ":1: unknown option 'aa' in machine");
	CHECK(ok, "the smallest unknown key is reported, every time");
}

static void test_wrong_types_and_units(void)
{
	CHECK(fails_with("machine { ram = true }\n",
	    ":1: ram: expected a size string or number, got boolean"),
	    "size of the wrong type");
	CHECK(fails_with("scenario { duration = {} }\n",
	    ":1: duration: expected a time string or number, got table"),
	    "time of the wrong type");
	CHECK(fails_with("machine { swap_read_bw = false }\n",
	    ":1: swap_read_bw: expected a bandwidth string or number, "
	    "got boolean"), "bandwidth of the wrong type");
	CHECK(fails_with("machine { ncpus = '2' }\n",
	    ":1: ncpus: expected an integer from 1 to 64, got string"),
	    "integer of the wrong type");
	CHECK(fails_with("machine { ncpus = 65 }\n",
	    ":1: ncpus: expected an integer from 1 to 64, got 65"),
	    "ncpus out of range");
	CHECK(fails_with("machine { v_free_min = '500' }\n",
	    ":1: v_free_min: expected a non-negative whole number, got string"),
	    "tunables are numbers");
	CHECK(fails_with("machine { v_free_min = -1 }\n",
	    ":1: v_free_min: expected a non-negative whole number, got -1"),
	    "tunables are non-negative");
	CHECK(fails_with("machine { v_free_min = 1.5 }\n",
	    ":1: v_free_min: expected a non-negative whole number, got 1.5"),
	    "tunables are whole numbers");
	CHECK(fails_with("process { name = 'a', run = 3 }\n",
	    ":1: run: expected a function, got number"), "run is a function");
	CHECK(fails_with("process { run = function() end }\n",
	    ":1: process{} needs a name"), "process name required");
	CHECK(fails_with("process { name = 'a', count = 0,"
	    " run = function() end }\n",
	    ":1: count: expected a positive integer, got 0"), "count >= 1");
	CHECK(fails_with("kernel { emergency_pager = 'no' }\n",
	    ":1: emergency_pager: expected a boolean, got string"),
	    "emergency_pager not a boolean");
	CHECK(fails_with("kernel { swapmeta = { allocator ="
	    " 'reserve_kmalloc_obj', exclusive = 1 } }\n",
	    ":1: exclusive: expected a boolean, got number"), "booleans");
	CHECK(fails_with("kernel { swapmeta = { allocator ="
	    " 'reserve_kmalloc_obj', refill = 'wait' } }\n",
	    ":1: refill: expected 'intnowait' or 'nowait', got 'wait'"),
	    "refill names");
	CHECK(fails_with("machine { ram = 1.5 }\n",
	    ":1: ram: 1.5 is not a whole number of bytes"), "fractional bytes");
	CHECK(fails_with("scenario { duration = 'x' }\nscenario"
	    " { duration = 'x' }\n", ":1: duration: bad time \"x\": not a "
	    "number"), "first error wins");
	CHECK(fails_with("machine { ram = '12MB' }\n",
	    ":1: ram: bad size \"12MB\": unknown suffix \"MB\" (use K, M, G or T)"),
	    "bad unit 12MB");
	load("scenario { duration = '5 ms' }\n" PROC);
	CHECK(err_starts(":1: duration: bad time \"5 ms\""), "bad unit '5 ms'");
	load("machine { swap = '-4K' }\n" PROC);
	CHECK(err_starts(":1: swap: bad size \"-4K\""), "bad unit -4K");
	load("machine { kva = '1e999G' }\n" PROC);
	CHECK(err_starts(":1: kva: bad size \"1e999G\""), "bad unit 1e999G");
	CHECK(fails_with("machine { swap_write_bw = 0 }\n",
	    ":1: swap_write_bw must be > 0"), "bandwidths > 0");
}

static void test_semantic_errors(void)
{
	const char *const *n;
	char known[256] = "", tail[400];
	size_t used = 0;

	for (n = alloc_names(); *n != NULL; n++)
		used += (size_t)snprintf(known + used, sizeof(known) - used,
		    "%s%s", used > 0 ? ", " : "", *n);
	CHECK(fails_with("scenario { duration = '0s' }\n" PROC,
	    ":1: duration must be > 0"), "zero duration");
	CHECK(fails_with("scenario { duration = -1 }\n" PROC,
	    ":1: duration: times cannot be negative, got -1"),
	    "negative duration");
	CHECK(fails_with("scenario { sample_every = 0 }\n" PROC,
	    ":1: sample_every must be > 0"), "zero sample interval");
	CHECK(fails_with("machine { ram = '8M' }\n" PROC,
	    ":1: ram 8M is smaller than the kernel's own needs (16M)"),
	    "ram too small");
	snprintf(tail, sizeof(tail), ":1: unknown allocator 'slab' (known: "
	    "%s)", known);
	CHECK(fails_with("kernel { swapmeta = { allocator = 'slab' } }\n",
	    tail), "unknown allocator, the known ones listed");
	snprintf(tail, sizeof(tail), ":1: unknown allocator 'x' (known: %s)",
	    known);
	CHECK(fails_with("kernel { zones = { { name = 'V', allocator = 'x' }"
	    " } }\n", tail), "unknown zone allocator");
	CHECK(fails_with("kernel { swapmeta = { allocator = 'mempool',"
	    " reserve = -1 } }\n",
	    ":1: reserve: expected a non-negative integer, got -1"),
	    "negative reserve");
	CHECK(fails_with("kernel { swapmeta = { allocator = 'mempool',"
	    " reserve = 1.5 } }\n",
	    ":1: reserve: expected a non-negative integer, got 1.5"),
	    "fractional reserve");
	CHECK(fails_with("process { name = 'hog', run = function() end }\n"
	    "process { name = 'hog', run = function() end }\n",
	    ":2: duplicate process name 'hog' (first at line 1)"),
	    "duplicate process names");
	CHECK(fails_with("scenario {}\n\nscenario {}\n",
	    ":3: scenario{} given twice (first at line 1)"),
	    "scenario{} at most once");
	CHECK(fails_with("machine {}\nmachine {}\n",
	    ":2: machine{} given twice (first at line 1)"),
	    "machine{} at most once");
	CHECK(fails_with("kernel {}\nkernel {}\n",
	    ":2: kernel{} given twice (first at line 1)"),
	    "kernel{} at most once");
	CHECK(fails_with("scenario 'x'\n",
	    ":1: scenario: expected one table, as in scenario { ... }, got "
	    "string"), "API takes a table");
	CHECK(fails_with("scenario { name = 'x' }\n",
	    ": scenario starts no process"), "no process");
	CHECK(fails_with("interrupt_load { rate = 0 }\n", ":1: rate must be > 0"),
	    "irq rate > 0");
	CHECK(fails_with("interrupt_load { rate = 1, class = 'dma' }\n",
	    ":1: class: expected 'mbuf' or 'interrupt', got 'dma'"),
	    "irq class is mbuf or interrupt");
	CHECK(fails_with("interrupt_load { rate = 1, pages = 2 }\n",
	    ":1: pages: only with class = \"interrupt\"; a network receive "
	    "load takes clusters"), "a receive load has no pages");
	CHECK(fails_with("interrupt_load { rate = 1, class = 'interrupt',"
	    " clusters = 2 }\n", ":1: clusters: only with class = \"mbuf\" (the default); class "
	    "\"interrupt\" takes pages"),
	    "an interrupt-class load has no clusters");
	CHECK(fails_with("local ok = pcall(machine, { ram = '8M' })\n"
	    "assert(not ok)\n" PROC,
	    ":1: ram 8M is smaller than the kernel's own needs (16M)"),
	    "pcall cannot swallow a configuration error");
	CHECK(fails_with("pcall(param, 'n', {})\n" PROC,
	    ":1: param 'n': the default must be a number, boolean or string, "
	    "got table"), "nor a param() error");
}

static void test_files(void)
{
	struct script *s;
	char sub[256];

	snprintf(path, sizeof(path), "%s/nonexistent.lua", dir);
	s = script_load(path, NULL, 0, 1, &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && err_is(": cannot read: No such file or directory"),
	    "missing file");
	snprintf(path, sizeof(path), "%s", dir);
	s = script_load(path, NULL, 0, 1, &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && err_is(": cannot read: Is a directory"),
	    "directory");

	/* Lua shortens long chunk names to ".../tail"; we must not */
	snprintf(sub, sizeof(sub), "%s/a_rather_long_directory_name_that_"
	    "pushes_the_path_past_sixty_characters", dir);
	if (mkdir(sub, 0700) != 0) {
		perror(sub);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/long.lua", sub);
	{
		FILE *f = fopen(path, "w");

		fputs("\nlocal t\nt.x = 1\n", f);
		fclose(f);
	}
	s = script_load(path, NULL, 0, 1, &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && err_is(":3: attempt to index a nil value "
	    "(local 't')"), "long paths are reported whole (runtime)");
	{
		FILE *f = fopen(path, "w");

		fputs("\nx = = 1\n", f);
		fclose(f);
	}
	s = script_load(path, NULL, 0, 1, &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && err_is(":2: unexpected symbol near '='"),
	    "long paths are reported whole (syntax)");
	unlink(path);
	rmdir(sub);
}

static void test_sandbox(void)
{
	static const char *const absent[] = {
		"io", "os", "require", "package", "dofile", "loadfile", "load",
		"debug", "collectgarbage", "coroutine", "loadstring", "warn",
		NULL,
	};
	const char *const *n;
	char text[128], tail[128];
	struct script *s;
	int ok = 1;

	CHECK(fails_with("procces { name = 'a' }\n",
	    ":1: unknown name 'procces'"), "reading an undefined name");
	CHECK(fails_with("local a = 1\nx = 1\n",
	    ":2: assignment to undeclared global 'x'"), "creating a global");
	CHECK(fails_with(PROC "local function f() y = 2 end\nf()\n",
	    ":2: assignment to undeclared global 'y'"),
	    "creating a global from a function");
	for (n = absent; *n != NULL; n++) {
		snprintf(text, sizeof(text), "local f = %s\n", *n);
		snprintf(tail, sizeof(tail), ":1: unknown name '%s'", *n);
		if (!fails_with(text, tail)) {
			printf("# %s is present\n", *n);
			ok = 0;
		}
	}
	CHECK(ok, "io, os, require, dofile, loadfile, load, debug, ... absent");
	s = load("local x = 1\nx = 2\n"
	    "assert(math.randomseed == nil and sim.random == math.random)\n"
	    "assert(_G == _ENV and type(string.format) == 'function')\n"
	    "assert(utf8.char(72) == 'H' and table.concat({1, 2}) == '12')\n"
	    PROC);
	CHECK(s != NULL, "locals, libraries, sim.random, no randomseed");
	script_destroy(s);
	s = load("local ok = pcall(function() return nosuch end)\n"
	    "assert(not ok)\n" PROC);
	CHECK(s != NULL, "an unknown-name error can be caught");
	if (s == NULL)
		printf("# %s\n", err);
	script_destroy(s);
	CHECK(fails_with("setmetatable(_ENV, nil)\n",
	    ":1: cannot change a protected metatable"),
	    "the strict metatable stays");
}

static void test_limits(void)
{
	struct script_limits mem = { 32u << 20, 0 };
	struct script_limits budget = { 64u << 20, 1000000 };
	struct script_limits tiny = { 4096, 0 };
	struct script *s;

	s = load_with("\nlocal s = string.rep('x', 1 << 30)\n" PROC, NULL, 0,
	    1, &mem);
	CHECK(s == NULL && err_is(":2: Lua memory limit exceeded "
	    "(33554432 bytes)"), "string.rep huge: memory limit");
	s = load_with("local t = {}\nfor i = 1, 1e8 do t[i] = i end\n" PROC,
	    NULL, 0, 1, &mem);
	CHECK(s == NULL && err_is(":2: Lua memory limit exceeded "
	    "(33554432 bytes)"), "growing a table: memory limit");
	s = load_with("local ok = pcall(string.rep, 'x', 1 << 30)\n"
	    "assert(not ok)\n" PROC, NULL, 0, 1, &mem);
	CHECK(s != NULL, "a refused allocation caught by pcall is not fatal");
	script_destroy(s);

	s = load_with(PROC, NULL, 0, 1, &tiny);
	CHECK(s == NULL && err_is(": Lua memory limit exceeded (4096 bytes)"),
	    "a limit too small for the libraries");

	s = load_with("while true do end\n", NULL, 0, 1, &budget);
	CHECK(s == NULL && err_is(":1: instruction budget exceeded (1000000)"),
	    "endless loop at load");
	s = load_with("local ok = pcall(function()\n  while true do end\n"
	    "end)\n" PROC, NULL, 0, 1, &budget);
	CHECK(s == NULL && err_is(":2: instruction budget exceeded (1000000)"),
	    "pcall cannot swallow the budget error");
	s = load_with("while true do\n  pcall(function() while true do end"
	    " end)\nend\n", NULL, 0, 1, &budget);
	CHECK(s == NULL && err_is(":2: instruction budget exceeded (1000000)"),
	    "pcall in a loop cannot swallow it either");
	s = load_with("local function f() local a = 1 end\n"
	    "while true do pcall(f) end\n", NULL, 0, 1, &budget);
	CHECK(s == NULL && strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, "instruction budget exceeded (1000000)") != NULL,
	    "short pcalls in a loop");
}

static void test_params(void)
{
	struct param bad[] = { { "n", "abc", 0 } };
	struct param badb[] = { { "fast", "yes", 0 } };
	struct param big[] = { { "n", "0x10", 0 } };
	struct script *s;

	s = load("machine { ncpus = param('ncpus', 3) }\n" PROC);
	CHECK(s != NULL && cfg.ncpus == 3 && cfg.nparams == 1 &&
	    strcmp(cfg.params[0].name, "ncpus") == 0 &&
	    strcmp(cfg.params[0].value, "3") == 0,
	    "param() without -p: the default, recorded");
	script_destroy(s);
	s = load_with("local n = param('n', 1.5)\n" PROC, big, 1, 1, &limits);
	CHECK(s != NULL && strcmp(cfg.params[0].value, "16") == 0 &&
	    big[0].used, "numbers are converted like tonumber and recorded");
	script_destroy(s);
	s = load_with("\nlocal n = param('n', 4)\n" PROC, bad, 1, 1, &limits);
	CHECK(s == NULL && err_is(":2: param 'n': expected a number, got "
	    "'abc'"), "number conversion error names the param");
	s = load_with("local f = param('fast', true)\n" PROC, badb, 1, 1,
	    &limits);
	CHECK(s == NULL && err_is(":1: param 'fast': expected true or false, "
	    "got 'yes'"), "boolean conversion error");
	CHECK(fails_with("local f = param('x')\n",
	    ":1: param 'x': the default must be a number, boolean or string, "
	    "got no value"), "param needs a default");
}

static void test_determinism(void)
{
	const char *text = "scenario { name = 'r' .. math.random(1, 1000000000)"
	    " .. '_' .. sim.random(1, 1000000000) }\n" PROC;
	char a[CFG_NAME_LEN], b[CFG_NAME_LEN], c[CFG_NAME_LEN];
	struct script *s;

	s = load_with(text, NULL, 0, 42, &limits);
	snprintf(a, sizeof(a), "%s", s != NULL ? cfg.name : "?");
	script_destroy(s);
	s = load_with(text, NULL, 0, 42, &limits);
	snprintf(b, sizeof(b), "%s", s != NULL ? cfg.name : "?");
	script_destroy(s);
	s = load_with(text, NULL, 0, 43, &limits);
	snprintf(c, sizeof(c), "%s", s != NULL ? cfg.name : "?");
	script_destroy(s);
	CHECK(strcmp(a, "?") != 0 && strcmp(a, b) == 0,
	    "same seed, same random numbers (%s)", a);
	CHECK(strcmp(a, c) != 0, "another seed, other numbers (%s)", c);
}

static const char *const body_text =
    "process { name = 'w', count = 2, run = function(p)\n"	/* 1 */
    "  local r = p:mmap('64K')\n"				/* 2 */
    "  local f = p:mmap(1048576, { file = 'data.bin' })\n"	/* 3 */
    "  p:touch(r, { pages = 4, random = true, write = 0.5,"
    " offset = 2 })\n"						/* 4 */
    "  p:touch(f)\n"						/* 5 */
    "  p:compute('5ms')\n"					/* 6 */
    "  pcall(p.sleep, p, 0.25)\n"				/* 7 */
    "  p:munmap(r)\n"						/* 8 */
    "  p:compute(p.index + r + f)\n"				/* 9 */
    "  if p.name ~= 'w.' .. p.index then error('bad name') end\n"
    "end }\n";

static void test_process(void)
{
	struct script_proc *sp, *sp2;
	struct request req;
	struct script *s;
	int rc;

	s = load(body_text);
	CHECK(s != NULL, "process scenario loads");
	if (s == NULL) {
		printf("# %s\n", err);
		return;
	}
	sp = script_proc_create(s, &cfg.procs[0], 1, "w.1");
	sp2 = script_proc_create(s, &cfg.procs[0], 2, "w.2");
	CHECK(sp != NULL && sp2 != NULL, "coroutines created");

	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_MMAP && req.bytes == 65536 &&
	    req.file[0] == '\0' && req.line == 2, "mmap anonymous");
	rc = script_proc_resume(sp2, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_MMAP, "second instance runs apart");
	rc = script_proc_resume(sp, 7, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_MMAP && req.bytes == 1048576 &&
	    strcmp(req.file, "data.bin") == 0 && req.line == 3,
	    "mmap of a file");
	rc = script_proc_resume(sp, 8, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_TOUCH && req.region == 7 &&
	    req.pages == 4 && req.random == 1 && req.write == 0.5 &&
	    req.offset == 2 && req.line == 4, "touch with options");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_TOUCH && req.region == 8 &&
	    req.pages == -1 && req.random == 0 && req.write == 0 &&
	    req.offset == 0 && req.line == 5, "touch defaults");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_COMPUTE &&
	    fabs(req.seconds - 0.005) < 1e-15 && req.line == 6, "compute");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_SLEEP && req.seconds == 0.25 &&
	    req.line == 7, "sleep, through pcall");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_MUNMAP && req.region == 7 &&
	    req.line == 8, "munmap");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_COMPUTE && req.seconds == 16 &&
	    req.line == 9, "mmap returned the handles; p.index is 1");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == 0, "body returns: 0");
	rc = script_proc_resume(sp, 0, &req, err, sizeof(err));
	CHECK(rc == -1, "a finished process cannot be resumed");
	script_destroy(s);

	s = load("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n"
	    "  p:compute(r == nil and 1 or 2)\nend }\n");
	sp = s != NULL ? script_proc_create(s, &cfg.procs[0], 1, "a") : NULL;
	rc = sp != NULL ? script_proc_resume(sp, 0, &req, err, sizeof(err)) : -2;
	if (rc == 1)
		rc = script_proc_resume(sp, -12, &req, err, sizeof(err));
	CHECK(rc == 1 && req.kind == REQ_COMPUTE && req.seconds == 1,
	    "a refused mmap (negative handle) returns nil");
	script_destroy(s);
}

/* Run the single process of `text` until it stops; the last rc. */
static int run_body(const char *text, const struct script_limits *lim)
{
	struct script_proc *sp;
	struct request req;
	struct script *s;
	int rc, handle = 1, n = 0;

	s = load_with(text, NULL, 0, 1, lim);
	if (s == NULL) {
		printf("# load: %s\n", err);
		return -2;
	}
	sp = script_proc_create(s, &cfg.procs[0], 1, "a.1");
	memset(&req, 0, sizeof(req));
	do
		rc = script_proc_resume(sp, n > 0 && req.kind == REQ_MMAP ?
		    handle++ : 0,
		    &req, err, sizeof(err));
	while (rc == 1 && ++n < 1000);
	script_destroy(s);
	return rc;
}

static void test_process_errors(void)
{
	struct script_limits budget = { 64u << 20, 100000 };
	struct script_limits mem = { 32u << 20, 0 };

	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:compute(1)\n  error('boom')\nend }\n", &limits) == -1 &&
	    err_is(":3: boom"), "error in a body: -1 with file:line");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n  p:touch(r + 1)\nend }\n",
	    &limits) == -1 && err_is(":3: touch: bad region"),
	    "touch of a region never mapped");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n  p:munmap(r)\n  p:touch(r)\nend }\n",
	    &limits) == -1 && err_is(":4: touch: bad region"),
	    "touch after munmap");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:munmap('x')\nend }\n", &limits) == -1 &&
	    err_is(":2: munmap: bad region"), "munmap of a non-handle");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local f = p:mmap('4K', { file = 'x' })\n"
	    "  p:touch(f, { write = true })\nend }\n", &limits) == -1 &&
	    err_is(":3: touch: region 1 is a read-only file mapping"),
	    "writing a file mapping");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n"
	    "  p:touch(r, { write = 1.5 })\nend }\n", &limits) == -1 &&
	    err_is(":3: write: expected a boolean or a probability from 0 to "
	    "1, got 1.5"), "write probability range");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n"
	    "  p:touch(r, { pages = 0 })\nend }\n", &limits) == -1 &&
	    err_is(":3: pages: expected a positive integer, got 0"),
	    "pages >= 1");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local r = p:mmap('4K')\n"
	    "  p:touch(r, { page = 1 })\nend }\n", &limits) == -1 &&
	    err_is(":3: unknown option 'page' in touch"), "touch options");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:sleep('5 ms')\nend }\n", &limits) == -1 &&
	    err_starts(":2: sleep: bad time \"5 ms\""), "bad time in a body");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:mmap(0)\nend }\n", &limits) == -1 &&
	    err_is(":2: mmap: size must be > 0"), "mmap size");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p.touch(1)\nend }\n", &limits) == -1 &&
	    err_is(":2: touch: call it as p:touch(...)"), "p.touch() misuse");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  local x = p.nmae\nend }\n", &limits) == -1 &&
	    err_is(":2: unknown process field 'nmae'"), "unknown field");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  machine { ram = '1G' }\nend }\n", &limits) == -1 &&
	    err_is(":2: machine{} can only be used while the scenario loads"),
	    "no config from a body");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  z = 1\nend }\n", &limits) == -1 &&
	    err_is(":2: assignment to undeclared global 'z'"),
	    "strict globals in a body");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:compute(1)\n"
	    "  pcall(function() while true do end end)\n"
	    "  p:compute(1)\nend }\n", &budget) == -1 &&
	    err_is(":3: instruction budget exceeded (100000)"),
	    "budget in a body, through pcall");
	CHECK(run_body("process { name = 'a', run = function(p)\n"
	    "  p:compute(1)\n"
	    "  local s = string.rep('x', 1 << 30)\nend }\n", &mem) == -1 &&
	    err_is(":3: Lua memory limit exceeded (33554432 bytes)"),
	    "memory limit in a body");
}

/* script_load_buffer(): the text in memory loads as the same file would. */
static void test_buffer(void)
{
	static const char text[] =
	    "scenario { name = \"buf\", duration = \"2s\" }\n"
	    "machine { ram = \"64M\", swap = \"128M\" }\n"
	    "process { name = \"a\", count = 2, run = function(p) end }\n";
	static const char nul[] =
	    "process { name = 'a', run = function(p) end }\0 junk";
	static struct config from_file;
	struct script *s;

	s = load(text);
	CHECK(s != NULL, "buffer: the file loads (%s)", err);
	script_destroy(s);
	from_file = cfg;
	s = script_load_buffer(path, text, strlen(text), NULL, 0, 1, &limits,
	    &cfg, err, sizeof(err));
	CHECK(s != NULL && memcmp(&cfg, &from_file, sizeof(cfg)) == 0,
	    "buffer: script_load_buffer() gives the config script_load() "
	    "gives for the same text");
	script_destroy(s);
	s = script_load_buffer("in/memory.lua", "machine { rma = 1 }", 19,
	    NULL, 0, 1, &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && strcmp(err, "in/memory.lua:1: unknown option "
	    "'rma' in machine") == 0, "buffer: errors name the path given "
	    "(%s)", err);
	s = script_load_buffer("nul.lua", nul, sizeof(nul) - 1, NULL, 0, 1,
	    &limits, &cfg, err, sizeof(err));
	CHECK(s == NULL && strncmp(err, "nul.lua:1: ", 11) == 0,
	    "buffer: a NUL byte in the text is not the end of it (%s)", err);
	script_destroy(s);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_script.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_good_scenario();
	test_defaults();
	test_syntax_and_runtime();
	test_unknown_options();
	test_wrong_types_and_units();
	test_semantic_errors();
	test_files();
	test_sandbox();
	test_limits();
	test_params();
	test_determinism();
	test_process();
	test_process_errors();
	test_buffer();

	snprintf(path, sizeof(path), "%s/t.lua", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/my_test.lua", dir);
	unlink(path);
	rmdir(dir);
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return CHECK_DONE();
}
