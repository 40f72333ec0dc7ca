# Two sweeps on one database at once: the second refuses the grid the
# first holds (naming it), other shards go on in parallel, and every
# summary counts what its own process stored.
. tests/lib.sh
S=tests/scenarios/tiny.lua
DB=$TMP/c.db
G="-p mode=a --seeds 1..400 -j 1"
# shellcheck disable=SC2086
$MEMSIM sweep $S $G --db "$DB" > "$TMP/out1" 2>&1 &
pid=$!
# Wait until the first sweep has stored a run (it holds the grid by
# then), then stop it where it is: a run of tiny takes milliseconds, so
# left running it could finish before the second sweep asks.
i=0
while [ "$(q "$DB" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ] && [ $i -lt 1000 ]; do
	sleep 0.01
	i=$((i + 1))
done
kill -STOP $pid 2>/dev/null
# shellcheck disable=SC2086
$MEMSIM sweep $S $G --db "$DB" > "$TMP/out2" 2> "$TMP/err2"
rc=$?
running=0
kill -0 $pid 2>/dev/null && running=1
kill -CONT $pid 2>/dev/null
check "a second sweep of the same grid on the same database: exit 1" \
	eval '[ "$running" = 1 ] && [ "$rc" = 1 ]'
check "... naming the process that holds it" \
	grep -q "^memsim: $DB: another memsim (pid $pid) is running this sweep tiny (N=0..2 mode=a seeds=1..400) on it" "$TMP/err2"
# shellcheck disable=SC2086
$MEMSIM sweep $S -p mode=a --seeds 401..402 -j 1 --db "$DB" > "$TMP/out3" 2>&1
check "... while another grid on the same database goes on" \
	grep -q "^sweep tiny: 2 runs, 2 stored (2 new, 0 already there)" "$TMP/out3"
wait $pid
check "the first sweep stored all its runs, once each" \
	eval '[ "$(q "$DB" "select count(*) from runs")" = 402 ] && grep -q "^sweep tiny: 400 runs, 400 stored (400 new, 0 already there)" "$TMP/out1"'
check "the sweep lock is gone with the process: the same sweep runs again" \
	eval '$MEMSIM sweep $S $G --db "$DB" 2>/dev/null | grep -q "^sweep tiny: 400 runs, 400 stored (0 new, 400 already there)"'

# Shards of one grid run at once, each doing its own runs.
DB=$TMP/s.db
$MEMSIM sweep $S -p mode=a --seeds 1..6 -j 1 --shard 1/2 --db "$DB" > "$TMP/o1" 2>&1 &
p1=$!
$MEMSIM sweep $S -p mode=a --seeds 1..6 -j 1 --shard 2/2 --db "$DB" > "$TMP/o2" 2>&1
rc2=$?
wait $p1
rc1=$?
check "two shards on one database at once: both finish, 3 runs each" \
	eval '[ "$rc1$rc2" = 00 ] && grep -q "3 runs, 3 stored (3 new" "$TMP/o1" && grep -q "3 runs, 3 stored (3 new" "$TMP/o2" && [ "$(q "$DB" "select count(*) from runs")" = 6 ]'

# Overlapping grids (not the same one): the runs both did are stored
# once, and each summary says what it added itself.
DB=$TMP/o.db
$MEMSIM sweep $S -p mode=a --seeds 1..12 -j 1 --db "$DB" > "$TMP/a" 2>&1 &
pa=$!
$MEMSIM sweep $S -p mode=a --seeds 1..12,13 -j 1 --db "$DB" > "$TMP/b" 2>&1
wait $pa
na=$(sed -n 's/^sweep tiny: 12 runs, 12 stored (\([0-9]*\) new.*/\1/p' "$TMP/a")
nb=$(sed -n 's/^sweep tiny: 13 runs, 13 stored (\([0-9]*\) new.*/\1/p' "$TMP/b")
check "overlapping grids: the runs are stored once (13)" \
	[ "$(q "$DB" "select count(*) from runs")" = 13 ]
check "... and the two summaries' new runs add up to what is stored ($na + $nb)" \
	[ $((na + nb)) = 13 ]
