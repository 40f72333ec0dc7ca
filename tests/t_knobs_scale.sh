# swapmeta_knobs.lua -p scale=S: the reference machine and its load
# times S (docs/findings.md 9).  Scale 1 is the reference itself; at
# 192 MiB kmalloc_obj still deadlocks at boot in some seeds, where one
# reserved slab does not; at 512 MiB it does not.
. tests/lib.sh
S=scenarios/swapmeta_knobs.lua
DB=$TMP/k.db

$MEMSIM run scenarios/swapmeta_reserve.lua -p allocator=zalloc --seed 3 \
	--db "$DB" > /dev/null 2>&1
$MEMSIM run $S -p allocator=zalloc -p scale=1 --seed 3 --db "$DB" \
	> /dev/null 2>&1
check "scale=1 simulates the reference scenario (one digest, after paging)" \
	[ "$(q "$DB" "select count(distinct digest) || ' ' || count(*) || ' ' || min(pageouts > 10000) from runs")" = "1 2 1" ]

$MEMSIM run $S -p allocator=kmalloc_obj -p scale=1.5 --seed 6 --db "$DB" \
	> /dev/null 2>&1
check "192 MiB, seed 6: kmalloc_obj deadlocks at boot, proven, no page-out" \
	[ "$(q "$DB" "select outcome || ' ' || deadlock_kind || ' ' || pageouts from runs where json_extract(params, '\$.scale') = '1.5'")" = "deadlock proven 0" ]
check "... with free at 192 MiB's v_interrupt_free_min (45)" \
	[ "$(q "$DB" "select min_free_pages from runs where json_extract(params, '\$.scale') = '1.5'")" = 45 ]
$MEMSIM run $S -p allocator=reserve_kmalloc_obj -p N=1 -p scale=1.5 \
	--seed 6 --db "$DB" > /dev/null 2>&1
check "... and one reserved slab survives the same seed" \
	[ "$(q "$DB" "select outcome from runs where allocator = 'reserve_kmalloc_obj'")" = survived ]
$MEMSIM sweep $S -p allocator=kmalloc_obj -p scale=4 --seeds 6,7 -j 2 \
	--db "$DB" > /dev/null 2>&1
check "512 MiB: kmalloc_obj survives those seeds, after paging" \
	[ "$(q "$DB" "select group_concat(outcome, ' ') || ' ' || min(pageouts > 100000) from runs where json_extract(params, '\$.scale') = '4'")" = "survived survived 1" ]

for bad in 0 -2 x; do
	$MEMSIM run $S -p scale=$bad --db "$DB" > /dev/null 2> "$TMP/err"
	rc=$?
	check "scale=$bad: exit 2, one line naming the file, line and value" \
		eval '[ $rc = 2 ] && [ "$(wc -l < "$TMP/err")" = 1 ] && grep -q "^scenarios/swapmeta_knobs.lua:[0-9]*: scale: a positive number, not $bad\$" "$TMP/err"'
done
check "... and nothing was added to the database" \
	[ "$(q "$DB" "select count(*) from runs")" = 6 ]
