# shellcheck shell=bash
# deploy/postgres/env.sh - helpers shared by the deploy/postgres scripts.
#
# Usage (source it, do not execute it):
#   source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
#   pg_require_bin              # die unless PG_BIN was found (run install.sh first)
#   pg_run "$PG_BIN/pg_ctl" ... # run a command as the 'postgres' OS user when
#                               # we are root, or as the current user otherwise
#
# Sets and exports:
#   PG_BIN       newest /usr/lib/postgresql/<ver>/bin that has initdb, pg_ctl and
#                postgres (empty if none is installed)
#   PG_VERSION_MAJOR  the <ver> part of PG_BIN (empty if none)
#   PG_OS_USER   OS user that owns/runs the server: 'postgres' when root, else $(id -un)
#
# Never changes shell options of the caller.

pg_find_bin() {
    # Print the newest /usr/lib/postgresql/*/bin with the server binaries.
    local d best="" ver
    local -a vers=()
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] || continue
        ver=${d#/usr/lib/postgresql/}
        vers+=("${ver%/bin}")
    done
    [ "${#vers[@]}" -gt 0 ] || return 1
    best=$(printf '%s\n' "${vers[@]}" | sort -V | tail -n 1)
    printf '/usr/lib/postgresql/%s/bin\n' "$best"
}

PG_BIN=$(pg_find_bin || true)
PG_VERSION_MAJOR=""
if [ -n "$PG_BIN" ]; then
    PG_VERSION_MAJOR=${PG_BIN#/usr/lib/postgresql/}
    PG_VERSION_MAJOR=${PG_VERSION_MAJOR%/bin}
fi
if [ "$(id -u)" -eq 0 ]; then
    PG_OS_USER=postgres
else
    PG_OS_USER=$(id -un)
fi
export PG_BIN PG_VERSION_MAJOR PG_OS_USER

pg_log() { printf '[postgres] %s\n' "$*" >&2; }
pg_die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

pg_now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
pg_elapsed() { local ms=$(( $(pg_now_ms) - $1 )); printf '%d.%03ds' $(( ms / 1000 )) $(( ms % 1000 )); }

pg_require_bin() {
    [ -n "$PG_BIN" ] || pg_die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run deploy/postgres/install.sh first"
}

pg_run() {
    # Run "$@" as the postgres OS user when root (PostgreSQL refuses to run as
    # root), otherwise as the current user. As root the command runs from '/'
    # so that an unreadable cwd (e.g. /root) does not produce warnings; pass
    # absolute paths.
    if [ "$(id -u)" -eq 0 ]; then
        getent passwd postgres >/dev/null ||
            pg_die "OS user 'postgres' does not exist (it is created by the postgresql package; run install.sh)"
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_client_bin() {
    # Print the path of a client tool (psql, pg_isready, createdb), preferring PG_BIN.
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$1" ]; then
        printf '%s\n' "$PG_BIN/$1"
    elif command -v "$1" >/dev/null 2>&1; then
        command -v "$1"
    else
        pg_die "$1 not found; run deploy/postgres/install.sh"
    fi
}
