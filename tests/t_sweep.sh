# memsim sweep and merge: the grid, dropping parameters a run does not
# read, resuming after kill -9, crashed and overrunning children, shards
# and merging, and bad input refused before any run starts.
. tests/lib.sh
S=tests/scenarios/tiny.lua
N=tests/scenarios/needs_n.lua
runs() { q "$1" "select count(*) from runs"; }

# Every column that a rerun must reproduce: all but id, wall_seconds and
# created_at, rows in key order; and the child rows of each run by key.
rows() {	# db
	cols=$(q "$1" "select group_concat(name, ', ') from pragma_table_info('runs') where name not in ('id', 'wall_seconds', 'created_at')")
	q "$1" "select $cols from runs order by params, seed"
	for t in samples events waits counters; do
		c=$(q "$1" "select group_concat('x.' || name, ', ') from pragma_table_info('$t') where name <> 'run_id'")
		q "$1" "select r.params, r.seed, $c from $t x join runs r on r.id = x.run_id order by r.params, r.seed, x.rowid"
	done
}
same_rows() {	# db1 db2
	rows "$1" > "$TMP/rows1"
	rows "$2" > "$TMP/rows2"
	[ -s "$TMP/rows1" ] && cmp -s "$TMP/rows1" "$TMP/rows2"
}

# --- the grid -----------------------------------------------------------
DB=$TMP/grid.db
$MEMSIM sweep $S --db "$DB" -j 2 > "$TMP/out" 2>&1
check "sweep{} defaults: mode a once per seed, mode b for each N: 12 runs" \
	[ "$(runs "$DB")" = 12 ]
check "... mode a runs do not carry N, which they do not read" \
	[ "$(q "$DB" "select count(*) from runs where params = '{\"mode\":\"a\"}'")" = 3 ]
check "... mode b runs carry it, one run per N and seed" \
	[ "$(q "$DB" "select count(distinct params || seed) from runs where json_extract(params, '\$.N') is not null")" = 9 ]
check "... all completed" \
	[ "$(q "$DB" "select count(*) from runs where outcome = 'completed'")" = 12 ]
check "the sweeps table records the sweep" \
	[ "$(q "$DB" "select scenario || '|' || grid || '|' || runs_planned || '|' || runs_done || '|' || (finished is not null) from sweeps")" = "tiny|N=0..2 mode=a,b seeds=1..3|12|12|1" ]
check "the summary counts the runs" \
	grep -q "^sweep tiny: 12 runs, 12 stored (12 new, 0 already there); 0 deadlocks, 0 errors" "$TMP/out"
check "every seed gives its own run" \
	[ "$(q "$DB" "select count(distinct digest) from runs where params = '{\"mode\":\"a\"}'")" = 3 ]

$MEMSIM sweep $S --db "$DB" -j 2 > "$TMP/out" 2>&1
check "the same sweep again runs nothing" \
	grep -q "12 runs, 12 stored (0 new, 12 already there)" "$TMP/out"
check "... adds no row" [ "$(runs "$DB")" = 12 ]
check "... and reuses its sweeps row" [ "$(q "$DB" "select count(*) from sweeps")" = 1 ]

DB=$TMP/cli.db
$MEMSIM sweep $S -p mode=b -p N=1,5..6 --seeds 4,7 --db "$DB" -j 1 > /dev/null 2>&1
check "-p and --seeds override sweep{}: lists and ranges mix (6 runs)" \
	[ "$(q "$DB" "select group_concat(json_extract(params, '\$.N') || ':' || seed, ' ') from (select * from runs order by json_extract(params, '\$.N') + 0, seed)")" = "1:4 1:7 5:4 5:7 6:4 6:7" ]
$MEMSIM sweep $S -p mode=b -p N=2,2,0..2 --seeds 1 --db "$TMP/dup.db" -j 2 > /dev/null 2>&1
check "repeated values run once" [ "$(runs "$TMP/dup.db")" = 3 ]

