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

for t in "$BUILD"/tests/test_* "$BUILD"/fuzz/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	run "$(basename "$t")" "$t"
done

# The unit tests and corpus replays again, built with AddressSanitizer
# and UndefinedBehaviorSanitizer ($BUILD-san, made by `make test`), and
# memsim itself on a few runs (tests/san_smoke.sh).  No suppressions and
# nothing excluded: leak detection and stack-use-after-return on, UBSan
# stops at its first report.  The engine needs one thing, in SimGrid's
# frames only: its raw contexts switch actor stacks without telling ASan
# (Debian's SimGrid is not built for it), which gave false reports
# (stack-use-after-return on a switched-out actor's live locals, stale
# redzones after Lua's longjmp on an actor stack, LeakSanitizer faulting
# on the stacks' guard pages).  So in ASan builds sim/core.c asks SimGrid
# for thread contexts (contexts/factory:thread): each actor is a thread
# ASan knows.  san_smoke.sh checks that this simulates the same digests.
SAN=$BUILD-san
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ -d "$SAN" ]; then
	for t in "$SAN"/tests/test_* "$SAN"/fuzz/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		run "san:$(basename "$t")" "$t"
	done
	run "san_smoke.sh" sh tests/san_smoke.sh "$SAN"
else
	echo "not ok - no sanitizer build in $SAN (make test builds it)"
	fail=$((fail + 1))
fi
unset ASAN_OPTIONS UBSAN_OPTIONS
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t")" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
