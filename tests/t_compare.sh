# memsim compare: one table per policy from sweeps it runs (and does not
# run again), with asserted cells on a small scenario where kmalloc_obj
# deadlocks, zalloc does not, and a reserve of one slab or a few mempool
# elements is enough; pinned pages follow each policy's unit; bad input
# is one line and exit 2 before anything runs.
. tests/lib.sh
S=tests/scenarios/compare_small.lua
DB=$TMP/c.db

status() { "$@" > "$TMP/out" 2> "$TMP/err"; echo $?; }
oneline() { [ "$(wc -l < "$TMP/err")" = 1 ]; }
# The cells of row N of a policy's table: cell policy N column
# (columns: N pinned runs deadlock panic pd-blocked page-outs/s lowest,
# an interval counting as part of its rate's cell).
row() {
	awk -v pol="$1" -v n="$2" '
	$1 == pol { inside = 1; next }
	inside && /^[a-z]/ { inside = 0 }
	inside && $1 == n { print; exit }' "$TMP/cmp"
}
has() { row "$1" "$2" | grep -q -- "$3"; }	# policy N pattern

$MEMSIM compare $S --policies zalloc,kmalloc_obj,reserve_kmalloc_obj:reserve=0..2,mempool:reserve=0..2,uma_reserve \
	--reserve 0,13,26items --seeds 2 -j 2 --db "$DB" > "$TMP/cmp" 2> "$TMP/err"
check "compare exits 0" [ $? = 0 ]
runs=$(q "$DB" "select count(*) from runs")
check "it ran each point once per seed (2 + 2 + 3*2 + 3*2 + 3*2 runs: $runs)" \
	[ "$runs" = 22 ]
check "zalloc: 2 runs, no deadlock" \
	has zalloc - " 2  0.00 \[0.00, 0.66\]"
check "kmalloc_obj: every run deadlocks, interval [0.34, 1.00]" \
	has kmalloc_obj - " 2  1.00 \[0.34, 1.00\]"
check "reserve_kmalloc_obj at N = 0 deadlocks, as kmalloc_obj does" \
	has reserve_kmalloc_obj 0 "1.00 \[0.34, 1.00\]"
check "reserve_kmalloc_obj at N = 1 pins one 128 KiB slab: 32 pages" \
	[ "$(row reserve_kmalloc_obj 1 | awk '{print $2}')" = 32 ]
check "... at N = 2, 64 pages" \
	[ "$(row reserve_kmalloc_obj 2 | awk '{print $2}')" = 64 ]
check "reserve_kmalloc_obj's smallest zero-deadlock reserve is 1 slab = 32 pages" \
	grep -q "smallest zero-deadlock reserve: N = 1 slabs = 32 pages" "$TMP/cmp"
check "uma_reserve at 13 items pins 1 page, at 26 items 2 (13 items of 304 B per page)" \
	[ "$(row uma_reserve 13 | awk '{print $2}')-$(row uma_reserve 26 | awk '{print $2}')" = 1-2 ]
check "mempool: one element pins a whole 128 KiB kmalloc_obj slab (32 pages)" \
	[ "$(row mempool 1 | awk '{print $2}')" = 32 ]
check "page-outs per second are counted where the daemon pages out" \
	awk "BEGIN { exit !($(row reserve_kmalloc_obj 1 | awk '{print $(NF-1)}') > 100) }"
check "the lowest reserve level of N = 2 is within 0..2" \
	has reserve_kmalloc_obj 2 " [012]\$"
check "a policy without a reserve has no lowest level" \
	has kmalloc_obj - " -\$"
check "mempool at N = 0 deadlocks (its backing allocator is kmalloc_obj)" \
	has mempool 0 "1.00 \[0.34, 1.00\]"
check "the table names each policy's unit" \
	grep -q "^uma_reserve (reserve N in items)" "$TMP/cmp"
check "a panic column is there, with its interval" \
	has zalloc - "0.00 \[0.00, 0.66\]  *0.00 \[0.00, 0.66\]"

$MEMSIM compare $S --policies zalloc,kmalloc_obj --seeds 2 --db "$DB" > "$TMP/cmp2" 2>&1
check "compare started again runs nothing new" \
	[ "$(q "$DB" "select count(*) from runs")" = 22 ]
check "... and prints the same cells" \
	sh -c "grep -q '1.00 \[0.34, 1.00\]' '$TMP/cmp2'"

# gnuplot is a dependency (scripts/setup.sh installs gnuplot-nox).
$MEMSIM compare $S --policies kmalloc_obj,reserve_kmalloc_obj:reserve=0..2 --seeds 2 \
	--db "$DB" --plot "$TMP/plot" > "$TMP/plotout" 2>&1
check "--plot exits 0 and says what it wrote" \
	grep -q "^wrote $TMP/plot/compare_compare_small.png and $TMP/plot/compare_compare_small.svg" "$TMP/plotout"
