/*
 * sweep_lock: see sweep_lock.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

/* FNV-1a, folded to the byte that stands for the key. */
static off_t key_offset(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (off_t)(h % (1ULL << 30));
}

int sweep_lock(const char *db, const char *key, int *fd, long *holder,
    char *err, size_t errlen)
{
	size_t n = strlen(db) + sizeof("-sweeps");
	char *path = xmalloc(n);
	struct flock fl;
	int f;

	*fd = -1;
	*holder = 0;
	snprintf(path, n, "%s-sweeps", db);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0) {
		snprintf(err, errlen, "%s: cannot open the sweep lock: %s",
		    path, strerror(errno));
		free(path);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = key_offset(key);
	fl.l_len = 1;
	if (fcntl(f, F_SETLK, &fl) == 0) {
		*fd = f;
		free(path);
		return 0;
	}
	if (errno != EACCES && errno != EAGAIN) {
		snprintf(err, errlen, "%s: cannot take the sweep lock: %s",
		    path, strerror(errno));
		close(f);
		free(path);
		return -1;
	}
	if (fcntl(f, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		*holder = (long)fl.l_pid;
	close(f);
	free(path);
	return 1;
}
