# memsim hunt and choice sequences: overrides (interrupt gaps, wake-up and
# device-order ties) change a run and replay to
# the same digest, out-of-range overrides are clamped, bounded exhaustive
# search proves what it can on a small zalloc model and finds the
# interrupt-leak deadlock, guided hunts store mutants with their choices
# and do not redo them when started again, signatures are stored and
# reported, hunt mutants stay out of the deadlock rate, and bad input is
# one line and exit 2.
. tests/lib.sh
SMALL=tests/scenarios/hunt_small.lua
LEAK=tests/scenarios/irq_exhaust.lua
DB=$TMP/h.db

status() { "$@" > "$TMP/out" 2> "$TMP/err"; echo $?; }
oneline() { [ "$(wc -l < "$TMP/err")" = 1 ]; }

# --- choice sequences ---------------------------------------------------
$MEMSIM run $SMALL --db "$TMP/c.db" > /dev/null
$MEMSIM run $SMALL --choices "100.3=0.001,100.4=0.001" --db "$TMP/c.db" > /dev/null
$MEMSIM run $SMALL --choices "1048.7=5" --db "$TMP/c.db" > /dev/null
$MEMSIM run $SMALL --choices "1048.7=0.9999999999" --db "$TMP/c.db" > /dev/null
check "a seed run and runs with overrides are stored side by side" \
	[ "$(q "$TMP/c.db" "select count(*) from runs")" = 4 ]
check "an interrupt burst changes the run" \
	[ "$(q "$TMP/c.db" "select count(distinct digest) from runs where id <= 2")" = 2 ]
check "an override above its range is clamped to the last option" \
	[ "$(q "$TMP/c.db" "select count(distinct digest) from runs where id >= 3")" = 1 ]
check "the run keeps its overrides" \
	[ "$(q "$TMP/c.db" "select choices from runs where id = 2")" = "100.3=0.001,100.4=0.001" ]
$MEMSIM replay 2 --db "$TMP/c.db" > "$TMP/out" 2>&1
check "a run with overrides replays to its digest" grep -q "digest matches" "$TMP/out"
# wake-up ties: several sleepers woken together are a choice point
$MEMSIM run $SMALL --choices "10.0=0.9" --db "$TMP/t.db" > /dev/null
$MEMSIM run $SMALL --choices "10.0=0.0" --db "$TMP/t.db" > /dev/null
check "letting another sleeper go first at the first wake-up tie changes the run" \
	[ "$(q "$TMP/t.db" "select digest from runs where id = 1")" != \
	  "$(q "$TMP/t.db" "select digest from runs where id = 2")" ]
check "... and option 0 of a tie is the model's own order (the seed run)" \
	[ "$(q "$TMP/t.db" "select digest from runs where id = 2")" = \
	  "$(q "$TMP/c.db" "select digest from runs where id = 1")" ]
$MEMSIM replay 1 --db "$TMP/t.db" > "$TMP/out" 2>&1
check "... a run with a tie override replays to its digest" grep -q "digest matches" "$TMP/out"
# device order: a request may go ahead of those waiting for a slot
$MEMSIM run $SMALL --choices "11.0=0.9,11.1=0.9" --db "$TMP/t.db" > /dev/null
check "letting queued I/O go ahead of the waiting ones changes the run" \
	[ "$(q "$TMP/t.db" "select digest from runs where id = 3")" != \
	  "$(q "$TMP/c.db" "select digest from runs where id = 1")" ]
$MEMSIM replay 3 --db "$TMP/t.db" > "$TMP/out" 2>&1
check "... and replays to its digest" grep -q "digest matches" "$TMP/out"
check "a bad sequence is one line and exit 2" \
	[ "$(status $MEMSIM run $SMALL --choices "100.x" --db "$TMP/c.db")" = 2 ]

# --- exhaustive ---------------------------------------------------------
$MEMSIM hunt $SMALL --strategy exhaustive --depth 3 --db "$DB" > "$TMP/x" 2>/dev/null
check "exhaustive on the small zalloc model finds no deadlock within depth 3" \
	grep -q "no deadlock within depth 3" "$TMP/x"
check "... and says that is a proof only for that model, depth and domains" \
	grep -q "a proof only for this model, depth 3" "$TMP/x"
check "... after exploring some distinct states" \
	grep -Eq "explored [1-9][0-9]* distinct states" "$TMP/x"
$MEMSIM hunt $LEAK --strategy exhaustive --depth 2 --db "$DB" > "$TMP/x" 2>/dev/null
check "exhaustive finds the interrupt-leak deadlock" \
	grep -Eq "[1-9][0-9]* deadlocks" "$TMP/x"
