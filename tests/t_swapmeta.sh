# The reference scenario with its default 20 seeds: the claims of the
# May-2021 post as the model shows them (docs/findings.md).  N = 0, 1
# and 3 of the reserve stand for the full 0..8 of `make run`.
. tests/lib.sh
DB=$TMP/r.db
S=scenarios/swapmeta_reserve.lua
$MEMSIM sweep $S -p allocator=zalloc,kmalloc_obj --db "$DB" >/dev/null 2>&1
$MEMSIM sweep $S -p allocator=reserve_kmalloc_obj -p N=0,1,3 --db "$DB" >/dev/null 2>&1
check "the default grid has 20 seeds: 100 runs" \
	[ "$(q "$DB" "select count(*) from runs")" = 100 ]
check "zalloc: no deadlock in any seed" \
	[ "$(q "$DB" "select count(*) from runs where allocator='zalloc' and outcome in ('deadlock','panic')")" = 0 ]
check "zalloc: SWAPMETA refills never wait" \
	[ "$(q "$DB" "select sum(slab_alloc_waits) from runs where allocator='zalloc'")" = 0 ]
check "reserve_kmalloc_obj N=3: the top-up takes slabs from kmem_slab_alloc" \
	[ "$(q "$DB" "select min(kmem_slab_allocs) > 0 from runs where reserve_n=3")" = 1 ]
check "kmalloc_obj: a deadlock in at least half the seeds" \
	[ "$(q "$DB" "select count(*) >= 10 from runs where allocator='kmalloc_obj' and outcome='deadlock'")" = 1 ]
check "kmalloc_obj: in each, the page daemon waits inside kmem_slab_alloc" \
	[ "$(q "$DB" "select count(*) from runs r where allocator='kmalloc_obj' and outcome='deadlock' and not exists (select 1 from waits w where w.run_id = r.id and w.thread='pagedaemon' and w.detail like 'kmem_slab_alloc:%')")" = 0 ]
check "kmalloc_obj: ... while every process waits for memory" \
	[ "$(q "$DB" "select count(*) from waits w join runs r on r.id = w.run_id where allocator='kmalloc_obj' and outcome='deadlock' and thread like 'db.%' and channel not in ('vmwait', 'pfault')")" = 0 ]
# The receive loads take mbuf clusters, which go back to their objcache,
# not to the VM: nothing can lift free above the page daemon's floor.
check "kmalloc_obj: every deadlock is proven by the verdict, none is the watchdog's" \
	[ "$(q "$DB" "select count(*) from runs where allocator='kmalloc_obj' and outcome='deadlock' and deadlock_kind is not 'proven'")" = 0 ]
check "kmalloc_obj: ... each with nothing that could give pages back" \
	[ "$(q "$DB" "select count(*) from runs r where allocator='kmalloc_obj' and outcome='deadlock' and not exists (select 1 from events e where e.run_id = r.id and e.kind='verdict' and e.thread='dead' and e.detail like '%+ 0 receive buffers ending + 0 in free slabs)%')")" = 0 ]
check "kmalloc_obj: ... and its final wait is not counted as a stall" \
	[ "$(q "$DB" "select count(*) from runs where allocator='kmalloc_obj' and outcome='deadlock' and not longest_stall_seconds < 1")" = 0 ]
# The emergency pager (on by default) takes over once the primary's
# heartbeat is 2 s old, and needs a SWAPMETA slab of its own on its CPU.
check "kmalloc_obj: in each deadlock the emergency pager took over and waits inside kmem_slab_alloc too" \
	[ "$(q "$DB" "select count(*) from runs r where allocator='kmalloc_obj' and outcome='deadlock' and not (exists (select 1 from events e where e.run_id = r.id and e.kind='emergpager_pass' and e.thread='emergpager') and exists (select 1 from waits w where w.run_id = r.id and w.thread='emergpager' and w.channel='VMWait' and w.detail like 'kmem_slab_alloc:%'))")" = 0 ]
check "kmalloc_obj: slabs take kernel address space" \
	[ "$(q "$DB" "select min(kva_peak_bytes) >= 131072 from runs where allocator='kmalloc_obj'")" = 1 ]
check "reserve_kmalloc_obj N=0 simulates exactly what kmalloc_obj does" \
	[ "$(q "$DB" "select count(*) from runs a join runs b on a.seed = b.seed where a.allocator='kmalloc_obj' and b.allocator='reserve_kmalloc_obj' and b.reserve_n=0 and a.pageouts = b.pageouts and a.outcome = b.outcome")" = 20 ]
check "reserve_kmalloc_obj N=3: the lowest reserve level is recorded" \
	[ "$(q "$DB" "select count(*) from runs where reserve_n=3 and reserve_min_level between 0 and 3")" = 20 ]
rate() { q "$DB" "select deadlocks from deadlock_rate where allocator='reserve_kmalloc_obj' and reserve_n=$1"; }
check "reserve_kmalloc_obj: the deadlock rate does not rise with N ($(rate 0), $(rate 1), $(rate 3))" \
	[ "$(rate 1)" -le "$(rate 0)" -a "$(rate 3)" -le "$(rate 1)" ]
# Since the receive loads take mbuf clusters, one spare slab is enough in
# every seed (with the watchdog alone as well as with the verdict).
check "reserve_kmalloc_obj N=1: no deadlock in 20 seeds ($(rate 1))" [ "$(rate 1)" = 0 ]
check "reserve_kmalloc_obj N=1: ... and no stall of 1 s or more" \
	[ "$(q "$DB" "select count(*) from runs where reserve_n=1 and not longest_stall_seconds < 1")" = 0 ]
check "reserve_kmalloc_obj: zero deadlocks at N=3" [ "$(rate 3)" = 0 ]

# memsim explain on a kmalloc_obj deadlock
id=$(q "$DB" "select min(id) from runs where allocator='kmalloc_obj' and outcome='deadlock'")
$MEMSIM explain "$id" --db "$DB" > "$TMP/explain" 2>&1
rc=$?
check "explain: exit 0 on a recorded run" [ $rc = 0 ]
check "explain: the one-line diagnosis names kmem_slab_alloc" \
	grep -q "^diagnosis: page daemon blocked in kmem_slab_alloc: page [0-9]* of 32 at NORMAL|SYSTEM; free [0-9]*, floor [0-9]*; .*no other thread can free pages" "$TMP/explain"
check "explain: every process with its wait channel" \
	[ "$(grep -c '^  db\.[123] *pfault' "$TMP/explain")" = 3 ]
check "explain: counters at the deadlock, slab lists included" \
	grep -q "kmo_full_all_free" "$TMP/explain"
check "explain: the last events" grep -q "slab_alloc_wait" "$TMP/explain"
check "explain: the verdict's reason, with its bound" \
	grep -q "^verdict dead: no thread can run and no I/O is pending; at most [0-9]* pages can ever be free" "$TMP/explain"
check "explain: no watchdog caveat on a proven deadlock" \
	sh -c "! grep -q '^caveat:' '$TMP/explain'"
$MEMSIM explain 99999 --db "$DB" > /dev/null 2> "$TMP/err"
check "explain: an unknown run is one line, exit 2" \
	[ $? = 2 -a "$(wc -l < "$TMP/err")" = 1 ]
