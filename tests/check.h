/*
 * check: the smallest test harness that can fail.  Each CHECK prints
 * "ok - name" or "not ok - name (file:line)"; tests/run.sh counts them.
 * A test program exits non-zero when any check failed.
 */
#ifndef MEMSIM_CHECK_H
#define MEMSIM_CHECK_H

#include <stdio.h>

static int check_failed, check_passed;

#define CHECK(cond, ...) do {						\
	int check_ok_ = !!(cond);					\
	if (check_ok_) {						\
		check_passed++;						\
		printf("ok - ");					\
	} else {							\
		check_failed++;						\
		printf("not ok - ");					\
	}								\
	printf(__VA_ARGS__);						\
	if (!check_ok_)							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
	printf("\n");							\
} while (0)

#define CHECK_DONE() (check_failed ? 1 : 0)

#endif
