/*
 * compare: the SWAPMETA policies side by side on one scenario
 * (`memsim compare`).
 *
 *   memsim compare SCENARIO --policies P[:opt=value...],... [--seeds K]
 *       [--reserve LIST[UNIT]] [-p name=value]... [-j N] [--db FILE]
 *       [--wall-limit SECONDS] [--plot DIR] [--emergency-pager on|off|both]
 *
 * Each policy is a registered allocator (sim/allocators/); the scenario
 * must pass `-p allocator` to kernel{ swapmeta = { allocator = ... } }
 * and, for a policy that keeps a reserve, `-p N` to its `reserve`.  A
 * policy's zone options follow its name (`reserve_kmalloc_obj:refill=
 * nowait`); `reserve=LIST` among them is its own reserve axis, else
 * --reserve (default 0..8) is.  A reserve may carry its unit
 * (`0..64items`), which must be the policy's (slabs for
 * reserve_kmalloc_obj, items for uma_reserve and pool_lowat, elements
 * for mempool).  An unknown policy, an option the policy does not take
 * or a reserve in another unit is one line and exit 2, before any run.
 *
 * Underneath is one sweep per policy (sim/sweep.c), so an interrupted
 * compare does only what is missing when it is started again.  Then one
 * table per policy, a row per reserve: runs, deadlock and panic rates
 * with 95 % Wilson intervals, the SWAPMETA pages held at t = 0 (the
 * memory the reserve pins at idle), the page daemon's mean time asleep
 * waiting for memory, page-outs per simulated second, and the lowest
 * reserve level reached; below it the smallest reserve from which no
 * swept value deadlocked, in the policy's unit and in pages.  Only runs
 * without overridden choices count (hunt mutants are no sample).
 * --plot DIR draws the deadlock rates against pages pinned at idle.
 * --emergency-pager on|off passes -p emergency_pager=true|false to every
 * policy's runs (the scenario hands it to kernel{ emergency_pager });
 * "both" gives each policy two tables, with the pager and without.
 */
#ifndef MEMSIM_COMPARE_H
#define MEMSIM_COMPARE_H

/* `memsim compare ...` (the arguments after "compare"): exit status. */
int compare_main(int argc, char **argv);

#endif
