#!/bin/sh
# Engine benchmark: simulated page events (faults, scans, frees, page-outs,
# swap-ins, touches) per wall second, SimGrid calls per 1,000 page events,
# peak RSS and wall time, for swap_storm and a 16 GiB variant.
# Usage: bench/vm_bench.sh [BUILD] [REPEATS]; prints the median of REPEATS.
BUILD=${1:-build}
N=${2:-3}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for s in scenarios/swap_storm.lua bench/scenarios/swap_storm_16g.lua; do
	: > "$tmp/rows"
	i=0
	while [ $i -lt "$N" ]; do
		i=$((i + 1))
		db="$tmp/b$i.db"
		rm -f "$db"
		/usr/bin/time -f "%e %M" -o "$tmp/time" \
			"$BUILD/memsim" run "$s" --seed 7 --db "$db" >/dev/null
		read -r wall rss < "$tmp/time"
		sqlite3 -separator ' ' "$db" "select page_events, sg_calls,
			page_events / wall_seconds, 1000.0 * sg_calls / page_events,
			$rss, $wall from runs" >> "$tmp/rows"
	done
	printf '%s (median of %d)\n' "$s" "$N"
	printf '  page events          %s\n' "$(cut -d' ' -f1 "$tmp/rows" | median)"
	printf '  page events / s      %.0f\n' "$(cut -d' ' -f3 "$tmp/rows" | median)"
	printf '  SimGrid calls / 1000 page events  %.1f\n' "$(cut -d' ' -f4 "$tmp/rows" | median)"
	printf '  peak RSS             %s KiB\n' "$(cut -d' ' -f5 "$tmp/rows" | median)"
	printf '  wall                 %s s\n' "$(cut -d' ' -f6 "$tmp/rows" | median)"
done
