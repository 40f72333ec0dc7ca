# memsim replay: a stored run re-run from its recorded scenario path,
# parameters and seed gives the same digest, writes nothing, and says
# so when the scenario file changed; the scenario_path column and its
# migration; and a sweep gives the same rows and digests with -j 1 and
# -j 2.
. tests/lib.sh
S=tests/scenarios/tiny.lua
DB=$TMP/r.db
runs() { q "$1" "select count(*) from runs"; }

# expect name status stdout-or-"-" stderr-or-"-" args...: exact output
expect() {
	name=$1 want=$2 out=$3 err=$4
	shift 4
	$MEMSIM "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ] &&
	   { [ "$out" = - ] || [ "$(cat "$TMP/out")" = "$out" ]; } &&
	   { [ "$err" = - ] || [ "$(cat "$TMP/err")" = "$err" ]; }; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc, want $want; stdout: $(head -c 300 "$TMP/out"); stderr: $(head -c 300 "$TMP/err"))"
	fi
}

# --- the scenario_path column -------------------------------------------
$MEMSIM run $S -p mode=b -p N=2 --seed 5 --db "$DB" > /dev/null
check "a run records the absolute path of its scenario" \
	[ "$(q "$DB" "select scenario_path from runs")" = "$PWD/$S" ]
check "... in schema version 7" [ "$(q "$DB" "pragma user_version")" = 7 ]
digest=$(q "$DB" "select digest from runs where id = 1")

# --- replay ---------------------------------------------------------------
expect "replay of a run: digest matches, exit 0" 0 \
	"run 1: digest matches ($digest), outcome stored completed, now completed" "" \
	replay 1 --db "$DB"
check "... and no row is added" [ "$(runs "$DB")" = 1 ]
M=$(cd "$(dirname "$MEMSIM")" && pwd)/$(basename "$MEMSIM")
(cd / && "$M" replay 1 --db "$DB" > "$TMP/out" 2>&1)
check "replay works from another directory" grep -q "digest matches" "$TMP/out"

$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$DB" > /dev/null
id=$(q "$DB" "select id from runs where scenario = 'irq_exhaust'")
expect "a deadlocked run replays to the same deadlock" 0 \
	"run $id: digest matches ($(q "$DB" "select digest from runs where id = $id")), outcome stored deadlock, now deadlock" "" \
	replay "$id" --db "$DB"

q "$DB" "update runs set digest = '0123456789abcdef' where id = 1"
expect "a stored digest that differs: exit 1 saying both" 1 \
	"run 1: digest differs (stored 0123456789abcdef, now $digest), outcome stored completed, now completed" "" \
	replay 1 --db "$DB"
check "... still no row added" [ "$(runs "$DB")" = 2 ]

cp $S "$TMP/copy.lua"
$MEMSIM run "$TMP/copy.lua" --seed 2 --db "$DB" > /dev/null
id=$(q "$DB" "select id from runs where seed = 2")
sha=$(q "$DB" "select substr(scenario_sha256, 1, 12) from runs where id = $id")
expect "the copy replays before it is edited" 0 - "" replay "$id" --db "$DB"
echo "-- an edit" >> "$TMP/copy.lua"
now=$(sha256sum "$TMP/copy.lua" | cut -c1-12)
expect "an edited scenario: exit 1, 'scenario changed', nothing run" 1 "" \
	"memsim: run $id: scenario changed: $TMP/copy.lua no longer has the sha256 the run was stored with (stored $sha..., now $now...)" \
	replay "$id" --db "$DB"
rm "$TMP/copy.lua"
expect "a scenario that is gone: exit 1 naming it" 1 "" \
	"memsim: run $id: $TMP/copy.lua: cannot read: No such file or directory" \
	replay "$id" --db "$DB"
expect "no such run: exit 2" 2 "" "memsim: $DB: no run 99" replay 99 --db "$DB"
expect "no such database: exit 1, none created" 1 "" \
	"memsim: $TMP/none.db: no such database" replay 1 --db "$TMP/none.db"
check "... none created" [ ! -e "$TMP/none.db" ]
expect "replay without a run id: exit 2" 2 "" \
	"memsim: replay: which run? (usage: memsim replay RUN_ID [--db FILE])" \
	replay --db "$DB"