check "--plot draws a PNG" \
	sh -c "head -c 8 '$TMP/plot/compare_compare_small.png' | od -c | grep -q 'P   N   G'"
check "... and an SVG with one series per policy, named as typed (no gnuplot subscripts)" \
	sh -c "grep -q '<text>kmalloc_obj</text>' '$TMP/plot/compare_compare_small.svg' && grep -q '<text>reserve_kmalloc_obj</text>' '$TMP/plot/compare_compare_small.svg'"
check "... on the pages-pinned axis" \
	grep -q "SWAPMETA pages pinned at idle" "$TMP/plot/compare_compare_small.svg"
PATH=/nonexistent $MEMSIM compare $S --policies kmalloc_obj --seeds 2 --db "$DB" \
	--plot "$TMP/plot2" > "$TMP/out" 2> "$TMP/err"
check "without gnuplot --plot is exit 1, one line naming the package, table printed" \
	sh -c "[ $? = 1 ] && grep -q 'gnuplot-nox' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ] && grep -q '^kmalloc_obj (no reserve)' '$TMP/out'"

# --emergency-pager both: each policy twice, with and without the pager.
$MEMSIM compare $S --policies kmalloc_obj,zalloc --seeds 2 --emergency-pager both \
	--db "$TMP/e.db" > "$TMP/cmp" 2> "$TMP/err"
check "--emergency-pager both exits 0" [ $? = 0 ]
check "... one table per policy and setting, in that order" \
	[ "$(grep '^[a-z]' "$TMP/cmp" | grep -v '^compare\|^sweep' | cut -d'(' -f1 | tr '\n' '|')" = "kmalloc_obj, emergency pager on |kmalloc_obj, emergency pager off |zalloc, emergency pager on |zalloc, emergency pager off |" ]
check "... each setting its own runs: 2 policies x 2 settings x 2 seeds" \
	[ "$(q "$TMP/e.db" "select count(*) from runs where params like '%\"emergency_pager\":\"true\"%'")-$(q "$TMP/e.db" "select count(*) from runs where params like '%\"emergency_pager\":\"false\"%'")" = 4-4 ]
check "... and kmalloc_obj deadlocks with the pager and without it" \
	[ "$(grep -c '^ *- *0 *2  1.00 \[0.34, 1.00\]' "$TMP/cmp")" = 2 ]
$MEMSIM compare $S --policies zalloc --seeds 2 --emergency-pager on --db "$TMP/e.db" > "$TMP/cmp" 2>&1
check "--emergency-pager on reuses the runs of 'both'" \
	[ "$(q "$TMP/e.db" "select count(*) from runs")" = 8 ]

# --- bad input ----------------------------------------------------------
check "an unknown policy is exit 2" \
	[ "$(status $MEMSIM compare $S --policies zalloc,slab --db "$DB")" = 2 ]
check "... one line naming it" sh -c "grep -q \"unknown policy 'slab'\" '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "a reserve in the wrong unit is exit 2" \
	[ "$(status $MEMSIM compare $S --policies uma_reserve:reserve=0..2slabs --db "$DB")" = 2 ]
check "... one line saying the policy's unit" sh -c "grep -q 'counted in items' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "--reserve in one unit for policies of another is exit 2" \
	[ "$(status $MEMSIM compare $S --policies reserve_kmalloc_obj,mempool --reserve 0..2slabs --db "$DB")" = 2 ]
check "... naming the policy" sh -c "grep -q \"mempool's reserve is counted in elements\" '$TMP/err'"
check "a policy option given to another policy is exit 2" \
	[ "$(status $MEMSIM compare $S --policies mempool:refill=nowait --db "$DB")" = 2 ]
check "... one line naming option and policy" sh -c "grep -q \"mempool takes no option 'refill'\" '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "a reserve for a policy that has none is exit 2" \
	[ "$(status $MEMSIM compare $S --policies zalloc:reserve=1 --db "$DB")" = 2 ]
check "-p allocator is compare's own: exit 2" \
	[ "$(status $MEMSIM compare $S --policies zalloc -p allocator=zalloc --db "$DB")" = 2 ]
check "--emergency-pager takes on, off or both: exit 2" \
	[ "$(status $MEMSIM compare $S --policies zalloc --emergency-pager maybe --db "$DB")" = 2 ]
check "... one line naming it" sh -c "grep -q -- '--emergency-pager maybe: expected on, off or both' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "-p emergency_pager is --emergency-pager's: exit 2" \
	[ "$(status $MEMSIM compare $S --policies zalloc -p emergency_pager=false --db "$DB")" = 2 ]
check "--emergency-pager on a scenario that does not read it: exit 2" \
	[ "$(status $MEMSIM compare tests/scenarios/irq_exhaust.lua --policies zalloc --emergency-pager off --db "$DB")" = 2 ]
check "... one line naming the parameter" sh -c "grep -q \"parameter 'emergency_pager'.*is not read by the scenario\" '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
check "bad input ran and lost nothing" \
	[ "$(q "$DB" "select count(*) from runs")" = 22 ]
