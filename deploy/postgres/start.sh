#!/usr/bin/env bash
# deploy/postgres/start.sh - start (initialising if needed) a throwaway/dev PostgreSQL
# cluster as a plain process (no systemd, no service), then create databases.
#
# Usage:
#   deploy/postgres/start.sh --data-dir DIR --port PORT [--db NAME ...] [--ephemeral]
#   URL=$(deploy/postgres/start.sh --data-dir /tmp/pg --port 55432 --db orders --db users)
#   # -> URL=postgresql+asyncpg://postgres@127.0.0.1:55432/   (append the db name)
#
# - DIR without a cluster is initdb'd: UTF8, locale C, superuser 'postgres',
#   trust auth for local socket and 127.0.0.1/::1 connections (no password).
# - Server listens on 127.0.0.1:PORT only; its unix socket is inside DIR;
#   log in DIR/postgres.log. Settings: max_connections=200, shared_buffers=128MB,
#   fsync=on (rewritten into DIR/postgresql.local.conf on every start).
# - --ephemeral: fsync=off and full_page_writes=off, for a cluster deleted after
#   use (the tests'): commits and the shutdown checkpoint skip the disk flushes.
#   Committed data survives the server's own crash, not the machine's.
# - As root the server runs as the 'postgres' OS user: DIR is chown'ed to
#   postgres, and any ancestor directory postgres cannot traverse gets o+x.
# - Already running for DIR: nothing is restarted (dbs are still created).
# - Each --db NAME is created if missing. --db may be repeated or comma-separated.
# Only the URL goes to stdout; progress goes to stderr.
# Needs install.sh to have been run (server binaries present).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$HERE/env.sh"

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

DATA_DIR=""
PORT=""
DBS=()
FSYNC=on
while [ $# -gt 0 ]; do
    case "$1" in
        --data-dir) [ $# -ge 2 ] || usage; DATA_DIR=$2; shift 2 ;;
        --data-dir=*) DATA_DIR=${1#*=}; shift ;;
        --port) [ $# -ge 2 ] || usage; PORT=$2; shift 2 ;;
        --port=*) PORT=${1#*=}; shift ;;
        --db) [ $# -ge 2 ] || usage; IFS=',' read -r -a _d <<<"$2"; DBS+=("${_d[@]}"); shift 2 ;;
        --db=*) IFS=',' read -r -a _d <<<"${1#*=}"; DBS+=("${_d[@]}"); shift ;;
        --ephemeral) FSYNC=off; shift ;;
        -h|--help) usage 0 ;;
        *) pg_log "unknown argument: $1"; usage ;;
    esac
done
[ -n "$DATA_DIR" ] && [ -n "$PORT" ] || usage
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || pg_die "bad --port: $PORT"
for db in "${DBS[@]+"${DBS[@]}"}"; do
    [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_-]{0,62}$ ]] || pg_die "bad --db name: '$db' (use letters, digits, _ and -)"
done

pg_require_bin
DATA_DIR=$(realpath -m -- "$DATA_DIR")
IS_ROOT=0; [ "$(id -u)" -eq 0 ] && IS_ROOT=1

# --- directory preparation -------------------------------------------------
mkdir -p -- "$DATA_DIR"
# Serialise concurrent start.sh runs for the same parent dir (e.g. parallel CI jobs).
exec 9<"$(dirname -- "$DATA_DIR")"
flock 9

if [ ! -f "$DATA_DIR/PG_VERSION" ] && [ -n "$(ls -A -- "$DATA_DIR")" ]; then
    pg_die "$DATA_DIR is not empty and holds no PostgreSQL cluster (no PG_VERSION); refusing to initdb"
fi

if [ "$IS_ROOT" -eq 1 ]; then
    # postgres must be able to traverse every ancestor of DIR.
    d=$(dirname -- "$DATA_DIR")
    while :; do
        if ! runuser -u postgres -- test -x "$d"; then
            pg_log "granting o+x on $d so the postgres user can reach $DATA_DIR"
            chmod o+x -- "$d"
        fi
        [ "$d" = / ] && break
        d=$(dirname -- "$d")
    done
    if [ "$(stat -c %U -- "$DATA_DIR")" != postgres ]; then
        pg_log "chown -R postgres:postgres $DATA_DIR"
        chown -R postgres:postgres -- "$DATA_DIR"
    fi
fi
chmod 700 -- "$DATA_DIR"

