# bench/hunt_first.sh's mechanics: the runs-to-first-deadlock it prints
# for each hunt is the first deadlocking run stored by that hunt, hunt i
# takes its own seeds (1 + (i-1)*1000 on), a hunt with none in its budget
# is "-" and pushes the median past the budget, and the signatures it
# lists are the stored ones.
. tests/lib.sh
B=12
BUILD=$(dirname "$MEMSIM")
mkdir "$TMP/db"
HUNT_FIRST_DB="$TMP/db" sh bench/hunt_first.sh "$BUILD" 2 $B > "$TMP/out" 2> "$TMP/err"
check "the bench exits 0" [ $? = 0 ]
check "... and prints a line per strategy" \
	[ "$(grep -c '^\(random\|guided\): runs to first deadlock: ' "$TMP/out")" = 2 ]

# first deadlocking run of a stored hunt, by the order runs were stored
# (-j 1: the order they ran), or "-"
stored_first() {
	f=$(q "$1" "select count(*) from runs where id <= (select min(id) from runs
		where outcome in ('deadlock', 'panic'))")
	if [ "$(q "$1" "select count(*) from runs where outcome in ('deadlock', 'panic')")" = 0 ]; then
		echo -
	else
		echo "$f"
	fi
}
for st in random guided; do
	printed=$(sed -n "s/^$st: runs to first deadlock: \\([-0-9 ]*\\); median.*/\\1/p" "$TMP/out")
	stored="$(stored_first "$TMP/db/$st.1.db") $(stored_first "$TMP/db/$st.2.db")"
	check "$st: the printed runs-to-first ($printed) are the stored ones ($stored)" \
		[ "$printed" = "$stored" ]
	check "$st: each hunt stored its budget of runs" \
		[ "$(q "$TMP/db/$st.1.db" "select count(*) from runs")" = $B ] &&
		[ "$(q "$TMP/db/$st.2.db" "select count(*) from runs")" = $B ]
	check "$st: hunt 1 takes seeds from 1, hunt 2 from 1001, apart" \
		[ "$(q "$TMP/db/$st.1.db" "select min(seed) || ' ' || (max(seed) < 1001) from runs")" = "1 1" ] &&
		[ "$(q "$TMP/db/$st.2.db" "select min(seed) from runs")" = 1001 ]
done
check "random hunt 1 (seeds 1..$B) finds its first deadlock at a deadlocking seed's run" \
	[ "$(q "$TMP/db/random.1.db" "select seed from runs where outcome = 'deadlock' order by id limit 1")" = \
	  "$(sed -n 's/^random: runs to first deadlock: \([0-9]*\) .*/\1/p' "$TMP/out")" ]
sig=$(q "$TMP/db/random.1.db" "select signature from runs where outcome = 'deadlock' limit 1")
check "a stored signature is listed with its text" \
	grep -qF "  random " "$TMP/out"
check "... the same text" grep -qF -- ": $sig" "$TMP/out"

# a budget too small to find one: "-" per hunt and a median past it
sh bench/hunt_first.sh "$BUILD" 1 2 > "$TMP/out2" 2> "$TMP/err"
check "a hunt that finds none in its budget prints - and median >budget" \
	grep -q '^random: runs to first deadlock: -; median >2 (1 of 1 found none in 2)' "$TMP/out2"
check "... and no signature" grep -q '^signatures: none' "$TMP/out2"

# without the warmup every seed deadlocks at the first page-out: run 1
sh bench/hunt_first.sh "$BUILD" 1 2 -p allocator=kmalloc_obj > "$TMP/out3" 2> "$TMP/err"
check "plain kmalloc_obj: both strategies find one at run 1" \
	[ "$(grep -c '^\(random\|guided\): runs to first deadlock: 1; median 1 ' "$TMP/out3")" = 2 ]

# a bad parameter is the hunt's one line, and the bench fails
sh bench/hunt_first.sh "$BUILD" 1 2 -p K=15 > /dev/null 2> "$TMP/err"
check "a parameter the scenario does not read fails the bench" [ $? != 0 ]
check "... naming it" grep -q "'K'" "$TMP/err"

# --- guided --fresh P: P% of the candidates after the first seeds are
# fresh seeds, so a guided hunt explores seeds as random does
SMALL=tests/scenarios/hunt_small.lua
seqs() { q "$1" "select group_concat(seed || ':' || choices, ' ') from (select seed, choices from runs order by id)"; }
$MEMSIM hunt $SMALL --strategy guided --budget 10 --db "$TMP/g0.db" > /dev/null 2>&1
$MEMSIM hunt $SMALL --strategy guided --fresh 0 --budget 10 --db "$TMP/g00.db" > /dev/null 2>&1
check "--fresh 0 is the default guided hunt, run for run" \
	[ "$(seqs "$TMP/g0.db")" = "$(seqs "$TMP/g00.db")" ]
check "... which runs mutants after its first four seeds" \
	[ "$(q "$TMP/g0.db" "select count(*) from runs where id > 4 and choices <> ''")" -gt 0 ]
$MEMSIM hunt $SMALL --strategy guided --fresh 100 --budget 10 --db "$TMP/g100.db" > /dev/null 2>&1
check "--fresh 100 runs only fresh seeds, 1..10, as random would" \
	[ "$(q "$TMP/g100.db" "select count(*) || ' ' || sum(choices = '') || ' ' || min(seed) || ' ' || max(seed) || ' ' || count(distinct seed) from runs")" = "10 10 1 10 10" ]
$MEMSIM hunt $SMALL --strategy guided --fresh 50 --budget 16 --db "$TMP/g50.db" > /dev/null 2>&1
check "--fresh 50 mixes fresh seeds and mutants after the first four" \
	[ "$(q "$TMP/g50.db" "select sum(choices = '') > 0 and sum(choices <> '') > 0 from runs where id > 4")" = 1 ]
check "... and runs each sequence once" \
	[ "$(q "$TMP/g50.db" "select count(*) = count(distinct seed || ':' || choices) from runs")" = 1 ]
status() { "$@" > /dev/null 2> "$TMP/err"; echo $?; }
check "--fresh with random: exit 2, one line" \
	[ "$(status $MEMSIM hunt $SMALL --strategy random --fresh 50 --budget 2 --db "$TMP/x.db")" = 2 ] &&
	[ "$(wc -l < "$TMP/err")" = 1 ] && grep -q -- '--fresh belongs to --strategy guided' "$TMP/err"
check "--fresh 101: exit 2, one line" \
	[ "$(status $MEMSIM hunt $SMALL --strategy guided --fresh 101 --budget 2 --db "$TMP/x.db")" = 2 ] &&
	[ "$(wc -l < "$TMP/err")" = 1 ] && grep -q -- '--fresh 101' "$TMP/err"
HUNT_FIRST_STRATEGIES="guided+fresh50" sh bench/hunt_first.sh "$BUILD" 1 2 -p allocator=kmalloc_obj > "$TMP/out4" 2> "$TMP/err"
check "the bench takes guided+freshP as a strategy" \
	grep -q '^guided+fresh50: runs to first deadlock: 1; median 1 ' "$TMP/out4"
check "... and lists its signatures under it" grep -q '^  guided+fresh50 1: ' "$TMP/out4"
