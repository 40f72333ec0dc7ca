# Bad input: one line naming what and where, exit 2 (scenario/usage) or
# 1 (environment), and nothing already recorded lost.  Each case checks
# the exact message.
. tests/lib.sh
DB=$TMP/b.db
B=$TMP/bad.lua
$MEMSIM run scenarios/swap_full.lua --db "$DB" >/dev/null
runs() { q "${1:-$DB}" "select count(*) from runs"; }

# expect_fail name status message scenario-text [memsim args...]: the
# scenario is written to $B; stderr must be exactly "$B<message>".
expect_fail() {
	name=$1 want=$2 msg=$B$3 text=$4
	shift 4
	printf '%s\n' "$text" > "$B"
	$MEMSIM run "$B" --db "$DB" "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(cat "$TMP/err")" = "$msg" ] &&
	   [ "$(runs)" = 1 ]; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc, want $want; stderr: $(head -c 300 "$TMP/err"); want: $msg)"
	fi
}

# expect_env name status message memsim-args...: stderr is exactly
# the message.
expect_env() {
	name=$1 want=$2 msg=$3
	shift 3
	$MEMSIM "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(cat "$TMP/err")" = "$msg" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc, want $want; stderr: $(head -c 300 "$TMP/err"); want: $msg)"
	fi
}

P='process { name = "a", run = function(p) p:compute("1ms") end }'

# --- Lua itself -------------------------------------------------------------
expect_fail "syntax error names file:line" 2 ":2: unexpected symbol near '}'" \
"machine { ram = \"64M\" }
scenario { name = }
$P"
expect_fail "a runtime error at load" 2 ":1: boom" "error('boom')
$P"
expect_fail "a runtime error at load without a message" 2 \
	":1: (error object is a table value)" "error({ code = 42 })
$P"
expect_fail "a misspelt global" 2 ":1: unknown name 'procces'" \
	"procces { name = \"a\" }"
expect_fail "the instruction budget at load" 2 \
	":1: instruction budget exceeded (100000)" "while true do end" \
	--lua-budget 100000
expect_fail "a configuration error is fatal even under pcall" 2 \
	":1: ram 1M is smaller than the kernel's own needs (16M)" \
	"pcall(machine, { ram = \"1M\" })
$P"

# --- unknown options, one per table ------------------------------------------
expect_fail "unknown option in scenario{}" 2 ":1: unknown option 'nmae' in scenario" \
	"scenario { nmae = \"x\" }
$P"
expect_fail "unknown option in machine{}" 2 ":1: unknown option 'rma' in machine" \
	"machine { rma = \"64M\" }
$P"
expect_fail "an unknown tunable in machine{}" 2 \
	":1: unknown option 'v_free_mni' in machine" "machine { v_free_mni = 3 }
$P"
expect_fail "unknown option in kernel{}" 2 ":1: unknown option 'swapmet' in kernel" \
	"kernel { swapmet = {} }
$P"
expect_fail "unknown option in kernel{ swapmeta }" 2 \
	":1: unknown option 'alocator' in swapmeta" \
	"kernel { swapmeta = { alocator = \"zalloc\" } }
$P"
expect_fail "unknown option in kernel{ zones }" 2 \
	":1: unknown option 'sise' in zones[1]" \
	"kernel { zones = { { name = \"z\", sise = \"1K\" } } }
$P"
expect_fail "kernel{ emergency_pager } not a boolean" 2 \
	":1: emergency_pager: expected a boolean, got string" \
	"kernel { emergency_pager = \"yes\" }
$P"
expect_fail "unknown option in process{}" 2 ":1: unknown option 'runn' in process" \
	'process { name = "a", runn = 1, run = function(p) end }'
expect_fail "unknown option in interrupt_load{}" 2 \
	":1: unknown option 'page' in interrupt_load" \
	"interrupt_load { rate = \"1/s\", page = 2 }
$P"
expect_fail "a key that cannot be an axis in sweep{}" 2 \
	":1: unknown option '1' in sweep" "sweep { [1] = \"x\" }
$P"

# --- wrong types ----------------------------------------------------------------
expect_fail "a table for a size" 2 ":1: ram: expected a size string or number, got table" \
	"machine { ram = {} }
$P"
expect_fail "a number for a name" 2 ":1: name: expected a string, got number" \
	'process { name = 1, run = function(p) end }'
expect_fail "a number for a body" 2 ":1: run: expected a function, got number" \
	'process { name = "a", run = 5 }'
expect_fail "a string for a count" 2 ":1: ncpus: expected an integer from 1 to 64, got string" \
	"machine { ncpus = \"2\" }
