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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"
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

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child(const struct run_spec *spec, int fd)
{
	struct param params[CFG_MAX_PARAMS];
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct result res;
	struct script *s;
	char err[RES_MSG_LEN];
	double t0 = wall_now();

	signal(SIGPIPE, SIG_IGN);
	if (spec->wall_limit > 0)
		alarm((unsigned)spec->wall_limit + 2);
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
		simrun(cfg, s, &res);
	}
	res.row.wall_seconds = wall_now() - t0;
	result_write(fd, &res);
	close(fd);
	_exit(0);
}

static void fail(struct result *res, const struct run_spec *spec,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct result *res, const struct run_spec *spec,
    const char *fmt, ...)
{
	va_list ap;

	result_free(res);
	result_init(res);
	res->row.outcome = OUTCOME_ERROR;
	res->row.seed = spec->seed;
	va_start(ap, fmt);
	vsnprintf(res->row.message, sizeof(res->row.message), fmt, ap);
	va_end(ap);
}

void runner_run(const struct run_spec *spec, struct result *res)
{
	int fds[2], status, rc = -1;
	double t0 = wall_now(), left;
	struct pollfd pfd;
	pid_t pid;

	result_init(res);
	fflush(NULL);
	if (pipe(fds) != 0) {
		fail(res, spec, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		fail(res, spec, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child(spec, fds[1]);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		left = spec->wall_limit > 0 ?
		    spec->wall_limit - (wall_now() - t0) : 1e9;
		if (left <= 0) {
			rc = -2;
			break;
		}
		rc = poll(&pfd, 1, (int)(left * 1000 > 1e9 ? 1e9 :
		    left * 1000 + 1));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc > 0) {
			rc = result_read(fds[0], res);
			break;
		}
	}
	if (rc == -2)
		kill(pid, SIGKILL);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == -2) {
		fail(res, spec, "wall-clock limit of %gs exceeded",
		    spec->wall_limit);
	} else if (rc != 0) {
		if (WIFSIGNALED(status))
			fail(res, spec, "run died with signal %d (%s)",
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			fail(res, spec, "run ended without a result (exit "
			    "status %d)", WEXITSTATUS(status));
	}
}
