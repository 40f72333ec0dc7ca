# kernel{ pf_memalloc = true }: with Linux's rule that the reclaiming
# thread ignores watermarks, the page daemon gets the pages of a whole
# kmalloc_obj slab below the SYSTEM floor, so the small model on which
# kmalloc_obj deadlocks from its first page-out runs to its end; zalloc,
# which needs one page at a time, is not changed; a non-boolean is one
# line and exit 2.
. tests/lib.sh
S=tests/scenarios/compare_small.lua
DB=$TMP/p.db

outcome() { q "$DB" "select outcome from runs where id = $1"; }
col() { q "$DB" "select $2 from runs where id = $1"; }

$MEMSIM run $S -p allocator=kmalloc_obj --db "$DB" > /dev/null
$MEMSIM run $S -p allocator=kmalloc_obj -p pf_memalloc=true --db "$DB" > /dev/null
check "kmalloc_obj deadlocks on the small model with DragonFly's classes" \
	[ "$(outcome 1)" = deadlock ]
check "... in the slab's page wait of the page daemon" \
	sh -c "sqlite3 '$DB' 'select signature from runs where id = 1' | grep -q 'pagedaemon:VMWait:slab-pages@NORMAL|SYSTEM'"
check "with pf_memalloc it does not deadlock" \
	[ "$(outcome 2)" = survived -o "$(outcome 2)" = completed ]
check "... and pages out" [ "$(col 2 pageouts)" -gt 1000 ]
check "... after taking SWAPMETA pages" [ "$(col 2 swapmeta_pages_peak)" -ge 32 ]
$MEMSIM run $S -p allocator=zalloc --db "$DB" > /dev/null
$MEMSIM run $S -p allocator=zalloc -p pf_memalloc=true --db "$DB" > /dev/null
check "zalloc's run is the same with and without pf_memalloc here" \
	[ "$(col 3 digest)" = "$(col 4 digest)" ]

printf 'machine { ram = "16M" }\nkernel { pf_memalloc = 1 }\nprocess { name = "a", run = function(p) end }\n' > "$TMP/bad.lua"
$MEMSIM run "$TMP/bad.lua" --db "$DB" > "$TMP/out" 2> "$TMP/err"
check "pf_memalloc = 1 is exit 2" [ $? = 2 ]
check "... one line naming file, line and option" \
	sh -c "grep -q 'bad.lua:2: pf_memalloc: expected a boolean' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"

# On the reference workload (swapmeta_knobs.lua at its defaults is the
# reference), seeds 1-2, with and without the emergency pager.
K=scenarios/swapmeta_knobs.lua
$MEMSIM sweep $K -p allocator=kmalloc_obj -p pf_memalloc=false,true \
	-p emergency_pager=true,false --seeds 1..2 -j 2 --db "$TMP/k.db" \
	> /dev/null 2>&1
kq() { q "$TMP/k.db" "select group_concat(outcome, ' ') from runs where json_extract(params, '\$.pf_memalloc') = '$1'"; }
check "reference: kmalloc_obj deadlocks without pf_memalloc, pager on or off" \
	[ "$(kq false)" = "deadlock deadlock deadlock deadlock" ]
check "... and survives with it, pager on or off" \
	[ "$(kq true)" = "survived survived survived survived" ]
