# Crash safety: kill -9 a sweep's parent at five random moments, run it
# again each time, and the database ends up sound (integrity_check), with
# exactly the grid's runs, each equal to what an uninterrupted sweep
# stores (every column but id, wall_seconds and created_at, and the
# child rows).  The moments are a random fraction of the uninterrupted
# sweep's duration; each is printed, so a failure can be retried.
. tests/lib.sh
S=tests/scenarios/tiny.lua
G="-p N=0..5 --seeds 1..10 -j 2"
RUNS=70
runs() { q "$1" "select count(*) from runs" 2>/dev/null || echo 0; }
rows() {	# db
	cols=$(q "$1" "select group_concat(name, ', ') from pragma_table_info('runs') where name not in ('id', 'wall_seconds', 'created_at')")
	q "$1" "select $cols from runs order by params, seed"
	for t in samples events waits counters; do
		c=$(q "$1" "select group_concat('x.' || name, ', ') from pragma_table_info('$t') where name <> 'run_id'")
		q "$1" "select r.params, r.seed, $c from $t x join runs r on r.id = x.run_id order by r.params, r.seed, x.rowid"
	done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
random() {	# 0..999
	echo $(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 1000))
}

start=$(now_ms)
$MEMSIM sweep $S $G --db "$TMP/whole.db" > /dev/null 2>&1
whole_ms=$(($(now_ms) - start))
check "the uninterrupted sweep stores the $RUNS runs (${whole_ms} ms)" \
	[ "$(runs "$TMP/whole.db")" = $RUNS ]

DB=$TMP/killed.db
for i in 1 2 3 4 5; do
	before=$(runs "$DB")
	frac=$(random)
	ms=$((whole_ms * frac / 1000))
	$MEMSIM sweep $S $G --db "$DB" > /dev/null 2>&1 &
	pid=$!
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	after=$(runs "$DB")
	ok=1
	[ -e "$DB" ] || after=0
	if [ -e "$DB" ]; then
		[ "$(q "$DB" "pragma integrity_check")" = ok ] || ok=0
		# whole runs only: each has its samples and counters (a kill
		# before the schema's first commit leaves no table at all)
		[ "$(q "$DB" "select count(*) from sqlite_master where name = 'runs'")" = 0 ] ||
		[ "$(q "$DB" "select count(*) from runs r where not exists (select 1 from samples s where s.run_id = r.id) or not exists (select 1 from counters c where c.run_id = r.id)")" = 0 ] || ok=0
	fi
	[ "$after" -ge "$before" ] || ok=0
	check "kill -9 $i at ${ms} ms (${frac}/1000): database sound, $after of $RUNS runs, none lost" \
		[ $ok = 1 ]
done

$MEMSIM sweep $S $G --db "$DB" > "$TMP/out" 2>&1
check "the last rerun completes the sweep" \
	grep -q "$RUNS runs, $RUNS stored" "$TMP/out"
check "PRAGMA integrity_check is ok" [ "$(q "$DB" "pragma integrity_check")" = ok ]
check "PRAGMA foreign_key_check finds nothing" [ -z "$(q "$DB" "pragma foreign_key_check")" ]
check "exactly the grid's runs, none twice" \
	[ "$(q "$DB" "select count(*) || ' ' || count(distinct params || '/' || seed) from runs")" = "$RUNS $RUNS" ]
rows "$TMP/whole.db" > "$TMP/rows1"
rows "$DB" > "$TMP/rows2"
check "each run equals the uninterrupted sweep's, row for row" \
	cmp -s "$TMP/rows1" "$TMP/rows2"
check "no run is an error" [ "$(q "$DB" "select count(*) from runs where outcome = 'error'")" = 0 ]
check "the sweeps row is finished and counts them all" \
	[ "$(q "$DB" "select runs_planned || ' ' || runs_done || ' ' || (finished is not null) from sweeps")" = "$RUNS $RUNS 1" ]
