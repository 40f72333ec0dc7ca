#!/bin/sh
# Replay benchmark: trace references replayed per CPU second by a
# process whose pages all stay resident (a workload that mostly hits),
# against the raw decode speed of the same trace (`memsim trace decode`,
# nothing but the cursor), so the ratio is the model's per-reference
# overhead.  CPU seconds (user + system, /usr/bin/time) rather than wall
# seconds: the machine is shared.  Target: >= 20 M references/s per core.
# Usage: bench/replay_bench.sh [BUILD] [REPEATS] [TRACE] [LOOP]
BUILD=${1:-build}
N=${2:-5}
TOP=$(cd "$(dirname "$0")/.." && pwd)
TRACE=${3:-$TOP/scenarios/traces/sort.mtr}
LOOP=${4:-10}
TARGET=20000000
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu() { awk '{ print $1 + $2 }' "$tmp/time"; }

cp "$TRACE" "$tmp/t.mtr"
refs=$("$BUILD/memsim" trace decode "$tmp/t.mtr" | awk '{ print $3 }')
recs=$("$BUILD/memsim" trace decode "$tmp/t.mtr" | awk '{ print $1 }')
[ -n "$refs" ] || { echo "replay_bench.sh: cannot decode $TRACE" >&2; exit 1; }
# The replay: pages first faulted in, then LOOP passes that hit; a
# second scenario with one pass is subtracted to drop start-up, the
# trace's loading and the first pass's faults.
for l in 1 $((LOOP + 1)); do
	cat >"$tmp/r$l.lua" <<EOF
scenario { name = "replay_bench", duration = "100000s" }
machine { ram = "1G", ncpus = 1 }
local t = trace("t.mtr")
process { name = "r", run = function(p) p:replay(t, { loop = $l }) end }
EOF
done
: >"$tmp/replay"
: >"$tmp/decode"
i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1))
	rm -f "$tmp/b.db"
	/usr/bin/time -f "%U %S" -o "$tmp/time" \
		"$BUILD/memsim" run "$tmp/r1.lua" --db "$tmp/b.db" >/dev/null
	one=$(cpu)
	/usr/bin/time -f "%U %S" -o "$tmp/time" \
		"$BUILD/memsim" run "$tmp/r$((LOOP + 1)).lua" --db "$tmp/b.db" >/dev/null
	many=$(cpu)
	awk -v a="$one" -v b="$many" -v n="$LOOP" -v r="$refs" -v k="$recs" \
	    'BEGIN { d = b - a; if (d <= 0) d = 0.001; printf "%.0f %.0f\n", n * r / d, n * k / d }' \
	    >>"$tmp/replay"
	/usr/bin/time -f "%U %S" -o "$tmp/time" \
		"$BUILD/memsim" trace decode "$tmp/t.mtr" --loop "$LOOP" >/dev/null
	awk -v d="$(cpu)" -v n="$LOOP" -v r="$refs" -v k="$recs" \
	    'BEGIN { if (d <= 0) d = 0.001; printf "%.0f %.0f\n", n * r / d, n * k / d }' \
	    >>"$tmp/decode"
done
rr=$(cut -d' ' -f1 "$tmp/replay" | median)
rk=$(cut -d' ' -f2 "$tmp/replay" | median)
dr=$(cut -d' ' -f1 "$tmp/decode" | median)
dk=$(cut -d' ' -f2 "$tmp/decode" | median)
printf '%s: %s references in %s records, %d passes (median of %d)\n' \
	"$(basename "$TRACE")" "$refs" "$recs" "$LOOP" "$N"
printf '  replay   %6.1f M references/s  %6.1f M records/s  (per CPU second)\n' \
	"$(echo "$rr" | awk '{ print $1 / 1e6 }')" "$(echo "$rk" | awk '{ print $1 / 1e6 }')"
printf '  decode   %6.1f M references/s  %6.1f M records/s\n' \
	"$(echo "$dr" | awk '{ print $1 / 1e6 }')" "$(echo "$dk" | awk '{ print $1 / 1e6 }')"
printf '  replay / decode  %.2f (records)\n' "$(awk -v a="$rk" -v b="$dk" 'BEGIN { print a / b }')"
printf '  target   %6.1f M references/s per core: %s\n' "$(awk -v t=$TARGET 'BEGIN { print t / 1e6 }')" \
	"$(awk -v a="$rr" -v t=$TARGET 'BEGIN { print (a >= t ? "met" : "not met") }')"
