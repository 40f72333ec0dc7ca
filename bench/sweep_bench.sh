#!/bin/sh
# Sweep benchmark: runs per second of the reference sweep (a forked child
# per run, -j 2, results batched into SQLite), and the fixed cost of one
# run, measured on bench/scenarios/null.lua, whose process does nothing:
# fork, loading the scenario, booting the model, the pipe back and the
# insert.  The sweep's own start-up (loading the libraries, SimGrid's
# start, opening the database) is paid once per sweep, not per run: it is
# measured by a one-run sweep and reported apart, and the per-run figure
# is the slope between the one-run sweep and the NULL_RUNS-run one.
# Usage: bench/sweep_bench.sh [BUILD] [REPEATS] [SEEDS]; prints the
# median of REPEATS (default 3) with seeds SEEDS (default 1..20).
#
# The reference sweep is swapmeta_reserve.lua over the three SWAPMETA
# allocators and N = 0..8; where that scenario or its allocators are not
# there yet, swap_full.lua over the seeds stands in.
BUILD=${1:-build}
N=${2:-3}
SEEDS=${3:-1..20}
NULL_RUNS=500
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
M="$BUILD/memsim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

REF="scenarios/swapmeta_reserve.lua -p allocator=zalloc,kmalloc_obj,reserve_kmalloc_obj -p N=0..8"
if ! [ -f scenarios/swapmeta_reserve.lua ] ||
   ! "$M" run scenarios/swapmeta_reserve.lua -p allocator=reserve_kmalloc_obj \
	-p N=1 --db "$tmp/probe.db" >/dev/null 2>&1; then
	REF="scenarios/swap_full.lua"
fi

# sweep NAME ARGS...: one timed sweep into a new database; appends
# "runs wall child_ms" to $tmp/NAME.
sweep() {
	name=$1
	shift
	rm -f "$tmp/$name.db"
	t0=$(date +%s.%N)	# /usr/bin/time's 10 ms is too coarse here
	"$M" sweep "$@" --db "$tmp/$name.db" >/dev/null 2>&1 || exit 1
	t1=$(date +%s.%N)
	sqlite3 -separator ' ' "$tmp/$name.db" "select count(*),
		$t1 - $t0, 1000 * avg(wall_seconds) from runs" >> "$tmp/$name"
}

i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	sweep ref $REF --seeds "$SEEDS" -j 2
	sweep null bench/scenarios/null.lua --seeds 1..$NULL_RUNS -j 1
	sweep one bench/scenarios/null.lua --seeds 1..1 -j 1
done
one=$(cut -d' ' -f2 "$tmp/one" | median)

printf 'reference sweep: %s --seeds %s -j 2 (median of %d)\n' "$REF" "$SEEDS" "$N"
printf '  runs                 %s\n' "$(cut -d' ' -f1 "$tmp/ref" | median)"
printf '  wall                 %.2f s\n' "$(cut -d' ' -f2 "$tmp/ref" | median)"
printf '  runs / s             %.2f\n' "$(awk '{print $1 / $2}' "$tmp/ref" | median)"
printf '  per run in the child %.1f ms\n' "$(cut -d' ' -f3 "$tmp/ref" | median)"
printf 'per-run overhead: %d runs of bench/scenarios/null.lua, -j 1 (median of %d)\n' "$NULL_RUNS" "$N"
printf '  sweep start-up       %.1f ms (a one-run sweep, once per sweep)\n' \
	"$(echo "$one" | awk '{print 1000 * $1}')"
printf '  per run, all told    %.2f ms\n' \
	"$(awk -v one="$one" '{print 1000 * ($2 - one) / ($1 - 1)}' "$tmp/null" | median)"
printf '  of it in the child   %.2f ms (load the scenario, boot, simulate nothing)\n' \
	"$(cut -d' ' -f3 "$tmp/null" | median)"
printf '  outside the child    %.2f ms (fork, pipe, SQLite insert; target <= 1 ms)\n' \
	"$(awk -v one="$one" '{print 1000 * ($2 - one) / ($1 - 1) - $3}' "$tmp/null" | median)"
