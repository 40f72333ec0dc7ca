#!/bin/sh
# Installs the Debian packages memsim builds and runs with, and nothing
# else.  Asks no registry when every package is already present.
# `setup.sh cluster` adds what `make test-cluster` runs: a one-node
# Slurm (slurmctld, slurmd, the client commands), MUNGE for its
# authentication, GNU parallel, and the ssh client and server (with
# rsync, which parallel's --return uses) for parallel over ssh.
set -eu

PKGS="libsimgrid-dev liblua5.4-dev libsqlite3-dev sqlite3 meson ninja-build
pkg-config gcc g++ gnuplot-nox valgrind libzstd-dev"
if [ "${1:-}" = cluster ]; then
	PKGS="$PKGS slurmctld slurmd slurm-client munge parallel
openssh-client openssh-server rsync"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "setup: need root or sudo to install:$missing" >&2
		exit 1
	}
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
