# find-n counts panics as failures (unless --ignore panic), checks every
# N above its answer up to the top of the range, and says when failures
# are not monotone in N.
. tests/lib.sh
G=tests/scenarios/gap_n.lua

# --- a deadlock rate that is not monotone in N ------------------------------
DB=$TMP/g.db
$MEMSIM find-n $G -p N=0..8 --seeds 2 --db "$DB" > "$TMP/out" 2> /dev/null
rc=$?
check "gap_n (leak below 3 and at 5): the answer is N = 6, not bisection's 3" \
	eval '[ "$rc" = 0 ] && [ "$(head -1 "$TMP/out")" = "find-n gap_n: N = 6 (the smallest from which every N up to 8 ran 2 seeds without a failure; bisection found 3)" ]'
check "... and it names N = 5 as not monotone" \
	grep -q "^  N = 5: 2 of 2 seeds failed (2 deadlocks) though N = 3 did not: failures are not monotone in N" "$TMP/out"
check "... having run every N from 3 to 8 with both seeds" \
	[ "$(q "$DB" "select count(*) from runs where cast(json_extract(params, '\$.N') as integer) between 3 and 8")" = 12 ]
check "... and recorded the range in the sweeps row" \
	[ "$(q "$DB" "select grid from sweeps")" = "find-n N=0..8 allocator=reserve_kmalloc_obj seeds=1..2" ]
$MEMSIM find-n $G -p N=0..5 --seeds 2 --db "$DB" > "$TMP/out" 2> /dev/null
rc=$?
check "a failure at the top of the range: no answer, exit 3" \
	eval '[ "$rc" = 3 ] && grep -q "^find-n gap_n: no N in \[0, 5\] ran 2 seeds without a failure" "$TMP/out"'
$MEMSIM find-n $G -p N=4..8 --seeds 2 --db "$DB" > "$TMP/out" 2> /dev/null
check "a range that starts above the lower failures: N = 6" \
	[ "$(head -1 "$TMP/out" | cut -d' ' -f1-5)" = "find-n gap_n: N = 6" ]
$MEMSIM find-n $G -p N=8..3 --seeds 2 --db "$DB" > /dev/null 2> "$TMP/err"
rc=$?
check "-p N with an empty range: exit 2" eval '[ "$rc" = 2 ] && grep -q "range .8..3. is empty" "$TMP/err"'
$MEMSIM find-n $G -p N=1,4 --seeds 2 --db "$DB" > /dev/null 2> "$TMP/err"
rc=$?
check "-p N that is not a range: exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "memsim: find-n: -p N=1,4: expected a range lo..hi of whole numbers >= 0" ]'
$MEMSIM find-n $G --seeds 2 --ignore deadlock --db "$DB" > /dev/null 2> "$TMP/err"
rc=$?
check "--ignore deadlock is refused: exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "memsim: --ignore deadlock: find-n can ignore only panic" ]'

# --- panics are failures ------------------------------------------------------
# find-n takes a stored run as it is: runs at N = 7 marked as panics
# (the model's own panics come and go with its fidelity) must move the
# answer above them, unless --ignore panic.
DB=$TMP/g.db
q "$DB" "update runs set outcome = 'panic', message = 'panic: test' where json_extract(params, '\$.N') = '7'"
$MEMSIM find-n $G -p N=0..8 --seeds 2 --db "$DB" > "$TMP/out" 2> /dev/null
check "find-n counts the panics at N = 7: N = 8" \
	[ "$(head -1 "$TMP/out" | cut -d' ' -f1-5)" = "find-n gap_n: N = 8" ]
check "... says what a failure is" grep -q "^  a failure is a deadlock or a panic$" "$TMP/out"
check "... and names them" \
	grep -q "^  N = 7: 2 of 2 seeds failed (2 panics) though N = 3 did not" "$TMP/out"
$MEMSIM find-n $G -p N=0..8 --seeds 2 --ignore panic --db "$DB" > "$TMP/out" 2> /dev/null
check "--ignore panic: N = 6, above the last deadlock" \
	[ "$(head -1 "$TMP/out" | cut -d' ' -f1-5)" = "find-n gap_n: N = 6" ]
check "... and says panics were ignored" \
	grep -q "^  a failure is a deadlock (panics ignored)$" "$TMP/out"
