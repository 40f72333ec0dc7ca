# memsim report --format text|csv|json|markdown and explain --format
# json: exact cells over rows of known counts, the same columns in every
# format, CSV quoting read back by a CSV reader, JSON read back by a JSON
# parser, and a bad format refused in one line.
. tests/lib.sh
DB=$TMP/f.db

# A database with the schema and views, then rows written directly:
# add scenario allocator reserve_n(or NULL) runs deadlocks errors
$MEMSIM run tests/scenarios/tiny.lua --db "$DB" > /dev/null
q "$DB" "delete from runs"
add() {
	q "$DB" "with recursive i(n) as (select 1 union all select n + 1 from i where n < $4 + $6)
	insert into runs (scenario, scenario_sha256, allocator, reserve_n, seed, params, outcome, deadlock_time, pagedaemon_blocked_seconds, swapmeta_pages_peak, reserve_min_level)
	select '$1', '$1 $2 $3', '$2', $3, n, '{}',
	  case when n <= $5 then 'deadlock' when n > $4 then 'error' else 'completed' end,
	  case when n <= $5 then n end, n, 10 * n, case when $3 is null then null else $3 + n % 2 end
	from i"
}
# A name with a comma, quotes and a pipe: what CSV and markdown must quote.
add 'odd, "name" | x' zalloc NULL 20 3 0
add s reserve_kmalloc_obj 0 10 10 0
add s reserve_kmalloc_obj 2 10 0 1

fmt() { $MEMSIM report --db "$DB" --format "$1" > "$TMP/$1" 2> "$TMP/err.$1"; }
for f in text csv json markdown; do
	fmt $f
	check "report --format $f exits 0 and writes nothing on stderr" \
		[ $? = 0 -a ! -s "$TMP/err.$f" ]
done

cat > "$TMP/want" <<'EOT'
scenario         allocator            reserve_n  runs  deadlocks  panics  errors    rate  wilson_low  wilson_high  median_time_to_deadlock  median_pagedaemon_blocked_seconds  peak_swapmeta_pages  lowest_reserve_level
odd, "name" | x  zalloc                       -    20          3       0       0  0.1500      0.0524       0.3604                    2.000                             10.500                  200                     -
s                reserve_kmalloc_obj          0    10         10       0       0  1.0000      0.7225       1.0000                    5.500                              5.500                  100                     0
s                reserve_kmalloc_obj          2    10          0       0       1  0.0000      0.0000       0.2775                        -                              5.500                  110                     2
EOT
check "text: aligned columns, numbers to the right, no value as -" \
	cmp -s "$TMP/want" "$TMP/text"

cat > "$TMP/want" <<'EOT'
scenario,allocator,reserve_n,runs,deadlocks,panics,errors,rate,wilson_low,wilson_high,median_time_to_deadlock,median_pagedaemon_blocked_seconds,peak_swapmeta_pages,lowest_reserve_level
"odd, ""name"" | x",zalloc,,20,3,0,0,0.1500,0.0524,0.3604,2.000,10.500,200,
s,reserve_kmalloc_obj,0,10,10,0,0,1.0000,0.7225,1.0000,5.500,5.500,100,0
s,reserve_kmalloc_obj,2,10,0,0,1,0.0000,0.0000,0.2775,,5.500,110,2
EOT
check "csv: a field with a comma or a quote quoted, quotes doubled, no value empty" \
	cmp -s "$TMP/want" "$TMP/csv"

cat > "$TMP/want" <<'EOT'
| scenario | allocator | reserve_n | runs | deadlocks | panics | errors | rate | wilson_low | wilson_high | median_time_to_deadlock | median_pagedaemon_blocked_seconds | peak_swapmeta_pages | lowest_reserve_level |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| odd, "name" \| x | zalloc | - | 20 | 3 | 0 | 0 | 0.1500 | 0.0524 | 0.3604 | 2.000 | 10.500 | 200 | - |
| s | reserve_kmalloc_obj | 0 | 10 | 10 | 0 | 0 | 1.0000 | 0.7225 | 1.0000 | 5.500 | 5.500 | 100 | 0 |
| s | reserve_kmalloc_obj | 2 | 10 | 0 | 0 | 1 | 0.0000 | 0.0000 | 0.2775 | - | 5.500 | 110 | 2 |
EOT
check "markdown: a pipe table, | escaped in a cell, numbers right-aligned" \
	cmp -s "$TMP/want" "$TMP/markdown"

check "json: valid JSON" python3 -m json.tool "$TMP/json" /dev/null

# Read each format back and compare: the same columns and the same cells.
cat > "$TMP/read.py" <<'EOT'
import csv, json, sys
d = sys.argv[1]
def null(v, none):
    return None if v == none else v
with open(d + "/csv", newline="") as f:
    rows = list(csv.reader(f))
head, body = rows[0], rows[1:]
with open(d + "/json") as f:
    js = json.load(f)
md = [l.strip().strip("|").split(" | ") for l in open(d + "/markdown")]
md = [[c.strip().replace("\\|", "|") for c in r] for r in md]
txt = [l.split() for l in open(d + "/text")]
bad = []
if [list(o.keys()) for o in js] != [head] * len(js): bad.append("json keys")
if md[0] != head: bad.append("markdown header")
if txt[0] != head: bad.append("text header")
if len(js) != len(body) or len(md) - 2 != len(body): bad.append("row count")
for i, r in enumerate(body):
    for j, c in enumerate(head):
        v = js[i][c]
        jv = None if v is None else (v if isinstance(v, str) else repr(v))
        cv = null(r[j], "")
        if jv is not None and not isinstance(v, str):
            # a JSON number and the CSV text denote the same value
            if float(cv) != float(v): bad.append("%d %s json %s csv %s" % (i, c, v, cv))
        elif jv != cv: bad.append("%d %s json %r csv %r" % (i, c, jv, cv))
        if null(md[i + 2][j], "-") != cv: bad.append("%d %s markdown" % (i, c))