# --- initdb ------------------------------------------------------------------
if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
    pg_log "initdb $DATA_DIR (PostgreSQL $PG_VERSION_MAJOR)"
    t0=$(pg_now_ms)
    initdb_log=$(mktemp)
    if ! pg_run "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=trust >"$initdb_log" 2>&1; then
        cat "$initdb_log" >&2; rm -f "$initdb_log"
        pg_die "initdb failed"
    fi
    rm -f "$initdb_log"
    pg_log "initdb done in $(pg_elapsed "$t0")"
fi

# Our settings live in postgresql.local.conf, included at the end of postgresql.conf.
if ! grep -q "^include_if_exists = 'postgresql.local.conf'" "$DATA_DIR/postgresql.conf"; then
    printf "\n# added by deploy/postgres/start.sh\ninclude_if_exists = 'postgresql.local.conf'\n" |
        pg_run tee -a "$DATA_DIR/postgresql.conf" >/dev/null
fi

# Unix socket path is limited to 107 bytes; fall back to no unix socket if too long.
SOCK_DIR=$DATA_DIR
if [ $(( ${#DATA_DIR} + ${#PORT} + 10 )) -gt 107 ]; then
    pg_log "data dir path too long for a unix socket; unix socket disabled (TCP only)"
    SOCK_DIR=""
fi

# --- start -------------------------------------------------------------------
ISREADY=$(pg_client_bin pg_isready)
is_running() { pg_run "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; }
is_ready() { "$ISREADY" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -t 2; }

start_server() {
    {
        echo "# Written by deploy/postgres/start.sh on every start; edits are overwritten."
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $PORT"
        echo "unix_socket_directories = '$SOCK_DIR'"
        echo "max_connections = 200"
        echo "shared_buffers = 128MB"
        echo "fsync = $FSYNC"
        echo "full_page_writes = $FSYNC"
        echo "logging_collector = off"
        echo "log_timezone = 'UTC'"
        echo "timezone = 'UTC'"
    } | pg_run tee "$DATA_DIR/postgresql.local.conf" >/dev/null
    pg_log "starting on 127.0.0.1:$PORT (log: $DATA_DIR/postgres.log)"
    local t0
    t0=$(pg_now_ms)
    # 9<&- : the server must not inherit the flock fd (it would hold the lock forever)
    if ! pg_run "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/postgres.log" -w -t 60 start >/dev/null 9<&-; then
        tail -n 30 "$DATA_DIR/postgres.log" >&2 || true
        pg_die "pg_ctl start failed (is port $PORT already in use?)"
    fi
    pg_log "started in $(pg_elapsed "$t0")"
}

if is_running; then
    rp=$(sed -n '4p' "$DATA_DIR/postmaster.pid" 2>/dev/null || true)
    if [ -n "$rp" ] && [ "$rp" != "$PORT" ]; then
        pg_die "cluster in $DATA_DIR is already running on port $rp, not $PORT; stop it first (stop.sh --data-dir $DATA_DIR)"
    fi
    # Running but maybe still starting up / recovering, or a killed postmaster that
    # is a not-yet-reaped zombie: wait until it is ready or really gone.
    deadline=$(( SECONDS + 60 ))
    while is_running && ! is_ready; do
        [ "$SECONDS" -lt "$deadline" ] || pg_die "server for $DATA_DIR is running but not accepting connections on 127.0.0.1:$PORT after 60s (see $DATA_DIR/postgres.log)"
        sleep 0.5
    done
    if is_ready; then
        pg_log "already running: $DATA_DIR on port $PORT"
    else
        start_server
    fi
else
    start_server
fi

# --- databases -----------------------------------------------------------------
PSQL=$(pg_client_bin psql)
CREATEDB=$(pg_client_bin createdb)
db_exists() {
    [ "$(printf "select 1 from pg_database where datname = :'n';\n" |
        "$PSQL" -X -q -t -A -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v n="$1")" = 1 ]
}
for db in "${DBS[@]+"${DBS[@]}"}"; do
    if db_exists "$db"; then
        pg_log "database $db exists"
    elif "$CREATEDB" -h 127.0.0.1 -p "$PORT" -U postgres "$db" 2>/dev/null || db_exists "$db"; then
        pg_log "database $db created"
    else
        "$CREATEDB" -h 127.0.0.1 -p "$PORT" -U postgres "$db" # show the error
        pg_die "could not create database $db"
    fi
done

printf 'postgresql+asyncpg://postgres@127.0.0.1:%s/\n' "$PORT"
