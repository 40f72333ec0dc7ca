# find-n --hunt RUNS: the N reported is the first that its seeds and a
# guided hunt of RUNS runs could not break.  On needs_n the bisection's
# N = 3 survives the hunt; on needs_n_rare the first three seeds call
# N = 3 enough, the hunt breaks it with a further seed, and N = 4 holds.
# Bad budgets are one line and exit 2.
. tests/lib.sh
DB=$TMP/f.db

$MEMSIM find-n tests/scenarios/needs_n.lua --seeds 2 --hunt 6 --db "$DB" > "$TMP/a" 2>&1
check "find-n --hunt on needs_n exits 0" [ $? = 0 ]
check "... and reports N = 3, not broken by a hunt of 6 runs" \
	grep -q "^find-n --hunt 6 needs_n: N = 3$" "$TMP/a"
check "... saying it is a search of that budget, not a proof" \
	grep -q "N = 3: a guided hunt of 6 runs found no deadlock or panic.*not a proof" "$TMP/a"
check "... the hunt's runs are stored with their choices" \
	[ "$(q "$DB" "select count(*) from runs where choices <> ''")" -gt 0 ]

$MEMSIM find-n tests/scenarios/needs_n_rare.lua --seeds 3 --hunt 12 --db "$DB" > "$TMP/b" 2>&1
check "on needs_n_rare the seeds alone say N = 3" \
	grep -q "^find-n needs_n_rare: N = 3$" "$TMP/b"
check "... the hunt breaks N = 3" grep -q "N = 3: broken by a guided hunt" "$TMP/b"
id=$(sed -n 's/.*N = 3: broken by a guided hunt.*(run \([0-9]*\))$/\1/p' "$TMP/b")
check "... naming a run that did deadlock (run $id)" \
	[ "$(q "$DB" "select outcome from runs where id = ${id:-0}")" = deadlock ]
check "... and find-n --hunt answers N = 4" \
	grep -q "^find-n --hunt 12 needs_n_rare: N = 4$" "$TMP/b"
n=$(q "$DB" "select count(*) from runs")
$MEMSIM find-n tests/scenarios/needs_n_rare.lua --seeds 3 --hunt 12 --db "$DB" > "$TMP/c" 2>&1
check "started again it runs nothing new" [ "$(q "$DB" "select count(*) from runs")" = "$n" ]
check "... and gives the same answer" grep -q "^find-n --hunt 12 needs_n_rare: N = 4$" "$TMP/c"

$MEMSIM find-n tests/scenarios/needs_n.lua --seeds 2 --hunt 0 --db "$DB" > "$TMP/out" 2> "$TMP/err"
check "--hunt 0 is exit 2" [ $? = 2 ]
check "... one line" sh -c "grep -q -- '--hunt 0: expected a positive number of runs' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
$MEMSIM find-n tests/scenarios/needs_n.lua --seeds 2 --hunt x --db "$DB" > "$TMP/out" 2> "$TMP/err"
check "--hunt x is exit 2" [ $? = 2 ]
$MEMSIM sweep tests/scenarios/needs_n.lua --hunt 5 --db "$DB" > "$TMP/out" 2> "$TMP/err"
check "--hunt is find-n's only: sweep refuses it, exit 2" [ $? = 2 ]
check "bad input lost nothing" [ "$(q "$DB" "select count(*) from runs")" = "$n" ]
