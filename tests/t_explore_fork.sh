# Bounded exhaustive search in its two modes: forking the live run at a
# choice point and replaying each prefix from the start explore the same
# tree (the same runs, digests and choices, in the same order, the same
# states and cuts); a run is never cut at its own previous choice point;
# a forked branch that dies is an error run and the search then claims
# nothing; a run budget and a time budget stop the whole tree of forked
# processes; the interrupt-leak deadlock is found by forking too.
. tests/lib.sh
SMALL=tests/scenarios/hunt_small.lua
LEAK=tests/scenarios/irq_exhaust.lua

hunt() {	# db mode depth [more options]
	db=$1 mode=$2 depth=$3
	shift 3
	$MEMSIM hunt $SMALL --strategy exhaustive --depth "$depth" \
	    --mode "$mode" --db "$db" "$@" 2>/dev/null
}
runs_of() { q "$1" "select count(*) from runs"; }
tree_of() { q "$1" "select digest || ' ' || choices || ' ' || outcome from runs order by id"; }
states_of() { sed -n 's/.*explored \([0-9]*\) distinct states (\([0-9]*\) branches cut.*/\1 \2/p' "$1"; }

hunt "$TMP/f.db" fork 8 > "$TMP/f.out"
hunt "$TMP/p.db" prefix 8 > "$TMP/p.out"
check "fork mode says it forks" grep -q "forking at choice points" "$TMP/f.out"
check "prefix mode says it replays" grep -q "replaying prefixes" "$TMP/p.out"
check "depth 8 runs branches to their end (a run is not cut at its own last point)" \
	[ "$(runs_of "$TMP/f.db")" -gt 1 ]
check "both modes run the same number of branches" \
	[ "$(runs_of "$TMP/f.db")" = "$(runs_of "$TMP/p.db")" ]
check "... the same runs, choices and outcomes, in the same order" \
	[ "$(tree_of "$TMP/f.db")" = "$(tree_of "$TMP/p.db")" ]
check "... and enter and cut the same states" \
	[ -n "$(states_of "$TMP/f.out")" ] && \
	[ "$(states_of "$TMP/f.out")" = "$(states_of "$TMP/p.out")" ]
check "... and both claim no deadlock within depth 8" \
	grep -q "no deadlock within depth 8" "$TMP/f.out"
last=$(q "$TMP/f.db" "select max(id) from runs")
$MEMSIM replay "$last" --db "$TMP/f.db" > "$TMP/out" 2>&1
check "a forked branch's run replays to its digest" \
	grep -q "digest matches" "$TMP/out"

# A branch that dies: an error run carrying its choices, and no claim.
MEMSIM_TEST_CRASH_FORK=3 hunt "$TMP/c.db" fork 8 > "$TMP/c.out"
check "a dead forked branch is stored as an error run" \
	[ "$(q "$TMP/c.db" "select count(*) from runs where outcome = 'error' and message like '%forked branch died with signal 11%'")" = 1 ]
check "... with its choices and the run's scenario" \
	[ -n "$(q "$TMP/c.db" "select choices from runs where outcome = 'error'")" ] && \
	[ "$(q "$TMP/c.db" "select scenario from runs where outcome = 'error'")" = hunt_small ]
check "... the other branches still run" \
	[ "$(runs_of "$TMP/c.db")" -gt 1 ]
check "... and the search claims nothing" \
	grep -q "no claim within depth 8" "$TMP/c.out"

# Budgets stop the tree and leave no process behind.
hunt "$TMP/b.db" fork 12 --budget 5 > "$TMP/b.out"
check "a run budget of 5 stores 5 runs" [ "$(runs_of "$TMP/b.db")" = 5 ]
check "... and claims nothing" grep -q "no claim within depth 12" "$TMP/b.out"
hunt "$TMP/t.db" fork 12 --budget 0.05s > "$TMP/t.out"
check "a time budget stops the search without a claim" \
	grep -q "no claim within depth 12" "$TMP/t.out"
sleep 0.2
check "... and no forked process outlives the hunt" \
	[ -z "$(pgrep -f "memsim hunt $SMALL" 2>/dev/null)" ]
n=$(runs_of "$TMP/f.db")
hunt "$TMP/e.db" fork 8 --budget "$n" > "$TMP/e.out"
check "a run budget equal to the tree's size is still a complete search" \
	grep -q "no deadlock within depth 8" "$TMP/e.out"

$MEMSIM hunt $LEAK --strategy exhaustive --depth 2 --mode fork \
    --db "$TMP/l.db" > "$TMP/l.out" 2>/dev/null
check "forking finds the interrupt-leak deadlock" \
	[ "$(q "$TMP/l.db" "select count(*) from runs where outcome = 'deadlock'")" -ge 1 ]
id=$(q "$TMP/l.db" "select min(id) from runs where outcome = 'deadlock'")
$MEMSIM replay "$id" --db "$TMP/l.db" > "$TMP/out" 2>&1
check "... and the deadlock replays to its digest" \
	grep -q "digest matches" "$TMP/out"

# A run that dies in prefix mode leaves its subtree unexplored too.
MEMSIM_TEST_CRASH_SEED=1 hunt "$TMP/s.db" prefix 4 > "$TMP/s.out"
check "a crashed run in prefix mode is an error run" \
	[ "$(q "$TMP/s.db" "select count(*) from runs where outcome = 'error'")" -ge 1 ]
check "... and the search claims nothing" \
	grep -q "no claim within depth 4" "$TMP/s.out"
