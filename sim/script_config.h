/*
 * script_config: the scenario tables (scenario{}, machine{}, kernel{},
 * process{}, interrupt_load{}, param(), sweep{}) that fill a struct
 * config while a scenario loads.  Internal to sim/script*.c.
 */
#ifndef MEMSIM_SCRIPT_CONFIG_H
#define MEMSIM_SCRIPT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct lua_State;
struct script;

/*
 * The common entry of scenario{}, machine{}, ... sweep{}: the loading
 * script (an error with the caller's line outside loading, or unless the
 * one argument is a table); *line is the caller's line.
 */
struct script *script_config_enter(struct lua_State *L, const char *what,
    int *line);
/* qsort() order of names held in char arrays. */
int script_config_cmp_name(const void *a, const void *b);
/* A table given once only: *seen holds the first one's line. */
void script_config_once(struct lua_State *L, int line, int *seen,
    const char *what);

/* The defaults every scenario starts from. */
void script_config_defaults(struct config *cfg, const char *path,
    uint64_t seed);
/* Set the table functions into the table on top of L's stack. */
void script_config_register(struct lua_State *L);
/*
 * After the top level ran: the checks that need the whole scenario
 * (a process exists, consumers name processes) and the default name.
 * Returns 0, or -1 with a one-line message in err.
 */
int script_config_finish(struct config *cfg, const char *path, char *err,
    size_t errlen);

#endif
