# The other kernels' SWAPMETA policies on the reference scenario, seeds
# 1-3 at reserves 0 and 3 (docs/findings.md has the 20-seed grid):
# FreeBSD's UMA reserve and NetBSD's low-water pool never deadlock, the
# first by spending its reserve on the page daemon alone, the second by
# replenishing it; Linux's mempool runs dry and its page daemon sleeps in
# mempool_alloc, at any reserve, because SWAPMETA elements come back only
# when swapped pages are freed.
. tests/lib.sh
S=scenarios/swapmeta_reserve.lua
DB=$TMP/p.db

$MEMSIM compare $S --policies uma_reserve,pool_lowat,mempool --reserve 0,3 \
	--seeds 3 -j 2 --db "$DB" > "$TMP/cmp" 2> "$TMP/err"
check "compare on the reference exits 0" [ $? = 0 ]
check "... 3 policies x 2 reserves x 3 seeds = 18 runs" \
	[ "$(q "$DB" "select count(*) from runs")" = 18 ]
row() {	# the table row of policy $1 at N = $2
	awk -v pol="$1" -v n="$2" '
	$1 == pol { inside = 1; next }
	inside && /^[a-z]/ { inside = 0 }
	inside && $1 == n { print; exit }' "$TMP/cmp"
}
at() {	# allocator N column
	q "$DB" "select $3 from runs where allocator='$1' and params like '%\"N\":\"$2\"%' order by seed" | tr '\n' ' '
}
check "uma_reserve: survived in every seed at N = 0 and N = 3" \
	[ "$(at uma_reserve 0 outcome)$(at uma_reserve 3 outcome)" = "survived survived survived survived survived survived " ]
check "uma_reserve N = 3: the page daemon (M_USE_RESERVE) spent the reserve to its last item" \
	[ "$(at uma_reserve 3 reserve_min_level)" = "0 0 0 " ]
check "uma_reserve N = 3: uma_prealloc pins one 13-item page at idle" \
	[ "$(row uma_reserve 3 | awk '{print $2}')-$(row uma_reserve 0 | awk '{print $2}')" = 1-0 ]
check "pool_lowat: survived in every seed at N = 0 and N = 3" \
	[ "$(at pool_lowat 0 outcome)$(at pool_lowat 3 outcome)" = "survived survived survived survived survived survived " ]
check "pool_lowat N = 3: replenished in the page daemon, never below its low-water mark" \
	[ "$(at pool_lowat 3 reserve_min_level)" = "3 3 3 " ]
check "mempool N = 0: every seed deadlocks" \
	[ "$(at mempool 0 outcome)" = "deadlock deadlock deadlock " ]
# At N >= 1 the page daemon's retry is kmem_slab_alloc(M_RNOWAIT) at
# SYSTEM without NORMAL: with pages cached it may neither take them nor
# go below v_free_reserved, and no daemon pass is left to free them.
check "mempool N = 3: every seed stops paging out after the same 12,736 page-outs" \
	[ "$(at mempool 3 pageouts)" = "12736 12736 12736 " ]
check "mempool N = 3: ... a deadlock the verdict proves, with the pool empty" \
	[ "$(q "$DB" "select count(*) from runs where allocator='mempool' and params like '%\"N\":\"3\"%' and outcome = 'deadlock' and deadlock_kind = 'proven' and reserve_min_level = 0")" = 3 ]

# uma_reserve's prealloc option reaches the zone through the scenario, and
# compare names each entry by its options so the two stay apart.
DB2=$TMP/pre.db
$MEMSIM compare $S --policies uma_reserve,uma_reserve:prealloc=false \
	--reserve 3 --seeds 2 -j 2 --db "$DB2" > "$TMP/pre" 2> "$TMP/prerr"
check "compare uma_reserve with and without prealloc exits 0" [ $? = 0 ]
check "... two headings, the second named by its option" \
	[ "$(grep -c '^uma_reserve' "$TMP/pre")-$(grep -c '^uma_reserve:prealloc=false ' "$TMP/pre")" = 2-1 ]
pinned() {	# heading
	awk -v h="$1" '$1 == h { inside = 1; next }
	inside && $1 == 3 { print $2; exit }' "$TMP/pre"
}
check "... uma_prealloc pins one page at idle; prealloc = false pins none" \
	[ "$(pinned uma_reserve)-$(pinned uma_reserve:prealloc=false)" = 1-0 ]
check "... and the runs differ by more than their parameters" \
	[ "$(q "$DB2" "select count(distinct digest) from runs where seed = 1")" = 2 ]

# mempool's deadlock rests on its full-mask retry: as an M_WAITOK
# kmalloc_obj allocation (retry = "waitok", a what-if) the pool's
# elements cover the boot-time page-out and later slabs come from
# recycled cache pages (docs/findings.md 9).
DB3=$TMP/retry.db
for r in nowait waitok; do
	$MEMSIM run $S -p allocator=mempool -p N=3 -p retry=$r --seed 1 \
		--db "$DB3" > /dev/null 2>&1
done
rt() {	# retry column
	q "$DB3" "select $2 from runs where json_extract(params, '\$.retry') = '$1'"
}
check "mempool N = 3 seed 1: retry = nowait deadlocks, retry = waitok survives" \
	[ "$(rt nowait outcome)-$(rt waitok outcome)" = deadlock-survived ]
check "... the waitok run paging on to the end (over 60,000 page-outs)" \
	[ "$(rt waitok 'pageouts > 60000')" = 1 ]
check "... its full-mask retries counted" \
	[ "$(q "$DB3" "select value > 0 from counters join runs on runs.id = run_id where name = 'mempool_waitok_retries' and json_extract(params, '\$.retry') = 'waitok'")" = 1 ]
