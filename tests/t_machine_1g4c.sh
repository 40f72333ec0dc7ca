# The reference question on a 1 GiB, 4-CPU machine (docs/findings.md 9):
# kmalloc_obj does not deadlock there, with 4 CPUs or 2, while Linux's
# mempool still stops when its backing zone's first slab (398 swblocks
# of 32 pages) is full.
. tests/lib.sh
S=scenarios/swapmeta_reserve_1g4c.lua
DB=$TMP/m.db

$MEMSIM sweep $S -p allocator=kmalloc_obj -p ncpus=4,2 --seeds 1..3 -j 2 \
	--db "$DB" > /dev/null 2>&1
check "sweep over ncpus exits 0" [ $? = 0 ]
check "kmalloc_obj survives in every seed, with 4 CPUs and with 2" \
	[ "$(q "$DB" "select group_concat(outcome, ' ') from runs where allocator='kmalloc_obj'")" = "survived survived survived survived survived survived" ]
check "... after paging hard (over 200,000 page-outs each)" \
	[ "$(q "$DB" "select min(pageouts) > 200000 from runs where allocator='kmalloc_obj'")" = 1 ]
$MEMSIM run $S -p allocator=mempool -p N=3 -p emergency_pager=false \
	-p ncpus=4 -p rx_rate=2000/s --seed 1 --db "$DB" > /dev/null 2>&1
check "mempool N = 3: a proven deadlock after exactly 12,736 page-outs" \
	[ "$(q "$DB" "select outcome || ' ' || deadlock_kind || ' ' || pageouts from runs where allocator='mempool'")" = "deadlock proven 12736" ]
check "... the page daemon asleep in mempool_alloc for a backing slab" \
	[ "$(q "$DB" "select signature from runs where allocator='mempool'")" = "pagedaemon:mempool:slab-pages@SYSTEM + user*:pfault:free>=v_free_severe" ]

# Shrinking it removes the rx load and makes ncpus a literal: the
# result's reproduction line must not pass the parameters it no longer
# reads, or running it as written would be refused.
id=$(q "$DB" "select id from runs where allocator='mempool'")
$MEMSIM shrink "$id" -o "$TMP/min.lua" --budget 60 --db "$DB" \
	> "$TMP/shrink.out" 2>&1
check "shrink of the mempool deadlock exits 0" [ $? = 0 ]
line=$(sed -n 's/^--   memsim run FILE //p' "$TMP/min.lua")
check "... its reproduction line passes neither rx_rate nor ncpus" \
	eval '[ -n "$line" ] && ! echo "$line" | grep -q "rx_rate\|ncpus"'
check "... and says what ncpus was: machine ncpus: param(\"ncpus\", 4) -> 1" \
	grep -q '^--   machine ncpus: param("ncpus", 4) -> 1$' "$TMP/min.lua"
# shellcheck disable=SC2086
$MEMSIM run "$TMP/min.lua" $line --db "$TMP/min.db" > /dev/null 2>&1
check "the shrunk scenario run as its header says deadlocks the same way" \
	[ "$(q "$TMP/min.db" "select outcome || ' ' || deadlock_kind || ' ' || signature from runs")" = "deadlock proven pagedaemon:mempool:slab-pages@SYSTEM + user*:pfault:free>=v_free_severe" ]
