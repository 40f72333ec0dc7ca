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

/*
 * The run's child: its pipe, its configuration once loaded, when it (or
 * the process it was forked from mid-run) started, and its alarm.
 */
static int child_fd = -1;
static const struct config *child_cfg;
static uint64_t child_seed;
static double child_t0, child_wall;
static unsigned child_alarm_left;

static void child_arm(void)
{
	if (child_wall > 0)
		alarm((unsigned)child_wall + 2);
}

static _Noreturn void child(const struct run_spec *spec, int fd,
    pid_t parent)
{
	struct param params[CFG_MAX_PARAMS];
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct result res;
	struct script *s;
	char err[RES_MSG_LEN];

	child_t0 = runner_now();
	child_fd = fd;
	child_seed = spec->seed;
	child_wall = spec->wall_limit;
	die_with_parent(parent);
	/* A sweep's parent catches these; a run ends by them, as before. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	child_arm();
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
		child_cfg = cfg;
		choice_begin(spec->choices);
		if (spec->child_hook != NULL)
			spec->child_hook(spec->hook_ctx);
		simrun(cfg, s, &res);
		choice_record(&res.row);
		signature_compute(cfg, &res.row, res.row.signature,
		    sizeof(res.row.signature));
	}
	res.row.wall_seconds = runner_now() - child_t0;
	result_write(fd, &res);
	close(fd);
	_exit(0);
}

void runner_child_forked(pid_t parent)
{
	die_with_parent(parent);
	child_t0 = runner_now();
	child_arm();		/* fork() cleared the alarm */
}

void runner_child_pause(void)
{
	child_alarm_left = alarm(0);
}

void runner_child_resume(void)
{
	if (child_wall > 0)
		alarm(child_alarm_left > 0 ? child_alarm_left : 1);
}

void runner_child_error(const struct choice_seq *choices, const char *fmt,
    ...)
{
	struct result res;
	va_list ap;

	result_init(&res);
	if (child_cfg != NULL)
		simrun_identity(child_cfg, &res.row);
	res.row.outcome = OUTCOME_ERROR;
	res.row.seed = child_seed;
	choice_seq_format(choices, res.row.choices, sizeof(res.row.choices));
	va_start(ap, fmt);
	vsnprintf(res.row.message, sizeof(res.row.message), fmt, ap);
	va_end(ap);
	res.row.wall_seconds = runner_now() - child_t0;
	(void)result_write(child_fd, &res);
	result_free(&res);
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

/* Wait until fd is readable; 0, or -1 once deadline (0: none) passed. */
static int readable_by(int fd, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double left;
	int rc;

	for (;;) {
		left = deadline > 0 ? deadline - runner_now() : 1e6;
		if (left <= 0)
			return -1;
		rc = poll(&pfd, 1, (int)(left * 1000 + 1));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return 0;	/* let result_read() report it */
	}
}

static int wait_readable(const struct runner_child *c)
{
	return readable_by(c->fd, c->deadline);
}

void runner_run(const struct run_spec *spec, struct result *res)
{
	struct runner_child c;

	if (runner_start(spec, &c, res) != 0)
		return;
	runner_finish(&c, wait_readable(&c) != 0, res);
}

void runner_kill(struct runner_child *c)
{
	int status;

	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

int runner_next(struct runner_child *c, double deadline, struct result *res)
{
	int status = 0, rc;

	if (c->pid <= 0)
		return 0;
	if (readable_by(c->fd, deadline) != 0) {
		runner_kill(c);
		return -1;
	}
	rc = result_read(c->fd, res);
	if (rc == 0)
		return 1;
	result_free(res);
	if (rc < 0) {
		runner_kill(c);
		fail(res, c->seed, "a run's result was cut short");
		return 1;
	}
	close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		fail(res, c->seed, "wall-clock limit of %gs exceeded",
		    c->wall_limit);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		c->signal = WTERMSIG(status);
		fail(res, c->seed, "run died with signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 1;
	}
	result_init(res);
	return 0;
}
