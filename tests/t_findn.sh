# find-n counts panics as failures (unless --ignore panic), checks every
# N above its answer up to the top of the range, and says when failures
# are not monotone in N.
. tests/lib.sh
G=tests/scenarios/gap_n.lua
P=tests/scenarios/panic_n.lua

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
# Which N of 0..8 fail for seeds 1..3, from a plain sweep: find-n must
# agree with it, whatever the model makes of each N.
DB=$TMP/p.db
$MEMSIM sweep $P -p allocator=reserve_kmalloc_obj -p N=0..8 --seeds 1..3 -j 2 \
	--db "$DB" > /dev/null 2>&1
fails() {	# outcomes
	q "$DB" "select coalesce(max(cast(json_extract(params, '\$.N') as integer)), -1) from runs where outcome in ($1)"
}
worst=$(fails "'deadlock', 'panic'")
worst_dl=$(fails "'deadlock'")
check "the grid has a panic above every deadlock (what the next checks need)" \
	[ "$worst" -gt "$worst_dl" ]
$MEMSIM find-n $P -p N=0..8 --seeds 3 -j 2 --db "$DB" > "$TMP/out" 2> /dev/null
check "find-n counts the panics: N = $((worst + 1)), above the last panic" \
	[ "$(head -1 "$TMP/out" | cut -d' ' -f1-5)" = "find-n panic_n: N = $((worst + 1))" ]
check "... says what a failure is" grep -q "^  a failure is a deadlock or a panic$" "$TMP/out"
check "... and ran nothing the sweep had not" \
	[ "$(q "$DB" "select count(*) from runs")" = 27 ]
$MEMSIM find-n $P -p N=0..8 --seeds 3 -j 2 --ignore panic --db "$DB" > "$TMP/out" 2> /dev/null
check "--ignore panic: N = $((worst_dl + 1)), above the last deadlock" \
	[ "$(head -1 "$TMP/out" | cut -d' ' -f1-5)" = "find-n panic_n: N = $((worst_dl + 1))" ]
check "... and says panics were ignored" \
	grep -q "^  a failure is a deadlock (panics ignored)$" "$TMP/out"
