/*
 * run_cmd: `memsim run SCENARIO [options]` (the options are listed at the
 * top of sim/main.c).
 */
#ifndef MEMSIM_RUN_CMD_H
#define MEMSIM_RUN_CMD_H

/* argv: what follows "run".  Returns the exit status. */
int run_cmd_main(int argc, char **argv);

#endif
