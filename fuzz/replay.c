/*
 * replay: a fuzz target's corpus, without libFuzzer.
 *
 * Calls LLVMFuzzerTestOneInput() on every file of each directory given
 * (default: the corpus the build compiled in, FUZZ_CORPUS), in name
 * order so the output is stable, and prints "ok - replay <file>" after
 * each.  A broken invariant aborts, which tests/run.sh counts as a
 * failure; so every input the fuzzer ever kept, and every crash fixed,
 * is re-checked by `make test` (and under the sanitizers in build-san).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file; NULL (with a message) when it cannot be read. */
static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Replay one directory; the number of files that could not be read. */
static int replay_dir(const char *dir, int *count)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i, len;
	unsigned char *buf;
	struct dirent *e;
	struct stat sb;
	int bad = 0;
	DIR *d = opendir(dir);

	if (d == NULL) {
		printf("not ok - replay %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				abort();
		}
		names[n] = strdup(e->d_name);
		if (names[n++] == NULL)
			abort();
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		buf = slurp(path, &len);
		if (buf == NULL) {
			printf("not ok - replay %s: cannot read it\n", path);
			bad++;
			continue;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		printf("ok - replay %s\n", path);
		fflush(stdout);
		(*count)++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	int i, bad = 0, count = 0;

	if (argc < 2) {
		/* FUZZ_CORPUS: directories separated by ':' */
		char dirs[] = FUZZ_CORPUS;
		char *d, *save = NULL;

		for (d = strtok_r(dirs, ":", &save); d != NULL;
		    d = strtok_r(NULL, ":", &save))
			bad += replay_dir(d, &count);
	} else {
		for (i = 1; i < argc; i++)
			bad += replay_dir(argv[i], &count);
	}
	if (count == 0) {
		printf("not ok - replay: an empty corpus\n");
		bad++;
	}
	return bad ? 1 : 0;
}
