/*
 * cli: see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

int cli_die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int cli_param_add(struct param *params, int *nparams, const char *arg,
    char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int i;

	if (eq == NULL || eq == arg) {
		snprintf(err, errlen, "-p %s: expected name=value", arg);
		return -1;
	}
	nlen = (size_t)(eq - arg);
	if (nlen >= CFG_NAME_LEN || strlen(eq + 1) >= CFG_NAME_LEN) {
		snprintf(err, errlen, "-p %s: too long", arg);
		return -1;
	}
	for (i = 0; i < *nparams; i++)
		if (strlen(params[i].name) == nlen &&
		    strncmp(params[i].name, arg, nlen) == 0)
			break;
	if (i == *nparams) {
		if (*nparams == CFG_MAX_PARAMS) {
			snprintf(err, errlen, "too many -p parameters");
			return -1;
		}
		(*nparams)++;
	}
	memcpy(params[i].name, arg, nlen);
	params[i].name[nlen] = 0;
	snprintf(params[i].value, CFG_NAME_LEN, "%s", eq + 1);
	return 0;
}

int cli_parse_outcomes(const char *list, unsigned *mask, char *err,
    size_t errlen)
{
	const char *s = list, *comma;
	size_t n;
	int o, found;

	*mask = 0;
	for (;;) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		found = 0;
		for (o = 0; o <= OUTCOME_ERROR; o++) {
			if (strlen(outcome_name(o)) == n &&
			    strncmp(outcome_name(o), s, n) == 0) {
				*mask |= 1u << o;
				found = 1;
			}
		}
		if (!found) {
			snprintf(err, errlen, "'%.*s' is not an outcome "
			    "(deadlock, panic, error, survived, completed)",
			    (int)n, s);
			return -1;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}
