/*
 * shrink: a deadlocking run cut down to a minimal scenario that still
 * deadlocks the same way (`memsim shrink`).
 *
 *   memsim shrink RUN_ID -o FILE [--db FILE] [--budget RUNS]
 *       [--wall-limit SECONDS]
 *
 * Delta debugging in the manner of Zeller's ddmin, greedily over named
 * reductions of the scenario's own text (sim/srcedit.c): a shorter
 * duration (just past the moment the deadlock is declared), fewer
 * instances of each process{} and fewer process{} declarations, fewer
 * interrupt_load{}s and lower rates and bursts, less RAM together with
 * proportionally smaller p:mmap() literals, fewer CPUs, and fewer
 * overridden choices.  A reduction is kept when the run with the
 * stored seed, parameters and remaining choices ends in a deadlock with
 * the stored signature (sim/signature.c); rounds repeat until no
 * reduction is kept or the budget of runs is spent.
 *
 * The result is the original file with its numbers changed and its
 * removed declarations moved into a comment at the top, which also
 * says what changed, the signature, and the `memsim run` command line
 * (seed, -p and --choices) that reproduces it.  The file is run once
 * more after it is written, and must deadlock the same way.  Nothing
 * is written to the database: candidates are trial runs.
 */
#ifndef MEMSIM_SHRINK_H
#define MEMSIM_SHRINK_H

/* `memsim shrink ...` (the arguments after "shrink"): exit status. */
int shrink_main(int argc, char **argv);

#endif
