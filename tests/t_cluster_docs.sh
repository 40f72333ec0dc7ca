# docs/cluster.md shows the scripts that make test-cluster runs, as they
# are: each one's text is in the page in full, inside one ```sh block.
# (tests/cluster.sh runs them on Slurm and GNU parallel.)
. tests/lib.sh
block() {	# file: the ```sh block of docs/cluster.md that starts as it does
	awk -v first="$(head -2 "$1" | tail -1)" '
	    /^```sh$/ { inb = 1; n = 0; next }
	    inb && /^```$/ { if (hit) exit; inb = 0; next }
	    inb { line[++n] = $0; if (n == 2 && $0 == first) hit = 1 }
	    END { if (hit) for (i = 1; i <= n; i++) print line[i] }' docs/cluster.md
}
for f in scripts/sweep.sbatch scripts/sweep-parallel.sh; do
	block "$f" > "$TMP/block"
	check "docs/cluster.md shows $f as it is" cmp -s "$f" "$TMP/block"
	check "... and it is valid sh" sh -n "$f"
done
sh scripts/sweep.sbatch > /dev/null 2> "$TMP/err"
check "sweep.sbatch without its arguments: exit 2 and its usage" \
	[ $? = 2 -a "$(cat "$TMP/err")" = "usage: sbatch scripts/sweep.sbatch OUTDIR SCENARIO [sweep options]" ]
sh scripts/sweep-parallel.sh a b > /dev/null 2> "$TMP/err"
check "sweep-parallel.sh without its arguments: exit 2 and its usage" \
	[ $? = 2 -a "$(cat "$TMP/err")" = "usage: scripts/sweep-parallel.sh HOSTS K OUT.db SCENARIO [sweep options]" ]
