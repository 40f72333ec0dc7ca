# The shipped scenarios end as their headers say, with the counters that
# show why.
. tests/lib.sh
DB=$TMP/s.db

$MEMSIM run scenarios/fits_in_ram.lua --db "$DB" >/dev/null
check "fits_in_ram: completed" \
	[ "$(q "$DB" "select outcome from runs where scenario='fits_in_ram'")" = completed ]
check "fits_in_ram: never pages out or in" \
	[ "$(q "$DB" "select pageouts + swapins + oom_kills from runs where scenario='fits_in_ram'")" = 0 ]
check "fits_in_ram: samples every 100ms" \
	[ "$(q "$DB" "select count(*) > 4 from samples join runs on runs.id = run_id where scenario='fits_in_ram'")" = 1 ]

$MEMSIM run scenarios/swap_storm.lua -p allocator=zalloc --seed 7 --db "$DB" >/dev/null
row=$(q "$DB" "select outcome, pageouts > 100000, swapins > 10000, oom_kills, swapmeta_pages_peak > 32, min_free_pages >= 0 from runs where scenario='swap_storm'")
check "swap_storm with zalloc: completes after heavy paging ($row)" \
	[ "$row" = "completed|1|1|0|1|1" ]
check "swap_storm: params recorded as JSON" \
	[ "$(q "$DB" "select json_extract(params, '\$.allocator') from runs where scenario='swap_storm'")" = zalloc ]
check "swap_storm: swap in use is sampled" \
	[ "$(q "$DB" "select max(swap_used) > 10000 from samples join runs on runs.id = run_id where scenario='swap_storm'")" = 1 ]

$MEMSIM run scenarios/swap_full.lua --db "$DB" >/dev/null
row=$(q "$DB" "select outcome, oom_kills >= 1 from runs where scenario='swap_full'")
check "swap_full: OOM kills recorded and the rest complete ($row)" \
	[ "$row" = "completed|1" ]
check "swap_full: swap_full and oom_kill events" \
	[ "$(q "$DB" "select count(distinct kind) from events join runs on runs.id = run_id where scenario='swap_full' and kind in ('swap_full', 'oom_kill')")" = 2 ]
check "swap_full: the kill names the process" \
	[ "$(q "$DB" "select count(*) from events join runs on runs.id = run_id where scenario='swap_full' and kind='oom_kill' and detail like 'Try to kill process % hog.%'")" -ge 1 ]
