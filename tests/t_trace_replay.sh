# p:replay(): a trace's references become touches of the process's
# mappings through the fault path; mappings, loop, scale, speed and cost
# do what they say; bad traces are scenario errors (exit 2, one line,
# nothing recorded) and bad options in a body are one-line run errors.
. tests/lib.sh
DB=$TMP/r.db
# 100 pages in order, reads and writes alternating (one anonymous mapping)
awk 'BEGIN { for (i = 0; i < 100; i++) printf "%d,%d,4096,%s\n", i, i, i % 2 ? "write" : "read" }' >"$TMP/h.csv"
$MEMSIM trace import csv -o "$TMP/h.mtr" "$TMP/h.csv" >/dev/null
ok $? "a 100-page trace"

# run name body [machine]: runs a scenario beside the traces; prints
# "outcome faults pageouts end_time" of the run.
run() {
	cat >"$TMP/$1.lua" <<EOF
scenario { name = "$1", duration = "60s" }
machine { ram = "${3:-64M}", ncpus = 1, swap = "256M" }
local h = trace("h.mtr")
process { name = "p", run = function(p)
$2
end }
EOF
	rm -f "$DB"
	$MEMSIM run "$TMP/$1.lua" --db "$DB" >"$TMP/$1.out" 2>&1 || echo "status $?" >>"$TMP/$1.out"
	q "$DB" "select outcome, page_faults, pageouts, end_time from runs" | tr '|' ' '
}
field() { echo "$1" | cut -d' ' -f"$2"; }

r=$(run each 'p:replay(h)')
{ [ "$(field "$r" 1)" = completed ] && [ "$(field "$r" 2)" = 100 ]; }
ok $? "each page faults once: completed with 100 faults ($r)"
r=$(run loop 'p:replay(h, { loop = 3, cost = "1ms" })')
{ [ "$(field "$r" 2)" = 100 ] && awk -v t="$(field "$r" 4)" 'BEGIN { exit !(t >= 0.3 && t < 0.6) }'; }
ok $? "loop = 3 faults each page once and takes 300 references of 1 ms ($r)"
r=$(run cost 'p:replay(h, { cost = "10ms" })')
{ awk -v t="$(field "$r" 4)" 'BEGIN { exit !(t >= 1.0 && t < 1.3) }'; }
ok $? "cost is CPU time per reference: 100 x 10 ms ($r)"
r=$(run one 'p:replay(h, { mapping = "one", scale = "40K" })')
check "scale = 40K shrinks 100 pages onto 10 ($r)" [ "$(field "$r" 2)" = 10 ]
r=$(run modulo 'p:replay(h, { mapping = "one", scale = "12K", scale_by = "modulo" })')
check "scale_by = modulo folds them onto 3 ($r)" [ "$(field "$r" 2)" = 3 ]
r=$(run region 'local m = p:mmap("20K") p:touch(m, { pages = 1 }) p:replay(h, { mapping = m })')
check "folded onto a 5-page region: 5 faults ($r)" [ "$(field "$r" 2)" = 5 ]
r=$(run again 'p:replay(h) p:replay(h)')
check "a replay's own mappings end with it: a second replay faults again ($r)" \
	[ "$(field "$r" 2)" = 200 ]

# a trace bigger than the machine pages out through the same path
awk 'BEGIN { for (k = 0; k < 3; k++) for (i = 0; i < 12000; i++) printf "%d,%d,4096,write\n", n++, i }' >"$TMP/big.csv"
$MEMSIM trace import csv -o "$TMP/big.mtr" "$TMP/big.csv" >/dev/null
cat >"$TMP/big.lua" <<'EOF'
scenario { name = "big", duration = "120s" }
machine { ram = "32M", ncpus = 1, swap = "256M" }
local b = trace("big.mtr")
process { name = "p", run = function(p) p:replay(b) end }
EOF
rm -f "$DB"
$MEMSIM run "$TMP/big.lua" --db "$DB" >/dev/null 2>&1
r=$(q "$DB" "select outcome, page_faults, pageouts, swapins from runs" | tr '|' ' ')
{ [ "$(field "$r" 1)" = completed ] && [ "$(field "$r" 3)" -gt 0 ] && [ "$(field "$r" 4)" -gt 0 ]; }
ok $? "47 MiB of writes on a 32 MiB machine: page-outs and swap-ins ($r)"
$MEMSIM run "$TMP/big.lua" --db "$DB" >/dev/null 2>&1
check "the replay is deterministic (same digest twice)" \
	[ "$(q "$DB" "select count(distinct digest) from runs")" = 1 ]

