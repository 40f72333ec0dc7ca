# RLIMIT_RSS: a process over its limit pages itself out, synchronously,
# with SWAPMETA from its own CPU (tests/scenarios/rss_limit.lua).
. tests/lib.sh
DB=$TMP/rss.db
S=tests/scenarios/rss_limit.lua
$MEMSIM run $S -p rss=4M --db "$DB" >/dev/null 2>&1
$MEMSIM run $S -p rss=none --db "$DB" >/dev/null 2>&1
lim() { q "$DB" "select $1 from runs where json_extract(params, '\$.rss') = '4M'"; }
none() { q "$DB" "select $1 from runs where json_extract(params, '\$.rss') = 'none'"; }
check "both runs complete" [ "$(lim outcome)|$(none outcome)" = "completed|completed" ]
check "without a limit nothing is paged out: the page daemon has no shortage ($(none pageouts))" \
	[ "$(none pageouts)" = 0 ]
check "with rlimit_rss = 4M the processes page themselves out ($(lim pageouts) page-outs)" \
	[ "$(lim pageouts)" -ge 8192 ]
check "the pages written were cached on completion: read back without swap-ins ($(lim swapins))" \
	[ "$(lim swapins)" = 0 ]
check "each CPU takes its own SWAPMETA slab: 2 slabs for $(lim swapmeta_allocs) swblocks that one would hold" \
	[ "$(lim kmem_slab_allocs)" = 2 -a "$(lim swapmeta_allocs)" -le 398 ]
check "the synchronous writes take time: the run lasts longer ($(lim end_time) s vs $(none end_time) s)" \
	[ "$(q "$DB" "select (select end_time from runs where json_extract(params, '\$.rss') = '4M') > 5 * (select end_time from runs where json_extract(params, '\$.rss') = 'none')")" = 1 ]
