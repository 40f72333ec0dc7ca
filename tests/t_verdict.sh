# The deadlock verdict on whole runs: a hold bounded in time that looks
# dead under a short watchdog is a stall, not a deadlock
# (tests/scenarios/bounded_hold.lua); the rule itself is test_verdict.
. tests/lib.sh
DB=$TMP/v.db
S=tests/scenarios/bounded_hold.lua
$MEMSIM run $S --db "$DB" > "$TMP/out" 2>&1
check "a bounded hold: the run exits 0" [ $? = 0 ]
check "... and survives, not a deadlock" \
	[ "$(q "$DB" "select outcome || '/' || coalesce(deadlock_kind, '') from runs")" = "survived/" ]
check "... though it went longer without progress than its 2 s watchdog" \
	[ "$(q "$DB" "select longest_stall_seconds > 2 * 2 from runs")" = 1 ]
check "the stall is recorded, with its end" \
	[ "$(q "$DB" "select count(*) from events where kind = 'stall' and detail like 'no progress for %, then progress resumed'")" = 1 ]
check "... its duration is the run's longest stall" \
	[ "$(q "$DB" "select abs(cast(substr(e.detail, 17) as real) - r.longest_stall_seconds) < 0.001 from events e join runs r on r.id = e.run_id where e.kind = 'stall'")" = 1 ]
check "... with what the waiting process waited on" \
	[ "$(q "$DB" "select count(*) from events where kind = 'stall_wait' and thread = 'dirtier' and detail like 'pfault: free+cache >= v_free_severe%'")" = 1 ]
check "... and the process ran again after it: all of its 24 MiB and the hog's 44 MiB faulted in, nobody killed" \
	[ "$(q "$DB" "select page_faults >= (44 + 24) * 256 and oom_kills = 0 from runs")" = 1 ]
$MEMSIM explain 1 --db "$DB" > "$TMP/explain" 2>&1
check "explain shows the stall and who waited" \
	grep -q "^    dirtier  *pfault: free+cache" "$TMP/explain"
check "explain: the longest stall" grep -q "^longest stall: [0-9.]*s$" "$TMP/explain"
check "explain: the stall with its start, duration and end" \
	grep -q "^  from t=[0-9.]*s: no progress for [0-9.]* s, t=[0-9.]*\.\.[0-9.]*, then progress resumed" "$TMP/explain"
check "explain: no watchdog caveat on a run that survived" \
	sh -c "! grep -q '^caveat:' '$TMP/explain'"
