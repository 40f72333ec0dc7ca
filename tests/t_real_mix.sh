# scenarios/real_mix.lua: real programs' traces (sqlite3, sort, gzip)
# replayed together on a 32 MiB machine with a file reader and network
# receive load.  What the model gives (docs/findings.md, "Real programs"):
# for zalloc and kmalloc_obj alike the machine pages (SWAPMETA in use,
# page-outs and swap-ins) and no thread is ever stuck.
. tests/lib.sh
DB=$TMP/r.db
$MEMSIM sweep scenarios/real_mix.lua -p allocator=zalloc,kmalloc_obj --seeds 1..1 --db "$DB" >/dev/null 2>&1
check "two runs recorded" [ "$(q "$DB" "select count(*) from runs")" = 2 ]
for a in zalloc kmalloc_obj; do
	r=$(q "$DB" "select outcome, pageouts, swapins, swapmeta_pages_peak from runs where allocator='$a'" | tr '|' ' ')
	set -- $r
	check "$a: survived the 60 s ($r)" [ "$1" = survived ]
	{ [ "$2" -gt 1000 ] && [ "$3" -gt 100 ]; }
	ok $? "$a: the replays page out and back in ($r)"
	check "$a: SWAPMETA is allocated ($r)" [ "$4" -gt 0 ]
done
check "the replays fault the traces' pages (more faults than the 3 sqlite heaps)" \
	[ "$(q "$DB" "select min(page_faults) > 3 * 2047 from runs")" = 1 ]
