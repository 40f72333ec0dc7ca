# Page-reference traces: a tiny real program recorded under valgrind
# (scripts/record-trace.sh), its references in order after import, the
# dump round trip, and one clear line with exit 2 for each bad input.
. tests/lib.sh
cat > "$TMP/touch.c" <<'C'
#include <sys/mman.h>
int main(void)
{
	static const int order[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	char *p = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		p[order[i] * 4096 + 8] = (char)i;
	return p[7 * 4096] != 0;	/* a read of page 7 */
}
C
cc -O1 -o "$TMP/touch" "$TMP/touch.c"
sh scripts/record-trace.sh -o "$TMP/t.mtr" -- "$TMP/touch" >"$TMP/rec.out" 2>&1
ok $? "record-trace.sh records a tiny program"
$MEMSIM trace dump "$TMP/t.mtr" >"$TMP/dump" 2>&1; grep "^# mapping" "$TMP/dump" | grep -v file | sed "s/^/# /"
ok $? "trace dump reads it"
# the 16-page anonymous mapping: its index, start and its references
m=$(awk '/^# mapping [0-9]+: 0x[0-9a-f]+ 16 pages anon / { sub(":", "", $3); print $3, $4; exit }' "$TMP/dump")
check "the program's 16-page mmap is an anonymous mapping ($m)" [ -n "$m" ]
idx=${m% *}
start=${m#* }
seq=$(awk -v i="$idx" -v s="$start" 'function hex(x, v, k) { v = 0
	for (k = 3; k <= length(x); k++) v = v * 16 + index("0123456789abcdef", substr(x, k, 1)) - 1
	return v }
	!/^#/ && $4 == i { printf "%s%d%s", sep, (hex($1) - hex(s)) / 4096, $2; sep = " " }' "$TMP/dump")
check "its pages in order: writes 3 1 4 1 5 9 2 6, then a read of 7 ($seq)" \
	[ "$seq" = "3W 1W 4W 1W 5W 9W 2W 6W 7R" ]
refs=$(sed -n 's/.*page size 4096, \([0-9]*\) references.*/\1/p' "$TMP/dump")
$MEMSIM trace dump "$TMP/t.mtr" --expand | grep -vc '^#' >"$TMP/n"
check "dump --expand gives every reference ($refs)" [ "$(cat "$TMP/n")" = "$refs" ]
check "references include instruction fetches and data" \
	[ "$(awk '!/^#/ { o[$2] = 1 } END { print o["R"] + o["W"] + o["X"] }' "$TMP/dump")" = 3 ]

# round trip through CSV: the same references come back
awk '!/^#/ { for (k = 0; k < $3; k++) printf "%d,%s,4096,%s\n", n++, $1, $2 == "W" ? "write" : "read" }' \
	"$TMP/dump" >"$TMP/t.csv"
$MEMSIM trace import csv -o "$TMP/c.mtr" "$TMP/t.csv" >/dev/null
ok $? "csv import"
a=$($MEMSIM trace stats "$TMP/t.mtr" | sed -n 's/^distinct pages *\([0-9]*\).*/\1/p')
b=$($MEMSIM trace stats "$TMP/c.mtr" | sed -n 's/^distinct pages *\([0-9]*\).*/\1/p')
check "csv of the dump has the same distinct pages ($a, $b)" \
	sh -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$a" "$b"
r1=$($MEMSIM trace stats "$TMP/c.mtr" | awk '/^references/ { print $2 }')
check "and the same references ($r1)" [ "$r1" = "$refs" ]

# oracleGeneral: 3 records of 24 bytes, objects 7, 8, 7 of 8 KiB
printf '\001\000\000\000\007\000\000\000\000\000\000\000\000\040\000\000\377\377\377\377\377\377\377\377\002\000\000\000\010\000\000\000\000\000\000\000\000\040\000\000\377\377\377\377\377\377\377\377\003\000\000\000\007\000\000\000\000\000\000\000\000\040\000\000\377\377\377\377\377\377\377\377' >"$TMP/o.bin"
$MEMSIM trace import oracleGeneral -o "$TMP/o.mtr" "$TMP/o.bin" >/dev/null
ok $? "oracleGeneral import"
check "oracleGeneral: 2 pages per 8 KiB object, objects 7 8 7" \
	[ "$($MEMSIM trace dump "$TMP/o.mtr" | grep -v '^#' | awk '{ printf "%s ", $1 }')" = "0 0x1000 0x2000 0x3000 0 0x1000 " ]
$MEMSIM trace import oracleGeneral --pages-per-object 1 -o "$TMP/o1.mtr" "$TMP/o.bin" >/dev/null
check "--pages-per-object 1: one page each" \
	[ "$($MEMSIM trace dump "$TMP/o1.mtr" | grep -vc '^#')" = 3 ]

bad() {	# name, expected exit, command...
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	check "$name: exit $want, one line ($(head -1 "$TMP/bad.err"))" \
		[ "$rc" = "$want" ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ]
}
size=$(wc -c <"$TMP/t.mtr")
head -c $((size - 100)) "$TMP/t.mtr" >"$TMP/trunc.mtr"
bad "truncated trace" 2 $MEMSIM trace dump "$TMP/trunc.mtr"
grep -q truncated "$TMP/bad.err"; ok $? "the line says truncated"
cp "$TMP/t.mtr" "$TMP/corrupt.mtr"
printf '\377\377\377\377' | dd of="$TMP/corrupt.mtr" bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
bad "corrupt trace" 2 $MEMSIM trace stats "$TMP/corrupt.mtr"
grep -q 'corrupt trace: checksum' "$TMP/bad.err"; ok $? "the line says which checksum"
cp "$TMP/t.mtr" "$TMP/v2.mtr"
printf '\002' | dd of="$TMP/v2.mtr" bs=1 seek=8 conv=notrunc 2>/dev/null
bad "newer format version" 2 $MEMSIM trace dump "$TMP/v2.mtr"
grep -q 'version 2' "$TMP/bad.err"; ok $? "the line names the version"
bad "not a trace" 2 $MEMSIM trace dump "$TMP/touch.c"
bad "unknown import format" 2 $MEMSIM trace import pin -o "$TMP/x.mtr" "$TMP/t.csv"
check "nothing written for it" [ ! -e "$TMP/x.mtr" ]
printf 'I  zz\n' >"$TMP/badlk"
bad "bad lackey input" 2 $MEMSIM trace import lackey -o "$TMP/y.mtr" "$TMP/badlk"
check "no file and no temporary left" [ -z "$(ls "$TMP" | grep '^y\.mtr')" ]
printf '1,2,3,4\n1,2,x,r\n' >"$TMP/bad.csv"
bad "bad csv size" 2 $MEMSIM trace import csv -o "$TMP/z.mtr" "$TMP/bad.csv"
head -c 30 "$TMP/o.bin" >"$TMP/o30.bin"
bad "oracleGeneral with a partial record" 2 $MEMSIM trace import oracleGeneral -o "$TMP/z.mtr" "$TMP/o30.bin"

$MEMSIM trace stats "$TMP/t.mtr" --plot "$TMP/plots" >"$TMP/st" 2>&1
ok $? "trace stats --plot"
check "stats show the reuse-distance histogram" grep -q 'miss ratio' "$TMP/st"
check "the plot is written" \
	sh -c '[ -s "$1" ] && [ -s "$2" ]' _ "$TMP/plots/trace_t.png" "$TMP/plots/trace_t.svg"