$P"
expect_fail "a control character in a name" 2 \
	":1: name: control character \\x0a in a name" \
	'process { name = "a\nb", run = function(p) end }'

# --- sizes and units ------------------------------------------------------------------
expect_fail "a negative size" 2 ":1: ram: sizes cannot be negative, got -1" \
	"machine { ram = -1 }
$P"
expect_fail "a zero size" 2 ":1: ram must be > 0" "machine { ram = 0 }
$P"
expect_fail "a unit with a bad suffix: 12MB" 2 \
	':1: ram: bad size "12MB": unknown suffix "MB" (use K, M, G or T)' \
	"machine { ram = \"12MB\" }
$P"
expect_fail "a unit with a space: 5 ms" 2 \
	':1: swap_latency: bad time "5 ms": unexpected space' \
	"machine { swap_latency = \"5 ms\" }
$P"
expect_fail "a unit too large: 1e999G" 2 ':1: ram: bad size "1e999G": too large' \
	"machine { ram = \"1e999G\" }
$P"
expect_fail "a negative unit: -4K" 2 ':1: swap: bad size "-4K": sizes cannot be negative' \
	"machine { swap = \"-4K\" }
$P"

# --- times ----------------------------------------------------------------------------
expect_fail "a zero duration" 2 ":1: duration must be > 0" "scenario { duration = 0 }
$P"
expect_fail "a negative duration" 2 \
	':1: duration: bad time "-1s": times cannot be negative' \
	"scenario { duration = \"-1s\" }
$P"
expect_fail "a negative duration as a number" 2 \
	":1: duration: times cannot be negative, got -1" "scenario { duration = -1 }
$P"
expect_fail "a zero watchdog" 2 ":1: watchdog must be > 0" \
	"scenario { watchdog = \"0s\" }
$P"
expect_fail "a zero sampling interval" 2 ":1: sample_every must be > 0" \
	"scenario { sample_every = 0 }
$P"

# --- the machine ----------------------------------------------------------------------
expect_fail "ram smaller than the kernel needs" 2 \
	":1: ram 4M is smaller than the kernel's own needs (16M)" \
	"machine { ram = \"4M\" }
$P"
expect_fail "swap larger than the 32-bit swap address range" 2 \
	":1: swap 16T is larger than the swap address range (at most 4294967294 pages of 4K)" \
	"machine { swap = \"16T\" }
$P"
expect_fail "unknown allocator" 2 \
	":1: unknown allocator 'slab' (known: zalloc, kmalloc_obj, reserve_kmalloc_obj, kmalloc, uma_reserve, mempool, pool_lowat)" \
	"kernel { swapmeta = { allocator = \"slab\" } }
$P"
expect_fail "negative reserve" 2 ":1: reserve: expected a non-negative integer, got -1" \
	"kernel { swapmeta = { allocator = \"reserve_kmalloc_obj\", reserve = -1 } }
$P"

# --- processes and parameters -------------------------------------------------------
expect_fail "duplicate process names" 2 ":2: duplicate process name 'a' (first at line 1)" \
	"$P
$P"
expect_fail "a scenario with no process" 2 ": scenario starts no process" \
	"machine { ram = \"64M\" }"
expect_fail "a -p the scenario never reads" 2 \
	": parameter 'N' (-p N=3) is not read by the scenario" "$P" -p N=3
expect_fail "a -p value of the wrong type" 2 \
	":1: param 'N': expected a number, got 'x'" "local n = param('N', 1)
$P" -p N=x

# --- errors inside a process body: recorded runs (outcome error), exit 2 --------------
BDB=$TMP/body.db
# expect_body name message text: the run is stored with exactly "$B<message>"
expect_body() {
	name=$1 msg=$B$2
	printf '%s\n' "$3" > "$B"
	rm -f "$BDB"
	$MEMSIM run "$B" --db "$BDB" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	got=$(q "$BDB" "select outcome || '|' || message from runs")
	if [ $rc = 2 ] && [ "$got" = "error|$msg" ] && [ ! -s "$TMP/err" ] &&
	   grep -qF "  $msg" "$TMP/out"; then
		echo "ok - $name"
	else
		echo "not ok - $name (status $rc; stored: $got; want: error|$msg)"
	fi
}
expect_body "a runtime error inside a process body" \
	":3: attempt to perform arithmetic on a nil value" \
	'process { name = "a", run = function(p)
  p:compute("1ms")
  local x = nil + 1
end }'
expect_body "unknown option in touch{}" ":1: unknown option 'writes' in touch" \
	'process { name = "a", run = function(p) local r = p:mmap("1M") p:touch(r, { writes = true }) end }'
