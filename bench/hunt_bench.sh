#!/bin/sh
# Hunt benchmark.  Usage: bench/hunt_bench.sh [BUILD] [REPEATS] [RUNS]
# (defaults build, 3, 100); every figure is the median of REPEATS, each
# timed with /usr/bin/time into a new database:
#   * runs/s of a random and of a guided hunt of RUNS runs, against a
#     sweep of the same RUNS seeds, all at -j 2, on the small hunt model
#     (tests/scenarios/hunt_small.lua, kmalloc_obj);
#   * exhaustive: distinct states per second at depth 6 (zalloc);
#   * what forking at a choice point could save at most: the CPU time
#     of a run cut just past the choice points exhaustive branches on
#     (duration 10 ms; the first six interrupt gaps and ties come within
#     it) against a whole run, each in a hunt (forked from the hunt, as
#     exhaustive's runs are).  A branch replayed from the start pays the
#     short run's cost again; a forked branch would pay a fork instead.
BUILD=${1:-build}
N=${2:-3}
RUNS=${3:-100}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
M="$BUILD/memsim"
S=tests/scenarios/hunt_small.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed NAME CMD...: wall seconds of CMD appended to $tmp/NAME
timed() {
	name=$1
	shift
	/usr/bin/time -f "%e" -o "$tmp/time" "$@" >"$tmp/out" 2>/dev/null
	cat "$tmp/time" >> "$tmp/$name"
}

i=0
while [ "$i" -lt "$N" ]; do
	rm -f "$tmp"/*.db
	timed sweep "$M" sweep $S -p allocator=kmalloc_obj --seeds "1..$RUNS" \
		-j 2 --db "$tmp/s.db"
	timed random "$M" hunt $S -p allocator=kmalloc_obj --strategy random \
		--budget "$RUNS" -j 2 --db "$tmp/r.db"
	timed guided "$M" hunt $S -p allocator=kmalloc_obj --strategy guided \
		--budget "$RUNS" -j 2 --db "$tmp/g.db"
	timed exh "$M" hunt $S --strategy exhaustive --depth 6 --db "$tmp/x.db"
	sed -n 's/.*explored \([0-9]*\) distinct states.*/\1/p' "$tmp/out" \
		>> "$tmp/states"
	i=$((i + 1))
done

rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", (t > 0) ? n / t : 0 }'; }
for k in sweep random guided; do
	t=$(median < "$tmp/$k")
	echo "$k: $RUNS runs in ${t}s (median of $N): $(rate "$RUNS" "$t") runs/s"
done
t=$(median < "$tmp/exh")
st=$(median < "$tmp/states")
echo "exhaustive depth 6: $st states in ${t}s (median of $N): $(rate "$st" "$t") states/s"

# the prefix a replayed branch pays again, against a whole run: CPU
# seconds (user + system, the hunt's children included) of a random hunt
# of RUNS runs of each, per run
sed 's/duration = "1500ms"/duration = "10ms"/' $S > "$tmp/short.lua"
for k in short whole; do
	f=$S
	[ $k = short ] && f="$tmp/short.lua"
	i=0
	while [ "$i" -lt "$N" ]; do
		rm -f "$tmp/p.db"
		/usr/bin/time -f "%U %S" -o "$tmp/time" "$M" hunt "$f" \
			--strategy random --budget "$RUNS" -j 1 --db "$tmp/p.db" \
			>/dev/null 2>&1
		awk -v n="$RUNS" '{ printf "%.2f\n", 1000 * ($1 + $2) / n }' \
			"$tmp/time" >> "$tmp/cpu_$k"
		i=$((i + 1))
	done
	echo "per run, $k (short: cut at 10 ms): $(median < "$tmp/cpu_$k") ms CPU per run (median of $N)"
done
