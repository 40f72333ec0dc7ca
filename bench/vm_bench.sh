#!/bin/sh
# Engine benchmark: what simulating costs, figure by figure, against its
# target.  Each figure is the median of REPEATS runs (seed 7):
#
#   swap_storm        page events per CPU second (target >= 20 M) and
#                     SimGrid calls per 1,000 page events (<= 5)
#   swap_storm_16g    page events per CPU second (no slower than before)
#   reference         CPU seconds of one swapmeta_reserve.lua run (5x
#                     faster than before)
#   memory            peak RSS of bench/scenarios/swap_storm_long.lua at
#                     d = 40 s and 4 d (differ by < 10 %), and the peak
#                     RSS per simulated page, as the slope between the
#                     null scenario (64 MiB) and swap_storm_16g (16 GiB)
#                     (<= 64 B)
#   engine calls       of one swap_storm and one reference run, by kind
#                     (cpu, sleep, wait, timed_wait, wake) and by the
#                     role of the calling thread (builds that count them)
#
# Rates are per CPU second (user + system of the run, child included),
# not per wall second: on a shared machine the wall clock measures the
# neighbours.  Wall seconds are printed too.
#
# Usage: bench/vm_bench.sh [--against REV] [-n REPEATS] [BUILD]
#   BUILD      the build to measure (default build)
#   --against  also build REV (any git revision) in a temporary tree and
#              run it interleaved with BUILD, run for run, so that both
#              see the same load; prints both, the target and the ratio
#              (this / REV).  The scenarios are this tree's for both.
usage() {
	echo "usage: bench/vm_bench.sh [--against REV] [-n REPEATS] [BUILD]" >&2
	exit 2
}
REV=
N=3
BUILD=build
while [ $# -gt 0 ]; do
	case $1 in
	--against) [ $# -ge 2 ] || usage; REV=$2; shift 2 ;;
	-n) [ $# -ge 2 ] || usage; N=$2; shift 2 ;;
	-*) usage ;;
	*) BUILD=$1; shift ;;
	esac
done
case $N in ''|*[!0-9]*) usage ;; esac
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
[ -x "$BUILD/memsim" ] || { echo "vm_bench: no $BUILD/memsim (build it first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

BINS="this"
ln -s "$(cd "$BUILD" && pwd)/memsim" "$tmp/this"
if [ -n "$REV" ]; then
	git rev-parse --verify -q "$REV^{commit}" >/dev/null ||
		{ echo "vm_bench: $REV: not a revision" >&2; exit 2; }
	mkdir "$tmp/rev"
	echo "building $REV in $tmp/rev ..." >&2
	git archive "$REV" | tar -x -C "$tmp/rev" &&
	meson setup "$tmp/rev/build" "$tmp/rev" >"$tmp/rev.log" 2>&1 &&
	nice ninja -C "$tmp/rev/build" memsim >>"$tmp/rev.log" 2>&1 ||
		{ echo "vm_bench: building $REV failed:" >&2; tail -20 "$tmp/rev.log" >&2; exit 1; }
	ln -s "$tmp/rev/build/memsim" "$tmp/rev.bin"
	BINS="this rev.bin"
fi

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }

# one BIN NAME SCENARIO ARGS...: run it once; appends to $tmp/NAME.BIN
# "page_events sg_calls cpu_s wall_s rss_kib"
one() {
	bin=$1 name=$2
	shift 2
	db="$tmp/run.db"
	rm -f "$db" "$db-wal" "$db-shm"
	/usr/bin/time -f "%U %S %e %M" -o "$tmp/time" \
		nice "$tmp/$bin" run "$@" --seed 7 --db "$db" >/dev/null 2>&1 || return 0
	read -r u s e m < "$tmp/time"
	ev=$(sqlite3 -separator ' ' "$db" "select page_events, sg_calls from runs" 2>/dev/null)
	[ -n "$ev" ] || return 0
	echo "$ev $(echo "$u $s" | awk '{print $1 + $2}') $e $m" >> "$tmp/$name.$bin"
}

# figure NAME SCENARIO ARGS...: REPEATS runs of each binary, interleaved.
figure() {
	i=0
	while [ $i -lt "$N" ]; do
		i=$((i + 1))
		for b in $BINS; do
			one "$b" "$@"
		done
	done
}

