#!/usr/bin/env bash
# deploy/postgres/wait.sh - wait until PostgreSQL accepts connections (pg_isready).
#
# Usage:
#   deploy/postgres/wait.sh --port PORT [--timeout SECONDS] [--host HOST]
#
# Defaults: --timeout 30, --host 127.0.0.1. Exit 0 when ready, 1 on timeout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$HERE/env.sh"

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

PORT=""
TIMEOUT=30
HOST=127.0.0.1
while [ $# -gt 0 ]; do
    case "$1" in
        --port) [ $# -ge 2 ] || usage; PORT=$2; shift 2 ;;
        --port=*) PORT=${1#*=}; shift ;;
        --timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift 2 ;;
        --timeout=*) TIMEOUT=${1#*=}; shift ;;
        --host) [ $# -ge 2 ] || usage; HOST=$2; shift 2 ;;
        --host=*) HOST=${1#*=}; shift ;;
        -h|--help) usage 0 ;;
        *) pg_log "unknown argument: $1"; usage ;;
    esac
done
[ -n "$PORT" ] || usage
[[ "$PORT" =~ ^[0-9]+$ ]] || pg_die "bad --port: $PORT"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || pg_die "bad --timeout: $TIMEOUT"

ISREADY=$(pg_client_bin pg_isready)
deadline=$(( SECONDS + TIMEOUT ))
while :; do
    if "$ISREADY" -q -h "$HOST" -p "$PORT" -U postgres -d postgres -t 2; then
        exit 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        pg_log "PostgreSQL on $HOST:$PORT not ready after ${TIMEOUT}s"
        exit 1
    fi
    sleep 0.5
done
