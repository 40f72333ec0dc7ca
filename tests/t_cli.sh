# The command line as a new user meets it: help, misspelt commands,
# --name=value, exit statuses a CI can use, run ids never dropped or
# reused, every row named, and sweep{} keys checked like every table's.
. tests/lib.sh
S=tests/scenarios/tiny.lua
DB=$TMP/c.db
runs() { q "${1:-$DB}" "select count(*) from runs"; }

# --- help and commands ---------------------------------------------------
for h in --help -h help "run --help" "sweep -h"; do
	# shellcheck disable=SC2086
	$MEMSIM $h > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "memsim $h prints the usage on stdout and exits 0" \
		eval '[ "$rc" = 0 ] && grep -q "^usage: memsim run" "$TMP/out" &&
		[ ! -s "$TMP/err" ]'
done
$MEMSIM rn > "$TMP/out" 2> "$TMP/err"
rc=$?
check "a misspelt command is named with a suggestion, exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "memsim: unknown command '\''rn'\''; did you mean run? (memsim --help lists them)" ]'
$MEMSIM swep $S > "$TMP/out" 2> "$TMP/err"
check "... swep: sweep" grep -q "did you mean sweep?" "$TMP/err"
$MEMSIM rep > "$TMP/out" 2> "$TMP/err"
check "... a prefix: rep: report" grep -q "did you mean report?" "$TMP/err"
$MEMSIM xyzzy > "$TMP/out" 2> "$TMP/err"
rc=$?
check "... nothing near: no suggestion, exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "memsim: unknown command '\''xyzzy'\'' (memsim --help lists them)" ]'

# --- --name=value --------------------------------------------------------
$MEMSIM run $S --db="$DB" --seed=2 --wall-limit=60s > "$TMP/out" 2>&1
rc=$?
check "--name=value works as --name value" \
	eval '[ "$rc" = 0 ] && [ "$(q "$DB" "select seed from runs")" = 2 ]'

# --- a run id is never dropped or reused ---------------------------------
id=$(q "$DB" "select id from runs")
$MEMSIM run $S --db "$DB" --seed 2 > "$TMP/out" 2>&1
rc=$?
check "the same run again is not stored again: one row, the same id" \
	eval '[ "$rc" = 0 ] && [ "$(runs)" = 1 ] && [ "$(q "$DB" "select id from runs")" = "$id" ]'
check "... and says which run it is" \
	grep -q "^already recorded as run $id (tiny seed=2 params={\"mode\":\"a\"}), outcome completed; not run again" "$TMP/out"
$MEMSIM explain "$id" --db "$DB" > "$TMP/out" 2>&1
rc=$?
check "... explain $id still finds it" [ "$rc" = 0 ]
$MEMSIM run $S --db "$DB" --seed 3 > /dev/null 2>&1
check "a new seed gets a new id" \
	[ "$(q "$DB" "select group_concat(id) from runs order by id")" = "$id,$((id + 1))" ]

# --- exit statuses ---------------------------------------------------------
B=$TMP/body_error.lua
cat > "$B" <<'EOF'
scenario { duration = "1s" }
machine { ram = "32M", swap = "64M" }
process { name = "p", run = function(p) p:compute("5 ms") end }
EOF
$MEMSIM run "$B" --db "$DB" > "$TMP/out" 2>&1
rc=$?
check "a bad unit in a process body: outcome error, exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(q "$DB" "select outcome from runs where scenario = '\''body_error'\''")" = error ]'
cat > "$B" <<'EOF'
scenario { duration = "1s" }
machine { ram = "32M", swap = "64M" }
process { name = "p", run = function(p) error("boom") end }
EOF
$MEMSIM run "$B" --db "$TMP/e2.db" > "$TMP/out" 2>&1
rc=$?
check "a runtime error in a process body: exit 2" [ "$rc" = 2 ]
$MEMSIM run $S --db "$TMP/f.db" --fail-on deadlock,panic > /dev/null 2>&1
rc=$?
check "--fail-on with an outcome that did not happen: exit 0" [ "$rc" = 0 ]
$MEMSIM run $S --db "$TMP/f.db" --seed 5 --fail-on completed > /dev/null 2>&1
rc=$?
check "--fail-on naming the outcome that happened: exit 3" [ "$rc" = 3 ]
$MEMSIM run $S --db "$TMP/f.db" --seed 5 --fail-on completed > /dev/null 2>&1
rc=$?
check "... also when the run was already recorded" [ "$rc" = 3 ]
$MEMSIM run $S --db "$TMP/f.db" --fail-on deadlok > "$TMP/out" 2> "$TMP/err"
rc=$?
check "--fail-on with a misspelt outcome: one line, exit 2" \
	eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "memsim: --fail-on deadlok: '\''deadlok'\'' is not an outcome (deadlock, panic, error, survived, completed, or stall[=TIME])" ]'
