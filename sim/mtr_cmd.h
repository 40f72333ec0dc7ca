/*
 * mtr_cmd: `memsim trace import|dump|stats`, the command line of
 * page-reference traces (sim/mtr.c; converters sim/mtr_lackey.c and
 * sim/mtr_import.c).
 */
#ifndef MEMSIM_MTR_CMD_H
#define MEMSIM_MTR_CMD_H

/* argv[0] is the word after "trace"; returns the exit status. */
int mtr_cmd_main(int argc, char **argv);

#endif