expect_body "unknown option in mmap{}" ":1: unknown option 'fil' in mmap" \
	'process { name = "a", run = function(p) local r = p:mmap("1M", { fil = "x" }) end }'
expect_body "a zero mmap size" ":1: mmap: size must be > 0" \
	'process { name = "a", run = function(p) p:mmap(0) end }'
expect_body "a bad unit in a body" \
	':1: mmap: bad size "12MB": unknown suffix "MB" (use K, M, G or T)' \
	'process { name = "a", run = function(p) p:mmap("12MB") end }'
expect_body "a negative compute time" ":1: compute: times cannot be negative, got -1" \
	'process { name = "a", run = function(p) p:compute(-1) end }'
expect_body "a negative sleep" ':1: sleep: bad time "-5ms": times cannot be negative' \
	'process { name = "a", run = function(p) p:sleep("-5ms") end }'

# --- files ----------------------------------------------------------------------------
expect_env "a missing scenario file: exit 2 naming it" 2 \
	"$TMP/nope.lua: cannot read: No such file or directory" \
	run "$TMP/nope.lua" --db "$DB"
mkdir "$TMP/dir.lua"
expect_env "a directory instead of a scenario file: exit 2" 2 \
	"$TMP/dir.lua: cannot read: Is a directory" run "$TMP/dir.lua" --db "$DB"
expect_env "a bad --seed: exit 2" 2 \
	"memsim: --seed x: expected a whole number below 2^63" \
	run scenarios/swap_full.lua --db "$DB" --seed x
check "... and nothing recorded was lost" [ "$(runs)" = 1 ]

# --- databases that cannot be used: exit 1, nothing lost -------------------------------
S=tests/scenarios/tiny.lua
mkdir "$TMP/dbdir"
expect_env "a directory as the database: exit 1" 1 \
	"memsim: $TMP/dbdir: is a directory, not a database file" \
	run $S --db "$TMP/dbdir"
mkfifo "$TMP/fifo.db"
expect_env "a FIFO as the database: exit 1, without blocking" 1 \
	"memsim: $TMP/fifo.db: is not a regular file, not a database file" \
	run $S --db "$TMP/fifo.db"
printf 'not a database at all, just some text................' > "$TMP/junk.db"
expect_env "a file that is not SQLite: exit 1" 1 \
	"memsim: $TMP/junk.db: not a SQLite database" run $S --db "$TMP/junk.db"
check "... left as it was" [ "$(cat "$TMP/junk.db")" = "not a database at all, just some text................" ]
expect_env "a database in a directory that does not exist: exit 1" 1 \
	"memsim: $TMP/no/such/dir/x.db: cannot open database: directory $TMP/no/such/dir: No such file or directory" \
	run $S --db "$TMP/no/such/dir/x.db"
cp "$DB" "$TMP/newer.db"
q "$TMP/newer.db" "pragma user_version = 99"
expect_env "a database of a newer schema: exit 1" 1 \
	"memsim: $TMP/newer.db: database schema version 99 is newer than this memsim (7)" \
	run $S --db "$TMP/newer.db"
check "... and its rows are still there" [ "$(runs "$TMP/newer.db")" = 1 ]

# A read-only directory.  Modes do not stop root, so root makes the
# directory a read-only bind mount, else immutable (chattr +i), else
# uses /proc/self, where no file can be created.
RO=$TMP/ro
mkdir "$RO"
cp "$DB" "$RO/has.db"
ro_undo=:
if [ "$(id -u)" != 0 ]; then
	chmod 555 "$RO"; ro_undo="chmod 755 $RO"; why="Permission denied"
elif mount --bind "$RO" "$RO" 2>/dev/null; then
	ro_undo="umount $RO"
	if mount -o remount,ro,bind "$RO" 2>/dev/null; then
		why="Read-only file system"
	else
		umount "$RO"; ro_undo=:
	fi
fi
if [ "$ro_undo" = : ] && chattr +i "$RO" 2>/dev/null; then
	ro_undo="chattr -i $RO"; why="Operation not permitted"
fi
trap '$ro_undo; rm -rf "$TMP"' EXIT
if [ "$ro_undo" = : ]; then
	RO=/proc/self; why="Operation not permitted"
fi
echo "# read-only directory: $RO ($why)"
expect_env "a new database in a read-only directory: exit 1 saying why" 1 \
	"memsim: $RO/new.db: cannot open database: directory $RO: $why" \
	run $S --db "$RO/new.db"
check "... creating nothing" [ ! -e "$RO/new.db" ]
if [ "$RO" != /proc/self ]; then
	expect_env "a database in a read-only directory: exit 1, before any run" 1 \
		"memsim: $RO/has.db: cannot open database: directory $RO: $why" \
		run $S --db "$RO/has.db"
