# A run already recorded keeps its id; --force stores it again under a
# new id beside the old (run and sweep), the report counts a seed once;
# a survived run names who was still running, in a column of its own;
# an older database migrates with its ids.
. tests/lib.sh
DB=$TMP/f.db
S=tests/scenarios/tiny.lua
$MEMSIM run $S --db "$DB" > /dev/null 2>&1
$MEMSIM run $S --db "$DB" > "$TMP/out" 2>&1
rc=$?
check "the same run again: 'already recorded as run 1', exit 0, no new row" \
	eval '[ "$rc" = 0 ] && grep -q "^already recorded as run 1 " "$TMP/out" && [ "$(q "$DB" "select count(*) from runs")" = 1 ]'
$MEMSIM run $S --db "$DB" --force > "$TMP/out" 2>&1
rc=$?
check "--force: run again as run 2, run 1 kept with its rows" \
	eval '[ "$rc" = 0 ] && [ "$(head -1 "$TMP/out" | cut -d: -f1)" = "run 2" ] && [ "$(q "$DB" "select group_concat(id || '\''/'\'' || rerun, '\'' '\'') from runs")" = "1/0 2/1" ] && [ "$(q "$DB" "select count(*) > 0 from samples where run_id = 1")" = 1 ]'
$MEMSIM explain 1 --db "$DB" > "$TMP/e1" 2>&1
rc1=$?
$MEMSIM explain 2 --db "$DB" > "$TMP/e2" 2>&1
check "... explain 1 still works; explain 2 says it was stored again" \
	eval '[ "$rc1" = 0 ] && grep -q "^run 1: tiny" "$TMP/e1" && grep -q "^stored again with --force (rerun 1 of this seed and params" "$TMP/e2"'
$MEMSIM run $S --db "$DB" > "$TMP/out" 2>&1
check "... then the same run again: already recorded as run 2 (the latest)" \
	grep -q "^already recorded as run 2 " "$TMP/out"
check "... deadlock_rate counts the seed once" \
	[ "$(q "$DB" "select runs from deadlock_rate")" = 1 ]

$MEMSIM sweep $S --seeds 1..3 -p mode=a --db "$DB" > "$TMP/out" 2>&1
check "a sweep over seeds 1..3 adds 2 runs, seed 1 already there" \
	grep -q "3 runs, 3 stored (2 new, 1 already there)" "$TMP/out"
$MEMSIM sweep $S --seeds 1..3 -p mode=a --db "$DB" --force > "$TMP/out" 2>&1
rc=$?
check "sweep --force runs all 3 again: new rows, old ids kept" \
	eval '[ "$rc" = 0 ] && grep -q "3 runs, 3 stored (3 new, 0 already there)" "$TMP/out" && [ "$(q "$DB" "select count(*) || '\'' '\'' || max(id) || '\'' '\'' || count(distinct id) from runs")" = "7 7 7" ] && [ "$(q "$DB" "select group_concat(rerun, '\'','\'') from (select rerun from runs where seed = 1 order by id)")" = "0,1,2" ]'
check "... deadlock_rate still counts 3 seeds" \
	[ "$(q "$DB" "select runs from deadlock_rate")" = 3 ]
$MEMSIM run $S --db "$DB" --force=x > "$TMP/out" 2> "$TMP/err"
rc=$?
check "--force takes no value: one line, exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(wc -l < "$TMP/err")" = 1 ]'

# --- merge keeps reruns apart ---------------------------------------------
$MEMSIM merge "$TMP/m.db" "$DB" > /dev/null 2>&1
$MEMSIM merge "$TMP/m.db" "$DB" > /dev/null 2>&1
check "merge copies every row once, reruns included" \
	[ "$(q "$TMP/m.db" "select count(*) from runs")" = 7 ]

# --- survived: who was still running ------------------------------------------
$MEMSIM run tests/scenarios/bounded_hold.lua --db "$TMP/s.db" > "$TMP/out" 2>&1
check "a survived run says who was still running, where and how far" \
	grep -q "^  still running at the end: dirtier at line [0-9]* after [0-9]* requests, running$" "$TMP/out"
check "... in the still_running column" \
	[ "$(q "$TMP/s.db" "select still_running glob 'dirtier at line [0-9]* after [0-9]* requests, running' from runs")" = 1 ]
$MEMSIM explain 1 --db "$TMP/s.db" > "$TMP/out" 2>&1
check "... and in explain" \
	grep -q "^still running at the end: dirtier at line" "$TMP/out"
$MEMSIM explain 1 --db "$TMP/s.db" --format json > "$TMP/out" 2>&1
check "... and in explain --format json" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["still_running"].startswith("dirtier at line") else 1)' "$TMP/out"
check "a completed run has no still_running" \
	[ "$(q "$DB" "select count(*) from runs where still_running is not null")" = 0 ]

# --- a version 6 database migrates, ids kept -----------------------------------
# Made from a fresh one: the runs table rebuilt with the version 6 key.
$MEMSIM run $S --db "$TMP/v6.db" > /dev/null 2>&1
$MEMSIM run $S --seed 4 --db "$TMP/v6.db" > /dev/null 2>&1
q "$TMP/v6.db" "pragma foreign_keys = on; delete from runs where id = 1"
cols=$(q "$TMP/v6.db" "select group_concat(name, ', ') from pragma_table_info('runs') where name not in ('rerun', 'still_running')")
q "$TMP/v6.db" "pragma foreign_keys = off; drop view deadlock_rate; drop view signatures; update meta set value = 'old' where key = 'views_sha256';
create table r6 as select $cols from runs; drop table runs; alter table r6 rename to runs; pragma user_version = 6"
$MEMSIM run $S --db "$TMP/v6.db" > "$TMP/out" 2>&1
check "a version 6 database migrates to 7, its run 2 kept as run 2" \
	eval '[ "$(q "$TMP/v6.db" "pragma user_version")" = 7 ] && [ "$(q "$TMP/v6.db" "select group_concat(id || '\''/'\'' || seed || '\''/'\'' || rerun, '\'' '\'') from (select * from runs order by id)")" = "2/4/0 3/1/0" ]'