# --- resuming after kill -9 ----------------------------------------------
G="-p N=0..5 --seeds 1..10 -j 2"
$MEMSIM sweep $S $G --db "$TMP/whole.db" > /dev/null 2>&1
DB=$TMP/killed.db
$MEMSIM sweep $S $G --db "$DB" > /dev/null 2>&1 &
pid=$!
i=0
while [ "$(q "$DB" "select count(*) from runs" 2>/dev/null || echo 0)" -lt 1 ] && [ $i -lt 600 ]; do
	sleep 0.02
	i=$((i + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
landed=$(runs "$DB")
check "kill -9 after some runs landed ($landed of 70)" [ "$landed" -ge 1 -a "$landed" -lt 70 ]
check "... what landed is whole runs: every run has its samples" \
	[ "$(q "$DB" "select count(*) from runs r where not exists (select 1 from samples s where s.run_id = r.id)")" = 0 ]
check "... and the sweeps row says how many" \
	[ "$(q "$DB" "select runs_done from sweeps")" = "$landed" ]
$MEMSIM sweep $S $G --db "$DB" > "$TMP/out" 2>&1
check "the rerun does only the missing runs" \
	grep -q "70 runs, 70 stored ($((70 - landed)) new, $landed already there)" "$TMP/out"
check "... no run lost, none duplicated" \
	[ "$(q "$DB" "select count(*) || ' ' || count(distinct params || '/' || seed) from runs")" = "70 70" ]
check "... row for row what an uninterrupted sweep stores" same_rows "$TMP/whole.db" "$DB"
check "... and the sweep is finished" \
	[ "$(q "$DB" "select runs_planned || ' ' || runs_done || ' ' || (finished is not null) from sweeps")" = "70 70 1" ]

# Stopped by a signal: the children's runs are not errors, nothing lost.
DB=$TMP/int.db
$MEMSIM sweep $S $G --db "$DB" > /dev/null 2> "$TMP/err" &
pid=$!
i=0
while [ "$(q "$DB" "select count(*) from runs" 2>/dev/null || echo 0)" -lt 1 ] && [ $i -lt 600 ]; do
	sleep 0.02
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM stops a sweep with status 143" [ $rc = 143 ]
check "... saying how far it got" grep -q "run the same command again" "$TMP/err"
check "... with no error rows for the runs it stopped" \
	[ "$(q "$DB" "select count(*) from runs where outcome = 'error'")" = 0 ]
$MEMSIM sweep $S $G --db "$DB" > /dev/null 2>&1
check "... and a rerun completes it, row for row" same_rows "$TMP/whole.db" "$DB"

# --- children that crash or overrun ---------------------------------------
DB=$TMP/crash.db
MEMSIM_TEST_CRASH_SEED=2 $MEMSIM sweep $S --db "$DB" -j 2 > /dev/null 2>&1
rc=$?
check "a child that crashes does not stop the sweep (exit 0, 12 runs)" \
	[ $rc = 0 -a "$(runs "$DB")" = 12 ]
check "... its runs are errors naming the signal" \
	[ "$(q "$DB" "select count(*) from runs where seed = 2 and outcome = 'error' and message = 'run died with signal 11 (Segmentation fault)'")" = 4 ]
check "... keyed like any run, so a rerun does not repeat them" \
	[ "$(q "$DB" "select count(*) from runs where seed = 2 and scenario = 'tiny' and length(scenario_sha256) = 64 and params like '{\"%'")" = 4 ]
check "... the other seeds completed" \
	[ "$(q "$DB" "select count(*) from runs where seed <> 2 and outcome = 'completed'")" = 8 ]
# swap_storm needs over a second of CPU; needs_n, now proven dead early,
# can end inside 0.05 s and so cannot stand for a run that overruns.
DB=$TMP/slow.db
$MEMSIM sweep scenarios/swap_storm.lua --seeds 1..2 --wall-limit 0.05 --db "$DB" -j 2 > /dev/null 2>&1
check "a run over --wall-limit is an error naming the limit" \
	[ "$(q "$DB" "select count(*) from runs where outcome = 'error' and message = 'wall-clock limit of 0.05s exceeded'")" = 2 ]

# --- shards and merge -----------------------------------------------------
G="-p N=0..3 --seeds 1..5 -j 2"
$MEMSIM sweep $S $G --db "$TMP/one.db" > /dev/null 2>&1
for i in 1 2 3; do
	$MEMSIM sweep $S $G --shard $i/3 --db "$TMP/shard$i.db" > /dev/null 2>&1
done
check "three shards split the 25 runs" \
	[ "$(runs "$TMP/shard1.db") $(runs "$TMP/shard2.db") $(runs "$TMP/shard3.db")" = "9 8 8" ]
$MEMSIM merge "$TMP/merged.db" "$TMP/shard1.db" "$TMP/shard2.db" "$TMP/shard3.db" > "$TMP/out" 2>&1
check "merge copies them all" grep -q "shard3.db: 8 runs added, 0 already there" "$TMP/out"
check "shards merged equal the unsharded sweep, row for row" \
	same_rows "$TMP/one.db" "$TMP/merged.db"
check "... the shards' sweeps rows come along" \
	[ "$(q "$TMP/merged.db" "select group_concat(grid, ';') from sweeps")" = "N=0..3 mode=a,b seeds=1..5 shard=1/3;N=0..3 mode=a,b seeds=1..5 shard=2/3;N=0..3 mode=a,b seeds=1..5 shard=3/3" ]
$MEMSIM merge "$TMP/merged.db" "$TMP/shard1.db" "$TMP/shard2.db" "$TMP/shard3.db" "$TMP/one.db" > "$TMP/out" 2>&1
check "merging again adds nothing" \
	[ "$(grep -c " 0 runs added" "$TMP/out")" = 4 -a "$(runs "$TMP/merged.db")" = 25 ]
check "... not even sweeps rows" [ "$(q "$TMP/merged.db" "select count(*) from sweeps")" = 4 ]
cp "$TMP/shard1.db" "$TMP/newer.db"
q "$TMP/newer.db" "pragma user_version = 99"
before=$(runs "$TMP/merged.db")
$MEMSIM merge "$TMP/merged.db" "$TMP/shard2.db" "$TMP/newer.db" > "$TMP/out" 2> "$TMP/err"
rc=$?
check "merge refuses a database of a newer schema: exit 1, one line" \
	[ $rc = 1 -a "$(wc -l < "$TMP/err")" = 1 ]
check "... naming it and its version" \
	grep -q "newer.db: database schema version 99, this memsim merges only version" "$TMP/err"
check "... before touching the output" [ "$(runs "$TMP/merged.db")" = "$before" -a ! -s "$TMP/out" ]
$MEMSIM merge "$TMP/merged.db" "$TMP/nope.db" 2> "$TMP/err" > /dev/null
rc=$?
check "merge of a missing database: exit 1 naming it" \
	[ $rc = 1 -a "$(cat "$TMP/err")" = "memsim: $TMP/nope.db: no such database" ]

# --- bad input --------------------------------------------------------------
DB=$TMP/bad.db
# expect name status exact-message args...
expect() {
	name=$1 want=$2 msg=$3
	shift 3
	$MEMSIM "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(cat "$TMP/err")" = "$msg" ] && [ ! -e "$DB" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc, want $want; stderr: $(head -c 300 "$TMP/err"))"
	fi
}
expect "-p the scenario never reads" 2 \
	"$S: parameter 'Q' (-p Q=1,2) is not read by the scenario" \
	sweep $S -p Q=1,2 --db "$DB"
expect "an empty range" 2 "memsim: -p N=3..1: range '3..1' is empty (3 > 1)" \
	sweep $S -p N=3..1 --db "$DB"
expect "a range of words" 2 \
	"memsim: -p N=a..b: 'a..b' is not a range of whole numbers (lo..hi)" \
	sweep $S -p N=a..b --db "$DB"
expect "a range without an end" 2 \
	"memsim: -p N=1..: '1..' is not a range of whole numbers (lo..hi)" \
	sweep $S -p N=1.. --db "$DB"
expect "an empty list" 2 "memsim: -p N=: no values" sweep $S -p N= --db "$DB"
expect "an empty item" 2 "memsim: -p mode=a,,b: an empty item in the list" \
	sweep $S -p mode=a,,b --db "$DB"
expect "no seeds" 2 "memsim: --seeds : no values" sweep $S --seeds "" --db "$DB"
expect "a seed that is not a number" 2 \
	"memsim: --seeds 1,x: seed 'x' is not a whole number below 2^63" \
	sweep $S --seeds 1,x --db "$DB"
expect "-j 0" 2 "memsim: -j 0: expected a positive whole number" \
	sweep $S -j 0 --db "$DB"
expect "a shard out of range" 2 "memsim: --shard 4/3: expected I/K with 1 <= I <= K" \
	sweep $S --shard 4/3 --db "$DB"
expect "an empty shard" 2 \
	"memsim: --shard 4/4: the grid has only 3 runs, so this shard is empty" \
	sweep $S -p mode=a --shard 4/4 --db "$DB"
expect "a scenario error names file:line" 2 \
	"$S:12: param 'N': expected a number, got 'x'" \
	sweep $S -p mode=b -p N=x --db "$DB"

cp "$TMP/one.db" "$TMP/newer.db"
q "$TMP/newer.db" "pragma user_version = 99"
$MEMSIM sweep $S --db "$TMP/newer.db" > /dev/null 2> "$TMP/err"
rc=$?
check "a database of a newer schema: exit 1, one line, before any run" \
	[ $rc = 1 -a "$(cat "$TMP/err")" = "memsim: $TMP/newer.db: database schema version 99 is newer than this memsim (7)" ]
check "... its runs untouched" [ "$(runs "$TMP/newer.db")" = 25 ]

# A database another process holds: wait --busy-timeout, then one line.
DB=$TMP/locked.db
cp "$TMP/one.db" "$DB"
{ echo "begin immediate; insert into sweeps (scenario) values ('holder');"; sleep 3; echo "commit;"; } | sqlite3 "$DB" &
holder=$!
sleep 0.5
start=$(date +%s)
$MEMSIM sweep $S -p N=7 --db "$DB" --busy-timeout 1 > /dev/null 2> "$TMP/err"
rc=$?
check "a locked database: exit 1 after the busy timeout" [ $rc = 1 ]
check "... saying so in one line" \
	[ "$(cat "$TMP/err")" = "memsim: $DB: cannot record the sweep: database is locked by another process (gave up after 1s)" ]
wait $holder
check "... and nothing is lost" \
	[ "$(runs "$DB") $(q "$DB" "select count(*) from sweeps where scenario = 'holder'")" = "25 1" ]

# --- progress ------------------------------------------------------------------
DB=$TMP/tty.db
script -qec "$MEMSIM sweep $S -p mode=a --db $DB -j 2" /dev/null > "$TMP/out" 2>&1
check "on a terminal, progress is one line rewritten in place (CR)" \
	grep -q "$(printf '\r')sweep tiny: 3/3 runs, 0 deadlocks, .* runs/s, ETA" "$TMP/out"
$MEMSIM sweep $S -p mode=b --db "$DB" -j 2 > /dev/null 2> "$TMP/err"
check "... and not when stderr is a file" [ "$(tr -cd '\r' < "$TMP/err" | wc -c)" = 0 ]
