# report and deadlock_rate count an edited scenario's runs apart from
# the old version's (grouped by the file's hash, labelled name + short
# hash + date), Wilson bounds come rounded, and the plots: no rate plot
# without N, nothing from gnuplot on the terminal, the run plot with
# free = 0 marked and SWAPMETA pages and the reserve level drawn.
. tests/lib.sh
DB=$TMP/v.db
cp tests/scenarios/tiny.lua "$TMP/tiny.lua"
$MEMSIM run "$TMP/tiny.lua" --db "$DB" > /dev/null 2>&1
$MEMSIM run "$TMP/tiny.lua" --seed 2 --db "$DB" > /dev/null 2>&1
printf '%s\n' '-- edited: one more touch' >> "$TMP/tiny.lua"
$MEMSIM run "$TMP/tiny.lua" --db "$DB" > /dev/null 2>&1
h1=$(q "$DB" "select substr(scenario_sha256, 1, 8) from runs where id = 1")
h2=$(q "$DB" "select substr(scenario_sha256, 1, 8) from runs where id = 3")
day=$(q "$DB" "select substr(created_at, 1, 10) from runs where id = 1")
check "deadlock_rate: one row per version of tiny, each with its own runs" \
	[ "$(q "$DB" "select group_concat(runs, ',') from (select runs from deadlock_rate where scenario = 'tiny' order by first_run)")" = "2,1" ]
check "... labelled name + short hash + date, and the count of versions" \
	[ "$(q "$DB" "select group_concat(version || '|' || versions, ',') from (select * from deadlock_rate order by first_run)")" = "tiny $h1 $day|2,tiny $h2 $day|2" ]
check "... Wilson bounds rounded to 4 places" \
	[ "$(q "$DB" "select count(*) from deadlock_rate where wilson_high <> round(wilson_high, 4) or wilson_low <> round(wilson_low, 4) or length(wilson_high) > 6")" = 0 ]
$MEMSIM report --db "$DB" > "$TMP/out" 2>&1
check "report prints each version apart and says the name has two" \
	eval 'grep -q "^tiny (version $h1 $day; the name has 2 versions, each counted apart)" "$TMP/out" &&
	grep -q "^tiny (version $h2 $day; the name has 2 versions, each counted apart)" "$TMP/out"'
check "... with the old version's two runs apart from the new one's" \
	eval '[ "$(grep -c "0/2 (" "$TMP/out")" = 1 ] && [ "$(grep -c "0/1 (" "$TMP/out")" = 1 ]'

# --- plots ------------------------------------------------------------------
$MEMSIM report --db "$DB" --plot "$TMP/plots" > "$TMP/out" 2> "$TMP/err"
rc=$?
check "no rate plot for runs without N: exit 0, saying so, no file" \
	eval '[ "$rc" = 0 ] && [ "$(grep -c "^no rate plot for tiny .*: its runs do not vary N" "$TMP/out")" = 2 ] && [ -z "$(ls "$TMP/plots" 2>/dev/null)" ]'
check "... and nothing from gnuplot on the terminal" [ ! -s "$TMP/err" ]
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$TMP/i.db" > /dev/null 2>&1
$MEMSIM report --db "$TMP/i.db" --plot "$TMP/plots" --run 1 > "$TMP/out" 2> "$TMP/err"
check "the run plot: written, nothing from gnuplot on the terminal" \
	eval '[ -s "$TMP/plots/run_1.svg" ] && [ ! -s "$TMP/err" ]'
check "... free = 0 is marked as such (irq_exhaust reaches it), not drawn as 1" \
	eval '[ "$(q "$TMP/i.db" "select count(*) > 0 from samples where free = 0")" = 1 ] && grep -q "free = 0" "$TMP/plots/run_1.svg"'
check "... SWAPMETA pages and the reserve level are plotted" \
	eval 'grep -q "SWAPMETA pages" "$TMP/plots/run_1.svg" && grep -q "reserve level" "$TMP/plots/run_1.svg"'

# --- column names say their unit; "not applicable" is NULL ---------------------
cols=$(q "$DB" "select group_concat(name, ' ') from (select name from pragma_table_info('runs') union all select name from pragma_table_info('samples'))")
for c in pagedaemon_blocked_seconds pagedaemon_pbuf_wait_seconds kva_peak_bytes kva_used_bytes; do
	check "column $c" eval 'case " $cols " in *" $c "*) true ;; *) false ;; esac'
done
for c in pd_blocked_seconds pd_pbuf_wait_seconds kva_peak kva_used; do
	check "no column $c" eval 'case " $cols " in *" $c "*) false ;; *) true ;; esac'
done
check "a zalloc run's reserve_level is NULL (no reserve), not -1" \
	[ "$(q "$DB" "select count(*) from samples where reserve_level is not null")" = 0 ]

# --- the views name the page daemon's time as the runs table does ---------------
vcols=$(q "$DB" "select group_concat(name, ' ') from pragma_table_info('deadlock_rate')")
check "deadlock_rate has median_pagedaemon_blocked_seconds, no pd_ name" \
	eval 'case " $vcols " in *" median_pagedaemon_blocked_seconds "*) case "$vcols" in *pd_*) false ;; *) true ;; esac ;; *) false ;; esac'
# A database whose views an older memsim made, with the old name.
old_views() {
	q "$1" "drop view deadlock_rate; create view deadlock_rate as select 1 as median_pd_blocked_seconds; update meta set value = 'old' where key = 'views_sha256'"
}
cp "$DB" "$TMP/oldv.db"
old_views "$TMP/oldv.db"
mkdir "$TMP/ro"
cp "$TMP/oldv.db" "$TMP/ro/oldv.db"
chmod a-w "$TMP/ro/oldv.db" "$TMP/ro"
$MEMSIM report --db "$TMP/ro/oldv.db" --format csv > "$TMP/out" 2> "$TMP/err"
rc=$?
chmod u+w "$TMP/ro"
check "report on a read-only database with the old views: the new name" \
	eval '[ "$rc" = 0 ] && [ ! -s "$TMP/err" ] && head -1 "$TMP/out" | grep -q ",median_pagedaemon_blocked_seconds,"'
$MEMSIM report --db "$TMP/oldv.db" --format csv > "$TMP/out" 2>&1
check "... and on a writable one, whose view is re-created with it" \
	eval 'head -1 "$TMP/out" | grep -q ",median_pagedaemon_blocked_seconds," && [ "$(q "$TMP/oldv.db" "select count(*) from pragma_table_info('"'"'deadlock_rate'"'"') where name = '"'"'median_pagedaemon_blocked_seconds'"'"'")" = 1 ]'