# col NAME BIN N: median of column N; or of an awk expression over $1..$5
col() {
	[ -s "$tmp/$1.$2" ] || { echo "n/a"; return; }
	awk "{print $3}" "$tmp/$1.$2" | median
}

echo "measuring ($N runs of each figure per binary) ..." >&2
figure storm scenarios/swap_storm.lua
figure s16g bench/scenarios/swap_storm_16g.lua
figure ref scenarios/swapmeta_reserve.lua
figure long1 bench/scenarios/swap_storm_long.lua -p d=40s
figure long4 bench/scenarios/swap_storm_long.lua -p d=160s
figure null bench/scenarios/null.lua

fmt() { awk -v v="$1" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else if (v + 0 >= 1e6) printf "%.3g\n", v; else if (v + 0 >= 100) printf "%.0f\n", v; else printf "%.4g\n", v }'; }

# row LABEL VALUE_THIS VALUE_REV TARGET (the ratio from the unrounded values)
row() {
	if [ -n "$REV" ]; then
		printf '%-44s %12s %12s %14s %8s\n' "$1" "$(fmt "$2")" "$(fmt "$3")" "$4" \
		    "$(awk -v a="$2" -v b="$3" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')"
	else
		printf '%-44s %12s %14s\n' "$1" "$(fmt "$2")" "$4"
	fi
}

# fig BIN: every figure of one binary, one per line (n/a when it failed)
fig() {
	b=$1
	col storm "$b" '$1 / $3'
	col storm "$b" '1000 * $2 / $1'
	col storm "$b" '$5'
	col storm "$b" '$4'
	col s16g "$b" '$1 / $3'
	col s16g "$b" '1000 * $2 / $1'
	col ref "$b" '$3'
	l1=$(col long1 "$b" '$5') l4=$(col long4 "$b" '$5')
	echo "$l1"
	echo "$l4"
	awk -v a="$l4" -v b="$l1" 'BEGIN { if (b + 0 > 0) printf "%.3f\n", a / b; else print "n/a" }'
	r16=$(col s16g "$b" '$5') r0=$(col null "$b" '$5')
	# 16 GiB is 4194304 pages, null's 64 MiB 16384
	awk -v a="$r16" -v b="$r0" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f\n", (a - b) * 1024 / (4194304 - 16384); else print "n/a" }'
}

fig this > "$tmp/f.this"
if [ -n "$REV" ]; then fig rev.bin > "$tmp/f.rev"; else : > "$tmp/f.rev"; fi

labels="swap_storm: page events / CPU s|>= 2e+07
swap_storm: SimGrid calls / 1000 page events|<= 5
swap_storm: peak RSS (KiB)|
swap_storm: wall (s)|
swap_storm_16g: page events / CPU s|>= before
swap_storm_16g: SimGrid calls / 1000 events|
reference run: CPU s|<= before / 5
swap_storm_long d=40s: peak RSS (KiB)|
swap_storm_long d=160s: peak RSS (KiB)|
peak RSS at 4 d / at d|< 1.10
peak RSS per simulated page (B)|<= 64"

echo "vm_bench: $BUILD${REV:+ against $REV}, median of $N (seed 7)"
if [ -n "$REV" ]; then
	printf '%-44s %12s %12s %14s %8s\n' figure this "$REV" target ratio
else
	printf '%-44s %12s %14s\n' figure value target
fi
i=0
echo "$labels" | while IFS='|' read -r label target; do
	i=$((i + 1))
	a=$(sed -n "${i}p" "$tmp/f.this")
	b=$(sed -n "${i}p" "$tmp/f.rev")
	row "$label" "$a" "$b" "$target"
done

# engine calls by kind and role: one run of each, this build (and REV's
# if it counts them)
calls() {
	for b in $BINS; do
		rm -f "$tmp/c.db" "$tmp/c.db-wal" "$tmp/c.db-shm"
		MEMSIM_ENGINE_CALLS=1 nice "$tmp/$b" run "$1" --seed 7 --db "$tmp/c.db" 2>&1 >/dev/null |
			awk -v f="$1" -v b="$b" '/^engine_calls / { t += $4; l[n++] = sprintf("  %-10s %-11s %10d", $2, $3, $4) }
			    END { if (n) { printf "engine calls, %s (%s): %d\n", f, b, t; for (i = 0; i < n; i++) print l[i] } }'
	done
}
calls scenarios/swap_storm.lua
calls scenarios/swapmeta_reserve.lua
