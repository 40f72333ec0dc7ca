#!/bin/sh
# Hunt benchmark.  Usage: bench/hunt_bench.sh [BUILD] [REPEATS] [RUNS]
# (defaults build, 3, 100); every figure is the median of REPEATS, each
# timed with /usr/bin/time into a new database:
#   * runs/s of a random and of a guided hunt of RUNS runs, against a
#     sweep of the same RUNS seeds, all at -j 2, on the small hunt model
#     (tests/scenarios/hunt_small.lua, kmalloc_obj);
#   * exhaustive on zalloc, in both of its modes (forking the live run
#     at each choice point, replaying each branch's prefix in a fresh
#     run), interleaved, at depths 8 and 12: distinct states per second
#     and the CPU seconds of the whole tree (user + system, every
#     process waited for included), with the prefix/fork ratio of each
#     median.  Both modes explore the same tree, so the ratio is the cost
#     of getting to each branch.
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
	for d in 8 12; do
		for mode in fork prefix; do
			rm -f "$tmp/x.db"
			/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$M" hunt $S \
				--strategy exhaustive --depth $d --mode $mode \
				--db "$tmp/x.db" >"$tmp/out" 2>/dev/null
			awk '{ print $1 }' "$tmp/time" >> "$tmp/wall_${mode}_$d"
			awk '{ print $2 + $3 }' "$tmp/time" >> "$tmp/cpu_${mode}_$d"
			sed -n 's/.*explored \([0-9]*\) distinct states.*/\1/p' \
				"$tmp/out" >> "$tmp/states_${mode}_$d"
		done
	done
	i=$((i + 1))
done

rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", (t > 0) ? n / t : 0 }'; }
for k in sweep random guided; do
	t=$(median < "$tmp/$k")
	echo "$k: $RUNS runs in ${t}s (median of $N): $(rate "$RUNS" "$t") runs/s"
done
for d in 8 12; do
	for mode in fork prefix; do
		t=$(median < "$tmp/wall_${mode}_$d")
		st=$(median < "$tmp/states_${mode}_$d")
		c=$(median < "$tmp/cpu_${mode}_$d")
		echo "exhaustive depth $d, $mode: $st states in ${t}s, ${c}s CPU (medians of $N): $(rate "$st" "$t") states/s"
	done
	awk -v a="$(median < "$tmp/wall_prefix_$d")" -v b="$(median < "$tmp/wall_fork_$d")" \
	    -v c="$(median < "$tmp/cpu_prefix_$d")" -v e="$(median < "$tmp/cpu_fork_$d")" -v d=$d \
	    'BEGIN { printf "exhaustive depth %d: prefix/fork %.2f wall, %.2f CPU\n", d, (b > 0) ? a / b : 0, (e > 0) ? c / e : 0 }'
done
