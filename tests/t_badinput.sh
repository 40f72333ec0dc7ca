# Bad input: one line naming what and where, exit 2 (scenario/usage) or
# 1 (environment), and nothing already recorded lost.
. tests/lib.sh
DB=$TMP/b.db
$MEMSIM run scenarios/swap_full.lua --db "$DB" >/dev/null
runs() { q "$DB" "select count(*) from runs"; }

# expect_fail name status pattern scenario-text [memsim args...]
expect_fail() {
	name=$1 want=$2 pat=$3 text=$4
	shift 4
	printf '%s\n' "$text" > "$TMP/bad.lua"
	$MEMSIM run "$TMP/bad.lua" --db "$DB" "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	lines=$(wc -l < "$TMP/err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -- "$pat" "$TMP/err" &&
	   [ "$(runs)" = 1 ]; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc, want $want; stderr: $(head -c 300 "$TMP/err"))"
	fi
}

P='process { name = "a", run = function(p) p:compute("1ms") end }'
expect_fail "syntax error names file:line" 2 "bad.lua:2:" "machine { ram = \"64M\" }
scenario { name = }
$P"
expect_fail "unknown option names the table" 2 "bad.lua:1: unknown option 'rma' in machine" "machine { rma = \"64M\" }
$P"
expect_fail "bad unit suffix" 2 'bad.lua:1:.*"12MB"' "machine { ram = \"12MB\" }
$P"
expect_fail "unit with a space" 2 'bad.lua:1:.*"5 ms"' "machine { swap_latency = \"5 ms\" }
$P"
expect_fail "unknown allocator" 2 "bad.lua:1: unknown allocator 'slab'" "kernel { swapmeta = { allocator = \"slab\" } }
$P"
expect_fail "negative reserve" 2 "bad.lua:1:.*reserve" "kernel { swapmeta = { reserve = -1 } }
$P"
expect_fail "duplicate process names" 2 "duplicate process name 'a'" "$P
$P"
expect_fail "a scenario with no process" 2 "starts no process" "machine { ram = \"64M\" }"
expect_fail "a -p the scenario never reads" 2 "parameter 'N'" "$P" -p N=3
expect_fail "a misspelt global" 2 "unknown name 'procces'" "procces { name = \"a\" }"
expect_fail "a runtime error at load" 2 "bad.lua:1:" "error('boom')
$P"
expect_fail "an unknown tunable" 2 "unknown option 'v_free_mni' in machine" "machine { v_free_mni = 3 }
$P"
expect_fail "ram smaller than the kernel needs" 2 "ram" "machine { ram = \"4M\" }
$P"
expect_fail "a zero duration" 2 "duration" "scenario { duration = 0 }
$P"
$MEMSIM run "$TMP/nope.lua" --db "$DB" 2> "$TMP/err" >/dev/null
rc=$?
check "missing scenario file: exit 2 naming it" \
	[ $rc = 2 -a "$(grep -c 'nope.lua: cannot read' "$TMP/err")" = 1 ]
$MEMSIM run "$TMP" --db "$DB" 2> "$TMP/err" >/dev/null
check "a directory instead of a file: exit 2" [ $? = 2 ]
$MEMSIM run scenarios/swap_full.lua --db "$DB" --seed x 2> "$TMP/err" >/dev/null
check "a bad --seed: exit 2" [ $? = 2 ]

# A runtime error inside a process body is a recorded run, outcome error.
printf '%s\n' 'process { name = "a", run = function(p)' \
	'  p:compute("1ms")' '  local x = nil + 1' 'end }' > "$TMP/body.lua"
$MEMSIM run "$TMP/body.lua" --db "$DB" > /dev/null 2>&1
check "an error in a process body: exit 0" [ $? = 0 ]
check "an error in a process body is recorded with file:line" \
	[ "$(q "$DB" "select count(*) from runs where outcome='error' and message like '%body.lua:3:%'")" = 1 ]

# Databases that cannot be used: exit 1, nothing lost.
printf 'not a database at all, just some text................' > "$TMP/junk.db"
$MEMSIM run scenarios/swap_full.lua --db "$TMP/junk.db" 2> "$TMP/err" >/dev/null
check "a file that is not SQLite: exit 1" [ $? = 1 ]
check "... with one line saying so" grep -q "not a SQLite database" "$TMP/err"
$MEMSIM run scenarios/swap_full.lua --db "$TMP/no/such/dir/x.db" 2> "$TMP/err" >/dev/null
check "an unopenable database: exit 1" [ $? = 1 ]
cp "$DB" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" "pragma user_version = 99"
$MEMSIM run scenarios/swap_full.lua --db "$TMP/newer.db" 2> "$TMP/err" >/dev/null
check "a database of a newer schema: exit 1" [ $? = 1 ]
check "... and its rows are still there" [ "$(q "$TMP/newer.db" "select count(*) from runs")" -ge 1 ]

# A deadlock is data: exit 0, or 3 with --fail-on-deadlock.
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$DB" > "$TMP/out" 2>&1
check "a deadlock exits 0 by default" [ $? = 0 ]
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$DB" --fail-on-deadlock > "$TMP/out" 2>&1
check "--fail-on-deadlock exits 3" [ $? = 3 ]
check "the summary says who waits on what" grep -q "dirtier.*vmwait" "$TMP/out"
check "the waits table has every thread" \
	[ "$(q "$DB" "select count(*) from waits join runs on runs.id = run_id where scenario='irq_exhaust' and thread in ('dirtier', 'pagedaemon', 'leak')")" = 3 ]
check "a livelock is recorded as such" \
	[ "$(q "$DB" "select deadlock_kind from runs where scenario='irq_exhaust'")" = livelock ]
