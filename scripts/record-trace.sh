#!/bin/sh
# record-trace.sh -o NAME.mtr -- COMMAND ARGS...
#
# Runs COMMAND under valgrind's lackey tool (every load, store and
# instruction fetch), with valgrind's address-space tables (-d) and
# system-call trace (mmap, brk, openat) so the importer can tell the
# program's mappings apart, and streams it all through
# `memsim trace import lackey` into NAME.mtr.  COMMAND's own standard
# output goes to standard output; nothing is held in memory or on disk
# but the trace.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
MEMSIM=${MEMSIM:-$TOP/build/memsim}
out=""
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || { echo "record-trace.sh: -o needs a file" >&2; exit 2; }
	    out=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "record-trace.sh: usage: record-trace.sh -o NAME.mtr -- COMMAND ARGS..." >&2; exit 2 ;;
	esac
done
if [ -z "$out" ] || [ $# -eq 0 ]; then
	echo "record-trace.sh: usage: record-trace.sh -o NAME.mtr -- COMMAND ARGS..." >&2
	exit 2
fi
command -v valgrind >/dev/null 2>&1 || {
	echo "record-trace.sh: valgrind is not installed (scripts/setup.sh installs it)" >&2
	exit 1
}
# valgrind's log (lackey's lines) and its debug output (-d) both go to
# stderr, in order; the program's stdout is kept apart.
exec 3>&1
valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes -d \
	--log-fd=2 "$@" 2>&1 >&3 3>&- | "$MEMSIM" trace import lackey -o "$out" - 3>&-
