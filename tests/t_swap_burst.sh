# vm.swap_burst_read: off by default (one page per swap read, as the
# kernel's default 0); set, a fault reads the following pages whose swap
# blocks follow its own in one I/O, and a fault on the last of them
# (PG_RAM) reads on without waiting, so a sequential re-read faults and
# waits far less for the same pages.
. tests/lib.sh
S=tests/scenarios/swap_burst.lua
DB=$TMP/b.db
col() { q "$DB" "select $2 from runs where id = $1"; }

grep -v swap_burst_read $S | sed 's/swap = "256M",/swap = "256M" }/' > "$TMP/nokey.lua"
$MEMSIM run "$TMP/nokey.lua" --db "$DB" > /dev/null
$MEMSIM run $S -p burst=0 --db "$DB" > /dev/null
$MEMSIM run $S -p burst=15 --db "$DB" > /dev/null
check "without the tunable the run is the one with swap_burst_read = 0" \
	[ "$(col 1 digest)" = "$(col 2 digest)" ]
check "both complete" [ "$(col 2 outcome)" = completed -a "$(col 3 outcome)" = completed ]
check "off: every page read back is a fault of its own" \
	[ "$(col 2 page_faults)" -ge "$(( $(col 2 swapins) + 6144 ))" ]
check "on: (nearly) the same pages come back from swap" \
	[ "$(( $(col 3 swapins) * 100 ))" -ge "$(( $(col 2 swapins) * 95 ))" ]
# 6144 of the faults are the first touches; the rest read swap
check "... with a tenth of the read faults or fewer (the rest wait for read-ahead)" \
	[ "$(( ($(col 3 page_faults) - 6144) * 10 ))" -le "$(( $(col 2 page_faults) - 6144 ))" ]
check "... and in a fifth of the time or less (16-page reads, one latency each)" \
	sh -c "[ \$(echo '$(col 3 end_time) * 5 <= $(col 2 end_time)' | bc) = 1 ]"

sed 's/param("burst", 0)/-1/' $S > "$TMP/bad.lua"
$MEMSIM run "$TMP/bad.lua" --db "$DB" > /dev/null 2> "$TMP/err"
check "swap_burst_read = -1 is exit 2" [ $? = 2 ]
check "... one line naming it" \
	sh -c "grep -q 'swap_burst_read' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
