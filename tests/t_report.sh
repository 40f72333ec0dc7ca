# memsim report: the deadlock_rate view and the table over rows of known
# counts (Wilson bounds worked out by hand), the plots, and find-n on a
# scenario whose answer is known.
. tests/lib.sh
DB=$TMP/r.db

# A database with the schema and views, then rows written directly.
$MEMSIM run tests/scenarios/tiny.lua --db "$DB" > /dev/null
q "$DB" "delete from runs"
# add scenario allocator reserve_n(or NULL) runs deadlocks errors
add() {
	q "$DB" "with recursive i(n) as (select 1 union all select n + 1 from i where n < $4 + $6)
	insert into runs (scenario, scenario_sha256, allocator, reserve_n, seed, params, outcome, deadlock_time, pagedaemon_blocked_seconds, swapmeta_pages_peak, reserve_min_level)
	select '$1', '$1', '$2', $3, n, '{\"a\":\"$2\",\"N\":\"$3\"}',
	  case when n <= $5 then 'deadlock' when n > $4 then 'error' else 'completed' end,
	  case when n <= $5 then n end, n, 10 * n, case when $3 is null then null else $3 - n % 2 end
	from i"
}
add s zalloc NULL 20 3 0
add s kmalloc_obj NULL 20 20 0
add s reserve_kmalloc_obj 0 10 10 0
add s reserve_kmalloc_obj 1 10 5 0
add s reserve_kmalloc_obj 2 10 0 1
add t zalloc NULL 4 1 0

view() { q "$DB" "select $1 from deadlock_rate where scenario = 's' and allocator = '$2' and reserve_n is $3"; }
check "deadlock_rate: runs and deadlocks per allocator and N" \
	[ "$(view "runs || '/' || deadlocks" zalloc NULL)" = "20/3" ]
check "... errors are counted apart, not as runs" \
	[ "$(view "runs || '/' || errors" reserve_kmalloc_obj 2)" = "10/1" ]
check "... the Wilson interval of 3/20 is [0.0524, 0.3604]" \
	[ "$(view "printf('%.4f %.4f', wilson_low, wilson_high)" zalloc NULL)" = "0.0524 0.3604" ]
check "... of 0/10 is [0, 0.2775]" \
	[ "$(view "printf('%.4f %.4f', wilson_low, wilson_high)" reserve_kmalloc_obj 2)" = "0.0000 0.2775" ]
check "... of 10/10 is [0.7225, 1]" \
	[ "$(view "printf('%.4f %.4f', wilson_low, wilson_high)" reserve_kmalloc_obj 0)" = "0.7225 1.0000" ]
check "... median time to deadlock of 1, 2, 3 is 2" \
	[ "$(view "median_time_to_deadlock" zalloc NULL)" = 2.0 ]
check "... median pagedaemon_blocked_seconds of 1..10 (even count) is 5.5" \
	[ "$(view "median_pagedaemon_blocked_seconds" reserve_kmalloc_obj 1)" = 5.5 ]
check "... peak SWAPMETA pages and lowest reserve level" \
	[ "$(view "peak_swapmeta_pages || ' ' || lowest_reserve_level" reserve_kmalloc_obj 1)" = "100 0" ]

$MEMSIM report --db "$DB" > "$TMP/out" 2>&1
check "report exits 0" [ $? = 0 ]
cat > "$TMP/want" <<'EOT'
s
  N  kmalloc_obj                  reserve_kmalloc_obj          zalloc
  -  20/20 (100.0% [83.9–100.0])                               3/20 (15.0% [5.2–36.0])
  0                               10/10 (100.0% [72.2–100.0])
  1                               5/10 (50.0% [23.7–76.3])
  2                               0/10 (0.0% [0.0–27.8])
  (1 runs ended in error and are not counted)

t
  N  zalloc
  -  1/4 (25.0% [4.6–69.9])
EOT
check "the table: one block per scenario, rows by N, allocators side by side" \
	cmp -s "$TMP/want" "$TMP/out"
$MEMSIM report --db "$DB" --scenario t > "$TMP/out" 2>&1
check "--scenario shows one block" \
	[ "$(head -1 "$TMP/out")" = t -a "$(wc -l < "$TMP/out")" = 3 ]
$MEMSIM report --db "$DB" --scenario nope > "$TMP/out" 2> "$TMP/err"
check "--scenario with no runs: exit 2, one line" \
	[ $? = 2 -a "$(cat "$TMP/err")" = "memsim: $DB: no runs of scenario 'nope'" ]
