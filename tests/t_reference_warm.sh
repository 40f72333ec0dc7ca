# The reference scenario after boot has settled: the receive loads start
# after 5 s of paging (-p warmup=5s), 20 seeds.  What the model shows
# there (docs/findings.md 3): kmalloc_obj does not deadlock, its page
# daemon never sleeps for a SWAPMETA slab, and nothing stalls.
. tests/lib.sh
DB=$TMP/w.db
S=scenarios/swapmeta_reserve.lua
$MEMSIM sweep $S -p allocator=zalloc,kmalloc_obj -p warmup=5s --db "$DB" >/dev/null 2>&1
check "warmup: 20 seeds of each allocator" \
	[ "$(q "$DB" "select count(*) from runs where allocator='kmalloc_obj'") $(q "$DB" "select count(*) from runs where allocator='zalloc'")" = "20 20" ]
check "warmup: the processes still page when the run ends (no run completed early)" \
	[ "$(q "$DB" "select count(*) from runs where outcome != 'survived'")" = 0 ]
check "warmup: kmalloc_obj does not deadlock in any of 20 seeds" \
	[ "$(q "$DB" "select count(*) from runs where allocator='kmalloc_obj' and outcome in ('deadlock','panic')")" = 0 ]
check "warmup: kmalloc_obj's page daemon never sleeps in kmem_slab_alloc" \
	[ "$(q "$DB" "select sum(slab_alloc_waits) from runs where allocator='kmalloc_obj'")" = 0 ]
check "warmup: no stall of 1 s or more in any run" \
	[ "$(q "$DB" "select count(*) from runs where not longest_stall_seconds < 1")" = 0 ]
check "warmup: kmalloc_obj did take SWAPMETA slabs (5 or more)" \
	[ "$(q "$DB" "select min(kmem_slab_allocs) >= 5 from runs where allocator='kmalloc_obj'")" = 1 ]
# The same scenario without the warmup deadlocks at the first page-out
# (tests/t_swapmeta.sh asserts it on all 20 seeds); one seed here shows the
# switch is the warmup alone.
$MEMSIM run $S -p allocator=kmalloc_obj --seed 1 --db "$DB" >/dev/null 2>&1
check "no warmup, seed 1: kmalloc_obj deadlocks, proven" \
	[ "$(q "$DB" "select outcome || ' ' || deadlock_kind from runs where allocator='kmalloc_obj' and seed = 1 and id = (select max(id) from runs)")" = "deadlock proven" ]
