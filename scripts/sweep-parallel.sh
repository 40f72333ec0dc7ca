#!/bin/sh
# A memsim sweep in K shards spread by GNU parallel over hosts, merged
# into one database (docs/cluster.md).
#
#   scripts/sweep-parallel.sh HOSTS K OUT.db SCENARIO [memsim sweep options]
#
# HOSTS is parallel's --sshloginfile: one [N/]user@host a line, ":" for
# this machine.  Each host has this checkout at the same path, with
# build/memsim built (MEMSIM=PATH for another); one shard per host at a
# time, each using all that host's CPUs.  A shard's database comes back
# here when it ends and the remote copy is removed.  A host's failure
# leaves the others running; run the same command again: on this
# machine a shard resumes from its database, on another host it starts
# afresh, and the merge adds nothing twice.  WORKDIR=DIR writes the
# shards on each host in DIR instead of this directory's path (needed
# when a "remote" host shares this file system, as ssh to localhost
# does: its cleanup would remove the shard that came back).
set -eu
if [ $# -lt 4 ]; then
	echo "usage: scripts/sweep-parallel.sh HOSTS K OUT.db SCENARIO [sweep options]" >&2
	exit 2
fi
HOSTS=$1 K=$2 OUT=$3
shift 3
MEMSIM=${MEMSIM:-build/memsim}
WORKDIR=${WORKDIR:-$PWD}
rc=0
seq 1 "$K" | parallel --will-cite -q --sshloginfile "$HOSTS" -j1 \
    --workdir "$WORKDIR" --return 'shard{}.db' --cleanup \
    "$MEMSIM" sweep "$@" --shard "{}/$K" --db 'shard{}.db' || rc=$?
# Merge what came back, even after a failed shard: merge adds only new runs.
"$MEMSIM" merge "$OUT" $(seq -f 'shard%g.db' 1 "$K" | while read -r f; do
	[ -f "$f" ] && echo "$f"; done)
exit $rc
