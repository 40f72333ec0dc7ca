# The page daemon's blocked time counts every sleep waiting for memory,
# in vm_wait or in a policy's own wait, and a sleep still open when the
# run ends: mempool's page daemon deadlocks asleep in mempool_alloc, and
# its blocked time is that whole last sleep, not the zero it would be if
# only the sleeps that ended were counted.
. tests/lib.sh
S=scenarios/swapmeta_reserve.lua
DB=$TMP/pd.db

$MEMSIM run $S -p allocator=mempool -p N=1 --seed 1 --db "$DB" \
	> /dev/null 2>&1
$MEMSIM run $S -p allocator=zalloc --seed 1 --db "$DB" > /dev/null 2>&1
val() {	# allocator column
	q "$DB" "select $2 from runs where allocator='$1'"
}
check "mempool N = 1 seed 1 deadlocks" [ "$(val mempool outcome)" = deadlock ]
check "... with its page daemon asleep for over a second at the end" \
	[ "$(q "$DB" "select pagedaemon_blocked_seconds > 1 from runs
	    where allocator='mempool'")" = 1 ]
check "... and never longer than the run" \
	[ "$(q "$DB" "select pagedaemon_blocked_seconds <= end_time from runs
	    where allocator='mempool'")" = 1 ]
check "zalloc seed 1 survives with its page daemon never blocked" \
	[ "$(val zalloc outcome)-$(val zalloc pagedaemon_blocked_seconds)" = survived-0.0 ]
