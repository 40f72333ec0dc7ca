/*
 * sweep_cmd: `memsim sweep`, `memsim find-n` and `memsim merge` (their
 * options are listed at the top of sim/main.c).
 */
#ifndef MEMSIM_SWEEP_CMD_H
#define MEMSIM_SWEEP_CMD_H

/* argv: what follows "sweep" (findn 0) or "find-n" (1); the exit status. */
int sweep_cmd_main(int argc, char **argv, int findn);

/* argv: OUT.db IN.db...; the exit status. */
int sweep_cmd_merge(int argc, char **argv);

#endif