fi
$ro_undo
ro_undo=:
if [ "$RO" != /proc/self ]; then
	check "... its rows still there" [ "$(runs "$RO/has.db")" = 1 ]
fi

# A full disk.  With a file-size limit, write() past it raises SIGXFSZ,
# which memsim ignores so the write fails with EFBIG and SQLite reports
# it.  The limit (64K in dash's 512-byte blocks, 128K in bash's 1K) is
# above the 32K -shm SQLite maps, so the database opens and the insert
# of a run with thousands of samples is what fails.
cp "$DB" "$TMP/full.db"
printf '%s\n' 'scenario { name = "big", sample_every = "0.2ms" }' \
	"machine { ram = \"32M\", swap = \"64M\" }" \
	'process { name = "a", run = function(p) local r = p:mmap("40M")' \
	'  p:touch(r, { write = true }) p:touch(r, { write = true }) end }' > "$TMP/big.lua"
(ulimit -f 128; exec $MEMSIM run "$TMP/big.lua" --db "$TMP/full.db") > "$TMP/out" 2> "$TMP/err"
rc=$?
check "over the file-size limit: exit 1, not killed by SIGXFSZ" [ $rc = 1 ]
check "... one line saying the file is too large" \
	[ "$(cat "$TMP/err")" = "memsim: $TMP/full.db: cannot store run: disk I/O error (File too large)" ]
check "... the database intact, its run still there" \
	[ "$(q "$TMP/full.db" "pragma integrity_check") $(runs "$TMP/full.db")" = "ok 1" ]
$MEMSIM run "$TMP/big.lua" --db "$TMP/full.db" > /dev/null 2>&1
check "... and without the limit the same run is stored" [ "$(runs "$TMP/full.db")" = 2 ]

# A real ENOSPC on a small tmpfs, where mounting is allowed.
if [ "$(id -u)" = 0 ] && mkdir "$TMP/small" && mount -t tmpfs -o size=160k tmpfs "$TMP/small" 2>/dev/null; then
	ro_undo="umount $TMP/small"
	cp "$DB" "$TMP/small/x.db"
	$MEMSIM run "$TMP/big.lua" --db "$TMP/small/x.db" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "a full disk (tmpfs): exit 1, one line saying so" \
		[ $rc = 1 -a "$(cat "$TMP/err")" = "memsim: $TMP/small/x.db: cannot store run: database or disk is full" ]
	check "... the database intact, its run still there" \
		[ "$(q "$TMP/small/x.db" "pragma integrity_check") $(runs "$TMP/small/x.db")" = "ok 1" ]
	$ro_undo
	ro_undo=:
else
	echo "# no tmpfs (not root, or mount not allowed): the file-size limit above is the full-disk case"
fi

# A deadlock is data: exit 0, or 3 with --fail-on-deadlock.
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$DB" > "$TMP/out" 2>&1
check "a deadlock exits 0 by default" [ $? = 0 ]
$MEMSIM run tests/scenarios/irq_exhaust.lua --db "$TMP/dl.db" --fail-on-deadlock > "$TMP/out" 2>&1
check "--fail-on-deadlock exits 3" [ $? = 3 ]
check "the summary says who waits on what" grep -q "dirtier.*pfault" "$TMP/out"
check "the waits table has every thread" \
	[ "$(q "$DB" "select count(*) from waits join runs on runs.id = run_id where scenario='irq_exhaust' and thread in ('dirtier', 'pagedaemon', 'leak')")" = 3 ]
check "the leak is a deadlock the verdict proves" \
	[ "$(q "$DB" "select deadlock_kind from runs where scenario='irq_exhaust'")" = proven ]
check "... and its final wait is not counted as a stall" \
	[ "$(q "$DB" "select longest_stall_seconds < 1 from runs where scenario='irq_exhaust'")" = 1 ]
# The same leak with mempool: its poll says what it could give back
# (ops->reclaimable) and its failed request the backing slab's pages, so
# the verdict proves this one too instead of leaving it to the watchdog.
$MEMSIM run tests/scenarios/irq_exhaust.lua -p allocator=mempool --db "$DB" > /dev/null 2>&1
id=$(q "$DB" "select id from runs where scenario='irq_exhaust' and allocator='mempool'")
check "mempool's leak is a deadlock the verdict proves, not a watchdog livelock" \
	[ "$(q "$DB" "select deadlock_kind from runs where id=$id")" = proven ]
$MEMSIM explain "$id" --db "$DB" > "$TMP/explain" 2>&1
check "explain: no watchdog caveat on mempool's proven deadlock" \
	sh -c "! grep -q '^caveat:' '$TMP/explain'"
