# Valgrind (memcheck) on one small run, parent and forked child: no
# invalid read or write, no use of uninitialised memory, no definite
# leak, in memsim's code or anyone's.  No suppressions file: none is
# needed (SimGrid, boost, ns-3, Lua and SQLite report nothing on this
# run); if one ever is, it may name only those libraries' frames.
# Raw contexts work under valgrind: SimGrid registers its actor stacks.
. tests/lib.sh
if ! command -v valgrind > /dev/null; then
	echo "not ok - valgrind is not installed (scripts/setup.sh installs it)"
	exit 1
fi
valgrind --error-exitcode=1 --trace-children=yes --leak-check=full \
	--errors-for-leak-kinds=definite --track-origins=yes \
	--log-file="$TMP/vg.%p.log" \
	$MEMSIM run tests/scenarios/tiny.lua --db "$TMP/v.db" > "$TMP/out" 2> "$TMP/err"
rc=$?
n=$(ls "$TMP"/vg.*.log | wc -l)
check "memsim run under valgrind --trace-children=yes exits 0" [ $rc = 0 ]
check "... valgrind followed the parent and the forked child ($n processes)" [ "$n" = 2 ]
check "... each reports 0 errors" \
	[ "$(cat "$TMP"/vg.*.log | grep -c 'ERROR SUMMARY: 0 errors from 0 contexts')" = "$n" ]
check "... no definite or indirect leak" \
	[ "$(cat "$TMP"/vg.*.log | grep -E -c '(definitely|indirectly) lost: [1-9]')" = 0 ]
check "... and the run was simulated and stored as without valgrind" \
	[ "$(q "$TMP/v.db" "select outcome from runs")" = completed ]
$MEMSIM run tests/scenarios/tiny.lua --db "$TMP/plain.db" > /dev/null
check "... with the same digest" \
	[ "$(q "$TMP/v.db" "select digest from runs")" = "$(q "$TMP/plain.db" "select digest from runs")" ]
for f in "$TMP"/vg.*.log; do
	grep -q 'ERROR SUMMARY: 0 errors' "$f" || sed -n '1,40p' "$f" | sed 's/^/#   /'
done