id=$(q "$DB" "select min(id) from runs where outcome = 'deadlock'")
check "... stores it with its signature" \
	[ -n "$(q "$DB" "select signature from runs where id = $id")" ]
$MEMSIM replay "$id" --db "$DB" > "$TMP/out" 2>&1
check "... and it replays to its digest" grep -q "digest matches" "$TMP/out"
check "the signatures view counts the leak's deadlocks under one hash" \
	[ "$(q "$DB" "select count(*) from signatures where text like 'pagedaemon%user:pfault%'")" = 1 ]
$MEMSIM report --db "$DB" > "$TMP/out" 2>&1
check "memsim report lists the signature" grep -q "pagedaemon:running:cpu + user:pfault" "$TMP/out"
$MEMSIM explain "$id" --db "$DB" > "$TMP/out" 2>&1
check "memsim explain shows the run's signature" grep -q "^signature " "$TMP/out"

# --- guided, resumed ----------------------------------------------------
G=$TMP/g.db
$MEMSIM hunt $SMALL --strategy guided --budget 8 --db "$G" > "$TMP/x" 2>/dev/null
n1=$(q "$G" "select count(*) from runs")
check "a guided hunt stores its budget of runs" [ "$n1" = 8 ]
check "... mutants among them, with their choices" \
	[ "$(q "$G" "select count(*) from runs where choices <> ''")" -ge 1 ]
$MEMSIM hunt $SMALL --strategy guided --budget 8 --db "$G" > /dev/null 2>&1
check "started again, it has nothing left to run" \
	[ "$(q "$G" "select count(*) from runs")" = "$n1" ]
$MEMSIM hunt $SMALL --strategy random --budget 3 --db "$TMP/r.db" > /dev/null 2>&1
check "a random hunt runs seeds 1..3" \
	[ "$(q "$TMP/r.db" "select group_concat(seed) from (select seed from runs order by seed)")" = "1,2,3" ]
$MEMSIM hunt $SMALL --strategy random --budget 70 --db "$TMP/r.db" > /dev/null 2>&1
$MEMSIM hunt $SMALL --strategy random --budget 72 --db "$TMP/r.db" > /dev/null 2>&1
check "a random hunt resumed after more than 64 stored seeds goes on to its budget" \
	[ "$(q "$TMP/r.db" "select count(*) || ' ' || max(seed) from runs")" = "72 72" ]
check "the deadlock rate counts seeded runs only" \
	[ "$(q "$G" "select runs from deadlock_rate")" = "$(q "$G" "select count(*) from runs where choices = ''")" ]

# A run that dies is stored under its identity, so it can be replayed:
# a hunt's child is killed as a crash would kill it.
K=$TMP/k.db
$MEMSIM hunt scenarios/swap_storm.lua --strategy guided --budget 1 -j 1 \
	--db "$K" > /dev/null 2>&1 &
hp=$!
child=
for i in $(seq 100); do
	child=$(pgrep -P $hp | head -1)
	[ -n "$child" ] && break
	sleep 0.05
done
[ -n "$child" ] && kill -SEGV "$child"
wait $hp
check "a hunt's run that died is stored with its parameters" \
	[ "$(q "$K" "select outcome || ' ' || seed || ' ' || params from runs")" = 'error 1 {"allocator":"zalloc"}' ]
check "... and can be replayed" \
	eval '$MEMSIM replay 1 --db "$K" 2>&1 | grep -q "outcome stored error, now completed"'

# --- bad input ----------------------------------------------------------
check "an unknown strategy is exit 2" \
	[ "$(status $MEMSIM hunt $SMALL --strategy clever --budget 2 --db "$G")" = 2 ]
check "... in one line" oneline
check "... naming it" grep -q "clever" "$TMP/err"
check "a budget of 0 is exit 2" \
	[ "$(status $MEMSIM hunt $SMALL --budget 0 --db "$G")" = 2 ]
check "... in one line" oneline
check "--depth without exhaustive is exit 2" \
	[ "$(status $MEMSIM hunt $SMALL --budget 2 --depth 3 --db "$G")" = 2 ]
check "... in one line" oneline
check "exhaustive without --depth is exit 2" \
	[ "$(status $MEMSIM hunt $SMALL --strategy exhaustive --db "$G")" = 2 ]
check "nothing stored was lost" [ "$(q "$G" "select count(*) from runs")" = "$n1" ]
