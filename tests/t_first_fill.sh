# kmalloc_obj's boot-time deadlock at 1 GiB (docs/findings.md 9): when
# the receive loads start as the first fill of RAM ends, their buffer
# pool grows into the band below v_free_reserved before the page daemon
# has its first SWAPMETA slab.  The window closes when the daemon's first
# scan is done, so it grows with the assumed scan cost.
. tests/lib.sh
G=scenarios/swapmeta_reserve_1g4c.lua
K=scenarios/swapmeta_knobs.lua
DB=$TMP/f.db

run() { $MEMSIM run "$@" --db "$DB" > /dev/null 2>&1; }
row() {	# what where
	q "$DB" "select $1 from runs where $2"
}

run $G -p allocator=kmalloc_obj -p warmup=140ms --seed 1
W="allocator = 'kmalloc_obj' and json_extract(params, '\$.warmup') = '140ms'"
check "1 GiB, 4 CPUs, receive loads from 140 ms: kmalloc_obj deadlocks, proven, no page-out" \
	[ "$(row "outcome || ' ' || deadlock_kind || ' ' || pageouts" "$W")" = "deadlock proven 0" ]
check "... with free at 1 GiB's v_interrupt_free_min (178)" \
	[ "$(row min_free_pages "$W")" = 178 ]
check "... the page daemon waiting for its first slab's pages" \
	eval 'row signature "$W" | grep -q "pagedaemon:VMWait:slab-pages@NORMAL|SYSTEM"'
run $G -p allocator=kmalloc_obj -p warmup=0s --seed 1
check "... while with the loads from boot it survives" \
	[ "$(row outcome "allocator = 'kmalloc_obj' and json_extract(params, '\$.warmup') = '0s'")" = survived ]
run $G -p allocator=reserve_kmalloc_obj -p N=1 -p warmup=140ms --seed 1
check "... and one reserved slab survives the window, paging" \
	[ "$(row "outcome || ' ' || (pageouts > 100000)" "allocator = 'reserve_kmalloc_obj'")" = "survived 1" ]

# 1 GiB, 2 CPUs: the first fill ends at about 0.25 s
run $K -p allocator=kmalloc_obj -p scale=8 -p warmup=380ms --seed 1
run $K -p allocator=kmalloc_obj -p scale=8 -p warmup=380ms -p scan_cost=200ns --seed 1
S="scenario = 'swapmeta_knobs' and json_extract(params, '\$.warmup') = '380ms'"
check "loads from 380 ms: after the window at 100 ns a page scanned" \
	[ "$(row outcome "$S and json_extract(params, '\$.scan_cost') = '100ns'")" = survived ]
check "... inside it at 200 ns" \
	[ "$(row outcome "$S and json_extract(params, '\$.scan_cost') = '200ns'")" = deadlock ]
