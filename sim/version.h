/* The memsim version, recorded with every run. */
#define MEMSIM_VERSION "0.1.0"
