/*
 * runner: see runner.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "choice.h"
#include "core.h"
#include "sha256.h"
#include "signature.h"
#include "simrun.h"
#include "xmalloc.h"

int runner_file_sha256(const char *path, char out[65], char *err,
    size_t errlen)
{
	struct sha256_ctx ctx;
	unsigned char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&ctx, buf, n);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	sha256_final_hex(&ctx, out);
	return 0;
}

static void params_copy(const struct run_spec *spec, struct param *p)
{
	memcpy(p, spec->params, sizeof(spec->params));
}

int runner_validate(const struct run_spec *spec, struct config *cfg,
    char *err, size_t errlen)
{
	struct param params[CFG_MAX_PARAMS];
	struct script *s;
	int i;

	params_copy(spec, params);
	memset(cfg, 0, sizeof(*cfg));
	s = script_load(spec->path, params, spec->nparams, spec->seed,
	    &spec->limits, cfg, err, errlen);
	if (s == NULL)
		return -1;
	script_destroy(s);
	for (i = 0; i < spec->nparams; i++) {
		if (!params[i].used) {
			snprintf(err, errlen, "%s: parameter '%s' (-p %s=%s) "
			    "is not read by the scenario", spec->path,
			    params[i].name, params[i].name, params[i].value);
			return -1;
		}
	}
	return 0;
}

double runner_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* See RUNNER_CRASH_ENV in runner.h.  No core file: tests crash on purpose. */
static void test_crash_hook(uint64_t seed)
{
	const char *v = getenv(RUNNER_CRASH_ENV);
	struct rlimit none = { 0, 0 };

	if (v == NULL || *v == '\0' || strtoull(v, NULL, 10) != seed)
		return;
	setrlimit(RLIMIT_CORE, &none);
	raise(SIGSEGV);
}

/*
 * A child must not outlive a parent that was killed (kill -9 of a
 * sweep): it would simulate on for up to its wall-clock limit with no
 * one to read the result.  Linux can say so; elsewhere the child ends
 * when its alarm() fires.
 */
static void die_with_parent(pid_t parent)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(1);
}

static _Noreturn void child(const struct run_spec *spec, int fd,
    pid_t parent)
{
	struct param params[CFG_MAX_PARAMS];
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct result res;
	struct script *s;
	char err[RES_MSG_LEN];
	double t0 = runner_now();

	die_with_parent(parent);
	/* A sweep's parent catches these; a run ends by them, as before. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (spec->wall_limit > 0)
		alarm((unsigned)spec->wall_limit + 2);
	test_crash_hook(spec->seed);
	result_init(&res);
	params_copy(spec, params);
	s = script_load(spec->path, params, spec->nparams, spec->seed,
	    &spec->limits, cfg, err, sizeof(err));
	if (s == NULL || runner_file_sha256(spec->path, cfg->sha256, err,
	    sizeof(err)) != 0) {
		res.row.outcome = OUTCOME_ERROR;
		snprintf(res.row.message, sizeof(res.row.message), "%s", err);
		res.row.seed = spec->seed;
	} else {
		choice_begin(spec->choices);
		if (spec->child_hook != NULL)
			spec->child_hook(spec->hook_ctx);
		simrun(cfg, s, &res);
		choice_record(&res.row);
		signature_compute(cfg, &res.row, res.row.signature,
		    sizeof(res.row.signature));
	}
	res.row.wall_seconds = runner_now() - t0;
	result_write(fd, &res);
	close(fd);
	_exit(0);
}

/* res becomes an error outcome; it must own nothing (result_free'd). */
static void fail(struct result *res, uint64_t seed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct result *res, uint64_t seed, const char *fmt, ...)
{
	va_list ap;

	result_init(res);
	res->row.outcome = OUTCOME_ERROR;
	res->row.seed = seed;
	va_start(ap, fmt);
	vsnprintf(res->row.message, sizeof(res->row.message), fmt, ap);
	va_end(ap);
}

int runner_start(const struct run_spec *spec, struct runner_child *c,
    struct result *res)
{
	pid_t parent = getpid();
	int fds[2];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->seed = spec->seed;
	c->wall_limit = spec->wall_limit;
	/* what every child would repeat: SimGrid's start, without a machine */
	core_engine_start();
	fflush(NULL);
	if (pipe(fds) != 0) {
		fail(res, spec->seed, "pipe: %s", strerror(errno));
		return -1;
	}
	c->started = runner_now();
	c->deadline = spec->wall_limit > 0 ? c->started + spec->wall_limit : 0;
	c->pid = fork();
	if (c->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		fail(res, spec->seed, "fork: %s", strerror(errno));
		return -1;
	}
	if (c->pid == 0) {
		close(fds[0]);
		child(spec, fds[1], parent);
	}
	close(fds[1]);
	c->fd = fds[0];
	return 0;
}

void runner_finish(struct runner_child *c, int overran, struct result *res)
{
	int status = 0, rc = -1;

	result_init(res);
	if (overran)
		kill(c->pid, SIGKILL);
	else
		rc = result_read(c->fd, res);
	close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->signal = rc != 0 && !overran && WIFSIGNALED(status) ?
	    WTERMSIG(status) : 0;
	if (rc == 0)
		return;
	result_free(res);
	if (overran)
		fail(res, c->seed, "wall-clock limit of %gs exceeded",
		    c->wall_limit);
	else if (WIFSIGNALED(status))
		fail(res, c->seed, "run died with signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fail(res, c->seed, "run ended without a result (exit status "
		    "%d)", WEXITSTATUS(status));
}

/* Wait until the child's pipe is readable; 0, or -1 once it overran. */
static int wait_readable(const struct runner_child *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	double left;
	int rc;

	for (;;) {
		left = c->deadline > 0 ? c->deadline - runner_now() : 1e6;
		if (left <= 0)
			return -1;
		rc = poll(&pfd, 1, (int)(left * 1000 + 1));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return 0;	/* let result_read() report it */
	}
}

void runner_run(const struct run_spec *spec, struct result *res)
{
	struct runner_child c;

	if (runner_start(spec, &c, res) != 0)
		return;
	runner_finish(&c, wait_readable(&c) != 0, res);
}
