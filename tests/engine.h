/*
 * engine: what tests that start the simulation engine share.  SimGrid
 * can be initialised once per process, so each case that needs a fresh
 * engine runs in a forked child whose exit status is its verdict.
 */
#ifndef MEMSIM_TEST_ENGINE_H
#define MEMSIM_TEST_ENGINE_H

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core.h"
#include "trace.h"

/* Run fn(arg) in a child; its exit status (128+signal if killed). */
static int test_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rc;

		check_failed = check_passed = 0;	/* the child's own */
		rc = fn(arg);
		fflush(stdout);
		_exit(rc);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 255;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Start the engine with a small platform, and the event trace. */
static void test_engine(int ncpus)
{
	struct core_platform p = {
		.ncpus = ncpus, .cpu_flops = 1e9,
	};

	core_init(&p);
	trace_init();
}

#endif
