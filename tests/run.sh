#!/bin/sh
# Runs every test program and script, counts their "ok" / "not ok"
# lines, and ends with "N passed, M failed".  A program that dies
# without printing counts as one failure.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
export MEMSIM="$TOP/$BUILD/memsim"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
pass=0
fail=0

run() {	# name, command...
	name=$1
	shift
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok' "$out")
	f=$(grep -c '^not ok' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc"
		tail -5 "$out" | sed 's/^/#   /'
	fi
	grep '^not ok' "$out"
	echo "# $name: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	run "$(basename "$t")" "$t"
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t")" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
