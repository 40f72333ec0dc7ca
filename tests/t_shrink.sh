# memsim shrink: a deadlocking run becomes a scenario at most a quarter
# of the original's size (processes x RAM x duration) that, run as its
# header says, deadlocks with the same signature; overridden choices
# that do not matter are dropped; bad input is one line and exit 2.
. tests/lib.sh
DB=$TMP/s.db
REF=scenarios/swapmeta_reserve.lua
NEEDS=tests/scenarios/needs_n.lua

status() { "$@" > "$TMP/out" 2> "$TMP/err"; echo $?; }
oneline() { [ "$(wc -l < "$TMP/err")" = 1 ]; }

# The literal settings of a scenario file (comment lines skipped):
# processes (sum of count, 1 when absent) x RAM in MiB x duration in s.
size() {
	grep -v '^ *--' "$1" | awk '
	function num(s) { gsub(/"/, "", s); return s }
	/scenario *[({]/ && match($0, /duration *= *"[0-9.]+s"/) {
		d = substr($0, RSTART, RLENGTH); sub(/.*= *"/, "", d); sub(/s"/, "", d) }
	/machine *[({]/ && match($0, /ram *= *"[0-9]+[MG]"/) {
		r = substr($0, RSTART, RLENGTH); sub(/.*= *"/, "", r); sub(/"/, "", r)
		if (r ~ /G$/) r = r * 1024; else r = r + 0 }
	/process *[({]/ { c = 1
		if (match($0, /count *= *[0-9]+/)) {
			c = substr($0, RSTART, RLENGTH); sub(/.*= */, "", c) }
		p += c }
	END { printf "%.6f\n", p * r * d }'
}

# Run FILE the way its header says; prints the run's signature.
rerun() {	# file db
	cmd=$(sed -n 's/^--   memsim run FILE //p' "$1")
	eval "$MEMSIM run \"$1\" $cmd --db \"$2\"" | sed -n 's/^  signature //p'
}

# --- the reference scenario's kmalloc_obj deadlock --------------------
$MEMSIM run $REF -p allocator=kmalloc_obj --seed 2 --db "$DB" > /dev/null
if [ "$(q "$DB" "select outcome from runs where id = 1")" = deadlock ]; then
	sig=$(q "$DB" "select signature from runs where id = 1")
	$MEMSIM shrink 1 -o "$TMP/ref_min.lua" --db "$DB" > "$TMP/out" 2>&1
	check "shrink of the reference kmalloc_obj deadlock succeeds" \
		grep -q "same signature" "$TMP/out"
	orig=$(size $REF)
	small=$(size "$TMP/ref_min.lua")
	check "... to at most a quarter of processes x RAM x duration ($orig -> $small)" \
		awk "BEGIN { exit !($small > 0 && $small * 4 <= $orig) }"
	check "... and run as its header says it deadlocks with the same signature" \
		[ "$(rerun "$TMP/ref_min.lua" "$TMP/r.db")" = "$sig" ]
	check "... the header names the signature and what changed" \
		grep -q "^--   machine ram: \"128M\" -> " "$TMP/ref_min.lua"
	check "... the result keeps the original's process body" \
		grep -q 'p:touch(r, { pages = 1000, random = true, write = 0.7 })' \
		"$TMP/ref_min.lua"
	check "... nothing of the trial runs is stored" \
		[ "$(q "$DB" "select count(*) from runs")" = 1 ]
else
	echo "# the reference kmalloc_obj run (seed 2) no longer deadlocks:"\
	    "$(q "$DB" "select outcome from runs where id = 1")"
fi

# --- a small deadlock with overrides that do not matter ----------------
$MEMSIM run $NEEDS --choices "1000.3=0.5,1000.9=0.25" --db "$DB" > /dev/null
id=$(q "$DB" "select max(id) from runs")
check "needs_n at N = 0 deadlocks" \
	[ "$(q "$DB" "select outcome from runs where id = $id")" = deadlock ]
sig=$(q "$DB" "select signature from runs where id = $id")
$MEMSIM shrink "$id" -o "$TMP/n_min.lua" --db "$DB" > "$TMP/out" 2>&1
orig=$(size $NEEDS)
small=$(size "$TMP/n_min.lua")
check "shrink of needs_n gives at most a quarter ($orig -> $small)" \
	awk "BEGIN { exit !($small > 0 && $small * 4 <= $orig) }"
check "... that deadlocks with the same signature" \
	[ "$(rerun "$TMP/n_min.lua" "$TMP/r.db")" = "$sig" ]
check "... without the overrides that did not matter" \
	grep -q "^--   overridden choices: 2 -> 0" "$TMP/n_min.lua"
check "... so its command line has no --choices" \
	sh -c "! grep -q -- '--choices' '$TMP/n_min.lua'"
check "the result is renamed, so its runs are not the original's" \
	grep -q 'name = "needs_n_min"' "$TMP/n_min.lua"

# --- bad input ----------------------------------------------------------
$MEMSIM run tests/scenarios/tiny.lua --db "$DB" > /dev/null
tid=$(q "$DB" "select max(id) from runs")
check "shrink of a run that did not deadlock is exit 2" \
	[ "$(status $MEMSIM shrink "$tid" -o "$TMP/x.lua" --db "$DB")" = 2 ]
check "... with one line saying so" sh -c "grep -q 'did not deadlock' '$TMP/err'"
check "... and writes nothing" [ ! -e "$TMP/x.lua" ]
check "shrink of an unknown run is exit 2" \
	[ "$(status $MEMSIM shrink 999 -o "$TMP/x.lua" --db "$DB")" = 2 ]
check "... one line naming it" oneline
cp $NEEDS "$TMP/changed.lua"
$MEMSIM run "$TMP/changed.lua" --db "$DB" > /dev/null
cid=$(q "$DB" "select max(id) from runs")
echo "-- edited" >> "$TMP/changed.lua"
check "shrink of a run whose scenario changed is exit 2" \
	[ "$(status $MEMSIM shrink "$cid" -o "$TMP/x.lua" --db "$DB")" = 2 ]
check "... one line saying the scenario changed" \
	sh -c "grep -q 'scenario changed' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "shrink without -o is exit 2" \
	[ "$(status $MEMSIM shrink "$id" --db "$DB")" = 2 ]
check "... one line" oneline
n=$(q "$DB" "select count(*) from runs")
check "bad input loses nothing recorded" [ "$n" = 4 ]
