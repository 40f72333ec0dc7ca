/*
 * script_param: param() and sweep{} of a scenario's top level.  Internal
 * to sim/script*.c.
 */
#ifndef MEMSIM_SCRIPT_PARAM_H
#define MEMSIM_SCRIPT_PARAM_H

struct lua_State;

/* Set param and sweep into the table on top of L's stack. */
void script_param_register(struct lua_State *L);

#endif
