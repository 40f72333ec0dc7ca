# Same scenario, parameters and seed: the same rows, row for row.
. tests/lib.sh
cols="scenario, scenario_sha256, allocator, reserve_n, seed, params, outcome, deadlock_kind, message, end_time, deadlock_time, min_free_pages, pageouts, swapins, oom_kills, page_faults, pages_scanned, pages_freed, pagedaemon_blocked_seconds, swapmeta_pages_peak, swap_peak_pages, digest"
for i in 1 2; do
	$MEMSIM run scenarios/swap_full.lua --seed 3 --db "$TMP/d$i.db" >/dev/null
done
a=$(q "$TMP/d1.db" "select $cols from runs")
b=$(q "$TMP/d2.db" "select $cols from runs")
check "two runs give identical run rows" [ -n "$a" -a "$a" = "$b" ]
a=$(q "$TMP/d1.db" "select * from samples" | md5sum)
b=$(q "$TMP/d2.db" "select * from samples" | md5sum)
check "two runs give identical samples" [ "$a" = "$b" ]
a=$(q "$TMP/d1.db" "select t, kind, thread, detail from events" | md5sum)
b=$(q "$TMP/d2.db" "select t, kind, thread, detail from events" | md5sum)
check "two runs give identical events" [ "$a" = "$b" ]
$MEMSIM run scenarios/swap_full.lua --seed 4 --db "$TMP/d1.db" >/dev/null
check "another seed gives another digest" \
	[ "$(q "$TMP/d1.db" "select count(distinct digest) from runs")" = 2 ]
