#!/usr/bin/env bash
# deploy/postgres/stop.sh - stop a cluster started by start.sh (pg_ctl -m fast stop).
#
# Usage:
#   deploy/postgres/stop.sh --data-dir DIR
#
# Quiet and exit 0 when DIR does not exist, holds no cluster, or the server is
# not running. Data is kept; delete DIR yourself to throw the cluster away.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$HERE/env.sh"

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

DATA_DIR=""
while [ $# -gt 0 ]; do
    case "$1" in
        --data-dir) [ $# -ge 2 ] || usage; DATA_DIR=$2; shift 2 ;;
        --data-dir=*) DATA_DIR=${1#*=}; shift ;;
        -h|--help) usage 0 ;;
        *) pg_log "unknown argument: $1"; usage ;;
    esac
done
[ -n "$DATA_DIR" ] || usage
DATA_DIR=$(realpath -m -- "$DATA_DIR")

[ -f "$DATA_DIR/PG_VERSION" ] || exit 0
[ -n "$PG_BIN" ] || exit 0   # no server binaries -> nothing can be running
# pg_ctl status: 0 running, 3 not running, 4 no/inaccessible data dir
# A postmaster.pid means a server may run even if one status call failed: always try to stop it then,
# and fail loudly only if it still runs afterwards.
if [ -f "$DATA_DIR/postmaster.pid" ] || pg_run "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
    if ! pg_run "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null 2>&1; then
        if pg_run "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
            pg_die "could not stop the server in $DATA_DIR"
        fi
    fi
    pg_log "stopped $DATA_DIR"
fi