# status-and-message: the status was want and stderr holds the text
status_says() {	# status want text
	[ "$1" = "$2" ] && grep -q "$3" "$TMP/err"
}
$MEMSIM report --db "$TMP/none.db" > /dev/null 2> "$TMP/err"
check "report on a missing database: exit 1, and creates nothing" \
	status_says $? 1 "none.db: no such database"
check "... and creates nothing" [ ! -e "$TMP/none.db" ]

# Plots: PNG and SVG from gnuplot.
$MEMSIM report --db "$DB" --plot "$TMP/plots" > "$TMP/out" 2>&1
check "--plot writes a rate plot per scenario that varies N, PNG and SVG" \
	[ -s "$TMP/plots/rate_s.png" -a -s "$TMP/plots/rate_s.svg" ]
check "... and none for a scenario whose runs have no N, saying so" \
	eval '[ ! -e "$TMP/plots/rate_t.png" ] && grep -q "^no rate plot for t: its runs do not vary N" "$TMP/out"'
check "... nor anything from gnuplot on the terminal" \
	eval '! grep -qi "warning" "$TMP/out"'
check "... real PNGs" [ "$(head -c 4 "$TMP/plots/rate_s.png" | tail -c 3)" = PNG ]
RUN=$TMP/run.db
$MEMSIM run tests/scenarios/needs_n.lua --db "$RUN" > /dev/null
$MEMSIM report --db "$RUN" --plot "$TMP/plots" --run 1 > "$TMP/out" 2>&1
check "--plot --run writes the run's plot" \
	[ -s "$TMP/plots/run_1.png" -a -s "$TMP/plots/run_1.svg" ]
check "... with the thresholds from its counters" \
	grep -q "v_free_reserved" "$TMP/plots/run_1.svg"
$MEMSIM report --db "$RUN" --plot "$TMP/plots" --run 99 > /dev/null 2> "$TMP/err"
check "--run of a missing run: exit 2" status_says $? 2 "no run 99"

# find-n: needs_n deadlocks below N = 3 and never from 3 on (checked up
# to the top of the range, 8).
DB=$TMP/f.db
$MEMSIM find-n tests/scenarios/needs_n.lua -p N=0..8 --seeds 6 -j 2 --db "$DB" > "$TMP/out" 2>&1
rc=$?
check "find-n finds N = 3" [ $rc = 0 -a "$(head -1 "$TMP/out")" = "find-n needs_n: N = 3" ]
check "... with the rule-of-three bound 3/K" \
	grep -q "N = 3: 0 of 6 seeds failed; 95% upper bound on P(failure) 0.5 (rule of three, 3/6" "$TMP/out"
check "... confirmed by N - 1 deadlocking" \
	grep -q "N = 2: 6 of 6 seeds failed (6 deadlocks), so N - 1 is not enough (confirmed)" "$TMP/out"
check "... and by every N above it" \
	grep -q "N = 4..8: no failure in 6 seeds at any of them" "$TMP/out"
check "... its runs are stored, all six seeds at N = 2 and 3" \
	[ "$(q "$DB" "select count(*) from runs where json_extract(params, '\$.N') in ('2', '3')")" = 12 ]
n=$(q "$DB" "select count(*) from runs")
check "... and in the sweeps table" \
	[ "$(q "$DB" "select grid || ' ' || runs_done || ' ' || (finished is not null) from sweeps")" = "find-n N=0..8 allocator=reserve_kmalloc_obj seeds=1..6 $n 1" ]
$MEMSIM find-n tests/scenarios/needs_n.lua -p N=0..8 --seeds 6 -j 2 --db "$DB" > "$TMP/out2" 2>&1
check "find-n again runs nothing new" [ "$(q "$DB" "select count(*) from runs")" = "$n" ]
check "... and says the same" cmp -s "$TMP/out" "$TMP/out2"
$MEMSIM find-n tests/scenarios/tiny.lua --seeds 2 --db "$DB" > /dev/null 2> "$TMP/err"
check "find-n on a scenario without N: exit 2" \
	status_says $? 2 "find-n needs a scenario that reads parameter 'allocator'"
MEMSIM_TEST_CRASH_SEED=2 $MEMSIM find-n tests/scenarios/needs_n.lua --seeds 3 \
	--db "$TMP/f2.db" > /dev/null 2> "$TMP/err"
check "find-n stops where a run crashed: it proves nothing (exit 1)" \
	status_says $? 1 "find-n: 1 runs at N = 64 ended in error, so N = 64 proves nothing"
