#!/bin/sh
# Runs to the first deadlock, random against guided.
# Usage: bench/hunt_first.sh [BUILD] [HUNTS] [BUDGET] [-p name=value]...
# (defaults build, 7, 60; parameters default to allocator=kmalloc_obj
# warmup=0.07s).
#
# HUNTS hunts of each strategy on the reference scenario
# (scenarios/swapmeta_reserve.lua), each of BUDGET runs at -j 1 into a
# new database.  Hunt i of either strategy starts at seed 1 + (i-1)*1000,
# so the hunts of one strategy are independent (a hunt of BUDGET runs
# takes at most BUDGET seeds from its start) and hunt i of random and of
# guided start from the same seeds.  Prints, per strategy, the run of
# the hunt at which the first deadlock or panic came ("-" for none in
# BUDGET runs) for each hunt, and the median (a hunt that found none
# counts as more than BUDGET: the median is ">BUDGET" when half or more
# found none); then every distinct signature found, with how many hunts
# found it, and the closest approach of each strategy's hunts.
#
# With plain kmalloc_obj and no warmup every seed deadlocks at the first
# page-out (docs/findings.md 2-4), so both strategies find one at run 1;
# warmup=0.07s starts the receive loads after the first page-outs, which
# makes the deadlock rare enough to compare the strategies.
# HUNT_FIRST_DB=DIR keeps the databases there (STRATEGY.I.db).
# HUNT_FIRST_STRATEGIES (default "random guided") lists what to compare;
# guided+freshP is a guided hunt with --fresh P (P% fresh seeds).
BUILD=${1:-build}
H=${2:-7}
B=${3:-60}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
M="$BUILD/memsim"
S=scenarios/swapmeta_reserve.lua
if [ $# -eq 0 ]; then
	set -- -p allocator=kmalloc_obj -p warmup=0.07s
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dbs=${HUNT_FIRST_DB:-$tmp}

# median of the lines of stdin, "-" read as B+1 (none within B runs)
median() {
	sed "s/^-\$/$((B + 1))/" | sort -n |
	    awk -v b="$B" '{a[NR]=$1} END {m = a[int((NR+1)/2)];
		if (m > b) print ">" b; else print m}'
}

echo "hunt_first: $H hunts of each strategy, $B runs each, -j 1: $S $*"
for st in ${HUNT_FIRST_STRATEGIES:-random guided}; do
	case $st in
	guided+fresh*) set_st="--strategy guided --fresh ${st#guided+fresh}" ;;
	*) set_st="--strategy $st" ;;
	esac
	: > "$tmp/$st.first"
	i=1
	while [ "$i" -le "$H" ]; do
		seed=$((1 + (i - 1) * 1000))
		# shellcheck disable=SC2086
		"$M" hunt "$S" "$@" $set_st --budget "$B" -j 1 \
		    --seed "$seed" --db "$dbs/$st.$i.db" \
		    > "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "hunt_first: $st hunt $i exited $rc:" >&2
			cat "$tmp/err" >&2
			exit 1
		fi
		f=$(sed -n 's/.*first deadlock or panic at run \([0-9]*\) of the hunt.*/\1/p' "$tmp/out")
		echo "${f:--}" >> "$tmp/$st.first"
		# signature lines: "    HASH  N runs, first run id I: TEXT"
		sed -n 's/^    [0-9a-f]\{16\}  [0-9]* runs*, first run id [0-9]*: //p' \
		    "$tmp/out" | sed "s/^/$st	/" >> "$tmp/sigs"
		sed -n 's/^  closest approach: //p' "$tmp/out" | \
		    sed "s/^/$st hunt $i: /" >> "$tmp/closest"
		i=$((i + 1))
	done
	list=$(tr '\n' ' ' < "$tmp/$st.first" | sed 's/ $//')
	none=$(grep -c '^-$' "$tmp/$st.first")
	echo "$st: runs to first deadlock: $list; median $(median < "$tmp/$st.first") ($none of $H found none in $B)"
done
if [ -s "$tmp/sigs" ]; then
	echo "signatures (strategy, hunts that found it, text):"
	sort "$tmp/sigs" | uniq -c | sed 's/^ *\([0-9]*\) \([^	]*\)	/  \2 \1: /'
else
	echo "signatures: none"
fi
echo "closest approach per hunt:"
sed 's/^/  /' "$tmp/closest"
