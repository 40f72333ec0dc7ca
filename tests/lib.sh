# Shared helpers for the shell tests: TAP-like "ok"/"not ok" lines.
: "${MEMSIM:=build/memsim}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() {	# condition-result name
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# check "name" test-expression...
check() {
	name=$1
	shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi
}

q() {	# db sql
	sqlite3 "$1" "$2"
}