# --fail-on stall: bounded_hold survives after about 7 s without progress
H=tests/scenarios/bounded_hold.lua
$MEMSIM run $H --db "$TMP/st.db" --fail-on stall > /dev/null 2>&1
rc=$?
check "--fail-on stall on a run that stalled (survived, longest stall > 4 s): exit 3" \
	eval '[ "$rc" = 3 ] && [ "$(q "$TMP/st.db" "select outcome || (longest_stall_seconds > 4) from runs")" = survived1 ]'
$MEMSIM run $H --db "$TMP/st.db" --fail-on stall=5s > /dev/null 2>&1
rc1=$?
$MEMSIM run $H --db "$TMP/st.db" --fail-on deadlock,stall=10s > /dev/null 2>&1
rc2=$?
check "... stall=5s: exit 3; stall=10s: exit 0 (also when already recorded)" \
	[ "$rc1 $rc2" = "3 0" ]
$MEMSIM run $S --db "$TMP/st.db" --fail-on stall > /dev/null 2>&1
rc=$?
check "... a run without a stall of 1 s: exit 0" \
	eval '[ "$rc" = 0 ] && [ "$(q "$TMP/st.db" "select longest_stall_seconds < 1 from runs where scenario = '\''tiny'\''")" = 1 ]'
for bad in 'stall=1h' 'stall=0' 'stall='; do
	$MEMSIM run $S --db "$TMP/st.db" --fail-on "deadlock,$bad" > /dev/null 2> "$TMP/err"
	rc=$?
	check "--fail-on deadlock,$bad: one line naming it, exit 2" \
		eval '[ "$rc" = 2 ] && [ "$(wc -l < "$TMP/err")" = 1 ] && grep -q "^memsim: --fail-on deadlock,$bad: '\''$bad'\'': " "$TMP/err"'
done

# --- every row carries its identity ---------------------------------------
# swap_storm takes a second or more of wall time on any machine; tiny
# may finish inside a few milliseconds on a fast one.
$MEMSIM run scenarios/swap_storm.lua --db "$TMP/w.db" --seed 9 \
	--wall-limit 50ms > "$TMP/out" 2>&1
rc=$?
check "a run stopped by --wall-limit 50ms: exit 2, an error row" \
	eval '[ "$rc" = 2 ] && [ "$(q "$TMP/w.db" "select outcome from runs")" = error ]'
check "... which names its scenario, allocator, params and seed" \
	eval '[ "$(q "$TMP/w.db" "select scenario || '\''|'\'' || allocator || '\''|'\'' || params || '\''|'\'' || seed || '\''|'\'' || length(scenario_sha256) from runs")" = '\''swap_storm|zalloc|{"allocator":"zalloc"}|9|64'\'' ]'

# --- sweep{} keys ----------------------------------------------------------
for key in 'sedes = "1..5"' 'jobs = 2'; do
	k=${key%% *}
	sed "s/^sweep .*/sweep    { mode = { \"a\", \"b\" }, N = \"0..2\", $key }/" $S > "$TMP/sw.lua"
	$MEMSIM sweep "$TMP/sw.lua" --db "$TMP/sw.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "sweep{ $key }: rejected with its name and file:line, exit 2" \
		eval '[ "$rc" = 2 ] && [ "$(cat "$TMP/err")" = "$TMP/sw.lua:8: unknown option '\''$k'\'' in sweep (not a parameter the scenario reads, nor seeds)" ]'
	check "... before any run" eval '[ ! -e "$TMP/sw.db" ] || [ "$(runs "$TMP/sw.db")" = 0 ]'
	$MEMSIM sweep "$TMP/sw.lua" -p mode=b -p N=1 --db "$TMP/sw.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "... also when -p replaces the other axes" eval '[ "$rc" = 2 ] &&
		grep -q "unknown option '\''$k'\'' in sweep" "$TMP/err"'