print(" ".join(bad) if bad else "same")
EOT
check "csv, json, markdown and text: the same columns, the same cells" \
	[ "$(python3 "$TMP/read.py" "$TMP")" = same ]
check "... the CSV reader gets the odd name back whole" \
	[ "$(python3 -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1])))[1][0])' "$TMP/csv")" = 'odd, "name" | x' ]
check "... JSON numbers are numbers, no value is null" \
	[ "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print(r["runs"] + 1, r["reserve_n"], r["wilson_low"])' "$TMP/json")" = "21 None 0.0524" ]

$MEMSIM report --db "$DB" --format csv --scenario s > "$TMP/out" 2>&1
check "--scenario picks the rows of one scenario" \
	[ "$(wc -l < "$TMP/out")" = 3 -a "$(cut -d, -f1 "$TMP/out" | sort -u | tr '\n' ' ')" = "s scenario " ]
$MEMSIM report --db "$DB" --format json --scenario nope > "$TMP/out" 2> "$TMP/err"
check "--scenario with no runs: exit 2, one line, no output" \
	[ $? = 2 -a ! -s "$TMP/out" -a "$(cat "$TMP/err")" = "memsim: $DB: no runs of scenario 'nope'" ]

q "$DB" "delete from runs"
$MEMSIM report --db "$DB" --format json > "$TMP/out" 2>&1
check "an empty database: json is an empty array" [ "$(cat "$TMP/out")" = "[]" ]
$MEMSIM report --db "$DB" --format csv > "$TMP/out" 2>&1
check "... csv the header alone" \
	[ "$(wc -l < "$TMP/out")" = 1 -a "$(cut -d, -f1-3 "$TMP/out")" = "scenario,allocator,reserve_n" ]

$MEMSIM report --db "$DB" --format xml > "$TMP/out" 2> "$TMP/err"
check "a bad format: exit 2, one line naming it and the choices" \
	[ $? = 2 -a ! -s "$TMP/out" -a "$(cat "$TMP/err")" = "memsim: --format xml: expected text, csv, json or markdown" ]
$MEMSIM report --db "$DB" --format csv --plot "$TMP/p" > /dev/null 2> "$TMP/err"
check "--format with --plot: exit 2" \
	[ $? = 2 -a "$(cat "$TMP/err")" = "memsim: --format and --plot: choose one" ]

# explain --format json over a run that ends in a proven deadlock.
DB=$TMP/e.db
$MEMSIM run tests/scenarios/needs_n.lua -p allocator=reserve_kmalloc_obj -p N=1 --db "$DB" > /dev/null
$MEMSIM explain 1 --db "$DB" --format json > "$TMP/e.json" 2> "$TMP/err"
check "explain --format json exits 0, valid JSON" \
	[ $? = 0 -a ! -s "$TMP/err" ] && python3 -m json.tool "$TMP/e.json" > /dev/null
cat > "$TMP/e.py" <<'EOT'
import json, sys
e = json.load(open(sys.argv[1]))
th = {t["thread"]: t for t in e["threads"]}
cn = {c["name"]: c["value"] for c in e["counters"]}
print(e["run"], e["scenario"], e["params"]["N"], e["seed"], e["outcome"],
      e["deadlock_kind"], th["dirtier"]["channel"], th["pagedaemon"]["since"],
      cn["v_free_min"] > 0, e["last_events"] == [],
      e["signature_hash"] is not None and len(e["signature_hash"]) == 16,
      e["choices"])
EOT
check "... the run, its params as an object, outcome, threads, counters, signature" \
	[ "$(python3 "$TMP/e.py" "$TMP/e.json")" = "1 needs_n 1 1 deadlock proven pfault None True True True None" ]
$MEMSIM explain 1 --db "$DB" > "$TMP/e.txt"
sig=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["signature_hash"] + ": " + e["signature"])' "$TMP/e.json")
check "... the same signature and diagnosis as the text" \
	grep -qF "signature $sig" "$TMP/e.txt" && grep -qF "diagnosis: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["message"])' "$TMP/e.json")" "$TMP/e.txt"
$MEMSIM run tests/scenarios/tiny.lua --db "$DB" > /dev/null
$MEMSIM explain 2 --db "$DB" --format json > "$TMP/e.json"
check "... a run's last events, as the text has them" \
	[ "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["outcome"], [(v["kind"], v["thread"], v["detail"]) for v in e["last_events"]])' "$TMP/e.json")" = "completed [('exit', 'p', 'p exits')]" ]
$MEMSIM explain 2 --db "$DB" > "$TMP/e.txt"
check "... (the text's last event)" grep -q "exit  *p  *p exits" "$TMP/e.txt"
q "$DB" "update runs set params = 'not {json' where id = 1"
$MEMSIM explain 1 --db "$DB" --format json > "$TMP/e.json"
check "... params that are not JSON are written as a string: still valid JSON" \
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["params"])' "$TMP/e.json")" = "not {json" ]
$MEMSIM explain 3 --db "$DB" --format json > "$TMP/out" 2> "$TMP/err"
check "explain --format json of a missing run: exit 2, nothing on stdout" \
	[ $? = 2 -a ! -s "$TMP/out" -a "$(cat "$TMP/err")" = "memsim: $DB: no run 3" ]
$MEMSIM explain 1 --db "$DB" --format csv > "$TMP/out" 2> "$TMP/err"
check "explain --format csv: exit 2, one line" \
	[ $? = 2 -a ! -s "$TMP/out" -a "$(cat "$TMP/err")" = "memsim: explain --format csv: expected text or json" ]