expect "replay of a run id that is not a number: exit 2" 2 "" \
	"memsim: replay: unexpected argument 'x' (usage: memsim replay RUN_ID [--db FILE])" \
	replay x --db "$DB"

# --- a database from before scenario_path ---------------------------------
# A version 2 database, made from this one: the columns migration 5
# renamed get their old names back, and scenario_path goes.
OLD="drop view deadlock_rate; drop view signatures; update meta set value = 'old' where key = 'views_sha256';
alter table runs rename column pagedaemon_blocked_seconds to pd_blocked_seconds;
alter table runs rename column pagedaemon_pbuf_wait_seconds to pd_pbuf_wait_seconds;
alter table runs rename column kva_peak_bytes to kva_peak;
alter table samples rename column kva_used_bytes to kva_used;
alter table runs drop column scenario_path; pragma user_version = 2"
cp "$DB" "$TMP/v2.db"
q "$TMP/v2.db" "pragma legacy_alter_table = on; $OLD"
expect "a run stored before scenario_path cannot be replayed: exit 1" 1 "" \
	"memsim: $TMP/v2.db: run 1 has no scenario path (stored by an older memsim): cannot replay it" \
	replay 1 --db "$TMP/v2.db"
check "... opening it migrated it to version 7, rows kept" \
	[ "$(q "$TMP/v2.db" "select (select user_version from pragma_user_version) || ' ' || count(*) || ' ' || count(scenario_path) from runs")" = "7 3 0" ]
cp "$DB" "$TMP/v2b.db"
q "$TMP/v2b.db" "pragma legacy_alter_table = on; $OLD"
$MEMSIM merge "$TMP/m.db" "$TMP/v2b.db" > /dev/null 2> "$TMP/err"
check "merge refuses a version 2 database, saying how to upgrade it" \
	grep -q "database schema version 2, this memsim merges only version 7 (open it once" "$TMP/err"
$MEMSIM merge "$TMP/m.db" "$DB" > /dev/null 2>&1
check "merge carries scenario_path along" \
	[ "$(q "$TMP/m.db" "select count(*) from runs where scenario_path is not null")" = 3 ]

# --- a sweep with -j 1 and -j 2 ---------------------------------------------
rows() {	# db: every column but id, wall_seconds, created_at; child rows
	cols=$(q "$1" "select group_concat(name, ', ') from pragma_table_info('runs') where name not in ('id', 'wall_seconds', 'created_at')")
	q "$1" "select $cols from runs order by params, seed"
	for t in samples events waits counters; do
		c=$(q "$1" "select group_concat('x.' || name, ', ') from pragma_table_info('$t') where name <> 'run_id'")
		q "$1" "select r.params, r.seed, $c from $t x join runs r on r.id = x.run_id order by r.params, r.seed, x.rowid"
	done
}
G="-p mode=a,b -p N=0..2 --seeds 1..4"
$MEMSIM sweep $S $G -j 1 --db "$TMP/j1.db" > /dev/null 2>&1
$MEMSIM sweep $S $G -j 2 --db "$TMP/j2.db" > /dev/null 2>&1
rows "$TMP/j1.db" > "$TMP/rows1"
rows "$TMP/j2.db" > "$TMP/rows2"
check "a sweep stores 16 runs with -j 1 and with -j 2" \
	[ "$(runs "$TMP/j1.db") $(runs "$TMP/j2.db")" = "16 16" ]
check "... identical, row for row and column for column" cmp -s "$TMP/rows1" "$TMP/rows2"
# mode a and mode b with N=0 simulate the same thing: 12 distinct digests
check "... digests included, one per distinct simulation" \
	[ "$(q "$TMP/j1.db" "select group_concat(digest) from (select digest from runs order by params, seed)")" = "$(q "$TMP/j2.db" "select group_concat(digest) from (select digest from runs order by params, seed)")" -a "$(q "$TMP/j1.db" "select count(distinct digest) from runs")" = 12 ]
id=$(q "$TMP/j2.db" "select id from runs where params = '{\"N\":\"2\",\"mode\":\"b\"}' and seed = 3")
expect "a run of the sweep replays to its digest" 0 - "" replay "$id" --db "$TMP/j2.db"
