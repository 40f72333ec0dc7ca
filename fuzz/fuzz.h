/*
 * fuzz: the entry point every fuzz target defines, as libFuzzer calls
 * it.  Built with -fsanitize=fuzzer (meson -Dfuzz=true, clang) for
 * fuzzing, and linked with fuzz/replay.c in every build, so that each
 * target's corpus replays in `make test`.  A target reports a broken
 * invariant with fuzz_fail(), which aborts: the fuzzer keeps the input,
 * the replay test dies and counts as a failure.
 */
#ifndef MEMSIM_FUZZ_H
#define MEMSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_fail(...) do {						\
	fprintf(stderr, "%s:%d: invariant broken: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

#define fuzz_assert(cond, ...) do {					\
	if (!(cond))							\
		fuzz_fail(__VA_ARGS__);					\
} while (0)

#endif