# a real program's trace: its mappings, its instruction fetches as time
cat >"$TMP/touch.c" <<'C'
#include <sys/mman.h>
int main(void)
{
	char *p = mmap(0, 64 * 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned i;

	for (i = 0; i < 64; i++)
		p[i * 4096] = (char)i;
	return 0;
}
C
cc -O1 -o "$TMP/touch" "$TMP/touch.c"
sh scripts/record-trace.sh -o "$TMP/real.mtr" -- "$TMP/touch" >/dev/null 2>&1
ok $? "record a tiny program"
pages=$($MEMSIM trace stats "$TMP/real.mtr" | sed -n 's/^distinct pages *\([0-9]*\).*/\1/p')
insn=$($MEMSIM trace stats "$TMP/real.mtr" | awk '/^instr fetches/ { print $3 }')
cat >"$TMP/real.lua" <<'EOF'
scenario { name = "real", duration = "600s" }
machine { ram = "64M", ncpus = 1 }
local t = trace("real.mtr")
process { name = "p", run = function(p) p:replay(t, { speed = 1000000 }) end }
EOF
rm -f "$DB"
$MEMSIM run "$TMP/real.lua" --db "$DB" >/dev/null 2>&1
r=$(q "$DB" "select outcome, page_faults, end_time from runs" | tr '|' ' ')
{ [ "$(field "$r" 1)" = completed ] && [ "$(field "$r" 2)" = "$pages" ]; }
ok $? "every distinct page of the real trace faults once ($pages; $r)"
{ awk -v t="$(field "$r" 3)" -v n="$insn" 'BEGIN { exit !(n > 0 && t >= n / 1e6) }'; }
ok $? "speed turns its $insn instruction fetches into at least $insn us"

# bad traces: scenario errors at load, exit 2, one line, nothing recorded
rm -f "$DB"
$MEMSIM run "$TMP/each.lua" --db "$DB" >/dev/null 2>&1
bad() {	# name, message, trace() argument
	printf 'local t = trace(%s)\nprocess { name = "a", run = function(p) p:replay(t) end }\n' "$3" >"$TMP/bad.lua"
	$MEMSIM run "$TMP/bad.lua" --db "$DB" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	{ [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] &&
		[ "$(cat "$TMP/bad.err")" = "$TMP/bad.lua:1: trace: $2" ] &&
		[ "$(q "$DB" "select count(*) from runs")" = 1 ]; }
	ok $? "$1: exit 2, one line ($(head -1 "$TMP/bad.err"))"
}
bad "a missing trace" "$TMP/nope.mtr: cannot read: No such file or directory" '"nope.mtr"'
size=$(wc -c <"$TMP/h.mtr")
head -c $((size - 10)) "$TMP/h.mtr" >"$TMP/trunc.mtr"
bad "a truncated trace" "$($MEMSIM trace dump "$TMP/trunc.mtr" 2>&1 >/dev/null | sed "s/^memsim: //")" '"trunc.mtr"'
cp "$TMP/h.mtr" "$TMP/crc.mtr"
printf '\377\377' | dd of="$TMP/crc.mtr" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
bad "a corrupt trace" "$($MEMSIM trace dump "$TMP/crc.mtr" 2>&1 >/dev/null | sed "s/^memsim: //")" '"crc.mtr"'
bad "not a trace" "$($MEMSIM trace dump "$TMP/h.csv" 2>&1 >/dev/null | sed "s/^memsim: //")" '"h.csv"'
bad "an absolute path" "'/etc/passwd': an absolute path (traces are named relative to the scenario's directory)" '"/etc/passwd"'
bad "a path leaving the scenario's directory" "'../h.mtr': '..' leaves the scenario's directory" '"../h.mtr"'
bad "not a file name" "expected one file name, as in trace(\"traces/sort.mtr\"), got number" '42'
printf 'local ok = pcall(trace, "nope.mtr")\nprocess { name = "a", run = function(p) end }\n' >"$TMP/bad.lua"
$MEMSIM run "$TMP/bad.lua" --db "$DB" >/dev/null 2>&1
ok $(( $? != 2 )) "a bad trace is fatal even under pcall"

# bad options inside a body: the run ends with one error line
body() {	# name, message, body
	r=$(run "$1" "$3")
	got=$(q "$DB" "select message from runs")
	{ [ "$(field "$r" 1)" = error ] && [ "$got" = "$TMP/$1.lua:5: $2" ]; }
	ok $? "$1 ($got)"
}
body "unknown replay option" "unknown option 'lop' in replay" 'p:replay(h, { lop = 2 })'
body "unknown mapping" "replay: mapping 'all': expected \"each\", \"one\" or a region from p:mmap()" \
	'p:replay(h, { mapping = "all" })'
body "a bad region" "replay: mapping: bad region" 'p:replay(h, { mapping = 7 })'
body "speed and cost" "replay: give speed (instructions per second) or cost (time per reference), not both" \
	'p:replay(h, { speed = 1e9, cost = "1us" })'
body "speed without instruction fetches" \
	"replay: speed: trace $TMP/h.mtr has no instruction fetches to time (give cost instead)" \
	'p:replay(h, { speed = 1e9 })'
body "a bad loop" "loop: expected a positive integer, got 0" \
	'p:replay(h, { loop = 0 })'
body "not a trace" "replay: expected a trace from trace(), got string" 'p:replay("h.mtr")'
body "trace() in a body" "trace() can only be used while the scenario loads" 'trace("h.mtr")'

# trace decode: every record once per pass, the counts the header gives
d=$($MEMSIM trace decode "$TMP/big.mtr" --loop 2)
check "trace decode --loop 2 decodes every record twice ($d)" \
	[ "$(echo "$d" | cut -d' ' -f1,3)" = "72000 72000" ]
$MEMSIM trace decode "$TMP/crc.mtr" >/dev/null 2>"$TMP/dec.err"
rc=$?
check "trace decode refuses a corrupt trace: exit 2 ($(cat "$TMP/dec.err"))" [ "$rc" = 2 ]
