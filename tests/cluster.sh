# make test-cluster: the sharded sweep of docs/cluster.md on real
# schedulers on this machine.  A one-node Slurm (munged with a key made
# here, slurmctld and slurmd on localhost, a configuration written into
# a temporary directory: no system file is touched) runs the reference
# grid as a job array of shards through scripts/sweep.sbatch, a job that
# depends on the array merges them, and the merged runs must equal an
# unsharded sweep's, run for run; then scripts/sweep-parallel.sh does the
# same with GNU parallel on localhost, and over ssh to an sshd this test
# starts on localhost.  Everything started here is
# stopped by its pid when the test ends, fails or is interrupted.
#
# Slurm needs root here (slurmd starts jobs as their user); without it,
# or when the daemons do not come up, the Slurm part is a skip with the
# reason, never a pass.  CLUSTER_SEEDS=LIST runs fewer seeds than the
# scenario's sweep{} (1..20), CLUSTER_SHARDS=K another number of shards
# (default 4), CLUSTER_TIMEOUT=SECONDS bounds each wait (default 1800).
#
# Prints ok / not ok / skip lines and ends with "N passed, M failed,
# K skipped"; exits non-zero when a check failed.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
: "${MEMSIM:=$TOP/build/memsim}"
case $MEMSIM in /*) ;; *) MEMSIM=$TOP/$MEMSIM ;; esac
export MEMSIM
SCEN=scenarios/swapmeta_reserve.lua
K=${CLUSTER_SHARDS:-4}
LIMIT=${CLUSTER_TIMEOUT:-1800}
SEEDOPT=${CLUSTER_SEEDS:+--seeds $CLUSTER_SEEDS}
TMP=$(mktemp -d)
# munged wants every directory above its socket searchable by all
chmod 755 "$TMP"
pass=0 fail=0 skip=0
PIDS=""		# daemons, stopped last: sshd, slurmd, slurmctld, munged
JOBPID=""	# a long step running in the background

check() {	# name test-expression...
	name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		fail=$((fail + 1))
	fi
}
skipped() {	# reason
	echo "skip - $1"
	skip=$((skip + 1))
}
elapsed() {	# since
	echo $(($(date +%s) - $1))
}

# The pid and every descendant of it, children first.
tree() {
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tree "$c"
	done
	echo "$1"
}
# Stop these pids (and what they started): TERM, up to 10 s, then KILL.
stop() {
	all=""
	for p in "$@"; do
		all="$all $(tree "$p")"
	done
	[ -n "${all# }" ] || return 0
	# shellcheck disable=SC2086
	kill $all 2>/dev/null
	i=0
	while [ $i -lt 50 ]; do
		alive=""
		for p in $all; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	kill -9 $alive 2>/dev/null
}

cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$JOBPID" ] && stop "$JOBPID"
	if [ -n "${SLURM_CONF:-}" ] && [ -n "$PIDS" ]; then
		# jobs first, so no slurmstepd outlives its slurmd
		scancel --quiet --user="$(id -un)" 2>/dev/null
		i=0
		while [ $i -lt 40 ] && [ -n "$(squeue -h 2>/dev/null)" ]; do
			sleep 0.5
			i=$((i + 1))
		done
	fi
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && stop $PIDS
	rm -rf "$TMP"
}
trap cleanup EXIT
# fd 3: this script's stdout, for a signal that comes while a command's
# output is redirected
exec 3>&1
trap 'echo "not ok - interrupted" >&3; fail=$((fail + 1)); summary >&3; exit 143' INT TERM HUP

summary() {
	echo "$pass passed, $fail failed, $skip skipped"
}

# Run "$@" in the background, bounded by LIMIT seconds, and wait for it,
# so a signal reaches the trap at once.  Returns its status (124: over).
bounded() {
	timeout "$LIMIT" "$@" &
	JOBPID=$!
	wait "$JOBPID"
	rc=$?
	JOBPID=""
	return $rc
}

# Every run by its key, with what the simulation decided: the merged
# shards must give the same lines as the unsharded sweep.
rows() {	# db
	sqlite3 "$1" "select scenario_sha256, params, seed, outcome,
	    deadlock_kind, digest, end_time, signature from runs
	    order by scenario_sha256, params, seed"
}
same_rows() {	# db1 db2
	rows "$1" > "$TMP/rows1" && rows "$2" > "$TMP/rows2" &&
	    [ -s "$TMP/rows1" ] && cmp -s "$TMP/rows1" "$TMP/rows2"
}
# The sweeps rows of the K shards: "shard=I/K runs_done/runs_planned"
# each finished, in shard order; and how many runs the shards planned.
shards_done() {	# db
	[ "$(sqlite3 "$1" "select count(*) from sweeps where grid like
	    '%shard=%/$K' and finished is not null
	    and runs_done = runs_planned")" = "$K" ]
}

if ! sh scripts/setup.sh cluster; then
	echo "not ok - scripts/setup.sh cluster installs slurm-wlm, munge, parallel, openssh and rsync"
	fail=$((fail + 1))
	summary
	exit 1
fi

# --- the unsharded sweep ------------------------------------------------
t0=$(date +%s)
# shellcheck disable=SC2086
bounded "$MEMSIM" sweep "$SCEN" $SEEDOPT --db "$TMP/one.db" > "$TMP/one.out" 2>&1
rc=$?
NRUNS=$(sqlite3 "$TMP/one.db" "select count(*) from runs" 2>/dev/null)
check "the unsharded reference sweep ($NRUNS runs, $(elapsed "$t0") s)" \
	[ $rc = 0 -a "${NRUNS:-0}" -gt 0 ]

# --- Slurm --------------------------------------------------------------
slurm_up() {	# why not, in $why
	why=""
	if [ "$(id -u)" != 0 ]; then
		why="not root: slurmd needs root to start jobs"
		return 1
	fi
	for c in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel; do
		command -v $c > /dev/null 2>&1 || {
			why="$c is not installed"
			return 1
		}
	done
	S=$TMP/slurm
	mkdir -p "$S/run" "$S/state" "$S/spool" "$S/log" "$S/results" ||
		return 1
	chmod 755 "$S" "$S/run"
	mungekey --create --keyfile="$S/munge.key" > /dev/null 2>&1 || {
		why="mungekey could not make a key"
		return 1
	}
	munged -F --socket="$S/run/munge.sock" --key-file="$S/munge.key" \
	    --pid-file="$S/run/munged.pid" --seed-file="$S/munge.seed" \
	    --log-file="$S/log/munged.log" > "$S/log/munged.out" 2>&1 &
	PIDS="$! $PIDS"
	i=0
	until munge -S "$S/run/munge.sock" -n > /dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			why="munged did not start: $(tail -1 "$S/log/munged.out")"
			return 1
		fi
		sleep 0.2
	done
	ports=$(python3 -c 'import socket
s = [socket.socket() for i in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
	host=$(hostname -s)
	cat > "$S/slurm.conf" <<EOT
# A one-node cluster on localhost, for tests/cluster.sh only: no
# cgroups (proctrack/linuxproc, task/none), no accounting, state and
# logs in this directory.
ClusterName=memsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/run/munge.sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
PlugStackConfig=$S/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
NodeName=memsim0 NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=memsim Nodes=memsim0 Default=YES MaxTime=INFINITE State=UP
EOT
	: > "$S/plugstack.conf"
	export SLURM_CONF="$S/slurm.conf"
	slurmctld -D -c -f "$SLURM_CONF" > "$S/log/slurmctld.out" 2>&1 &
	PIDS="$! $PIDS"
	slurmd -D -N memsim0 -f "$SLURM_CONF" > "$S/log/slurmd.out" 2>&1 &
	PIDS="$! $PIDS"
	i=0
	until [ "$(sinfo -h -n memsim0 -o %T 2>/dev/null)" = idle ]; do
		i=$((i + 1))
		if [ $i -gt 60 ]; then
			why="slurmd did not come up: $(sinfo -h -o '%T %E' 2>&1 | head -1); slurmd: $(tail -1 "$S/log/slurmd.out"); slurmctld: $(tail -1 "$S/log/slurmctld.out")"
			return 1
		fi
		sleep 0.5
	done
}

t0=$(date +%s)
if ! slurm_up; then
	skipped "Slurm: $why"
else
	echo "# Slurm $(sinfo -V | cut -d' ' -f2) up in $(elapsed "$t0") s: $(sinfo -h -o '%P %D node %c CPUs %T')"
	t0=$(date +%s)
	# the tasks' node-local disk ($TMPDIR), inside this test's directory
	mkdir -p "$S/tmp"
	# shellcheck disable=SC2086
	jid=$(TMPDIR=$S/tmp sbatch --parsable --array=1-$K --cpus-per-task=1 --time=60 \
	    --output="$S/log/task-%A_%a.out" \
	    scripts/sweep.sbatch "$S/results" "$SCEN" $SEEDOPT 2> "$S/log/sbatch.err")
	check "sbatch --array=1-$K scripts/sweep.sbatch is accepted" \
		[ -n "$jid" ]
	bounded sbatch --parsable --wait --dependency=afterany:"$jid" \
	    --output="$S/log/merge.out" \
	    --wrap "\"$MEMSIM\" merge \"$S/results.db\" \"$S\"/results/shard*.db" \
	    > /dev/null 2>> "$S/log/sbatch.err"
	rc=$?
	check "the merge job, after the array (afterany), ends with 0 ($(elapsed "$t0") s)" \
		[ $rc = 0 ]
	[ $rc = 124 ] && echo "# over CLUSTER_TIMEOUT=$LIMIT s"
	n=0
	for i in $(seq 1 "$K"); do
		grep -q "^sweep swapmeta_reserve shard=$i/$K: " \
		    "$S/log/task-${jid}_$i.out" 2>/dev/null && n=$((n + 1))
	done
	check "each of the $K array tasks ran its shard I/K (SLURM_ARRAY_TASK_ID/COUNT)" \
		[ $n = "$K" ]
	check "... and left shardI.db in the results directory" \
		[ "$(ls "$S"/results/shard*.db 2>/dev/null | wc -l)" = "$K" ]
	check "the merged database has every shard's sweep, finished" \
		shards_done "$S/results.db"
	check "... and all $NRUNS runs" \
		[ "$(sqlite3 "$S/results.db" "select count(*) from runs" 2>/dev/null)" = "$NRUNS" ]
	check "... the same outcomes and digests as the unsharded sweep, run by run" \
		same_rows "$TMP/one.db" "$S/results.db"

	# A task stopped as at its time limit (SIGTERM to every process of
	# it) saves its shard; the same task submitted again resumes it.
	# Shard 1 of 2 of the whole grid, run alone as docs/cluster.md says
	# a failed task is run again: long enough (half the grid) that the
	# task is still running when two of its runs are stored.
	R=$S/resume
	seed=$(sqlite3 "$TMP/one.db" "select min(seed) || '..' || max(seed) from runs")
	t0=$(date +%s)
	jid=$(SHARDS=2 TMPDIR=$S/tmp sbatch --parsable --array=1 \
	    --cpus-per-task=1 --output="$S/log/resume-%A_%a.out" \
	    scripts/sweep.sbatch "$R" "$SCEN" --seeds "$seed" \
	    2>> "$S/log/sbatch.err")
	i=0 n=0
	while [ $i -lt 1200 ]; do
		# the task's database on its node-local disk, while it runs
		n=$(sqlite3 "$S/tmp/memsim.$jid/shard1.db" \
		    "select count(*) from runs" 2>/dev/null)
		[ "${n:-0}" -ge 2 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	scancel --signal=TERM --full "$jid"
	i=0
	while [ $i -lt 120 ] && [ -n "$(squeue -h -j "$jid" 2>/dev/null)" ]; do
		sleep 0.5
		i=$((i + 1))
	done
	saved=$(sqlite3 "$R/shard1.db" "select count(*) from runs" 2>/dev/null)
	planned=$(sqlite3 "$R/shard1.db" "select runs_planned from sweeps" 2>/dev/null)
	check "a task sent SIGTERM saves its shard: ${saved:-no} of ${planned:-?} runs" \
		[ "${saved:-0}" -ge 2 -a "${saved:-0}" -lt "${planned:-0}" ]
	check "... memsim says how far it got" \
		grep -q "shard=1/2 (Terminated): $saved of $planned runs stored; run the same command again" "$S/log/resume-${jid}_1.out"
	SHARDS=2 TMPDIR=$S/tmp bounded sbatch --parsable --wait --array=1 \
	    --cpus-per-task=1 --output="$S/log/resume2-%A_%a.out" \
	    scripts/sweep.sbatch "$R" "$SCEN" --seeds "$seed" \
	    > "$S/jid2" 2>> "$S/log/sbatch.err"
	rc=$?
	jid=$(cat "$S/jid2")
	check "the task submitted again ends with 0 ($(elapsed "$t0") s for both)" [ $rc = 0 ]
	check "... and does only the missing runs" \
		grep -q "^sweep swapmeta_reserve shard=1/2: $planned runs, $planned stored ($((planned - saved)) new, $saved already there)" "$S/log/resume2-${jid}_1.out"
	check "... which are the unsharded sweep's, run by run" \
		[ "$(sqlite3 "$R/shard1.db" "attach '$TMP/one.db' as one;
		    select count(*) from runs x join one.runs y
		    using (scenario_sha256, params, seed)
		    where x.outcome = y.outcome and x.digest = y.digest
		    and x.end_time = y.end_time and x.signature is y.signature")" = "$planned" ]

	if [ $fail -gt 0 ]; then
		for f in "$S"/log/*; do
			echo "# --- $f"
			tail -5 "$f" | sed 's/^/#   /'
		done
	fi
fi

# --- GNU parallel on localhost ------------------------------------------
P=$TMP/parallel
mkdir -p "$P"
echo : > "$P/hosts.txt"
t0=$(date +%s)
# shellcheck disable=SC2086
cd "$P" || exit 1
bounded sh "$TOP/scripts/sweep-parallel.sh" hosts.txt "$K" results.db \
    "$TOP/$SCEN" $SEEDOPT > "$P/out" 2>&1
rc=$?
cd "$TOP" || exit 1
check "scripts/sweep-parallel.sh over \":\" (this machine) ends with 0 ($(elapsed "$t0") s)" \
	[ $rc = 0 ]
check "... merged $K shards" \
	[ "$(grep -c "^merged shard[0-9]*.db: [0-9]* runs added, 0 already there" "$P/out")" = "$K" ]
check "... every shard's sweep finished" shards_done "$P/results.db"
check "... the same outcomes and digests as the unsharded sweep, run by run" \
	same_rows "$TMP/one.db" "$P/results.db"
[ $fail -gt 0 ] && tail -5 "$P/out" | sed 's/^/#   /'

# --- GNU parallel over ssh to localhost -----------------------------------
# An sshd of this test's own, on a high port of 127.0.0.1, with a host
# key and an authorized key made here and no system file read or
# changed; parallel reaches it through an ssh configuration of its own
# (PARALLEL_SSH).  The shards are written over ssh in another directory
# (WORKDIR), since this "remote" host shares the file system, and come
# back by parallel's --return (rsync).
R=$TMP/ssh
mkdir -p "$R/work"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
ssh_skip=""
if [ ! -x "$SSHD" ] || ! command -v ssh > /dev/null; then
	ssh_skip="no sshd or ssh (scripts/setup.sh cluster installs openssh-server)"
elif [ ! -d /run/sshd ] && ! mkdir -p /run/sshd 2>/dev/null; then
	ssh_skip="sshd needs its privilege separation directory /run/sshd, which only root can make"
fi
if [ -z "$ssh_skip" ]; then
	PORT=$((20000 + $$ % 20000))
	ssh-keygen -q -t ed25519 -N '' -f "$R/host_key" &&
	ssh-keygen -q -t ed25519 -N '' -f "$R/user_key" &&
	cp "$R/user_key.pub" "$R/authorized_keys"
	cat > "$R/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $R/host_key
AuthorizedKeysFile $R/authorized_keys
PidFile $R/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
EOF
	cat > "$R/ssh_config" <<EOF
Host localhost
  Port $PORT
  IdentityFile $R/user_key
  IdentitiesOnly yes
  StrictHostKeyChecking accept-new
  UserKnownHostsFile $R/known_hosts
  BatchMode yes
  LogLevel ERROR
EOF
	"$SSHD" -D -f "$R/sshd_config" -E "$R/sshd.log" &
	PIDS="$! $PIDS"
	i=0
	until ssh -F "$R/ssh_config" localhost true 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 20 ]; then
			ssh_skip="the test's own sshd did not accept a login: $(tail -1 "$R/sshd.log")"
			break
		fi
		sleep 0.5
	done
fi
if [ -n "$ssh_skip" ]; then
	skipped "scripts/sweep-parallel.sh over ssh: $ssh_skip"
else
	echo localhost > "$R/hosts.txt"
	t0=$(date +%s)
	cd "$R" || exit 1
	# shellcheck disable=SC2086
	PARALLEL_SSH="ssh -F $R/ssh_config" WORKDIR=$R/work bounded sh \
	    "$TOP/scripts/sweep-parallel.sh" hosts.txt "$K" results.db \
	    "$TOP/$SCEN" $SEEDOPT > "$R/out" 2>&1
	rc=$?
	cd "$TOP" || exit 1
	check "scripts/sweep-parallel.sh --sshloginfile over ssh to localhost ends with 0 ($(elapsed "$t0") s)" \
		[ $rc = 0 ]
	check "... every shard ran over ssh (sshd accepted more than $K logins)" \
		[ "$(grep -c "^Accepted publickey" "$R/sshd.log")" -gt "$K" ]
	check "... merged $K shards that came back, no shard database left on the host" \
		eval '[ "$(grep -c "^merged shard[0-9]*.db: [0-9]* runs added, 0 already there" "$R/out")" = "$K" ] && [ -z "$(ls "$R/work" | grep "\.db$")" ]'
	check "... every shard's sweep finished" shards_done "$R/results.db"
	check "... the same outcomes and digests as the unsharded sweep, run by run" \
		same_rows "$TMP/one.db" "$R/results.db"
	[ $fail -gt 0 ] && { tail -5 "$R/out"; ls -a "$R/work"; } | sed 's/^/#   /'
fi

summary
[ $fail = 0 ]