done
$MEMSIM sweep $S -p mode=a --db "$TMP/sa.db" > "$TMP/out" 2>&1
rc=$?
check "an axis of sweep{} that -p leaves unread is just not swept" \
	eval '[ "$rc" = 0 ] && [ "$(runs "$TMP/sa.db")" = 3 ] &&
	grep -q "^sweep tiny: 3 runs, 3 stored (3 new" "$TMP/out"'

# --- report and explain read a database they cannot write ------------------
# Modes do not stop root: root makes the directory a read-only bind
# mount (as t_badinput.sh does); without that the checks are not run.
RO=$TMP/ro
mkdir "$RO"
$MEMSIM run $S --db "$RO/r.db" > /dev/null 2>&1
cp "$RO/r.db" "$RO/oldviews.db"
q "$RO/oldviews.db" "update meta set value = 'x' where key = 'views_sha256'"
cp "$RO/r.db" "$RO/old.db"
q "$RO/old.db" "pragma user_version = 3"
sum_before=$(cat "$RO"/*.db | cksum)
ro_undo=:
if [ "$(id -u)" != 0 ]; then
	chmod 555 "$RO"; chmod 444 "$RO"/*.db; ro_undo="chmod 755 $RO"
elif mount --bind "$RO" "$RO" 2>/dev/null; then
	if mount -o remount,ro,bind "$RO" 2>/dev/null; then
		ro_undo="umount $RO"
	else
		umount "$RO"
	fi
fi
trap '$ro_undo; rm -rf "$TMP"' EXIT
if [ "$ro_undo" != : ]; then
	$MEMSIM report --db "$RO/r.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "report on a database in a read-only directory: exit 0" \
		eval '[ "$rc" = 0 ] && [ ! -s "$TMP/err" ] && grep -q "^tiny" "$TMP/out"'
	$MEMSIM explain 1 --db "$RO/r.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "explain too" eval '[ "$rc" = 0 ] && grep -q "^run 1: tiny" "$TMP/out"'
	$MEMSIM report --db "$RO/oldviews.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "... also when its views are another memsim's (this one's, for the connection)" \
		eval '[ "$rc" = 0 ] && grep -q "^tiny" "$TMP/out"'
	$MEMSIM report --db "$RO/old.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "an older schema it cannot migrate: exit 1 saying so" \
		eval '[ "$rc" = 1 ] && grep -q "^memsim: $RO/old.db: database schema version 3 is older than this memsim.s ([0-9]*) and cannot be written here" "$TMP/err"'
	check "... and nothing was written" [ "$(cat "$RO"/*.db | cksum)" = "$sum_before" ]
	$ro_undo
	ro_undo=:
else
	echo "# no read-only directory could be made: read-only checks not run"
fi

# --- the summary's wording ---------------------------------------------------
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$TMP/dl.db" > "$TMP/out" 2>&1
check "a deadlock's kind qualifies it: \"deadlock (proven)\", not \"deadlock proven\"" \
	grep -q "^  outcome deadlock (proven) at t=" "$TMP/out"

# --- survived: who was still running, and how far it got ----------------------
cat > "$TMP/surv.lua" <<'LUA'
scenario { name = "surv", duration = "0.3s" }
machine  { ram = "32M", ncpus = 1, swap = "64M" }
process { name = "w", count = 2, run = function(p)
  local r = p:mmap("8M")
  for i = 1, 1000 do
    p:touch(r, { pages = 64, random = true, write = true })
    p:compute("10ms")
  end
end }
LUA
$MEMSIM run "$TMP/surv.lua" --db "$TMP/sv.db" > "$TMP/out" 2>&1
check "a survived run's summary names the processes still running and how far they got" \
	grep -Eq "^  still running at the end: w\.1 at line [0-9]+ after [0-9]+ requests, (running|in [a-z]+); w\.2 at line" "$TMP/out"
check "... the runs table keeps it (message)" \
	eval '[ "$(q "$TMP/sv.db" "select outcome || '\''|'\'' || (message like '\''still running at the end: w.1 at line %'\'') from runs")" = "survived|1" ]'
$MEMSIM explain 1 --db "$TMP/sv.db" > "$TMP/out" 2>&1
check "... and explain shows it, with each thread's state at the end" \
	eval 'grep -q "^message: still running at the end: w.1 at line" "$TMP/out" && grep -Eq "^  w\.2 +running" "$TMP/out"'
