# memsim itself built with ASan and UBSan (tests/run.sh passes the
# build directory and the sanitizer options): a run, a deadlock, a
# small sweep, replay, explain, report and merge, each free of sanitizer
# reports, and simulating exactly what the plain build simulates (same
# digests).  The forked children leave with _exit() and the engine runs
# only there, so LeakSanitizer checks the parent: store, sweep, runner.
. tests/lib.sh
SAN=${1:-build-san}
SM=$SAN/memsim
S=tests/scenarios/tiny.lua

# clean name command...: exit 0 and no sanitizer report on stderr
clean() {
	name=$1
	shift
	"$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc = 0 ] && ! grep -q -e 'ERROR: AddressSanitizer' \
	    -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$TMP/err"; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc)"
		grep -m 5 -e ERROR -e 'runtime error' "$TMP/err" | sed 's/^/#   /'
	fi
}

clean "san: memsim run" $SM run $S -p mode=b -p N=2 --seed 3 --db "$TMP/s.db"
clean "san: memsim run, a deadlock" $SM run tests/scenarios/irq_exhaust.lua --db "$TMP/s.db"
clean "san: memsim sweep -j 2" $SM sweep $S -p mode=a,b -p N=1 --seeds 1..2 -j 2 --db "$TMP/s.db"
clean "san: memsim replay" $SM replay 1 --db "$TMP/s.db"
clean "san: memsim explain" $SM explain 2 --db "$TMP/s.db"
clean "san: memsim report" $SM report --db "$TMP/s.db"
clean "san: memsim merge" $SM merge "$TMP/m.db" "$TMP/s.db"
$MEMSIM run $S -p mode=b -p N=2 --seed 3 --db "$TMP/p.db" > /dev/null
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$TMP/p.db" > /dev/null
check "san: the sanitized build simulates what the plain one does (digests)" \
	[ "$(q "$TMP/s.db" "select group_concat(digest) from (select digest from runs where id <= 2 order by id)")" = "$(q "$TMP/p.db" "select group_concat(digest) from (select digest from runs order by id)")" ]
